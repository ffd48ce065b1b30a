'use strict';
// Instructions per call, counted by valgrind's callgrind (repeatable where
// wall-clock timings swing 2x on these machines): torch.add on 1-element
// tensors with the results dropped (left to the GC in Node, freed at once in
// Python), N calls minus a run of 0 calls to take out start-up.
//   node bench/instructions.js [calls]     (needs valgrind; takes minutes)
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const calls = Number(process.argv[2]) || 20000;
const PYTHON = process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3';
const root = path.resolve(__dirname, '..');

function instructions(cmd, args) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tn-callgrind-')), 'out');
  execFileSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, '--smc-check=all-non-file', cmd, ...args],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OMP_NUM_THREADS: '1' } });
  const summary = /^summary:\s*(\d+)/m.exec(fs.readFileSync(out, 'utf8'));
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  if (!summary) throw new Error(`no callgrind summary for ${cmd}`);
  return Number(summary[1]);
}

const nodeScript = (n) => `const torch = require(${JSON.stringify(root)}); torch.set_num_threads(1);
  const a = torch.ones(1), b = torch.ones(1); for (let i = 0; i < ${n}; i++) torch.add(a, b);`;
const pyScript = (n) => `import torch\ntorch.set_num_threads(1)\na = torch.ones(1); b = torch.ones(1)\nfor i in range(${n}): torch.add(a, b)\n`;

try { execFileSync('valgrind', ['--version'], { stdio: 'ignore' }); } catch {
  console.error('bench/instructions.js needs valgrind (Debian: apt-get install -y valgrind)');
  process.exit(1);
}
const perCall = (script, cmd, flag) => (instructions(cmd, [flag, script(calls)]) - instructions(cmd, [flag, script(0)])) / calls;
const node = perCall(nodeScript, process.execPath, '-e');
const python = perCall(pyScript, PYTHON, '-c');
console.log(`instructions per torch.add on 1-element tensors, result dropped (${calls} calls, start-up subtracted)`);
console.log('measure | node | python | node/python\n--- | --- | --- | ---');
console.log(`add, 1-element, result dropped | ${node.toFixed(0)} | ${python.toFixed(0)} | ${(node / python).toFixed(2)}`);
