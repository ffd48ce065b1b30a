'use strict';
// torch.optim (SGD, Adam, AdamW) against PyTorch 1.13: fixtures from
// scripts/gen-optim-fixtures.py (run by /usr/bin/python3).
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const torch = require('torch-node');
const optim = require('torch-node/optim');
const C = require('./support/close');

const fixtures = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'optim-optimizers.json'), 'utf8'));
const errors = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'optim-errors.json'), 'utf8'));

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
        assert.equal(String(opt), c.repr);
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

  describe('step(closure) on a least-squares loss', function () {
    for (const c of fixtures.cases.filter((x) => x.kind === 'closure')) {
      it(c.name, function () {
        torch.manual_seed(c.seed);
        const x = torch.randn(6, 4), y = torch.randn(6, 3);
        const w = torch.randn([4, 3], { requires_grad: true }), b = torch.zeros(3, { requires_grad: true });
        const opt = new optim[c.optim]([w, b], jsOptions(c.options));
        c.losses.forEach((want, k) => {
          const loss = opt.step(() => {
            opt.zero_grad();
            const l = x.mm(w).add(b).sub(y).pow(2).mean();
            l.backward();
            return l;
          });
          // The loss is computed before step k+1 from parameters after k steps (one more pass).
          C.assertNumber(loss.item(), want, { ...C.accumulated('float32', { terms: 18, depth: k + 1 }), label: `loss at step ${k + 1}` });
          assertCloseTensor(w, c.after[k][0], k + 1, `w after step ${k + 1}`);
          assertCloseTensor(b, c.after[k][1], k + 1, `b after step ${k + 1}`);
        });
      });
    }
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
    };
    const jsType = { ValueError: [RangeError, Error], TypeError: [TypeError], KeyError: [Error] };
    for (const c of errors.cases) {
      const title = typeof c.id === 'string' ? c.id : `${c.id.optim}(${JSON.stringify(c.id.options)})`;
      it(`${title}: ${c.message}`, function () {
        const fn = typeof c.id === 'string' ? byId[c.id] : () => new optim[c.id.optim]([p()], c.id.options);
        assert.ok(fn, `no JS counterpart for ${title}`);
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
