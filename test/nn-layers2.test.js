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
    m.zero_grad({ set_to_none: false }); // as the generator (1.13's default, given explicitly there)
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

describe('nn layers (issue 10): forward errors are PyTorch\'s', () => {
  for (const e of fx.forward_errors) {
    it(`${e.cls}: ${e.message}`, () => {
      const m = new nn[e.cls](...decodeArg(e.args), decodeArg(e.kwargs));
      const xs = e.inputs.map((v) => (v.shape ? torch.randn(v.shape) : decodeArg(v.value)));
      assert.throws(() => m(...xs), (err) => {
        assert.equal(err.message, e.message);
        assert.ok(err instanceof errorClass(e.type));
        return true;
      });
    });
  }
  it('CrossMapLRN2d on a 3-D input names the layer and the rank (Python fails a bare assert)', () => {
    assert.throws(() => new nn.CrossMapLRN2d(3)(torch.randn(2, 3, 4)), { message: 'CrossMapLRN2d: Expected input to be 4D, got 3D instead.' });
  });
});

describe('nn layers (issue 10): arguments bind as Python\'s', () => {
  const cases = [
    ['ELU', [0.5, { inplace: true, alpha: 1 }], "ELU() got multiple values for argument 'alpha'"],
    ['LeakyReLU', [{ negative_slop: 0.1 }], "LeakyReLU() got an unexpected keyword argument 'negative_slop'"],
    ['Softplus', [1, 20, 3], 'Softplus() takes 2 positional arguments but 3 were given'],
    ['Threshold', [0.1], "Threshold() missing required argument: 'value'"],
    ['HuberLoss', [{ delt: 1 }], "HuberLoss() got an unexpected keyword argument 'delt'"],
    ['GaussianNLLLoss', [true], 'GaussianNLLLoss.__init__() takes 1 positional argument but 2 were given'],
    ['TripletMarginWithDistanceLoss', [null], 'TripletMarginWithDistanceLoss.__init__() takes 1 positional argument but 2 were given'],
    ['MaxPool3d', [], "MaxPool3d() missing required argument: 'kernel_size'"],
    ['AvgPool1d', [2, { padd: 1 }], "AvgPool1d() got an unexpected keyword argument 'padd'"],
    ['Conv3d', [2, 3, 3, { strides: 2 }], "Conv3d() got an unexpected keyword argument 'strides'"],
    ['ConvTranspose1d', [2, 3, 3, { paddin: 1 }], "ConvTranspose1d() got an unexpected keyword argument 'paddin'"],
    ['LayerNorm', [4, { elementwise: false }], "LayerNorm() got an unexpected keyword argument 'elementwise'"],
    ['GroupNorm', [2], "GroupNorm() missing required argument: 'num_channels'"],
    ['LazyLinear', [], "LazyLinear() missing required argument: 'out_features'"],
    ['Upsample', [{ scale: 2 }], "Upsample() got an unexpected keyword argument 'scale'"],
    ['ReflectionPad2d', [[1, 2, 3]], 'ReflectionPad2d: padding must be an int or a tuple of 4 ints, got (1, 2, 3)'],
  ];
  for (const [cls, args, message] of cases) {
    it(`${cls}: ${message}`, () => assert.throws(() => new nn[cls](...args), { message }));
  }

  it('positional and keyword forms build the same layer', () => {
    assert.equal(String(new nn.ConvTranspose2d(2, 3, 3, 2, 1, 1)), String(new nn.ConvTranspose2d(2, 3, { kernel_size: 3, stride: 2, padding: 1, output_padding: 1 })));
    assert.equal(String(new nn.LeakyReLU(0.2, true)), 'LeakyReLU(negative_slope=0.2, inplace=True)');
    assert.equal(String(new nn.TripletMarginLoss(0.5, { swap: true })), 'TripletMarginLoss()');
    assert.equal(new nn.TripletMarginLoss(0.5, { swap: true }).margin, 0.5);
    assert.equal(new nn.SmoothL1Loss(false).reduction, 'sum');
    assert.equal(new nn.KLDivLoss({ reduce: false }).reduction, 'none');
  });

  it('a forward argument that is not a tensor is a TypeError naming the layer', () => {
    assert.throws(() => new nn.ELU()([1, 2]), { name: 'TypeError', message: "ELU.forward(): argument 'input' must be a Tensor, not array" });
    assert.throws(() => new nn.HuberLoss()(torch.ones(2), 3), { name: 'TypeError', message: "HuberLoss.forward(): argument 'target' must be a Tensor, not number" });
    assert.throws(() => new nn.Conv1d(1, 1, 2)('x'), { name: 'TypeError' });
  });

  it('inplace activations overwrite and return their input', () => {
    for (const m of [new nn.ELU({ inplace: true }), new nn.Hardtanh(-1, 1, true), new nn.LeakyReLU(0.1, true), new nn.SiLU(true), new nn.ReLU6(true)]) {
      const x = torch.tensor([-2, 0.5, 3]);
      assert.equal(m(x), x, m._get_name());
    }
  });

  it('Hardtanh: the deprecated min_value/max_value keywords, and max_val > min_val', () => {
    assert.equal(String(new nn.Hardtanh({ min_value: -2, max_value: 2 })), 'Hardtanh(min_val=-2.0, max_val=2.0)');
    assert.throws(() => new nn.Hardtanh(1, -1));
  });

  it('SyncBatchNorm.convert_sync_batchnorm replaces every _BatchNorm, sharing parameters and buffers', () => {
    const model = new nn.Sequential(new nn.Conv2d(2, 3, 1), new nn.BatchNorm2d(3), new nn.Sequential(new nn.BatchNorm1d(4, { momentum: null })));
    const bn = model[1];
    const converted = nn.SyncBatchNorm.convert_sync_batchnorm(model);
    assert.equal(converted, model);
    assert.ok(model[1] instanceof nn.SyncBatchNorm && model[2][0] instanceof nn.SyncBatchNorm);
    assert.equal(model[1].weight, bn.weight);
    assert.equal(model[1].running_mean, bn.running_mean);
    assert.equal(model[2][0].momentum, null);
    // 2.x prints whether there is a bias (PyTorch's repr of the same module in each version)
    const bias = require('./support/fixtures').torchVersion === '1.13' ? '' : 'bias=True, ';
    assert.equal(String(model[1]), `SyncBatchNorm(3, eps=1e-05, momentum=0.1, affine=True, ${bias}track_running_stats=True)`);
  });

  it('F.fractional_max_pool2d/3d with given _random_samples are deterministic; without, they draw from the default generator', () => {
    const F = nn.functional;
    const x = torch.randn(1, 2, 6, 6);
    const samples = torch.rand(1, 2, 2);
    const [a, ia] = F.fractional_max_pool2d(x, 2, { output_size: 3, return_indices: true, _random_samples: samples });
    const [b, ib] = F.fractional_max_pool2d_with_indices(x, 2, 3, null, false, samples);
    assert.ok(a.equal(b) && ia.equal(ib));
    torch.manual_seed(5);
    const c = F.fractional_max_pool3d(torch.randn(1, 1, 4, 4, 4), 2, { output_ratio: 0.5 });
    torch.manual_seed(5);
    const d = F.fractional_max_pool3d(torch.randn(1, 1, 4, 4, 4), 2, { output_ratio: 0.5 });
    assert.ok(c.equal(d));
    assert.throws(() => F.fractional_max_pool2d(x, 2), { message: 'fractional_max_pool2d requires specifying either an output_size or an output_ratio' });
  });

  it('TripletMarginWithDistanceLoss takes any margin, as 1.13 (the > 0 check came in 2.0)', () => {
    const m = new nn.TripletMarginWithDistanceLoss({ margin: -1.0 });
    assert.equal(m(torch.randn(2, 3), torch.randn(2, 3), torch.randn(2, 3)).item(), 0);
    const f = new nn.TripletMarginWithDistanceLoss({ distance_function: (a, b) => a.sub(b).abs().sum(1), margin: 0 });
    assert.equal(String(f), 'TripletMarginWithDistanceLoss()');
    assert.equal(f(torch.zeros(2, 3), torch.zeros(2, 3), torch.ones(2, 3)).item(), 0);
  });

  it('ConvTranspose rejects a padding_mode other than zeros; Conv* reject an unknown one', () => {
    assert.throws(() => new nn.ConvTranspose3d(1, 1, 2, { padding_mode: 'circular' }), { message: 'Only "zeros" padding mode is supported for ConvTranspose3d' });
    assert.throws(() => new nn.Conv1d(2, 2, 3, { padding_mode: 'mirror' }), { message: "padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='mirror'" });
  });
});

describe('census: every torch.nn module class of PyTorch 1.13 is in torch-node/nn', () => {
  const api = JSON.parse(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'docs', 'python-api.json'), 'utf8'));
  // Written by the RNN/Transformer/Embedding share of issue 10, in parallel with this one.
  const elsewhere = /^(RNNBase|RNN|LSTM|GRU|RNNCellBase|RNNCell|LSTMCell|GRUCell|MultiheadAttention|Transformer\w*|Embedding|EmbeddingBag)$/;
  it('all but the recurrent, attention and embedding layers', () => {
    const missing = api.names.nn.filter((n) => nn[n] === undefined && !elsewhere.test(n));
    assert.deepEqual(missing, []);
  });
});
