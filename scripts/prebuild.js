'use strict';
// npm run prebuild: builds the addon for the LibTorch found here and stores it,
// stripped, in that LibTorch variant's own prebuilds root (see lib/binary.ts):
//   prebuilds/libtorch-<major.minor>-<cpu|cu<XY>>/prebuilds/<platform>-<arch>/node.abi<N>.<libc>.node
// (cu124: a CUDA 12.4 LibTorch; see lib/binary.ts).
// The root is prebuildify's --out and what the loader hands to node-gyp-build.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { findLibTorchOrExit } = require('./libtorch');
const { variantRoot } = require('../dist/binary');

const root = path.join(__dirname, '..');
const torch = findLibTorchOrExit();
const out = variantRoot(root, torch.version, torch.cuda, torch.cuda_version);
if (!out) {
  console.error(`torch-node prebuild: cannot tell the version of the LibTorch in ${torch.root} (no torch/version.h); a prebuild must name it.`);
  process.exit(1);
}
console.error(`torch-node prebuild: ${path.relative(root, out)} (LibTorch ${torch.version} from ${torch.source})`);
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
// --no-napi: tag the Node ABI (abi<N>): an addon that uses V8 directly (tensor
// handles, native/addon.cpp) is tied to the Node ABI. --name node: the first tag is the runtime node-gyp-build
// matches (the default, the package name, would carry no runtime and a dot-free
// name is all node-gyp-build can parse anyway).
const r = spawnSync(process.execPath, [prebuildify, '--no-napi', '--target', process.versions.node, '--strip', '--tag-libc', '--name', 'node', '--out', out,
  '--node-gyp', path.join(__dirname, 'prebuild-node-gyp.js')], { cwd: staging, stdio: 'inherit' });
process.exit(r.status ?? 1);
