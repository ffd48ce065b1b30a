'use strict';
// The one place that says how close a float result must be to PyTorch's. Every test that compares
// floats against a fixture or a live Python reference goes through here (core-helpers, nn-helpers,
// torchvision-helpers, optim and transforms tests are thin adapters over these functions).
//
// Two kinds of comparison, and which applies where:
//  - Bit-exact (`exact`): where PyTorch is deterministic across x86-64 CPUs and thread counts: RNG
//    streams and init after manual_seed, elementwise ops (one correctly rounded IEEE operation per
//    element, or the same vectorised libm everywhere), integer ops, shapes, copies and
//    (de)serialisation, printing of exactly representable values. Comparing those with a tolerance
//    would hide a wrong seed or a lost bit.
//  - Close: wherever a kernel adds many terms in an order chosen by the CPU: reductions, matmul and
//    convolution (OpenBLAS picks its kernels by core type, oneDNN by ISA, ATen's reductions vectorise
//    by ATEN_CPU_CAPABILITY and split by thread count), everything downstream of them (losses,
//    gradients, optimizer steps, deep nets). Two correct results then differ by a few ulps per
//    term, so the tolerance follows the accumulated error instead of the CPU the fixture came from.
//
// The scale: summing n terms in a different order moves the result by about sqrt(n) (at worst n)
// rounding errors of the terms' magnitude; each layer of a net adds its own and passes the previous
// ones on. accumulated() turns that into torch.allclose's (rtol, atol) with a safety factor; every
// caller says in a comment which n and depth it uses and why that is still tight enough to fail on
// a real bug (a wrong op or argument moves results by far more than 1e-4 relative).
const assert = require('node:assert/strict');
const fs = require('node:fs');

/**
 * Which family of ATen's CPU kernels runs. 'vectorised': the AVX2 or AVX-512 builds of ATen's
 * kernels, which every CPU this suite targets runs (x86-64 with AVX2 and FMA: Intel since Haswell,
 * AMD since Zen, AVX-512 and AMX parts); the bit-exact checks hold there (measured: OpenBLAS
 * Haswell/Sandybridge/native cores, ATEN_CPU_CAPABILITY avx2/avx512, 1 and 2 threads).
 * 'default': ATEN_CPU_CAPABILITY=default, or a CPU without AVX2/FMA. Those kernels draw random
 * numbers and evaluate elementwise formulas with libm and without FMA (randn's Box-Muller,
 * uniform_'s scaling, lerp/addcmul in optimizers, linspace): PyTorch itself then gives other
 * last bits (Python under ATEN_CPU_CAPABILITY=default agrees with torch-node, not with the fixtures).
 */
function atenKernels() {
  const cap = (process.env.ATEN_CPU_CAPABILITY || '').toLowerCase();
  if (cap === 'default') return 'default';
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'vectorised';
  try {
    const flags = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m) || [])[1] || '';
    const has = (f) => new RegExp(`\\b${f}\\b`).test(flags);
    return has('avx2') && has('fma') ? 'vectorised' : 'default';
  } catch {
    return 'vectorised';
  }
}
const KERNELS = atenKernels();
/** True under ATen's default (pre-AVX2) kernels: see atenKernels(). */
const DEFAULT_KERNELS = KERNELS === 'default';

/** Unit roundoff (the spacing of numbers just above 1) per floating dtype. */
const EPS = { float64: 2 ** -52, float32: 2 ** -23, float16: 2 ** -10, bfloat16: 2 ** -7 };

/** torch.testing.assert_close's defaults per dtype (PyTorch 1.13): one op, a few ulps. */
const ASSERT_CLOSE = {
  float64: { rtol: 1e-7, atol: 1e-7 },
  float32: { rtol: 1.3e-6, atol: 1e-5 },
  float16: { rtol: 1e-3, atol: 1e-5 },
  bfloat16: { rtol: 1.6e-2, atol: 1e-5 },
};

/**
 * A tolerance for results that accumulate rounding: `terms` summed per value (a reduction, a dot
 * product, a conv window), through `depth` such stages (layers, optimizer steps). relative error
 * = factor * eps * sqrt(terms) * depth, never below assert_close's default for the dtype; `scale`
 * (the magnitude of the values that were summed, e.g. max |ref|) turns it into an absolute floor,
 * since a sum that cancels keeps the absolute error of its terms, not a relative one.
 * factor 16: measured differences between CPUs/thread counts stay under 2-4 eps*sqrt(n) per stage;
 * 16 leaves room for CPUs not measured here (AVX-512, AMX, other OpenBLAS cores).
 */
function accumulated(dtype, { terms = 1, depth = 1, scale = 0, factor = 16 } = {}) {
  const eps = EPS[dtype];
  if (eps === undefined) throw new Error(`accumulated(): no float dtype ${dtype}`);
  const d = ASSERT_CLOSE[dtype];
  const r = factor * eps * Math.sqrt(terms) * depth;
  return { rtol: Math.max(d.rtol, r), atol: Math.max(d.atol * (scale ? 0 : 1), r * scale) };
}

