'use strict';
// The tutorial (examples/transfer-learning.ts) against its Python original
// (scripts/reference/transfer_learning.py, run by Debian's Python with torchvision): with the same
// TORCH_SEED and the same checkpoint in TORCH_HOME they print the same five loss lines, character
// for character; without weights (nothing cached, no network) both say so and run on with randomly
// initialised weights, printing the same losses again.
//
// Exact on purpose, on any CPU: the reference is not a fixture but Python run now, on this machine,
// through the same LibTorch (Debian's libtorch_cpu), in the same environment (so the same OpenBLAS
// core type, ATen kernels and thread count: OMP_NUM_THREADS and TORCH_NODE_TEST_THREADS reach both
// children alike): the same kernels in the same order give the same bits, and loss.item() prints
// the shortest repr of one float64 in both languages. A difference of one digit therefore means
// the port computes something else (another op, order or argument), which this test is here to
// catch; a tolerance would hide exactly that.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const H = require('./torchvision-helpers');

const TSC = path.join(H.ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const TUTORIAL = path.join(H.ROOT, 'build', 'examples', 'transfer-learning.js');
const REFERENCE = path.join(H.ROOT, 'scripts', 'reference', 'transfer_learning.py');
const EPOCH = /^Epoch [1-5]\/5, Loss: \d+\.\d+(e-\d+)?$/;

const epochLines = (stdout) => stdout.split('\n').filter((l) => l.startsWith('Epoch '));
// Exact when Python's torch is the addon's LibTorch. Run against another LibTorch version
// (scripts/test-libtorch.js: 2.13's torchvision 0.28 fails a plain import, see test/support/fixtures.js, so the reference is 1.13's)
// the kernels differ in the last bits: the losses then agree to float32 rounding.
const SAME_TORCH = H.PYTHON === require('./support/fixtures').referencePython;
function assertSameLosses(lines, pyLines, message) {
  if (SAME_TORCH) return assert.deepEqual(lines, pyLines, message);
  const loss = (l) => Number(l.split('Loss: ')[1]);
  assert.equal(lines.length, pyLines.length, message);
  lines.forEach((l, i) => assert.ok(Math.abs(loss(l) - loss(pyLines[i])) <= 1e-5 * Math.abs(loss(pyLines[i])), `${message}: ${l} vs ${pyLines[i]}`));
}

describe('the tutorial: examples/transfer-learning.ts prints what the Python tutorial prints', function () {
  this.timeout(180000);

  before(async () => {
    // Compiled as `npm run tutorial` compiles it: against the package, through its exports.
    const r = await H.run(process.execPath, [TSC, '-p', path.join(H.ROOT, 'examples', 'tsconfig.json')], { cwd: H.ROOT });
    const ours = r.stdout.split('\n').filter((l) => l.includes('transfer-learning.ts'));
    assert.deepEqual(ours, [], `tsc -p examples/tsconfig.json:\n${r.stdout}`);
    assert.ok(fs.existsSync(TUTORIAL), `${TUTORIAL} was not written:\n${r.stdout}`);
  });

  async function both(env) {
    const [ts, py] = await Promise.all([
      H.run(process.execPath, [TUTORIAL], { cwd: H.ROOT, env }),
      H.run(H.PYTHON, [REFERENCE], { cwd: H.ROOT, env }),
    ]);
    assert.equal(ts.code, 0, `the tutorial failed:\n${ts.stderr}`);
    assert.equal(py.code, 0, `the Python reference failed:\n${py.stderr}`);
    return { ts, py };
  }

  it('with TORCH_SEED and torchvision\'s checkpoint: the same five loss lines', async () => {
    const ck = await H.torchvisionCheckpoint();
    const { ts, py } = await both(await H.offlineEnv({ TORCH_SEED: '42', TORCH_HOME: ck.home }));
    const lines = epochLines(ts.stdout);
    assert.equal(lines.length, 5, ts.stdout);
    lines.forEach((l, i) => {
      assert.match(l, EPOCH);
      assert.ok(l.startsWith(`Epoch ${i + 1}/5, Loss: `), l);
    });
    assertSameLosses(lines, epochLines(py.stdout), 'torch-node\'s loss lines (actual) against Python\'s, run now on this CPU (expected)');
    assert.ok(!/randomly initialised/.test(ts.stderr), ts.stderr);
  });

  it('without weights: it says what it tried and where to put the file, runs on randomly initialised, as Python does', async () => {
    const home = H.tmpdir('tutorial');
    try {
      const { ts, py } = await both(await H.offlineEnv({ TORCH_SEED: '7', TORCH_HOME: home }));
      const file = path.join(home, 'hub', 'checkpoints', 'resnet18-f37072fd.pth');
      assert.ok(ts.stderr.includes('https://download.pytorch.org/models/resnet18-f37072fd.pth'), ts.stderr);
      assert.ok(ts.stderr.includes(file), ts.stderr);
      assert.match(ts.stderr, /Running on with randomly initialised weights/);
      const lines = epochLines(ts.stdout);
      assert.equal(lines.length, 5, ts.stdout);
      assertSameLosses(lines, epochLines(py.stdout), 'loss lines');
      assert.equal(fs.existsSync(file), false);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
