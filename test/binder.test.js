'use strict';
// The argument binder (lib/binder.ts) and Python's behaviours around it: every parameter
// positionally or by keyword, unknown keys refused, overloads resolved as Python's parser
// does, out= honoured, generators, one-element tensors as numbers. Reference values from
// scripts/gen-binder-fixtures.py (real PyTorch).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const torch = require('..');
const nn = require('../dist/nn');
const F = require('../dist/nn/functional');

const { loadFixture } = require('./support/fixtures');
const fx = loadFixture('binder.json');
const close = (a, e, tol = 1e-6) => {
  const fa = [a].flat(Infinity), fe = [e].flat(Infinity);
  assert.equal(fa.length, fe.length);
  fa.forEach((v, i) => assert.ok(Math.abs(Number(v) - fe[i]) <= tol * (1 + Math.abs(fe[i])), `[${i}] ${v} vs ${fe[i]}`));
};
const X = () => torch.tensor([[1, 5, 2], [7, 2, 0]]);
const throwsType = (f, re) => assert.throws(f, (e) => e instanceof TypeError && re.test(e.message), String(re));

describe('binder: silently wrong calls of the first landing, now as in Python', () => {
  it('out= writes into the given tensor and returns it (matmul, add, zeros)', () => {
    const y = torch.empty(0);
    assert.equal(torch.matmul(torch.ones(2, 3), torch.ones(3), { out: y }), y);
    assert.deepEqual(y.tolist(), [3, 3]);
    const z = torch.empty(2);
    assert.equal(torch.add(torch.ones(2), 2, { out: z }), z);
    assert.deepEqual(z.tolist(), [3, 3]);
    const w = torch.empty(0);
    assert.equal(torch.zeros(2, 2, { out: w }), w);
    assert.deepEqual(w.shape, [2, 2]);
    const [v, i] = [torch.empty(0), torch.empty(0, { dtype: torch.int64 })];
    const r = torch.max(X(), 1, { out: [v, i] });
    assert.equal(r.values, v);
    assert.equal(r.indices, i);
    close(v.tolist(), fx.max_dim[0]);
  });
  it('every keyword reaches its parameter (arange step, zeros size, eye m)', () => {
    assert.deepEqual(torch.arange(0, 10, { step: 2 }).tolist(), fx.arange_step);
    assert.deepEqual(torch.zeros({ size: [2] }).shape, fx.zeros_size_kw);
    assert.deepEqual(torch.eye(3, { m: 2 }).shape, fx.eye_m);
  });
  it('an unknown or misspelt keyword is a TypeError naming the function and the key', () => {
    throwsType(() => X().sum({ dim: 1, keepdims: true }), /^sum\(\) got an unexpected keyword argument 'keepdims'$/);
    throwsType(() => torch.zeros(2, { dtpye: torch.float64 }), /zeros\(\) got an unexpected keyword argument 'dtpye'/);
    throwsType(() => torch.matmul(X(), X().t(), { outt: null }), /matmul\(\) got an unexpected keyword argument 'outt'/);
    throwsType(() => X().to({ dtyp: torch.float64 }), /to\(\) got an unexpected keyword argument 'dtyp'/);
    throwsType(() => F.log_softmax(X(), { dimm: 1 }), /log_softmax\(\) got an unexpected keyword argument 'dimm'/);
    throwsType(() => F.elu(X(), { alpha: 1, inplac: true }), /elu\(\) got an unexpected keyword argument 'inplac'/);
  });
  it('keyword forms: softmax, log_softmax, cat, stack, max, flatten, unsqueeze, transpose, clamp, topk, norm', () => {
    const x = X();
    close(F.log_softmax(x, { dim: 1 }).tolist(), x.log_softmax(1).tolist());
    close(F.softmax(x, { dim: 1 }).tolist(), x.softmax(1).tolist());
    close(torch.softmax(x, { dim: 1 }).tolist(), x.softmax(1).tolist());
    assert.deepEqual(torch.cat({ tensors: [x, x], dim: 1 }).shape, fx.cat_kw);
    assert.deepEqual(torch.stack([x, x], { dim: 2 }).shape, [2, 3, 2]);
    const m = x.max({ dim: 0, keepdim: true });
    close([m.values.tolist(), m.indices.tolist()], fx.max_kw);
    assert.deepEqual(x.flatten({ start_dim: 0 }).shape, [6]);
    assert.deepEqual(x.unsqueeze({ dim: 0 }).shape, [1, 2, 3]);
    assert.deepEqual(x.transpose({ dim0: 0, dim1: 1 }).shape, [3, 2]);
    close(torch.clamp(x, { min: 1, max: 4 }).tolist(), fx.clamp_kw);
    const t = torch.topk(x, { k: 2, dim: 1, largest: false });
    close([t.values.tolist(), t.indices.tolist()], fx.topk_kw);
    close(x.norm({ dim: 1 }).tolist(), x.norm(2, 1).tolist());
  });
  it('keyword forms of modules and methods: nn.Linear, train, to, max_pool2d', () => {
    const lin = new nn.Linear({ in_features: 3, out_features: 2 });
    assert.deepEqual(lin.weight.shape, [2, 3]);
    assert.equal(lin.train({ mode: false }).training, false);
    assert.equal(X().to({ dtype: torch.float64 }).dtype, torch.float64);
    assert.deepEqual(F.max_pool2d(torch.ones(1, 1, 4, 4), { kernel_size: 2 }).shape, [1, 1, 2, 2]);
  });
  it('overloads resolved as Python resolves them', () => {
    const x = X();
    assert.deepEqual(x.add(2).tolist(), [[3, 7, 4], [9, 4, 2]]);
    assert.deepEqual(x.add(x).tolist(), [[2, 10, 4], [14, 4, 0]]);
    assert.ok(x.max(1).values instanceof torch.Tensor);
    assert.deepEqual(x.max(torch.zeros(2, 3)).shape, [2, 3]);
    assert.equal(x.max().item(), 7);
    assert.equal(torch.tensor([1n, 2n]).add(2).dtype, torch.int64);
    assert.equal(torch.tensor([1n, 2n]).add(2.5).dtype, torch.float32);
  });
  it("no overload fits: Python's message, listing the signatures", () => {
    throwsType(() => X().max('a'), /max\(\) received an invalid combination of arguments - got \(str\), but expected one of:\n \* \(\)/);
    throwsType(() => torch.add(3, X()), /add\(\): argument 'input' \(position 1\) must be Tensor, not int/);
    throwsType(() => X().sum(1, true, torch.float32, 4), /received an invalid combination|takes/);
  });
  it('one-element tensors act as numbers; String() keeps str(t); many elements throw', () => {
    const mask = torch.tensor([true, false, true]);
    let total = 0;
    total += torch.sum(mask);
    assert.equal(total, 2);
    assert.ok(torch.tensor([3]) > 2);
    assert.equal(String(torch.tensor(2.5)), 'tensor(2.5000)');
    assert.equal(`${torch.tensor(2.5)}`, 'tensor(2.5000)');
    assert.throws(() => torch.ones(2) * 2, (e) => e instanceof RangeError && /only one element tensors can be converted to Python scalars/.test(e.message));
  });
});

