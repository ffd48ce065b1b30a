'use strict';
// npm run prebuild: builds the addon for the LibTorch found here and stores it,
// stripped, as prebuilds/<platform>-<arch>/torch-node.libtorch-<version>.<cpu|cuda>.<libc>.node
// (prebuildify's layout, with the LibTorch tags in the name so the loader can
// pick the binary that matches the LibTorch found at run time).
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { findLibTorchOrExit } = require('./libtorch');
const { prebuildName } = require('../dist/binary');

const root = path.join(__dirname, '..');
const torch = findLibTorchOrExit();
const name = prebuildName(torch.version, torch.cuda);
console.error(`torch-node prebuild: ${name} (LibTorch ${torch.version} from ${torch.source})`);
// Build in a staging folder of its own, never in build/: prebuildify strips the
// binary in place, and a process that has build/Release/torch_node.node loaded
// (a test run, a REPL) would crash if that file changed under it.
const staging = path.join(root, 'build', 'prebuild-staging');
fs.mkdirSync(staging, { recursive: true });
for (const entry of ['CMakeLists.txt', 'native', 'scripts', 'package.json', 'node_modules']) {
  const link = path.join(staging, entry);
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(root, entry), link);
}
const prebuildify = require.resolve('prebuildify/bin.js');
// --no-napi: tag the Node ABI (abi<N>): an addon that uses V8 directly is not
// ABI-stable across Node versions.
const r = spawnSync(process.execPath, [prebuildify, '--no-napi', '--target', process.versions.node, '--strip', '--tag-libc', '--name', name, '--out', root,
  '--node-gyp', path.join(__dirname, 'prebuild-node-gyp.js')], { cwd: staging, stdio: 'inherit' });
process.exit(r.status ?? 1);
