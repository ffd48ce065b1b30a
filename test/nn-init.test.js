'use strict';
// nn.init against PyTorch 1.13 (fixtures from scripts/gen-nn-fixtures.py): the
// same draws, bit for bit, after the same torch.manual_seed. Exact on purpose: random draws
// scaled elementwise are the same bits on every AVX2/AVX-512 CPU and at any thread count
// (test/support/close.js says what ATen's default kernels change).
const assert = require('node:assert/strict');
const torch = require('torch-node');
const nn = require('torch-node/nn');
const { fixture, assertExact } = require('./nn-helpers');

const fx = fixture('nn-init.json');
const { init } = nn;

describe('nn.init matches PyTorch', () => {
  for (const c of fx.inits) {
    it(c.name, () => {
      torch.manual_seed(c.seed);
      const t = torch.empty(c.shape);
      const r = init[c.fn](t, ...c.args, ...(Object.keys(c.kwargs).length ? [c.kwargs] : []));
      assert.equal(r, t, 'returns the tensor it filled');
      assertExact(t, c.output, c.fn);
    });
  }

  it('calculate_gain', () => {
    for (const [nl, param, gain] of fx.gains) assert.equal(init.calculate_gain(nl, param), gain, `${nl}(${param})`);
  });

  it('_calculate_fan_in_and_fan_out', () => {
    for (const [shape, fans] of fx.fans) assert.deepEqual(init._calculate_fan_in_and_fan_out(torch.empty(shape)), fans, String(shape));
  });

  it('fills under no_grad, so parameters stay leaves', () => {
    const p = new nn.Parameter(torch.empty(3, 4));
    init.kaiming_normal_(p, { mode: 'fan_out', nonlinearity: 'relu' });
    assert.ok(p.is_leaf && p.requires_grad && p.grad_fn === null);
  });

  it('a zero-element tensor is left alone', () => {
    torch.manual_seed(0);
    const a = torch.rand(1);
    torch.manual_seed(0);
    init.kaiming_uniform_(torch.empty(0, 3));
    assert.ok(torch.rand(1).equal(a), 'no draw was made');
  });
});
