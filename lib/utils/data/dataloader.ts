// torch.utils.data.DataLoader (PyTorch 1.13, torch/utils/data/dataloader.py):
// the same options, the same checks, the same sampler wiring and the same
// random draws in the same order (the iterator's base seed, then the
// sampler's), so a seeded loop visits Python's indices and leaves the global
// generator where Python leaves it.
//
// Workers are worker_threads (not processes): each re-creates the dataset
// from a copy sent at start (see _transport.ts), fetches and collates, and
// transfers the batch's tensor buffers back. The loader stays a synchronous
// iterator, as in Python (`for (const [x, y] of loader)`): the main thread
// waits with Atomics.wait on a counter the workers bump after each reply and
// reads the replies with receiveMessageOnPort, keeping Python's reordering
// (batches come back in sampler order) and its prefetching
// (prefetch_factor * num_workers requests in flight).
import * as os from 'node:os';
import * as path from 'node:path';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { bind, REQUIRED, Rest, py } from '../../nn/common';
import { GeneratorLike, randomInt64 } from './_random';
import { IterableDataset, MapDataset, len } from './dataset';
import { END, Fetcher } from './_fetch';
import { BatchSampler, RandomSampler, Sampler, SequentialSampler } from './sampler';
import { default_collate, default_convert } from './collate';
import { decode, encode } from './_transport';
import { warn } from '../../warnings';

const WORKER = path.join(__dirname, '_worker.js');

/** Python's _InfiniteConstantSampler: the "indices" of an iterable dataset. */
class _InfiniteConstantSampler extends Sampler<null> {
  *[Symbol.iterator](): Iterator<null> { for (;;) yield null; }
}

export interface DataLoaderOptions {
  batch_size: number | null;
  shuffle: boolean | null;
  sampler: Iterable<unknown> | null;
  batch_sampler: Iterable<unknown[]> | null;
  num_workers: number;
  collate_fn: ((batch: any) => any) | null; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Accepted for Python's signature: pinned memory is a CUDA matter (false on CPU, as Python without CUDA). */
  pin_memory: boolean;
  drop_last: boolean;
  /** Seconds to wait for a batch from the workers (0: forever). */
  timeout: number;
  /** Runs in each worker with its id; must be able to cross to the worker (see _transport.ts). */
  worker_init_fn: ((worker_id: number) => void) | null;
  /** Accepted for Python's signature; workers are always threads. */
  multiprocessing_context: unknown;
  generator: GeneratorLike | null;
  prefetch_factor: number;
  persistent_workers: boolean;
  pin_memory_device: string;
  /**
   * Not in Python (which finds a class by its module when pickling): modules
   * (absolute paths) whose exported classes may be re-created in workers from
   * their properties: your dataset's module, e.g. `[__filename]`.
   */
  worker_modules: string[];
}

const DEFAULTS = {
  dataset: REQUIRED as typeof REQUIRED, batch_size: 1, shuffle: null, sampler: null, batch_sampler: null, num_workers: 0, collate_fn: null,
  pin_memory: false, drop_last: false, timeout: 0, worker_init_fn: null, multiprocessing_context: null, generator: null,
  prefetch_factor: 2, persistent_workers: false, pin_memory_device: '', worker_modules: [] as string[],
};

