#!/usr/bin/env node
'use strict';
// Data loading side by side with PyTorch (Debian's /usr/bin/python3, the same LibTorch), one run:
//  1. Fashion-MNIST (Debian's real files) through datasets.FashionMNIST + ToTensor + Normalize and a
//     shuffled DataLoader of batch 64, with 0 and 2 workers: batches/s over the first N batches,
//     the iterator's start (and the workers') included, as a training loop sees it; then an
//     ImageFolder of JPEGs: decode + RandomResizedCrop(224) + Normalize, batch 32;
//  2. one epoch of examples/fashion-mnist-transfer.ts against its Python twin (wall time of the whole
//     run, both offline without pretrained weights, so both start from the same random weights).
//   node bench/data.js [--batches 300] [--train 1024] [--size 64] [--python /usr/bin/python3]
//                      [--parts fashion,folder,epoch] (which of the three to run; all by default)
const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const torch = require('torch-node');
const { DataLoader } = require('torch-node/utils/data');
const { FashionMNIST, ImageFolder } = require('torch-node/torchvision/datasets');
const transforms = require('torch-node/torchvision/transforms');

const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const batches = Number(arg('batches', 300));
const python = arg('python', '/usr/bin/python3');
const parts = new Set(arg('parts', 'fashion,folder,epoch').split(','));
const DEBIAN = '/usr/share/datasets/fashion-mnist';
const ROOT = path.join(__dirname, '..');

if (!fs.existsSync(DEBIAN)) { console.error(`bench/data.js: ${DEBIAN} is missing (apt-get install dataset-fashion-mnist)`); process.exit(1); }
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-bench-data-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
const raw = path.join(work, 'data', 'FashionMNIST', 'raw');
fs.mkdirSync(raw, { recursive: true });
for (const f of fs.readdirSync(DEBIAN).filter((n) => n.endsWith('.gz'))) fs.writeFileSync(path.join(raw, f.slice(0, -3)), zlib.gunzipSync(fs.readFileSync(path.join(DEBIAN, f))));

torch.set_num_threads(1);
/** batches/s over the first `n` batches of a shuffled loader, per worker count, here and in Python. */
function loaderRates(kind, root, ds, batch_size, n) {
  const node = {};
  for (const w of [0, 2]) {
    torch.manual_seed(0);
    const loader = new DataLoader(ds, { batch_size, shuffle: true, num_workers: w });
    const t0 = process.hrtime.bigint();
    let k = 0;
    for (const batch of loader) { k++; if (k === n) break; } // eslint-disable-line no-unused-vars
    node[w] = k / (Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const py = {};
  for (const line of execFileSync(python, [path.join(__dirname, 'data.py'), kind, root, String(n), '0', '2'], { encoding: 'utf8' }).trim().split('\n')) {
    const r = JSON.parse(line);
    py[r.workers] = r.batches_per_s;
  }
  for (const w of [0, 2]) console.log(`  num_workers=${w}: torch-node ${node[w].toFixed(1)}, PyTorch ${py[w].toFixed(1)}, torch-node/PyTorch time ratio ${(py[w] / node[w]).toFixed(2)}`);
}

if (parts.has('fashion')) {
console.log(`Fashion-MNIST DataLoader (batch 64, ToTensor+Normalize, first ${batches} batches), batches/s:`);
const fashion = new FashionMNIST(path.join(work, 'data'), { train: true, transform: new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.2860], [0.3530])]) });
loaderRates('fashion', path.join(work, 'data'), fashion, 64, batches);
}

if (parts.has('folder')) {
// An ImageFolder of 96x96 JPEGs (written by PIL from Fashion-MNIST): decode + RandomResizedCrop(224) + Normalize.
execFileSync(python, [path.join(ROOT, 'scripts', 'reference', 'make_fashion_jpegs.py'), path.join(work, 'jpegs'), '--classes', '0', '1', '2', '3', '--train', '160', '--val', '0', '--size', '96']);
const folder = new ImageFolder(path.join(work, 'jpegs', 'train'), { transform: new transforms.Compose([
  new transforms.ToTensor(), new transforms.RandomResizedCrop(224), new transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]) });
const folderBatches = Math.min(20, Math.floor(folder.__len__() / 32));
console.log(`ImageFolder of JPEGs (batch 32, decode + RandomResizedCrop(224) + Normalize, first ${folderBatches} batches), batches/s:`);
loaderRates('folder', path.join(work, 'jpegs', 'train'), folder, 32, folderBatches);
}
if (parts.has('epoch')) {

// One epoch of the transfer example, both offline (a closed proxy port: the download fails at once).
const epochArgs = ['--train', arg('train', '1024'), '--test', '512', '--epochs', '1', '--size', arg('size', '64'), '--workers', '2'];
const env = { ...process.env, TORCH_HOME: path.join(work, 'hub'), https_proxy: 'http://127.0.0.1:9' };
for (const k of ['HTTPS_PROXY', 'no_proxy', 'NO_PROXY']) delete env[k];
execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'examples', 'tsconfig.json')]);
const timed = (file, argv) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, argv, { cwd: work, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${file} ${argv.join(' ')} failed:\n${r.stderr}`);
  return { s: Number(process.hrtime.bigint() - t0) / 1e9, line: r.stdout.split('\n').find((l) => l.startsWith('Epoch ')) };
};
const tn = timed(process.execPath, [path.join(ROOT, 'build', 'examples', 'fashion-mnist-transfer.js'), ...epochArgs, '--save', 'node.pth']);
const tp = timed(python, [path.join(ROOT, 'scripts', 'reference', 'fashion_mnist_transfer.py'), ...epochArgs, '--save', 'python.pth']);
console.log(`One epoch of the Fashion-MNIST transfer example (${epochArgs.join(' ')}), whole run:`);
console.log(`  torch-node ${tn.s.toFixed(1)} s, PyTorch ${tp.s.toFixed(1)} s, ratio ${(tn.s / tp.s).toFixed(2)}; ${tn.line === tp.line ? 'same line' : `DIFFERENT lines:\n    ${tn.line}\n    ${tp.line}`}`);
}
