'use strict';
// Launch-bound work side by side with PyTorch (Python) on the same LibTorch:
// a chain of small elementwise ops and reductions on 1,024-element tensors,
// where each op's kernel is shorter than the host's cost to issue it (on a
// GPU, the CUDA launch; on CPU, the dispatch), so the ratio measures each
// binding's per-op overhead. Results are left to the GC as ordinary code
// does, plus an autograd variant. Best of N rounds, ratio Node/Python.
//   node bench/small-ops.js [rounds] [iterations]   TORCH_DEVICE=cuda: on the GPU (synchronised per round)
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const torch = require('..');

const PYTHON = process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3';
const DEVICE = process.env.TORCH_DEVICE || 'cpu';
const sync = DEVICE.startsWith('cuda') ? () => torch.cuda.synchronize() : () => {};
const rounds = Number(process.argv[2]) || 5, iterations = Number(process.argv[3]) || 2000;

// One iteration is 8 ops; reported per op.
function timed(fn) {
  for (let i = 0; i < iterations; i++) fn(); // warm-up (JIT, caching allocator)
  sync();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    sync();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / iterations / 8 / 1e3);
  }
  return best;
}

function measureNode() {
  torch.manual_seed(0);
  const x = torch.randn(1024, { device: DEVICE }), y = torch.randn(1024, { device: DEVICE });
  const w = torch.randn(1024, { device: DEVICE, requires_grad: true });
  const out = {};
  out.chain_us = timed(() => {
    const a = x.add(y), b = a.mul(x), c = b.relu(), d = c.sub(y);
    const e = d.exp(), f = e.div(a), g = f.sum(), h = g.neg();
    return h;
  });
  out.inplace_us = timed(() => {
    x.add_(y); x.mul_(0.5); x.relu_(); x.sub_(y); x.clamp_(-1, 1); x.div_(2); x.abs_(); x.neg_();
  });
  out.autograd_us = timed(() => {
    // 7 forward ops and backward(): counted as 8.
    const loss = w.mul(x).add(y).tanh().mul(w).sum().mul(0.5).neg();
    loss.backward();
  });
  return out;
}

const node = measureNode();
const py = JSON.parse(execFileSync(PYTHON, [path.join(__dirname, 'small_ops.py'), String(rounds), String(iterations)],
  { encoding: 'utf8', env: { ...process.env, TORCH_DEVICE: DEVICE } }).trim().split('\n').pop());
console.log(`small ops (1,024 elements) on ${DEVICE}, us per op, best of ${rounds} x ${iterations} iterations of 8 ops, ` +
  `threads: ${torch.get_num_threads()} (LibTorch ${torch.backend_info().torch_version})`);
console.log('measure | node | python | node/python');
console.log('--- | --- | --- | ---');
for (const [label, key] of [['8-op chain, results left to the GC', 'chain_us'], ['8 in-place ops', 'inplace_us'],
  ['7-op forward + backward (autograd)', 'autograd_us']]) {
  console.log(`${label} | ${node[key].toFixed(2)} us | ${py[key].toFixed(2)} us | ${(node[key] / py[key]).toFixed(2)}`);
}
