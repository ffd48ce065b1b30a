// The random draws torch.utils.data makes, with PyTorch 1.13's CPU algorithms
// (at::mt19937, CPUGeneratorImpl::random/random64, randperm_cpu, random_,
// random_from_to) so that indices equal Python's for the same seed.
//
// Draws on the default generator and on a torch.Generator go through ATen (so
// every stream stays in step with Python's). The fresh generators the samplers
// and FakeData make for themselves, and generator-like objects that are not a
// torch.Generator, use Mt19937 below, the same algorithm in JS.
import { native } from '../../native';
import { op } from '../../tensor';
import { int64 } from '../../dtype';
import { Generator } from '../../generator';

const { call } = native;
const H = {
  empty: op('empty', 'memory_format'), random_: op('random_'),
  randperm: op('randperm'), randint: op('randint'),
  randperm_gen: op('randperm', 'generator'), randint_gen: op('randint', 'generator'),
};

/** The native generator to pass to ATen: null for the default one, a torch.Generator's handle; undefined: a JS stream. */
function nativeGenerator(g: unknown): unknown {
  if (g === null || g === undefined) return null;
  return g instanceof Generator ? g._h : undefined;
}
const I64 = int64.code;

const N = 624, M = 397;
const MAGIC = 1812433253;

/** at::mt19937: the standard MT19937 seeded with the low 32 bits of a uint64 seed. */
export class Mt19937 {
  private state = new Uint32Array(N);
  private left = 1;
  private next = 0;
  readonly seed: bigint;
  constructor(seed: bigint) {
    this.seed = BigInt.asUintN(64, seed);
    const s = this.state;
    s[0] = Number(this.seed & 0xffffffffn);
    for (let j = 1; j < N; j++) {
      const prev = s[j - 1] ^ (s[j - 1] >>> 30);
      s[j] = (Math.imul(MAGIC, prev) + j) >>> 0;
    }
    this.left = 1;
    this.next = 0;
  }
  private twist(): void {
    const s = this.state;
    const mix = (u: number, v: number) => (((u & 0x80000000) | (v & 0x7fffffff)) >>> 1) ^ ((v & 1) ? 0x9908b0df : 0);
    for (let j = 0; j < N - M; j++) s[j] = s[j + M] ^ mix(s[j], s[j + 1]);
    for (let j = N - M; j < N - 1; j++) s[j] = s[j + M - N] ^ mix(s[j], s[j + 1]);
    s[N - 1] = s[M - 1] ^ mix(s[N - 1], s[0]);
    this.left = N;
    this.next = 0;
  }
  /** CPUGeneratorImpl::random(): one 32-bit draw. */
  random(): number {
    if (--this.left <= 0) this.twist();
    let y = this.state[this.next++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    return (y ^ (y >>> 18)) >>> 0;
  }
  /** CPUGeneratorImpl::random64(): two draws, the first the high word. */
  random64(): bigint {
    const hi = this.random(), lo = this.random();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
}

/**
 * What `generator=` accepts until torch.Generator exists: an object with
 * `manual_seed(seed)` and `initial_seed()`. Its stream is kept here, keyed by
 * the object and restarted whenever its initial seed changes.
 */
export interface GeneratorLike {
  manual_seed(seed: number | bigint): unknown;
  initial_seed(): number | bigint;
}

const streams = new WeakMap<object, Mt19937>();

/** The MT19937 stream of a generator object (or the Mt19937 itself). */
export function streamOf(g: GeneratorLike | Mt19937): Mt19937 {
  if (g instanceof Mt19937) return g;
  if (g === null || typeof g !== 'object' || typeof g.initial_seed !== 'function') {
    throw new TypeError(`generator must be a torch.Generator (an object with manual_seed() and initial_seed()), not ${g === null ? 'None' : typeof g}`);
  }
  const seed = BigInt.asUintN(64, BigInt(g.initial_seed()));
  let s = streams.get(g);
  if (!s || s.seed !== seed) streams.set(g, (s = new Mt19937(seed)));
  return s;
}

/**
 * `torch.empty((), dtype=torch.int64).random_(generator=g).item()`: 63 random
 * bits, returned as a BigInt (it may exceed 2^53). `g` null: the default
 * generator, through ATen, so the global stream advances as Python's does.
 */
export function randomInt64(g: GeneratorLike | Mt19937 | null): bigint {
  const gen = nativeGenerator(g);
  if (gen !== undefined) {
    const t = call(H.empty, [], I64, null, null, null, null);
    try {
      call(H.random_, t, gen);
      return (native.todata(t) as BigInt64Array)[0]; // exact: item() would round past 2^53
    } finally { native.dispose(t); }
  }
  // uniform_int_distribution<int64_t>: random64() % (INT64_MAX + 1)
  return streamOf(g as GeneratorLike | Mt19937).random64() & 0x7fffffffffffffffn;
}

/** `torch.randperm(n, generator=g).tolist()`. */
export function randperm(n: number, g: GeneratorLike | Mt19937 | null): number[] {
  const gen = nativeGenerator(g);
  if (gen !== undefined) {
    const t = gen === null ? call(H.randperm, n, I64, null, null, null) : call(H.randperm_gen, n, gen, I64, null, null, null);
    try { return Array.from(native.todata(t) as BigInt64Array, Number); } finally { native.dispose(t); }
  }
  const mt = streamOf(g as GeneratorLike | Mt19937);
  const r = new Array<number>(n);
  for (let i = 0; i < n; i++) r[i] = i;
  if (n < 0xffffffff / 20) {
    // randperm_cpu for small n: Fisher-Yates with random() % (n - i)
    for (let i = 0; i < n - 1; i++) {
      const z = mt.random() % (n - i);
      const sav = r[i]; r[i] = r[z + i]; r[z + i] = sav;
    }
  } else {
    // the inside-out variant with random64()
    for (let i = 0; i < n; i++) {
      const z = Number(mt.random64() % BigInt(i + 1));
      r[i] = r[z]; r[z] = i;
    }
  }
  return r;
}

/** `torch.randint(high=high, size=(count,), dtype=torch.int64, generator=g).tolist()`. */
export function randint(high: number, count: number, g: GeneratorLike | Mt19937 | null): number[] {
  const gen = nativeGenerator(g);
  if (gen !== undefined) {
    const t = gen === null ? call(H.randint, high, [count], I64, null, null, null)
      : call(H.randint_gen, high, [count], gen, I64, null, null, null);
    try { return Array.from(native.todata(t) as BigInt64Array, Number); } finally { native.dispose(t); }
  }
  // random_from_to: 64-bit draws only for ranges of 2^32 and above
  const mt = streamOf(g as GeneratorLike | Mt19937);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    out[i] = high >= 2 ** 32 ? Number(mt.random64() % BigInt(high)) : mt.random() % high;
  }
  return out;
}

// ---- randn on a private generator (for torchvision's FakeData) -------------------------------
// normal_fill_AVX2 of PyTorch 1.13's CPU kernel (the path this project's LibTorch takes for a
// contiguous float32 tensor of 16 or more values): uniform floats, then Box-Muller on blocks of
// 16 with avx_mathfun's log256_ps and sincos256_ps, every step rounded to float, with the
// multiply-adds GCC fuses (-mfma) fused here (one rounding). Which ones it fuses is inferred, not
// known: against Python, 168 of 150,528 values (0.1%) still differ, by 1 ulp.
const f = Math.fround;
const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number) => { f32[0] = x; return u32[0]; };
const fromBits = (b: number) => { u32[0] = b >>> 0; return f32[0]; };

