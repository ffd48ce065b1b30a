'use strict';
// torch.utils.data against PyTorch 1.13 (test/fixtures/data.json, from scripts/gen-data-fixtures.py):
// the same seed visits the same indices in the same order, and leaves the global stream where
// Python leaves it.
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const torch = require('torch-node');
const { data } = torch.utils;
const { loadFixture } = require('./support/fixtures');
const F = loadFixture('data.json');
const support = require('./support/data-datasets');

const MODULES = [require.resolve('./support/data-datasets')];
// What generator= accepts until torch.Generator lands: an object with manual_seed() and initial_seed().
class Generator {
  manual_seed(s) { this.seed = BigInt(s); return this; }
  initial_seed() { return this.seed; }
}
const gen = (seed) => new Generator().manual_seed(seed);
const list = (t) => Array.from(t.typed_array(), Number);
const close = (a, b) => assert.ok(a.every((x, i) => Math.abs(x - b[i]) < 1e-6), `${a} vs ${b}`);
const rand3 = () => Array.from(torch.rand(3).typed_array());
const ds = () => new data.TensorDataset(torch.arange(23));
const epochs = (loader, n = 2) => Array.from({ length: n }, () => Array.from(loader, ([x]) => list(x)));

describe('torch.utils.data: the order of PyTorch 1.13', () => {
  it('a shuffled DataLoader: same batches for two epochs, then the same torch.rand(3)', () => {
    torch.manual_seed(F.shuffle.seed);
    const loader = new data.DataLoader(ds(), { batch_size: 4, shuffle: true });
    assert.equal(loader.length, 6);
    assert.deepEqual(epochs(loader), F.shuffle.epochs);
    close(rand3(), F.shuffle.rand);
  });
  it('drop_last', () => {
    torch.manual_seed(F.shuffle_drop_last.seed);
    const loader = new data.DataLoader(ds(), { batch_size: 5, shuffle: true, drop_last: true });
    assert.equal(loader.length, 4);
    assert.deepEqual(epochs(loader), F.shuffle_drop_last.epochs);
    close(rand3(), F.shuffle_drop_last.rand);
  });
  it('generator=: the loader draws from it, the global stream is untouched', () => {
    torch.manual_seed(F.generator.seed);
    const loader = new data.DataLoader(ds(), { batch_size: 4, shuffle: true, generator: gen(F.generator.gen) });
    assert.deepEqual(epochs(loader), F.generator.epochs);
    close(rand3(), F.generator.rand);
  });
  it('RandomSampler: plain, num_samples, replacement, generator', () => {
    const f = F.random_sampler;
    torch.manual_seed(f.seed);
    assert.deepEqual([...new data.RandomSampler([...Array(10).keys()])], f.plain);
    assert.deepEqual([...new data.RandomSampler([...Array(10).keys()], { num_samples: 25 })], f.num_samples);
    assert.deepEqual([...new data.RandomSampler([...Array(10).keys()], true, 70)], f.replacement);
    assert.deepEqual([...new data.RandomSampler([...Array(10).keys()], { generator: gen(3) })], f.gen);
    assert.deepEqual([...new data.RandomSampler([...Array(1000).keys()], { replacement: true, num_samples: 40, generator: gen(3) })], f.gen_replacement);
    close(rand3(), f.rand);
  });
  it('SubsetRandomSampler and WeightedRandomSampler', () => {
    const s = F.subset_random, w = F.weighted;
    torch.manual_seed(s.seed);
    const idx = Array.from({ length: 10 }, (_, i) => i + 10);
    assert.deepEqual([...new data.SubsetRandomSampler(idx)], s.plain);
    assert.deepEqual([...new data.SubsetRandomSampler(idx, gen(1))], s.gen);
    close(rand3(), s.rand);
    torch.manual_seed(w.seed);
    assert.deepEqual([...new data.WeightedRandomSampler(w.weights, 20)], w.replacement);
    assert.deepEqual([...new data.WeightedRandomSampler(w.weights, 5, { replacement: false })], w.no_replacement);
    const weights = Array.from({ length: 39 }, (_, i) => i + 1);
    assert.deepEqual([...new data.WeightedRandomSampler(weights, 50, { generator: gen(11) })], w.gen[0]);
    assert.deepEqual([...new data.WeightedRandomSampler(weights, 12, false, gen(11))], w.gen[1]);
    close(rand3(), w.rand);
  });
  it('random_split: lengths on the global generator, fractions with a generator', () => {
    const f = F.random_split;
    torch.manual_seed(f.seed);
    const r = (n) => [...Array(n).keys()];
    assert.deepEqual(data.random_split(r(10), [3, 7]).map((s) => s.indices), f.lengths);
    assert.deepEqual(data.random_split(r(30), [0.3, 0.3, 0.4], { generator: gen(42) }).map((s) => s.indices), f.fractions);
    assert.deepEqual(data.random_split(r(11), [0.5, 0.5], gen(42)).map((s) => s.indices), f.fractions_remainder);
    close(rand3(), f.rand);
    const [a] = data.random_split(r(10), [3, 7]);
    assert.equal(a.__len__(), 3);
    assert.equal(a.__getitem__(0), a.indices[0]);
    assert.throws(() => data.random_split(r(10), [3, 6]), /Sum of input lengths does not equal/);
  });
  it('DistributedSampler: ranks, padding, drop_last, set_epoch', () => {
    for (const drop_last of [false, true]) {
      for (let rank = 0; rank < 3; rank++) {
        const s = new data.DistributedSampler([...Array(11).keys()], { num_replicas: 3, rank, shuffle: true, seed: 4, drop_last });
        const e0 = [...s];
        s.set_epoch(1);
        assert.deepEqual([e0, [...s], s.__len__()], F.distributed[`${drop_last ? 'True' : 'False'}-${rank}`]);
      }
      const s = new data.DistributedSampler([...Array(11).keys()], { num_replicas: 3, rank: 1, shuffle: false, drop_last });
      assert.deepEqual([...s], F.distributed[`noshuffle-${drop_last ? 'True' : 'False'}`]);
    }
    assert.throws(() => new data.DistributedSampler([1], { num_replicas: 2, rank: 2 }), /Invalid rank 2, rank should be in the interval \[0, 1\]/);
  });
  it('BatchSampler', () => {
    assert.deepEqual([...new data.BatchSampler([...Array(10).keys()], 3, false)], F.batch_sampler.keep);
    assert.deepEqual([...new data.BatchSampler([...Array(10).keys()], 3, true)], F.batch_sampler.drop);
    assert.equal(new data.BatchSampler([...Array(10).keys()], 3, false).__len__(), 4);
  });
});

