'use strict';
// A create/dispose loop over the addon's allocation paths, for LeakSanitizer
// or valgrind (docs/reliability.md):
//   LSAN=1 scripts/sanitize.sh node --expose-gc scripts/sanitizers/leak-loop.js [iterations]
// Every tensor is disposed, dropped to the GC, or released by a scope; at the
// end the live count must be back where it started. Run it with two iteration
// counts: a real leak grows with them, process-lifetime caches do not.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const torch = require(path.join(__dirname, '..', '..'));
const nn = require(path.join(__dirname, '..', '..', 'dist', 'nn'));

const n = Number(process.argv[2] || 200);
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leak-loop-')), 'x.pt');
const before = torch.memory_stats().tensors;
const lin = new nn.Linear(8, 4);
for (let i = 0; i < n; i++) {
  torch.randn(16, 16).add(1).dispose(); // dispose() now
  torch.zeros([4, 4]).matmul(torch.ones(4, 4)); // dropped: the GC's weak callback
  torch.scope(() => torch.tensor([1, 2, 3]).index(torch.tensor([true, false, true])).sum());
  torch.frombuffer(new Float32Array(8).buffer, { dtype: torch.float32 }).mul(2).dispose(); // holds a V8 backing store
  torch.tensor(new BigInt64Array(4)).tolist();
  torch.scope(() => { // autograd graph, .grad
    const x = torch.randn(3, 8, { requires_grad: true });
    lin(x).sum().backward();
    lin.zero_grad();
  });
  torch.save({ w: torch.randn(3) }, file); // zip writer, pickle, storages
  torch.load(file);
  try { torch.zeros([2]).add(torch.zeros([3])); } catch { /* error path: c10::Error -> JS */ }
  try { torch.load(Buffer.from('not a zip')); } catch { /* zip reader error path */ }
  if (i % 50 === 49 && global.gc) global.gc();
}
for (let i = 0; i < 3 && global.gc; i++) global.gc();
// A worker that makes its own minor GCs (native/addon.cpp keeps a gc function per
// thread) and exits: its env's cleanup hook frees that and its tensors.
const worker = new Worker(`const torch = require(${JSON.stringify(path.join(__dirname, '..', '..'))});
  for (let i = 0; i < 8; i++) torch.ones(262144).add(1); // 16 MB: two minor GCs`, { eval: true });
worker.once('error', (e) => { console.error(e); process.exitCode = 1; });
worker.once('exit', () => setImmediate(() => {
  if (global.gc) global.gc();
  const live = torch.memory_stats().tensors - before - [...lin.parameters()].length;
  console.log(`leak-loop: ${n} iterations, ${live} tensors still live (the module's parameters aside)`);
  if (live !== 0) process.exitCode = 1; // CI (scripts/ci-sanitizers.sh) reads the exit status
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
}));
