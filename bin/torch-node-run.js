#!/usr/bin/env node
'use strict';
// torch-node-run: torchrun for Node scripts.
//
//   npx torch-node-run --nproc_per_node N [--nnodes M --node_rank K --master_addr A --master_port P] script.js [args...]
//
// Starts N processes of `script` on this node with torchrun's variables
// (MASTER_ADDR MASTER_PORT RANK WORLD_SIZE LOCAL_RANK LOCAL_WORLD_SIZE
// GROUP_RANK ROLE_RANK ROLE_WORLD_SIZE TORCHELASTIC_RUN_ID), so `init_process_group('gloo')`
// (env://) joins them. A script ending in .py runs with Python (torchrun's own
// way), anything else with this Node. Every line a rank prints is prefixed
// with `[rankR]: `. When a rank fails (non-zero exit or a signal) the others
// are stopped (SIGTERM, then SIGKILL after --kill_grace seconds) and the
// launcher exits with the failed rank's status; SIGINT, SIGTERM and SIGHUP
// sent to the launcher are passed on to every rank the same way. A SIGKILLed
// launcher can pass nothing on, so every rank asks the kernel, as it starts, to
// SIGKILL it when the launcher dies (Linux's PR_SET_PDEATHSIG, then a getppid()
// check against TORCH_NODE_RUN_PID for a launcher that died first): Node ranks
// through a preload (dist/launcher_guard.js), Python ranks through a bootstrap
// (ctypes) that then runs the script as __main__.
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const USAGE = 'usage: torch-node-run --nproc_per_node N [--nnodes M] [--node_rank K] [--master_addr ADDR] [--master_port PORT] [--kill_grace S] script [args...]';
const OPTIONS = { nproc_per_node: 1, nnodes: 1, node_rank: 0, master_addr: '127.0.0.1', master_port: 29500, kill_grace: 5 };
const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

const GUARD = path.join(__dirname, '..', 'dist', 'launcher_guard.js');
const PY_BOOTSTRAP = [
  'import ctypes, os, runpy, signal, sys',
  'try:',
  '    if ctypes.CDLL(None).prctl(1, signal.SIGKILL) == 0 and os.getppid() != int(os.environ.pop("TORCH_NODE_RUN_PID")):',
  '        os.kill(os.getpid(), signal.SIGKILL)',
  'except (OSError, AttributeError, KeyError, ValueError):',
  '    pass',
  'sys.argv = sys.argv[1:]',
  'sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))',
  'runpy.run_path(sys.argv[0], run_name="__main__")',
].join('\n');

function fail(message) {
  process.stderr.write(`torch-node-run: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parse(argv) {
  const opts = { ...OPTIONS };
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('--'); i++) {
    let [key, value] = argv[i].slice(2).split(/=(.*)/s, 2);
    key = key.replace(/-/g, '_');
    if (key === 'help') { process.stdout.write(USAGE + '\n'); process.exit(0); }
    if (!(key in OPTIONS)) fail(`unknown option --${key}`);
    if (value === undefined) {
      if (++i >= argv.length) fail(`--${key} needs a value`);
      value = argv[i];
    }
    if (key === 'master_addr') { opts[key] = value; continue; }
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || (key !== 'kill_grace' && !Number.isInteger(n))) fail(`--${key} must be a non-negative integer, got '${value}'`);
    opts[key] = n;
  }
  if (i >= argv.length) fail('no script given');
  if (opts.nproc_per_node < 1) fail('--nproc_per_node must be at least 1');
  if (opts.nnodes < 1) fail('--nnodes must be at least 1');
  if (opts.node_rank >= opts.nnodes) fail(`--node_rank ${opts.node_rank} must be less than --nnodes ${opts.nnodes}`);
  if (opts.master_port < 1 || opts.master_port > 65535) fail('--master_port must be between 1 and 65535');
  return { opts, script: argv[i], args: argv.slice(i + 1) };
}

function main() {
  const { opts, script, args } = parse(process.argv.slice(2));
  const world = opts.nnodes * opts.nproc_per_node;
  const python = process.env.TORCH_NODE_REFERENCE_PYTHON || 'python3';
  const [cmd, cmdArgs] = /\.py$/.test(script) ? [python, ['-u', '-c', PY_BOOTSTRAP, script, ...args]] : [process.execPath, ['-r', GUARD, script, ...args]];
  const children = [];
  let stopping = null; // the exit status the job ends with, once decided
  let killTimer = null;

  const stopAll = (status, signal = 'SIGTERM') => {
    if (stopping === null) stopping = status;
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(signal);
    if (!killTimer) {
      killTimer = setTimeout(() => {
        for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      }, opts.kill_grace * 1000);
      killTimer.unref();
    }
  };

  for (let local = 0; local < opts.nproc_per_node; local++) {
    const rank = opts.node_rank * opts.nproc_per_node + local;
    const env = {
      ...process.env,
      MASTER_ADDR: opts.master_addr, MASTER_PORT: String(opts.master_port),
      RANK: String(rank), WORLD_SIZE: String(world),
      LOCAL_RANK: String(local), LOCAL_WORLD_SIZE: String(opts.nproc_per_node),
      GROUP_RANK: String(opts.node_rank), ROLE_RANK: String(rank), ROLE_WORLD_SIZE: String(world), ROLE_NAME: 'default',
      // torchrun's run id ('none' without a rendezvous id): is_torchelastic_launched() reads it.
      TORCHELASTIC_RUN_ID: process.env.TORCHELASTIC_RUN_ID ?? 'none', TORCHELASTIC_RESTART_COUNT: '0', TORCHELASTIC_MAX_RESTARTS: '0',
      TORCH_NODE_RUN_PID: String(process.pid),
    };
    // As torchrun: one thread per rank unless the user chose otherwise.
    if (opts.nproc_per_node > 1 && env.OMP_NUM_THREADS === undefined) env.OMP_NUM_THREADS = '1';
    const child = spawn(cmd, cmdArgs, { env, stdio: ['inherit', 'pipe', 'pipe'] });
    children.push(child);
    const prefix = `[rank${rank}]: `;
    for (const [from, to] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      readline.createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(prefix + line + '\n'));
    }
    child.on('error', (e) => {
      process.stderr.write(`torch-node-run: rank ${rank} could not start: ${e.message}\n`);
      stopAll(1);
    });
    child.on('exit', (code, signal) => {
      if (code !== 0 && stopping === null) {
        const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        process.stderr.write(`torch-node-run: rank ${rank} (local rank ${local}, pid ${child.pid}) ${why}; stopping the other ranks\n`);
        stopAll(signal ? 128 + (require('node:os').constants.signals[signal] ?? 0) : code);
      }
    });
  }

  for (const sig of Object.keys(SIGNALS)) {
    process.on(sig, () => {
      process.stderr.write(`torch-node-run: got ${sig}, passing it to every rank\n`);
      stopAll(128 + SIGNALS[sig], sig);
    });
  }

  // The job ends when every rank has ended (their output flushed first).
  Promise.all(children.map((c) => new Promise((resolve) => c.on('close', resolve)))).then(() => {
    if (killTimer) clearTimeout(killTimer);
    process.exitCode = stopping ?? 0;
  });
}

main();
