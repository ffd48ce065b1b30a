'use strict';
// nn.Module against PyTorch 1.13 (fixtures from scripts/gen-nn-fixtures.py): a
// nested model's printed form, state_dict keys, names, initial values and
// outputs; load_state_dict's reports; PyTorch's messages for bad inputs. Then
// the Python semantics of registration, containers, modes, conversions, hooks
// and the release of intermediates.
const assert = require('node:assert/strict');
const { liveStats } = require('./support/gc');
const util = require('node:util');
const torch = require('torch-node');
const nn = require('torch-node/nn');
const F = require('torch-node/nn/functional');
const { fixture, decode, assertExact, assertClose, assertThrowsLike } = require('./nn-helpers');

const fx = fixture('nn-module.json');

// The model of scripts/gen-nn-fixtures.py, line for line.
class Block extends nn.Module {
  constructor(c) {
    super();
    this.conv = new nn.Conv2d(c, c, 3, { padding: 1, bias: false });
    this.bn = new nn.BatchNorm2d(c);
    this.relu = new nn.ReLU(true);
  }
  forward(x) { return this.relu(this.bn(this.conv(x)).add(x)); }
}

class Net extends nn.Module {
  constructor() {
    super();
    this.stem = new nn.Sequential(new nn.Conv2d(3, 8, 3, { stride: 2, padding: 1 }), new nn.BatchNorm2d(8), new nn.ReLU(true),
      new nn.MaxPool2d({ kernel_size: 3, stride: 2, padding: 1 }));
    this.blocks = new nn.ModuleList([new Block(8), new Block(8)]);
    this.pool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.heads = new nn.ModuleDict({
      cls: new nn.Linear(8, 4),
      aux: new nn.Sequential(new Map([['drop', new nn.Dropout(0.25)], ['fc', new nn.Linear(8, 2)]])),
    });
    this.register_buffer('scale', torch.ones(1));
    this.register_buffer('cache', torch.zeros(2), false);
    this.temperature = new nn.Parameter(torch.tensor([1.5]));
    this.act = new nn.GELU();
    this.soft = new nn.Softmax({ dim: 1 });
  }
  forward(x) {
    x = this.stem(x);
    for (const b of this.blocks) x = b(x);
    x = torch.flatten(this.pool(x), 1);
    return [this.soft(this.heads.cls(x).div(this.temperature)).mul(this.scale), this.heads.aux(this.act(x))];
  }
}

const names = (it) => [...it].map(([k]) => k);

