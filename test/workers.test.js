'use strict';
// The addon is context-aware: it loads and works in worker_threads, two at once.
const assert = require('node:assert/strict');
const { Worker } = require('node:worker_threads');

function runWorker(seed) {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const torch = require(${JSON.stringify(require.resolve('torch-node'))});
    let acc = 0;
    for (let i = 0; i < 200; i++) {
      const x = torch.ones(100, 100).mul(workerData.seed);
      acc += x.sum().item();
    }
    const g = torch.tensor([1, 2, 3], { requires_grad: true });
    g.pow(2).sum().backward();
    parentPort.postMessage({ acc, grad: g.grad.tolist() });`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { seed } });
    w.once('message', resolve);
    w.once('error', reject);
    w.once('exit', (c) => { if (c !== 0) reject(new Error(`worker exited with ${c}`)); });
  });
}

describe('worker_threads', () => {
  it('two workers at once compute independently', async function () {
    this.timeout(60000);
    const [a, b] = await Promise.all([runWorker(1), runWorker(2)]);
    // Exact: sums of small integers are exact in float32 in any order and on any CPU.
    assert.equal(a.acc, 200 * 10000);
    assert.equal(b.acc, 200 * 20000);
    assert.deepEqual(a.grad, [2, 4, 6]);
    assert.deepEqual(b.grad, [2, 4, 6]);
  });

  it('the main thread still works after workers exit', async () => {
    await runWorker(3);
    const torch = require('torch-node');
    assert.equal(torch.ones(3).sum().item(), 3);
  });
});
