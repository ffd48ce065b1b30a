'use strict';
// The one place tests find their reference fixtures. Each LibTorch version's
// Python writes its own expected values (messages, grad_fn names, defaults and
// last bits differ between versions): test/fixtures/torch-<major.minor>/<name>
// overrides test/fixtures/<name> when the addon was built against that
// version. `node scripts/gen-fixtures.js --python <python of that torch>`
// writes the overrides (see scripts/gen-fixtures.js).
const fs = require('node:fs');
const path = require('node:path');
const { native } = require('../../dist/native.js');

const ROOT = path.join(__dirname, '..', 'fixtures');
/** "1.13", "2.13": the LibTorch the loaded addon was built against. */
const torchVersion = /^(\d+\.\d+)/.exec(native.build_info().torch_version)[1];
const overrideDir = path.join(ROOT, `torch-${torchVersion}`);

/** The path of a fixture file or folder (relative to test/fixtures), this version's when it has one. */
function fixturePath(name) {
  const own = path.join(overrideDir, name);
  return fs.existsSync(own) ? own : path.join(ROOT, name);
}

/** A JSON fixture, parsed. */
function loadFixture(name) {
  return JSON.parse(fs.readFileSync(fixturePath(name), 'utf8'));
}

/** The Python whose torch wrote this version's fixtures, for tests that ask it at run time. */
const referencePython = process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3';

/**
 * The Python for what imports torchvision plainly at test time: the reference Python when that
 * works, else Debian's (2.13's torchvision 0.28 fails a plain import: see torchvisionScriptPython; the
 * values are then 1.13's, compared with the tests' tolerances).
 */
function torchvisionPython() {
  if (torchvisionPython.cached === undefined) {
    const has = (py) => require('node:child_process').spawnSync(py, ['-c', 'import torchvision'], { stdio: 'ignore' }).status === 0;
    torchvisionPython.cached = has(referencePython) ? referencePython : '/usr/bin/python3';
  }
  return torchvisionPython.cached;
}

/**
 * The Python for the generators that tests run at test time (scripts/gen-*.py modes such as
 * `checkpoint` and `outputs`): they import torchvision through scripts/fixture_json.py's
 * import_torchvision(), which also imports 2.13's torchvision 0.28 (a CUDA wheel on the CPU torch, that
 * a plain `import torchvision` fails on). The reference Python when that works, else Debian's.
 */
function torchvisionScriptPython() {
  if (torchvisionScriptPython.cached === undefined) {
    const prog = `import sys; sys.path.insert(0, ${JSON.stringify(path.join(__dirname, '..', '..', 'scripts'))}); from fixture_json import import_torchvision; import_torchvision()`;
    const ok = require('node:child_process').spawnSync(referencePython, ['-c', prog], { stdio: 'ignore' }).status === 0;
    torchvisionScriptPython.cached = ok ? referencePython : '/usr/bin/python3';
  }
  return torchvisionScriptPython.cached;
}

module.exports = { torchVersion, fixturePath, loadFixture, referencePython, torchvisionPython, torchvisionScriptPython };