describe('nn.Module matches PyTorch on a nested model', () => {
  const s = fx.structure;
  let net;
  before(() => {
    // No thread pinning (see nn-layers.test.js): the suite must hold at any thread count.
    torch.manual_seed(s.seed);
    net = new Net();
  });

  it('prints as print(model)', () => {
    assert.equal(String(net), s.repr);
    assert.equal(util.inspect(net), s.repr);
  });

  it('state_dict: keys, _metadata and values (every layer initialised in Python\'s order)', () => {
    const sd = net.state_dict();
    assert.deepEqual(Object.keys(sd), s.state_dict_keys);
    assert.deepEqual(sd._metadata, s.metadata);
    for (const [k, v] of Object.entries(s.state_dict)) assertExact(sd[k], v, k);
    assert.ok(!sd['heads.cls.weight'].requires_grad, 'detached');
  });

  it('named_parameters, named_buffers, named_modules, named_children', () => {
    assert.deepEqual(names(net.named_parameters()), s.named_parameters);
    assert.deepEqual(names(net.named_buffers()), s.named_buffers);
    assert.deepEqual(names(net.named_modules()), s.named_modules);
    assert.deepEqual(names(net.named_children()), s.named_children);
    assert.deepEqual(names(net.named_parameters({ recurse: false })), s.parameters_recurse_false);
    assert.deepEqual(names(net.named_parameters('', false)), s.parameters_recurse_false);
    assert.equal([...net.parameters()].reduce((n, p) => n + p.numel(), 0), s.num_parameters);
    assert.equal([...net.children()].length, s.named_children.length);
    assert.equal([...net.modules()].length, s.named_modules.length);
  });

  it('a training step: outputs, gradients, running stats', () => {
    net.train();
    const [cls, aux] = net(decode(s.input));
    assertClose(cls, s.train_output[0], 'cls');
    assertClose(aux, s.train_output[1], 'aux');
    cls.sum().add(aux.sum()).backward();
    for (const [k, p] of net.named_parameters()) assertClose(p.grad, s.grads[k], `grad of ${k}`, 1e-4, 1e-5);
    for (const [k, b] of net.named_buffers()) assertClose(b, s.buffers_after_train[k], k);
  });

  it('eval mode uses the running stats', () => {
    net.eval();
    torch.no_grad(() => {
      const [cls, aux] = net(decode(s.input));
      assertClose(cls, s.eval_output[0], 'cls');
      assertClose(aux, s.eval_output[1], 'aux');
    });
  });

  it('loads a state dict made by PyTorch', () => {
    torch.manual_seed(99);
    const other = new Net();
    const sd = Object.fromEntries(Object.entries(s.state_dict).map(([k, v]) => [k, decode(v)]));
    assert.equal(String(other.load_state_dict(sd)), '<All keys matched successfully>');
    const mine = other.state_dict();
    for (const [k, v] of Object.entries(s.state_dict)) assertExact(mine[k], v, k);
  });

  it('replacing a Sequential item keeps its position; deleting renumbers', () => {
    torch.manual_seed(0);
    const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
    seq[0] = new nn.Linear(2, 3, false);
    delete seq[1];
    assert.deepEqual(Object.keys(seq.state_dict()), s.replaced_keys);
    assert.equal(String(seq), s.replaced_repr);
  });

  it('printed forms of other layers', () => {
    const r = fx.reprs;
    assert.equal(String(new nn.Linear(2, 2).load_state_dict(new nn.Linear(2, 2).state_dict())), r.all_matched);
    assert.equal(String(new nn.Conv2d(3, 8, [3, 5], { stride: [2, 1], padding: [1, 2], dilation: 2, groups: 1, bias: false, padding_mode: 'reflect' })), r.Conv2d);
    assert.equal(String(new nn.Conv2d(4, 8, 3, { padding: 'same', groups: 4 })), r.Conv2d_same);
    assert.equal(String(new nn.MaxPool2d([3, 3], null, 1, { ceil_mode: true })), r.MaxPool2d);
    assert.equal(String(new nn.AvgPool2d(3, { stride: [2, 1] })), r.AvgPool2d);
    assert.equal(String(new nn.BatchNorm1d(10, { eps: 1e-3, momentum: null, affine: false, track_running_stats: false })), r.BatchNorm1d);
    assert.equal(String(new nn.Dropout({ p: 0.1, inplace: true })), r.Dropout);
    assert.equal(String(new nn.Softmax()), r.Softmax);
    assert.equal(String(new nn.Sequential()), r['Empty Sequential']);
    assert.equal(String(new nn.ModuleList()), r['ModuleList empty']);
    assert.equal(String(new nn.CrossEntropyLoss({ label_smoothing: 0.1 })), r.CrossEntropyLoss);
    assert.equal(String(new nn.BCEWithLogitsLoss({ pos_weight: torch.ones(3) })), r.BCEWithLogitsLoss);
    assert.equal(String(new nn.Flatten(0)), r.Flatten);
    assert.equal(String(new nn.Identity()), r.Identity);
    assert.equal(String(new nn.GELU('tanh')), r.GELU);
    assert.equal(util.inspect(new nn.Parameter(torch.tensor([1, -2]))), r.Parameter);
    assert.equal(String(new nn.Parameter(torch.tensor([[1.5]]), false)), r['Parameter no grad']);
  });
});