describe('binder: Python behaviours', () => {
  it('torch.Generator: manual_seed, generator= in randn/rand/randperm/multinomial, as Python', () => {
    const g = new torch.Generator().manual_seed(3);
    close(torch.randn(4, { generator: g }).tolist(), fx.generator_randn);
    close(torch.rand(3, { generator: g }).tolist(), fx.generator_rand_next);
    assert.deepEqual(torch.randperm(6, { generator: new torch.Generator().manual_seed(5) }).tolist(), fx.randperm_generator);
    const m = torch.multinomial(torch.tensor([0.1, 0.2, 0.7]), 5, { replacement: true, generator: new torch.Generator().manual_seed(11) });
    assert.deepEqual(m.tolist(), fx.multinomial_generator);
  });
  it('get_rng_state / set_rng_state replay the stream', () => {
    torch.manual_seed(7);
    const s = torch.get_rng_state();
    assert.deepEqual(s.shape, fx.rng_state_size);
    const a = torch.rand(3).tolist();
    torch.set_rng_state(s);
    close([a, torch.rand(3).tolist()], fx.rng_state_replay);
  });
  it('Tensor.data, type, new_* factories, torch.device without new', () => {
    const w = torch.ones(2, { requires_grad: true });
    assert.equal(w.data.requires_grad, false);
    w.data = torch.zeros(2);
    assert.deepEqual(w.tolist(), [0, 0]);
    assert.equal(w.requires_grad, true);
    assert.deepEqual([torch.ones(1).type(), torch.ones(1, { dtype: torch.int64 }).type(), torch.ones(1, { dtype: torch.bool }).type()], fx.type_names);
    assert.equal(torch.ones(1).type(torch.float64).dtype, torch.float64);
    const t = torch.ones(2, { dtype: torch.float64 });
    assert.equal(t.new_zeros([3]).dtype, torch.float64);
    assert.deepEqual(t.new_full([2], 7).tolist(), [7, 7]);
    assert.ok(torch.device('cpu') instanceof torch.device);
    assert.equal(String(torch.device('cuda', 1)), 'cuda:1');
  });
  it('names real scripts used: argsort einsum unique baddbmm cdist histc bincount meshgrid tril triu diag outer kron multinomial repeat_interleave', () => {
    const x = X();
    assert.deepEqual(torch.argsort(x, { dim: 1, descending: true }).tolist(), fx.argsort);
    close(torch.einsum('ij,kj->ik', x, x).tolist(), fx.einsum);
    close(torch.einsum('ij,kj->ik', [x, x]).tolist(), fx.einsum);
    assert.deepEqual(torch.unique(torch.tensor([3n, 1n, 3n])).tolist(), [1, 3]);
    close(torch.baddbmm(torch.ones(1, 2, 2), torch.ones(1, 2, 3), torch.ones(1, 3, 2), { beta: 0.5, alpha: 2 }).tolist(), fx.baddbmm);
    close(torch.cdist(x, x).tolist(), fx.cdist, 1e-5);
    close(torch.histc(torch.tensor([1, 2, 1]), { bins: 4, min: 0, max: 3 }).tolist(), fx.histc);
    assert.deepEqual(torch.bincount(torch.tensor([0n, 1n, 1n, 3n])).tolist(), fx.bincount);
    assert.deepEqual(torch.meshgrid(torch.ones(2), torch.ones(3), { indexing: 'ij' })[0].shape, [2, 3]);
    assert.deepEqual(torch.meshgrid([torch.ones(2), torch.ones(3)], { indexing: 'xy' })[0].shape, [3, 2]);
    close(torch.tril(torch.ones(3, 3), { diagonal: -1 }).tolist(), fx.tril);
    assert.deepEqual(torch.triu(torch.ones(2, 2)).tolist(), [[1, 1], [0, 1]]);
    assert.deepEqual(torch.diag(torch.tensor([1, 2])).shape, [2, 2]);
    close(torch.outer(torch.tensor([1, 2]), torch.tensor([3, 4])).tolist(), fx.outer);
    close(torch.kron(torch.eye(2), torch.ones(2, 2)).tolist(), fx.kron);
    assert.deepEqual(torch.repeat_interleave(torch.tensor([1n, 2n]), 2).tolist(), fx.repeat_interleave);
    const t = torch.zeros(3);
    assert.equal(t.random_(0, 5), t);
    assert.equal(t.addcmul_(torch.ones(3), torch.ones(3), { value: 2 }), t);
  });
  it("int defaults Python's parser reads as 0 (torch.kl_div is unreduced by default there)", () => {
    assert.deepEqual(torch.kl_div(torch.zeros(2, 3), torch.ones(2, 3)).shape, fx.kl_div_default_shape);
  });
  it('torch.ops.aten: every operator by schema, overload named or resolved', () => {
    const a = torch.ones(2);
    assert.deepEqual(torch.ops.aten.add.Tensor(a, a).tolist(), [2, 2]);
    assert.deepEqual(torch.ops.aten.add(a, 3).tolist(), [4, 4]);
    assert.deepEqual(torch.ops.aten._softmax.default(a, 0, false).tolist(), [0.5, 0.5]);
    assert.deepEqual(torch.ops.aten.sum.dim_IntList(torch.ones(2, 3), [1]).tolist(), [3, 3]);
    assert.ok('convolution' in torch.ops.aten);
    assert.throws(() => torch.ops.aten.no_such_op, /No such operator aten::no_such_op/);
  });
  it('typed results: [values, indices] destructure', () => {
    const [v, i] = torch.max(X(), 1);
    close([v.tolist(), i.tolist()], fx.max_dim);
  });
});

