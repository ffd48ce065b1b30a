'use strict';
// Installs what torch-node needs from the system: when run as root on
// Debian/Ubuntu it installs the packages; otherwise it prints the command.
//   libtorch-dev, libopenblas0-pthread (fast BLAS), cmake, g++, ccache: the build
//   python3-torch, python3-torchvision: the reference values of the tests
const fs = require('node:fs');
const { spawnSync, execFileSync } = require('node:child_process');

const quiet = process.argv.includes('--quiet');
const BUILD = ['libtorch-dev', 'libopenblas0-pthread', 'cmake', 'g++', 'ccache'];
const REFERENCE = ['python3-torch', 'python3-torchvision'];
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

function main() {
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

try {
  process.exitCode = main();
} catch (e) {
  console.error(`torch-node setup: ${e.message}`);
  process.exitCode = 1;
}
