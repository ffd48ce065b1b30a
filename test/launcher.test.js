'use strict';
// bin/torch-node-run: torchrun's variables, per-rank output prefixes, exit
// codes, a failing rank stopping the job (no orphans), signals passed on.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort, run } = require('./support/dist-jobs');

const LAUNCHER = path.join(__dirname, '..', 'bin', 'torch-node-run.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-run-'));
// A rank that reports its variables, then does what argv[2] says for its RANK:
// 'wait' (until a signal; it then says so), 'exitN' (exit with N once every
// waiting rank is ready, so that they are stopped rather than never started).
// Ranks meet through files in argv[3].
const SCRIPT = path.join(dir, 'rank.js');
fs.writeFileSync(SCRIPT, `
const fs = require('node:fs');
const path = require('node:path');
const env = process.env;
process.on('SIGTERM', () => { console.log('rank ' + env.RANK + ' got SIGTERM'); process.exit(0); });
const keys = ['MASTER_ADDR', 'MASTER_PORT', 'RANK', 'WORLD_SIZE', 'LOCAL_RANK', 'LOCAL_WORLD_SIZE', 'GROUP_RANK', 'OMP_NUM_THREADS', 'TORCHELASTIC_RUN_ID'];
console.log(JSON.stringify({ pid: process.pid, args: process.argv.slice(2), ...Object.fromEntries(keys.map((k) => [k, env[k]])) }));
const plans = JSON.parse(process.argv[2] || '{}'), meet = process.argv[3];
const plan = plans[env.RANK] || 'exit0';
if (plan === 'exit0') process.exit(0);
if (plan === 'wait') {
  if (meet) fs.writeFileSync(path.join(meet, 'ready-' + env.RANK), '');
  setInterval(() => {}, 1000);
}
if (plan.startsWith('exit')) {
  const waiting = Object.values(plans).filter((p) => p === 'wait').length;
  const poll = setInterval(() => {
    if (meet && fs.readdirSync(meet).length < waiting) return;
    clearInterval(poll);
    console.error('failing on purpose');
    process.exit(Number(plan.slice(4)));
  }, 20);
}
`);

const lines = (out) => out.trim().split('\n');
const reports = (out) => lines(out).filter((l) => l.includes('{')).map((l) => [l.slice(0, l.indexOf('{')), JSON.parse(l.slice(l.indexOf('{')))]);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

describe('torch-node-run (the launcher)', function () {
  this.timeout(60000);

  it("sets torchrun's variables for every rank and prefixes each rank's output", async () => {
    const port = await freePort();
    const r = await run(process.execPath, [LAUNCHER, '--nproc_per_node', '2', '--nnodes=2', '--node_rank', '1', '--master_port', String(port), SCRIPT, '{}', 'x']);
    assert.equal(r.code, 0, r.stderr);
    const got = reports(r.stdout).sort((a, b) => a[0].localeCompare(b[0]));
    assert.deepEqual(got.map(([prefix]) => prefix), ['[rank2]: ', '[rank3]: ']);
    got.forEach(([, env], local) => {
      assert.deepEqual(env.args, ['{}', 'x']);
      assert.equal(env.MASTER_ADDR, '127.0.0.1');
      assert.equal(env.MASTER_PORT, String(port));
      assert.equal(env.RANK, String(2 + local));
      assert.equal(env.WORLD_SIZE, '4');
      assert.equal(env.LOCAL_RANK, String(local));
      assert.equal(env.LOCAL_WORLD_SIZE, '2');
      assert.equal(env.GROUP_RANK, '1');
      assert.equal(env.OMP_NUM_THREADS, '1');
      assert.equal(env.TORCHELASTIC_RUN_ID, 'none');
    });
  });

  it("fails the job with the failed rank's exit code and stops the other ranks", async () => {
    const meet = fs.mkdtempSync(path.join(dir, 'meet-'));
    const r = await run(process.execPath, [LAUNCHER, '--nproc_per_node', '3', '--master_port', String(await freePort()), SCRIPT, JSON.stringify({ 0: 'wait', 1: 'exit7', 2: 'wait' }), meet]);
    assert.equal(r.code, 7);
    assert.match(r.stderr, /\[rank1\]: failing on purpose/);
    assert.match(r.stderr, /rank 1 \(local rank 1, pid \d+\) exited with code 7; stopping the other ranks/);
    assert.match(r.stdout, /\[rank0\]: rank 0 got SIGTERM/);
    assert.match(r.stdout, /\[rank2\]: rank 2 got SIGTERM/);
    for (const [, env] of reports(r.stdout)) assert.equal(alive(env.pid), false, `rank ${env.RANK} (pid ${env.pid}) outlived the job`);
    assert.ok(r.ms < 30000);
  });

  it('kills a rank that ignores SIGTERM after --kill_grace', async () => {
    const stubborn = path.join(dir, 'stubborn.js');
    fs.writeFileSync(stubborn, `console.log(JSON.stringify({ pid: process.pid })); process.on('SIGTERM', () => {});
if (process.env.RANK === '1') setTimeout(() => process.exit(2), 300); else setInterval(() => {}, 1000);`);
    const r = await run(process.execPath, [LAUNCHER, '--nproc_per_node', '2', '--kill_grace', '1', stubborn]);
    assert.equal(r.code, 2);
    for (const [, env] of reports(r.stdout)) assert.equal(alive(env.pid), false);
    assert.ok(r.ms < 20000, `took ${r.ms} ms`);
  });

  it('passes SIGTERM on to every rank and exits with 128 + 15', async () => {
    let launcher;
    const pending = run(process.execPath, [LAUNCHER, '--nproc_per_node', '2', SCRIPT, JSON.stringify({ 0: 'wait', 1: 'wait' })], { onSpawn: (c) => { launcher = c; } });
    // Signal once both ranks have reported (their SIGTERM handlers are set by then).
    let seen = '';
    await new Promise((resolve) => launcher.stdout.on('data', (d) => { seen += d; if ((seen.match(/"pid"/g) || []).length === 2) resolve(); }));
    launcher.kill('SIGTERM');
    const r = await pending;
    assert.equal(r.code, 143);
    assert.match(r.stdout, /\[rank0\]: rank 0 got SIGTERM/);
    assert.match(r.stdout, /\[rank1\]: rank 1 got SIGTERM/);
  });

  it('refuses bad usage with exit code 2 and the usage line', async () => {
    for (const args of [[], ['--nproc_per_node'], ['--nproc_per_node', 'two', SCRIPT], ['--nprocs', '2', SCRIPT], ['--nnodes', '2', '--node_rank', '2', SCRIPT]]) {
      const r = await run(process.execPath, [LAUNCHER, ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /usage: torch-node-run --nproc_per_node N/);
    }
  });
});
