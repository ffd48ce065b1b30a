'use strict';
// Shared by test/nn-*.test.js: reading the tensors and arguments that
// scripts/gen-nn-fixtures.py recorded from PyTorch, and comparing against them.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const torch = require('torch-node');
const C = require('./support/close');

const { loadFixture: fixture } = require('./support/fixtures');

const num = (v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

/** A recorded {shape, dtype, values} as a tensor. */
function decode(enc) {
  const dtype = torch[enc.dtype];
  const values = enc.values.map(num);
  const flat = enc.dtype === 'float64' ? torch.tensor(Float64Array.from(values))
    : torch.tensor(values.length ? values : [], { dtype });
  return flat.reshape(enc.shape);
}

/** Recorded constructor/call arguments: tagged tensors and dtypes, tuples as arrays, None as null. */
function decodeArg(v) {
  if (Array.isArray(v)) return v.map(decodeArg);
  if (v !== null && typeof v === 'object') {
    if (v.__tensor__) return decode(v.__tensor__);
    if (v.__dtype__) return torch[v.__dtype__];
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeArg(x)]));
  }
  return v;
}

function values(t) { return Array.from(t.detach().contiguous().typed_array(), Number); }

/**
 * Same shape, dtype and bit-identical values (0 equals -0): for what is the same on every CPU
 * (parameters after manual_seed, copies, loaded state). See test/support/close.js.
 */
function assertExact(t, enc, what = '') {
  assert.deepEqual(t.shape, enc.shape, `${what}: shape`);
  assert.equal(t.dtype.name, enc.dtype, `${what}: dtype`);
  C.assertValues(values(t), enc.values.map(num), { exact: true, label: what, dtype: enc.dtype });
}

/**
 * Same shape and dtype, values within rtol/atol (as torch.allclose); the defaults are a few ulps
 * above assert_close's float32 rtol, for one small layer's forward or backward (sums of <= 100
 * terms: accumulated('float32', { terms: 100 }) gives 1.9e-5; 1e-5 has held on every CPU
 * variation tried). Callers with longer sums pass their own.
 */
function assertClose(t, enc, what = '', rtol = 1e-5, atol = 1e-6) {
  assert.deepEqual(t.shape, enc.shape, `${what}: shape`);
  assert.equal(t.dtype.name, enc.dtype, `${what}: dtype`);
  C.assertValues(values(t), enc.values.map(num), { rtol, atol, label: what });
}

/** The JS error class for a Python exception type, as torch-node maps them. */
function errorClass(pyType) {
  return { IndexError: RangeError, TypeError: TypeError }[pyType] ?? Error;
}

/** fn throws what PyTorch threw: the same message, the mapped class. */
function assertThrowsLike(fn, expected) {
  assert.throws(fn, (e) => {
    assert.equal(e.message, expected.message);
    assert.ok(e instanceof errorClass(expected.type), `expected a ${errorClass(expected.type).name} for Python's ${expected.type}, got ${e.constructor.name}`);
    return true;
  });
}

module.exports = { fixture, decode, decodeArg, values, assertExact, assertClose, assertThrowsLike, errorClass };
