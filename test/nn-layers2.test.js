'use strict';
// The nn layers of issue 10 against PyTorch 1.13 (fixtures from scripts/gen-nn-layers2-fixtures.py):
// parameters right after torch.manual_seed(s) bit-identical, the printed form and state_dict keys
// Python's, and train/eval steps giving PyTorch's outputs, input and parameter gradients and buffers.
const assert = require('node:assert/strict');
const torch = require('torch-node');
const nn = require('torch-node/nn');
const { fixture, decode, decodeArg, assertExact, assertClose, errorClass } = require('./nn-helpers');

const fx = fixture('nn-layers2.json');

// A zero-element tensor has no values to read (its typed array is detached): shape and dtype only.
function assertExactOrEmpty(t, enc, what) {
  if (enc.values.length === 0) {
    assert.deepEqual(t.shape, enc.shape, `${what}: shape`);
    assert.equal(t.dtype.name, enc.dtype, `${what}: dtype`);
  } else assertExact(t, enc, what);
}
function assertCloseOrEmpty(t, enc, what, rtol, atol) {
  if (enc.values.length === 0) assertExactOrEmpty(t, enc, what);
  else assertClose(t, enc, what, rtol, atol);
}

/** A recorded forward input: a tensor (a fresh leaf, with requires_grad as recorded) or a plain value. */
function input(enc) {
  if (enc.__tensor__) return decode(enc.__tensor__).requires_grad_(enc.grad);
  return decodeArg(enc.value);
}

function checkSteps(m, c) {
  for (const [i, step] of c.steps.entries()) {
    const what = `step ${i} (${step.mode})`;
    m.train(step.mode === 'train');
    const xs = step.inputs.map(input);
    torch.manual_seed(step.seed);
    const fwdKw = c.fwd_kwargs ? [decodeArg(c.fwd_kwargs)] : [];
    const out = m(...xs, ...fwdKw);
    const outs = Array.isArray(out) ? out : [out];
    assert.equal(outs.length, step.outputs.length, `${what}: number of outputs`);
    outs.forEach((o, j) => {
      if (o.dtype.is_floating_point) assertClose(o, step.outputs[j], `${what} output ${j}`, 1e-5, 1e-5);
      else assertExact(o, step.outputs[j], `${what} output ${j}`);
    });
    m.zero_grad({ set_to_none: false }); // Python 1.13's default (the generator calls m.zero_grad())
    if (outs[0].requires_grad) outs[0].mul(decode(step.g)).sum().backward();
    step.input_grads.forEach((g, j) => {
      if (g !== null) assertClose(xs[j].grad, g, `${what} grad of input ${j}`, 1e-4, 1e-5);
    });
    const params = Object.fromEntries(m.named_parameters());
    assert.deepEqual(Object.keys(step.grads), Object.keys(params).filter((k) => params[k].grad !== null), `${what}: which params have grads`);
    for (const [k, g] of Object.entries(step.grads)) assertCloseOrEmpty(params[k].grad, g, `${what} grad of ${k}`, 1e-4, 1e-5);
    const buffers = Object.fromEntries(m.named_buffers());
    assert.deepEqual(Object.keys(buffers), Object.keys(step.buffers));
    for (const [k, b] of Object.entries(step.buffers)) assertClose(buffers[k], b, `${what} buffer ${k}`);
  }
}

