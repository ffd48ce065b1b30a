'use strict';
// Installs what torch-node needs, so that `npm test` or `npm run tutorial` works
// from a fresh clone with nothing run before it:
// 1. the system packages: as root on Debian/Ubuntu it installs them; otherwise
//    it prints the command.
//      libtorch-dev, libopenblas0-pthread (fast BLAS), cmake, g++, ccache: the build
//      libgloo-dev (torch.distributed), libjpeg-dev (torchvision.io's JPEG decoder)
//      python3-torch, python3-torchvision: the reference values of the tests
//      dataset-fashion-mnist: real IDX files for test/datasets.test.js
// 2. in a checkout (package-lock.json beside package.json; an installed package
//    has none), the npm dependencies when any is missing: `npm ci`, which also
//    runs scripts/install.js and so builds the addon, now that LibTorch is here.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync, execFileSync } = require('node:child_process');

const quiet = process.argv.includes('--quiet');
const BUILD = ['libtorch-dev', 'libopenblas0-pthread', 'libgloo-dev', 'libjpeg-dev', 'cmake', 'g++', 'ccache'];
const REFERENCE = ['python3-torch', 'python3-torchvision', 'dataset-fashion-mnist'];
const wanted = process.argv.includes('--build-only') ? BUILD : [...BUILD, ...REFERENCE];

function log(msg) { if (!quiet) console.error(msg); }

function isDebian() { return fs.existsSync('/etc/debian_version'); }

function installed(pkg) {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status}', pkg], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString().includes('install ok installed');
  } catch { return false; }
}

function run(cmd, args) {
  console.error(`torch-node setup: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

function systemPackages() {
  if (!isDebian()) {
    const { findLibTorch } = require('./libtorch');
    try {
      const t = findLibTorch();
      log(`torch-node setup: not Debian/Ubuntu; using LibTorch ${t.version} from ${t.source}.`);
      return 0;
    } catch (e) {
      console.error(e.message);
      console.error('torch-node setup: also needed: cmake >= 3.18 and a C++17 compiler; the tests need Python with torch and torchvision.');
      return 1;
    }
  }
  const missing = wanted.filter((p) => !installed(p));
  if (missing.length === 0) { log('torch-node setup: system packages present.'); return 0; }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error(`torch-node setup: missing system packages: ${missing.join(' ')}\nRun:\n  sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`);
    return 1;
  }
  run('apt-get', ['update', '-q']);
  run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing]);
  return 0;
}

function npmDependencies() {
  const root = path.join(__dirname, '..');
  if (!fs.existsSync(path.join(root, 'package-lock.json'))) return 0;
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
  const missing = names.filter((name) => !fs.existsSync(path.join(root, 'node_modules', name, 'package.json')));
  if (missing.length === 0) return 0;
  // Under npm (npm test, npm run ...), the same npm; otherwise the one on the PATH.
  const execpath = process.env.npm_execpath;
  const npm = execpath && /npm-cli\.js$/.test(execpath) ? [process.execPath, execpath] : ['npm'];
  const what = missing.length === names.length ? 'not installed' : `missing (${missing.join(', ')})`;
  console.error(`torch-node setup: npm dependencies ${what}; installing them, and building the addon, with npm ci.`);
  const r = spawnSync(npm[0], [...npm.slice(1), 'ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' && npm[0] === 'npm' });
  if (r.status !== 0) throw new Error(`npm ci failed with exit code ${r.status}; run it in ${root} to see why`);
  return 0;
}

try {
  process.exitCode = systemPackages() || npmDependencies();
} catch (e) {
  console.error(`torch-node setup: ${e.message}`);
  process.exitCode = 1;
}