describe('zero-copy both ways: Tensor.numpy() and torch.from_numpy()', () => {
  it('numpy() is a view: writes show both ways; refused where PyTorch refuses', () => {
    const t = torch.zeros(2, 3);
    const a = t.numpy();
    assert.ok(a instanceof Float32Array);
    a[4] = 5;
    assert.equal(t.index(1, 1).item(), 5);
    t.fill_(2);
    assert.equal(a[0], 2);
    assert.ok(t.numpy() instanceof Float32Array); // twice over the same memory
    assert.ok(torch.ones(2, { dtype: torch.int64 }).numpy() instanceof BigInt64Array);
    assert.throws(() => torch.ones(2, { requires_grad: true }).numpy(), /Can't call numpy\(\) on Tensor that requires grad. Use tensor.detach\(\).numpy\(\) instead./);
    assert.throws(() => torch.ones(2, 3).t().numpy(), /non-contiguous/);
    const view = t.index(1);  // a view at an offset
    assert.equal(view.numpy().length, 3);
  });
  it('numpy() outlives the tensor object: the memory stays until the array is collected', () => {
    let a = torch.arange(4, { dtype: torch.float64 }).numpy();
    if (global.gc) global.gc();
    assert.deepEqual(Array.from(a), [0, 1, 2, 3]);
    a = null;
  });
  it('from_numpy(typedArray) shares memory, no copy', () => {
    const data = new Float32Array([1, 2, 3, 4]);
    const t = torch.from_numpy(data, [2, 2]);
    data[0] = 9;
    assert.equal(t.index(0, 0).item(), 9);
    t.mul_(2);
    assert.equal(data[3], 8);
  });
});

describe('Tensor.register_hook', () => {
  it('the hook sees the gradient, may replace it, and remove() unregisters it (values as in Python)', () => {
    const x = torch.ones(3, { requires_grad: true });
    const seen = [];
    const h = x.register_hook((g) => { seen.push(g.tolist()); return g.mul(2); });
    x.mul(3).sum().backward();
    assert.deepEqual(seen, [[3, 3, 3]]);
    assert.deepEqual(x.grad.tolist(), [6, 6, 6]);
    h.remove();
    x.grad = null;
    x.mul(3).sum().backward();
    assert.deepEqual(x.grad.tolist(), [3, 3, 3]);
    const z = torch.ones(2, { requires_grad: true });
    const w = z.mul(2);
    w.register_hook((g) => g.add(1));
    w.sum().backward();
    assert.deepEqual(z.grad.tolist(), [4, 4]);
  });
  it("a hook's exception becomes backward's; Python's refusal on a tensor without grad", () => {
    const y = torch.ones(2, { requires_grad: true });
    y.register_hook(() => { throw new Error('boom'); });
    assert.throws(() => y.sum().backward(), /boom/);
    assert.throws(() => torch.ones(2).register_hook((g) => g), /cannot register a hook on a tensor that doesn't require gradient/);
  });
});

describe('hand-written factories refuse unknown keywords too', () => {
  it('tensor, full, randint, frombuffer, as_tensor', () => {
    throwsType(() => torch.tensor([1], { dtyp: torch.float64 }), /tensor\(\) got an unexpected keyword argument 'dtyp'/);
    throwsType(() => torch.full([2], 1, { dtyp: torch.float64 }), /full\(\) got an unexpected keyword argument 'dtyp'/);
    throwsType(() => torch.randint(0, 3, [2], { dtyp: torch.int32 }), /randint\(\) got an unexpected keyword argument 'dtyp'/);
    throwsType(() => torch.frombuffer(new Float32Array(2), { cont: 1 }), /frombuffer\(\) got an unexpected keyword argument 'cont'/);
    throwsType(() => torch.as_tensor([1], { dtyp: torch.float64 }), /as_tensor\(\) got an unexpected keyword argument 'dtyp'/);
  });
  it('randint takes a generator, as Python', () => {
    const g = new torch.Generator().manual_seed(4);
    assert.deepEqual(torch.randint(0, 10, [5], { generator: g }).tolist(), fx.randint_generator);
  });
});