describe('torch.utils.data: datasets, collation, arguments', () => {
  it('default_collate: Python numbers, bools, strings, nested dicts and lists, tensors', () => {
    const out = data.default_collate([
      { i: 1, f: 0.5, b: true, pair: [1, 2.5], s: 'a', t: torch.tensor([1, 2]) },
      { i: 2, f: 1.5, b: false, pair: [3, 4.5], s: 'b', t: torch.tensor([3, 4]) },
    ]);
    const d = (t) => ({ dtype: t.dtype.name, shape: t.shape, values: Array.from(t.typed_array(), (v) => (typeof v === 'bigint' ? Number(v) : v)) });
    const fx = F.collate;
    for (const k of ['i', 'f', 't']) assert.deepEqual(d(out[k]), fx[k]);
    assert.deepEqual({ ...d(out.b), values: d(out.b).values.map(Boolean) }, fx.b);
    assert.deepEqual(out.pair.map(d), fx.pair);
    assert.deepEqual(out.s, fx.s);
    assert.deepEqual(d(data.default_collate([new Float32Array([1, 2]), new Float32Array([3, 4])])), { dtype: 'float32', shape: [2, 2], values: [1, 2, 3, 4] });
    assert.throws(() => data.default_collate([[1, 2], [3]]), /each element in list of batch should be of equal size/);
    assert.throws(() => data.default_collate([null]), TypeError);
  });
  it('TensorDataset, ConcatDataset, Subset, ChainDataset, arrays as datasets', () => {
    const t = new data.TensorDataset(torch.arange(4), torch.arange(4).mul(10));
    assert.deepEqual(t.__getitem__(2).map((x) => x.item()), [2, 20]);
    const c = new data.ConcatDataset([t, [100, 101]]);
    assert.equal(c.__len__(), 6);
    assert.equal(c.__getitem__(4), 100);
    assert.equal(c.__getitem__(-1), 101);
    assert.deepEqual(c.cumulative_sizes, [4, 6]);
    const sub = new data.Subset([5, 6, 7, 8], [3, 1]);
    assert.deepEqual([sub.__getitem__(0), sub.__getitem__(1)], [8, 6]);
    const r = new support.Range(0, 3);
    assert.deepEqual([...new data.ChainDataset([r, new support.Range(5, 7)])], [0, 1, 2, 5, 6]);
    assert.throws(() => new data.TensorDataset(torch.zeros(2), torch.zeros(3)), /Size mismatch between tensors/);
  });
  it("Python's argument rules and checks", () => {
    assert.throws(() => new data.DataLoader([1], { batchsize: 2 }), /DataLoader\(\) got an unexpected keyword argument 'batchsize'/);
    assert.throws(() => new data.DataLoader([1], { sampler: [0], shuffle: true }), /sampler option is mutually exclusive with shuffle/);
    assert.throws(() => new data.DataLoader([1], { batch_sampler: [[0]], batch_size: 2 }), /mutually exclusive with batch_size/);
    assert.throws(() => new data.DataLoader([1], { batch_size: null, drop_last: true }), /disables auto-batching/);
    assert.throws(() => new data.DataLoader([1], { num_workers: -1 }), /num_workers option should be non-negative/);
    assert.throws(() => new data.DataLoader([1], { prefetch_factor: 4 }), /prefetch_factor option could only be specified in multiprocessing/);
    assert.throws(() => new data.DataLoader([1], { persistent_workers: true }), /persistent_workers option needs num_workers > 0/);
    assert.throws(() => new data.DataLoader(new support.Range(0, 3), { shuffle: true }), /expected unspecified shuffle option/);
    assert.throws(() => new data.RandomSampler([1], { num_samples: 0 }), /num_samples should be a positive integer value, but got num_samples=0/);
    assert.throws(() => new data.BatchSampler([1], 0, false), /batch_size should be a positive integer value/);
  });
  it('batch_size=null, batch_sampler, collate_fn, iterable datasets', () => {
    assert.deepEqual([...new data.DataLoader([1, 2, 3], { batch_size: null })], [1, 2, 3]);
    const bs = new data.DataLoader([10, 11, 12, 13], { batch_sampler: [[3, 0], [1]] });
    assert.deepEqual([...bs].map(list), [[13, 10], [11]]);
    assert.equal(bs.length, 2);
    assert.deepEqual([...new data.DataLoader([1, 2, 3], { batch_size: 2, collate_fn: (b) => b.join('+') })], ['1+2', '3']);
    const it = new data.DataLoader(new support.Range(0, 7), { batch_size: 3, drop_last: true });
    assert.deepEqual([...it].map(list), [[0, 1, 2], [3, 4, 5]]);
  });
});

