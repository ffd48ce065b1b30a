'use strict';
// Shared by test/core-*.test.js: reads the fixtures written by
// scripts/gen-core-fixtures.py (real PyTorch 1.13) and compares torch-node's
// tensors with them. See the generator's docstring for the encoding.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const torch = require('torch-node');
const C = require('./support/close');

const { loadFixture } = require('./support/fixtures');

const TYPED = {
  float32: Float32Array, float64: Float64Array, float16: Float32Array, bfloat16: Float32Array,
  int8: Int8Array, int16: Int16Array, int32: Int32Array, int64: BigInt64Array, uint8: Uint8Array, bool: Uint8Array,
};

function decodeNum(v) {
  if (v === 'nan') return NaN;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  return v;
}

/** The expected values of an encoded tensor as the TypedArray that typed_array() returns for its dtype. */
function decodeData(enc) {
  const T = TYPED[enc.dtype];
  if (!T) throw new Error(`no TypedArray for dtype ${enc.dtype}`);
  if (enc.dtype === 'int64') return BigInt64Array.from(enc.data, (s) => BigInt(s));
  if (enc.dtype === 'bool') return Uint8Array.from(enc.data, (b) => (b ? 1 : 0));
  return T.from(enc.data, decodeNum);
}

/** A fresh, contiguous torch-node tensor holding an encoded tensor's values. */
function makeTensor(enc) {
  const data = decodeData(enc);
  let t = torch.tensor(data);
  if (enc.dtype === 'bool') t = t.to(torch.bool);
  else if (enc.dtype === 'float16' || enc.dtype === 'bfloat16') t = t.to(torch[enc.dtype]);
  return t.reshape(enc.shape);
}

/**
 * Per-dtype defaults for core op results: single ops on small tensors (the fixtures' reductions
 * and matmuls sum at most a few dozen terms), a few ulps: accumulated(dtype, { terms: 64 })
 * gives 1.5e-5 for float32. A case the generator marks `exact` (RNG draws, creation, copies,
 * integer results) is compared bit for bit; integer and bool dtypes always are.
 */
const DEFAULT_TOL = {
  float32: { rtol: 1e-5, atol: 1e-6 },
  float64: { rtol: 1e-10, atol: 1e-12 },
  float16: { rtol: 1e-3, atol: 1e-5 },
  bfloat16: { rtol: 1e-2, atol: 1e-5 },
};

/**
 * Asserts that `actual` (a torch-node Tensor) has the encoded tensor's dtype, shape and
 * values: floats within rtol/atol (or bit for bit with `exact`), nan where nan, others equal.
 */
function assertTensor(actual, enc, opts = {}) {
  const label = opts.label ? `${opts.label}: ` : '';
  assert.ok(actual instanceof torch.Tensor, `${label}expected a Tensor, got ${actual}`);
  assert.equal(actual.dtype.name, enc.dtype, `${label}dtype`);
  assert.deepEqual(actual.shape, enc.shape, `${label}shape`);
  const tol = DEFAULT_TOL[enc.dtype];
  C.assertValues(actual.typed_array(), decodeData(enc), {
    exact: Boolean(opts.exact || !tol), rtol: opts.rtol ?? tol?.rtol ?? 0, atol: opts.atol ?? tol?.atol ?? 0, label: opts.label ?? '', dtype: enc.dtype,
  });
}

/** Python's exception class -> the JS class torch-node throws. */
const ERROR_CLASS = { RuntimeError: Error, IndexError: RangeError, TypeError: TypeError, ValueError: RangeError };

/** Asserts that `fn` throws what PyTorch raised: the mapped class and the same message, without a C++ backtrace. */
function assertThrowsLike(fn, expected, label = '') {
  let thrown = null;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown, `${label}expected ${expected.type}: ${expected.message}`);
  assertErrorLike(thrown, expected, label);
  return thrown;
}

function assertErrorLike(err, expected, label = '') {
  const cls = ERROR_CLASS[expected.type] ?? Error;
  assert.ok(err instanceof Error, `${label}not an Error: ${err}`);
  assert.equal(err.constructor, cls, `${label}error class: got ${err.constructor.name} (${err.message}), expected ${cls.name} for Python's ${expected.type}`);
  assert.equal(err.message, expected.message, `${label}message`);
  assertNoBacktrace(err);
}

