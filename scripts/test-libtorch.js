'use strict';
// Runs the tests against another LibTorch than the one `npm test` uses:
//   node scripts/test-libtorch.js [--install] [VERSION] [mocha args, default: every test file]
// VERSION (default 2.13) is PyTorch's CPU wheel in its own venv (VERSIONS below), with the
// torchvision of that release (the reference for the torchvision tests). With --install a missing
// venv is made and what it lacks installed, in one pip call (`python3 -m venv`, `pip install torch==X
// torchvision==Y`; offline, from this machine's wheels: about 30 s for torchvision alone, about two
// minutes with torch, pip retrying the public index first). The addon is built against
// that wheel's LibTorch in its own folder (build-213 for 2.13, ccache shared with the main build),
// and mocha runs with TORCH_NODE_BINARY pointing at it and that venv's Python as the reference
// (tests read test/fixtures/torch-<version>/ where it differs: test/support/fixtures.js).
// `.ci/run` runs it after README's Quick start. Prints how long each stage took.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync, execFileSync } = require('node:child_process');

const VERSIONS = {
  '2.13': { venv: '/opt/torch213', pip: ['torch==2.13.0', 'torchvision==0.28.0'] },
};

const ROOT = path.join(__dirname, '..');
const args = process.argv.slice(2);
const install = args[0] === '--install' ? (args.shift(), true) : false;
const version = VERSIONS[args[0]] ? args.shift() : '2.13';
const { venv, pip } = VERSIONS[version];
const python = path.join(venv, 'bin', 'python');
// Test files not yet green against this version (scripts/libtorch-pending.json, each with its
// reason): left out of the default run and named here, so that the gap is in every CI log.
const pending = (JSON.parse(fs.readFileSync(path.join(__dirname, 'libtorch-pending.json'), 'utf8'))[version]) || {};
function defaultFiles() {
  const all = fs.readdirSync(path.join(ROOT, 'test')).filter((f) => f.endsWith('.test.js')).map((f) => `test/${f}`).sort();
  for (const [f, why] of Object.entries(pending)) console.error(`test-libtorch: NOT RUN against LibTorch ${version} (not yet green, issue 13): ${f}: ${why}`);
  return all.filter((f) => !(f in pending));
}
const mochaArgs = args.length ? args : defaultFiles();

const times = [];
function stage(name, fn) {
  const t0 = Date.now();
  const r = fn();
  times.push(`${name} ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.error(`test-libtorch: ${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return r;
}
function run(cmd, argv, env = {}) {
  const r = spawnSync(cmd, argv, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  return r.status;
}
function torchDir() {
  try {
    return execFileSync(python, ['-c', 'import importlib.util as u; print(u.find_spec("torch").submodule_search_locations[0])'],
      { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}
/** The installed version of `pkg` (torch, torchvision), read from its version.py: torchvision's wheel
 * here is a CUDA build whose import needs scripts/fixture_json.py's import_torchvision(). */
function installedVersion(pkg = 'torch') {
  const dir = torchDir();
  const file = dir && path.join(dir, '..', pkg, 'version.py');
  const m = file && fs.existsSync(file) && /__version__\s*=\s*'([^']+)'/.exec(fs.readFileSync(file, 'utf8'));
  return m ? m[1] : null;
}

// What the venv lacks (a venv made before torchvision was asked for has torch only): one pip call for all.
const missing = pip.filter((spec) => {
  const [pkg, want] = spec.split('==');
  return !(installedVersion(pkg) || '').startsWith(want);
});
if (missing.length) {
  if (!install) {
    console.error(`test-libtorch: ${venv} lacks ${missing.join(' ')}. Make it with: python3 -m venv ${venv} && ${venv}/bin/pip install ${pip.join(' ')}\n(or run this with --install)`);
    process.exit(1);
  }
  stage(`pip install ${pip.join(' ')}`, () => {
    if (!fs.existsSync(python) && run('python3', ['-m', 'venv', venv]) !== 0) process.exit(1);
    if (run(path.join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', ...pip]) !== 0) process.exit(1);
  });
}

const buildDir = `build-${version.replace('.', '')}`; // build-213
stage(`build against LibTorch ${installedVersion()}`, () => {
  if (run(process.execPath, ['scripts/build-native.js'], { TORCH_NODE_BUILD_DIR: buildDir, LIBTORCH: torchDir() }) !== 0) process.exit(1);
});

const mocha = require.resolve('mocha/bin/mocha.js');
const status = stage('tests', () => run(process.execPath, [mocha, ...mochaArgs], {
  TORCH_NODE_BINARY: path.join(ROOT, buildDir, 'Release', 'torch_node.node'),
  TORCH_NODE_REFERENCE_PYTHON: python,
}));
console.error(`test-libtorch: LibTorch ${version}: ${times.join(', ')}`);
process.exit(status);