describe('nn.Module: load_state_dict reports as PyTorch', () => {
  function load(edit, strict = true) {
    torch.manual_seed(0);
    const m = new Net();
    const d = m.state_dict();
    edit(d);
    return m.load_state_dict(d, { strict });
  }
  const editMissing = (d) => { delete d['heads.cls.bias']; delete d['stem.1.running_var']; };
  const editUnexpected = (d) => { d['heads.cls.extra'] = torch.zeros(1); d.nothing = torch.zeros(1); };
  const editBoth = (d) => { editMissing(d); editUnexpected(d); };
  const editSize = (d) => { d['heads.cls.weight'] = torch.zeros(4, 9); d['stem.0.bias'] = torch.zeros(3); };
  const e = fx.errors;

  it('missing keys under strict', () => assertThrowsLike(() => load(editMissing), e.load_missing));
  it('unexpected keys under strict', () => assertThrowsLike(() => load(editUnexpected), e.load_unexpected));
  it('both', () => assertThrowsLike(() => load(editBoth), e.load_both));
  it('size mismatch, strict or not', () => {
    assertThrowsLike(() => load(editSize), e.load_size);
    assertThrowsLike(() => load(editSize, false), e.load_size_nonstrict);
  });
  it('non-strict returns the keys', () => {
    const r = load(editBoth, false);
    assert.deepEqual(r.missing_keys, fx.nonstrict.missing_keys);
    assert.deepEqual(r.unexpected_keys, fx.nonstrict.unexpected_keys);
    assert.equal(String(r), fx.nonstrict.repr);
    const [missing, unexpected] = r;
    assert.deepEqual([missing, unexpected], [r.missing_keys, r.unexpected_keys]);
  });
  it('BatchNorm: num_batches_tracked is required from a current state dict, filled in for one without _metadata', () => {
    assertThrowsLike(() => load((d) => delete d['stem.1.num_batches_tracked']), e.load_nbt_missing);
    assert.equal(String(load((d) => { delete d['stem.1.num_batches_tracked']; delete d._metadata; })), fx.nbt_nometa);
  });
  it('accepts a Map and copies the values in place', () => {
    const a = new nn.Linear(3, 2), b = new nn.Linear(3, 2);
    const w = b.weight;
    b.load_state_dict(new Map(Object.entries(a.state_dict())));
    assert.equal(b.weight, w);
    assert.ok(b.weight.equal(a.weight) && b.bias.equal(a.bias));
  });
});

describe('nn: PyTorch\'s messages for bad inputs', () => {
  const cases = {
    linear_shape: () => new nn.Linear(3, 2)(torch.randn(4, 5)),
    linear_1d_shape: () => new nn.Linear(3, 2)(torch.randn(4)),
    conv_channels: () => new nn.Conv2d(3, 4, 3)(torch.randn(1, 2, 5, 5)),
    conv_dims: () => new nn.Conv2d(3, 4, 3)(torch.randn(3, 5)),
    conv_kernel_too_big: () => new nn.Conv2d(3, 4, 5)(torch.randn(1, 3, 3, 3)),
    conv_groups: () => new nn.Conv2d(3, 4, 3, { groups: 2 }),
    conv_same_strided: () => new nn.Conv2d(3, 4, 3, { stride: 2, padding: 'same' }),
    conv_groups_zero: () => new nn.Conv2d(3, 3, 3, { groups: 0 }),
    bn2d_dim: () => new nn.BatchNorm2d(3)(torch.randn(2, 3)),
    bn1d_dim: () => new nn.BatchNorm1d(3)(torch.randn(2, 3, 4, 4)),
    bn_one_value: () => new nn.BatchNorm1d(3)(torch.randn(1, 3)),
    bn_channels: () => new nn.BatchNorm2d(3)(torch.randn(2, 4, 2, 2)),
    ce_int32_target: () => F.cross_entropy(torch.randn(3, 5), torch.tensor([1, 2, 3], { dtype: torch.int32 })),
    ce_batch_mismatch: () => new nn.CrossEntropyLoss()(torch.randn(3, 5), torch.tensor([1, 2, 3, 4], { dtype: torch.int64 })),
    ce_out_of_bounds: () => new nn.CrossEntropyLoss()(torch.randn(3, 5), torch.tensor([1, 7, 3], { dtype: torch.int64 })),
    ce_prob_shape: () => new nn.CrossEntropyLoss()(torch.randn(3, 5), torch.rand(3, 4)),
    ce_float_1d_target: () => new nn.CrossEntropyLoss()(torch.randn(3, 5), torch.tensor([1.0, 2.0, 3.0])),
    nll_float_target: () => new nn.NLLLoss()(torch.randn(3, 5), torch.tensor([1.0, 2.0, 0.0])),
    nll_3d_target_shape: () => new nn.NLLLoss()(torch.randn(2, 3, 4), torch.tensor([[1, 2, 0]], { dtype: torch.int64 })),
    mse_broadcast: () => new nn.MSELoss()(torch.randn(3), torch.randn(4)),
    bce_size: () => new nn.BCELoss()(torch.rand(3, 2), torch.rand(3)),
    bce_logits_size: () => new nn.BCEWithLogitsLoss()(torch.randn(3, 2), torch.rand(2, 3)),
    bce_long_target: () => new nn.BCELoss()(torch.rand(3), torch.tensor([1, 0, 1], { dtype: torch.int64 })),
    reduction_invalid: () => new nn.MSELoss({ reduction: 'avg' })(torch.randn(3), torch.randn(3)),
    dropout_p: () => new nn.Dropout(1.5),
    f_dropout_p: () => F.dropout(torch.randn(2), -0.5),
    assign_tensor_to_param: () => { new nn.Linear(2, 2).weight = torch.zeros(2, 2); },
    assign_int_to_module: () => { new nn.Sequential(new nn.ReLU())['0'] = 3; },
    to_int_dtype: () => new nn.Linear(2, 2).to(torch.int64),
    seq_index: () => new nn.Sequential(new nn.ReLU(), new nn.ReLU())[5],
    modulelist_index: () => new nn.ModuleList([new nn.ReLU()])[-2],
    no_forward: () => new nn.Module()(torch.zeros(1)),
    softmax_dim: () => new nn.Softmax({ dim: 2 })(torch.randn(2, 3)),
    maxpool_too_small: () => new nn.MaxPool2d(3)(torch.randn(1, 3, 2, 2)),
    adaptive_dims: () => F.adaptive_avg_pool2d(torch.randn(3), [2, 2]),
    register_buffer_dot: () => new nn.Module().register_buffer('a.b', torch.zeros(1)),
    register_parameter_exists: () => new nn.Linear(2, 2).register_parameter('train', null),
    add_module_not_module: () => new nn.Module().add_module('x', 3),
    int_parameter: () => new nn.Parameter(torch.tensor([1, 2], { dtype: torch.int64 })),
    fan_1d: () => nn.init.xavier_uniform_(torch.empty(3)),
    kaiming_mode: () => nn.init.kaiming_uniform_(torch.empty(3, 3), { mode: 'fan' }),
    gain_unsupported: () => nn.init.calculate_gain('softmax'),
  };
  for (const [name, fn] of Object.entries(cases)) {
    it(`${name}: ${fx.errors[name].message.split('\n')[0].slice(0, 70)}`, () => assertThrowsLike(fn, fx.errors[name]));
  }
  it('every recorded error has a case', () => {
    const loads = Object.keys(fx.errors).filter((k) => k.startsWith('load_'));
    assert.deepEqual(Object.keys(fx.errors).filter((k) => !loads.includes(k)).sort(), Object.keys(cases).sort());
  });
});

