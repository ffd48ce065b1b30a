'use strict';
// torch.optim (SGD, Adam, AdamW) against PyTorch 1.13: fixtures from
// scripts/gen-optim-fixtures.py (run by /usr/bin/python3).
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const torch = require('torch-node');
const optim = require('torch-node/optim');
const { native } = require('../dist/native');
const { op } = require('../dist/tensor');

/** torch.sparse_coo_tensor(indices, values, size): no public constructor yet, so through the op. */
const sparseCoo = (indices, values, size) => new torch.Tensor(native.call(op('sparse_coo_tensor', 'indices_size'),
  torch.tensor(indices, { dtype: torch.int64 })._h, values._h, size, null, null, null, null));
const C = require('./support/close');

const { loadFixture } = require('./support/fixtures');
const fixtures = loadFixture('optim-optimizers.json');

/**
 * The step(closure) cases: their losses go through matmuls whose rounding is the CPU's, and
 * LBFGS's iteration counts and line search follow that rounding (a different kernel can stop
 * one iteration earlier). So the reference is PyTorch on this machine when /usr/bin/python3
 * has it (scripts/gen-optim-fixtures.py closure), else the committed fixture.
 */
function closureCases() {
  const python = process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3';
  try {
    const out = require('node:child_process').execFileSync(python, [path.join(__dirname, '..', 'scripts', 'gen-optim-fixtures.py'), 'closure'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 2 ** 20 });
    return JSON.parse(out);
  } catch {
    return fixtures.cases.filter((x) => x.kind === 'closure');
  }
}
const errors = loadFixture('optim-errors.json');

