'use strict';
// npm install hook. Does nothing when a binary that matches the LibTorch found
// here is present (a prebuild, or a local build); otherwise checks what a
// source build needs, says in plain words what is missing, and builds with cmake-js.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { findLibTorchOrExit, HOW_TO_GET } = require('./libtorch');

const root = path.join(__dirname, '..');
if (process.env.TORCH_NODE_SKIP_INSTALL) process.exit(0);

function onPath(cmd) {
  const dirs = (process.env.PATH || '').split(path.delimiter);
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  return dirs.some((d) => exts.some((e) => fs.existsSync(path.join(d, cmd + e))));
}

const torch = findLibTorchOrExit();

const binary = fs.existsSync(path.join(root, 'dist', 'binary.js')) ? require('../dist/binary') : null;
if (binary) {
  const chosen = binary.chooseBinary(root, torch);
  if (chosen) {
    console.error(`torch-node: using the ${chosen.kind} for LibTorch ${torch.version} (${path.relative(root, chosen.path)}); nothing to build.`);
    process.exit(0);
  }
}

const missing = [];
if (!onPath('cmake')) missing.push('cmake (>= 3.18): Debian/Ubuntu `apt-get install cmake`, macOS `brew install cmake`, or `pip install cmake`');
if (!['c++', 'g++', 'clang++', 'cl'].some(onPath)) missing.push('a C++17 compiler: Debian/Ubuntu `apt-get install g++`, macOS `xcode-select --install`, Windows: Visual Studio Build Tools');
if (missing.length) {
  console.error(`torch-node: no prebuilt binary matches LibTorch ${torch.version} (${torch.source}, ${torch.libDir}), and building one needs:\n  - ${missing.join('\n  - ')}\n` +
    `Or use a LibTorch that a prebuild exists for.\n${HOW_TO_GET}`);
  process.exit(1);
}
console.error(`torch-node: no prebuilt binary for LibTorch ${torch.version}; building from source with cmake-js (a few minutes).`);
const r = spawnSync(process.execPath, [path.join(__dirname, 'build-native.js')], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
