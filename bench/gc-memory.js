'use strict';
// The garbage loop of bench/run.js (4,000 x 3 MB of tensors, never disposed)
// under variants, each in its own process, with the load-independent numbers
// next to the time: peak RSS growth, peak native bytes held by tensors
// (memory_stats), minor page faults per iteration and the GCs V8 ran, by kind.
// Python (frees at once) is the reference.
//   node bench/gc-memory.js [iterations]
//   node bench/gc-memory.js 4000 --variant 'name=--node-flag ENV=value' ...
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
const iterations = Number(args[0]) || 4000;
const PYTHON = process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3';
const root = path.resolve(__dirname, '..');

// name -> [node flags, extra environment]
const variants = new Map([
  ['default', [[], {}]],
  ['--no-incremental-marking', [['--no-incremental-marking'], {}]],
  ['--max-semi-space-size=1', [['--max-semi-space-size=1'], {}]],
]);
for (let i = 1; i < args.length; i++) {
  if (args[i] !== '--variant') continue;
  const [name, ...parts] = args[++i].split(/\s+/);
  variants.set(name, [parts.filter((p) => p.startsWith('--')),
    Object.fromEntries(parts.filter((p) => !p.startsWith('--')).map((p) => p.split('=')))]);
}

const nodeChild = `const torch = require(${JSON.stringify(root)}); torch.set_num_threads(1);
const { PerformanceObserver } = require('node:perf_hooks');
const gcs = {};
const KIND = { 1: 'scavenge', 2: 'minor-mc', 4: 'mark-compact', 8: 'incremental', 16: 'weak-callbacks' };
const count = (entries) => { for (const e of entries) { const k = KIND[e.detail.kind] || e.detail.kind; gcs[k] = (gcs[k] || 0) + 1; } };
const obs = new PerformanceObserver((l) => count(l.getEntries()));
obs.observe({ entryTypes: ['gc'] });
const rss = () => process.memoryUsage.rss() / 2 ** 20;
for (let i = 0; i < 200; i++) { const t = torch.ones(262144); const u = t.add(1); u.mul(2); }
const f0 = process.resourceUsage().minorPageFault, r0 = rss();
let peak = r0, peakLive = 0;
const t0 = process.hrtime.bigint();
for (let i = 0; i < ${iterations}; i++) {
  const t = torch.ones(262144); const u = t.add(1); u.mul(2);
  if (i % 50 === 0) peak = Math.max(peak, rss());
  if (i % 10 === 0) peakLive = Math.max(peakLive, torch.memory_stats().bytes);
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const faults = (process.resourceUsage().minorPageFault - f0) / ${iterations};
// GC entries arrive from a task after each GC: let the pending ones in first.
setTimeout(() => { count(obs.takeRecords()); console.log(JSON.stringify({ ms, rss_growth_mb: peak - r0, peak_live_mb: peakLive / 2 ** 20, faults, gcs })); }, 50);`;

const pyChild = `import json, resource, time, torch
torch.set_num_threads(1)
def rss():
    with open('/proc/self/statm') as f: return int(f.read().split()[1]) * resource.getpagesize() / 2**20
for i in range(200):
    t = torch.ones(262144); u = t.add(1); v = u.mul(2)
f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt; r0 = rss(); peak = r0
t0 = time.perf_counter()
for i in range(${iterations}):
    t = torch.ones(262144); u = t.add(1); v = u.mul(2)
    if i % 50 == 0: peak = max(peak, rss())
ms = (time.perf_counter() - t0) * 1000
print(json.dumps({'ms': ms, 'rss_growth_mb': peak - r0, 'peak_live_mb': 3, 'faults': (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0) / ${iterations}, 'gcs': {}}))`;

const env = { ...process.env, OMP_NUM_THREADS: '1' };
const run = (cmd, argv, extra = {}) => JSON.parse(execFileSync(cmd, argv, { encoding: 'utf8', env: { ...env, ...extra } }).trim().split('\n').pop());

console.log(`garbage loop, ${iterations} x (ones(262144), add, mul), never disposed; time is load-dependent, the rest is not`);
console.log('variant | time ms | peak RSS growth MB | peak tensor MB | minor faults/iter | GCs');
console.log('--- | --- | --- | --- | --- | ---');
const row = (name, r) => console.log(`${name} | ${r.ms.toFixed(0)} | ${r.rss_growth_mb.toFixed(1)} | ${r.peak_live_mb.toFixed(1)} | ` +
  `${r.faults.toFixed(1)} | ${Object.entries(r.gcs).map(([k, n]) => `${k} ${n}`).join(', ')}`);
row('python', run(PYTHON, ['-c', pyChild]));
for (const [name, [flags, extra]] of variants) row(name, run(process.execPath, [...flags, '-e', nodeChild], extra));