export class DataLoader<T = any> implements Iterable<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly dataset: MapDataset | IterableDataset;
  readonly batch_size: number | null;
  readonly drop_last: boolean;
  readonly sampler: Iterable<unknown>;
  readonly batch_sampler: Iterable<unknown[]> | null;
  readonly num_workers: number;
  readonly collate_fn: (batch: unknown) => unknown;
  readonly pin_memory: boolean;
  readonly timeout: number;
  readonly worker_init_fn: ((worker_id: number) => void) | null;
  readonly generator: GeneratorLike | null;
  readonly prefetch_factor: number;
  readonly persistent_workers: boolean;
  readonly worker_modules: string[];
  /** @internal */ readonly _iterable: boolean;
  private _iterator: _MultiProcessingDataLoaderIter<T> | null = null;

  constructor(dataset: MapDataset | IterableDataset,
    ...args: Rest<[batch_size: number | null, shuffle: boolean | null], Partial<DataLoaderOptions>>) {
    const a = bind<DataLoaderOptions & { dataset: MapDataset | IterableDataset }>('DataLoader', [dataset, ...args], DEFAULTS);
    const { num_workers, timeout, prefetch_factor, persistent_workers, generator } = a;
    let { shuffle, sampler, batch_sampler, batch_size, drop_last } = a;
    if (!Number.isInteger(num_workers) || num_workers < 0) {
      throw new RangeError('num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.');
    }
    if (!(timeout >= 0)) throw new RangeError('timeout option should be non-negative');
    if (num_workers === 0 && prefetch_factor !== 2) {
      throw new RangeError('prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to enable multiprocessing.');
    }
    if (!(prefetch_factor > 0)) throw new Error('AssertionError: prefetch_factor > 0');
    if (persistent_workers && num_workers === 0) throw new RangeError('persistent_workers option needs num_workers > 0');

    this._iterable = a.dataset instanceof IterableDataset;
    if (this._iterable) {
      if (shuffle !== null && shuffle !== false) throw new RangeError(`DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=${py(shuffle)}`);
      if (sampler !== null) throw new RangeError(`DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=${String(sampler)}`);
      if (batch_sampler !== null) throw new RangeError(`DataLoader with IterableDataset: expected unspecified batch_sampler option, but got batch_sampler=${String(batch_sampler)}`);
    } else {
      shuffle = Boolean(shuffle);
    }
    if (sampler !== null && shuffle) throw new RangeError('sampler option is mutually exclusive with shuffle');
    if (batch_sampler !== null) {
      if (batch_size !== 1 || shuffle || sampler !== null || drop_last) {
        throw new RangeError('batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last');
      }
      batch_size = null;
      drop_last = false;
    } else if (batch_size === null && drop_last) {
      throw new RangeError('batch_size=None option disables auto-batching and is mutually exclusive with drop_last');
    }
    if (sampler === null) {
      if (this._iterable) sampler = new _InfiniteConstantSampler();
      else sampler = shuffle ? new RandomSampler(a.dataset, { generator }) : new SequentialSampler(a.dataset);
    }
    if (batch_size !== null && batch_sampler === null) batch_sampler = new BatchSampler(sampler as Iterable<number>, batch_size, drop_last);

    this.dataset = a.dataset;
    this.batch_size = batch_size;
    this.drop_last = drop_last;
    this.sampler = sampler;
    this.batch_sampler = batch_sampler;
    this.num_workers = num_workers;
    this.prefetch_factor = prefetch_factor;
    this.pin_memory = a.pin_memory;
    this.timeout = timeout;
    this.worker_init_fn = a.worker_init_fn;
    this.generator = generator;
    this.persistent_workers = persistent_workers;
    this.worker_modules = [...a.worker_modules];
    this.collate_fn = (a.collate_fn ?? (this._auto_collation ? default_collate : default_convert)) as (b: unknown) => unknown;
  }

  /** @internal */ get _auto_collation(): boolean { return this.batch_sampler !== null; }
  /** @internal */ get _index_sampler(): Iterable<unknown> { return this._auto_collation ? this.batch_sampler! : this.sampler; }

  /** Python's warning when more workers are asked for than the CPUs this process may use. */
  check_worker_number_rationality(): void {
    if (this.num_workers === 0) return;
    const suggest = os.availableParallelism(); // honours the affinity mask, as Python's sched_getaffinity
    if (this.num_workers > suggest) {
      warn(`This DataLoader will create ${this.num_workers} worker processes in total. Our suggested max number of worker ` +
        `in current system is ${suggest}, which is smaller than what this DataLoader is going to create. Please be aware that ` +
        'excessive worker creation might get DataLoader running slow or even freeze, lower the worker number to avoid ' +
        'potential slowness/freeze if necessary.');
    }
  }

  [Symbol.iterator](): Iterator<T> {
    if (this.num_workers > 0) this.check_worker_number_rationality();
    // persistent workers are reused across epochs: only the sampler restarts (and no new base seed, as Python).
    if (this.persistent_workers && this.num_workers > 0) {
      if (this._iterator === null || this._iterator._closed) this._iterator = new _MultiProcessingDataLoaderIter<T>(this);
      else this._iterator._reset(this);
      return this._iterator;
    }
    return this.num_workers === 0 ? new _SingleProcessDataLoaderIter<T>(this) : new _MultiProcessingDataLoaderIter<T>(this);
  }

  /**
   * `for await (const batch of loader)`: the same batches in the same order, but waiting for the
   * workers without blocking the event loop (not in Python; for servers and UIs).
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    const it = this[Symbol.iterator]() as _BaseDataLoaderIter<T>;
    let queue: Promise<unknown> = Promise.resolve();
    // one request at a time, in order, whatever the caller does
    const serial = <R>(f: () => R | Promise<R>): Promise<R> => {
      const p = queue.then(f);
      queue = p.catch(() => undefined);
      return p;
    };
    return {
      next: () => serial(() => (it instanceof _MultiProcessingDataLoaderIter ? it._next_async() : it.next())),
      return: () => serial(() => it.return?.() ?? { done: true, value: undefined }),
    };
  }

  /** Python's len(loader): the number of batches (an estimate for an IterableDataset, as Python's). */
  __len__(): number {
    if (this._iterable) {
      const n = len(this.dataset);
      if (this.batch_size === null) return n;
      return this.drop_last ? Math.floor(n / this.batch_size) : Math.ceil(n / this.batch_size);
    }
    return len(this._index_sampler);
  }
  get length(): number { return this.__len__(); }
}

