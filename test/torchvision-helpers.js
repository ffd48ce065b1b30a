'use strict';
// Shared by test/torchvision-*.test.js and test/tutorial.test.js: the reference Python (Debian's,
// with python3-torchvision), the checkpoint it writes at test time (made once per mocha process),
// and comparisons against what scripts/gen-torchvision-fixtures.py recorded from torchvision.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const C = require('./support/close');

const ROOT = path.join(__dirname, '..');
const PYTHON = require('./support/fixtures').torchvisionPython();
// For GENERATOR's test-time modes (checkpoint, outputs): also 2.13's torchvision (test/support/fixtures.js).
const SCRIPT_PYTHON = require('./support/fixtures').torchvisionScriptPython();
const GENERATOR = path.join(ROOT, 'scripts', 'gen-torchvision-fixtures.py');
const CHECKPOINT_SEED = 1234;

const { loadFixture } = require('./support/fixtures');

function fixture() {
  return loadFixture('torchvision-models.json');
}

/** Runs a command; resolves to { code, stdout, stderr } (never rejects on a non-zero exit). */
function run(file, args, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 64 << 20, ...options }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ code: err ? err.code : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** A new empty directory under the system's temporary directory. */
function tmpdir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `torch-node-${prefix}-`));
}

let checkpointHome = null;
/**
 * A TORCH_HOME holding hub/checkpoints/resnet18-f37072fd.pth written by torchvision
 * (torch.save of a seeded resnet18 state_dict), and expected.json: torchvision's outputs for it.
 * Made once per process; removed at exit.
 */
async function torchvisionCheckpoint() {
  if (checkpointHome) return checkpointHome;
  const home = tmpdir('hub');
  process.on('exit', () => fs.rmSync(home, { recursive: true, force: true }));
  const r = await run(SCRIPT_PYTHON, [GENERATOR, 'checkpoint', home, '--seed', String(CHECKPOINT_SEED)]);
  if (r.code !== 0) throw new Error(`${SCRIPT_PYTHON} ${GENERATOR} checkpoint failed (${r.code}):\n${r.stderr}`);
  const expected = JSON.parse(fs.readFileSync(path.join(home, 'expected.json'), 'utf8'));
  checkpointHome = { home, expected, file: expected.checkpoint };
  return checkpointHome;
}

/** A 127.0.0.1 port nothing listens on (what a proxy variable points at to make a download fail fast). */
function closedPort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** An environment in which downloads fail at once (https through a closed local proxy port). */
async function offlineEnv(extra = {}) {
  const env = { ...process.env, https_proxy: `http://127.0.0.1:${await closedPort()}`, ...extra };
  for (const k of ['HTTPS_PROXY', 'no_proxy', 'NO_PROXY']) delete env[k];
  return env;
}

function values(t) { return Array.from(t.detach().contiguous().typed_array(), Number); }

function sha256(t) {
  const a = t.detach().contiguous().typed_array();
  return crypto.createHash('sha256').update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
}

/**
 * Same shape, dtype and bytes as a record of gen-torchvision-fixtures.py's tensor_record. Bit-exact:
 * these are parameters and buffers after manual_seed (init draws from the RNG and scales elementwise,
 * the same bits on every CPU) or loaded from a file.
 */
function assertTensorRecord(t, rec, what = rec.key) {
  assert.deepEqual(t.shape, rec.shape, `${what}: shape`);
  assert.equal(t.dtype.name, rec.dtype, `${what}: dtype`);
  const v = t.detach().contiguous().typed_array();
  C.assertValues(Array.from(v.subarray(0, rec.head.length), Number), rec.head, { exact: true, label: what, who: 'torchvision', dtype: rec.dtype });
  // Under ATen's default kernels the init's random draws differ in their last bits (close.js):
  // the head and sums within 64 ulps then stand in for the bytes.
  if (!C.DEFAULT_KERNELS) assert.equal(sha256(t), rec.sha256, `${what}: bytes differ from torchvision's`);
  if (rec.sum !== undefined) {
    // float64 sums of the same float32 values: only JS's and numpy's summation orders differ.
    let s = 0, s2 = 0;
    for (let i = 0; i < v.length; i++) { const x = v[i]; s += x; s2 += x * x; }
    const tol = C.DEFAULT_KERNELS ? 64 * C.EPS[rec.dtype] * Math.sqrt(v.length * rec.sumsq) * 2 : 1e-9 * Math.max(1, Math.abs(rec.sumsq));
    C.assertNumber(s, rec.sum, { atol: tol, label: `${what}: sum`, who: 'torchvision' });
    C.assertNumber(s2, rec.sumsq, { atol: tol, label: `${what}: sum of squares`, who: 'torchvision' });
  }
}

/**
 * Every value within atol + rtol * |ref| of torchvision's (torch.allclose); `tol` from
 * test/support/close.js, chosen by the caller for what the output went through.
 */
function assertClose(t, enc, what, tol) {
  assert.deepEqual(t.shape, enc.shape, `${what}: shape`);
  assert.equal(t.dtype.name, enc.dtype, `${what}: dtype`);
  C.assertValues(values(t), enc.values, { ...tol, label: what, who: 'torchvision' });
}

/**
 * Close to a summary (first values, float64 sum and sum of squares) of an output: the first values
 * within `tol`, the sums within what that element tolerance allows (close.assertSummary).
 */
function assertSummary(t, enc, what, tol) {
  assert.deepEqual(t.shape, enc.shape, `${what}: shape`);
  const got = values(t);
  C.assertValues(got.slice(0, enc.head.length), enc.head, { ...tol, label: `${what} (first values)`, who: 'torchvision' });
  C.assertSummary(got, enc, { ...tol, label: what, who: 'torchvision' });
}

let live = null;
/**
 * The models' outputs (as the fixture's `models[name]` records have them) computed now, on this CPU
 * and with this thread count, by `gen-torchvision-fixtures.py outputs` (same seeds, same inputs).
 * null when the reference Python or its torchvision is not installed: the test then falls back to
 * the committed fixture with a CPU-to-CPU tolerance. Any other failure of the script is an error.
 * One run per process.
 */
function liveOutputs() {
  if (!live) {
    live = (async () => {
      if (!fs.existsSync(SCRIPT_PYTHON)) return null;
      const r = await run(SCRIPT_PYTHON, [GENERATOR, 'outputs']);
      if (r.code !== 0) {
        if (/ModuleNotFoundError: No module named '(torch|torchvision)'/.test(r.stderr)) return null;
        throw new Error(`${SCRIPT_PYTHON} ${GENERATOR} outputs failed (${r.code}):\n${r.stderr}`);
      }
      return JSON.parse(r.stdout);
    })();
  }
  return live;
}

module.exports = {
  ROOT, PYTHON, SCRIPT_PYTHON, GENERATOR, CHECKPOINT_SEED, fixture, run, tmpdir, torchvisionCheckpoint, closedPort, offlineEnv,
  values, sha256, assertTensorRecord, assertClose, assertSummary, liveOutputs,
};