describe('nn layers (issue 10) match PyTorch', () => {
  for (const c of fx.cases) {
    describe(c.name, () => {
      let m;
      before(() => {
        torch.manual_seed(c.seed);
        m = new nn[c.cls](...decodeArg(c.args), decodeArg(c.kwargs));
      });
      it('parameters and buffers after manual_seed are bit-identical; state_dict keys', () => {
        const params = Object.fromEntries(m.named_parameters());
        assert.deepEqual(Object.keys(params), Object.keys(c.params));
        for (const [k, p] of Object.entries(c.params)) {
          assert.ok(params[k] instanceof nn.Parameter && params[k].requires_grad);
          assertExactOrEmpty(params[k], p, k);
        }
        const buffers = Object.fromEntries(m.named_buffers());
        assert.deepEqual(Object.keys(buffers), Object.keys(c.buffers));
        for (const [k, b] of Object.entries(c.buffers)) assertExact(buffers[k], b, k);
        assert.deepEqual(Object.keys(m.state_dict()), c.state_dict_keys);
      });
      it('prints as Python', () => assert.equal(String(m), c.repr));
      if (c.steps.length) it('forward, backward and buffers over the steps', () => checkSteps(m, c));
    });
  }

  describe('constructor errors are PyTorch\'s', () => {
    for (const e of fx.errors) {
      it(`${e.cls}(${JSON.stringify(e.args).slice(1, -1)}${Object.keys(e.kwargs).length ? `, ${JSON.stringify(e.kwargs)}` : ''})`, () => {
        assert.throws(() => new nn[e.cls](...decodeArg(e.args), decodeArg(e.kwargs)), (err) => {
          assert.equal(err.message, e.message);
          assert.ok(err instanceof errorClass(e.type));
          return true;
        });
      });
    }
  });
});