abstract class _BaseDataLoaderIter<T> implements Iterator<T> {
  protected _sampler_iter!: Iterator<unknown>;
  protected readonly _base_seed: bigint;
  protected _num_yielded = 0;
  constructor(protected readonly _loader: DataLoader<T>) {
    this._sampler_iter = _loader._index_sampler[Symbol.iterator]();
    // Drawn even without workers, as Python does: it advances the generator.
    this._base_seed = randomInt64(_loader.generator);
  }
  [Symbol.iterator](): this { return this; }
  return?(): IteratorResult<T>;
  __len__(): number { return this._loader.__len__(); }
  get length(): number { return this.__len__(); }
  abstract next(): IteratorResult<T>;
}

class _SingleProcessDataLoaderIter<T> extends _BaseDataLoaderIter<T> {
  private readonly _fetcher: Fetcher;
  constructor(loader: DataLoader<T>) {
    super(loader);
    this._fetcher = new Fetcher(loader.dataset, loader._iterable, loader._auto_collation, loader.collate_fn, loader.drop_last);
  }
  next(): IteratorResult<T> {
    const r = this._sampler_iter.next();
    if (r.done) return { done: true, value: undefined };
    const data = this._fetcher.fetch(r.value);
    if (data === END) return { done: true, value: undefined };
    this._num_yielded++;
    return { done: false, value: data as T };
  }
}

interface Reply { idx: number; wid: number; epoch: number; data?: unknown; end?: boolean; error?: { name: string; message: string; stack: string } }
const ERRORS: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };

// Threads of an iterator dropped without being finished or closed.
const abandoned = new FinalizationRegistry<Worker[]>((ws) => { for (const w of ws) void w.terminate(); });

class _MultiProcessingDataLoaderIter<T> extends _BaseDataLoaderIter<T> {
  private readonly _workers: Worker[] = [];
  private readonly _ports: MessagePort[] = [];
  private readonly _signal: Int32Array;
  private _workers_status: boolean[] = [];
  private _task_info = new Map<number, [number] | [number, Reply]>();
  private _send_idx = 0;
  private _rcvd_idx = 0;
  private _next_worker = 0;
  private _epoch = 0;
  private readonly _main_collate: boolean;
  /** @internal */ _closed = false;

