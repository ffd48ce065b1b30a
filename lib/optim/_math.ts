// pow and cos as Python computes them. CPython's `beta ** step` and
// `math.cos(x)` call the C library's pow() and cos(); V8's `**` and Math.cos
// are its own (fdlibm-derived) and differ from glibc's by one ULP in a few
// percent of cases (V8: 0.9 ** 4 === 0.6561000000000001; Python: 0.6561).
// Adam's bias correction and the cosine schedule carry that ULP into their
// results. So these two go through LibTorch kernels whose one-element path
// calls std::pow / std::cos, i.e. the same libm that Python uses:
//  - pow.Tensor_Tensor on float64 (pow.Tensor_Scalar would special-case
//    exponents 2 and 3 as x*x and x*x*x),
//  - polar(1, x), whose real part is 1 * std::cos(x).
// (Checked against /usr/bin/python3 on 482,400 cosines and 14,056 powers: all equal.)
import { native, Handle } from '../native';
import { op } from '../tensor';
import { float64 } from '../dtype';

const { call } = native;
const H = { full: op('full'), pow: op('pow', 'Tensor_Tensor'), polar: op('polar'), real: op('real'), item: op('item'), log: op('log') };

function scalar64(v: number): Handle { return call(H.full, [], v, float64.code, null, null, null); }

const powCache = new Map<string, number>();

/** `base ** exponent` as CPython computes it for floats (libm's pow). */
export function pow(base: number, exponent: number): number {
  if (exponent === 0 || base === 1) return 1; // as C's pow, even for NaN
  if (exponent === 1) return base;
  const key = `${base}:${exponent}`;
  const hit = powCache.get(key);
  if (hit !== undefined) return hit;
  const b = scalar64(base), e = scalar64(exponent);
  let r: Handle | null = null;
  try {
    r = call(H.pow, b, e) as Handle;
    const v = call(H.item, r) as number;
    if (powCache.size >= 256) powCache.clear();
    powCache.set(key, v);
    return v;
  } finally {
    native.dispose(b); native.dispose(e);
    if (r !== null) native.dispose(r);
  }
}

/** math.cos(x) as CPython computes it (libm's cos). */
export function cos(x: number): number {
  const one = scalar64(1), a = scalar64(x);
  const handles: Handle[] = [one, a];
  try {
    const c = call(H.polar, one, a) as Handle;
    handles.push(c);
    const re = call(H.real, c) as Handle;
    handles.push(re);
    return call(H.item, re) as number;
  } finally {
    for (const h of handles) native.dispose(h);
  }
}

/**
 * math.log(x) as CPython computes it (libm's log): a one-element float64 tensor's log takes
 * the kernel's scalar path, std::log. (Used by CosineAnnealingWarmRestarts, whose int(log(...))
 * would move by one at exact powers if the last bit differed.)
 */
export function log(x: number): number {
  const a = scalar64(x);
  let r: Handle | null = null;
  try {
    r = call(H.log, a) as Handle;
    return call(H.item, r) as number;
  } finally {
    native.dispose(a);
    if (r !== null) native.dispose(r);
  }
}
