'use strict';
// torch.autograd beyond grad/backward: custom Functions (native graph nodes calling JS), grad_fn
// graphs, torch.autograd.functional, gradcheck. Reference values: test/fixtures/autograd2.json from
// scripts/gen-autograd-fixtures.py (the same Functions written in Python, float64 inputs).
const assert = require('node:assert/strict');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const torch = require('torch-node');
const { native } = require('../dist/native.js');
const v8 = require('node:v8');
const vm = require('node:vm');

v8.setFlagsFromString('--expose-gc');
const gc = global.gc ?? vm.runInNewContext('gc');
const { assertValues } = require('./support/close');

const fx = require('./support/fixtures').loadFixture('autograd2.json');
const { Function: AFunction, once_differentiable } = torch.autograd;
const F = torch.autograd.functional;

const f64 = { dtype: torch.float64 };
const t = (data, shape = [2, 3], rg = true) => torch.tensor(data, f64).reshape(shape).requires_grad_(rg);
const values = (x) => Array.from(x.detach().contiguous().reshape(-1).numpy());

// float64 results of a few elementwise ops and small sums: 1e-12 relative is far below what a
// wrong formula or argument would move them by, and above any summation-order difference.
function close(got, want, label) {
  if (want === null) { assert.equal(got, null, `${label}: PyTorch has None`); return; }
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${label}: PyTorch has a tuple, got ${got}`);
    assert.equal(got.length, want.length, `${label}: length`);
    want.forEach((w, i) => close(got[i], w, `${label}[${i}]`));
    return;
  }
  assert.ok(got instanceof torch.Tensor, `${label}: expected a Tensor`);
  assert.deepEqual(got.shape, want.shape, `${label}: shape`);
  assertValues(values(got), want.data, { rtol: 1e-12, atol: 1e-12, label });
}

function graph(fn, depth) {
  if (fn === null) return null;
  if (depth === 0) return [fn.name(), '...'];
  return [fn.name(), fn.next_functions.map(([f, nr]) => [graph(f, depth - 1), nr])];
}

// ---- the Functions of the generator, line for line ----
class ClampST extends AFunction {
  static forward(ctx, x, lo, hi) {
    ctx.save_for_backward(x);
    ctx.lo = lo; ctx.hi = hi;
    return x.clamp(lo, hi);
  }
  static backward(ctx, g) {
    const [x] = ctx.saved_tensors;
    const inside = x.ge(ctx.lo).logical_and(x.le(ctx.hi));
    return [g.mul(torch.where(inside, torch.ones_like(x), torch.full_like(x, 0.1))), null, null];
  }
}
class MyExp extends AFunction {
  static forward(ctx, x) { const r = x.exp(); ctx.save_for_backward(r); return r; }
  static backward(ctx, g) { const [r] = ctx.saved_tensors; return g.mul(r); }
}
class Double_ extends AFunction {
  static forward(ctx, x) { x.mul_(2); ctx.mark_dirty(x); return x; }
  static backward(ctx, g) { return g.mul(2); }
}
class MulAdd extends AFunction {
  static forward(ctx, x, y) { ctx.save_for_backward(x, y); return [x.mul(y), x.add(y)]; }
  static backward(ctx, gm, ga) { const [x, y] = ctx.saved_tensors; return [gm.mul(y).add(ga), gm.mul(x).add(ga)]; }
}
class SortNd extends AFunction {
  static forward(ctx, x) {
    const [v, i] = x.sort({ dim: 1 });
    ctx.mark_non_differentiable(i);
    ctx.save_for_backward(i);
    return [v, i];
  }
  static backward(ctx, gv) { const [i] = ctx.saved_tensors; return torch.zeros_like(gv).scatter(1, i, gv); }
}
class Cube extends AFunction {
  static forward(ctx, x) { ctx.save_for_backward(x); return x.pow(3); }
  static backward(ctx, g) { const [x] = ctx.saved_tensors; return g.mul(3).mul(x.pow(2)); }
}
class CubeOnce extends AFunction {
  static forward(ctx, x) { ctx.save_for_backward(x); return x.pow(3); }
}
CubeOnce.backward = once_differentiable((ctx, g) => { const [x] = ctx.saved_tensors; return g.mul(3).mul(x.pow(2)); });
class WrongGrad extends AFunction {
  static forward(ctx, x) { return x.mul(2); }
  static backward(ctx, g) { return g.mul(3); }
}
class NoMaterialize extends AFunction {
  static forward(ctx, x) { ctx.set_materialize_grads(false); return [x.mul(2), x.mul(3)]; }
  static backward(ctx, g1, g2) {
    let r = torch.zeros_like(g1 ?? g2);
    if (g1 !== null) r = r.add(g1.mul(2));
    if (g2 !== null) r = r.add(g2.mul(3));
    return r;
  }
}

describe('torch.autograd.Function', () => {
  const X = () => t(fx.X), Y = () => t(fx.Y), W = () => torch.tensor(fx.W, f64).reshape(2, 3);
  function check(name, outputs, inputs, weights) {
    const ref = fx.functions[name];
    close(outputs, ref.outputs, `${name} outputs`);
    assert.deepEqual(outputs.map((o) => o.requires_grad), ref.requires_grad, `${name} requires_grad`);
    assert.deepEqual(graph(outputs[0].grad_fn, 4), ref.graph, `${name} grad_fn graph`);
    let loss = null;
    outputs.forEach((o, i) => { if (o.requires_grad) { const l = o.mul(weights[i]).sum(); loss = loss ? loss.add(l) : l; } });
    close(torch.autograd.grad(loss, inputs, { allow_unused: true }), ref.grads, `${name} grads`);
  }

  it('a clamp with a custom gradient, non-tensor arguments kept on ctx', () => {
    const x = X();
    check('clamp_st', [ClampST.apply(x, -0.4, 1.0)], [x], [W()]);
  });
  it('an exp that saves its output (the output\'s own node, unpacked in backward)', () => {
    const x = X();
    check('my_exp', [MyExp.apply(x)], [x], [W()]);
  });
  it('mark_dirty: an in-place op rebases its input on the Function\'s node', () => {
    const x = X();
    const h = x.mul(1.0);
    check('double_', [Double_.apply(h)], [x], [W()]);
    assert.equal(h.grad_fn.name(), 'Double_Backward');
    assert.throws(() => Double_.apply(t(fx.X)), { message: fx.errors.LeafDirty });
  });
  it('two outputs, two inputs', () => {
    const x = X(), y = Y();
    check('mul_add', MulAdd.apply(x, y), [x, y], [W(), W().mul(2)]);
  });
  it('mark_non_differentiable: the indices output does not require grad', () => {
    const x = X();
    check('sort_nd', SortNd.apply(x), [x], [W(), W()]);
  });
  it('set_materialize_grads(false): an unused output\'s gradient is null', () => {
    const x = X();
    let seen;
    class Probe extends NoMaterialize {
      static backward(ctx, g1, g2) { seen = [g1 === null, g2 === null]; return super.backward(ctx, g1, g2); }
    }
    check('no_materialize', [NoMaterialize.apply(x)[0]], [x], [W()]);
    Probe.apply(x)[0].sum().backward();
    assert.deepEqual(seen, [false, true]);
  });
  it('double backward through a differentiable backward', () => {
    const x = X(), w = W();
    const [g1] = torch.autograd.grad(Cube.apply(x).mul(w).sum(), x, { create_graph: true });
    close(g1, fx.functions.cube_double.g1, 'g1');
    assert.deepEqual(graph(g1.grad_fn, 2), fx.functions.cube_double.g1_graph);
    const [g2] = torch.autograd.grad(g1.mul(w).sum(), x);
    close(g2, fx.functions.cube_double.g2, 'g2');
  });
  it('once_differentiable: a second backward raises PyTorch\'s error', () => {
    const x = X(), w = W();
    const [g1] = torch.autograd.grad(CubeOnce.apply(x).mul(w).sum(), x, { create_graph: true });
    close(g1, fx.functions.cube_once.g1, 'g1');
    assert.equal(g1.requires_grad, fx.functions.cube_once.g1_requires_grad);
    const xx = x.detach().requires_grad_();
    const z = CubeOnce.apply(xx);
    const [g] = torch.autograd.grad(z, xx, { grad_outputs: torch.ones_like(z).requires_grad_(), create_graph: true });
    assert.throws(() => g.sum().backward(), { message: fx.functions.cube_once.error });
  });
  it('ctx: needs_input_grad, grad_fn is the ctx, metadata persists, saved_tensors after the graph is freed', () => {
    const x = X();
    let needs;
    class Probe extends AFunction {
      static forward(ctx, a, k, b) { needs = ctx.needs_input_grad; ctx.save_for_backward(a); return a.mul(k).add(b); }
      static backward(ctx, g) { return [g, null, g]; }
    }
    const y = Probe.apply(x, 2, torch.ones(2, 3, f64));
    assert.deepEqual(needs, [true, false, false]);
    assert.equal(y.grad_fn, y.grad_fn);
    assert.equal(y.grad_fn.name(), 'ProbeBackward');
    assert.equal(String(y.grad_fn), '<ProbeBackward object>');
    y.grad_fn.metadata.tag = 'kept';
    assert.equal(y.grad_fn.metadata.tag, 'kept');
    const ctx = y.grad_fn;
    y.sum().backward();
    assert.throws(() => ctx.saved_tensors, /Trying to backward through the graph a second time/);
    // without any input requiring grad there is no node: outputs carry no grad_fn
    const z = Probe.apply(torch.ones(2, f64), 2, torch.ones(2, f64));
    assert.equal(z.grad_fn, null);
    assert.equal(z.requires_grad, false);
  });
  it('Python\'s checks of what backward returns, with its messages', () => {
    class TooFew extends AFunction { static forward(ctx, x, k) { return x.mul(k); } static backward(ctx, g) { return g; } }
    class NonTensorGrad extends AFunction { static forward(ctx, x, k) { return x.mul(k); } static backward(ctx, g) { return [g, g]; } }
    class TooMany extends AFunction { static forward(ctx, x, k) { return x.mul(k); } static backward(ctx, g) { return [g, null, g]; } }
    class BothVjp extends AFunction { static forward(ctx, x, k) { return x.mul(k); } static vjp(ctx, g) { return [g.mul(2), null]; } static backward(ctx, g) { return [g, null]; } }
    class NoBackward extends AFunction { static forward(ctx, x, k) { return x.mul(k); } }
    for (const cls of [TooFew, NonTensorGrad, TooMany, BothVjp, NoBackward]) {
      assert.throws(() => cls.apply(t(fx.X), 2.0).sum().backward(), { message: fx.errors[cls.name] }, cls.name);
    }
  });
  it('vjp: the other name of backward', () => {
    class Twice extends AFunction { static forward(ctx, x) { return x.mul(2); } static vjp(ctx, g) { return g.mul(2); } }
    const x = X();
    Twice.apply(x).sum().backward();
    assertValues(values(x.grad), fx.X.map(() => 2), { exact: true, everywhere: true, label: 'grad through vjp' });
  });
  it('an error thrown in a JS backward comes out of backward() as that very error', () => {
    const err = new RangeError('custom failure');
    class Throws extends AFunction {
      static forward(ctx, x) { return x.clone(); }
      static backward() { throw err; }
    }
    const x = X();
    let caught;
    try { Throws.apply(x).sum().backward(); } catch (e) { caught = e; }
    assert.equal(caught, err);
    // and the graph machinery still works afterwards
    MyExp.apply(x).sum().backward();
    close(x.grad, { shape: [2, 3], data: fx.X.map(Math.exp) }, 'grad after a failed backward');
  });
  it('a backward that reaches a JS node on another native thread raises instead of calling JS', () => {
    const x = X();
    const msg = native.backward_on_other_thread(MyExp.apply(x)._h);
    assert.match(msg, /^MyExpBackward needs to run JS, but backward reached it on a thread that is not the JS thread that created it/);
    assert.equal(x.grad, null);
  });
  it('a JS backward reached from the jit async pool rejects that call with the same error; the process goes on', async function () {
    this.timeout(120000);
    const os = require('node:os'), fs = require('node:fs');
    const { execFileSync } = require('node:child_process');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tn-autograd-'));
    const file = path.join(dir, 'backward.pt');
    fs.writeFileSync(path.join(dir, 'mk.py'), [
      'import sys, torch',
      'class M(torch.nn.Module):',
      '    def forward(self, y):',
      '        torch.autograd.backward([y.sum()])',
      '        return y',
      'torch.jit.script(M()).save(sys.argv[1])',
    ].join('\n'));
    execFileSync(process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3', [path.join(dir, 'mk.py'), file], { stdio: ['ignore', 'ignore', 'inherit'] });
    const m = torch.jit.load(file);
    const x = X();
    await assert.rejects(m.call_async('forward', MyExp.apply(x)), /MyExpBackward needs to run JS, but backward reached it on a thread that is not the JS thread/);
    assert.equal(x.grad, null);
    await m.call_async('forward', x.mul(2)); // a graph without JS nodes runs there as before
    assertValues(values(x.grad), fx.X.map(() => 2), { exact: true, everywhere: true, label: 'grad from the pool' });
    fs.rmSync(dir, { recursive: true, force: true });
  });
  it('graphs holding JS Functions are freed: no native tensor or ctx left over a loop', async function () {
    this.timeout(60000);
    const finalized = { n: 0 };
    const reg = new FinalizationRegistry(() => { finalized.n++; });
    const round = (n) => {
      for (let i = 0; i < n; i++) {
        const a = torch.randn(64, f64).requires_grad_();
        const b = MyExp.apply(a);
        reg.register(b.grad_fn, null);
        MulAdd.apply(b, a)[0].sum().backward();
        Cube.apply(a); // a graph never run
      }
    };
    const settle = async () => {
      // a ctx is freed in steps: node dies, its reference is deleted on a loop turn, then GC, then the registry
      for (let k = 0; k < 8; k++) { gc(); await new Promise((r) => setImmediate(r)); }
    };
    round(50);
    await settle();
    const before = torch.memory_stats().tensors;
    round(500);
    await settle();
    const after = torch.memory_stats().tensors;
    assert.ok(after <= before + 5, `native tensors grew from ${before} to ${after}`);
    assert.ok(finalized.n >= 500, `only ${finalized.n} of 550 ctx objects were collected`);
  });
  it('a process that ends with graphs holding JS Functions (some released, some alive) exits cleanly', () => {
    const { spawnSync } = require('node:child_process');
    const code = `const torch = require(${JSON.stringify(require.resolve('torch-node'))});
      class E extends torch.autograd.Function {
        static forward(ctx, x) { const r = x.exp(); ctx.save_for_backward(r); return r; }
        static backward(ctx, g) { const [r] = ctx.saved_tensors; return g.mul(r); }
      }
      const x = torch.ones(3, { requires_grad: true });
      E.apply(x).dispose();                 // released: its references queued for the loop
      globalThis.keep = [E.apply(x), E.apply(x).grad_fn, x.mul(2).grad_fn];  // alive at exit
      E.apply(x).sum().backward();
      if (process.argv[1] === 'exit') process.exit(0);`;
    for (const how of ['end', 'exit']) {
      const r = spawnSync(process.execPath, ['-e', code, how], { encoding: 'utf8', timeout: 60000 });
      assert.equal(r.signal, null, `${how}: killed by ${r.signal}\n${r.stderr}`);
      assert.equal(r.status, 0, `${how}: ${r.stderr}`);
    }
  });
  it('works in worker_threads (each worker\'s own env), and the process exits cleanly', async function () {
    this.timeout(60000);
    const code = `
      const { parentPort } = require('node:worker_threads');
      const torch = require(${JSON.stringify(require.resolve('torch-node'))});
      class MyExp extends torch.autograd.Function {
        static forward(ctx, x) { const r = x.exp(); ctx.save_for_backward(r); return r; }
        static backward(ctx, g) { const [r] = ctx.saved_tensors; return g.mul(r); }
      }
      const x = torch.tensor([0.0, 1.0], { dtype: torch.float64, requires_grad: true });
      MyExp.apply(x).sum().backward();
      const pending = MyExp.apply(x); // a graph alive when the worker exits
      parentPort.postMessage({ grad: x.grad.tolist(), name: pending.grad_fn.name() });`;
    const run = () => new Promise((resolve, reject) => {
      const w = new Worker(code, { eval: true });
      let msg;
      w.once('message', (m) => { msg = m; });
      w.once('error', reject);
      w.once('exit', (c) => (c === 0 ? resolve(msg) : reject(new Error(`worker exited with ${c}`))));
    });
    const [a, b] = await Promise.all([run(), run()]);
    for (const m of [a, b]) {
      assert.deepEqual(m.grad, [1, Math.E]);
      assert.equal(m.name, 'MyExpBackward');
    }
  });
});

describe('grad_fn objects', () => {
  it('name() and next_functions of a built-in graph, as Python', () => {
    const x = t(fx.X), y = t(fx.Y);
    const z = x.mul(y).add(x.exp()).sum();
    assert.deepEqual(graph(z.grad_fn, 5), fx.builtin_graph);
    const acc = z.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0];
    assert.equal(acc.name(), 'torch::autograd::AccumulateGrad');
    assert.deepEqual(values(acc.variable), fx.X);
  });
  it('grad_fn.register_hook sees (grad_inputs, grad_outputs) and can replace grad_inputs', () => {
    const x = t(fx.X);
    const y = x.mul(3);
    const seen = [];
    // x * 3: MulBackward0 with the scalar's slot empty, as Python's (grad, None)
    const h = y.grad_fn.register_hook((gi, go) => { seen.push([values(gi[0]), values(go[0]), gi[1], go.length]); return [gi[0].mul(2), null]; });
    y.sum().backward({ retain_graph: true });
    assert.deepEqual(seen[0], [fx.X.map(() => 3), fx.X.map(() => 1), null, 1]);
    assert.deepEqual(values(x.grad), fx.X.map(() => 6));
    h.remove();
    x.grad = null;
    y.sum().backward();
    assert.equal(seen.length, 1);
    assert.deepEqual(values(x.grad), fx.X.map(() => 3));
  });
});

describe('torch.autograd.functional', () => {
  const ref = fx.functional;
  const x = () => torch.tensor(fx.X.slice(0, 3), f64), y = () => torch.tensor(fx.Y.slice(0, 3), f64);
  const v3 = () => torch.tensor(fx.W.slice(0, 3), f64);
  const cubic = (a) => a.pow(3).sum().add(a.index(0).mul(a.index(1)));
  const pair = (a, b) => [a.mul(b.exp()), a.add(b).sin()];
  const elem = (a) => a.sin().mul(a);

  it('jacobian, hessian', () => {
    close(F.jacobian(elem, x()), ref.jacobian_elem, 'jacobian elem');
    close(F.jacobian(pair, [x(), y()]), ref.jacobian_pair, 'jacobian pair');
    close(F.hessian(cubic, x()), ref.hessian_cubic, 'hessian cubic');
    close(F.hessian((a, b) => a.mul(b).mul(b).sum(), [x(), y()]), ref.hessian_pair, 'hessian pair');
    close(F.jacobian((a) => a.mul(2), [x(), y()]), ref.jacobian_unused, 'jacobian of an unused input: zeros');
    assert.equal(F.jacobian(elem, x(), { create_graph: true }).requires_grad, ref.jacobian_create_graph_rg);
    assert.equal(F.jacobian(elem, x(), true).requires_grad, ref.jacobian_create_graph_rg, 'create_graph by position');
  });
  it('vjp, jvp (double-backward trick), hvp, vhp', () => {
    close(F.vjp(elem, x(), v3()), ref.vjp_elem, 'vjp elem');
    close(F.vjp(pair, [x(), y()], [v3(), v3().mul(2)]), ref.vjp_pair, 'vjp pair');
    close(F.jvp(elem, x(), v3()), ref.jvp_elem, 'jvp elem');
    close(F.jvp(pair, [x(), y()], [v3(), v3().mul(2)]), ref.jvp_pair, 'jvp pair');
    close(F.hvp(cubic, x(), v3()), ref.hvp_cubic, 'hvp');
    close(F.vhp(cubic, x(), { v: v3() }), ref.vhp_cubic, 'vhp');
    close(F.vjp((a) => a.mul(a).sum(), x()), ref.vjp_scalar_default_v, 'vjp with v=None');
  });
  it('PyTorch\'s errors (strict mode, v checks, non-scalar hessian) and unknown options', () => {
    const e = ref.errors;
    assert.throws(() => F.jacobian((a) => a.mul(2), [x(), y()], { strict: true }), { message: e.jacobian_strict_unused });
    assert.throws(() => F.vjp(elem, x()), { message: e.vjp_no_v });
    assert.throws(() => F.vjp(elem, x(), torch.ones(2, f64)), { message: e.vjp_bad_v });
    assert.throws(() => F.hessian(elem, x()), { message: e.hessian_not_scalar });
    assert.throws(() => F.vjp(() => torch.ones(3, f64), x(), v3(), { strict: true }), { message: e.vjp_strict_const });
    assert.throws(() => F.jacobian(elem, x(), { strcit: true }), { name: 'TypeError', message: "jacobian() got an unexpected keyword argument 'strcit'" });
  });
});

describe('torch.autograd.gradcheck', () => {
  const g = fx.gradcheck;
  const x = () => t(fx.X.slice(0, 4), [4]);
  it('passing and failing cases agree with PyTorch', () => {
    assert.equal(torch.autograd.gradcheck((a) => a.pow(3).sin(), [x()], { raise_exception: false }), g.sin_pow);
    assert.equal(torch.autograd.gradcheck((a) => MyExp.apply(a), [x()], { raise_exception: false }), g.my_exp);
    assert.equal(torch.autograd.gradcheck((a, b) => MulAdd.apply(a, b), [x(), t(fx.Y.slice(0, 4), [4])], { raise_exception: false }), g.mul_add);
    assert.equal(torch.autograd.gradcheck((a) => WrongGrad.apply(a), [x()], { raise_exception: false }), g.wrong_grad);
    assert.equal(torch.autograd.gradgradcheck((a) => Cube.apply(a), [x()], { raise_exception: false }), g.cube_gradgrad);
  });
  it('raises a GradcheckError with PyTorch\'s first line', () => {
    assert.throws(() => torch.autograd.gradcheck((a) => WrongGrad.apply(a), [x()]),
      (e) => e instanceof torch.autograd.GradcheckError && e.message.split('\n')[0] === g.wrong_grad_message_head);
    assert.throws(() => torch.autograd.gradcheck((a) => a, [torch.ones(2, f64)]), /at least one input tensor to require gradient/);
    assert.throws(() => torch.autograd.gradcheck((a) => a, [x()], 1e-6), { name: 'TypeError' });
  });
  it('the undefined-output-gradient check (check_undefined_grad)', () => {
    class NonZeroUndef extends AFunction {
      static forward(ctx, a) { ctx.set_materialize_grads(false); return a.mul(2); }
      static backward(ctx, gr) { return gr === null ? torch.ones_like(ctx.saved_x) : gr.mul(2); }
    }
    const nonzeroUndef = (a) => { const y = NonZeroUndef.apply(a); y.grad_fn.saved_x = a.detach(); return y; };
    assert.equal(torch.autograd.gradcheck(nonzeroUndef, [x()], { raise_exception: false }), g.nonzero_undef);
    assert.equal(torch.autograd.gradcheck(nonzeroUndef, [x()], { check_undefined_grad: false, raise_exception: false }), g.nonzero_undef_unchecked);
    assert.throws(() => torch.autograd.gradcheck(nonzeroUndef, [x()]), { name: 'GradcheckError', message: g.nonzero_undef_message });
  });
});

describe('hooks, retain_grad, batched grads, inference mode, anomaly detection', () => {
  const m = fx.misc;
  const X = () => t(fx.X), W = () => torch.tensor(fx.W, f64).reshape(2, 3);
  function linear() {
    torch.set_default_dtype(torch.float64);
    try {
      const lin = new torch.nn.Linear(3, 2);
      torch.no_grad(() => {
        lin.weight.copy_(torch.tensor(fx.Y, f64).reshape(2, 3));
        lin.bias.copy_(torch.tensor([0.1, -0.2], f64));
      });
      return lin;
    } finally {
      torch.set_default_dtype(torch.float32);
    }
  }
  it('Module.register_full_backward_hook: grad_input / grad_output, and a replaced grad_input', () => {
    const lin = linear();
    const seen = {};
    const h = lin.register_full_backward_hook((mod, gi, go) => {
      assert.equal(mod, lin);
      seen.grad_input = gi; seen.grad_output = go;
      return gi[0] === null ? null : [gi[0].mul(2)];
    });
    const x = X();
    lin(x).mul(torch.tensor(fx.W.slice(0, 4), f64).reshape(2, 2)).sum().backward();
    const ref = m.full_backward_hook;
    close(seen.grad_input, ref.grad_input, 'grad_input');
    close(seen.grad_output, ref.grad_output, 'grad_output');
    close(x.grad, ref.x_grad, 'x.grad (doubled by the hook)');
    close(lin.weight.grad, ref.weight_grad, 'weight.grad');
    // an input that does not require grad: grad_input is [null]
    for (const k of Object.keys(seen)) delete seen[k];
    lin(torch.tensor(fx.X, f64).reshape(2, 3)).sum().backward();
    close(seen.grad_input, m.full_backward_hook_no_input_grad.grad_input, 'grad_input without input grad');
    close(seen.grad_output, m.full_backward_hook_no_input_grad.grad_output, 'grad_output without input grad');
    h.remove();
    for (const k of Object.keys(seen)) delete seen[k];
    lin(X()).sum().backward();
    assert.deepEqual(seen, {});
  });
  it('Tensor.register_hook: an error thrown in the hook comes out of backward() as that very error', () => {
    const x = X();
    const err = new TypeError('hook failure');
    x.register_hook(() => { throw err; });
    let caught;
    try { x.mul(2).sum().backward(); } catch (e) { caught = e; }
    assert.equal(caught, err);
  });
  it('retain_grad on a non-leaf', () => {
    const x = X();
    const h = x.mul(2);
    h.retain_grad();
    h.mul(h).sum().backward();
    close(h.grad, m.retain_grad.h_grad, 'h.grad');
    assert.equal(h.retains_grad, m.retain_grad.retains_grad);
  });
  it('autograd.grad with is_grads_batched', () => {
    const x = X();
    const y = x.sin();
    const go = torch.stack([W(), torch.ones(2, 3, f64), torch.tensor(fx.Y, f64).reshape(2, 3)]);
    close(torch.autograd.grad(y, x, { grad_outputs: go, is_grads_batched: true })[0], m.grads_batched, 'batched grads');
    assert.throws(() => torch.autograd.grad(y, x, { grad_output: go }), { name: 'TypeError', message: "grad() got an unexpected keyword argument 'grad_output'" });
  });
  it('torch.inference_mode', () => {
    let a, inner;
    const r = torch.inference_mode(() => {
      a = torch.ones(2, f64).mul(2);
      inner = { enabled: torch.is_inference_mode_enabled(), is_inference: a.is_inference(),
        requires_grad: torch.ones(2, { dtype: torch.float64, requires_grad: true }).mul(2).requires_grad };
      return 7;
    });
    assert.equal(r, 7);
    assert.deepEqual(inner, { enabled: m.inference.enabled, is_inference: m.inference.is_inference, requires_grad: m.inference.requires_grad });
    assert.equal(torch.is_inference_mode_enabled(), m.inference.after);
    assert.throws(() => a.mul(torch.ones(2, { dtype: torch.float64, requires_grad: true })).sum().backward(), { message: m.inference.error });
    assert.equal(torch.inference_mode(false, () => torch.is_inference_mode_enabled()), false);
    // an exception inside still restores the mode
    assert.throws(() => torch.inference_mode(() => { throw new Error('inside'); }), /inside/);
    assert.equal(torch.is_inference_mode_enabled(), false);
  });
  it('detect_anomaly: NaN out of a JS backward, as PyTorch reports it', () => {
    class NanGrad extends AFunction {
      static forward(ctx, x) { return x.mul(1.0); }
      static backward(ctx, g) { return g.mul(NaN); }
    }
    assert.throws(() => torch.autograd.detect_anomaly(() => NanGrad.apply(X()).sum().backward()), { message: m.anomaly_nan });
    assert.equal(torch.is_anomaly_enabled(), m.anomaly_after);
    // without anomaly mode the NaN passes silently
    const x = X();
    NanGrad.apply(x).sum().backward();
    assert.ok(Number.isNaN(values(x.grad)[0]));
  });
  it('forward_ad: dual_level, make_dual, unpack_dual (LibTorch\'s forward-mode AD)', () => {
    const fwAD = torch.autograd.forward_ad;
    const ref = m.forward_ad;
    const x = torch.tensor(fx.X, f64).reshape(2, 3), v = W();
    const got = fwAD.dual_level(() => {
      const d = fwAD.make_dual(x, v);
      const y = d.sin().mul(d).matmul(d.t());
      const u = fwAD.unpack_dual(y);
      const [p, tg] = u;
      assert.equal(p, u.primal);
      assert.equal(tg, u.tangent);
      return { primal: u.primal, tangent: u.tangent, plain: fwAD.unpack_dual(x).tangent };
    });
    close(got.primal, ref.primal, 'primal');
    close(got.tangent, ref.tangent, 'tangent');
    assert.equal(got.plain, ref.plain_tangent);
    assert.throws(() => fwAD.make_dual(x, v), { message: ref.outside });
    // a custom Function's jvp
    class ExpJvp extends AFunction {
      static forward(ctx, a, k) { const r = a.mul(k).exp(); ctx.r = r; ctx.k = k; return r; }
      static backward(ctx, g) { return [g.mul(ctx.r).mul(ctx.k), null]; }
      static jvp(ctx, ta) { return ta.mul(ctx.r).mul(ctx.k); }
    }
    const tangent = fwAD.dual_level(() => fwAD.unpack_dual(ExpJvp.apply(fwAD.make_dual(x, v), 0.5)).tangent);
    close(tangent, ref.custom_jvp, 'custom jvp tangent');
    // the same through save_for_forward / saved_tensors in jvp
    class ExpJvpSaved extends AFunction {
      static forward(ctx, a, k) { const r = a.mul(k).exp(); ctx.save_for_forward(r); ctx.k = k; return r; }
      static jvp(ctx, ta) { const [r] = ctx.saved_tensors; return ta.mul(r).mul(ctx.k); }
    }
    close(fwAD.dual_level(() => fwAD.unpack_dual(ExpJvpSaved.apply(fwAD.make_dual(x, v), 0.5)).tangent), ref.custom_jvp, 'jvp with save_for_forward');
    assert.throws(() => fwAD.dual_level(() => Cube.apply(fwAD.make_dual(x, v))), /You must implement the jvp function/);
  });
});