  constructor(loader: DataLoader<T>) {
    super(loader);
    const n = loader.num_workers;
    this._signal = new Int32Array(new SharedArrayBuffer(4 * (1 + n)));
    const dataset = encode(loader.dataset, null, loader.worker_modules);
    // A collate_fn that cannot cross (a closure) runs here on the worker's samples.
    let collate: unknown = loader.collate_fn === default_collate ? 'default' : loader.collate_fn === default_convert ? 'convert' : 'main';
    if (collate === 'main') { try { collate = encode(loader.collate_fn, null, loader.worker_modules); } catch { /* stays in main */ } }
    this._main_collate = collate === 'main';
    const init_fn = loader.worker_init_fn === null ? null : encode(loader.worker_init_fn, null, loader.worker_modules);
    for (let i = 0; i < n; i++) {
      const { port1, port2 } = new MessageChannel();
      const w = new Worker(WORKER, {
        workerData: {
          port: port2, signal: this._signal.buffer, id: i, num_workers: n, seed: String(this._base_seed + BigInt(i)),
          dataset, iterable: loader._iterable, auto_collation: loader._auto_collation, drop_last: loader.drop_last,
          collate, init_fn, modules: loader.worker_modules,
        },
        transferList: [port2],
      });
      w.unref(); // an unfinished loader never keeps the process alive
      w.on('error', () => { /* seen through the exit flag and the error replies */ });
      this._workers.push(w);
      this._ports.push(port1);
    }
    abandoned.register(this, this._workers, this);
    this._reset(loader, true);
  }

  /** @internal A new epoch (persistent workers): the sampler restarts, requests are primed again. */
  _reset(loader: DataLoader<T>, first = false): void {
    if (!first) {
      this._sampler_iter = loader._index_sampler[Symbol.iterator]();
      this._num_yielded = 0;
      this._epoch++;
      for (const p of this._ports) p.postMessage({ resume: true, epoch: this._epoch });
    }
    this._send_idx = 0;
    this._rcvd_idx = 0;
    this._task_info = new Map();
    this._workers_status = this._workers.map(() => true);
    this._next_worker = 0; // Python's fresh itertools.cycle per epoch
    for (let i = 0; i < loader.prefetch_factor * loader.num_workers; i++) this._try_put_index();
  }

  private _try_put_index(): void {
    const n = this._workers.length;
    const r = this._sampler_iter.next();
    if (r.done) return;
    let wid = -1;
    for (let k = 0; k < n; k++) {
      const cand = this._next_worker;
      this._next_worker = (this._next_worker + 1) % n;
      if (this._workers_status[cand]) { wid = cand; break; }
    }
    if (wid < 0) return; // every worker is done (iterable dataset)
    this._ports[wid].postMessage({ idx: this._send_idx, index: r.value, epoch: this._epoch });
    this._task_info.set(this._send_idx, [wid]);
    this._send_idx++;
  }