describe('nn.Module: registration, as Python\'s __setattr__', () => {
  it('is callable, with forward, and is an instance of its classes', () => {
    const l = new nn.Linear(2, 3);
    assert.equal(typeof l, 'function');
    assert.ok(l instanceof nn.Linear && l instanceof nn.Module);
    const x = torch.randn(4, 2);
    assert.ok(l(x).equal(l.forward(x)));
  });

  it('assigning a Module or a Parameter registers it; a plain value or tensor does not', () => {
    const m = new nn.Module();
    m.fc = new nn.Linear(2, 2);
    m.w = new nn.Parameter(torch.ones(2));
    m.t = torch.zeros(1);
    m.n = 3;
    assert.deepEqual(names(m.named_parameters()), ['w', 'fc.weight', 'fc.bias']);
    assert.deepEqual(names(m.named_children()), ['fc']);
    assert.deepEqual(Object.keys(m.state_dict()), ['w', 'fc.weight', 'fc.bias']);
    assert.equal(m.n, 3);
    assert.ok('fc' in m && 'w' in m && !('nothing' in m));
    delete m.fc;
    assert.equal(m.fc, undefined);
    assert.deepEqual(names(m.named_parameters()), ['w']);
  });

  it('replacing a child keeps its position (resnet18.fc = new nn.Linear(...))', () => {
    class M extends nn.Module {
      constructor() { super(); this.a = new nn.Linear(2, 2); this.fc = new nn.Linear(2, 2); this.b = new nn.Linear(2, 2); }
    }
    const m = new M();
    for (const p of m.parameters()) p.requires_grad = false;
    m.fc = new nn.Linear(2, 5);
    assert.deepEqual(names(m.named_children()), ['a', 'fc', 'b']);
    assert.deepEqual(names(m.named_parameters()), ['a.weight', 'a.bias', 'fc.weight', 'fc.bias', 'b.weight', 'b.bias']);
    assert.deepEqual([...m.named_parameters()].filter(([, p]) => p.requires_grad).map(([k]) => k), ['fc.weight', 'fc.bias']);
    assert.equal(m.fc.out_features, 5);
  });

  it('class fields register too, and a field declared without a value does not wipe a registered one', () => {
    class Net2 extends nn.Module {
      fc = new nn.Linear(2, 3);
      act = new nn.ReLU();
      forward(x) { return this.act(this.fc(x)); }
    }
    const n = new Net2();
    assert.deepEqual(names(n.named_children()), ['fc', 'act']);
    assert.deepEqual(n(torch.randn(1, 2)).shape, [1, 3]);
    class MyLinear extends nn.Linear { weight; bias; }
    const ml = new MyLinear(2, 2);
    assert.ok(ml.weight instanceof nn.Parameter && ml.bias instanceof nn.Parameter);
  });

  it('buffers: assigned tensors replace them, non-persistent ones stay out of state_dict', () => {
    const m = new nn.Module();
    m.register_buffer('a', torch.zeros(2));
    m.register_buffer('b', torch.zeros(1), false);
    m.a = torch.ones(2);
    assert.deepEqual(m.a.tolist(), [1, 1]);
    assert.deepEqual(names(m.named_buffers()), ['a', 'b']);
    assert.deepEqual(Object.keys(m.state_dict()), ['a']);
    assert.throws(() => { m.a = 3; }, { name: 'TypeError', message: "cannot assign 'int' as buffer 'a' (torch.Tensor or None expected)" });
    m.a = null;
    assert.equal(m.a, null);
    assert.deepEqual(Object.keys(m.state_dict()), []);
  });

  it('a parameter shared by two modules is listed once', () => {
    const a = new nn.Linear(2, 2), b = new nn.Linear(2, 2);
    b.weight = a.weight;
    const seq = new nn.Sequential(a, b, a);
    assert.deepEqual(names(seq.named_parameters()), ['0.weight', '0.bias', '1.bias']);
    assert.deepEqual(names(seq.named_modules()), ['', '0', '1']);
    assert.deepEqual(Object.keys(seq.state_dict()), ['0.weight', '0.bias', '1.weight', '1.bias', '2.weight', '2.bias']);
  });

  it('get_submodule', () => {
    torch.manual_seed(0);
    const n = new Net();
    assert.equal(n.get_submodule('heads.aux.fc'), n.heads.aux.fc);
    assert.throws(() => n.get_submodule('heads.nope'), { message: 'ModuleDict has no attribute `nope`' });
  });
});