describe('lazy modules match PyTorch', () => {
  for (const c of fx.lazy) {
    it(`${c.cls}(${JSON.stringify(c.args).slice(1, -1)}${Object.keys(c.kwargs).length ? `, ${JSON.stringify(c.kwargs)}` : ''})`, () => {
      torch.manual_seed(c.seed);
      const m = new nn[c.cls](...decodeArg(c.args), decodeArg(c.kwargs));
      assert.equal(String(m), c.repr_before);
      assert.deepEqual(Object.keys(m.state_dict()), c.keys_before);
      const before = [...m.named_parameters()];
      assert.deepEqual(before.map(([k]) => k), c.params_before);
      for (const [k, p] of before) {
        assert.ok(p instanceof nn.UninitializedParameter, k);
        assert.throws(() => p.shape, /Can't access the shape of an uninitialized parameter/);
      }
      torch.manual_seed(c.seed + 1);
      const out = m(decode(c.input));
      assertClose(out, c.output, 'output', 1e-5, 1e-5);
      assert.equal(m.constructor.name, c.cls_after);
      assert.ok(m instanceof nn[c.cls_after]);
      assert.equal(String(m), c.repr_after);
      const params = Object.fromEntries(m.named_parameters());
      assert.deepEqual(Object.keys(params), Object.keys(c.params));
      for (const [k, p] of Object.entries(c.params)) {
        assert.ok(params[k] instanceof nn.Parameter && !(params[k] instanceof nn.UninitializedParameter), k);
        assertExact(params[k], p, k);
      }
      // The parameters are the same objects as before the forward: materialised in place.
      for (const [k, p] of before) assert.equal(params[k], p, `${k} kept its identity`);
      const buffers = Object.fromEntries(m.named_buffers());
      assert.deepEqual(Object.keys(buffers), Object.keys(c.buffers));
      for (const [k, b] of Object.entries(c.buffers)) assertClose(buffers[k], b, k);
      assert.equal(m._forward_pre_hooks.size, 0, 'the inferring hook removed itself');
    });
  }

  it('load_state_dict into an uninitialised module materialises from the loaded shapes', () => {
    const src = new nn.Linear(3, 2);
    const m = new nn.LazyLinear(2);
    m.load_state_dict(src.state_dict());
    assert.deepEqual(m.weight.shape, [2, 3]);
    assert.ok(m.weight.equal(src.weight) && m.bias.equal(src.bias));
    assert.deepEqual(m(torch.ones(1, 3)).tolist(), src(torch.ones(1, 3)).tolist());
  });

  it('LazyConv2d rejects an input of the wrong rank and channels not divisible by groups, as Python', () => {
    assert.throws(() => new nn.LazyConv2d(4, 3)(torch.randn(5, 5)),
      { message: 'Expected 3D (unbatched) or 4D (batched) input to LazyConv2d, but got input of size: torch.Size([5, 5])' });
    assert.throws(() => new nn.LazyConv2d(4, 3, { groups: 2 })(torch.randn(1, 3, 5, 5)), { message: 'in_channels must be divisible by groups' });
  });
});

describe('containers match PyTorch', () => {
  const c = fx.containers;
  it('ParameterList: append/extend, plain tensors wrapped as Parameters, repr, state_dict keys', () => {
    const e = c.parameter_list;
    const pl = new nn.ParameterList([new nn.Parameter(decode(e.values[0])), decode(e.values[1])]);
    pl.append(decode(e.values[2]));
    pl.extend([new nn.Parameter(decode(e.values[3]))]);
    assert.equal(String(pl), e.repr);
    assert.deepEqual(Object.keys(pl.state_dict()), e.keys);
    assert.equal(pl.length, 4);
    [...pl].forEach((p, i) => { assert.ok(p instanceof nn.Parameter); assertExact(p, e.values[i], `entry ${i}`); });
    assert.equal(pl.at(-1), pl[3]);
    assert.equal(pl.slice(1, 3).length, 2);
    assert.throws(() => pl.at(4), { name: 'RangeError', message: 'index 4 is out of range' });
    assert.throws(() => pl(), { message: 'ParameterList should not be called.' });
  });
  it('ParameterDict: a plain object is added in sorted key order, set/update, repr, state_dict keys', () => {
    const e = c.parameter_dict;
    const v = e.values;
    const pd = new nn.ParameterDict({ b: new nn.Parameter(decode(v.b)), a: decode(v.a) });
    pd.set('c', decode(v.c));
    pd.update([['d', new nn.Parameter(decode(v.d))]]);
    assert.equal(String(pd), e.repr);
    assert.deepEqual(Object.keys(pd.state_dict()), e.keys);
    assert.deepEqual(pd.keys(), ['a', 'b', 'c', 'd']);
    assert.equal(pd.get('a'), pd.a);
    assert.equal(pd.get('zz', 7), 7);
    assert.ok(pd.has('c'));
    const d = pd.pop('d');
    assert.ok(d instanceof nn.Parameter && !pd.has('d'));
    assert.deepEqual(Object.keys(pd.state_dict()), ['a', 'b', 'c']);
    assert.throws(() => pd.set(1, torch.ones(1)), { name: 'TypeError', message: /cannot be used as a key as it is not a string \(type is 'int'\)/ });
    assert.throws(() => pd(), { message: 'ParameterDict should not be called.' });
  });
  it('Sequential + and *, ModuleList +', () => {
    const seq = new nn.Sequential(new nn.ReLU(), new nn.Linear(2, 2));
    assert.equal(String(seq.__add__(new nn.Sequential(new nn.Tanh()))), c.sequential_add);
    assert.equal(String(seq.__mul__(2)), c.sequential_mul);
    assert.equal(String(new nn.ModuleList([new nn.ReLU()]).__add__(new nn.ModuleList([new nn.Tanh(), new nn.ReLU()]))), c.module_list_add);
    assert.throws(() => seq.__mul__(0), { message: "Non-positive multiplication factor 0 for <class 'torch.nn.modules.container.Sequential'>" });
    assert.throws(() => seq.__mul__(1.5), { name: 'TypeError', message: "unsupported operand type(s) for *: <class 'torch.nn.modules.container.Sequential'> and <class 'float'>" });
  });
});

describe('AdaptiveLogSoftmaxWithLoss: log_prob and predict match PyTorch', () => {
  const c = fx.adaptive;
  it('log_prob of every class, predict (mixed shortlist/cluster rows and one row)', () => {
    torch.manual_seed(c.seed);
    const m = new nn.AdaptiveLogSoftmaxWithLoss(8, 12, [2, 5, 9], { div_value: 2.0 });
    const x = decode(c.input);
    assertClose(m.log_prob(x), c.log_prob, 'log_prob', 1e-5, 1e-5);
    assertExact(m.predict(x), c.predict, 'predict');
    assertExact(m.predict(x.narrow(0, 0, 1)), c.predict_first, 'predict one row');
    const r = m(x.narrow(0, 0, 2), torch.tensor([0, 11], { dtype: torch.int64 }));
    assert.equal(r.output, r[0]);
    assert.equal(r.loss, r[1]);
    assert.throws(() => m(x.narrow(0, 0, 2), torch.tensor([0, 12], { dtype: torch.int64 })), { message: 'Target values should be in [0, 11], but values in range [0, 12] were found. ' });
  });
});