/** torch.allclose for one pair of numbers: nan matches nan, an infinity only itself. */
function isClose(a, e, rtol, atol) {
  if (Number.isNaN(e)) return Number.isNaN(a);
  if (!Number.isFinite(e)) return a === e;
  return Math.abs(a - e) <= atol + rtol * Math.abs(e);
}

/** Bit-identical, except that 0 equals -0 where `signedZero` is false (the default). */
function isSame(a, e, signedZero = false) {
  if (typeof a === 'bigint' || typeof e === 'bigint') return a === e;
  if (Object.is(a, e)) return true;
  return !signedZero && a === 0 && e === 0;
}

/**
 * Asserts got[i] ~ want[i] for every i: bit-identical with { exact: true }, else within
 * atol + rtol * |want[i]|. Reports up to five differing elements with the tolerance used.
 * `dtype` (the tensor's) matters only under ATen's default kernels: there a float `exact` check
 * becomes "within 64 ulps of the tensor's largest magnitude" (the measured differences of those
 * kernels' random draws and elementwise formulas are under 4; a wrong seed, op or argument still
 * moves values by orders more), unless `everywhere: true` says the bits are the same on every
 * kernel family (copies, decoding, integer-valued results).
 */
function assertValues(got, want, { exact = false, rtol = 0, atol = 0, label = '', who = 'PyTorch', signedZero = false, dtype = null, everywhere = false } = {}) {
  const pre = label ? `${label}: ` : '';
  assert.equal(got.length, want.length, `${pre}number of values`);
  const eps = EPS[dtype ?? (want instanceof Float64Array ? 'float64' : want instanceof Float32Array ? 'float32' : '')];
  if (exact && !everywhere && DEFAULT_KERNELS && eps !== undefined) {
    exact = false;
    rtol = 64 * eps;
    atol = 64 * eps * maxAbs(want);
  }
  const bad = [];
  let count = 0;
  for (let i = 0; i < want.length; i++) {
    const a = got[i], e = want[i];
    const ok = exact || typeof e === 'bigint' ? isSame(a, e, signedZero) : isClose(Number(a), e, rtol, atol);
    if (!ok) {
      count++;
      if (bad.length < 5) bad.push(`[${i}] got ${a}, ${who} has ${e}`);
    }
  }
  if (count) {
    assert.fail(`${pre}${count} of ${want.length} value(s) differ (${exact ? 'exact' : `rtol ${rtol.toExponential(2)}, atol ${atol.toExponential(2)}`}${DEFAULT_KERNELS ? ', ATen default kernels' : ''}):\n  ${bad.join('\n  ')}`);
  }
}

/** One number within atol + rtol * |want|. */
function assertNumber(got, want, { rtol = 0, atol = 0, label = '', who = 'PyTorch' } = {}) {
  assert.ok(isClose(got, want, rtol, atol),
    `${label ? `${label}: ` : ''}got ${got}, ${who} has ${want} (rtol ${rtol.toExponential(2)}, atol ${atol.toExponential(2)})`);
}

/** Largest |x| of a list of numbers (the scale a sum's absolute error follows). */
function maxAbs(values) {
  let m = 0;
  for (const v of values) { const x = Math.abs(Number(v)); if (x > m && x !== Infinity) m = x; }
  return m;
}

/**
 * A summary of n values (sum, sum of squares, in float64) against a reference's, when every value
 * may be off by dx_i <= atol + rtol*|x_i|. With L1 = sum|x| <= sqrt(n*sumsq) (Cauchy-Schwarz):
 * |d sum| <= n*atol + rtol*L1 and |d sumsq| <= 2*sum|x||dx| + sum dx^2
 * <= 2*(atol*L1 + rtol*sumsq) + n*atol^2 + 2*atol*rtol*L1 + rtol^2*sumsq.
 * Derived, not chosen: exactly as tight as the element tolerance.
 */
function assertSummary(got, ref, { rtol, atol, label = '', who = 'PyTorch' }) {
  const n = got.length;
  let s = 0, s2 = 0;
  for (const v of got) { const x = Number(v); s += x; s2 += x * x; }
  const l1 = Math.sqrt(n * ref.sumsq);
  assertNumber(s, ref.sum, { atol: n * atol + rtol * l1, label: `${label} sum`, who });
  const dsq = 2 * (atol * l1 + rtol * ref.sumsq) + n * atol * atol + 2 * atol * rtol * l1 + rtol * rtol * ref.sumsq;
  assertNumber(s2, ref.sumsq, { atol: dsq, label: `${label} sum of squares`, who });
}

module.exports = { KERNELS, DEFAULT_KERNELS, EPS, ASSERT_CLOSE, accumulated, isClose, isSame, assertValues, assertNumber, maxAbs, assertSummary };