function assertNoBacktrace(err) {
  assert.ok(!/Exception raised from|frame #\d/.test(err.message), `the message carries a C++ backtrace: ${err.message}`);
}

/** An encoded argument as a JS value; tensors are created fresh, `onTensor(leaf)` sees each (before any view). */
function decodeArg(v, onTensor, sliceStyle = 'string') {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => decodeArg(x, onTensor, sliceStyle));
  if ('T' in v) {
    const leaf = makeTensor(v.T);
    const t = onTensor ? onTensor(leaf) : leaf;
    if (v.prep === 't') return t.t();
    if (v.prep) throw new Error(`unknown prep ${v.prep}`);
    return t;
  }
  if (typeof v.dtype === 'string' && Object.keys(v).length === 1) return torch[v.dtype];
  if ('num' in v) return decodeNum(v.num);
  if ('slice' in v) {
    if (sliceStyle === 'string') return v.slice;
    const [start, stop, step] = v.slice.split(':').map((s) => (s === undefined || s === '' ? null : Number(s)));
    return { start, stop, step: step ?? null };
  }
  const out = {};
  for (const [k, x] of Object.entries(v)) out[k] = decodeArg(x, onTensor, sliceStyle);
  return out;
}

/** Calls the op of a generic case the way a user would write it in JS. */
function invoke(c, self, args, kwargs) {
  const extra = kwargs && Object.keys(kwargs).length ? [kwargs] : [];
  switch (c.kind) {
    case 'method': {
      if (typeof self[c.op] !== 'function') throw new Error(`torch-node has no Tensor.${c.op}()`);
      return self[c.op](...args, ...extra);
    }
    case 'fn': {
      if (typeof torch[c.op] !== 'function') throw new Error(`torch-node has no torch.${c.op}()`);
      return torch[c.op](...args, ...extra);
    }
    case 'index': return self.index(...args);
    case 'index_put': return self.index_put_(args[0], args[1]);
    case 'index_put_accumulate': return self.index_put_(args[0], args[1], { accumulate: true });
    default: throw new Error(`unknown case kind ${c.kind}`);
  }
}

function asList(r) {
  if (Array.isArray(r)) return r;
  if (r instanceof torch.ValuesIndices) return [...r];
  return null;
}

function assertResult(actual, out, opts, label = 'result') {
  if (out.T) return assertTensor(actual, out.T, { ...opts, label });
  if (out.list) {
    const list = asList(actual);
    assert.ok(list, `${label}: expected a list/tuple, got ${actual}`);
    assert.equal(list.length, out.list.length, `${label}: length`);
    out.list.forEach((o, i) => assertResult(list[i], o, opts, `${label}[${i}]`));
    return undefined;
  }
  if ('scalar' in out) {
    const e = decodeNum(out.scalar);
    if (typeof e === 'number' && Number.isNaN(e)) assert.ok(Number.isNaN(actual), label);
    else assert.equal(actual, e, label);
    return undefined;
  }
  throw new Error(`unknown expected result ${JSON.stringify(out).slice(0, 80)}`);
}

function firstTensor(r) {
  if (r instanceof torch.Tensor) return r;
  const list = asList(r);
  return list ? firstTensor(list[0]) : null;
}

/**
 * Runs one generic case (kind/op/self/args/kwargs) and checks its result, that
 * in-place forms return the very same object, PyTorch's error where it raised
 * one, and the gradients of sum(result * weight) with respect to the float inputs.
 */
function runCase(c, opts = {}) {
  const wrt = new Set(c.grad ? c.grad.wrt : []);
  const leaves = [];
  let pos = 0;
  const onTensor = (t) => {
    if (wrt.has(pos)) { t.requires_grad_(true); leaves.push(t); }
    pos++;
    return t;
  };
  const self = c.self ? decodeArg(c.self, onTensor, opts.sliceStyle) : null;
  const args = decodeArg(c.args, onTensor, opts.sliceStyle);
  const kwargs = decodeArg(c.kwargs, onTensor, opts.sliceStyle);
  const tol = { exact: c.exact, rtol: c.rtol, atol: c.atol };
  if (c.out.error) {
    assertThrowsLike(() => invoke(c, self, args, kwargs), c.out.error);
    return;
  }
  const r = invoke(c, self, args, kwargs);
  if (c.inplace) {
    assert.ok(r === self, `${c.op} must return the same JS object (self)`);
  }
  assertResult(r, c.out, tol);
  if (c.grad) {
    const o = firstTensor(r);
    o.mul(makeTensor(c.grad.weight)).sum().backward();
    assert.equal(leaves.length, c.grad.grads.length, 'number of inputs that require grad');
    c.grad.grads.forEach((g, i) => {
      if (g === null) assert.equal(leaves[i].grad, null, `grad of input ${c.grad.wrt[i]} should be None`);
      else assertTensor(leaves[i].grad, g, { ...tol, label: `grad of input ${c.grad.wrt[i]}` });
    });
  }
}

module.exports = {
  torch, loadFixture, decodeData, decodeNum, makeTensor, assertTensor, assertThrowsLike, assertErrorLike,
  assertNoBacktrace, decodeArg, runCase, ERROR_CLASS,
};
