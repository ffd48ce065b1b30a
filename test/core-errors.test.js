'use strict';
// Bad calls throw PyTorch's message (without the C++ backtrace, which is on
// err.cppBacktrace) as a JS Error / RangeError (Python's IndexError and
// ValueError) / TypeError, and the process lives on. Each case below makes in JS
// the call that scripts/gen-core-fixtures.py (gen_errors) makes in Python.
const assert = require('node:assert/strict');
const { torch, loadFixture, assertThrowsLike, assertNoBacktrace } = require('./core-helpers');

const { errors } = loadFixture('core-errors.json');
const ones = (...s) => torch.ones(...s);
const long = (...v) => torch.tensor(v.map(BigInt));

const JS = {
  'add shape mismatch': () => ones(2, 3).add(ones(2, 4)),
  'mul broadcast mismatch 3d': () => ones(2, 3, 4).mul(ones(3, 3)),
  'mm shape mismatch': () => torch.mm(ones(2, 3), ones(4, 5)),
  'matmul shape mismatch': () => torch.matmul(ones(2, 3), ones(2, 3)),
  'bmm not 3-D': () => torch.bmm(ones(2, 3), ones(3, 2)),
  'dot size mismatch': () => torch.dot(ones(3), ones(4)),
  'index out of range': () => ones(3).index(5),
  'index out of range dim 1': () => ones(3, 4).index(':', -5),
  'index_select out of range': () => ones(3).index_select(0, long(3)),
  'dim out of range in sum': () => ones(2, 3).sum(5),
  'dim out of range in softmax': () => ones(2, 3).softmax(-3),
  'dim out of range in size': () => ones(2, 3).size(2),
  'view on non-contiguous': () => ones(2, 3).t().view(6),
  'view bad size': () => ones(2, 3).view(4, 2),
  'reshape bad size': () => ones(6).reshape(4, 4),
  'expand bad size': () => ones(2, 3).expand(2, 4),
  'cat size mismatch': () => torch.cat([ones(2, 3), ones(3, 2)], 1),
  'cat empty list': () => torch.cat([]),
  'stack size mismatch': () => torch.stack([ones(2), ones(3)]),
  'narrow out of range': () => ones(4).narrow(0, 2, 3),
  'item on many elements': () => ones(2, 3).item(),
  'mean of int': () => torch.tensor([1n, 2n]).mean(),
  'sub bool bool': () => torch.tensor([true]).sub(torch.tensor([false])),
  'pow int negative': () => torch.tensor([2n, 3n]).pow(-1),
  'in-place result type': () => torch.tensor([1n, 2n]).add_(1.5),
  'leaf in-place': () => torch.ones(2, { requires_grad: true }).mul_(2),
  'gather index out of bounds': () => ones(2, 3).gather(1, torch.tensor([[0n], [5n]])),
  'gather index dtype': () => ones(2, 3).gather(1, torch.tensor([[0], [1]], { dtype: torch.int32 })),
  'randperm negative': () => torch.randperm(-1),
  'randint low >= high': () => torch.randint(5, 2, [3]),
  'zeros negative size': () => torch.zeros(2, -1),
  'arange zero step': () => torch.arange(0, 5, 0),
  'backward twice': () => {
    const y = torch.ones(2, { requires_grad: true }).mul(2).exp().sum();
    y.backward();
    y.backward();
  },
  'backward non-scalar': () => torch.ones(2, { requires_grad: true }).mul(2).backward(),
  'requires_grad on int': () => torch.tensor([1n]).requires_grad_(),
  'slice step negative': () => ones(4).index('::-1'),
  'squeeze dim out of range': () => ones(2, 1).squeeze(3),
  'transpose dim out of range': () => ones(2, 3).transpose(0, 2),
  'permute wrong count': () => ones(2, 3).permute(0),
  'split zero': () => ones(4).split(0),
  'chunk zero': () => ones(4).chunk(0),
  'div rounding_mode bad': () => ones(2).div(2.5, { rounding_mode: 'round' }),
  'copy_ bad broadcast': () => ones(2, 3).copy_(ones(4)),
  'tensor ragged': () => torch.tensor([[1, 2], [3]]),
  'slice step zero': () => ones(4).index('::0'),
  'index_put_ shape mismatch': () => ones(2, 3).index_put_([0], ones(4)),
};