const num = (v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
const isEncodedTensor = (v) => v !== null && typeof v === 'object' && Array.isArray(v.values) && Array.isArray(v.shape);

/** A tensor from its fixture form, with exactly the stored bits. */
function fromFixture(t) {
  const values = t.values.map(num);
  const data = t.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  return torch.tensor(data).reshape(t.shape);
}

/** Asserts bit-for-bit equality of a tensor with its fixture form (reports the largest difference). */
function assertSameTensor(actual, expected, what) {
  assert.ok(actual instanceof torch.Tensor, `${what}: expected a tensor`);
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  assert.equal(actual.dtype.name, expected.dtype, `${what}: dtype`);
  const want = expected.dtype === 'float64' ? Float64Array.from(expected.values.map(num)) : Float32Array.from(expected.values.map(num));
  // Bit for bit: a step given its gradients is elementwise (close.js: exact on AVX2/AVX-512 kernels).
  C.assertValues(actual.typed_array(), want, { exact: true, signedZero: true, label: what, dtype: expected.dtype });
}

/**
 * Close to the fixture (test/support/close.js) for values that went through matmuls and means:
 * after step k the rounding of k forward/backward passes (each a 6x4 @ 4x3 matmul in OpenBLAS's
 * core-specific order, a mean of 18 terms, x^T @ residual over 6 terms) has entered the parameters:
 * accumulated(terms = 18, depth = k), relative to the largest |value| (a parameter near 0 keeps the
 * absolute error of the others). Measured: 6e-8 on |w| ~ 0.8 after step 1 (OpenBLAS Sandybridge
 * kernels); bound after step 1: 8e-6 relative; a wrong lr, momentum or update rule moves the
 * parameters by >= 1e-3 relative in the first step.
 */
function assertCloseTensor(actual, expected, k, what) {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  assert.equal(actual.dtype.name, expected.dtype, `${what}: dtype`);
  const want = expected.values.map(num);
  C.assertValues(Array.from(actual.typed_array(), Number), want, { ...C.accumulated(expected.dtype, { terms: 18, depth: k, scale: C.maxAbs(want) }), label: what });
}

/** Python options as JS options (tuples arrive as arrays already). */
function jsOptions(o) { return { ...o }; }

function makeOptimizer(c, params) {
  const Cls = optim[c.optim];
  if (!c.groups) return new Cls(params, jsOptions(c.options));
  return new Cls(c.groups.map((g) => ({ params: g.params.map((i) => params[i]), ...jsOptions(g.options) })), jsOptions(c.options));
}

function setGrads(c, params, k) {
  const skip = new Set((c.skip ?? []).map(([s, j]) => `${s},${j}`));
  params.forEach((p, j) => {
    const g = skip.has(`${k},${j}`) ? null : fromFixture(c.grads[k][j]);
    p.grad = g;
    if (g) g.dispose(); // .grad keeps its own reference
  });
}

function compareStateDict(sd, want, what) {
  assert.deepEqual(Object.keys(sd.state).sort(), [...want.state_order].sort(), `${what}: state keys`);
  for (const [k, entry] of Object.entries(want.state)) {
    assert.deepEqual(Object.keys(sd.state[k]), Object.keys(entry), `${what}: state[${k}] keys`);
    for (const [name, v] of Object.entries(entry)) {
      if (isEncodedTensor(v)) assertSameTensor(sd.state[k][name], v, `${what}: state[${k}].${name}`);
      else assert.deepEqual(sd.state[k][name], v, `${what}: state[${k}].${name}`);
    }
  }
  assert.equal(sd.param_groups.length, want.param_groups.length);
  sd.param_groups.forEach((g, i) => {
    assert.deepEqual(Object.keys(g), want.group_keys[i], `${what}: param_groups[${i}] keys (in order)`);
    assert.deepEqual(g, want.param_groups[i], `${what}: param_groups[${i}]`);
  });
}

describe('torch.optim against PyTorch 1.13', function () {
  // No thread pinning: an optimizer step given its gradients is elementwise (the same bits at any
  // thread count), and the closure cases compare with a tolerance.

  describe('parameters after each step (explicit gradients), state_dict, repr', function () {
    for (const c of fixtures.cases.filter((x) => x.kind === 'explicit')) {
      it(c.name, function () {
        const params = c.init.map((t) => fromFixture(t).requires_grad_());
        const opt = makeOptimizer(c, params);
        for (let k = 0; k < c.steps; k++) {
          setGrads(c, params, k);
          assert.equal(opt.step(), undefined);
          const want = c.after[k + 1]; // recorded after steps 1, 3 and the last
          if (want) params.forEach((p, j) => assertSameTensor(p, want[j], `step ${k + 1}, param ${j}`));
        }
        compareStateDict(opt.state_dict(), c.state_dict, 'state_dict');
        // A JS number cannot say whether it was 1 or 1.0: an integral float option (Adadelta's lr=1.0,
        // ASGD's t0=1e6) prints as Python prints an int.
        assert.equal(String(opt), c.repr.replace(/: (-?\d+)\.0\n/g, ': $1\n'));
      });
    }
  });

  describe('load_state_dict mid-run continues exactly as an uninterrupted run', function () {
    for (const c of fixtures.cases.filter((x) => x.kind === 'explicit' && /momentum|amsgrad|groups|missing|all/.test(x.name))) {
      it(c.name, function () {
        const params = c.init.map((t) => fromFixture(t).requires_grad_());
        const a = makeOptimizer(c, params);
        for (let k = 0; k < 3; k++) { setGrads(c, params, k); a.step(); }
        const sd = a.state_dict();
        // A new optimizer over copies of the parameters, its groups built with other options.
        const copies = params.map((p) => p.detach().clone().requires_grad_());
        const b = makeOptimizer({ ...c, options: c.optim === 'SGD' ? { lr: 123 } : {}, groups: c.groups && c.groups.map((g) => ({ params: g.params, options: {} })) }, copies);
        b.load_state_dict(sd);
        // The loaded state is a copy: changing a's state does not touch b's.
        for (const s of a.state.values()) for (const v of Object.values(s)) if (v instanceof torch.Tensor) v.fill_(1e6);
        for (let k = 3; k < c.steps; k++) {
          setGrads(c, copies, k);
          b.step();
        }
        copies.forEach((p, j) => assertSameTensor(p, c.after[c.steps][j], `param ${j}`));
        compareStateDict(b.state_dict(), c.state_dict, 'state_dict after load');
      });
    }
  });

  describe("Python's state_dict (after 3 steps) loads, and the run continues exactly as Python's after the same load", function () {
    /** A state_dict from its fixture form: tensors decoded, everything else as JSON gives it. */
    const decode = (v) => (isEncodedTensor(v) ? fromFixture(v) : Array.isArray(v) ? v.map(decode)
      : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)])) : num(v));
    for (const c of fixtures.cases.filter((x) => x.kind === 'explicit' && x.steps >= 4)) {
      it(c.name, function () {
        const params = c.after[3].map((t) => fromFixture(t).requires_grad_());
        const opt = makeOptimizer({ ...c, options: c.optim === 'SGD' ? { lr: 0.5 } : {}, groups: c.groups && c.groups.map((g) => ({ params: g.params, options: {} })) }, params);
        opt.load_state_dict(decode(c.state_dict_mid));
        for (let k = 3; k < c.steps; k++) { setGrads(c, params, k); opt.step(); }
        params.forEach((p, j) => assertSameTensor(p, c.after_load[j], `param ${j}`));
      });
    }
  });

  describe('step(closure) on a least-squares loss', function () {
    for (const c of closureCases()) {
      it(c.name, function () {
        torch.manual_seed(c.seed);
        const x = torch.randn(6, 4), y = torch.randn(6, 3);
        const w = torch.randn([4, 3], { requires_grad: true }), b = torch.zeros(3, { requires_grad: true });
        const opt = new optim[c.optim]([w, b], jsOptions(c.options));
        // LBFGS evaluates the closure up to max_eval times per step (20 inner iterations by
        // default, with curvature estimates that amplify rounding): each evaluation is a pass.
        const passes = c.optim === 'LBFGS' ? (c.options.max_eval ?? Math.floor((c.options.max_iter ?? 20) * 1.25)) : 1;
        c.losses.forEach((want, k) => {
          const loss = opt.step(() => {
            opt.zero_grad();
            let l = x.mm(w).add(b).sub(y).pow(2).mean();
            if (c.loss === 'quartic') l = l.add(w.pow(4).sum().mul(0.1));
            l.backward();
            return l;
          });
          // The loss is computed before step k+1 from parameters after k steps (one more pass).
          C.assertNumber(loss.item(), want, { ...C.accumulated('float32', { terms: 18, depth: k * passes + 1 }), label: `loss at step ${k + 1}` });
          assertCloseTensor(w, c.after[k][0], (k + 1) * passes, `w after step ${k + 1}`);
          assertCloseTensor(b, c.after[k][1], (k + 1) * passes, `b after step ${k + 1}`);
        });
        // the state's numbers (LBFGS: func_evals, n_iter, t once a float, prev_loss...)
        const s0 = opt.state_dict().state[0] ?? {};
        for (const [key, v] of Object.entries(c.state_scalars)) assert.equal(s0[key], v, `state[0].${key}`);
      });
    }
  });

  describe('sparse (COO) gradients: SparseAdam, Adagrad, SGD', function () {
    for (const c of fixtures.cases.filter((x) => x.kind === 'sparse')) {
      it(c.name, function () {
        const p = fromFixture(c.init[0]).requires_grad_();
        const opt = new optim[c.optim]([p], jsOptions(c.options));
        c.grads.forEach((g, k) => {
          p.grad = sparseCoo(g.indices, fromFixture(g.values), p.shape);
          opt.step();
          assertSameTensor(p, c.after[k + 1][0], `after step ${k + 1}`);
        });
      });
    }
    for (const c of fixtures.cases.filter((x) => x.kind === 'embedding')) {
      // F.embedding(idx, w, { sparse: true }) is not bound yet: the ATen op, whose backward makes the sparse gradient
      it(`${c.name}: sparse gradients from backward()`, function () {
        const w = fromFixture(c.init[0]).requires_grad_();
        const opt = new optim[c.optim]([w], jsOptions(c.options));
        c.indices.forEach((idx, k) => {
          opt.zero_grad();
          const e = new torch.Tensor(native.call(op('embedding'), w._h, torch.tensor(idx, { dtype: torch.int64 })._h, -1, false, true));
          const loss = e.pow(2).sum();
          loss.backward();
          opt.step();
          // A sum of 24 squares: its reduction order is the CPU's vector width (the update is elementwise, exact).
          C.assertNumber(loss.item(), c.losses[k], { ...C.accumulated('float32', { terms: 24 }), label: `loss at step ${k + 1}` });
          assertSameTensor(w, c.after[k + 1][0], `after step ${k + 1}`);
        });
      });
    }

    it('SparseAdam refuses dense gradients; the dense-only optimizers refuse sparse ones, as PyTorch', function () {
      const p = torch.zeros([4, 2], { requires_grad: true });
      p.grad = torch.ones(4, 2);
      assert.throws(() => new optim.SparseAdam([p]).step(), { message: 'SparseAdam does not support dense gradients, please consider Adam instead' });
      p.grad = sparseCoo([[0, 2]], torch.ones(2, 2), [4, 2]);
      for (const name of ['Adadelta', 'Adamax', 'ASGD', 'NAdam', 'RAdam', 'RMSprop', 'Rprop']) {
        assert.throws(() => new optim[name]([p]).step(), { message: `${name} does not support sparse gradients` });
      }
      assert.throws(() => new optim.Adam([p]).step(), { message: 'Adam does not support sparse gradients, please consider SparseAdam instead' });
      assert.throws(() => new optim.AdamW([p]).step(), { message: 'AdamW does not support sparse gradients' });
      assert.throws(() => new optim.Adagrad([p], { weight_decay: 0.1 }).step(), { message: 'weight_decay option is not compatible with sparse gradients' });
      assert.deepEqual(p.tolist(), [[0, 0], [0, 0], [0, 0], [0, 0]]);
    });
  });

  describe("invalid arguments throw PyTorch's messages", function () {
    const p = () => torch.zeros(3, { requires_grad: true });
    const byId = {
      empty: () => new optim.SGD([], { lr: 0.1 }),
      tensor: () => new optim.SGD(p(), { lr: 0.1 }),
      'not a tensor': () => new optim.SGD([p(), 3], { lr: 0.1 }),
      'non-leaf': () => new optim.SGD([p().mul(2)], { lr: 0.1 }),
      'same param in two groups': () => { const a = p(); return new optim.SGD([{ params: [a] }, { params: [p(), a] }], { lr: 0.1 }); },
      'add_param_group overlap': () => { const a = p(); new optim.Adam([a]).add_param_group({ params: a }); },
      'group without lr': () => new optim.SGD([{ params: [p()] }]),
      'load: group count': () => new optim.SGD([p()], { lr: 0.1 }).load_state_dict(new optim.SGD([{ params: [p()] }, { params: [p()] }], { lr: 0.1 }).state_dict()),
      'load: group size': () => new optim.SGD([p()], { lr: 0.1 }).load_state_dict(new optim.SGD([p(), p()], { lr: 0.1 }).state_dict()),
      'LambdaLR count': () => new optim.lr_scheduler.LambdaLR(new optim.SGD([{ params: [p()] }, { params: [p()] }], { lr: 0.1 }), [() => 1.0]),
      'resume without initial_lr': () => new optim.lr_scheduler.StepLR(new optim.SGD([p()], { lr: 0.1 }), 3, { last_epoch: 4 }),
      'scheduler of a non-optimizer': () => new optim.lr_scheduler.StepLR(null, 3),
      'LBFGS groups': () => new optim.LBFGS([{ params: [p()] }, { params: [p()], lr: 0.5 }]),
      'SparseAdam sparse param': () => new optim.SparseAdam([p(), sparseCoo([[0]], torch.tensor([1.0]), [3]).requires_grad_()]),
      ...schedulerErrors(p),
    };
    const jsType = { ValueError: [RangeError, Error], TypeError: [TypeError], KeyError: [Error] };
    for (const c of errors.cases) {
      const title = typeof c.id === 'string' ? c.id : `${c.id.optim}(${JSON.stringify(c.id.options)})`;
      it(`${title}: ${c.type === null ? 'no error (this version accepts it)' : c.message}`, function () {
        const fn = typeof c.id === 'string' ? byId[c.id] : () => new optim[c.id.optim]([p()], c.id.options);
        assert.ok(fn, `no JS counterpart for ${title}`);
        if (c.type === null) return void fn();
        assert.throws(fn, (e) => {
          assert.equal(e.message, c.message);
          assert.ok(jsType[c.type].some((T) => e instanceof T), `${e.constructor.name} for Python's ${c.type}`);
          if (c.type === 'TypeError') assert.ok(e instanceof TypeError);
          return true;
        });
      });
    }
    it('an unknown option is a TypeError (Python: unexpected keyword argument)', function () {
      assert.throws(() => new optim.Adam([p()], { lr: 0.1, momentum: 0.9 }), { name: 'TypeError', message: "Adam.__init__() got an unexpected keyword argument 'momentum'" });
      assert.throws(() => new optim.SGD([p()], { lr: 0.1, momentun: 0.9 }), TypeError);
    });
  });
});

