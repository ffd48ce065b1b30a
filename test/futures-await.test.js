'use strict';
// torch.futures.Future is a thenable (Python names its method `then`): `await fut`
// must give the value or throw the error, as Future.wait() does, never loop on the
// Future itself or hang.
const assert = require('node:assert/strict');
const torch = require('torch-node');

describe('torch.futures.Future under await', () => {
  it('await gives the value set later', async () => {
    const f = new torch.futures.Future();
    setTimeout(() => f.set_result(42), 5);
    assert.equal(await f, 42);
  });

  it('await throws the exception set', async () => {
    const f = new torch.futures.Future();
    setTimeout(() => f.set_exception(new Error('boom')), 5);
    await assert.rejects(async () => { await f; }, { message: 'boom' });
  });

  it("Python's then(callback) still chains: the callback gets the Future", async () => {
    const f = new torch.futures.Future();
    const g = f.then((fut) => fut.value() * 2);
    f.set_result(3);
    assert.equal(g.wait(), 6);
    assert.equal(await g, 6);
  });

  it('an already completed Future awaits at once', async () => {
    const f = new torch.futures.Future();
    f.set_result('x');
    assert.equal(await f, 'x');
  });
});