describe('nn.Module: Parameter', () => {
  it('is a leaf sharing the storage of its data, requiring grad by default', () => {
    const t = torch.zeros(3);
    const p = new nn.Parameter(t);
    assert.ok(p instanceof nn.Parameter && p instanceof torch.Tensor);
    assert.ok(p.requires_grad && p.is_leaf);
    t.fill_(2);
    assert.deepEqual(p.tolist(), [2, 2, 2]);
    assert.ok(!t.requires_grad, 'data itself is left as it was');
    assert.ok(!new nn.Parameter(torch.ones(1), false).requires_grad);
    assert.deepEqual(new nn.Parameter().shape, [0]);
  });
});

describe('nn.Module: modes, gradients, conversions', () => {
  it('train()/eval() set training on every submodule', () => {
    torch.manual_seed(0);
    const n = new Net();
    assert.ok(n.training && n.blocks[1].bn.training);
    assert.equal(n.eval(), n);
    assert.ok([...n.modules()].every((m) => !m.training));
    n.train();
    assert.ok([...n.modules()].every((m) => m.training));
    assert.throws(() => n.train('yes'), { message: 'training mode is expected to be boolean' });
  });

  it('zero_grad: set_to_none by default (PyTorch 2.x), zeros with set_to_none false', () => {
    const l = new nn.Linear(2, 1);
    l(torch.ones(1, 2)).sum().backward();
    l.zero_grad(false);
    assert.deepEqual(l.weight.grad.tolist(), [[0, 0]]);
    l.zero_grad();
    assert.equal(l.weight.grad, null);
    l(torch.ones(1, 2)).sum().backward();
    l.zero_grad({ set_to_none: true });
    assert.equal(l.bias.grad, null);
  });

  it('requires_grad_(false) freezes every parameter', () => {
    const s = new nn.Sequential(new nn.Linear(2, 2), new nn.Linear(2, 2));
    assert.equal(s.requires_grad_(false), s);
    assert.ok([...s.parameters()].every((p) => !p.requires_grad));
  });

  it('to(dtype)/double()/float() convert floating parameters, grads and buffers, keeping the Parameter objects', () => {
    const bn = new nn.BatchNorm1d(3);
    const lin = new nn.Linear(3, 2);
    const s = new nn.Sequential(lin, bn);
    const w = lin.weight;
    lin(torch.ones(2, 3)).sum().backward();
    s.to(torch.float64);
    assert.equal(lin.weight, w);
    assert.equal(w.dtype, torch.float64);
    assert.equal(w.grad.dtype, torch.float64);
    assert.equal(bn.running_mean.dtype, torch.float64);
    assert.equal(bn.num_batches_tracked.dtype, torch.int64);
    s.float();
    assert.equal(w.dtype, torch.float32);
    s.to('cpu', torch.float64);
    assert.equal(bn.weight.dtype, torch.float64);
    s.to({ dtype: torch.float32 });
    assert.equal(bn.weight.dtype, torch.float32);
    assert.equal(s.to(torch.zeros(1, { dtype: torch.float64 })), s);
    assert.equal(w.dtype, torch.float64);
    assert.equal(s.cpu(), s);
  });

  it('apply(fn) visits children first, then the module', () => {
    const s = new nn.Sequential(new nn.Linear(1, 1), new nn.Sequential(new nn.ReLU()));
    const seen = [];
    s.apply((m) => seen.push(m._get_name()));
    assert.deepEqual(seen, ['Linear', 'ReLU', 'Sequential', 'Sequential']);
  });

  it('state_dict({ keep_vars }) gives the parameters themselves', () => {
    const l = new nn.Linear(2, 2);
    assert.equal(l.state_dict({ keep_vars: true }).weight, l.weight);
    assert.notEqual(l.state_dict().weight, l.weight);
    assert.deepEqual(Object.keys(l.state_dict({ prefix: 'fc.' })), ['fc.weight', 'fc.bias']);
  });
});

