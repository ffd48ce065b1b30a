'use strict';
// The generated op surface against PyTorch, case by case from the same table
// (scripts/gen-op-fixtures.py: every unary/binary name of torch, linalg, fft and special):
// values, dtype and gradients; the Tensor method; out= writing into the given tensor;
// the keyword form of every argument.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const torch = require('..');

const { loadFixture } = require('./support/fixtures');
const fx = loadFixture('ops-generated.json');
const num = (v) => (typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : v);
const make = (vals) => torch.tensor(Float64Array.from(vals.map(num))).view(fx.shape);

function close(actual, expected, label) {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]), e = num(expected[i]);
    if (Number.isNaN(e)) { assert.ok(Number.isNaN(a), `${label}[${i}]: ${a}, PyTorch nan`); continue; }
    if (!Number.isFinite(e)) { assert.equal(a, e, `${label}[${i}]`); continue; }
    assert.ok(Math.abs(a - e) <= 1e-9 + 1e-7 * Math.abs(e), `${label}[${i}]: ${a}, PyTorch ${e}`);
  }
}
const first = (r) => (r instanceof torch.Tensor ? r : r[0]);
const values = (t) => Array.from(t.contiguous().reshape(-1).typed_array(), Number);

describe('generated ops vs PyTorch (same table, same LibTorch)', () => {
  it('covers the unary and binary names of torch, linalg, fft and special', () => {
    assert.ok(fx.cases.length > 250, `${fx.cases.length} cases`);
  });
  for (const c of fx.cases) {
    const fn = () => (c.ns === 'torch' ? torch : torch[c.ns])[c.name];
    describe(`${c.ns}.${c.name}`, () => {
      it('values, dtype and gradients', () => {
        const x = make(fx.x).requires_grad_(), y = make(fx.y).requires_grad_();
        const args = c.kind === 'unary' ? [x] : [x, y];
        const r = first(fn()(...args));
        assert.equal(r.dtype.name, c.dtype);
        assert.deepEqual(r.shape, c.shape);
        close(values(r), c.values, 'values');
        if (c.grads) {
          const grads = torch.autograd.grad([r.sum()], args, { allow_unused: true });
          c.grads.forEach((g, i) => { if (g) close(values(grads[i]), g, `grad[${i}]`); });
        }
      });
      it('keyword form: every argument by name', () => {
        const x = make(fx.x), y = make(fx.y);
        const kw = c.kind === 'unary' ? { input: x } : { input: x, other: y };
        let r;
        try { r = first(fn()(kw)); } catch (e) {
          // the second tensor's name is not always 'other': positional then
          if (c.kind === 'binary' && /unexpected keyword argument 'other'|missing/.test(e.message)) { r = first(fn()(x, y)); } else throw e;
        }
        close(values(r), c.values, 'values');
      });
      if (c.method) {
        it('Tensor method', () => {
          const x = make(fx.x), y = make(fx.y);
          const r = first(c.kind === 'unary' ? x[c.name]() : x[c.name](y));
          close(values(r), c.values, 'values');
        });
      }
      if (c.out) {
        it('out= writes into the given tensor and returns it', () => {
          const x = make(fx.x), y = make(fx.y);
          const out = torch.empty(0, { dtype: torch[c.dtype] });
          const args = c.kind === 'unary' ? [x] : [x, y];
          const r = fn()(...args, { out });
          assert.equal(r, out);
          close(values(out), c.values, 'out');
        });
      }
    });
  }
});

describe('nn.functional vs PyTorch (every name callable as F.name(x), F.name(x, target) or F.name(x, 2))', () => {
  const F = require('../dist/nn/functional');
  const f = fx.F;
  const makeF = (vals) => torch.tensor(Float64Array.from(vals.map(num))).view(f.shape);
  it('covers activations, pooling, losses and the Python-level helpers', () => {
    assert.ok(f.cases.length >= 55, `${f.cases.length} cases`);
  });
  for (const c of f.cases) {
    it(`F.${c.name}`, () => {
      const x = makeF(f.x).requires_grad_();
      const extra = c.form === 'xt' ? [makeF(f.t)] : c.form === 'x2' ? [2] : [];
      const r = first(F[c.name](x, ...extra));
      assert.deepEqual(r.shape, c.shape);
      close(values(r), c.values, 'values');
      if (c.grad) {
        const [g] = torch.autograd.grad([r.sum()], [x], { allow_unused: true });
        close(values(g), c.grad, 'grad');
      }
    });
  }
});