describe('torch.utils.data: worker threads', function () {
  this.timeout(120000);
  it('shuffled with 2 workers: batches in order, the same stream as Python', () => {
    torch.manual_seed(F.workers.seed);
    const loader = new data.DataLoader(ds(), { batch_size: 4, shuffle: true, num_workers: 2 });
    assert.deepEqual(epochs(loader), F.workers.epochs);
    close(rand3(), F.workers.rand);
  });
  it('for await: the same batches and stream, and the event loop runs while the workers work', async () => {
    torch.manual_seed(F.workers.seed);
    const loader = new data.DataLoader(ds(), { batch_size: 4, shuffle: true, num_workers: 2 });
    const got = [];
    for (let e = 0; e < 2; e++) { const epoch = []; for await (const [x] of loader) epoch.push(list(x)); got.push(epoch); }
    assert.deepEqual(got, F.workers.epochs);
    close(rand3(), F.workers.rand);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const slow = new data.DataLoader(new support.Sleepy(8, 40), { batch_size: 2, num_workers: 2, worker_modules: MODULES });
    const batches = [];
    try { for await (const b of slow) batches.push(list(b)); } finally { clearInterval(timer); }
    assert.deepEqual(batches, [[0, 1], [2, 3], [4, 5], [6, 7]]);
    assert.ok(ticks >= 5, `the event loop ran ${ticks} times`);
  });
  it('persistent workers: no new base seed per epoch, as Python', () => {
    torch.manual_seed(F.persistent.seed);
    const loader = new data.DataLoader(ds(), { batch_size: 4, shuffle: true, num_workers: 2, persistent_workers: true });
    assert.deepEqual(epochs(loader, 3), F.persistent.epochs);
    close(rand3(), F.persistent.rand);
  });
  it("each worker's seed is base_seed + worker_id (get_worker_info), and the same worker reads Python's batches", () => {
    torch.manual_seed(F.worker_seeds.seed);
    const loader = new data.DataLoader(new support.IndexSeed(), { batch_size: 3, shuffle: true, num_workers: 2, worker_modules: MODULES });
    const got = [...loader].map(([i, s, w]) => list(i).map((x, k) => [x, s[k], Number(w.typed_array()[k])]));
    assert.deepEqual(got, F.worker_seeds.batches);
    close(rand3(), F.worker_seeds.rand);
    assert.equal(data.get_worker_info(), null);
  });
  it('a worker runs with one intra-op thread, as Python\'s worker (torch.set_num_threads(1)); the main thread keeps its count', () => {
    const before = torch.get_num_threads();
    torch.set_num_threads(2);
    try {
      const got = [...new data.DataLoader(new support.NumThreads(), { batch_size: 2, num_workers: 2, worker_modules: MODULES })].map((b) => b.tolist());
      assert.deepEqual(got, [[1, 1], [1, 1]]);
      assert.equal(torch.get_num_threads(), 2);
    } finally { torch.set_num_threads(before); }
  });
  it("each worker draws from a default generator of its own, seeded as Python's worker (same random samples), and the main stream stays put", () => {
    torch.manual_seed(F.worker_draws.seed);
    const loader = new data.DataLoader(new support.RandomDraws(), { batch_size: 2, num_workers: 2, worker_modules: MODULES });
    const got = [...loader].map(([a, b]) => [a.tolist(), b.tolist()]);
    close(got.map((x) => x[0]).flat(2), F.worker_draws.batches.map((x) => x[0]).flat(2));
    assert.deepEqual(got.map((x) => x[1]), F.worker_draws.batches.map((x) => x[1]));
    close(rand3(), F.worker_draws.rand);
  });
  it('an nn.Module in the dataset crosses to the workers with its parameters, buffers and children (pickle\'s __dict__)', () => {
    torch.manual_seed(0);
    const model = new torch.nn.Sequential(new torch.nn.Linear(3, 2), new torch.nn.BatchNorm1d(2)).eval();
    model[1].running_mean.fill_(0.5);
    const want = [...new data.DataLoader(new support.Mapped(model), { batch_size: 2 })].map((b) => b.tolist());
    const got = [...new data.DataLoader(new support.Mapped(model), { batch_size: 2, num_workers: 2, worker_modules: MODULES })].map((b) => b.tolist());
    assert.deepEqual(got, want);
  });
  it("a worker's exception comes back with its type, worker id and the worker's stack", () => {
    const loader = new data.DataLoader(new support.Failing(5), { batch_size: 2, num_workers: 2, worker_modules: MODULES });
    const seen = [];
    assert.throws(() => { for (const b of loader) seen.push(list(b)); }, (e) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /^Caught RangeError in DataLoader worker process 0\.\nOriginal RangeError: bad index 5\n\s+at Failing.__getitem__/);
      assert.match(e.message, /data-datasets\.js/);
      return true;
    });
    assert.deepEqual(seen, [[0, 1], [2, 3]]);
  });
  it('iterable datasets split by get_worker_info(); worker_init_fn runs in each worker', () => {
    const loader = new data.DataLoader(new support.Range(0, 10), { batch_size: 2, num_workers: 2, worker_modules: MODULES });
    assert.deepEqual([...loader].map(list), [[0, 1], [5, 6], [2, 3], [7, 8], [4], [9]]);
    // workers that run out at different times, more requests in flight than batches, persistent: Python's order
    const uneven = new data.DataLoader(new support.Range(0, 7), { batch_size: 1, num_workers: 2, prefetch_factor: 4, persistent_workers: true, worker_modules: MODULES });
    for (let epoch = 0; epoch < 2; epoch++) assert.deepEqual([...uneven].map(list).flat(), [0, 4, 1, 5, 2, 6, 3]);
    // an exported function crosses by reference (as pickle sends a function); a closure cannot
    const seen = new data.DataLoader(new support.InitSeen(), { batch_size: 2, num_workers: 2, worker_init_fn: support.markInit, worker_modules: MODULES });
    assert.deepEqual([...seen].map(list), [[0, 0], [1, 1]]);
    assert.throws(() => new data.DataLoader([1], { num_workers: 1, worker_init_fn: (id) => id })[Symbol.iterator](), /cannot send function/);
  });
  it('a worker thread that ends mid-epoch is an error, not a hang', () => {
    const loader = new data.DataLoader(new support.Exiting(), { num_workers: 1, worker_modules: MODULES });
    assert.throws(() => [...loader], /^Error: DataLoader worker \(thread \d+, worker 0\) exited unexpectedly$/);
  });
  it('timeout, and no thread is left behind (the process exits by itself)', () => {
    const loader = new data.DataLoader(new support.Slow(), { num_workers: 1, timeout: 0.5, worker_modules: MODULES });
    assert.throws(() => [...loader], /DataLoader timed out after 0.5 seconds/);
    const script = `
      const torch = require(${JSON.stringify(require.resolve('torch-node'))});
      const d = new torch.utils.data.TensorDataset(torch.arange(100).float());
      const l = new torch.utils.data.DataLoader(d, { batch_size: 10, num_workers: 2, shuffle: true });
      let n = 0; for (const [x] of l) { n += x.shape[0]; if (n === 30) break; }
      for (const [x] of l) n += x.shape[0];
      const it = l[Symbol.iterator](); it.next(); // abandoned mid-epoch
      console.log(n);`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '130');
  });
});

