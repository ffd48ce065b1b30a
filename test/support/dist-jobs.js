'use strict';
// Helpers for the multi-process distributed tests: free ports on 127.0.0.1 and
// processes that are killed if they outlive their time, so no test can hang.
const { spawn } = require('node:child_process');
const net = require('node:net');

const PYTHON = process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

/** Runs cmd; resolves { code, signal, stdout, stderr, ms } when it ends (SIGKILLed after `timeout` ms). */
function run(cmd, args, { timeout = 90000, env = process.env, onSpawn } = {}) {
  return new Promise((resolve) => {
    const start = Date.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    if (onSpawn) onSpawn(child);
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - start, pid: child.pid });
    });
  });
}

/** Runs cmd and parses the last line it prints as JSON; rejects on failure. */
async function json(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${[cmd, ...args].join(' ')}: exit ${r.code} ${r.signal ?? ''}\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

module.exports = { PYTHON, freePort, run, json };
