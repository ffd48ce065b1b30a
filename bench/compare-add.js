'use strict';
// Per-call cost of add on 1-element tensors for two builds of torch-node, interleaved
// (e.g. a copy of another commit's dist/ + build/ + package.json at ROOT_A):
//   node bench/compare-add.js ROOT_A ROOT_B [rounds]
// Each measurement runs in a fresh process: torch.add first (as bench/run.js does, so that
// warm-up is included), then t.add and t.add_ (steady state).
const { execFileSync } = require('node:child_process');

if (process.argv[2] === '--child') {
  const torch = require(process.argv[3]);
  const { perCallNs } = require('./timing');
  torch.manual_seed(0);
  const a = torch.randn(1), b = torch.randn(1);
  const r = [perCallNs(() => torch.add(a, b), 200000), perCallNs(() => a.add(b), 200000), perCallNs(() => a.add_(b), 200000)];
  console.log(JSON.stringify(r));
} else {
  const [A, B] = process.argv.slice(2, 4);
  const rounds = Number(process.argv[4] ?? 3);
  const run = (root) => JSON.parse(execFileSync(process.execPath, [__filename, '--child', root], { encoding: 'utf8' }));
  console.log('round | torch.add first A / B | t.add A / B | t.add_ A / B (ns, median per call)');
  for (let i = 0; i < rounds; i++) {
    const a = run(A), b = run(B);
    console.log(`${i + 1} | ${a[0].toFixed(0)} / ${b[0].toFixed(0)} | ${a[1].toFixed(0)} / ${b[1].toFixed(0)} | ${a[2].toFixed(0)} / ${b[2].toFixed(0)}`);
  }
}