  /**
   * One look at the replies: one of them, or the counter value and the milliseconds to wait for
   * it to move. Throws when a worker with requests in hand has ended, or at the timeout.
   */
  private _poll(deadline: number): Reply | [seen: number, ms: number] {
    const seen = Atomics.load(this._signal, 0);
    for (let i = 0; i < this._ports.length; i++) {
      const m = receiveMessageOnPort(this._ports[i]);
      if (m) return m.message as Reply;
    }
    for (let i = 0; i < this._workers.length; i++) {
      if (Atomics.load(this._signal, 1 + i) !== 1) continue;
      const pending = [...this._task_info.values()].some((t) => t[0] === i && t.length === 1);
      const m = receiveMessageOnPort(this._ports[i]); // sent just before it ended
      if (m) return m.message as Reply;
      if (pending) {
        this._shutdown();
        throw new Error(`DataLoader worker (thread ${this._workers[i].threadId}, worker ${i}) exited unexpectedly`);
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      this._shutdown();
      throw new Error(`DataLoader timed out after ${this._loader.timeout} seconds`);
    }
    return [seen, Math.min(left, 1000)];
  }

  private _deadline(): number { return this._loader.timeout > 0 ? Date.now() + this._loader.timeout * 1000 : Infinity; }

  /** Blocks this thread until a reply comes (the synchronous iterator, as Python's). */
  private _get_data(): Reply {
    const deadline = this._deadline();
    for (;;) {
      const r = this._poll(deadline);
      if (!Array.isArray(r)) return r;
      Atomics.wait(this._signal, 0, r[0], r[1]);
    }
  }

  /** Waits for a reply without blocking the event loop (`for await`). */
  private async _get_data_async(): Promise<Reply> {
    const deadline = this._deadline();
    for (;;) {
      const r = this._poll(deadline);
      if (!Array.isArray(r)) return r;
      const w = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<string> | string } })
        .waitAsync(this._signal, 0, r[0], r[1]);
      if (w.async) await w.value;
    }
  }

  next(): IteratorResult<T> {
    const steps = this._steps();
    for (let s = steps.next(); ; s = steps.next(this._get_data())) if (s.done) return s.value;
  }

  /** @internal next() for `for await`: the same steps, waiting asynchronously. */
  async _next_async(): Promise<IteratorResult<T>> {
    const steps = this._steps();
    for (let s = steps.next(); ; s = steps.next(await this._get_data_async())) if (s.done) return s.value;
  }

  /** Python's _next_data: yields whenever it needs the next reply, returns the next batch. */
  private *_steps(): Generator<void, IteratorResult<T>, Reply> {
    if (this._closed) return { done: true, value: undefined };
    for (;;) {
      // skip the requests of workers that have run out (iterable datasets)
      while (this._rcvd_idx < this._send_idx) {
        const info = this._task_info.get(this._rcvd_idx)!;
        if (info.length === 2 || this._workers_status[info[0]]) break;
        this._task_info.delete(this._rcvd_idx);
        this._rcvd_idx++;
      }
      if (this._rcvd_idx >= this._send_idx) {
        if (!this._loader.persistent_workers) this._shutdown();
        return { done: true, value: undefined };
      }
      const info = this._task_info.get(this._rcvd_idx)!;
      if (info.length === 2) {
        this._task_info.delete(this._rcvd_idx);
        return this._process_data(info[1]);
      }
      const m: Reply = yield;
      if (m.epoch !== this._epoch) continue; // from an epoch that was left early
      if (m.end) {
        this._workers_status[m.wid] = false;
        this._try_put_index();
        continue;
      }
      if (m.idx !== this._rcvd_idx) {
        (this._task_info.get(m.idx) as [number, Reply])[1] = m;
        continue;
      }
      this._task_info.delete(m.idx);
      return this._process_data(m);
    }
  }

  private _process_data(m: Reply): IteratorResult<T> {
    this._rcvd_idx++;
    this._try_put_index();
    if (m.error) {
      const E = ERRORS[m.error.name] ?? Error;
      throw new E(`Caught ${m.error.name} in DataLoader worker process ${this._workerOf(m)}.\nOriginal ${m.error.stack}`);
    }
    let data = decode(m.data);
    if (this._main_collate) data = this._loader.collate_fn(data);
    this._num_yielded++;
    return { done: false, value: data as T };
  }

  private _workerOf(m: Reply): number { return m.wid; }

  /** Leaving a `for...of` early (break, throw) ends the workers, as Python's iterator __del__. */
  return(): IteratorResult<T> {
    // persistent workers stay for the next epoch; its _reset discards this epoch's late replies
    if (!this._loader.persistent_workers) this._shutdown();
    return { done: true, value: undefined };
  }

  private _shutdown(): void {
    if (this._closed) return;
    this._closed = true;
    abandoned.unregister(this);
    for (const p of this._ports) { try { p.postMessage({ stop: true }); } catch { /* closed */ } p.close(); }
    for (const w of this._workers) void w.terminate();
  }
}