describe('nn.Module: hooks', () => {
  it('forward pre-hooks can replace the input, forward hooks the output; handles remove them', () => {
    const l = new nn.Identity();
    const seen = [];
    const h1 = l.register_forward_pre_hook((m, input) => { seen.push(['pre', m === l, input.length]); return input[0].mul(2); });
    const h2 = l.register_forward_hook((m, input, output) => { seen.push(['post', output.item()]); return output.add(1); });
    assert.equal(l(torch.tensor([3])).item(), 7);
    assert.deepEqual(seen, [['pre', true, 1], ['post', 6]]);
    h1.remove();
    h2.remove();
    assert.equal(l(torch.tensor([3])).item(), 3);
  });
});

describe('nn.Module: a call releases its intermediates', () => {
  const live = () => liveStats(torch).tensors;

  it('a model call leaves only its output (and BatchNorm updates its stats in place)', () => {
    torch.manual_seed(0);
    const n = new Net();
    const x = torch.randn(2, 3, 16, 16);
    n(x); // warm up: nothing lazily created
    const before = live();
    const [a, b] = n(x);
    assert.equal(live(), before + 2);
    const loss = a.sum().add(b.sum());
    loss.backward(); // the graph kept in C++ what backward needs
    for (const t of [a, b, loss]) t.dispose();
    n.eval();
    torch.no_grad(() => {
      const before2 = live();
      const out = n(x);
      assert.equal(live(), before2 + 2);
      out.forEach((t) => t.dispose());
    });
  });

  it('inside an enclosing scope the output belongs to that scope', () => {
    const l = new nn.Sequential(new nn.Linear(4, 4), new nn.ReLU(), new nn.Linear(4, 1));
    const x = torch.randn(3, 4);
    const before = live();
    const out = torch.scope(() => { l(x); return l(x).sum(); });
    assert.equal(live(), before + 1);
    out.dispose();
  });

  it('tensors a forward stores on a module, and tensors hooks make, are kept', () => {
    class Cache extends nn.Module {
      forward(x) { this.last = x.mul(2); this.register_buffer('seen', x.add(1)); return x.sub(1); }
    }
    const c = new Cache();
    const kept = [];
    c.register_forward_hook((m, input, output) => { kept.push(output.mul(10)); });
    const y = c(torch.ones(2));
    assert.deepEqual(c.last.tolist(), [2, 2]);
    assert.deepEqual(c.seen.tolist(), [2, 2]);
    assert.deepEqual(kept[0].tolist(), [0, 0]);
    assert.deepEqual(y.tolist(), [0, 0]);
  });

  it('a layer built inside a scope keeps its parameters', () => {
    const l = torch.scope(() => new nn.Linear(2, 2));
    assert.ok(!l.weight.is_disposed && !l.bias.is_disposed);
    const bn = torch.scope(() => new nn.BatchNorm2d(2));
    assert.ok(!bn.running_mean.is_disposed && !bn.num_batches_tracked.is_disposed);
  });
});

