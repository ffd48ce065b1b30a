'use strict';
// nn.parallel.DistributedDataParallel: Node ranks training examples/ddp.ts
// equal one process on the whole batch, and equal PyTorch 1.13's DDP
// (scripts/reference/ddp_twin.py, the same program) with the same seeds; a Node
// rank and a Python rank in one job compute the gradients two Python ranks do.
// Built without c10d (the pip wheel has no Gloo headers): skipped there; on Debian's 1.13 it must run.
const describeDistributed = require('./support/fixtures').torchVersion === '1.13' || require('torch-node').distributed.is_available() ? describe : describe.skip;
const assert = require('node:assert/strict');
const path = require('node:path');
const torch = require('torch-node');
const { PYTHON, freePort, json, run } = require('./support/dist-jobs');
const { accumulated, assertValues } = require('./support/close');

const ROOT = path.join(__dirname, '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const EXAMPLE = path.join(ROOT, 'build', 'examples', 'ddp.js');
const TWIN = path.join(ROOT, 'scripts', 'reference', 'ddp_twin.py');
const dist = torch.distributed;
const nn = torch.nn;

// Gradients and parameters after a few SGD steps of a 3-layer MLP: each value
// sums `hidden` products per layer (the widest layer) in an order the CPU and
// the all-reduce choose, through 3 layers x 3 steps; a lost or doubled rank's
// share, a wrong division or a missed bucket moves them by far more.
const tolFor = (cfg) => accumulated('float32', { terms: cfg.hidden ?? 16, depth: 3 * (cfg.steps ?? 3) });
const TOL = tolFor({});

/** Runs one job: `kinds[r]` is 'node' or 'python' for rank r; every rank gets cfg. */
async function job(kinds, cfg) {
  const port = await freePort();
  return Promise.all(kinds.map((kind, rank) => {
    const c = JSON.stringify({ ...cfg, rank, world_size: kinds.length, init_method: `tcp://127.0.0.1:${port}` });
    return kind === 'node' ? json(process.execPath, [EXAMPLE, c], { timeout: 100000 }) : json(PYTHON, [TWIN, c], { timeout: 100000 });
  }));
}

function assertSame(got, want, what, tol = TOL) {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: names`);
  for (const name of Object.keys(want)) {
    if (want[name] === null) { assert.equal(got[name], null, `${what} ${name}`); continue; }
    assertValues(got[name], want[name], { ...tol, label: `${what} ${name}` });
  }
}

describeDistributed('nn.parallel.DistributedDataParallel', function () {
  this.timeout(180000);

  before(async function () {
    const r = await run(process.execPath, [TSC, '-p', path.join(ROOT, 'examples', 'tsconfig.json')], { timeout: 170000 });
    assert.equal(r.code, 0, `tsc -p examples/tsconfig.json:\n${r.stdout}${r.stderr}`);
  });

  for (const [world, cfg, label] of [
    [2, {}, ''],
    [2, { no_sync: true }, ', a no_sync() micro-batch each step'],
    [2, { gradient_as_bucket_view: true, hidden: 600, bucket_cap_mb: 0.01, steps: 3 }, ', gradient_as_bucket_view, several buckets'],
    [4, {}, ''],
  ]) {
    it(`${world} Node ranks train as one process on the whole batch${label}`, async () => {
      const ranks = await job(Array(world).fill('node'), cfg);
      const single = await json(process.execPath, [EXAMPLE, JSON.stringify({ ...cfg, world_size: 0, as_world: world })]);
      for (const r of ranks) {
        assertSame(r.params, single.params, `rank ${r.rank} parameters`, tolFor(cfg));
        assertSame(r.first_grads, single.first_grads, `rank ${r.rank} first-step gradients`, tolFor(cfg));
      }
      // Every rank ends with the same parameters, bit for bit (same all-reduced gradients, same steps).
      for (const r of ranks.slice(1)) assert.deepEqual(r.params, ranks[0].params);
      // After the first iteration the Reducer rebuilds its buckets: fc2 (1.44 MB) overflows the 1 MB first bucket.
      if (cfg.hidden === 600) assert.deepEqual(ranks[0].bucket_sizes, [4, 2]);
    });
  }

  it("2 Node ranks equal Python's DDP with the same seeds (BatchNorm buffers broadcast)", async () => {
    const cfg = { bn: true, steps: 3 };
    const [nodes, pys] = [await job(['node', 'node'], cfg), await job(['python', 'python'], cfg)];
    for (let r = 0; r < 2; r++) {
      assertSame(nodes[r].params, pys[r].params, `rank ${r} parameters`);
      assertSame(nodes[r].buffers, pys[r].buffers, `rank ${r} buffers`);
      assertValues(nodes[r].losses, pys[r].losses, { ...TOL, label: `rank ${r} losses` });
    }
  });

  for (const [cfg, label] of [
    [{ steps: 2 }, ''],
    [{ unused: true, steps: 2 }, ', find_unused_parameters with a layer forward never uses'],
    // A second output the loss ignores: the _DDPSink passes its undefined gradient down, or the Reducer would wait for aux's.
    [{ aux: true, steps: 2 }, ', an output the loss ignores (_DDPSink)'],
    // LibTorch's built-in FP16_COMPRESS hook on both sides: the buckets all-reduced as float16.
    [{ fp16_hook: true, steps: 2 }, ', the built-in FP16_COMPRESS communication hook'],
    // A static graph (its first all-reduce is delayed to the end of backward by the sink; one first bucket even with
    // find_unused_parameters) with an unused layer and several buckets after the rebuild: both sides must rebuild
    // them alike (rank 0 broadcasts them) or the all-reduces mismatch.
    [{ static_graph: true, unused: true, hidden: 600, bucket_cap_mb: 0.01, steps: 3 }, ', static_graph, an unused layer, buckets rebuilt after the first step'],
  ]) {
    it(`a Node rank and a Python rank train together: gradients equal two Python ranks'${label}`, async () => {
      const [mixed, pys] = [await job(['node', 'python'], cfg), await job(['python', 'python'], cfg)];
      for (let r = 0; r < 2; r++) {
        assertSame(mixed[r].first_grads, pys[r].first_grads, `rank ${r} (${r ? 'Python' : 'Node'}) first-step gradients`, tolFor(cfg));
        assertSame(mixed[r].params, pys[r].params, `rank ${r} parameters`, tolFor(cfg));
      }
      if (cfg.unused) assert.equal(mixed[0].first_grads['unused.weight'], null);
      if (cfg.aux) assert.equal(mixed[0].first_grads['aux.weight'], null);
      if (cfg.hidden === 600) assert.deepEqual(mixed[0].bucket_sizes, [4, 2, 1, 1]); // the unused layer's two tensors last, each over the cap
    });
  }

  it('trains under torch-node-run (env://), as under torchrun', async () => {
    const launcher = path.join(ROOT, 'bin', 'torch-node-run.js');
    const r = await run(process.execPath, [launcher, '--nproc_per_node', '2', '--master_port', String(await freePort()), EXAMPLE, '{"steps":2}'], { timeout: 100000 });
    assert.equal(r.code, 0, r.stderr);
    const ranks = r.stdout.trim().split('\n').map((line) => {
      const m = /^\[rank(\d)\]: (\{.*\})$/.exec(line);
      assert.ok(m, `a prefixed JSON line: ${line.slice(0, 80)}`);
      return { rank: Number(m[1]), ...JSON.parse(m[2]) };
    });
    assert.deepEqual(ranks.map((x) => x.rank).sort(), [0, 1]);
    const single = await json(process.execPath, [EXAMPLE, JSON.stringify({ steps: 2, world_size: 0, as_world: 2 })]);
    for (const x of ranks) assertSame(x.params, single.params, `rank ${x.rank} parameters`, tolFor({ steps: 2 }));
  });

  it('a rank that dies mid-training makes the other fail in backward with a clear error, not hang', async () => {
    const port = await freePort();
    const script = (rank) => `
const torch = require('torch-node');
const dist = torch.distributed;
dist.init_process_group('gloo', { init_method: 'tcp://127.0.0.1:${port}', rank: ${rank}, world_size: 2, timeout: 20000 });
const ddp = new torch.nn.parallel.DistributedDataParallel(new torch.nn.Linear(4, 2));
for (let step = 0; step < 3; step++) {
  if (${rank} === 1 && step === 1) process.exit(5);
  ddp(torch.randn(3, 4)).sum().backward();
}
console.log('survived');
`;
    const [r0, r1] = await Promise.all([0, 1].map((r) => run(process.execPath, ['-e', script(r)], { timeout: 50000 })));
    assert.equal(r1.code, 5);
    assert.notEqual(r0.code, 0);
    assert.equal(r0.signal, null, 'rank 0 must fail by itself, not be killed by the test');
    assert.match(r0.stderr, /Connection closed by peer|Connection reset|Timed out/);
    assert.ok(r0.ms < 45000, `rank 0 took ${r0.ms} ms`);
  });

  describe('in this process (a one-rank group)', () => {
    before(async () => {
      dist.init_process_group('gloo', { init_method: `tcp://127.0.0.1:${await freePort()}`, rank: 0, world_size: 1 });
    });
    after(() => dist.destroy_process_group());

    it('wraps the module as Python does and checks its arguments', () => {
      const model = new nn.Linear(3, 2);
      const ddp = new nn.parallel.DistributedDataParallel(model, { bucket_cap_mb: 1 });
      assert.equal(ddp.module, model);
      assert.deepEqual(Object.keys(ddp.state_dict()), ['module.weight', 'module.bias']);
      const y = ddp(torch.ones(4, 3));
      y.sum().backward();
      assert.deepEqual(model.bias.grad.tolist(), [4, 4]);
      assert.throws(() => new nn.parallel.DistributedDataParallel(model, { bucket_cap: 1 }), /unexpected keyword argument 'bucket_cap'/);
      assert.throws(() => new nn.parallel.DistributedDataParallel(model, { device_ids: [0] }), /device_ids and output_device arguments only work/);
      const frozen = new nn.Linear(2, 2).requires_grad_(false);
      assert.throws(() => new nn.parallel.DistributedDataParallel(frozen), /DistributedDataParallel is not needed when a module doesn't have any parameter that requires a gradient/);
      assert.throws(() => new nn.parallel.DistributedDataParallel({}), /must be a torch.nn.Module/);
      assert.throws(() => ddp.no_sync(3), /expected a function/);
      assert.throws(() => ddp._register_builtin_comm_hook(7), /comm_hook_type must be a BuiltinCommHookType/);
      // no_sync: gradients accumulate locally, the flag comes back afterwards.
      ddp.no_sync(() => { assert.equal(ddp.require_backward_grad_sync, false); ddp(torch.ones(1, 3)).sum().backward(); });
      assert.equal(ddp.require_backward_grad_sync, true);
      assert.deepEqual(model.bias.grad.tolist(), [5, 5]);
    });

    it('leaves the parameters named by _set_params_and_buffers_to_ignore_for_model out of the Reducer', () => {
      const model = new nn.Sequential(new nn.Linear(3, 3), new nn.Linear(3, 1));
      nn.parallel.DistributedDataParallel._set_params_and_buffers_to_ignore_for_model(model, ['1.weight']);
      const ddp = new nn.parallel.DistributedDataParallel(model);
      assert.deepEqual(ddp._bucket_sizes(), [3]);
    });

    it('DistributedSampler takes num_replicas and rank from the default group, as in Python', () => {
      const data = require('torch-node/utils/data');
      const s = new data.DistributedSampler([...Array(5).keys()], { shuffle: false });
      assert.equal(s.num_replicas, 1);
      assert.equal(s.rank, 0);
      assert.deepEqual([...s], [0, 1, 2, 3, 4]);
    });
  });
});
