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

function fakeTree(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-prebuilds-'));
  const pb = path.join(dir, 'prebuilds', `${process.platform}-${process.arch}`);
  fs.mkdirSync(pb, { recursive: true });
  for (const f of files) fs.writeFileSync(path.join(pb, f), '');
  return dir;
}

describe('install: choosing the binary', () => {
  const cpu113 = { source: 'system', version: '1.13.0', libDir: '/usr/lib', cuda: false };
  const cuda213 = { source: 'python (python3)', version: '2.13.0+cu130', libDir: '/x/torch/lib', cuda: true };
  const abi = process.versions.modules;
  const tree = fakeTree([
    `torch-node.libtorch-1.13.0.cpu.abi${abi}.glibc.node`, `torch-node.libtorch-2.13.0.cpu.abi${abi}.glibc.node`,
    `torch-node.libtorch-2.13.0.cuda.abi${abi}.glibc.node`, 'torch-node.libtorch-2.13.0.cuda.abi1.glibc.node',
    'torch-node.napi.node', 'README',
  ]);
  const prebuilds = binary.listPrebuilds(tree);

  it('reads the LibTorch tags of prebuild names and ignores other files', () => {
    assert.deepEqual(prebuilds.map((p) => [path.basename(p.path), p.torch_version, p.cuda, p.node_abi]).sort(), [
      [`torch-node.libtorch-1.13.0.cpu.abi${abi}.glibc.node`, '1.13.0', false, abi],
      [`torch-node.libtorch-2.13.0.cpu.abi${abi}.glibc.node`, '2.13.0', false, abi],
      ['torch-node.libtorch-2.13.0.cuda.abi1.glibc.node', '2.13.0', true, '1'],
      [`torch-node.libtorch-2.13.0.cuda.abi${abi}.glibc.node`, '2.13.0', true, abi],
    ].sort());
  });

  it('picks the prebuild of the LibTorch version and variant found', () => {
    assert.equal(path.basename(binary.chooseBinary(null, prebuilds, cpu113).path), `torch-node.libtorch-1.13.0.cpu.abi${abi}.glibc.node`);
    assert.equal(path.basename(binary.chooseBinary(null, prebuilds, cuda213).path), `torch-node.libtorch-2.13.0.cuda.abi${abi}.glibc.node`);
    assert.equal(path.basename(binary.chooseBinary(null, prebuilds, { ...cuda213, cuda: false }).path), `torch-node.libtorch-2.13.0.cpu.abi${abi}.glibc.node`);
  });

  it('never picks a prebuild made for another Node ABI (experimental Node-API is not ABI-stable)', () => {
    const other = binary.listPrebuilds(fakeTree(['torch-node.libtorch-1.13.0.cpu.abi1.glibc.node']));
    assert.equal(binary.chooseBinary(null, other, cpu113), null);
    assert.match(binary.describeMismatch(null, other, cpu113), /a prebuild for LibTorch 1\.13\.0 CPU and Node ABI 1 \(/);
  });

  it('a local build wins only when it matches; a stale one never shadows a matching prebuild', () => {
    const local = { path: '/p/build/Release/torch_node.node', kind: 'local build', torch_version: '1.13.0', cuda: false, lib_dir: '/usr/lib' };
    assert.equal(binary.chooseBinary(local, prebuilds, cpu113), local);
    assert.equal(path.basename(binary.chooseBinary(local, prebuilds, cuda213).path), `torch-node.libtorch-2.13.0.cuda.abi${abi}.glibc.node`);
  });

  it('no match: the message names the LibTorch found, what is there, and the fix', () => {
    const found = { source: 'LIBTORCH', version: '2.5.1', libDir: '/opt/libtorch/lib', cuda: false };
    assert.equal(binary.chooseBinary(null, prebuilds, found), null);
    const msg = binary.describeMismatch(null, prebuilds, found);
    assert.match(msg, /LibTorch found: 2\.5\.1 \(CPU\) from LIBTORCH \(\/opt\/libtorch\/lib\)/);
    assert.match(msg, /a prebuild for LibTorch 1\.13\.0 CPU/);
    assert.match(msg, /npm rebuild torch-node/);
  });

  it('versions compare by major.minor.patch ("1.13.0a0" is 1.13.0)', () => {
    assert.equal(binary.baseVersion('1.13.0a0'), '1.13.0');
    assert.equal(binary.baseVersion('2.13.0+cpu'), '2.13.0');
    assert.equal(binary.prebuildName('2.13.0+cu130', true), 'torch-node.libtorch-2.13.0.cuda');
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
    assert.ok(fs.readdirSync(path.join(pkg, 'prebuilds', `${process.platform}-${process.arch}`)).length >= 1);
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
      console.log(JSON.stringify({ kind: info.kind, loss: loss.item(), after: x.matmul(w).sub(y).pow(2).mean().item() }));`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: path.join(work, 'app'), env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.kind, 'prebuild');
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
