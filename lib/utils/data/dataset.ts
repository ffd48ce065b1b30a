// torch.utils.data.dataset (PyTorch 1.13): map-style and iterable datasets,
// their compositions and random_split.
//
// The Python protocol is kept as it is: a map-style dataset has
// `__getitem__(index)` and `__len__()`, an iterable one `[Symbol.iterator]()`
// (Python's `__iter__`). A plain JS array is a dataset too, as a list is in
// Python. How a dataset reaches a worker thread: _transport.ts.
import { native } from '../../native';
import { Tensor, op } from '../../tensor';
import { warn } from '../../warnings';
import { bind, REQUIRED, Rest } from '../../nn/common';
import { GeneratorLike, randperm } from './_random';
import { expect } from '../../guard';

const { call } = native;
const SELECT = op('select', 'int');

/** Anything PyTorch accepts as a map-style dataset. */
export type MapDataset<T = unknown> = Dataset<T> | ArrayLike<T>;

export class Dataset<T = unknown> {
  __getitem__(_index: number): T {
    throw new Error(`Subclasses of Dataset should implement __getitem__.`);
  }
  /** Python's `dataset + other`: ConcatDataset([this, other]). */
  add(other: Dataset<T>): Dataset<T> { return new ConcatDataset<T>([this, other]); }
}

export class IterableDataset<T = unknown> extends Dataset<T> {
  [Symbol.iterator](): Iterator<T> {
    throw new Error('Subclasses of IterableDataset should implement __iter__.');
  }
  /** Python's `iterable + other`: ChainDataset([this, other]). */
  add(other: Dataset<T>): Dataset<T> { return new ChainDataset<T>([this, other as IterableDataset<T>]); }
}

/** Python's len() of a dataset or sampler. */
export function len(x: unknown): number {
  if (x instanceof Tensor) {
    if (x.dim() === 0) throw new TypeError('len() of a 0-d tensor');
    return x.shape[0];
  }
  const o = x as { __len__?: () => number; length?: number };
  if (o !== null && typeof o === 'object' && typeof o.__len__ === 'function') return o.__len__();
  if (o !== null && (typeof o === 'object' || typeof o === 'string') && typeof o.length === 'number') return o.length;
  throw new TypeError(`object of type '${o?.constructor?.name ?? typeof o}' has no len()`);
}

/** Python's `dataset[index]` for a Dataset or an array. */
export function getitem<T>(d: MapDataset<T>, index: number): T {
  if (d instanceof Dataset) return d.__getitem__(index);
  if (d instanceof Tensor) return d.select(0, index) as unknown as T; // Python's tensor[i]
  if (index < 0) index += d.length;
  if (!(index >= 0 && index < d.length)) throw new RangeError('list index out of range');
  return d[index];
}

export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: Tensor[];
  constructor(...tensors: Tensor[]) {
    super();
    if (!tensors.length || !tensors.every((t) => t instanceof Tensor)) throw new TypeError('TensorDataset(): expected tensors');
    const n = tensors[0].shape[0];
    if (!tensors.every((t) => t.shape[0] === n)) throw new Error('Size mismatch between tensors');
    this.tensors = tensors;
  }
  __getitem__(index: number): Tensor[] {
    return this.tensors.map((t) => new Tensor(call(SELECT, t._h, 0, index)));
  }
  __len__(): number { return this.tensors[0].shape[0]; }
}

