'use strict';
// Installing the package: the loader's choice among binaries, and a packed
// tarball installed into a new project with no compiler on the PATH.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const binary = require('../dist/binary');

const root = path.join(__dirname, '..');

// A package root with prebuilds (paths under prebuilds/) and optionally a local build.
const fakeTrees = [];
function fakeTree(files, local) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-prebuilds-'));
  fakeTrees.push(dir);
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, 'prebuilds', f)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'prebuilds', f), '');
  }
  if (local) {
    fs.mkdirSync(path.join(dir, 'build', 'Release'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'build', 'Release', 'torch_node.node'), '');
    fs.writeFileSync(path.join(dir, 'build', 'torch-node-build.json'), JSON.stringify(local));
  }
  return dir;
}

describe('install: choosing the binary (variant here, the file by node-gyp-build)', () => {
  const cpu113 = { source: 'system', version: '1.13.0a0', libDir: '/usr/lib', cuda: false };
  const cuda23 = { source: 'python (python3)', version: '2.3.1+cu121', libDir: '/x/torch/lib', cuda: true, cuda_version: '12.1' };
  const abi = process.versions.modules;
  const libc = process.platform === 'linux' ? '.glibc' : '';
  const here = `${process.platform}-${process.arch}`;
  // Every variant has a file for this Node ABI and one for another: only the folder tells them apart.
  const tree = fakeTree([
    `libtorch-1.13-cpu/prebuilds/${here}/node.abi${abi}${libc}.node`, `libtorch-1.13-cpu/prebuilds/${here}/node.abi1${libc}.node`,
    `libtorch-2.3-cpu/prebuilds/${here}/node.abi${abi}${libc}.node`,
    `libtorch-2.3-cu121/prebuilds/${here}/node.abi${abi}${libc}.node`, `libtorch-2.3-cu121/prebuilds/${here}/node.abi1${libc}.node`,
    `libtorch-2.3-cu121/prebuilds/other-arch/node.abi${abi}.node`, `libtorch-2.3-cu118/prebuilds/${here}/node.abi${abi}${libc}.node`, 'README',
  ]);
  after(() => { for (const dir of fakeTrees) fs.rmSync(dir, { recursive: true, force: true }); });
  const chosen = (root, torch) => {
    const b = binary.chooseBinary(root, torch);
    return b && path.relative(path.join(root, 'prebuilds'), b.path);
  };

  it('variant folders are named by LibTorch major.minor and CPU or the CUDA version', () => {
    assert.equal(binary.variantName('1.13.0a0', false), 'libtorch-1.13-cpu');
    assert.equal(binary.variantName('2.3.1+cu121', true, '12.1'), 'libtorch-2.3-cu121');
    assert.equal(binary.variantName('2.8.0', true, '13.0'), 'libtorch-2.8-cu130');
    assert.equal(binary.variantName('2.3.1', true, null), 'libtorch-2.3-cuda');
    assert.equal(binary.variantName(null, false), null);
    assert.deepEqual(binary.prebuildVariant(path.join(tree, 'prebuilds', 'libtorch-2.3-cu121', 'prebuilds', here, 'node.abi1.node')),
      { torch_version: '2.3', cuda: true, cuda_version: '12.1' });
    assert.deepEqual(binary.parseVariantName('libtorch-2.3-cuda'), { torch_version: '2.3', cuda: true, cuda_version: null });
    assert.deepEqual(binary.parseVariantName('libtorch-1.13-cpu'), { torch_version: '1.13', cuda: false, cuda_version: null });
    assert.equal(binary.parseVariantName('libtorch-2.3-cu'), null);
    assert.equal(binary.prebuildVariant('/p/build/Release/torch_node.node'), null);
  });

  it("picks the LibTorch variant found, and node-gyp-build this Node's ABI in it", () => {
    assert.equal(chosen(tree, cpu113), path.join('libtorch-1.13-cpu', 'prebuilds', here, `node.abi${abi}${libc}.node`));
    assert.equal(chosen(tree, cuda23), path.join('libtorch-2.3-cu121', 'prebuilds', here, `node.abi${abi}${libc}.node`));
    assert.equal(chosen(tree, { ...cuda23, cuda_version: '11.8' }), path.join('libtorch-2.3-cu118', 'prebuilds', here, `node.abi${abi}${libc}.node`));
    assert.equal(chosen(tree, { ...cuda23, cuda_version: '12.4' }), null); // no prebuild for CUDA 12.4
    assert.equal(chosen(tree, { ...cuda23, cuda: false, cuda_version: null }), path.join('libtorch-2.3-cpu', 'prebuilds', here, `node.abi${abi}${libc}.node`));
    assert.equal(binary.chooseBinary(tree, cpu113).kind, 'prebuild');
  });

  it('never picks a prebuild made for another Node ABI (the addon is tied to the Node ABI)', () => {
    const other = fakeTree([`libtorch-1.13-cpu/prebuilds/${here}/node.abi1${libc}.node`]);
    assert.equal(binary.chooseBinary(other, cpu113), null);
    assert.match(binary.describeMismatch(other, cpu113),
      new RegExp(`Available: a prebuild for LibTorch 1\\.13 CPU \\(prebuilds/libtorch-1\\.13-cpu/prebuilds/${here}/node\\.abi1`));
  });

  it('a local build wins only when it matches; a stale one never shadows a matching prebuild', () => {
    const withLocal = fakeTree([`libtorch-2.3-cu121/prebuilds/${here}/node.abi${abi}${libc}.node`],
      { torch_version: '1.13.0', cuda: false, libtorch_lib_dir: '/usr/lib' });
    assert.equal(binary.chooseBinary(withLocal, { ...cpu113, version: '1.13.1' }).kind, 'local build');
    assert.equal(chosen(withLocal, cuda23), path.join('libtorch-2.3-cu121', 'prebuilds', here, `node.abi${abi}${libc}.node`));
    // A local CUDA build for another CUDA version is not this LibTorch's.
    const cudaLocal = fakeTree([], { torch_version: '2.3.1', cuda: true, cuda_version: '11.8', libtorch_lib_dir: '/x/torch/lib' });
    assert.equal(binary.chooseBinary(cudaLocal, cuda23), null);
    assert.equal(binary.chooseBinary(cudaLocal, { ...cuda23, cuda_version: '11.8' }).kind, 'local build');
  });

  it("reads a CUDA LibTorch's CUDA version from the wheel's version.py, a zip's build-version, or the version", () => {
    const { readCudaVersion } = require('../scripts/libtorch.js');
    const wheel = fakeTree([]), zip = fakeTree([]);
    fs.writeFileSync(path.join(wheel, 'version.py'), "__version__ = '2.5.1+cu124'\ncuda: Optional[str] = '12.4'\nhip = None\n");
    fs.writeFileSync(path.join(zip, 'build-version'), '2.5.1+cu118\n');
    assert.equal(readCudaVersion(wheel, '2.5.1'), '12.4');
    assert.equal(readCudaVersion(zip, '2.5.1'), '11.8');
    assert.equal(readCudaVersion(fakeTree([]), '2.8.0+cu130'), '13.0');
    assert.equal(readCudaVersion(fakeTree([]), '2.8.0'), null);
  });

  it('no match: the message names the LibTorch found, what is there, and the fix', () => {
    const found = { source: 'LIBTORCH', version: '2.5.1', libDir: '/opt/libtorch/lib', cuda: false };
    assert.equal(binary.chooseBinary(tree, found), null);
    const msg = binary.describeMismatch(tree, found);
    assert.match(msg, /LibTorch found: 2\.5\.1 \(CPU\) from LIBTORCH \(\/opt\/libtorch\/lib\)/);
    assert.match(msg, /a prebuild for LibTorch 1\.13 CPU/);
    assert.match(msg, /a prebuild for LibTorch 2\.3 CUDA 12\.1/);
    assert.doesNotMatch(msg, /other-arch/);
    assert.match(msg, /prebuilds\/libtorch-2\.5-cpu\/prebuilds\//);
    assert.match(msg, /npm rebuild torch-node/);
  });
});

describe('install: a packed tarball in a new project, no compiler on the PATH', function () {
  this.timeout(600000);
  let work, env;

  before(() => {
    // The prebuild for this machine's LibTorch (prebuildify driving cmake-js; incremental).
    execFileSync(process.execPath, [path.join(root, 'scripts', 'prebuild.js')], { cwd: root, stdio: 'ignore' });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-install-'));
    const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop();
    // A PATH with node and nothing else: no cmake, no c++, no python3.
    const bin = path.join(work, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    fs.symlinkSync('/bin/sh', path.join(bin, 'sh')); // npm runs lifecycle scripts through sh
    env = { ...process.env, PATH: bin, npm_config_update_notifier: 'false' };
    delete env.LIBTORCH;
    delete env.TORCH_NODE_BINARY; // set when this suite runs against another LibTorch (scripts/test-libtorch.js)
    const npmCli = fs.realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
    const app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    const r = spawnSync(process.execPath, [npmCli, 'install', '--no-audit', '--no-fund', path.join(work, tgz)], { cwd: app, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  after(() => { if (work) fs.rmSync(work, { recursive: true, force: true }); });

  it('the package ships only what a user needs', () => {
    const pkg = path.join(work, 'app', 'node_modules', 'torch-node');
    assert.ok(fs.existsSync(path.join(pkg, 'dist', 'index.js')));
    assert.ok(binary.listPrebuilds(pkg).length >= 1, 'a prebuild for this platform');
    assert.ok(!fs.existsSync(path.join(pkg, 'build')), 'no local build directory in the package');
    assert.ok(!fs.existsSync(path.join(pkg, 'test')), 'no tests in the package');
  });

  it('the install script does nothing when a prebuild matches (npm 11 runs it only once approved)', () => {
    const pkg = path.join(work, 'app', 'node_modules', 'torch-node');
    const r = spawnSync(process.execPath, [path.join(pkg, 'scripts', 'install.js')], { cwd: pkg, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /using the prebuild for LibTorch .*nothing to build/);
    assert.ok(!fs.existsSync(path.join(pkg, 'build')), 'nothing was built');
  });

  it('runs a training step from the prebuild', () => {
    const script = `
      const torch = require('torch-node');
      const info = torch.backend_info();
      torch.manual_seed(0);
      const w = torch.randn(3, 1, { requires_grad: true });
      const x = torch.randn(8, 3), y = torch.randn(8, 1);
      const loss = x.matmul(w).sub(y).pow(2).mean();
      loss.backward();
      torch.no_grad(() => w.sub_(w.grad.mul(0.1)));
      console.log(JSON.stringify({ kind: info.kind, binary: info.binary, version: info.torch_version, loss: loss.item(), after: x.matmul(w).sub(y).pow(2).mean().item() }));`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: path.join(work, 'app'), env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.kind, 'prebuild');
    // node-gyp-build's pick inside the variant root of the LibTorch found
    const variantRoot = binary.variantRoot(path.join(work, 'app', 'node_modules', 'torch-node'), out.version, false);
    assert.equal(path.relative(variantRoot, out.binary).split(path.sep).slice(0, 2).join('/'), `prebuilds/${process.platform}-${process.arch}`);
    assert.match(path.basename(out.binary), new RegExp(`^node\\.abi${process.versions.modules}\\.`));
    assert.ok(out.after < out.loss);
  });

  it('with LibTorch hidden: a clear error listing the ways to get one, no crash', function () {
    if (process.platform !== 'linux' || spawnSync('unshare', ['-m', 'true']).status !== 0) this.skip();
    const cmakeDir = JSON.parse(execFileSync(process.execPath, [path.join(root, 'scripts', 'libtorch.js')], { encoding: 'utf8' })).cmakeDir;
    const script = `try { require('torch-node'); console.log('loaded'); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
    const r = spawnSync('/usr/bin/unshare', ['-m', '/bin/sh', '-c', `/bin/mount -t tmpfs none '${cmakeDir}' && exec '${process.execPath}' -e "$0"`, script],
      { cwd: path.join(work, 'app'), env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.code, 'LIBTORCH_NOT_FOUND');
    assert.match(out.message, /LibTorch was not found\. Looked in:/);
    assert.match(out.message, /apt-get install -y libtorch-dev/);
    assert.match(out.message, /pip install torch/);
    assert.match(out.message, /LIBTORCH=/);
  });
});
