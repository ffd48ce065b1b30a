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
 * The Python for what needs torchvision at test time: the reference Python when it has it, else
 * Debian's (PyTorch 2.13's venv has no torchvision; its values are then 1.13's, compared with the
 * tests' tolerances).
 */
function torchvisionPython() {
  if (torchvisionPython.cached === undefined) {
    const has = (py) => require('node:child_process').spawnSync(py, ['-c', 'import torchvision'], { stdio: 'ignore' }).status === 0;
    torchvisionPython.cached = has(referencePython) ? referencePython : '/usr/bin/python3';
  }
  return torchvisionPython.cached;
}

module.exports = { torchVersion, fixturePath, loadFixture, referencePython, torchvisionPython };