/** log256_ps for one lane (x > 0). */
function logf(x: number): number {
  x = Math.max(x, fromBits(0x00800000));
  let e = f(((bitsOf(x) >>> 23) - 0x7f) + 1);
  x = fromBits((bitsOf(x) & ~0x7f800000) | bitsOf(0.5));
  const lt = x < f(0.707106781186547524);
  const tmp = lt ? x : 0;
  x = f(x - 1);
  if (lt) e = f(e - 1);
  x = f(x + tmp);
  const z = f(x * x);
  let y = f(7.0376836292E-2);
  for (const p of [-1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1, -1.6668057665E-1,
    2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1]) y = f(y * x + f(p));
  y = f(y * x);
  y = f(y * z);
  y = f(e * f(-2.12194440e-4) + y);
  y = f(y - z * 0.5);
  x = f(x + y);
  return f(e * f(0.693359375) + x);
}

/** sincos256_ps for one lane: [sin, cos]. */
function sincosf(x: number): [number, number] {
  const signSin = x < 0 || Object.is(x, -0) ? 1 : 0;
  x = Math.abs(x);
  let y = f(x * f(1.27323954473516));
  let j = Math.trunc(y) | 0;
  j = (j + 1) & ~1;
  y = f(j);
  const swapSin = (j & 4) !== 0 ? 1 : 0;
  const polyMask = (j & 2) === 0;
  x = f(x + f(y * f(-0.78515625)));
  x = f(x + f(y * f(-2.4187564849853515625e-4)));
  x = f(x + f(y * f(-3.77489497744594108e-8)));
  const signCos = (~(j - 2) & 4) !== 0 ? 1 : 0;
  const sSign = signSin ^ swapSin;
  const z = f(x * x);
  let yc = f(2.443315711809948E-005);
  yc = f(f(yc * z) + f(-1.388731625493765E-003));
  yc = f(f(yc * z) + f(4.166664568298827E-002));
  yc = f(yc * z);
  yc = f(yc * z);
  yc = f(yc - z * 0.5);
  yc = f(yc + 1);
  let ys = f(-1.9515295891E-4);
  ys = f(ys * z + f(8.3321608736E-3));
  ys = f(ys * z + f(-1.6666654611E-1));
  ys = f(ys * z);
  ys = f(ys * x + x);
  const s = polyMask ? ys : yc, c = polyMask ? yc : ys;
  return [sSign ? -s : s, signCos ? -c : c];
}

