'use strict';
// The allocator policy behind tensors freed in bursts by minor GCs
// (native/addon.cpp, set_allocator_policy; docs/gc-cost.md): glibc's mmap and
// trim thresholds pinned at 32/64 MB, so that the ~8 MB a minor GC frees at
// once is reused by the next results instead of handed back to the kernel and
// faulted in again. Page faults are counted by the kernel: load-independent.
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');

// Minor page faults per 100,000-element add left to the GC, after a warm-up.
function faultsPerCall(env = {}) {
  const script = `const torch = require(${JSON.stringify(ROOT)}); torch.set_num_threads(1);
    const x = torch.randn(100000);
    for (let i = 0; i < 2000; i++) x.add(x);
    const f0 = process.resourceUsage().minorPageFault;
    for (let i = 0; i < 4000; i++) x.add(x);
    const y = x.add(1);
    process.stdout.write(JSON.stringify({ faults: (process.resourceUsage().minorPageFault - f0) / 4000,
      ok: Math.abs(y.sum().item() - x.sum().item() - 100000) < 1 }));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 240000, env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('allocator policy for tensors freed by minor GCs', function () {
  this.timeout(300000);

  it('400 KB results left to the GC reuse freed memory: almost no page faults per call', () => {
    const r = faultsPerCall();
    assert.ok(r.ok);
    // glibc's dynamic thresholds (TORCH_NODE_MMAP_THRESHOLD=0) measured 1.3-3.7 per call here.
    assert.ok(r.faults < 0.3, `${r.faults} minor page faults per call`);
  });

  it('a user\'s own glibc setting wins, and TORCH_NODE_MMAP_THRESHOLD=0 leaves glibc\'s defaults', () => {
    // mmap for every 400 KB result: each one faults its ~100 pages in.
    const user = faultsPerCall({ MALLOC_MMAP_THRESHOLD_: '131072' });
    assert.ok(user.ok);
    assert.ok(user.faults > 50, `${user.faults} faults per call with the user's 128 KB mmap threshold`);
    const tunable = faultsPerCall({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=131072' });
    assert.ok(tunable.faults > 50, `${tunable.faults} faults per call with the user's tunable`);
    const off = faultsPerCall({ TORCH_NODE_MMAP_THRESHOLD: '0' });
    assert.ok(off.ok);
  });
});

// TORCH_NODE_YOUNG_GC_COUNT=<N> (native/addon.cpp, count_new_storage): a minor
// GC per N new tensors as well, for small results whose bytes never reach the
// 8 MB step. Scavenges are counted by V8's performance entries: load-independent.
function scavenges(body, env) {
  const script = `const torch = require(${JSON.stringify(ROOT)}); torch.set_num_threads(1);
    const { PerformanceObserver } = require('node:perf_hooks');
    let n = 0;
    const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.detail.kind === 1) n++; });
    obs.observe({ entryTypes: ['gc'] });
    const a = torch.ones(1), b = torch.ones(1);
    const kept = [];
    ${body}
    setTimeout(() => { for (const e of obs.takeRecords()) if (e.detail.kind === 1) n++;
      process.stdout.write(JSON.stringify({ n, kept: kept.map((t) => t.item()) })); }, 50);`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 240000, env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('a minor GC per N new tensors (TORCH_NODE_YOUNG_GC_COUNT)', function () {
  this.timeout(300000);
  const LOOP = 'for (let i = 0; i < 20000; i++) { const r = torch.add(a, b); if (i % 1000 === 0) kept.push(r); }';

  it('20,000 one-element results: a scavenge per 1,000 with N=1000, none of ours without it', () => {
    const on = scavenges(LOOP, { TORCH_NODE_YOUNG_GC_COUNT: '1000' });
    const off = scavenges(LOOP, {});
    assert.ok(on.n >= 19, `${on.n} scavenges with N=1000`);
    assert.ok(off.n < 10, `${off.n} scavenges without N`);
    // Results still referenced survive those scavenges intact.
    assert.deepEqual(on.kept, new Array(20).fill(2));
  });

  it('disposed results do not count toward N', () => {
    const r = scavenges('for (let i = 0; i < 20000; i++) torch.add(a, b).dispose();', { TORCH_NODE_YOUNG_GC_COUNT: '1000' });
    assert.ok(r.n < 10, `${r.n} scavenges for disposed results`);
  });
});
