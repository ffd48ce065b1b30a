'use strict';
// Side-by-side benchmarks: torch-node and PyTorch (Python) on the same
// LibTorch, one run each, interleaved in one script. Prints a table with the
// ratio Node/Python (below 1: Node is faster or smaller).
//   node bench/run.js [calls]
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const torch = require('..');
const { perCallNs, meanNs } = require('./timing');

const PYTHON = process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3';

function rssMb() { return process.memoryUsage.rss() / 2 ** 20; }

function measureNode(calls) {
  torch.manual_seed(0);
  const a = torch.randn(1), b = torch.randn(1);
  const out = {};
  out.add_small_ns = perCallNs(() => torch.add(a, b), calls);
  out.add_small_mean_ns = meanNs(() => torch.add(a, b), calls);
  out.add_small_inplace_ns = perCallNs(() => a.add_(b), calls);
  const m1 = torch.randn(256, 256), m2 = torch.randn(256, 256);
  out.matmul_256_ns = perCallNs(() => torch.matmul(m1, m2).dispose(), 2000, 20);
  const x = torch.randn(100000);
  out.add_100k_ns = perCallNs(() => x.add(x), 20000, 50);
  out.add_100k_disposed_ns = perCallNs(() => x.add(x).dispose(), 20000, 50);
  const rss0 = rssMb();
  let peak = rss0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 4000; i++) {
    const t = torch.ones(262144); const u = t.add(1); u.mul(2); // 3 MB of garbage, never disposed
    if (i % 50 === 0) peak = Math.max(peak, rssMb());
  }
  out.garbage_loop_ms = Number(process.hrtime.bigint() - t0) / 1e6;
  out.garbage_loop_rss_growth_mb = peak - rss0;
  return out;
}

function measurePython(calls) {
  const stdout = execFileSync(PYTHON, [path.join(__dirname, 'core.py'), String(calls)], { encoding: 'utf8' });
  return JSON.parse(stdout.trim().split('\n').pop());
}

// The machines here swing in speed from minute to minute: interleave two
// rounds of each side and keep each side's better figure.
const calls = Number(process.argv[2]) || 100000;
const best = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, Math.min(a[k], b[k])]));
const n1 = measureNode(calls), p1 = measurePython(calls);
const n2 = measureNode(calls), p2 = measurePython(calls);
const node = best(n1, n2), py = best(p1, p2);
const rows = [
  ['add, 1-element tensors, new result (median per call)', 'add_small_ns', 'ns'],
  ['add, 1-element tensors, new result (mean per call, GC included)', 'add_small_mean_ns', 'ns'],
  ['add_, 1-element tensors, in place (median per call)', 'add_small_inplace_ns', 'ns'],
  ['add, 100k-element tensors, result left to the GC (median per call)', 'add_100k_ns', 'ns'],
  ['add, 100k-element tensors, result disposed (median per call)', 'add_100k_disposed_ns', 'ns'],
  ['matmul 256x256, result disposed (median per call)', 'matmul_256_ns', 'ns'],
  ['4,000 x 3 MB garbage loop, never disposed: time', 'garbage_loop_ms', 'ms'],
  ['4,000 x 3 MB garbage loop, never disposed: peak RSS growth', 'garbage_loop_rss_growth_mb', 'MB'],
];
const fmt = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
console.log(`torch-node ${torch.__version__} vs PyTorch (${PYTHON}) on LibTorch ${torch.backend_info().torch_version}, threads: ${torch.get_num_threads()}`);
console.log(['measure', 'node', 'python', 'node/python'].join(' | '));
console.log('--- | --- | --- | ---');
for (const [label, key, unit] of rows) {
  console.log(`${label} | ${fmt(node[key])} ${unit} | ${fmt(py[key])} ${unit} | ${(node[key] / py[key]).toFixed(2)}`);
}