describe('core errors: PyTorch messages, JS error classes, no crash', () => {
  it('every Python case has its JS counterpart', () => {
    assert.deepEqual(Object.keys(JS).sort(), Object.keys(errors).sort());
  });

  for (const [name, f] of Object.entries(JS)) {
    it(`${name}: ${errors[name]?.type ?? 'no error'} -> ${errors[name]?.message.slice(0, 60)}`, () => {
      if (errors[name].type === null) f(); // this LibTorch version accepts it, as its Python does
      else assertThrowsLike(f, errors[name]);
    });
  }

  it('a LibTorch error keeps its C++ backtrace on err.cppBacktrace, not in the message', () => {
    let err;
    try {
      ones(2, 3).add(ones(2, 4));
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof Error);
    assertNoBacktrace(err);
    assert.equal(typeof err.cppBacktrace, 'string');
    assert.ok(err.cppBacktrace.includes(err.message), 'the backtrace text includes the message');
    assert.ok(err.cppBacktrace.length > err.message.length);
    assert.ok(/Exception raised from/.test(err.cppBacktrace), 'the backtrace says where it was raised');
  });

  it('wrong argument types: TypeError naming the function and the argument', () => {
    const x = ones(2, 3);
    const cases = [
      [() => x.add('a'), /add/, /other/],
      [() => x.mul({}), /mul/, /other/],
      [() => x.sum('x'), /sum/, /dim/],
      [() => x.reshape('a', 2), /shape/, /./],
      [() => x.transpose('0', 1), /transpose/, /dim0/],
      [() => x.index_select(0, [0, 1]), /index_select/, /index/],
      [() => x.matmul(3), /matmul/, /other/],
      [() => torch.cat([x, 3]), /cat/, /tensors/],
      [() => torch.add(3, x), /add/, /input/],
      [() => torch.zeros(2, 'a'), /shape|size/, /./],
      [() => torch.randn(2, { dtype: 'float64' }), /dtype/, /./],
      [() => x.masked_fill(x.gt(0), 'a'), /masked_fill/, /value/],
      [() => x.clamp('a'), /clamp/, /min/],
    ];
    for (const [f, fnName, argName] of cases) {
      let err;
      try {
        f();
      } catch (e) {
        err = e;
      }
      assert.ok(err, `no error for ${f}`);
      assert.equal(err.constructor, TypeError, `${f}: expected a TypeError, got ${err.constructor.name}: ${err.message}`);
      assert.match(err.message, fnName, `${f}: the message names the function: ${err.message}`);
      assert.match(err.message, argName, `${f}: the message names the argument: ${err.message}`);
      assertNoBacktrace(err);
    }
  });

  it('a disposed tensor: Error saying it was disposed, for methods, ops and reads', () => {
    const x = ones(2, 3);
    const y = ones(2, 3);
    x.dispose();
    assert.equal(x.is_disposed, true);
    x.dispose();  // twice is harmless
    for (const f of [() => x.add(1), () => y.add(x), () => x.shape, () => x.item(), () => x.typed_array(), () => String(x),
      () => x.index(0), () => torch.cat([y, x])]) {
      assert.throws(f, (e) => e instanceof Error && /dispos/i.test(e.message), `${f}`);
    }
    // y is untouched
    assert.equal(y.sum().item(), 6);
  });

  it('an array the addon reads runs JS getters: their errors are thrown, never a crash', () => {
    const { native } = require('../dist/native.js');
    const x = ones(2, 2);
    const withGetter = (values, get) => {
      const a = [...values];
      Object.defineProperty(a, 0, { get });
      return a;
    };
    const thrower = () => { throw new Error('getter threw'); };
    for (const f of [
      () => native.call(native.op_handle('cat'), withGetter([x._h], thrower), 0), // Tensor[]
      () => native.call(native.op_handle('upsample_nearest2d', 'vec'), ones(1, 1, 2, 2)._h, null, withGetter([2, 2], thrower)), // float[]
      () => x.sum(withGetter([0], thrower)), // int[]
      () => native.index(x._h, withGetter([0], thrower)),
      () => native.autograd_grad(withGetter([x._h], thrower), [x._h], null, null, false, false),
    ]) assert.throws(f, /getter threw/, `${f}`);
    // a getter that itself calls an op while the addon converts the arguments of another
    assert.deepEqual(ones(2, 3).sum(withGetter([1], () => ones(4).mul(ones(4)).sum().item() - 3)).tolist(), [3, 3]);
    // a getter that disposes self while the indices are read
    const y = ones(3);
    assert.throws(() => native.index(y._h, withGetter([0], () => { y.dispose(); return 0; })), /dispos/);
    // a getter that detaches the data's buffer before its memory is read
    const data = new Float32Array(4);
    const detach = () => { structuredClone(data.buffer, { transfer: [data.buffer] }); return 4; };
    assert.throws(() => native.fromdata(data, withGetter([4], detach), torch.float32.code), RangeError);
  });

  it('the process lives on after many errors', function () {
    this.timeout(60000);  // each LibTorch error collects a C++ backtrace: milliseconds, in Python too
    for (let i = 0; i < 50; i++) {
      assert.throws(() => ones(3).add(ones(4)));
      assert.throws(() => ones(3).index(10));
      assert.throws(() => ones(2, 3).t().view(6));
    }
    assert.equal(ones(2, 2).add(1).sum().item(), 8);
  });
});
