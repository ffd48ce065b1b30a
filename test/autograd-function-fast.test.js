'use strict';
// The paths of autograd.Function's fast apply()/backward (docs/autograd-function-cost.md): the ctx's
// node handle (a V8 object the GC frees), outputs written back into apply()'s array, the grad modes
// set around forward in one call each, the registered backward runner. Semantics are Python's; the
// numbers are closed forms (exp, 2x), not values torch-node produced.
const assert = require('node:assert/strict');
const torch = require('torch-node');
const { native } = require('../dist/native.js');
const v8 = require('node:v8');
const vm = require('node:vm');

v8.setFlagsFromString('--expose-gc');
const gc = global.gc ?? vm.runInNewContext('gc');
const { Function: AFunction } = torch.autograd;
const f64 = { dtype: torch.float64 };

class MyExp extends AFunction {
  static forward(ctx, x) { const r = x.exp(); ctx.save_for_backward(r); return r; }
  static backward(ctx, g) { const [r] = ctx.saved_tensors; return g.mul(r); }
}

describe('autograd.Function fast paths', () => {
  it('forward + backward in a loop, results dropped or disposed: the gradient is exp(x) summed', () => {
    const xs = [0, 0.5, -1];
    const x = torch.tensor(xs, f64).requires_grad_();
    const n = 3000;
    for (let i = 0; i < n; i++) {
      const y = MyExp.apply(x);
      const s = y.sum();
      s.backward();
      if (i % 2) { y.dispose(); s.dispose(); }
      if (i % 1000 === 0) gc();
    }
    const g = Array.from(x.grad.numpy());
    xs.forEach((v, i) => assert.ok(Math.abs(g[i] - n * Math.exp(v)) <= 1e-9 * n * Math.exp(v), `grad[${i}] ${g[i]}`));
  });

  it('a ctx kept after its graph was collected: saved_tensors and grad_fn say so, no crash', () => {
    const x = torch.ones(2, f64).requires_grad_();
    let ctx;
    class Keep extends AFunction {
      static forward(c, a) { ctx = c; c.save_for_backward(a); return a.mul(2); }
      static backward(c, g) { return g.mul(2); }
    }
    Keep.apply(x);  // the output (and with it the node) is left to the GC
    for (let i = 0; i < 3; i++) gc();
    assert.throws(() => ctx.saved_tensors, /graph of this Function has been freed/);
    assert.throws(() => ctx.name() && ctx.next_functions, /KeepBackward: this Function is not part of a graph/);
  });

  it('no input requires grad: saved_tensors are the tensors themselves, also after a GC', () => {
    let ctx;
    class Plain extends AFunction {
      static forward(c, a) { ctx = c; c.save_for_backward(a, null); return a.mul(2); }
      static backward(c, g) { return g; }
    }
    const a = torch.tensor([1, 2], f64);
    const y = Plain.apply(a);
    assert.equal(y.grad_fn, null);
    gc();
    const [s, none] = ctx.saved_tensors;
    assert.deepEqual(Array.from(s.numpy()), [1, 2]);
    assert.equal(none, null);
  });

  it('outputs mixing tensors and other values come back in place, in order', () => {
    class Mixed extends AFunction {
      static forward(ctx, a) { return [a.mul(2), 'label', 7, a.mul(3), null]; }
      static backward(ctx, g2, gl, g7, g3) { return g2.mul(2).add(g3.mul(3)); }
    }
    const x = torch.ones(2, f64).requires_grad_();
    const out = Mixed.apply(x);
    assert.equal(out.length, 5);
    assert.deepEqual([out[1], out[2], out[4]], ['label', 7, null]);
    assert.equal(out[0].grad_fn, out[3].grad_fn);
    out[0].sum().add(out[3].sum()).backward();
    assert.deepEqual(Array.from(x.grad.numpy()), [5, 5]);
  });

  it('apply() returns forward\'s own Tensor object where the node took that very tensor, as Python', () => {
    // Python 1.13: `y is ctx.r` for a new result, `z is b` for a dirty input, `w is not a` (a view of a)
    // for an input returned as is.
    class R extends AFunction {
      static forward(ctx, x) { const r = x.exp(); ctx.r = r; return r; }
      static backward(ctx, g) { return g; }
    }
    class D extends AFunction {
      static forward(ctx, x) { x.mul_(2); ctx.mark_dirty(x); return x; }
      static backward(ctx, g) { return g.mul(2); }
    }
    class I extends AFunction {
      static forward(ctx, x) { return x; }
      static backward(ctx, g) { return g; }
    }
    const a = torch.ones(2, { requires_grad: true });
    const y = R.apply(a);
    assert.equal(y, y.grad_fn.r);
    assert.equal(y.grad_fn.name(), 'RBackward');
    const b = a.clone();
    const z = D.apply(b);
    assert.equal(z, b);
    assert.equal(b.grad_fn.name(), 'DBackward');
    const w = I.apply(a);
    assert.notEqual(w, a);
    assert.equal(w.grad_fn.name(), 'IBackward');
    assert.equal(a.grad_fn, null);
    z.sum().add(w.sum()).add(y.sum()).backward();
    assert.deepEqual(Array.from(a.grad.numpy()), [4, 4]);
  });

  it('node names stay right across many Function classes used in turn', () => {
    // more classes than the addon's cache of recent names, applied round-robin
    const classes = Array.from({ length: 7 }, (_, i) => ({
      [`Fn${i}`]: class extends AFunction {
        static forward(ctx, x) { return x.mul(i + 1); }
        static backward(ctx, g) { return g.mul(i + 1); }
      },
    })[`Fn${i}`]);
    const x = torch.ones(1, { requires_grad: true });
    for (let round = 0; round < 3; round++) {
      classes.forEach((C, i) => assert.equal(C.apply(x).grad_fn.name(), `Fn${i}Backward`));
    }
    classes.reduce((y, C) => C.apply(y), x).backward();
    assert.deepEqual(Array.from(x.grad.numpy()), [5040]);  // 7!
  });

  it('forward runs with both grad modes off; they are restored after it, also when it throws', () => {
    let inside;
    class Probe extends AFunction {
      static forward(ctx, a) { inside = torch.is_grad_enabled(); return a.clone(); }
      static backward(ctx, g) { return g; }
    }
    class Throws extends AFunction {
      static forward() { throw new RangeError('forward failed'); }
      static backward(ctx, g) { return g; }
    }
    const x = torch.ones(2).requires_grad_();
    Probe.apply(x);
    assert.equal(inside, false);
    assert.equal(torch.is_grad_enabled(), true);
    assert.throws(() => Throws.apply(x), { name: 'RangeError', message: 'forward failed' });
    assert.equal(torch.is_grad_enabled(), true);
    torch.no_grad(() => {
      assert.throws(() => Throws.apply(x), /forward failed/);
      assert.equal(torch.is_grad_enabled(), false);
    });
  });

  it('the native calls reject what is not theirs with a TypeError, and pass a getter\'s error on', () => {
    const t = torch.ones(1);
    assert.throws(() => native.function_saved_tensors({}), { name: 'TypeError', message: /saved_tensors: ctx must be a handle made by the addon/ });
    assert.throws(() => native.function_saved_tensors(t._h), { name: 'TypeError', message: /must be a handle made by the addon/ });
    assert.throws(() => native.function_node(null), { name: 'TypeError', message: /must be a handle made by the addon/ });
    const outs = [t._h];
    Object.defineProperty(outs, 0, { get() { throw new Error('getter ran'); } });
    assert.throws(() => native.function_apply({}, 'XBackward', [], outs, null, null, null, true), /getter ran/);
    // an input returned as is becomes an alias: a new handle, written back through the setter
    const tg = torch.ones(1, { requires_grad: true });
    const outs2 = [];
    Object.defineProperty(outs2, 0, { get() { return tg._h; }, set() { throw new Error('setter ran'); } });
    assert.throws(() => native.function_apply({}, 'XBackward', [tg._h], outs2, null, null, null, true), /setter ran/);
    assert.throws(() => native.function_apply({}, 'XBackward', [], [1], null, null, null, true), { name: 'TypeError' });
    assert.throws(() => native.function_apply({}, 'XBackward', [], null, null, null, null, true), { name: 'TypeError' });
    assert.throws(() => native.function_forward_end('x'), { name: 'TypeError' });
    assert.throws(() => native.function_set_runner(3), { name: 'TypeError' });
    assert.equal(torch.ones(1).requires_grad, false);
    assert.equal(torch.ones(1, { requires_grad: true }).requires_grad, true);
  });
});
