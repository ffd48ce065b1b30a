'use strict';
// PyTorch's ImageFolder transfer-learning tutorial (examples/imagefolder-transfer.ts) against its
// Python twin (scripts/reference/imagefolder_transfer.py): a folder of JPEGs written now by PIL from
// Fashion-MNIST (scripts/reference/make_fashion_jpegs.py), decoded by sharp here and by PIL there
// (both libjpeg-turbo: the same pixels), random crops and flips drawn in 2 DataLoader worker threads
// seeded as Python's worker processes, a frozen ResNet-18 from a torchvision checkpoint, SGD + StepLR.
// Same seed: the same lines, character for character (Python runs now, on this CPU: see
// test/tutorial.test.js for why exact), but the wall-clock line.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const H = require('./torchvision-helpers');

const TSC = path.join(H.ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const EXAMPLE = path.join(H.ROOT, 'build', 'examples', 'imagefolder-transfer.js');
const TWIN = path.join(H.ROOT, 'scripts', 'reference', 'imagefolder_transfer.py');
const MAKE = path.join(H.ROOT, 'scripts', 'reference', 'make_fashion_jpegs.py');
const ARGS = ['--data', 'data', '--epochs', '2', '--crop', '32', '--resize', '40', '--batch-size', '4', '--workers', '2', '--seed', '3'];

describe('examples/imagefolder-transfer.ts: the ImageFolder tutorial prints what its Python twin prints', function () {
  this.timeout(300000);
  let dir;
  before(async function () {
    if (!fs.existsSync('/usr/share/datasets/fashion-mnist') || !fs.existsSync(H.PYTHON)) this.skip(); // scripts/setup.js installs both
    const r = await H.run(process.execPath, [TSC, '-p', path.join(H.ROOT, 'examples', 'tsconfig.json')], { cwd: H.ROOT });
    assert.ok(fs.existsSync(EXAMPLE), `tsc -p examples/tsconfig.json:\n${r.stdout}`);
    dir = H.tmpdir('imagefolder');
    const m = await H.run(H.PYTHON, [MAKE, path.join(dir, 'data'), '--train', '12', '--val', '6', '--size', '48'], { cwd: dir });
    assert.equal(m.code, 0, m.stderr);
  });
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  it('the same epoch, loss and accuracy lines with the same checkpoint and seed', async () => {
    const ck = await H.torchvisionCheckpoint();
    const env = await H.offlineEnv({ TORCH_HOME: ck.home });
    const [ts, py] = await Promise.all([
      H.run(process.execPath, [EXAMPLE, ...ARGS], { cwd: dir, env }),
      H.run(H.PYTHON, [TWIN, ...ARGS], { cwd: dir, env }),
    ]);
    assert.equal(ts.code, 0, `the example failed:\n${ts.stderr}`);
    assert.equal(py.code, 0, `the Python twin failed:\n${py.stderr}`);
    const lines = (s) => s.split('\n').filter((l) => !l.startsWith('Training complete in'));
    assert.match(ts.stdout, /^Classes: trouser, tshirt; images: train 24, val 12\n/);
    assert.match(ts.stdout, /\ntrain Loss: \d\.\d{4} Acc: \d\.\d{4}\nval Loss: \d\.\d{4} Acc: \d\.\d{4}\n/);
    assert.deepEqual(lines(ts.stdout), lines(py.stdout));
    assert.ok(!/randomly initialised/.test(ts.stderr), ts.stderr);
  });
});