describe('nn containers', () => {
  it('Sequential: seq[i], at(i), negative indices, length, iteration, slice, append/insert/pop', () => {
    const [a, b, c] = [new nn.Linear(1, 2), new nn.ReLU(), new nn.Linear(2, 1)];
    const seq = new nn.Sequential(a, b, c);
    assert.equal(seq[0], a);
    assert.equal(seq[-1], c);
    assert.equal(seq.at(-2), b);
    assert.equal(seq.length, 3);
    assert.deepEqual([...seq], [a, b, c]);
    assert.ok(0 in seq && !(3 in seq));
    const tail = seq.slice(1);
    assert.ok(tail instanceof nn.Sequential);
    assert.deepEqual(names(tail.named_children()), ['1', '2']);
    seq.append(new nn.Sigmoid());
    assert.equal(seq.length, 4);
    seq.insert(0, new nn.Identity());
    assert.deepEqual([...seq].map((m) => m._get_name()), ['Identity', 'Linear', 'ReLU', 'Linear', 'Sigmoid']);
    assert.equal(seq.pop(0)._get_name(), 'Identity');
    assert.deepEqual(names(seq.named_children()), ['0', '1', '2', '3']);
    const y = seq(torch.ones(5, 1));
    assert.deepEqual(y.shape, [5, 1]);
  });

  it('Sequential from an object or a Map keeps the names; indexing is by position', () => {
    const seq = new nn.Sequential(new Map([['1', new nn.ReLU()], ['0', new nn.Tanh()]]));
    assert.deepEqual(names(seq.named_children()), ['1', '0']);
    assert.equal(seq[0]._get_name(), 'ReLU');
    const named = new nn.Sequential({ conv: new nn.Conv2d(1, 1, 1), act: new nn.ReLU() });
    assert.equal(named.conv, named[0]);
    assert.deepEqual(names(named.slice(1).named_children()), ['act']);
  });

  it('ModuleList: indexing, append, extend, insert, slice, iteration', () => {
    const ml = new nn.ModuleList([new nn.ReLU(), new nn.Tanh()]);
    ml.append(new nn.Sigmoid()).extend([new nn.Identity()]);
    ml.insert(1, new nn.GELU());
    assert.deepEqual([...ml].map((m) => m._get_name()), ['ReLU', 'GELU', 'Tanh', 'Sigmoid', 'Identity']);
    assert.equal(ml[-1]._get_name(), 'Identity');
    ml[0] = new nn.Flatten();
    assert.equal(ml.at(0)._get_name(), 'Flatten');
    delete ml[0];
    assert.deepEqual(names(ml.named_children()), ['0', '1', '2', '3']);
    assert.equal(ml.slice(1, 3).length, 2);
    assert.throws(() => ml.extend(3), { name: 'TypeError', message: 'ModuleList.extend should be called with an iterable, but got int' });
  });

  it('ModuleDict: keys in order, property and get() access, update, pop, iteration over keys', () => {
    const md = new nn.ModuleDict({ conv: new nn.Conv2d(1, 1, 1), pool: new nn.MaxPool2d(2) });
    md.update([['act', new nn.ReLU()]]);
    // As in Python, a key cannot shadow a method.
    assert.throws(() => md.set('keys', new nn.Tanh()), { message: "attribute 'keys' already exists" });
    md.set('tanh', new nn.Tanh());
    assert.deepEqual(md.keys(), ['conv', 'pool', 'act', 'tanh']);
    assert.deepEqual([...md], md.keys());
    assert.equal(md.act, md.get('act'));
    assert.equal(md.tanh._get_name(), 'Tanh');
    assert.ok(md.has('pool') && md.length === 4);
    assert.equal(md.pop('pool')._get_name(), 'MaxPool2d');
    assert.deepEqual(md.items().map(([k]) => k), ['conv', 'act', 'tanh']);
    assert.deepEqual(Object.keys(md.state_dict()), ['conv.weight', 'conv.bias']);
  });
});
