// torch.utils.data.sampler and distributed.DistributedSampler (PyTorch 1.13).
// Samplers are lazy generators, as Python's: RandomSampler draws its seed
// when iteration starts, not when `iter()` is called, which is what keeps the
// DataLoader's draws in Python's order.
import { native } from '../../native';
import { op } from '../../tensor';
import { float64 } from '../../dtype';
import { bind, REQUIRED, Rest, py } from '../../nn/common';
import { GeneratorLike, Mt19937, multinomial, randint, randomInt64, randperm } from './_random';
import { len } from './dataset';
import * as dist from '../../distributed';
import { expect } from '../../guard';

const { call } = native;
const H = { multinomial: op('multinomial') };

export class Sampler<T = number> {
  constructor(_data_source?: unknown) { /* Python's signature; the base keeps nothing */ }
  [Symbol.iterator](): Iterator<T> { throw new Error('Subclasses of Sampler should implement __iter__.'); }
}

const positiveInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;

export class SequentialSampler extends Sampler<number> {
  constructor(readonly data_source: unknown) { super(); }
  *[Symbol.iterator](): Iterator<number> {
    const n = len(this.data_source);
    for (let i = 0; i < n; i++) yield i;
  }
  __len__(): number { return len(this.data_source); }
}

export class RandomSampler extends Sampler<number> {
  readonly data_source: unknown;
  readonly replacement: boolean;
  generator: GeneratorLike | null;
  private readonly _num_samples: number | null;
  constructor(data_source: unknown, ...args: Rest<[replacement: boolean, num_samples: number | null, generator: GeneratorLike | null],
    { replacement?: boolean; num_samples?: number | null; generator?: GeneratorLike | null }>) {
    super();
    const a = bind<{ data_source: unknown; replacement: boolean; num_samples: number | null; generator: GeneratorLike | null }>(
      'RandomSampler', [data_source, ...args], { data_source: REQUIRED, replacement: false, num_samples: null, generator: null });
    this.data_source = a.data_source;
    this.replacement = a.replacement;
    this._num_samples = a.num_samples;
    this.generator = a.generator;
    if (typeof this.replacement !== 'boolean') throw new TypeError(`replacement should be a boolean value, but got replacement=${py(this.replacement)}`);
    if (!positiveInt(this.num_samples)) throw new RangeError(`num_samples should be a positive integer value, but got num_samples=${py(this.num_samples)}`);
  }
  get num_samples(): number { return this._num_samples ?? len(this.data_source); }
  *[Symbol.iterator](): Iterator<number> {
    const n = len(this.data_source);
    // Without a generator, a fresh one seeded from the global stream (one draw), as Python.
    const g = this.generator ?? new Mt19937(randomInt64(null));
    const num = this.num_samples;
    if (this.replacement) {
      for (let i = 0; i < Math.floor(num / 32); i++) yield* randint(n, 32, g);
      yield* randint(n, num % 32, g);
    } else {
      for (let i = 0; i < Math.floor(num / n); i++) yield* randperm(n, g);
      yield* randperm(n, g).slice(0, num % n);
    }
  }
  __len__(): number { return this.num_samples; }
}

export class SubsetRandomSampler extends Sampler<number> {
  readonly indices: number[];
  generator: GeneratorLike | null;
  constructor(indices: readonly number[], ...args: Rest<[generator: GeneratorLike | null], { generator?: GeneratorLike | null }>) {
    super();
    const a = bind<{ indices: number[]; generator: GeneratorLike | null }>('SubsetRandomSampler', [indices, ...args], { indices: REQUIRED, generator: null });
    this.indices = [...expect.iterable<number>('SubsetRandomSampler', 'indices', a.indices, 0)];
    this.generator = a.generator;
  }
  *[Symbol.iterator](): Iterator<number> {
    for (const i of randperm(this.indices.length, this.generator)) yield this.indices[i];
  }
  __len__(): number { return this.indices.length; }
}

export class WeightedRandomSampler extends Sampler<number> {
  readonly weights: number[];
  readonly num_samples: number;
  readonly replacement: boolean;
  generator: GeneratorLike | null;
  constructor(weights: ArrayLike<number>, num_samples: number, ...args: Rest<[replacement: boolean, generator: GeneratorLike | null],
    { replacement?: boolean; generator?: GeneratorLike | null }>) {
    super();
    const a = bind<{ weights: ArrayLike<number>; num_samples: number; replacement: boolean; generator: GeneratorLike | null }>(
      'WeightedRandomSampler', [weights, num_samples, ...args], { weights: REQUIRED, num_samples: REQUIRED, replacement: true, generator: null });
    if (!positiveInt(a.num_samples)) throw new RangeError(`num_samples should be a positive integer value, but got num_samples=${py(a.num_samples)}`);
    if (typeof a.replacement !== 'boolean') throw new RangeError(`replacement should be a boolean value, but got replacement=${py(a.replacement)}`);
    const w = Array.from(a.weights as ArrayLike<unknown>);
    if (w.some((x) => typeof x !== 'number')) throw new RangeError('weights should be a 1d sequence of numbers');
    this.weights = w as number[];
    this.num_samples = a.num_samples;
    this.replacement = a.replacement;
    this.generator = a.generator;
  }
  *[Symbol.iterator](): Iterator<number> {
    if (this.generator !== null) { yield* multinomial(this.weights, this.num_samples, this.replacement, this.generator); return; }
    const w = native.fromdata(Float64Array.from(this.weights), [this.weights.length], float64.code);
    let r;
    try { r = call(H.multinomial, w, this.num_samples, this.replacement, null); } finally { native.dispose(w); }
    try { yield* Array.from(native.todata(r) as BigInt64Array, Number); } finally { native.dispose(r); }
  }
  __len__(): number { return this.num_samples; }
}

