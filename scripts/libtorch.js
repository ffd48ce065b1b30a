'use strict';
// Finds a LibTorch, in this order: $LIBTORCH (an unzipped LibTorch), a Python
// torch install, the system's (Debian/Ubuntu libtorch-dev). Used at build time
// (CMake prefix, binding.gyp paths) and at run time (to explain a failed load).
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const SYSTEM_CMAKE_DIRS = [
  '/usr/lib/x86_64-linux-gnu/cmake/Torch',
  '/usr/lib/aarch64-linux-gnu/cmake/Torch',
  '/usr/share/cmake/Torch',
  '/usr/lib/cmake/Torch',
  '/usr/local/share/cmake/Torch',
  '/usr/local/lib/cmake/Torch',
  '/opt/homebrew/share/cmake/Torch',
];

function readVersion(includeDirs) {
  // 1.x/2.x: torch/csrc/api/include/torch/version.h; newer 2.x: torch/headeronly/version.h
  const files = includeDirs.flatMap((dir) => ['torch/headeronly/version.h', 'torch/csrc/api/include/torch/version.h'].map((f) => path.join(dir, f)));
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    const m = /#define TORCH_VERSION\s*\\?\s*"([^"]+)"/.exec(text);
    if (m) return m[1];
    const major = /TORCH_VERSION_MAJOR (\d+)/.exec(text), minor = /TORCH_VERSION_MINOR (\d+)/.exec(text),
      patch = /TORCH_VERSION_PATCH (\d+)/.exec(text);
    if (major && minor && patch) return `${major[1]}.${minor[1]}.${patch[1]}`;
  }
  return null;
}

// The CUDA version a CUDA LibTorch was built with ("12.4"), which names its
// prebuild variant: the wheel's torch/version.py (cuda = '12.4'), a LibTorch
// zip's build-version ("2.5.1+cu124"), or the version string itself. null for
// a CPU LibTorch, or a CUDA one that records no version.
function readCudaVersion(root, version) {
  const versionPy = path.join(root, 'version.py');
  if (fs.existsSync(versionPy)) {
    const m = /^cuda\s*(?::[^=]*)?=\s*['"](\d+\.\d+)/m.exec(fs.readFileSync(versionPy, 'utf8'));
    if (m) return m[1];
  }
  const tags = [version || ''];
  const buildVersion = path.join(root, 'build-version');
  if (fs.existsSync(buildVersion)) tags.push(fs.readFileSync(buildVersion, 'utf8'));
  for (const tag of tags) {
    const m = /\+cu(\d+)(\d)\b/.exec(tag);
    if (m) return `${Number(m[1])}.${m[2]}`;
  }
  return null;
}

function libraryFile(libDir) {
  const names = process.platform === 'darwin' ? ['libtorch_cpu.dylib'] :
    process.platform === 'win32' ? ['torch_cpu.dll', 'torch_cpu.lib'] : ['libtorch_cpu.so'];
  return names.map((n) => path.join(libDir, n)).find((f) => fs.existsSync(f)) || null;
}

function fromPrefix(source, root, cmakeDir) {
  const includeDirs = [path.join(root, 'include'), path.join(root, 'include/torch/csrc/api/include')];
  const libDir = path.join(root, 'lib');
  const version = readVersion(includeDirs);
  const cuda = fs.existsSync(path.join(libDir, process.platform === 'win32' ? 'torch_cuda.dll' : 'libtorch_cuda.so'));
  return {
    source, root, cmakePrefix: path.dirname(cmakeDir), cmakeDir, includeDirs, libDir, version, cuda,
    cuda_version: cuda ? readCudaVersion(root, version) : null,
  };
}

function pythonCandidates() {
  const list = [];
  if (process.env.TORCH_NODE_PYTHON) list.push(process.env.TORCH_NODE_PYTHON);
  list.push('python3', 'python');
  if (process.platform !== 'win32') list.push('/usr/bin/python3');
  return [...new Set(list)];
}

// Locates the torch package without importing it (importing torch takes a
// second or more; this runs on every load of the addon).
const FIND_TORCH = 'import importlib.util as u; s = u.find_spec("torch"); print(s.submodule_search_locations[0] if s and s.submodule_search_locations else "")';

function findPythonTorch(tried) {
  for (const py of pythonCandidates()) {
    let torchDir;
    try {
      torchDir = execFileSync(py, ['-c', FIND_TORCH], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 30000 }).toString().trim();
    } catch {
      tried.push(`${py}: not runnable`);
      continue;
    }
    if (!torchDir) {
      tried.push(`${py}: no torch package`);
      continue;
    }
    // The wheel's layout: share/cmake/Torch (torch.utils.cmake_prefix_path), include/, lib/.
    const cmakeDir = path.join(torchDir, 'share', 'cmake', 'Torch');
    if (!fs.existsSync(path.join(cmakeDir, 'TorchConfig.cmake')) || !fs.existsSync(path.join(torchDir, 'include'))) {
      tried.push(`${py}: torch at ${torchDir} ships no C++ headers/CMake files`);
      continue;
    }
    return fromPrefix(`python (${py})`, torchDir, cmakeDir);
  }
  return null;
}

