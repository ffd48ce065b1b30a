'use strict';
// DDP's communication hooks written in JS (register_comm_hook, GradBucket,
// torch.futures, Work.get_future, default_hooks) and Join for uneven inputs:
// Node ranks, Python 1.13 ranks (scripts/reference/ddp_join_twin.py, the twin
// of test/support/ddp-join-rank.js) and mixed pairs train the same model on
// the same data and must end alike. Then, in this process, the API's checks and
// Python's device_ids / output_device messages (from Python at test time).
const describeDistributed = require('./support/fixtures').torchVersion === '1.13' || require('torch-node').distributed.is_available() ? describe : describe.skip;
const assert = require('node:assert/strict');
const path = require('node:path');
const torch = require('torch-node');
const { PYTHON, freePort, json, run } = require('./support/dist-jobs');
const { accumulated, assertValues } = require('./support/close');

const ROOT = path.join(__dirname, '..');
const NODE_RANK = path.join(__dirname, 'support', 'ddp-join-rank.js');
const TWIN = path.join(ROOT, 'scripts', 'reference', 'ddp_join_twin.py');
const dist = torch.distributed;
const nn = torch.nn;

// Up to 5 SGD steps of a 16-wide 2-layer MLP: sums of 16 products per layer, the all-reduce's order.
const TOL = accumulated('float32', { terms: 16, depth: 2 * 5 });

async function job(kinds, cfg) {
  const port = await freePort();
  return Promise.all(kinds.map((kind, rank) => {
    const c = JSON.stringify({ ...cfg, rank, world_size: kinds.length, init_method: `tcp://127.0.0.1:${port}` });
    return kind === 'node' ? json(process.execPath, [NODE_RANK, c], { timeout: 100000 }) : json(PYTHON, [TWIN, c], { timeout: 100000 });
  }));
}

