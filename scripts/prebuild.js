'use strict';
// npm run prebuild: builds the addon for the LibTorch found here and stores it,
// stripped, as prebuilds/<platform>-<arch>/torch-node.libtorch-<version>.<cpu|cuda>.<libc>.node
// (prebuildify's layout, with the LibTorch tags in the name so the loader can
// pick the binary that matches the LibTorch found at run time).
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { findLibTorch } = require('./libtorch');
const { prebuildName } = require('../dist/binary');

const root = path.join(__dirname, '..');
const torch = findLibTorch();
const name = prebuildName(torch.version, torch.cuda);
console.error(`torch-node prebuild: ${name} (LibTorch ${torch.version} from ${torch.source})`);
const prebuildify = require.resolve('prebuildify/bin.js');
const r = spawnSync(process.execPath, [prebuildify, '--napi', '--strip', '--tag-libc', '--name', name,
  '--node-gyp', path.join(__dirname, 'prebuild-node-gyp.js')], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
