'use strict';
// torch.distributed: stores, and a Gloo group of two Node ranks and one Python
// rank (PyTorch 1.13's own init_process_group) running the same collectives.
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const torch = require('torch-node');

const dist = torch.distributed;
const PYTHON = process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3';
const PY_RANK = path.join(__dirname, '..', 'scripts', 'reference', 'dist_rank.py');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

function collect(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${args[args.length - 1]} timed out:\n${err}`)); }, 90000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`exit ${code} ${signal ?? ''}:\n${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

// The Node rank: the same sequence as scripts/reference/dist_rank.py.
const NODE_RANK = `
const torch = require(${JSON.stringify(require.resolve('torch-node'))});
const dist = torch.distributed;
const [rank, world, port] = process.argv.slice(-3).map(Number);
(async () => {
  dist.init_process_group('gloo', { init_method: 'tcp://127.0.0.1:' + port, rank, world_size: world });
  const out = {};
  const t = torch.full([3], rank + 1);
  dist.all_reduce(t);
  out.all_reduce = t.tolist();
  const b = rank === world - 1 ? torch.tensor([7, 8]) : torch.zeros(2);
  dist.broadcast(b, world - 1);
  out.broadcast = b.tolist();
  const gathered = Array.from({ length: world }, () => torch.zeros(2));
  dist.all_gather(gathered, torch.tensor([rank, rank * 10]));
  out.all_gather = gathered.map((g) => g.tolist());
  if (rank === 1) dist.send(torch.tensor([42, 43]), world - 1);
  dist.barrier();
  const m = torch.tensor([rank]);
  await dist.all_reduce(m, { op: dist.ReduceOp.MAX, async_op: true }).wait_async();
  out.all_reduce_max = m.tolist();
  const r = torch.ones(1);
  dist.reduce(r, 0);
  out.reduce = r.tolist();
  console.log(JSON.stringify(out));
  dist.destroy_process_group();
})().catch((e) => { console.error(e); process.exit(1); });
`;

// PyTorch's pip wheels ship no Gloo headers, so an addon built against one (CI's LibTorch 2.13)
// has no torch.distributed; Debian's LibTorch (libgloo-dev) always does.
const { torchVersion } = require('./support/fixtures');
(torchVersion === '1.13' || torch.distributed.is_available() ? describe : describe.skip)('torch.distributed', function () {
  this.timeout(120000);

  it('is available in this build (LibTorch with Gloo)', () => {
    assert.equal(dist.is_available(), true);
    assert.equal(dist.is_initialized(), false);
    assert.throws(() => dist.get_rank(), /Default process group has not been initialized/);
  });

  it('stores: HashStore, FileStore, TCPStore (server and client), PrefixStore', async () => {
    const hs = new dist.HashStore();
    hs.set('a', 'x');
    assert.equal(hs.get('a').toString(), 'x');
    assert.equal(hs.add('n', 2), 2);
    assert.equal(hs.add('n', 3), 5);
    assert.equal(hs.check(['a', 'n']), true);
    assert.equal(hs.check(['zz']), false);
    assert.throws(() => hs.wait(['zz'], 50), /[Tt]imeout/);
    const pre = new dist.PrefixStore('p', hs);
    pre.set('a', new Uint8Array([1, 2]));
    assert.deepEqual([...hs.get('p/a')], [1, 2]);
    assert.equal(hs.get('a').toString(), 'x');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-dist-')), 'store');
    const fstore = new dist.FileStore(file, 1);
    fstore.set('k', 'v');
    assert.equal(new dist.FileStore(file, 1).get('k').toString(), 'v');
    const port = await freePort();
    const server = new dist.TCPStore('127.0.0.1', port, 2, true, 30000, false);
    const client = new dist.TCPStore('127.0.0.1', port, 2, false, 30000);
    client.set('hello', 'world');
    assert.equal(server.get('hello').toString(), 'world');
    assert.equal(server.port, port);
    assert.throws(() => new dist.TCPStore('127.0.0.1', port, { is_mastr: true }), /unexpected keyword argument 'is_mastr'/);
  });

  it('two Node ranks and a Python rank form one Gloo group and agree on every collective', async () => {
    const port = await freePort(), world = 3;
    const ranks = [
      collect(process.execPath, ['-e', NODE_RANK, '0', String(world), String(port)]),
      collect(process.execPath, ['-e', NODE_RANK, '1', String(world), String(port)]),
      collect(PYTHON, [PY_RANK, '2', String(world), String(port)]),
    ];
    const [r0, r1, py] = await Promise.all(ranks);
    for (const r of [r0, r1, py]) {
      assert.deepEqual(r.all_reduce, [6, 6, 6]);
      assert.deepEqual(r.broadcast, [7, 8]);
      assert.deepEqual(r.all_gather, [[0, 0], [1, 10], [2, 20]]);
      assert.deepEqual(r.all_reduce_max, [2]);
    }
    assert.deepEqual(py.recv, [42, 43]);
    assert.deepEqual(r0.reduce, [3]);
  });

  it('init_process_group checks its arguments as Python does', () => {
    assert.throws(() => dist.init_process_group('nccl', { init_method: 'tcp://127.0.0.1:1', rank: 0, world_size: 1 }), /Distributed package doesn't have NCCL built in/);
    assert.equal(dist.is_nccl_available(), false); // Debian's LibTorch has ProcessGroupNCCL.hpp but no CUDA, no nccl.h
    assert.throws(() => dist.init_process_group('gloo', { init_methd: 'x' }), /unexpected keyword argument 'init_methd'/);
    const saved = { ...process.env };
    delete process.env.MASTER_ADDR;
    try {
      assert.throws(() => dist.init_process_group('gloo', { rank: 0, world_size: 1 }), /MASTER_ADDR expected/);
    } finally {
      Object.assign(process.env, saved);
    }
  });

  it('a single-rank group in this process: collectives, new_group, async work', async () => {
    const port = await freePort();
    dist.init_process_group('gloo', { init_method: `tcp://127.0.0.1:${port}`, rank: 0, world_size: 1 });
    try {
      assert.equal(dist.get_rank(), 0);
      assert.equal(dist.get_world_size(), 1);
      assert.equal(dist.get_backend(), 'gloo');
      const t = torch.tensor([1, 2]);
      dist.all_reduce(t, { op: dist.ReduceOp.PRODUCT });
      assert.deepEqual(t.tolist(), [1, 2]);
      const work = dist.all_reduce(t, { async_op: true });
      await work.wait_async();
      assert.equal(work.is_completed(), true);
      const g = dist.new_group([0]);
      dist.all_reduce(t, { group: g });
      assert.deepEqual(t.tolist(), [1, 2]);
      assert.throws(() => dist.init_process_group('gloo', { init_method: `tcp://127.0.0.1:${port}`, rank: 0, world_size: 1 }), /twice/);
    } finally {
      dist.destroy_process_group();
    }
  });
});
