'use strict';
// The tutorial's workload side by side with PyTorch (Python) on the same
// LibTorch: ResNet-18 on 5x3x224x224, frozen-backbone training step, eval
// forward, full training step. Best of N rounds each; ratio Node/Python.
//   node bench/resnet18.js [rounds]      TORCH_DEVICE=cuda: on the GPU (both sides synchronise per step)
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const torch = require('..');
const nn = require('../dist/nn');
const models = require('../dist/torchvision/models');

const PYTHON = process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3';
const DEVICE = process.env.TORCH_DEVICE || 'cpu';
const sync = DEVICE.startsWith('cuda') ? () => torch.cuda.synchronize() : () => {};

function timed(fn, rounds) {
  fn(); // warm-up
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint(); fn(); sync();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}

function measureNode(rounds) {
  torch.manual_seed(0);
  const model = models.resnet18();
  for (const p of model.parameters()) p.requires_grad = false;
  model.fc = new nn.Linear(model.fc.in_features, 10);
  model.to(DEVICE);
  const x = torch.randn(5, 3, 224, 224).to(DEVICE), y = torch.randint(0, 10, [5]).to(DEVICE);
  const crit = new nn.CrossEntropyLoss();
  const opt = new torch.optim.SGD(model.fc.parameters(), { lr: 0.001, momentum: 0.9 });
  const step = () => { opt.zero_grad(); const loss = crit(model(x), y); loss.backward(); opt.step(); loss.dispose(); };
  const out = { frozen_step_ms: timed(step, rounds) };
  model.eval();
  out.eval_forward_ms = timed(() => torch.no_grad(() => model(x).dispose()), rounds);
  model.train();
  for (const p of model.parameters()) p.requires_grad = true;
  const opt2 = new torch.optim.SGD(model.parameters(), { lr: 0.001, momentum: 0.9 });
  out.full_step_ms = timed(() => { opt2.zero_grad(); const loss = crit(model(x), y); loss.backward(); opt2.step(); loss.dispose(); }, rounds);
  return out;
}

const rounds = Number(process.argv[2]) || 5;
const node = measureNode(rounds);
const py = JSON.parse(execFileSync(PYTHON, [path.join(__dirname, 'resnet18.py'), String(rounds)], { encoding: 'utf8' }).trim().split('\n').pop());
console.log(`ResNet-18 on ${DEVICE}, batch 5x3x224x224, best of ${rounds}, threads: ${torch.get_num_threads()} (LibTorch ${torch.backend_info().torch_version})`);
console.log('measure | node | python | node/python');
console.log('--- | --- | --- | ---');
for (const [label, key] of [['tutorial step (frozen backbone, new fc, SGD)', 'frozen_step_ms'], ['eval forward (no_grad)', 'eval_forward_ms'], ['full training step', 'full_step_ms']]) {
  console.log(`${label} | ${node[key].toFixed(1)} ms | ${py[key].toFixed(1)} ms | ${(node[key] / py[key]).toFixed(2)}`);
}
