'use strict';
// Builds the addon with cmake-js against the LibTorch that libtorch.js finds,
// and records what it was built against in build/torch-node-build.json.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { findLibTorchOrExit } = require('./libtorch');

// The project folder is the working directory (npm scripts, install.js and
// prebuild.js's staging folder all run it there).
const root = process.cwd();
// TORCH_NODE_BUILD_DIR: another build folder (npm run build:asan), so that a
// special build never replaces build/Release, which the loader picks up.
const outDir = process.env.TORCH_NODE_BUILD_DIR || 'build';
const torch = findLibTorchOrExit();
console.error(`torch-node: building against LibTorch ${torch.version} (${torch.source}, ${torch.libDir})`);
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const jobs = String(Number(process.env.JOBS) || require('node:os').availableParallelism?.() || 2);
// Point CMake at this LibTorch's own config files: TorchConfig.cmake looks for
// Caffe2 on the default paths first, where a system LibTorch would win.
const caffe2Dir = path.join(path.dirname(torch.cmakeDir), 'Caffe2');
const defines = [`--CDTorch_DIR=${torch.cmakeDir}`, ...(fs.existsSync(caffe2Dir) ? [`--CDCaffe2_DIR=${caffe2Dir}`] : [])];
// The addon uses V8 weak handles (native/addon.cpp), so it compiles against the
// running Node's full headers: the installed ones when Node ships them
// (<prefix>/include/node, as Debian's nodejs and the official tarballs do),
// else cmake-js downloads them for this Node version.
// CCACHE_BASEDIR: paths under the checkout hash as relative ones, so another
// clone or worktree of the project reuses the same cache entries.
const env = { CCACHE_BASEDIR: root, ...process.env, CCACHE_SLOPPINESS: 'pch_defines,time_macros,include_file_mtime,include_file_ctime' };
const nodePrefix = path.resolve(path.dirname(process.execPath), '..');
if (!env.npm_config_nodedir && fs.existsSync(path.join(nodePrefix, 'include', 'node', 'v8.h'))) env.npm_config_nodedir = nodePrefix;
const r = spawnSync(process.execPath, [cmakeJs, 'compile', '--out', outDir, '--parallel', jobs, ...defines, ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env });
if (r.status !== 0) process.exit(r.status || 1);
fs.writeFileSync(path.join(root, outDir, 'torch-node-build.json'), JSON.stringify({
  torch_version: torch.version, libtorch_source: torch.source, libtorch_lib_dir: torch.libDir,
  cuda: torch.cuda, cuda_version: torch.cuda_version ?? null, platform: process.platform, arch: process.arch, built_at: new Date().toISOString(),
}, null, 2) + '\n');
