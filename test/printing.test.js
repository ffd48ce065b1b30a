'use strict';
// formatTensor (lib/printing.ts) against str(tensor) from PyTorch 1.13:
// fixtures from scripts/gen-printing-fixtures.py.
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const printing = require('../dist/printing.js');

const { loadFixture } = require('./support/fixtures');
const fixtures = loadFixture('printing.json');

function decodeValue(v, dtype) {
  if (dtype === 'int64') return BigInt(v);
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  if (v === '-0.0') return -0;
  return v;
}

function toView(c) {
  return {
    shape: c.shape,
    dtype: c.dtype,
    device: c.device,
    values: c.values.map((v) => decodeValue(v, c.dtype)),
    requires_grad: c.requires_grad,
    grad_fn: c.grad_fn,
    is_leaf: c.is_leaf,
  };
}

describe('printing: formatTensor matches PyTorch str(tensor)', () => {
  afterEach(() => printing.set_printoptions({ profile: 'default' }));

  for (const c of fixtures.cases) {
    it(c.name, () => {
      printing.set_printoptions({ profile: 'default' });
      printing.set_printoptions(c.options);
      assert.equal(printing.formatTensor(toView(c), c.default_dtype), c.expected);
    });
  }

  it('set_printoptions resets sci_mode like Python and profile applies', () => {
    printing.set_printoptions({ sci_mode: true, precision: 2 });
    assert.deepEqual({ ...printing.printOptions }, { precision: 2, threshold: 1000, edgeitems: 3, linewidth: 80, sci_mode: true });
    printing.set_printoptions({ linewidth: 60 });
    assert.equal(printing.printOptions.sci_mode, null);
    printing.set_printoptions({ profile: 'full' });
    assert.equal(printing.printOptions.threshold, Infinity);
    printing.set_printoptions({ profile: 'default' });
    assert.deepEqual({ ...printing.printOptions }, { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sci_mode: null });
  });

  it('bool values given as 0/1 numbers and int64 given as numbers', () => {
    const base = { device: 'cpu', requires_grad: false, grad_fn: null, is_leaf: true };
    assert.equal(printing.formatTensor({ ...base, shape: [2], dtype: 'bool', values: [1, 0] }, 'float32'), 'tensor([ True, False])');
    assert.equal(printing.formatTensor({ ...base, shape: [2], dtype: 'int64', values: [3, -12] }, 'float32'), 'tensor([  3, -12])');
    assert.equal(printing.formatTensor({ ...base, shape: [2], dtype: 'float32', values: new Float32Array([1, 2.5]) }, 'float32'), 'tensor([1.0000, 2.5000])');
  });
});