function assertSame(got, want, what) {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: names`);
  for (const name of Object.keys(want)) {
    if (want[name] === null) { assert.equal(got[name], null, `${what} ${name}`); continue; }
    assertValues(got[name], want[name], { ...TOL, label: `${what} ${name}` });
  }
}

function assertRanksEqual(got, want, label) {
  for (let r = 0; r < want.length; r++) {
    assert.equal(got[r].error, want[r].error, `${label} rank ${r} error`);
    assert.equal(got[r].losses.length, want[r].losses.length, `${label} rank ${r} steps`);
    assertValues(got[r].losses, want[r].losses, { ...TOL, label: `${label} rank ${r} losses` });
    assertSame(got[r].first_grads, want[r].first_grads, `${label} rank ${r} first-step gradients`);
    assertSame(got[r].params, want[r].params, `${label} rank ${r} parameters`);
    assertSame(got[r].buffers, want[r].buffers, `${label} rank ${r} buffers`);
  }
}

describeDistributed('DDP communication hooks and Join (uneven inputs)', function () {
  this.timeout(240000);

  describe('JS communication hooks', () => {
    for (const [cfg, label] of [
      [{ hook: 'custom' }, "Python's documented hook: all_reduce(bucket.buffer()).get_future().then(fut => fut.value()[0].div_(world))"],
      [{ hook: 'allreduce', bn: true }, 'default_hooks.allreduce_hook'],
      [{ hook: 'fp16' }, 'default_hooks.fp16_compress_hook'],
      // The first all-reduce of a static graph runs from an engine callback that waits for it at once: the hook's future is finished right there.
      [{ hook: 'custom', static_graph: true }, 'a JS hook on a static graph'],
    ]) {
      it(`${label}: Node, mixed and Python pairs end alike (even inputs)`, async () => {
        const c = { ...cfg, join: false, batches: [3, 3] };
        const want = await job(['python', 'python'], c);
        assertRanksEqual(await job(['node', 'node'], c), want, 'node+node');
        assertRanksEqual(await job(['node', 'python'], c), want, 'node+python');
      });
    }

    it('the documented hook gives what no hook gives (the average), and a hook returning zeros gives zero gradients', async () => {
      const c = { join: false, batches: [2, 2] };
      const [plain, custom, zero] = [await job(['node', 'node'], c), await job(['node', 'node'], { ...c, hook: 'custom' }), await job(['node', 'node'], { ...c, hook: 'zero' })];
      for (let r = 0; r < 2; r++) {
        assertSame(custom[r].first_grads, plain[r].first_grads, `rank ${r} first-step gradients`);
        for (const [name, g] of Object.entries(zero[r].first_grads)) assert.ok(g.every((v) => v === 0), `rank ${r} ${name}: ${g.slice(0, 4)}`);
      }
      // Zero gradients and momentum SGD: the parameters stay as rank 0 broadcast them.
      assert.deepEqual(zero[0].params, zero[1].params);
    });
  });

  describe('Join: 2 ranks with 3 and 5 batches', () => {
    for (const [cfg, label] of [
      [{}, ''],
      [{ bn: true }, ', BatchNorm buffers broadcast from a rank still training'],
      [{ divide_by_initial_world_size: false }, ', divide_by_initial_world_size=false (divided by the ranks still training)'],
      [{ unused: true, hook: 'allreduce' }, ', find_unused_parameters and allreduce_hook (the joined rank runs the hook on zero buckets)'],
      [{ hook: 'custom' }, ', a JS hook'],
      [{ throw_on_early_termination: true }, ', throw_on_early_termination: both ranks raise Python\'s errors'],
    ]) {
      it(`Node ranks and a Node+Python pair end as Python's DDP does${label}`, async () => {
        const want = await job(['python', 'python'], cfg);
        assert.deepEqual(want.map((r) => r.losses.length), cfg.throw_on_early_termination ? [3, 3] : [3, 5]);
        assertRanksEqual(await job(['node', 'node'], cfg), want, 'node+node');
        assertRanksEqual(await job(['node', 'python'], cfg), want, 'node+python');
        if (cfg.throw_on_early_termination) {
          assert.equal(want[0].error, 'Rank 0 exhausted all inputs.');
          assert.equal(want[1].error, 'Detected at least one rank that exhausted inputs. Throwing across all ranks.');
        } else {
          assert.deepEqual(want[0].params, want[1].params); // the final model sync
        }
      });
    }
    it('Join matters: without it the rank with more batches fails instead of training on', async () => {
      const port = await freePort();
      const rs = await Promise.all([0, 1].map((rank) => run(process.execPath, [NODE_RANK, JSON.stringify({
        join: false, batches: [1, 3], rank, world_size: 2, init_method: `tcp://127.0.0.1:${port}` })], { timeout: 60000 })));
      assert.equal(rs[1].code, 0, rs[1].stderr);
      const out = JSON.parse(rs[1].stdout.trim().split('\n').pop());
      assert.match(out.error ?? '', /Connection closed by peer|Connection reset|Timed out/, 'rank 1 cannot finish its extra batches alone');
      assert.equal(out.losses.length, 1);
    });
  });

  describe('in this process (a one-rank group)', () => {
    let pyMessages;
    before(async () => {
      const port = await freePort();
      // Python's own DDP constructor messages for CPU modules with device_ids / output_device.
      const script = `
import json, torch, torch.distributed as dist
dist.init_process_group('gloo', init_method='tcp://127.0.0.1:${port}', rank=0, world_size=1)
out = {}
for name, kw in [('ids', dict(device_ids=[0])), ('two', dict(device_ids=[0, 1])), ('out', dict(output_device=1)),
                 ('both', dict(device_ids=[1], output_device=1)), ('empty_out0', dict(device_ids=[], output_device=0))]:
    try:
        torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(3, 2), **kw)
        out[name] = None
    except Exception as e:
        out[name] = [type(e).__name__, str(e)]
print(json.dumps(out))
`;
      pyMessages = await json(PYTHON, ['-c', script]);
      dist.init_process_group('gloo', { init_method: `tcp://127.0.0.1:${await freePort()}`, rank: 0, world_size: 1 });
    });
    after(() => dist.destroy_process_group());

    it("device_ids / output_device on a CPU module: Python's ValueError messages", () => {
      const cases = { ids: { device_ids: [0] }, two: { device_ids: [0, 1] }, out: { output_device: 1 }, both: { device_ids: [1], output_device: 1 }, empty_out0: { device_ids: [], output_device: 0 } };
      for (const [name, kw] of Object.entries(cases)) {
        const want = pyMessages[name];
        if (want === null) {
          const ddp = new nn.parallel.DistributedDataParallel(new nn.Linear(3, 2), kw);
          assert.equal(ddp.device_ids, null);
          assert.equal(ddp.output_device, null);
          continue;
        }
        assert.equal(want[0], 'ValueError');
        assert.throws(() => new nn.parallel.DistributedDataParallel(new nn.Linear(3, 2), kw), (e) => { assert.equal(e.message, want[1], name); return true; });
      }
      assert.equal(String(new nn.parallel.DistributedDataParallel(new nn.Linear(3, 2)).device), 'cpu');
    });

    it('torch.futures.Future: set_result, then (chained, errors carried), collect_all, wait_all', () => {
      const f = new torch.futures.Future();
      const g = f.then((x) => x.value() * 2);
      const h = g.then((x) => x.value() + 1);
      assert.equal(f.done(), false);
      assert.equal(h.done(), false);
      assert.throws(() => h.value(), /has not completed yet/);
      assert.throws(() => f.wait(), /no result, and nothing can set one/);
      let seen = null;
      f.add_done_callback((x) => { seen = x.value(); });
      f.set_result(5);
      assert.equal(seen, 5);
      assert.equal(h.done(), true);
      assert.equal(h.wait(), 11);
      assert.throws(() => f.set_result(6), /Future can only be marked completed once/);
      assert.throws(() => g.set_result(1), /only a Future made with new Future\(\)/);
      const bad = f.then(() => { throw new RangeError('boom'); });
      const after = bad.then((x) => x.value());
      assert.throws(() => after.wait(), /boom/);
      const both = torch.futures.collect_all([f, g]);
      assert.deepEqual(both.wait().map((x) => x.value()), [5, 10]);
      assert.deepEqual(torch.futures.wait_all([g, h]), [10, 11]);
      assert.throws(() => torch.futures.wait_all([g, bad]), /boom/);
      assert.throws(() => f.then(3), /callback must be a function/);
    });

    it("Work.get_future(): the collective's outputs; then() callbacks run once, also from the event loop", async () => {
      const t = torch.tensor([1, 2, 3]);
      let runs = 0;
      const fut = dist.all_reduce(t, { async_op: true }).get_future();
      const doubled = fut.then((x) => { runs++; return x.value()[0].mul(2); });
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(runs, 1, 'run from the event loop once the all-reduce completed');
      assert.deepEqual(doubled.wait().tolist(), [2, 4, 6]);
      assert.equal(fut.value()[0], fut.wait()[0]);
      assert.deepEqual(fut.value()[0].tolist(), [1, 2, 3]);
      assert.equal(runs, 1);
    });

    it('register_comm_hook: the hook gets each GradBucket during backward; its checks', () => {
      const model = new nn.Linear(3, 2);
      const ddp = new nn.parallel.DistributedDataParallel(model);
      const seen = [];
      const state = { calls: 0 };
      ddp.register_comm_hook(state, (s, bucket) => {
        s.calls++;
        seen.push({ index: bucket.index(), last: bucket.is_last(), n: bucket.buffer().numel(), grads: bucket.gradients().map((g) => g.shape), params: bucket.parameters().map((p) => p.shape) });
        const fut = new torch.futures.Future();
        fut.set_result(bucket.buffer().mul_(10));
        return fut;
      });
      ddp(torch.ones(4, 3)).sum().backward();
      assert.equal(state.calls, 1);
      assert.deepEqual(seen, [{ index: 0, last: true, n: 8, grads: [[2, 3], [2]], params: [[2, 3], [2]] }]);
      assert.deepEqual(model.bias.grad.tolist(), [40, 40]);
      assert.throws(() => ddp.register_comm_hook(null, () => null), /can only be called once/);
      assert.throws(() => ddp._register_builtin_comm_hook(dist.BuiltinCommHookType.ALLREDUCE), /can only be called once/);

      const other = new nn.parallel.DistributedDataParallel(new nn.Linear(3, 2));
      assert.throws(() => other.register_comm_hook(null, 3), (e) => e instanceof TypeError && e.message === 'Communication hook must be callable.');
      assert.throws(() => other.register_comm_hook(null, dist.algorithms.ddp_comm_hooks.default_hooks.bf16_compress_hook),
        (e) => e instanceof TypeError && e.message === 'BF16 all reduce communication hook required CUDA 11+ and NCCL 2.10+.');
      other.register_comm_hook(null, () => 42);
      assert.throws(() => other(torch.ones(1, 3)).sum().backward(), /communication hook must return a torch.futures.Future, got number/);
    });

    it('a hook that throws fails backward with its error; set_buffer only inside the hook', () => {
      const ddp = new nn.parallel.DistributedDataParallel(new nn.Linear(3, 2));
      let kept;
      ddp.register_comm_hook(null, (s, bucket) => {
        kept = bucket;
        return dist.all_reduce(bucket.buffer(), { async_op: true }).get_future().then(() => { throw new RangeError('hook failed'); });
      });
      assert.throws(() => ddp(torch.ones(1, 3)).sum().backward(), /hook failed/);
      assert.throws(() => kept.set_buffer(torch.zeros(8)), /only be changed inside the communication hook/);
    });

    it('a JS hook reached from another native thread: a clear error, not a call into JS', () => {
      const { native } = require('../dist/native.js');
      const ddp = new nn.parallel.DistributedDataParallel(new nn.Linear(3, 2));
      let calls = 0;
      ddp.register_comm_hook(null, (s, b) => { calls++; const f = new torch.futures.Future(); f.set_result(b.buffer()); return f; });
      const msg = native.backward_on_other_thread(ddp(torch.ones(1, 3))._h);
      assert.match(msg, /^a DDP communication hook written in JS needs to run JS, but backward reached it on a thread that is not the JS thread/);
      assert.equal(calls, 0);
    });

    it('Join / ddp.join: argument checks, and a one-rank join just runs the loop', () => {
      const ddp = new nn.parallel.DistributedDataParallel(new nn.Linear(3, 2));
      const { Join } = dist.algorithms;
      assert.throws(() => Join([], () => {}), /The join context manager requires at least one joinable/);
      assert.throws(() => Join([{}], () => {}), /every joinable must be a Joinable/);
      assert.throws(() => ddp.join({ enabel: true }, () => {}), /join\(\) got an unexpected keyword argument 'enabel'/);
      assert.throws(() => ddp.join(true, { divide_by_initial_world_size: false }, () => {}), /got multiple values for argument 'divide_by_initial_world_size'/);
      assert.throws(() => Join([ddp], 'yes', () => {}), /enable must be a boolean/);
      assert.equal(ddp.join(() => { ddp(torch.ones(2, 3)).sum().backward(); return 7; }), 7);
      assert.equal(ddp._join_config.enable, true);
      assert.equal(Join([ddp], { enable: false }, () => 8), 8);
      // An error inside the context propagates at once (no shadowing).
      assert.throws(() => Join([ddp], () => { throw new RangeError('inside'); }), /inside/);
      const ctx = ddp.join();
      assert.equal(typeof ctx.run, 'function');
    });
  });
});
