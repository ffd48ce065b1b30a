'use strict';
// Datasets for the DataLoader worker tests: this module is listed in the loaders'
// worker_modules, so the workers re-create these classes from their properties.
const torch = require('torch-node');
const { utils: { data } } = torch;

/** Each sample: its index, the worker's seed (a string: it exceeds 2^53) and id. */
class IndexSeed extends data.Dataset {
  __len__() { return 12; }
  __getitem__(i) {
    const info = data.get_worker_info();
    return [i, String(info ? info.seed : -1), info ? info.id : -1];
  }
}

/** Each sample: torch.get_num_threads() where it is read (Python's workers run with 1). */
class NumThreads extends data.Dataset {
  __len__() { return 4; }
  __getitem__() { return torch.get_num_threads(); }
}

/** Each sample: two draws from the default generator of the thread that reads it. */
class RandomDraws extends data.Dataset {
  __len__() { return 10; }
  __getitem__() { return [torch.rand(2), torch.randint(0, 1000, [1])]; }
}

/** Samples mapped by an nn.Module (parameters, a buffer, a child), which crosses to the workers by its state. */
class Mapped extends data.Dataset {
  constructor(model) { super(); this.model = model; }
  __len__() { return 6; }
  __getitem__(i) { return torch.no_grad(() => this.model(torch.full([1, 3], i)).squeeze(0)); }
}

/** Throws at index `bad` (to see the error come back with its worker stack). */
class Failing extends data.Dataset {
  constructor(bad) { super(); this.bad = bad; }
  __len__() { return 8; }
  __getitem__(i) {
    if (i === this.bad) throw new RangeError(`bad index ${i}`);
    return i;
  }
}

/** An iterable dataset split between workers with get_worker_info(), as PyTorch's docs show. */
class Range extends data.IterableDataset {
  constructor(start, end) { super(); this.start = start; this.end = end; }
  *[Symbol.iterator]() {
    const info = data.get_worker_info();
    let lo = this.start, hi = this.end;
    if (info !== null) {
      const per = Math.ceil((hi - lo) / info.num_workers);
      lo = this.start + info.id * per;
      hi = Math.min(lo + per, this.end);
    }
    for (let i = lo; i < hi; i++) yield i;
  }
}

/** A worker_init_fn that crosses by __reduce__: it records the worker's id on the global object. */
function markInit(id) { globalThis.__initialized = id; }
class Slow extends data.Dataset {
  __len__() { return 4; }
  __getitem__(i) { const t = Date.now() + 3000; while (Date.now() < t); return i; }
}
class InitSeen extends data.Dataset {
  __len__() { return 4; }
  __getitem__(i) { return globalThis.__initialized ?? -1; }
}

/** Takes `ms` per sample (busy), to see the event loop run while workers work. */
class Sleepy extends data.Dataset {
  constructor(n, ms) { super(); this.n = n; this.ms = ms; }
  __len__() { return this.n; }
  __getitem__(i) { const t = Date.now() + this.ms; while (Date.now() < t); return i; }
}

/** Ends its worker thread at index 2 (process.exit in a worker ends only that thread). */
class Exiting extends data.Dataset {
  __len__() { return 6; }
  __getitem__(i) { if (i === 2) process.exit(3); return i; }
}

module.exports = { IndexSeed, RandomDraws, Mapped, Failing, Range, markInit, Slow, InitSeen, Exiting, Sleepy, NumThreads };
