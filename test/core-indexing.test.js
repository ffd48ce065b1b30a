'use strict';
// Indexing reads (t.index(...)) and writes (t.index_put_([...], value)) against
// Python's t[...] and t[...] = value, with gradients: fixtures from
// scripts/gen-core-fixtures.py. Slices are given both as strings ('1:5:2')
// and as { start, stop, step } objects.
const assert = require('node:assert/strict');
const { torch, loadFixture, runCase, makeTensor, assertTensor } = require('./core-helpers');

const { cases } = loadFixture('core-indexing.json');

describe('core indexing vs PyTorch', () => {
  describe('slices as strings', () => {
    for (const c of cases) it(c.name + (c.grad ? ' (+grad)' : ''), () => runCase(c, { sliceStyle: 'string' }));
  });
  describe('slices as { start, stop, step }', () => {
    for (const c of cases.filter((x) => JSON.stringify(x.args).includes('"slice"'))) {
      it(c.name, () => runCase(c, { sliceStyle: 'object' }));
    }
  });

  it('torch.indexing.Slice / None / Ellipsis name the same items', () => {
    const c = cases.find((x) => x.name === 'read slice None slice step');
    const x = makeTensor(c.self.T);
    const { Slice, None } = torch.indexing;
    assertTensor(x.index(Slice(), None, Slice(1, 4, 2)), c.out.T);
    const d = cases.find((x) => x.name === 'read int Ellipsis None');
    assertTensor(makeTensor(d.self.T).index(1, torch.indexing.Ellipsis, None), d.out.T);
  });

  it('a basic-index read is a view: writing through it changes the base', () => {
    const x = torch.zeros(3, 4);
    const row = x.index(1);
    row.fill_(2);
    const col = x.index(':', 2);
    col.add_(1);
    assert.deepEqual(x.tolist(), [[0, 0, 1, 0], [2, 2, 3, 2], [0, 0, 1, 0]]);
    // an advanced (tensor) index copies
    const sel = x.index(torch.tensor([0n]));
    sel.fill_(9);
    assert.equal(x.index(0, 0).item(), 0);
  });

  it('index_put_ with accumulate takes tensors (or arrays), and refuses other items', () => {
    const x = torch.zeros(2, 3);
    assert.throws(() => x.index_put_([0, torch.tensor([1n, 1n])], torch.tensor([1, 2]), { accumulate: true }),
      (e) => e instanceof TypeError && /index_put_/.test(e.message) && /element 0/.test(e.message));
    assert.throws(() => x.index_put_([':', torch.tensor([1n])], 1, { accumulate: true }), TypeError);
    assert.deepEqual(x.tolist(), [[0, 0, 0], [0, 0, 0]], 'nothing written');
    x.index_put_([[1, 1], [2, 2]], torch.tensor([1.5, 2]), { accumulate: true });
    assert.deepEqual(x.tolist(), [[0, 0, 0], [0, 0, 3.5]]);
  });

  it('bad index items are TypeErrors, not silently a full slice', () => {
    const x = torch.zeros(3);
    assert.throws(() => x.index({ begin: 1 }), TypeError);
    assert.throws(() => x.index([0.5]), TypeError);
    assert.throws(() => x.index('1:2:3:4'), TypeError);
    assert.throws(() => x.index('a:b'), TypeError);
  });

  it('index_put_ returns the same object', () => {
    const x = torch.zeros(3);
    assert.ok(x.index_put_([0], 1.5) === x);
    assert.ok(x.index_put_([torch.tensor([1n, 2n])], torch.tensor([2.5, 3.5]), { accumulate: true }) === x);
    assert.deepEqual(x.tolist(), [1.5, 2.5, 3.5]);
  });
});
