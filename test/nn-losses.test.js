'use strict';
// Loss modules and their F.* forms against PyTorch 1.13 (fixtures from
// scripts/gen-nn-fixtures.py): value and input gradient for each option set.
const assert = require('node:assert/strict');
const { liveStats } = require('./support/gc');
const torch = require('torch-node');
const nn = require('torch-node/nn');
const F = require('torch-node/nn/functional');
const { fixture, decode, decodeArg, assertClose } = require('./nn-helpers');

const fx = fixture('nn-losses.json');

describe('nn losses match PyTorch', () => {
  for (const c of fx.losses) {
    describe(c.name, () => {
      const args = () => [...decodeArg(c.args), decodeArg(c.kwargs)];
      it(`${c.cls}: value and input gradient`, () => {
        const loss = new nn[c.cls](...args());
        assert.equal(String(loss), c.repr);
        assert.deepEqual(Object.keys(loss.state_dict()), c.state_dict_keys);
        const x = decode(c.input).requires_grad_();
        const out = loss(x, decode(c.target));
        assertClose(out, c.output, 'loss');
        out.backward(out.dim() ? torch.ones_like(out) : null);
        assertClose(x.grad, c.input_grad, 'input grad');
      });
      it(`F.${c.fn}: same value`, () => {
        const out = F[c.fn](decode(c.input), decode(c.target), ...args());
        assertClose(out, c.output, 'loss');
      });
    });
  }
});

describe('nn losses: behaviour', () => {
  it('deprecated size_average/reduce map to a reduction, as in Python', () => {
    const x = torch.randn(3, 4), t = torch.randn(3, 4);
    assert.equal(new nn.MSELoss(false).reduction, 'sum');
    assert.equal(new nn.MSELoss(null, false).reduction, 'none');
    assert.ok(F.mse_loss(x, t, false).equal(F.mse_loss(x, t, { reduction: 'sum' })));
  });

  it('weights are buffers: they follow to() and appear in state_dict', () => {
    const ce = new nn.CrossEntropyLoss(torch.ones(3));
    assert.deepEqual(Object.keys(ce.state_dict()), ['weight']);
    ce.double();
    assert.equal(ce.weight.dtype, torch.float64);
    assert.deepEqual(Object.keys(new nn.BCEWithLogitsLoss({ pos_weight: torch.ones(2) }).state_dict()), ['pos_weight']);
  });

  it('a loss call releases its intermediates', () => {
    const x = torch.randn(4, 3), t = torch.randn(3);
    const before = liveStats(torch).tensors;
    const l = F.mse_loss(x, t); // broadcasts: two expanded temporaries
    assert.equal(liveStats(torch).tensors, before + 1);
    l.dispose();
    const p = torch.rand(4, 3), y = torch.rand(4, 3), w = torch.ones(3);
    const bce = F.binary_cross_entropy(p, y, { weight: w }); // expands w
    assert.equal(liveStats(torch).tensors, before + 4);
    for (const t of [p, y, w, bce]) t.dispose();
  });
});