/** The JS counterparts of the generator's scheduler error cases (by id). */
function schedulerErrors(p) {
  const S = optim.lr_scheduler;
  const opt = (n = 1) => new optim.SGD(Array.from({ length: n }, () => ({ params: [p()] })), { lr: 0.1, momentum: 0.9 });
  return {
    'ConstantLR factor': () => new S.ConstantLR(opt(), { factor: 1.5 }),
    'LinearLR start_factor': () => new S.LinearLR(opt(), { start_factor: -0.1 }),
    'LinearLR end_factor': () => new S.LinearLR(opt(), { end_factor: 2 }),
    'MultiplicativeLR count': () => new S.MultiplicativeLR(opt(2), [() => 0.9]),
    'CosineAnnealingWarmRestarts T_0': () => new S.CosineAnnealingWarmRestarts(opt(), 0),
    'CosineAnnealingWarmRestarts T_0 float': () => new S.CosineAnnealingWarmRestarts(opt(), 2.5),
    'CosineAnnealingWarmRestarts T_mult': () => new S.CosineAnnealingWarmRestarts(opt(), 3, { T_mult: 0 }),
    'CosineAnnealingWarmRestarts negative epoch': () => new S.CosineAnnealingWarmRestarts(opt(), 3).step(-1),
    'ReduceLROnPlateau factor': () => new S.ReduceLROnPlateau(opt(), { factor: 1.0 }),
    'ReduceLROnPlateau mode': () => new S.ReduceLROnPlateau(opt(), { mode: 'average' }),
    'ReduceLROnPlateau threshold_mode': () => new S.ReduceLROnPlateau(opt(), { threshold_mode: 'relative' }),
    'ReduceLROnPlateau min_lr count': () => new S.ReduceLROnPlateau(opt(2), { min_lr: [0.1] }),
    'ReduceLROnPlateau non-optimizer': () => new S.ReduceLROnPlateau(null),
    'OneCycleLR no total': () => new S.OneCycleLR(opt(), 0.1),
    'OneCycleLR total_steps': () => new S.OneCycleLR(opt(), 0.1, { total_steps: 0 }),
    'OneCycleLR epochs': () => new S.OneCycleLR(opt(), 0.1, { epochs: -1, steps_per_epoch: 3 }),
    'OneCycleLR steps_per_epoch': () => new S.OneCycleLR(opt(), 0.1, { epochs: 2, steps_per_epoch: 0 }),
    'OneCycleLR pct_start': () => new S.OneCycleLR(opt(), 0.1, { total_steps: 10, pct_start: 1.5 }),
    'OneCycleLR anneal_strategy': () => new S.OneCycleLR(opt(), 0.1, { total_steps: 10, anneal_strategy: 'exp' }),
    'OneCycleLR max_lr count': () => new S.OneCycleLR(opt(2), [0.1, 0.2, 0.3], { total_steps: 10 }),
    'OneCycleLR no momentum': () => new S.OneCycleLR(new optim.Adagrad([p()]), 0.1, { total_steps: 10 }),
    // (optimizer.step() first: else the once-per-process warning about the order fires here, not in its own test)
    'OneCycleLR too many steps': () => { const o = opt(); const s = new S.OneCycleLR(o, 0.1, { total_steps: 3 }); for (let i = 0; i < 4; i++) { o.step(); s.step(); } },
    'CyclicLR mode': () => new S.CyclicLR(opt(), 0.01, 0.1, { mode: 'sine' }),
    'CyclicLR no momentum': () => new S.CyclicLR(new optim.Adam([p()]), 0.01, 0.1),
    'CyclicLR base_lr count': () => new S.CyclicLR(opt(2), [0.01], 0.1),
    'SequentialLR milestones': () => { const o = opt(); return new S.SequentialLR(o, [new S.ConstantLR(o), new S.ExponentialLR(o, 0.9)], [2, 4]); },
    'SequentialLR other optimizer': () => { const o = opt(); return new S.SequentialLR(o, [new S.ConstantLR(o), new S.ExponentialLR(opt(), 0.9)], [2]); },
    'ChainedScheduler other optimizer': () => { const o = opt(); return new S.ChainedScheduler([new S.ConstantLR(o), new S.ExponentialLR(opt(), 0.9)]); },
  };
}