function findSystemTorch(tried) {
  for (const cmakeDir of SYSTEM_CMAKE_DIRS) {
    if (!fs.existsSync(path.join(cmakeDir, 'TorchConfig.cmake'))) {
      tried.push(`${cmakeDir}: no TorchConfig.cmake`);
      continue;
    }
    // Debian installs headers in /usr/include and libraries beside the cmake dir.
    const libDir = path.dirname(path.dirname(cmakeDir));
    const root = path.dirname(path.dirname(libDir));
    const includeDirs = [path.join(root, 'include'), path.join(root, 'include/torch/csrc/api/include')];
    const version = readVersion(includeDirs), cuda = fs.existsSync(path.join(libDir, 'libtorch_cuda.so'));
    return {
      source: 'system', root, cmakePrefix: path.dirname(cmakeDir), cmakeDir, includeDirs,
      libDir: libraryFile(libDir) ? libDir : path.join(root, 'lib'),
      version, cuda, cuda_version: cuda ? readCudaVersion(root, version) : null,
    };
  }
  return null;
}

const HOW_TO_GET = [
  'Get a LibTorch in one of these ways, then run `npm rebuild torch-node`:',
  '  - Debian/Ubuntu: sudo apt-get install -y libtorch-dev libopenblas0-pthread',
  '  - pip:           pip install torch   (torch-node finds it through `python3`, or set TORCH_NODE_PYTHON)',
  '  - a LibTorch zip from pytorch.org, unzipped: export LIBTORCH=/path/to/libtorch',
].join('\n');

function findLibTorch() {
  const tried = [];
  if (process.env.LIBTORCH) {
    const root = path.resolve(process.env.LIBTORCH);
    const cmakeDir = path.join(root, 'share/cmake/Torch');
    if (fs.existsSync(path.join(cmakeDir, 'TorchConfig.cmake'))) return fromPrefix('LIBTORCH', root, cmakeDir);
    tried.push(`LIBTORCH=${process.env.LIBTORCH}: no share/cmake/Torch/TorchConfig.cmake there`);
  } else {
    tried.push('LIBTORCH: not set');
  }
  const found = findPythonTorch(tried) || findSystemTorch(tried);
  if (found) return found;
  const err = new Error(`torch-node: LibTorch was not found. Looked in:\n  - ${tried.join('\n  - ')}\n${HOW_TO_GET}`);
  err.code = 'LIBTORCH_NOT_FOUND';
  throw err;
}

/** For the scripts: the LibTorch found, or its message on stderr and exit code 1. */
function findLibTorchOrExit() {
  try {
    return findLibTorch();
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}

module.exports = { findLibTorch, findLibTorchOrExit, readCudaVersion, HOW_TO_GET };

if (require.main === module) {
  const found = findLibTorchOrExit();
  const what = process.argv[2];
  if (what === '--include') console.log(found.includeDirs.join(' '));
  else if (what === '--libdir') console.log(found.libDir);
  else if (what === '--cmake-prefix') console.log(found.cmakePrefix);
  else console.log(JSON.stringify(found, null, 2));
}
