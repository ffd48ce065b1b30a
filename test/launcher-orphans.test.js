'use strict';
// torch-node-run SIGKILLed (it can pass nothing on): its ranks, Node and
// Python, must not outlive it. Each rank has the kernel kill it when its
// parent dies (PR_SET_PDEATHSIG, Linux), so a rank whose JS thread is blocked
// goes too.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { PYTHON } = require('./support/dist-jobs');

const LAUNCHER = path.join(__dirname, '..', 'bin', 'torch-node-run.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-orphans-'));
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const describeLinux = process.platform === 'linux' ? describe : describe.skip;

// Rank 0 blocks its JS thread for good (as one stuck in a collective), rank 1 idles on the event loop.
const NODE_RANK = path.join(dir, 'rank.js');
fs.writeFileSync(NODE_RANK, `console.log(JSON.stringify({ pid: process.pid, ppid: process.ppid }));
if (process.env.RANK === '0') setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0), 50);
else setInterval(() => {}, 1000);
`);
const PY_RANK = path.join(dir, 'rank.py');
fs.writeFileSync(PY_RANK, `import json, os, sys, time
print(json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "argv": sys.argv, "name": __name__}), flush=True)
while True:
    time.sleep(1)
`);

/** Starts the launcher on script; resolves once every rank printed its pid: [launcher, reports]. */
function startJob(script, n, args = []) {
  return new Promise((resolve, reject) => {
    const launcher = spawn(process.execPath, [LAUNCHER, '--nproc_per_node', String(n), script, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TORCH_NODE_REFERENCE_PYTHON: PYTHON } });
    let out = '', err = '';
    const timer = setTimeout(() => { launcher.kill('SIGKILL'); reject(new Error(`ranks did not start:\n${out}${err}`)); }, 60000);
    launcher.stderr.on('data', (d) => { err += d; });
    launcher.stdout.on('data', (d) => {
      out += d;
      const reports = out.split('\n').filter((l) => l.includes('{')).map((l) => JSON.parse(l.slice(l.indexOf('{'))));
      if (reports.length === n) { clearTimeout(timer); resolve([launcher, reports]); }
    });
  });
}

async function killLauncherAndWatch(launcher, reports) {
  for (const r of reports) assert.equal(r.ppid, launcher.pid, 'the launcher is the rank\'s parent');
  launcher.kill('SIGKILL');
  const start = Date.now();
  while (reports.some((r) => alive(r.pid)) && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 50));
  const left = reports.filter((r) => alive(r.pid));
  for (const r of left) process.kill(r.pid, 'SIGKILL'); // leave nothing behind even when failing
  assert.deepEqual(left.map((r) => r.pid), [], `ranks still running ${Date.now() - start} ms after the launcher was SIGKILLed`);
  return Date.now() - start;
}

describeLinux('torch-node-run: no orphans when the launcher is SIGKILLed', function () {
  this.timeout(90000);

  it('Node ranks (one with its JS thread blocked) die within seconds', async () => {
    const [launcher, reports] = await startJob(NODE_RANK, 2);
    await new Promise((r) => setTimeout(r, 200)); // rank 0 is now inside Atomics.wait
    const ms = await killLauncherAndWatch(launcher, reports);
    assert.ok(ms < 5000, `${ms} ms`);
  });

  it('Python ranks die within seconds, and still run as __main__ with their own argv', async () => {
    const [launcher, reports] = await startJob(PY_RANK, 2, ['a', 'b']);
    for (const r of reports) {
      assert.deepEqual(r.argv, [PY_RANK, 'a', 'b']);
      assert.equal(r.name, '__main__');
    }
    await killLauncherAndWatch(launcher, reports);
  });

  it("a rank's own child processes are not killed for not being the launcher's", async () => {
    const forking = path.join(dir, 'fork.js');
    fs.writeFileSync(forking, `const { fork } = require('node:child_process');
if (process.argv[2] === 'child') { console.log(JSON.stringify({ pid: process.pid, ppid: process.ppid, child: true, env: process.env.TORCH_NODE_RUN_PID ?? null })); process.exit(0); }
console.log(JSON.stringify({ pid: process.pid, ppid: process.ppid }));
fork(__filename, ['child']).on('exit', (code, signal) => { console.log(JSON.stringify({ pid: 0, ppid: process.ppid, code, signal })); process.exit(0); });
`);
    const { run } = require('./support/dist-jobs');
    const r = await run(process.execPath, [LAUNCHER, '--nproc_per_node', '1', forking]);
    assert.equal(r.code, 0, r.stderr);
    const reports = r.stdout.trim().split('\n').map((l) => JSON.parse(l.slice(l.indexOf('{'))));
    assert.equal(reports.find((x) => x.child)?.env, null, 'the variable is not passed on');
    assert.deepEqual(reports.filter((x) => 'code' in x).map((x) => [x.code, x.signal]), [[0, null]], 'the fork ran to its end');
  });

  it('a rank whose launcher died before it asked is killed at once (the getppid() check)', async () => {
    // die_with_parent() called with a pid that is not this process's parent: as if re-parented already.
    const { spawnSync } = require('node:child_process');
    const r = spawnSync(process.execPath, ['-r', path.join(__dirname, '..', 'dist', 'launcher_guard.js'), '-e', 'console.log("ran")'],
      { env: { ...process.env, TORCH_NODE_RUN_PID: '1' }, encoding: 'utf8', timeout: 60000 });
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(r.stdout, '');
    // Without the variable (not started by torch-node-run) nothing changes.
    const plain = spawnSync(process.execPath, ['-r', path.join(__dirname, '..', 'dist', 'launcher_guard.js'), '-e', 'console.log("ran")'],
      { env: { ...process.env, TORCH_NODE_RUN_PID: '' }, encoding: 'utf8', timeout: 60000 });
    assert.equal(plain.stdout, 'ran\n');
  });
});
