#!/usr/bin/env node
'use strict';
// One optimizer step over ResNet-18's parameters (the 62 tensors of
// torchvision's resnet18, 11.7M floats; gradients fixed), torch-node against
// PyTorch (Debian's /usr/bin/python3, the same LibTorch), on the same machine.
// Rounds alternate between this process and a Python child that waits on
// stdin, so both see the same machine state (these machines swing ~2x).
//
//   node bench/optim-step.js [--threads N] [--steps 20] [--rounds 7] [--python /usr/bin/python3]
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const torch = require('torch-node');
const optim = require('torch-node/optim');

const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const threads = Number(arg('threads', torch.get_num_threads()));
const steps = Number(arg('steps', 20));
const rounds = Number(arg('rounds', 7));
const python = arg('python', '/usr/bin/python3');
const SHAPES = require('./resnet18-shapes.json');

torch.set_num_threads(threads);

// 'SGD' (momentum 0.9) and 'Adam' over ResNet-18's shapes; 'SGD-tiny': 62 tensors of 4
// floats, where the step is all per-call overhead (JS -> LibTorch, Python -> LibTorch).
function make(name) {
  torch.manual_seed(0);
  const params = (name === 'SGD-tiny' ? SHAPES.map(() => [4]) : SHAPES).map((s) => torch.randn(s).requires_grad_());
  for (const p of params) { const g = torch.randn(p.shape); p.grad = g; g.dispose(); } // .grad holds its own reference
  const opt = name.startsWith('SGD') ? new optim.SGD(params, { lr: 0.01, momentum: 0.9 }) : new optim.Adam(params, { lr: 1e-3 });
  for (let i = 0; i < 3; i++) opt.step(); // warm up; creates the state
  return opt;
}

function roundMs(opt, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) opt.step();
  return Number(process.hrtime.bigint() - t0) / 1e6 / n;
}

async function main() {
  const py = spawn(python, [path.join(__dirname, 'optim-step.py'), '--serve', '--threads', String(threads)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: py.stdout })[Symbol.asyncIterator]();
  const next = async () => { const r = await lines.next(); if (r.done) throw new Error('the Python side exited'); return JSON.parse(r.value); };
  const info = await next();

  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const rows = [];
  for (const name of ['SGD', 'Adam', 'SGD-tiny']) {
    const n = name === 'SGD-tiny' ? steps * 50 : steps;
    // Each optimizer starts from the same clean state on both sides (the allocator's state
    // matters: Adam's temporaries are 9 MB blocks), and is freed before the next.
    const opt = make(name);
    py.stdin.write(`make ${name}\n`);
    await next();
    const before = torch.memory_stats().tensors;
    const js = [], pyMs = [];
    for (let r = 0; r < rounds; r++) {
      js.push(roundMs(opt, n));
      py.stdin.write(`run ${name} ${n}\n`);
      pyMs.push((await next()).ms);
    }
    const leaked = torch.memory_stats().tensors - before;
    rows.push({ name, js: median(js), py: median(pyMs), jsMin: Math.min(...js), pyMin: Math.min(...pyMs), leaked });
    for (const s of opt.state.values()) for (const v of Object.values(s)) if (v instanceof torch.Tensor) v.dispose();
    for (const g of opt.param_groups) for (const p of g.params) { p.grad = null; p.dispose(); }
    py.stdin.write(`free ${name}\n`);
    await next();
  }
  py.stdin.end();

  const numel = SHAPES.reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  console.log(`optimizer step over ResNet-18's parameters: ${SHAPES.length} tensors, ${numel.toLocaleString('en-US')} floats`);
  console.log(`torch-node (LibTorch ${torch.backend_info().torch_version}) vs PyTorch ${info.torch} (${python}); ` +
    `${threads} thread(s) on both (Python reports ${info.threads}); shapes match torchvision: ${info.shapes_match_torchvision}`);
  console.log(`${rounds} interleaved rounds of ${steps} steps; ms per step (median of rounds, min in brackets)\n`);
  const pad = (s, n) => String(s).padStart(n);
  console.log(`${'optimizer'.padEnd(22)}${pad('torch-node', 18)}${pad('PyTorch', 18)}${pad('ratio', 8)}${pad('tensors leaked', 16)}`);
  for (const r of rows) {
    const label = { SGD: 'SGD(momentum=0.9)', Adam: 'Adam', 'SGD-tiny': 'SGD, 62 x 4 floats' }[r.name];
    console.log(`${label.padEnd(22)}${pad(`${r.js.toFixed(2)} (${r.jsMin.toFixed(2)})`, 18)}${pad(`${r.py.toFixed(2)} (${r.pyMin.toFixed(2)})`, 18)}` +
      `${pad((r.js / r.py).toFixed(2), 8)}${pad(r.leaked, 16)}`);
  }
  console.log('\nratio = torch-node / PyTorch (below 1: torch-node is faster); the last row is per-call overhead only');
}

main().catch((e) => { console.error(e); process.exit(1); });
