'use strict';
// Instructions per call, counted by valgrind's callgrind (repeatable where
// wall-clock timings swing 2x on these shared machines), Node against Python
// (Debian's /usr/bin/python3 with torch 1.13) on the same LibTorch.
//   npm run bench:instructions             (2,000 calls each: about 2-4 minutes)
//   node bench/instructions.js [calls] [case-regex]
//   TN_CALLGRIND_KEEP=<dir> node bench/instructions.js   (keeps callgrind's files, for callgrind_annotate)
//
// Only the measured loop is counted: both languages start uninstrumented
// (--instr-atstart=no: LibTorch's loading and the interpreters' boot run
// minutes faster) and call callgrind's client requests through
// bench/callgrind-window.c (a Node-API module and a ctypes library, built
// here with cc) after a warm-up. A result left to the GC in Node is paid for at
// the GC, after the loop: the loop is followed by a minor GC (--expose-gc) that
// collects what it dropped, so the weak callbacks and frees are counted, as
// Python's frees are inside its loop. The fixed cost of a minor GC (roots,
// survivors: once per ~100,000 calls in a real loop) is taken out by counting
// one with nothing to collect first: per call = (loop + GC - GC) / calls.
// --single-threaded-gc: callgrind counts every thread, and the concurrent
// sweeper of the warm-up's last full GC otherwise lands in the window
// (measured: 5,400 instructions per call of sweeping that belongs to no call).
// --no-concurrent-recompilation: TurboFan compiles during the warm-up, on the main thread; a
// background compile could still be pending when the window opens (a custom Function's apply()
// then counted ~40,000 instead of ~31,500 one run in three, in Sparkplug code).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const calls = Number(process.argv[2]) || 2000;
// Enough for V8 to have optimized the loop (TurboFan's compile counted in the window was
// a quarter of it after 500).
const WARMUP = 20000;
const PYTHON = process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3';
const root = path.resolve(__dirname, '..');

