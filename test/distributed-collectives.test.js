'use strict';
// torch.distributed's collectives with 2 and 4 Node ranks, each result checked
// against the collective's definition; the collectives Gloo lacks raise
// Python's own error; object collectives; a rank that dies.
// Built without c10d (the pip wheel has no Gloo headers): skipped there; on Debian's 1.13 it must run.
const describeDistributed = require('./support/fixtures').torchVersion === '1.13' || require('torch-node').distributed.is_available() ? describe : describe.skip;
const assert = require('node:assert/strict');
const path = require('node:path');
const { PYTHON, freePort, run, json } = require('./support/dist-jobs');

const RANK = path.join(__dirname, 'support', 'dist-collectives-rank.js');
const v = (r) => [r + 1, 2 * r + 3, 0 - r]; // what rank r contributes (as in the rank script)
const range = (n) => Array.from({ length: n }, (_, i) => i);
// (as JSON carries them: -0 prints as 0)
const elementwise = (world, f) => range(3).map((i) => range(world).map((r) => v(r)[i]).reduce(f) + 0);
const obj = (r) => ({ rank: r, name: `rank-${r}`, items: range(r + 1).map((i) => i * 0.5), nested: { ok: r % 2 === 0 } });

async function job(world) {
  const port = await freePort();
  return Promise.all(range(world).map((r) => json(process.execPath, [RANK, String(r), String(world), String(port)], { timeout: 100000 })));
}

for (const world of [2, 4]) {
  describeDistributed(`torch.distributed collectives, ${world} Node ranks`, function () {
    this.timeout(120000);
    let results;
    before(async () => { results = await job(world); });

    it('all_reduce: SUM, PRODUCT, MIN, MAX, BAND, BOR, BXOR, async; AVG raises as on Python/Gloo', () => {
      const ints = (f) => [0, 1].map((i) => range(world).map((r) => [r + 1, 6 + r][i]).reduce(f));
      for (const out of results) {
        assert.deepEqual(out.all_reduce_SUM, elementwise(world, (a, b) => a + b));
        assert.deepEqual(out.all_reduce_PRODUCT, elementwise(world, (a, b) => a * b));
        assert.deepEqual(out.all_reduce_MIN, elementwise(world, (a, b) => Math.min(a, b)));
        assert.deepEqual(out.all_reduce_MAX, elementwise(world, (a, b) => Math.max(a, b)));
        assert.deepEqual(out.all_reduce_BAND, ints((a, b) => a & b));
        assert.deepEqual(out.all_reduce_BOR, ints((a, b) => a | b));
        assert.deepEqual(out.all_reduce_BXOR, ints((a, b) => a ^ b));
        assert.deepEqual(out.all_reduce_async, elementwise(world, (a, b) => a + b));
        assert.deepEqual(out.all_reduce_AVG, { error: 'Cannot use ReduceOp.AVG with Gloo' });
      }
    });

    it('broadcast from every rank, reduce, all_gather, gather, scatter', () => {
      results.forEach((out, rank) => {
        for (let src = 0; src < world; src++) assert.deepEqual(out[`broadcast_${src}`], v(src));
        assert.deepEqual(out.reduce_MAX, rank === world - 1 ? elementwise(world, (a, b) => Math.max(a, b)) : null);
        assert.deepEqual(out.all_gather, range(world).map(v));
        assert.deepEqual(out.gather, rank === world - 1 ? range(world).map(v) : null);
        assert.deepEqual(out.scatter, v(rank));
      });
    });

    it('all_to_all_single, even and uneven splits; send/recv in a ring; batch_isend_irecv; coalesced; a subgroup; monitored_barrier', () => {
      results.forEach((out, j) => {
        assert.deepEqual(out.all_to_all_single, range(world).map((r) => 100 * r + j));
        assert.deepEqual(out.all_to_all_single_uneven, range(world).flatMap((r) => Array(j + 1).fill(100 * r + j)));
        const prev = (j + world - 1) % world;
        assert.deepEqual(out.send_recv_ring, [prev, prev * 10]);
        const evens = range(world).filter((r) => r % 2 === 0);
        // [the subgroup's sum, this rank's rank in it, the global rank of its last rank, its members]
        assert.deepEqual(out.new_group_even, j % 2 === 0 ? [evens.reduce((a, b) => a + b), j / 2, evens[evens.length - 1], evens] : null);
        assert.equal(out.monitored_barrier, 'ok');
        assert.deepEqual(out.all_reduce_coalesced, [elementwise(world, (a, b) => a + b), [range(world).reduce((a, b) => a + 2 * b, 0)]]);
        assert.deepEqual(out.all_gather_coalesced, range(world).map((r) => [v(r), [r * 2]]));
        assert.deepEqual(out.batch_isend_irecv, [prev + 0.5]);
        assert.equal(out.get_backend, 'gloo');
      });
    });

    it('object collectives: all_gather_object, gather_object, broadcast_object_list, scatter_object_list', () => {
      results.forEach((out, rank) => {
        assert.deepEqual(out.all_gather_object, range(world).map(obj));
        assert.deepEqual(out.gather_object, rank === 0 ? range(world).map(obj) : null);
        assert.deepEqual(out.broadcast_object_list, [obj(1), 'two', [3]]);
        assert.deepEqual(out.scatter_object_list, obj(rank));
      });
    });

    it('the collectives Gloo lacks raise what Python raises for them', async function () {
      // Python 1.13 on a one-rank Gloo group, at test time: the first line of each error.
      const port = await freePort();
      const py = await json(PYTHON, ['-c', `
import json, torch, torch.distributed as dist
dist.init_process_group('gloo', init_method='tcp://127.0.0.1:${port}', rank=0, world_size=1)
out = {}
def rec(name, f):
    try:
        f(); out[name] = 'ok'
    except RuntimeError as e:
        out[name] = {'error': str(e).split('\\n')[0]}
rec('all_to_all', lambda: dist.all_to_all([torch.zeros(1)], [torch.ones(1)]))
rec('reduce_scatter', lambda: dist.reduce_scatter(torch.zeros(1), [torch.ones(1)]))
rec('all_gather_into_tensor', lambda: dist.all_gather_into_tensor(torch.zeros(1), torch.ones(1)))
rec('reduce_scatter_tensor', lambda: dist.reduce_scatter_tensor(torch.zeros(1), torch.ones(1)))
print(json.dumps(out))
`]);
      for (const name of ['all_to_all', 'reduce_scatter', 'all_gather_into_tensor', 'reduce_scatter_tensor']) {
        assert.ok(py[name].error, `Python raised for ${name}`);
        for (const out of results) assert.deepEqual(out[name], py[name], name);
      }
    });
  });
}

