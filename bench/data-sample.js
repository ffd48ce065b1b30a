#!/usr/bin/env node
'use strict';
// Per-sample cost of the Fashion-MNIST data path, side by side with PyTorch (bench/data-sample.py):
// dataset[i] alone, + ToTensor, + Normalize (each step as the extra over the previous one), and
// default_collate of 64 [1, 28, 28] samples; microseconds per call, best of --reps rounds.
//   node bench/data-sample.js <root with FashionMNIST/raw> [--n 3000] [--reps 7] [--python /usr/bin/python3]
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const torch = require('torch-node');
const { default_collate } = require('torch-node/utils/data');
const { FashionMNIST } = require('torch-node/torchvision/datasets');
const transforms = require('torch-node/torchvision/transforms');

const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const root = args[0];
const n = Number(arg('n', 3000)), reps = Number(arg('reps', 7));
const python = arg('python', '/usr/bin/python3');
torch.set_num_threads(1);

const T = transforms;
const kinds = {
  raw: null,
  totensor: new T.Compose([new T.ToTensor()]),
  normalize: new T.Compose([new T.ToTensor(), new T.Normalize([0.2860], [0.3530])]),
};
/** microseconds per call of fn(i) over n indices, best of reps rounds */
function best(fn) {
  let b = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn(i);
    b = Math.min(b, Number(process.hrtime.bigint() - t0) / 1e3 / n);
  }
  return b;
}
const node = {};
for (const [k, tf] of Object.entries(kinds)) {
  const ds = new FashionMNIST(root, { train: true, transform: tf });
  node[k] = best((i) => { const [x] = ds.__getitem__(i); if (x && x.dispose) x.dispose(); });
}
{
  const ds = new FashionMNIST(root, { train: true, transform: kinds.normalize });
  const batch = Array.from({ length: 64 }, (_, i) => ds.__getitem__(i));
  const nc = Math.max(1, Math.floor(n / 64));
  let b = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < nc; i++) { const [x, y] = default_collate(batch); x.dispose(); y.dispose(); }
    b = Math.min(b, Number(process.hrtime.bigint() - t0) / 1e3 / nc);
  }
  node.collate64 = b;
}
const py = JSON.parse(execFileSync(python, [path.join(__dirname, 'data-sample.py'), root, String(n), String(reps)], { encoding: 'utf8' }));
const row = (label, a, b) => console.log(`  ${label.padEnd(28)} torch-node ${a.toFixed(1).padStart(7)} us, PyTorch ${b.toFixed(1).padStart(7)} us, ratio ${(a / b).toFixed(2)}`);
console.log(`Fashion-MNIST per sample (best of ${reps} x ${n}):`);
row('dataset[i] (image object)', node.raw, py.raw);
row('+ ToTensor', node.totensor - node.raw, py.totensor - py.raw);
row('+ Normalize', node.normalize - node.totensor, py.normalize - py.totensor);
row('whole sample', node.normalize, py.normalize);
row('default_collate of 64', node.collate64, py.collate64);
