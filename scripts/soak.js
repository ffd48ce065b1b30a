'use strict';
// Soak test (not in CI): trains a small model and serves forwards for a long
// time without ever disposing a tensor, as a naive PyTorch-style program does,
// and reports RSS every 30 s. Fails when RSS after warm-up grows by more than
// 5%: GC-time release must keep such a program flat.
//   node scripts/soak.js [--minutes 10] [--warmup 1] [--every 30]
const torch = require('torch-node');
const nn = require('torch-node/nn');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const minutes = option('minutes', 10), warmupMinutes = option('warmup', 1), everySeconds = option('every', 30);

torch.manual_seed(0);
const model = new nn.Sequential(new nn.Linear(256, 512), new nn.ReLU(), new nn.Linear(512, 10));
const criterion = new nn.CrossEntropyLoss();
const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });

const rssMb = () => process.memoryUsage.rss() / 2 ** 20;
const start = Date.now();
let nextReport = start, steps = 0, served = 0, baseline = null, last = 0;
console.log('minute\tRSS MB\tlive tensors\tsteps\tforwards');
while (Date.now() - start < minutes * 60000) {
  // One training step, then a few inference requests; nothing is disposed.
  model.train();
  optimizer.zero_grad();
  const loss = criterion(model(torch.randn(64, 256)), torch.randint(0, 10, [64]));
  loss.backward();
  optimizer.step();
  loss.item();
  steps++;
  model.eval();
  torch.no_grad(() => {
    for (let i = 0; i < 4; i++) { model(torch.randn(16, 256)).argmax(1); served++; }
  });
  const now = Date.now();
  if (now >= nextReport) {
    last = rssMb();
    if (baseline === null && now - start >= warmupMinutes * 60000) baseline = last;
    console.log(`${((now - start) / 60000).toFixed(1)}\t${last.toFixed(1)}\t${torch.memory_stats().tensors}\t${steps}\t${served}`);
    nextReport = now + everySeconds * 1000;
  }
}
last = rssMb();
if (baseline === null) baseline = last;
const growth = (last - baseline) / baseline;
console.log(`RSS after warm-up ${baseline.toFixed(1)} MB, at the end ${last.toFixed(1)} MB: ${(growth * 100).toFixed(1)}% growth ` +
  `(${steps} training steps, ${served} forwards)`);
if (growth > 0.05) { console.error('soak: RSS grew by more than 5% after warm-up'); process.exitCode = 1; }
