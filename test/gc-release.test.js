'use strict';
// Tensors left to the garbage collector are freed inside the GC by V8 weak
// callbacks that never run JS: a GC that starts while a native call's error is
// being thrown must not kill the process (it did, when Node-API finalizers ran
// inside the GC with the error pending), and a worker's tensors go with it.
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { Worker } = require('node:worker_threads');
const torch = require('torch-node');

function runScript(body) {
  const code = `const torch = require(${JSON.stringify(require.resolve('torch-node'))});\n${body}`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 120000 });
  return { status: r.status, signal: r.signal, out: `${r.stdout}${r.stderr}` };
}

describe('GC-time release', () => {
  it('errors caught in a loop while tensors await the GC: the process lives (issue repro)', function () {
    this.timeout(150000);
    const r = runScript(`
      const a = torch.ones(3);
      let caught = 0;
      for (let i = 0; i < 100000; i++) { torch.ones(2); try { a.sum('x'); } catch { caught++; } }
      console.log('caught', caught);`);
    assert.equal(r.signal, null, r.out);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /caught 100000/);
  });

  it('errors from JS getters and bad arguments in a loop: the process lives', function () {
    this.timeout(150000);
    const r = runScript(`
      const a = torch.ones(3);
      const hostile = [1]; Object.defineProperty(hostile, 0, { get() { throw new Error('getter'); } });
      let caught = 0;
      for (let i = 0; i < 30000; i++) {
        torch.ones(256).mul(2);
        try { a.view(hostile); } catch { caught++; }
        try { a.add('x'); } catch { caught++; }
        // LibTorch's own errors cost milliseconds each (c10 records a backtrace), so fewer
        if (i % 100 === 0) { try { torch.zeros(2).index_put_([5], 1); } catch { caught++; } }
      }
      console.log('caught', caught);`);
    assert.equal(r.signal, null, r.out);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /caught 60300/);
  });

  it("a worker's tensors are freed when it exits", async function () {
    this.timeout(60000);
    const code = `
      const { parentPort } = require('node:worker_threads');
      const torch = require(${JSON.stringify(require.resolve('torch-node'))});
      globalThis.kept = Array.from({ length: 50 }, () => torch.ones(1000));
      parentPort.postMessage(torch.memory_stats().tensors);`;
    const during = await new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      let n;
      w.once('message', (m) => { n = m; });
      w.once('error', reject);
      w.once('exit', (c) => (c === 0 ? resolve(n) : reject(new Error(`worker exited with ${c}`))));
    });
    // Counts are process-wide; this thread makes no tensor meanwhile and its GC can only free
    // some, so the worker's 50 must be gone from the count it reported.
    const after = torch.memory_stats().tensors;
    assert.ok(after <= during - 50, `after exit ${after}, the worker reported ${during}: its 50 tensors are still live`);
  });
});