describe('torch.utils.data with a native torch.Generator', () => {
  it('RandomSampler, random_split and a shuffled DataLoader draw from the Generator as Python does (reference: Python here)', () => {
    const py = spawnSync(process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3', ['-c', `
import json, torch
from torch.utils.data import RandomSampler, random_split, DataLoader
g = torch.Generator().manual_seed(3)
a = list(RandomSampler(range(10), generator=g)) + list(RandomSampler(range(10), generator=g))
s = [x.indices for x in random_split(range(10), [4, 6], generator=torch.Generator().manual_seed(5))]
l = [b.tolist() for b in DataLoader(torch.arange(7), batch_size=3, shuffle=True, generator=torch.Generator().manual_seed(9))]
print(json.dumps([a, s, l]))`], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    const [sampled, split, batches] = JSON.parse(py.stdout);
    const g = new torch.Generator().manual_seed(3);
    // The same generator twice: its state moves on, as Python's does.
    assert.deepEqual([...new data.RandomSampler(torch.arange(10), { generator: g }), ...new data.RandomSampler(torch.arange(10), { generator: g })], sampled);
    assert.deepEqual(data.random_split(torch.arange(10), [4, 6], new torch.Generator().manual_seed(5)).map((x) => x.indices), split);
    const loader = new data.DataLoader(torch.arange(7), { batch_size: 3, shuffle: true, generator: new torch.Generator().manual_seed(9) });
    assert.deepEqual([...loader].map((b) => b.tolist()), batches);
  });
});
