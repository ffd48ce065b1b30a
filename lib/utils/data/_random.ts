// The random draws torch.utils.data makes, with PyTorch 1.13's CPU algorithms
// (at::mt19937, CPUGeneratorImpl::random/random64, randperm_cpu, random_,
// random_from_to) so that indices equal Python's for the same seed.
//
// Why in JS: the addon has no torch.Generator yet (dispatch.cpp rejects an
// explicit generator), but RandomSampler, DistributedSampler and a seeded
// DataLoader each need a generator of their own. Draws on the *default*
// generator go through ATen (so the global stream stays in step with Python's);
// draws on a private generator use Mt19937 below. Once torch.Generator lands,
// `streamOf` returns its native handle and these ops become native calls.
import { native } from '../../native';
import { op } from '../../tensor';
import { int64 } from '../../dtype';

const { call } = native;
const H = {
  empty: op('empty', 'memory_format'), random_: op('random_'), 
  randperm: op('randperm'), randint: op('randint'),
};
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
  if (g === null || g === undefined) {
    const t = call(H.empty, [], I64, null, null, null, null);
    try {
      call(H.random_, t, null);
      return (native.todata(t) as BigInt64Array)[0]; // exact: item() would round past 2^53
    } finally { native.dispose(t); }
  }
  // uniform_int_distribution<int64_t>: random64() % (INT64_MAX + 1)
  return streamOf(g).random64() & 0x7fffffffffffffffn;
}

/** `torch.randperm(n, generator=g).tolist()`. */
export function randperm(n: number, g: GeneratorLike | Mt19937 | null): number[] {
  if (g === null || g === undefined) {
    const t = call(H.randperm, n, I64, null, null, null);
    try { return Array.from(native.todata(t) as BigInt64Array, Number); } finally { native.dispose(t); }
  }
  const mt = streamOf(g);
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
  if (g === null || g === undefined) {
    const t = call(H.randint, high, [count], I64, null, null, null);
    try { return Array.from(native.todata(t) as BigInt64Array, Number); } finally { native.dispose(t); }
  }
  // random_from_to: 64-bit draws only for ranges of 2^32 and above
  const mt = streamOf(g);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    out[i] = high >= 2 ** 32 ? Number(mt.random64() % BigInt(high)) : mt.random() % high;
  }
  return out;
}