describeDistributed('torch.distributed: a rank that dies', function () {
  this.timeout(60000);

  it('makes the other ranks fail with a clear error within the timeout, not hang', async () => {
    const port = await freePort();
    const script = (rank) => `
const torch = require('torch-node');
const dist = torch.distributed;
dist.init_process_group('gloo', { init_method: 'tcp://127.0.0.1:${port}', rank: ${rank}, world_size: 2, timeout: 20000 });
const t = torch.ones(4);
dist.all_reduce(t);
if (${rank} === 1) process.exit(3); // dies between two collectives
dist.all_reduce(t);
console.log('survived');
`;
    const [r0, r1] = await Promise.all([0, 1].map((r) => run(process.execPath, ['-e', script(r)], { timeout: 50000 })));
    assert.equal(r1.code, 3);
    assert.notEqual(r0.code, 0, 'rank 0 must fail');
    assert.equal(r0.signal, null, 'rank 0 must fail by itself, not be killed by the test');
    assert.doesNotMatch(r0.stdout, /survived/);
    assert.match(r0.stderr, /Connection closed by peer|Connection reset|Timed out|timeout/i);
    assert.ok(r0.ms < 45000, `rank 0 took ${r0.ms} ms`);
  });
});

describeDistributed('torch.distributed: object collectives between a Node rank and a Python rank', function () {
  this.timeout(90000);

  it('Python reads what Node pickled and Node reads what Python pickled', async () => {
    const port = await freePort();
    const common = `[{"a": 1, "b": [1.5, "x", None, True]}, "text", [1, 2, 3]]`;
    const py = `
import json, torch, torch.distributed as dist
dist.init_process_group('gloo', init_method='tcp://127.0.0.1:${port}', rank=1, world_size=2)
out = {}
l = [None, None]
dist.all_gather_object(l, {"from": "python", "n": 2 ** 40, "f": 0.25, "t": (1, 2)})
out['all_gather_object'] = l
l = [None, None, None]
dist.broadcast_object_list(l, src=0)
out['broadcast_object_list'] = l
dist.broadcast_object_list([{"py": [1, 2]}, "done"], src=1)
dist.gather_object({"g": 1}, None, dst=0)
o = [None]
dist.scatter_object_list(o, None, src=0)
out['scatter_object_list'] = o[0]
print(json.dumps(out))
`;
    const node = `
const torch = require('torch-node');
const dist = torch.distributed;
dist.init_process_group('gloo', { init_method: 'tcp://127.0.0.1:${port}', rank: 0, world_size: 2 });
const out = {};
let l = [null, null];
dist.all_gather_object(l, { from: 'node', n: 7, f: 0.5, t: [3] });
out.all_gather_object = l;
dist.broadcast_object_list(${common.replace(/None/g, 'null').replace(/True/g, 'true')}, 0);
l = [null, null];
dist.broadcast_object_list(l, 1);
out.broadcast_object_list = l;
l = [null, null];
dist.gather_object({ g: 0 }, l, 0);
out.gather_object = l;
const o = [null];
dist.scatter_object_list(o, ['for node', { for: 'python' }], 0);
out.scatter_object_list = o[0];
console.log(JSON.stringify(out));
dist.destroy_process_group();
`;
    const [n, p] = await Promise.all([json(process.execPath, ['-e', node]), json(PYTHON, ['-c', py])]);
    const both = [{ from: 'node', n: 7, f: 0.5, t: [3] }, { from: 'python', n: 2 ** 40, f: 0.25, t: [1, 2] }];
    assert.deepEqual(n.all_gather_object, both);
    assert.deepEqual(p.all_gather_object, both);
    assert.deepEqual(p.broadcast_object_list, [{ a: 1, b: [1.5, 'x', null, true] }, 'text', [1, 2, 3]]);
    assert.deepEqual(n.broadcast_object_list, [{ py: [1, 2] }, 'done']);
    assert.deepEqual(n.gather_object, [{ g: 0 }, { g: 1 }]);
    assert.equal(n.scatter_object_list, 'for node');
    assert.deepEqual(p.scatter_object_list, { for: 'python' });
  });
});
