#!/usr/bin/env node
'use strict';
// Stands in for node-gyp when prebuildify runs (`prebuildify --node-gyp
// scripts/prebuild-node-gyp.js`): prebuildify has no cmake-js backend, and
// CMakeLists.txt is the one source of truth for sources and flags. It takes
// node-gyp's `rebuild [--debug|--release] ...` and builds with cmake-js.
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const debug = process.argv.includes('--debug');
const r = spawnSync(process.execPath, [path.join(__dirname, 'build-native.js'), ...(debug ? ['--debug'] : [])],
  { stdio: 'inherit', cwd: process.cwd() });
process.exit(r.status ?? 1);
