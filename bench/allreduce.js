#!/usr/bin/env node
'use strict';
// all_reduce bandwidth between local ranks on Gloo over 127.0.0.1: torch-node
// ranks against PyTorch 1.13 ranks (bench/allreduce.py), the same LibTorch
// underneath. Jobs alternate Node / Python for --rounds rounds (these machines
// swing), each reports the median time per all_reduce; printed: the best
// round's median, algorithm bandwidth (bytes / time) and bus bandwidth
// (2 (n-1)/n bytes / time, what a ring all-reduce moves per rank).
//
//   node bench/allreduce.js [--world 2] [--rounds 3] [--python /usr/bin/python3]
// A rank of the Node side (started by the above): node bench/allreduce.js --rank R WORLD PORT SIZES
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

const SIZES = { '1MB': [262144, 50], '100MB': [26214400, 5] }; // float32 elements, all_reduces timed

async function rankMain([rank, world, port, sizes]) {
  const torch = require('torch-node');
  const dist = torch.distributed;
  torch.set_num_threads(1);
  dist.init_process_group('gloo', { init_method: `tcp://127.0.0.1:${port}`, rank: Number(rank), world_size: Number(world) });
  const out = {};
  for (const [name, [numel, iters]] of Object.entries(JSON.parse(sizes))) {
    const t = torch.ones(numel);
    for (let i = 0; i < 2; i++) dist.all_reduce(t);
    const times = [];
    for (let i = 0; i < iters; i++) {
      dist.barrier();
      const t0 = process.hrtime.bigint();
      dist.all_reduce(t);
      times.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    times.sort((a, b) => a - b);
    out[name] = times.length % 2 ? times[times.length >> 1] : (times[times.length / 2 - 1] + times[times.length / 2]) / 2;
  }
  if (Number(rank) === 0) console.log(JSON.stringify(out));
  dist.destroy_process_group();
}

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  s.on('error', reject);
});

function job(cmd, argsFor, world) {
  return freePort().then((port) => Promise.all(Array.from({ length: world }, (_, r) => new Promise((resolve, reject) => {
    const child = spawn(cmd, argsFor(r, port), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 300000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`${cmd} rank ${r} exited with ${code}`));
      else resolve(out.trim() ? JSON.parse(out.trim().split('\n').pop()) : null);
    });
  })))).then((rs) => rs[0]);
}

async function main() {
  const args = process.argv.slice(2);
  const arg = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
  const world = Number(arg('world', 2)), rounds = Number(arg('rounds', 3)), python = arg('python', '/usr/bin/python3');
  const sizes = JSON.stringify(SIZES);
  const best = { node: {}, python: {} };
  for (let round = 0; round < rounds; round++) {
    const n = await job(process.execPath, (r, port) => [__filename, '--rank', String(r), String(world), String(port), sizes], world);
    const p = await job(python, (r, port) => [path.join(__dirname, 'allreduce.py'), String(r), String(world), String(port), sizes], world);
    for (const [side, res] of [['node', n], ['python', p]]) {
      for (const [k, s] of Object.entries(res)) best[side][k] = Math.min(best[side][k] ?? Infinity, s);
    }
  }
  console.log(`all_reduce, float32, ${world} local ranks on Gloo (127.0.0.1), best of ${rounds} rounds' medians`);
  console.log('size    side     ms/op    algbw GB/s  busbw GB/s');
  for (const [name, [numel]] of Object.entries(SIZES)) {
    const bytes = numel * 4;
    for (const side of ['node', 'python']) {
      const s = best[side][name];
      console.log(`${name.padEnd(7)} ${side.padEnd(7)} ${(s * 1e3).toFixed(3).padStart(8)}  ${(bytes / s / 1e9).toFixed(3).padStart(10)}  ${(2 * (world - 1) / world * bytes / s / 1e9).toFixed(3).padStart(10)}`);
    }
  }
}

if (process.argv[2] === '--rank') rankMain(process.argv.slice(3)).catch((e) => { console.error(e); process.exit(1); });
else main().catch((e) => { console.error(e); process.exit(1); });
