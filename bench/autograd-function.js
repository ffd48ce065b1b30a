'use strict';
// A custom torch.autograd.Function (static forward/backward, MyFn.apply(x)) side by side with
// PyTorch (Python) on the same LibTorch: a custom exp (save_for_backward of the output) on 64
// elements and a custom linear (save_for_backward of two inputs, needs_input_grad) on 8x16 -> 4,
// forward only and forward + backward, the results left to the GC or disposed at once (Python
// frees them at once either way). The kernels are tiny, so this measures the binding's per-call
// cost of apply(), the ctx, the saved tensors and the backward call into JS. One thread on both
// sides; best of N rounds, us per iteration, ratio Node/Python. Python runs at the same time as
// Node (a concurrent pair): on a shared, loaded machine both see the same load.
//   node bench/autograd-function.js [rounds] [iterations]   BENCH_ONLY_NODE=1: Node alone (profiling)
const { execFile } = require('node:child_process');
const path = require('node:path');
const torch = require('..');

const PYTHON = process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3';
const rounds = Number(process.argv[2]) || 10, iterations = Number(process.argv[3]) || 5000;
torch.set_num_threads(1);

class MyExp extends torch.autograd.Function {
  static forward(ctx, x) { const r = x.exp(); ctx.save_for_backward(r); return r; }
  static backward(ctx, g) { const [r] = ctx.saved_tensors; return g.mul(r); }
}

class MyLinear extends torch.autograd.Function {
  static forward(ctx, x, w, b) { ctx.save_for_backward(x, w); return x.mm(w.t()).add(b); }
  static backward(ctx, g) {
    const [x, w] = ctx.saved_tensors;
    return [ctx.needs_input_grad[0] ? g.mm(w) : null, ctx.needs_input_grad[1] ? g.t().mm(x) : null,
      ctx.needs_input_grad[2] ? g.sum(0) : null];
  }
}

function timed(fn) {
  for (let i = 0; i < iterations; i++) fn(); // warm-up (JIT, caching allocator)
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / iterations / 1e3);
  }
  return best;
}

function measureNode() {
  torch.manual_seed(0);
  const x = torch.randn(64, { requires_grad: true });
  const a = torch.randn(8, 16, { requires_grad: true });
  const w = torch.randn(4, 16, { requires_grad: true });
  const b = torch.randn(4, { requires_grad: true });
  const fwdbwd = (y) => { const s = y.sum(); s.backward(); return s; };
  const disposeAll = (...ts) => { for (const t of ts) t.dispose(); };
  return {
    exp_fwd_us: timed(() => MyExp.apply(x)),
    exp_fwd_disposed_us: timed(() => MyExp.apply(x).dispose()),
    exp_fwdbwd_us: timed(() => fwdbwd(MyExp.apply(x))),
    exp_fwdbwd_disposed_us: timed(() => { const y = MyExp.apply(x); disposeAll(y, fwdbwd(y)); }),
    linear_fwd_us: timed(() => MyLinear.apply(a, w, b)),
    linear_fwd_disposed_us: timed(() => MyLinear.apply(a, w, b).dispose()),
    linear_fwdbwd_us: timed(() => fwdbwd(MyLinear.apply(a, w, b))),
    linear_fwdbwd_disposed_us: timed(() => { const y = MyLinear.apply(a, w, b); disposeAll(y, fwdbwd(y)); }),
    builtin_exp_fwdbwd_us: timed(() => fwdbwd(x.exp())),
  };
}

const only = process.env.BENCH_ONLY_NODE;  // profiling: skip Python
const pyRun = only ? Promise.resolve(null) : new Promise((resolve, reject) => {
  execFile(PYTHON, [path.join(__dirname, 'autograd_function.py'), String(rounds), String(iterations)], { encoding: 'utf8' },
    (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout.trim().split('\n').pop()))));
});
main().catch((e) => { console.error(e); process.exit(1); });

async function main() {
  const node = measureNode();
  const py = await pyRun;
  console.log(`custom autograd.Function on cpu, us per iteration, best of ${rounds} x ${iterations}, ` +
    `threads: ${torch.get_num_threads()} (LibTorch ${torch.backend_info().torch_version})`);
  console.log('measure | node | python | node/python');
  console.log('--- | --- | --- | ---');
  for (const [label, key, pyKey] of [
    ['MyExp.apply(x), 64 el., forward, results to the GC', 'exp_fwd_us', 'exp_fwd_us'],
    ['MyExp.apply(x), forward, disposed', 'exp_fwd_disposed_us', 'exp_fwd_us'],
    ['MyExp.apply(x).sum().backward(), results to the GC', 'exp_fwdbwd_us', 'exp_fwdbwd_us'],
    ['MyExp.apply(x).sum().backward(), disposed', 'exp_fwdbwd_disposed_us', 'exp_fwdbwd_us'],
    ['MyLinear.apply(a, w, b), 8x16 -> 4, forward, to the GC', 'linear_fwd_us', 'linear_fwd_us'],
    ['MyLinear.apply(a, w, b), forward, disposed', 'linear_fwd_disposed_us', 'linear_fwd_us'],
    ['MyLinear.apply(a, w, b).sum().backward(), to the GC', 'linear_fwdbwd_us', 'linear_fwdbwd_us'],
    ['MyLinear.apply(a, w, b).sum().backward(), disposed', 'linear_fwdbwd_disposed_us', 'linear_fwdbwd_us'],
    ['built-in x.exp().sum().backward() (baseline)', 'builtin_exp_fwdbwd_us', 'builtin_exp_fwdbwd_us'],
  ]) {
    const p = py ? py[pyKey] : NaN;
    console.log(`${label} | ${node[key].toFixed(2)} us | ${p.toFixed(2)} us | ${(node[key] / p).toFixed(2)}`);
  }
}