export class ConcatDataset<T = unknown> extends Dataset<T> {
  readonly datasets: MapDataset<T>[];
  readonly cumulative_sizes: number[];
  static cumsum(sequence: Iterable<unknown>): number[] {
    const r: number[] = [];
    let s = 0;
    for (const e of sequence) { s += len(e); r.push(s); }
    return r;
  }
  constructor(datasets: Iterable<MapDataset<T>>) {
    super();
    this.datasets = [...expect.iterable<MapDataset<T>>('ConcatDataset', 'datasets', datasets, 0)];
    if (!this.datasets.length) throw new Error('datasets should not be an empty iterable');
    for (const d of this.datasets) {
      if (d instanceof IterableDataset) throw new Error('ConcatDataset does not support IterableDataset');
    }
    this.cumulative_sizes = ConcatDataset.cumsum(this.datasets);
  }
  __len__(): number { return this.cumulative_sizes[this.cumulative_sizes.length - 1]; }
  __getitem__(idx: number): T {
    if (idx < 0) {
      if (-idx > this.__len__()) throw new RangeError('absolute value of index should not exceed dataset length');
      idx = this.__len__() + idx;
    }
    // bisect_right
    let lo = 0, hi = this.cumulative_sizes.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (idx < this.cumulative_sizes[mid]) hi = mid; else lo = mid + 1; }
    const sample = lo === 0 ? idx : idx - this.cumulative_sizes[lo - 1];
    if (lo >= this.datasets.length) throw new RangeError('list index out of range');
    return getitem(this.datasets[lo], sample);
  }
}

export class ChainDataset<T = unknown> extends IterableDataset<T> {
  readonly datasets: Iterable<T>[];
  constructor(datasets: Iterable<Iterable<T>>) { super(); this.datasets = [...expect.iterable<Iterable<T>>('ChainDataset', 'datasets', datasets, 0)]; }
  *[Symbol.iterator](): Iterator<T> {
    for (const d of this.datasets) {
      if (!(d instanceof IterableDataset)) throw new Error('ChainDataset only supports IterableDataset');
      yield* d as Iterable<T>;
    }
  }
  __len__(): number {
    let total = 0;
    for (const d of this.datasets) {
      if (!(d instanceof IterableDataset)) throw new Error('ChainDataset only supports IterableDataset');
      total += len(d);
    }
    return total;
  }
}

export class Subset<T = unknown> extends Dataset<T> {
  constructor(readonly dataset: MapDataset<T>, readonly indices: number[]) { super(); expect.iterable('Subset', 'indices', indices, 1); }
  __getitem__(idx: number): T {
    // a list of indices in Python gives a list of samples
    if (Array.isArray(idx)) return (idx as number[]).map((i) => getitem(this.dataset, this.indices[i])) as unknown as T;
    if (idx < 0) idx += this.indices.length;
    if (!(idx >= 0 && idx < this.indices.length)) throw new RangeError('list index out of range');
    return getitem(this.dataset, this.indices[idx]);
  }
  __len__(): number { return this.indices.length; }
}

/** Python's math.isclose with its defaults (rel_tol=1e-9). */
const isclose = (a: number, b: number) => a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

/**
 * random_split(dataset, lengths, generator=default_generator): lengths or
 * fractions; the permutation is `randperm(sum(lengths), generator=generator)`
 * (the global generator when none is given, as in Python).
 */
export function random_split<T>(dataset: MapDataset<T>, lengths: readonly number[],
  ...args: Rest<[generator: GeneratorLike | null], { generator?: GeneratorLike | null }>): Subset<T>[] {
  const a = bind<{ dataset: MapDataset<T>; lengths: number[]; generator: GeneratorLike | null }>('random_split', [dataset, lengths, ...args],
    { dataset: REQUIRED, lengths: REQUIRED, generator: null });
  let sizes = [...a.lengths];
  const n = len(a.dataset);
  const total = sizes.reduce((s, x) => s + x, 0);
  if (isclose(total, 1) && total <= 1) {
    const sub = sizes.map((frac, i) => {
      if (frac < 0 || frac > 1) throw new RangeError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * frac);
    });
    const remainder = n - sub.reduce((s, x) => s + x, 0);
    for (let i = 0; i < remainder; i++) sub[i % sub.length] += 1;
    sizes = sub;
    sizes.forEach((l, i) => {
      if (l === 0) warn(`Length of split at index ${i} is 0. This might result in an empty dataset.`);
    });
  }
  if (sizes.reduce((s, x) => s + x, 0) !== n) throw new RangeError('Sum of input lengths does not equal the length of the input dataset!');
  const indices = randperm(n, a.generator);
  const out: Subset<T>[] = [];
  let offset = 0;
  for (const l of sizes) { out.push(new Subset(a.dataset, indices.slice(offset, offset + l))); offset += l; }
  return out;
}