for (const [cmd, hint] of [['valgrind', 'apt-get install -y valgrind'], ['cc', 'apt-get install -y gcc']]) {
  try { execFileSync(cmd, ['--version'], { stdio: 'ignore' }); } catch {
    console.error(`bench/instructions.js needs ${cmd} (Debian: ${hint})`);
    process.exit(1);
  }
}
const nodeInclude = path.join(path.dirname(process.execPath), '..', 'include', 'node');
if (!fs.existsSync(path.join(nodeInclude, 'node_api.h'))) {
  console.error(`bench/instructions.js needs Node's headers (${nodeInclude}/node_api.h)`);
  process.exit(1);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tn-callgrind-'));
const shimC = path.join(__dirname, 'callgrind-window.c');
const shimNode = path.join(tmp, 'window.node');
const shimSo = path.join(tmp, 'window.so');
execFileSync('cc', ['-O2', '-shared', '-fPIC', '-DTN_NAPI', `-I${nodeInclude}`, shimC, '-o', shimNode]);
execFileSync('cc', ['-O2', '-shared', '-fPIC', shimC, '-o', shimSo]);

// One case: the statement run `calls` times, on tensors a and b of `numel` elements.
const CASES = [
  { name: 'add, 1 element, result dropped', numel: 1, node: 'torch.add(a, b)', python: 'torch.add(a, b)' },
  { name: 'add, 1 element, result disposed / freed', numel: 1, node: 'torch.add(a, b).dispose()', python: 'torch.add(a, b)' },
  { name: 'add, 100,000 elements, result dropped', numel: 100000, node: 'torch.add(a, b)', python: 'torch.add(a, b)' },
  // A custom autograd.Function (bench/autograd-function.js): apply() alone, and with backward().
  { name: 'custom Function MyExp.apply(a), 64 elements, result dropped', numel: 64, setup: 'myexp',
    node: 'MyExp.apply(a)', python: 'MyExp.apply(a)' },
  { name: 'custom Function MyExp.apply(a).sum().backward(), results dropped', numel: 64, setup: 'myexp',
    node: 'MyExp.apply(a).sum().backward()', python: 'MyExp.apply(a).sum().backward()' },
  { name: 'custom Function MyLinear.apply(x, w, bias).sum().backward(), 8x16 -> 4, results dropped', numel: 1, setup: 'mylinear',
    node: 'MyLinear.apply(x, w, bias).sum().backward()', python: 'MyLinear.apply(x, w, bias).sum().backward()' },
];

// Definitions a case's statement uses (a and b require grad where a setup is named).
const SETUP = {
  myexp: {
    node: `class MyExp extends torch.autograd.Function {
    static forward(ctx, x) { const r = x.exp(); ctx.save_for_backward(r); return r; }
    static backward(ctx, g) { const [r] = ctx.saved_tensors; return g.mul(r); }
  }
  a.requires_grad_(true);`,
    python: `class MyExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        r = x.exp(); ctx.save_for_backward(r); return r
    @staticmethod
    def backward(ctx, g):
        r, = ctx.saved_tensors; return g.mul(r)
a.requires_grad_(True)
`,
  },
  mylinear: {
    node: `class MyLinear extends torch.autograd.Function {
    static forward(ctx, x, w, b) { ctx.save_for_backward(x, w); return x.mm(w.t()).add(b); }
    static backward(ctx, g) {
      const [x, w] = ctx.saved_tensors;
      return [ctx.needs_input_grad[0] ? g.mm(w) : null, ctx.needs_input_grad[1] ? g.t().mm(x) : null,
        ctx.needs_input_grad[2] ? g.sum(0) : null];
    }
  }
  const x = torch.ones(8, 16, { requires_grad: true }), w = torch.ones(4, 16, { requires_grad: true });
  const bias = torch.ones(4, { requires_grad: true });`,
    python: `class MyLinear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w); return x.mm(w.t()).add(b)
    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return (g.mm(w) if ctx.needs_input_grad[0] else None, g.t().mm(x) if ctx.needs_input_grad[1] else None,
                g.sum(0) if ctx.needs_input_grad[2] else None)
x = torch.ones(8, 16, requires_grad=True); w = torch.ones(4, 16, requires_grad=True)
bias = torch.ones(4, requires_grad=True)
`,
  },
};

const nodeScript = (c, n) => `const torch = require(${JSON.stringify(root)}); torch.set_num_threads(1);
  const cg = require(${JSON.stringify(shimNode)});
  const a = torch.ones(${c.numel}), b = torch.ones(${c.numel});
  ${c.setup ? SETUP[c.setup].node : ''}
  function loop(n) { for (let i = 0; i < n; i++) ${c.node}; }
  for (let k = 0; k < ${WARMUP / 1000}; k++) { loop(1000); gc({ type: 'minor' }); }
  gc();
  cg.start();
  gc({ type: 'minor' });
  cg.dump();
  loop(${n});
  gc({ type: 'minor' });
  cg.dump();
  cg.stop();`;
const pyScript = (c, n) => `import ctypes, torch
torch.set_num_threads(1)
cg = ctypes.CDLL(${JSON.stringify(shimSo)})
a = torch.ones(${c.numel}); b = torch.ones(${c.numel})
${c.setup ? SETUP[c.setup].python : ''}
for i in range(${WARMUP}): ${c.python}
cg.tn_callgrind_start()
cg.tn_callgrind_dump()
for i in range(${n}): ${c.python}
cg.tn_callgrind_dump()
cg.tn_callgrind_stop()
`;

const keep = process.env.TN_CALLGRIND_KEEP;
let runs = 0;
// Instructions of the loop: the second dump (loop, and GC) minus the first (GC alone).
function instructions(cmd, args) {
  const out = path.join(keep || tmp, `callgrind.${++runs}.${path.basename(cmd)}`);
  if (keep) fs.mkdirSync(keep, { recursive: true });
  execFileSync('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}`,
    '--smc-check=all-non-file', cmd, ...args],
  { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, OMP_NUM_THREADS: '1' } });
  const totals = (file) => {
    const m = /^totals:\s*(\d+)/m.exec(fs.readFileSync(file, 'utf8'));
    if (!m) throw new Error(`no callgrind totals in ${file} (${cmd})`);
    return Number(m[1]);
  };
  return totals(`${out}.2`) - totals(`${out}.1`);
}

try {
  const t0 = Date.now();
  console.log(`instructions per call (callgrind, ${calls} calls after ${WARMUP} warm-up, only the loop (and in Node the GC of what it dropped) counted, 1 thread)`);
  console.log('measure | node | python | node/python\n--- | --- | --- | ---');
  const only = process.argv[3] ? new RegExp(process.argv[3]) : null;
  for (const c of CASES.filter((x) => !only || only.test(x.name))) {
    const node = instructions(process.execPath, ['--expose-gc', '--single-threaded-gc', '--no-concurrent-recompilation', '-e', nodeScript(c, calls)]) / calls;
    const python = instructions(PYTHON, ['-c', pyScript(c, calls)]) / calls;
    console.log(`${c.name} | ${node.toFixed(0)} | ${python.toFixed(0)} | ${(node / python).toFixed(2)}`);
  }
  console.log(`(${((Date.now() - t0) / 1000).toFixed(0)} s)`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
