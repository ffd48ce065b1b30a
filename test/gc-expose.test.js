'use strict';
// The minor GCs of native/addon.cpp (count_new_storage) use the gc function of
// a private context made while V8's --expose-gc was on for a moment: contexts
// made afterwards (vm, workers) have no `gc` global unless the process had the
// flag on already. Each case runs in a child: the flag is process-wide.
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');

// Makes tensors until the addon has requested minor GCs (counted), then reports
// what `gc` is in the main context, a new vm context and a new worker.
const PROBE = `
  const torch = require(${JSON.stringify(ROOT)}); torch.set_num_threads(1);
  const vm = require('node:vm');
  const { Worker } = require('node:worker_threads');
  const { PerformanceObserver } = require('node:perf_hooks');
  let scavenges = 0;
  const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.detail.kind === 1) scavenges++; });
  obs.observe({ entryTypes: ['gc'] });
  for (let i = 0; i < 40; i++) torch.ones(262144).add(1); // 80 MB of new storage: ~10 minor GCs
  setTimeout(() => {
    for (const e of obs.takeRecords()) if (e.detail.kind === 1) scavenges++;
    obs.disconnect();
    const w = new Worker('require("node:worker_threads").parentPort.postMessage(typeof gc)', { eval: true });
    w.once('message', (worker) => {
      process.stdout.write(JSON.stringify({ scavenges, main: typeof gc, vm: vm.runInNewContext('typeof gc'), worker }));
    });
  }, 50);`;

function child(script, flags = []) {
  const r = spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.signal, null, `killed by ${r.signal}:\n${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('minor GCs without a lasting --expose-gc', function () {
  this.timeout(180000);

  it('after minor GCs, a new vm context and a new worker have no gc global', () => {
    const r = child(PROBE);
    assert.ok(r.scavenges >= 5, `only ${r.scavenges} scavenges: the minor GCs did not run`);
    assert.deepEqual({ main: r.main, vm: r.vm, worker: r.worker }, { main: 'undefined', vm: 'undefined', worker: 'undefined' });
  });

  it('under node --expose-gc, gc stays everywhere', () => {
    const r = child(PROBE, ['--expose-gc']);
    assert.ok(r.scavenges >= 5, `only ${r.scavenges} scavenges`);
    assert.deepEqual({ main: r.main, vm: r.vm, worker: r.worker }, { main: 'function', vm: 'function', worker: 'function' });
  });

  it('turned on at run time (v8.setFlagsFromString) before torch-node, it stays on', () => {
    const r = child(`require('node:v8').setFlagsFromString('--expose-gc');\n${PROBE}`);
    assert.ok(r.scavenges >= 5, `only ${r.scavenges} scavenges`);
    // The main context predates the flag; contexts made after it have gc.
    assert.deepEqual({ main: r.main, vm: r.vm, worker: r.worker }, { main: 'undefined', vm: 'function', worker: 'function' });
  });

  it('turned off at run time after torch-node\'s first minor GC, the next ones still run (V8 aborts a testing-API request without the flag)', () => {
    const r = child(`const torch = require(${JSON.stringify(ROOT)}); torch.set_num_threads(1);
      for (let i = 0; i < 20; i++) torch.ones(262144).add(1);
      require('node:v8').setFlagsFromString('--no-expose-gc');
      let peak = 0;
      for (let i = 0; i < 200; i++) { torch.ones(262144).add(1); peak = Math.max(peak, torch.memory_stats().bytes); }
      process.stdout.write(JSON.stringify({ peak_mb: peak / 2 ** 20 }));`, ['--expose-gc']);
    assert.ok(r.peak_mb < 40, `peak ${r.peak_mb} MB of tensors: the minor GCs stopped`);
  });

  it('workers making minor GCs at the same time: each holds little, none leaves gc behind', () => {
    const r = child(`
      const { Worker } = require('node:worker_threads');
      const body = 'const torch = require(' + ${JSON.stringify(JSON.stringify(ROOT))} + '); torch.set_num_threads(1);' +
        'for (let i = 0; i < 400; i++) torch.ones(262144).add(1);' +
        'require("node:worker_threads").parentPort.postMessage(torch.memory_stats().bytes < 64 * 2 ** 20)';
      let done = 0; const ok = [];
      for (let k = 0; k < 4; k++) {
        new Worker(body, { eval: true }).once('message', (m) => {
          ok.push(m);
          if (++done === 4) process.stdout.write(JSON.stringify({ ok, vm: require('node:vm').runInNewContext('typeof gc') }));
        });
      }`);
    assert.deepEqual(r, { ok: [true, true, true, true], vm: 'undefined' });
  });
});