/** uniform_real_distribution<float>(0, 1): 24 random bits. */
const uniformf = (mt: Mt19937) => f((mt.random() & 0xffffff) * 2 ** -24);

function normalFill16(d: Float32Array, o: number): void {
  const twoPi = f(2 * Math.PI);
  for (let j = 0; j < 8; j++) {
    const u1 = f(1 - d[o + j]), u2 = d[o + j + 8];
    const radius = f(Math.sqrt(f(-2 * logf(u1))));
    const [s, c] = sincosf(f(twoPi * u2));
    d[o + j] = f(radius * c);
    d[o + j + 8] = f(radius * s);
  }
}

/** `torch.randn(n)` (float32, n >= 16) drawn from `mt`: the values of PyTorch 1.13's AVX2 kernel. */
export function randn(n: number, mt: Mt19937): Float32Array {
  if (n < 16) throw new RangeError('randn on a private generator needs at least 16 values');
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = uniformf(mt);
  for (let i = 0; i < n - 15; i += 16) normalFill16(d, i);
  if (n % 16 !== 0) {
    for (let i = 0; i < 16; i++) d[n - 16 + i] = uniformf(mt);
    normalFill16(d, n - 16);
  }
  return d;
}

// ---- multinomial on a private generator (for WeightedRandomSampler) --------------------------

/** uniform_real_distribution<double>(0, 1): 53 random bits of random64(). */
const uniformd = (mt: Mt19937) => Number(mt.random64() & 0x1fffffffffffffn) * 2 ** -53;

/**
 * `torch.multinomial(weights (float64), n, replacement, generator=g).tolist()` as PyTorch 1.13's CPU
 * kernel computes it: with replacement (and n > 1) a binary search of one uniform double per
 * sample in the normalized cumulative distribution; otherwise the exponential trick,
 * topk(weights / Exp(1)) (argmax for n == 1).
 */
export function multinomial(weights: readonly number[], n: number, replacement: boolean, g: GeneratorLike | Mt19937): number[] {
  const mt = streamOf(g as GeneratorLike | Mt19937);
  const k = weights.length;
  if (!replacement || n === 1) {
    // exponential_(1): -1 / lambda * log(1 - u), one uniform double per category
    const q = weights.map((w) => w / (-1 / 1 * Math.log(1 - uniformd(mt))));
    const order = q.map((v, i) => i).sort((a, b) => q[b] - q[a] || a - b);
    return order.slice(0, n);
  }
  const cum = new Float64Array(k);
  let sum = 0;
  for (let j = 0; j < k; j++) { sum += weights[j]; cum[j] = sum; }
  if (sum > 0 || (sum < 1.00001 && sum > 0.99999)) for (let j = 0; j < k; j++) cum[j] /= sum;
  cum[k - 1] = 1;
  const out = new Array<number>(n);
  for (let s = 0; s < n; s++) {
    const u = uniformd(mt);
    let lo = 0, hi = k;
    while (hi - lo > 0) {
      const mid = lo + ((hi - lo) >> 1);
      if (cum[mid] < u) lo = mid + 1; else hi = mid;
    }
    out[s] = lo;
  }
  return out;
}
