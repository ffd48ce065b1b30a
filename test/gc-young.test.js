'use strict';
// Dropped tensors freed by minor GCs (native/addon.cpp, count_new_storage;
// docs/gc-cost.md): a minor GC per 8 MB of new storage keeps a loop that never
// disposes near Python's footprint, where V8's external-memory heuristic alone
// holds 64 MB and more. Each case runs in a child, on its own V8 heap, and
// measures bytes held by tensors (memory_stats) and GCs by kind: both are
// load-independent.
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');

function child(body, env = {}) {
  const script = `const torch = require(${JSON.stringify(ROOT)}); torch.set_num_threads(1);
    const { PerformanceObserver } = require('node:perf_hooks');
    const gcs = { scavenge: 0, other: 0 };
    const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) gcs[e.detail.kind === 1 ? 'scavenge' : 'other']++; });
    obs.observe({ entryTypes: ['gc'] });
    const out = (() => { ${body} })();
    setTimeout(() => { for (const e of obs.takeRecords()) gcs[e.detail.kind === 1 ? 'scavenge' : 'other']++;
      process.stdout.write(JSON.stringify({ ...out, gcs })); }, 50);`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 240000, env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const GARBAGE_LOOP = `let peak = 0;
  for (let i = 0; i < 400; i++) {
    const t = torch.ones(262144); const u = t.add(1); u.mul(2); // 3 MB of garbage
    peak = Math.max(peak, torch.memory_stats().bytes);
  }
  return { peak_mb: peak / 2 ** 20 };`;

describe('dropped tensors freed by minor GCs', function () {
  this.timeout(300000);

  it('a loop that never disposes holds a few MB of tensors, not V8\'s 64 MB external-memory allowance', () => {
    const young = child(GARBAGE_LOOP);
    const off = child(GARBAGE_LOOP, { TORCH_NODE_YOUNG_GC_MB: '0' });
    assert.ok(young.peak_mb < 40, `peak ${young.peak_mb} MB of tensors with minor GCs`);
    assert.ok(young.gcs.scavenge >= 100, `only ${young.gcs.scavenge} scavenges for 1.2 GB of tensors`);
    // Without them (the mechanism off), V8 waits for 64 MB: the test above measures something.
    assert.ok(off.peak_mb > 60, `peak ${off.peak_mb} MB with the minor GCs off`);
  });

  it('views of one storage are not new memory: no GC for them', () => {
    const r = child(`const base = torch.zeros(16 * 262144); // 16 MB
      for (let i = 0; i < 2000; i++) base.view([-1]).narrow(0, 0, 10);
      return {};`);
    assert.ok(r.gcs.scavenge < 10, `${r.gcs.scavenge} scavenges for views only`);
  });

  it('tensors still referenced survive the minor GCs, values intact', () => {
    const r = child(`const kept = [];
      for (let i = 0; i < 64; i++) {
        kept.push(torch.full([262144], i));
        for (let j = 0; j < 4; j++) torch.ones(262144).add(1); // garbage between them
      }
      return { sums: kept.map((t) => t.sum().item()), live: torch.memory_stats().tensors };`);
    assert.deepEqual(r.sums, Array.from({ length: 64 }, (_, i) => i * 262144));
    assert.ok(r.gcs.scavenge >= 10, `${r.gcs.scavenge} scavenges`);
  });
});