export class BatchSampler extends Sampler<number[]> {
  readonly sampler!: Iterable<number>;
  readonly batch_size!: number;
  readonly drop_last!: boolean;
  constructor(sampler: Iterable<number>, batch_size: number, drop_last: boolean) {
    super();
    const a = bind<{ sampler: Iterable<number>; batch_size: number; drop_last: boolean }>('BatchSampler', [sampler, batch_size, drop_last],
      { sampler: REQUIRED, batch_size: REQUIRED, drop_last: REQUIRED });
    if (!positiveInt(a.batch_size)) throw new RangeError(`batch_size should be a positive integer value, but got batch_size=${py(a.batch_size)}`);
    if (typeof a.drop_last !== 'boolean') throw new RangeError(`drop_last should be a boolean value, but got drop_last=${py(a.drop_last)}`);
    Object.assign(this, a);
  }
  *[Symbol.iterator](): Iterator<number[]> {
    let batch: number[] = [];
    for (const idx of this.sampler) {
      batch.push(idx);
      if (batch.length === this.batch_size) { yield batch; batch = []; }
    }
    if (batch.length > 0 && !this.drop_last) yield batch;
  }
  __len__(): number {
    const n = len(this.sampler);
    return this.drop_last ? Math.floor(n / this.batch_size) : Math.ceil(n / this.batch_size);
  }
}

/** torch.utils.data.distributed.DistributedSampler: num_replicas and rank default to the default process group's. */
export class DistributedSampler extends Sampler<number> {
  readonly dataset!: unknown;
  readonly num_replicas!: number;
  readonly rank!: number;
  readonly shuffle!: boolean;
  readonly seed!: number;
  readonly drop_last!: boolean;
  readonly num_samples: number;
  readonly total_size: number;
  epoch = 0;
  constructor(dataset: unknown, ...args: Rest<[num_replicas: number | null, rank: number | null, shuffle: boolean, seed: number, drop_last: boolean],
    { num_replicas?: number | null; rank?: number | null; shuffle?: boolean; seed?: number; drop_last?: boolean }>) {
    super();
    const a = bind<{ dataset: unknown; num_replicas: number | null; rank: number | null; shuffle: boolean; seed: number; drop_last: boolean }>(
      'DistributedSampler', [dataset, ...args], { dataset: REQUIRED, num_replicas: null, rank: null, shuffle: true, seed: 0, drop_last: false });
    // As Python: the default process group's size and rank when not given.
    if ((a.num_replicas === null || a.rank === null) && !dist.is_available()) throw new Error('Requires distributed package to be available');
    if (a.num_replicas === null) a.num_replicas = dist.get_world_size();
    if (a.rank === null) a.rank = dist.get_rank();
    if (a.rank >= a.num_replicas || a.rank < 0) throw new RangeError(`Invalid rank ${a.rank}, rank should be in the interval [0, ${a.num_replicas - 1}]`);
    Object.assign(this, a);
    const n = len(a.dataset);
    this.num_samples = a.drop_last && n % a.num_replicas !== 0
      ? Math.ceil((n - a.num_replicas) / a.num_replicas) : Math.ceil(n / a.num_replicas);
    this.total_size = this.num_samples * a.num_replicas;
  }
  *[Symbol.iterator](): Iterator<number> {
    const n = len(this.dataset);
    let indices: number[];
    if (this.shuffle) indices = randperm(n, new Mt19937(BigInt(this.seed + this.epoch)));
    else indices = Array.from({ length: n }, (_, i) => i);
    if (!this.drop_last) {
      const padding = this.total_size - indices.length;
      if (padding <= indices.length) indices = indices.concat(indices.slice(0, padding));
      else {
        const reps = Math.ceil(padding / indices.length);
        indices = indices.concat(Array.from({ length: reps }, () => indices).flat().slice(0, padding));
      }
    } else indices = indices.slice(0, this.total_size);
    for (let i = this.rank; i < this.total_size; i += this.num_replicas) yield indices[i];
  }
  __len__(): number { return this.num_samples; }
  /** Sets the epoch: with shuffle, each epoch then has its own order (seed + epoch). */
  set_epoch(epoch: number): void { this.epoch = epoch; }
}
