'use strict';
// binding.gyp's view of the build: the sources come from CMakeLists.txt's
// add_library() (the one list), the LibTorch paths and flags from libtorch.js.
//   node scripts/gyp-config.js sources|include_dirs|libraries|libdir|defines
const fs = require('node:fs');
const path = require('node:path');
const { findLibTorch } = require('./libtorch');

const root = path.join(__dirname, '..');
const what = process.argv[2];

function sources() {
  const cmake = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8');
  const block = /add_library\(\$\{PROJECT_NAME\} SHARED([\s\S]*?)\)/.exec(cmake);
  if (!block) throw new Error('gyp-config: no add_library() in CMakeLists.txt');
  return block[1].split(/\s+/).filter((s) => s.startsWith('native/'));
}

function cxxFlags(torch) {
  // TorchConfig.cmake records the C++ ABI LibTorch was built with.
  const text = fs.readFileSync(path.join(torch.cmakeDir, 'TorchConfig.cmake'), 'utf8');
  const m = /TORCH_CXX_FLAGS "([^"]*)"/.exec(text);
  return m ? m[1].split(/\s+/).filter(Boolean) : [];
}

const out = (() => {
  if (what === 'sources') return sources();
  const torch = findLibTorch();
  switch (what) {
    case 'include_dirs': return [...torch.includeDirs, path.dirname(require.resolve('node-addon-api/napi.h'))];
    case 'libdir': return [torch.libDir];
    case 'libraries':
      return process.platform === 'win32'
        ? ['torch.lib', 'torch_cpu.lib', 'c10.lib'].map((l) => path.join(torch.libDir, l))
        : [`-L${torch.libDir}`, '-ltorch', '-ltorch_cpu', '-lc10'];
    case 'defines': return cxxFlags(torch).filter((f) => f.startsWith('-D')).map((f) => f.slice(2));
    default: throw new Error(`gyp-config: unknown query ${what}`);
  }
})();
console.log(out.join(' '));
