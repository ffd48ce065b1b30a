'use strict';
// Creation functions, torch.tensor's dtype inference, zero-copy frombuffer /
// as_tensor, reading values and metadata, dtype conversions and the default
// dtype, against PyTorch 1.13 (scripts/gen-core-fixtures.py, gen_creation,
// computes each value in Python under the key used here). Exact (`check`): creation and
// conversion are elementwise or copies, the same bits on every AVX2/AVX-512 CPU and thread count.
const assert = require('node:assert/strict');
const { torch, loadFixture, makeTensor, assertTensor, assertThrowsLike } = require('./core-helpers');

const V = loadFixture('core-creation.json').values;
const { float16, float32, float64, bfloat16, int8, int16, int32, int64, uint8, bool } = torch;
const seen = new Set();
/** The fixture value under `key` (and notes that this test used it). */
const py = (key) => {
  if (!(key in V)) throw new Error(`no fixture value ${key}`);
  seen.add(key);
  return V[key];
};
const check = (t, key, opts) => assertTensor(t, py(key), { exact: true, label: key, ...opts });

describe('core creation and reading vs PyTorch', () => {
  let allPassed = true;
  afterEach(function () {
    torch.set_default_dtype(float32);
    if (this.currentTest.state !== 'passed') allPassed = false;
  });

  it('zeros / ones / full / empty', () => {
    check(torch.zeros(2, 3), 'zeros(2, 3)');
    check(torch.zeros([2, 3], { dtype: float64 }), 'zeros([2, 3], f64)');
    check(torch.ones(2, 3, { dtype: int32 }), 'ones(2, 3, int32)');
    check(torch.ones(4, { dtype: bool }), 'ones(4) bool');
    check(torch.zeros([]), 'zeros() 0-dim');
    check(torch.zeros(2, 0), 'zeros(2, 0)');
    check(torch.full([2, 3], 2.5), 'full((2,3), 2.5)');
    check(torch.full([2, 2], true), 'full((2,2), True)');
    check(torch.full([3], 7, { dtype: int64 }), 'full((3,), 7, int64)');
    check(torch.full([2], -1.5, { dtype: float64 }), 'full((2,), -1.5, f64)');
    const e = torch.empty(2, 3);
    assert.deepEqual({ shape: e.shape, dtype: e.dtype.name }, py('empty(2, 3) meta'));
    const el = torch.empty_like(torch.tensor([[1, 2, 3]], { dtype: int32 }));
    assert.deepEqual({ shape: el.shape, dtype: el.dtype.name }, py('empty_like(i32) meta'));
    // JS numbers cannot be told apart from floats: a number fills the default dtype
    assert.equal(torch.full([2], 7).dtype, float32);
    assert.equal(torch.full([2], 7n).dtype, int64);
    // requires_grad in the options
    const r = torch.zeros(2, { requires_grad: true });
    assert.equal(r.requires_grad, true);
    assert.equal(r.is_leaf, true);
  });

  it('arange / linspace / eye', () => {
    check(torch.arange(5), 'arange(5)');
    check(torch.arange(1, 10, 3), 'arange(1, 10, 3)');
    check(torch.arange(10, 0, -3), 'arange(10, 0, -3)');
    check(torch.arange(0, 1, 0.1), 'arange(0, 1, 0.1)');
    check(torch.arange(-1.5, 2.5, 0.5), 'arange(-1.5, 2.5, 0.5)');
    check(torch.arange(5, { dtype: float64 }), 'arange(5, f64)');
    check(torch.arange(0.5, 3), 'arange(0.5, 3)');
    check(torch.linspace(0, 1, 5), 'linspace(0, 1, 5)');
    check(torch.linspace(-1, 1, 7, { dtype: float64 }), 'linspace(-1, 1, 7, f64)');
    check(torch.linspace(0, 10, 1), 'linspace(0, 10, 1)');
    check(torch.linspace(3, -2.5, 12), 'linspace(3, -2.5, 12)');
    check(torch.eye(3), 'eye(3)');
    check(torch.eye(2, 4), 'eye(2, 4)');
    check(torch.eye(3, { dtype: int64 }), 'eye(3, int64)');
  });

  it('*_like keep the input dtype unless told', () => {
    const i32 = torch.tensor([[1, 2, 3]], { dtype: int32 });
    check(torch.zeros_like(i32), 'zeros_like(i32)');
    check(torch.ones_like(i32, { dtype: float64 }), 'ones_like(i32, f64)');
    check(torch.full_like(i32, 3.5), 'full_like(i32, 3.5)');
    check(torch.full_like(torch.zeros(2, 2), 2.5), 'full_like(f32, 2.5)');
    check(torch.ones_like(torch.zeros(3, { dtype: bool })), 'ones_like(bool)');
  });

  it('tensor(): dtype inference (numbers -> default dtype, booleans -> bool, BigInt -> int64, TypedArrays their own)', () => {
    check(torch.tensor([1.5, 2]), 'tensor([1.5, 2])');
    // Python gives int64 for [[1, 2], [3, 4]]; JS cannot tell 1 from 1.0, so numbers give the default dtype
    check(torch.tensor([[1, 2], [3, 4]]), 'tensor([[1, 2], [3, 4]]) numbers');
    check(torch.tensor([[true, false], [false, true]]), 'tensor([[true, false], [false, true]])');
    check(torch.tensor([1n, -2n, 2n ** 40n]), 'tensor([1n, -2n, 2n**40n])');
    check(torch.tensor(new Float64Array([0.1, 0.2, 0.3])), 'tensor(Float64Array)');
    check(torch.tensor(new Int32Array([1, -2, 3])), 'tensor(Int32Array)');
    check(torch.tensor(new Uint8Array([0, 255, 7])), 'tensor(Uint8Array)');
    check(torch.tensor(new Int16Array([-300, 300])), 'tensor(Int16Array)');
    check(torch.tensor(new Int8Array([-128, 127])), 'tensor(Int8Array)');
    check(torch.tensor(new BigInt64Array([-(2n ** 62n), 2n ** 62n + 1n])), 'tensor(BigInt64Array)');
    // an explicit dtype wins
    check(torch.tensor([1.5, 2.7, -1.2], { dtype: int32 }), 'tensor([1.5, 2.7, -1.2], int32)');
    check(torch.tensor([0.1, 0.2], { dtype: float64 }), 'tensor([0.1, 0.2], f64)');
    check(torch.tensor(new Float64Array([0.1, 0.2]), { dtype: float32 }), 'tensor(Float64Array, f32)');
    check(torch.tensor([1, 0, 2], { dtype: bool }), 'tensor([1, 0, 2], bool)');
    check(torch.tensor([true, false], { dtype: float32 }), 'tensor([true, false], f32)');
    check(torch.tensor(3.5), 'tensor(3.5)');
    check(torch.tensor(true), 'tensor(true)');
    check(torch.tensor([]), 'tensor([])');
    check(torch.tensor([[], []]), 'tensor([[], []])');
    // tensor() copies
    const src = new Float32Array([1, 2, 3]);
    const t = torch.tensor(src);
    src[0] = 100;
    assert.equal(t.index(0).item(), 1);
    // a number too precise for float32 keeps float64 precision when asked
    assert.equal(torch.tensor([0.1], { dtype: float64 }).item(), 0.1);
    assert.throws(() => torch.tensor([[1, 2], [3]]), RangeError);
    assert.throws(() => torch.tensor([1n, 2]), TypeError);
  });

  it('frombuffer / as_tensor share memory with the TypedArray, both ways', () => {
    const a = new Float32Array([1, 2, 3, 4]);
    const t = torch.frombuffer(a);
    assert.equal(t.dtype, float32);
    assert.deepEqual(t.shape, [4]);
    a[1] = 20;
    assert.equal(t.index(1).item(), 20, 'a write to the array is seen in the tensor');
    assert.ok(t.add_(1) === t);
    assert.deepEqual(Array.from(a), [2, 21, 4, 5], 'add_ on the tensor is seen in the array');

    const b = new Float64Array([0.5, 1.5]);
    const u = torch.as_tensor(b);
    assert.equal(u.dtype, float64);
    u.mul_(2);
    assert.deepEqual(Array.from(b), [1, 3]);
    b[0] = -7;
    assert.equal(u.index(0).item(), -7);

    const i = new Int32Array([1, 2, 3, 4, 5, 6]);
    const v = torch.as_tensor(i).view(2, 3);
    v.index_put_([1, 2], 60);
    assert.equal(i[5], 60);

    // a subarray: the view starts at its byteOffset
    const big = new Float32Array([0, 1, 2, 3, 4, 5]);
    const part = torch.frombuffer(big.subarray(2, 5));
    assert.deepEqual(Array.from(part.typed_array()), [2, 3, 4]);
    part.fill_(9);
    assert.deepEqual(Array.from(big), [0, 1, 9, 9, 9, 5]);

    // an ArrayBuffer with a dtype, count and offset
    const buf = new Float32Array([10, 11, 12, 13]).buffer;
    const w = torch.frombuffer(buf, { dtype: float32, count: 2, offset: 4 });
    assert.deepEqual(Array.from(w.typed_array()), [11, 12]);
    // a conversion cannot share: as_tensor copies
    const c = torch.as_tensor(new Float32Array([1, 2]), { dtype: float64 });
    assert.equal(c.dtype, float64);
    // as_tensor of a Tensor is the same tensor
    assert.ok(torch.as_tensor(t) === t);
  });

  it('item() and tolist()', () => {
    const it = py('item');
    assert.equal(torch.tensor(0.1).item(), it['f32 0.1']);
    assert.equal(torch.tensor(0.1, { dtype: float64 }).item(), it['f64 0.1']);
    assert.equal(torch.tensor(-(2n ** 40n)).item(), it.i64);
    assert.equal(torch.tensor([7], { dtype: int32 }).reshape([]).item(), it.i32);
    assert.equal(torch.tensor(true).item(), it.bool);
    assert.equal(torch.tensor([[2.5]]).item(), it['one-element 2d']);
    assertThrowsLike(() => torch.zeros(2, 3).item(), it.error);
    const tl = py('tolist');
    assert.deepEqual(torch.tensor([[0.1, 2.5], [-1, 3]]).tolist(), tl['f32 2d']);
    assert.deepEqual(torch.tensor([[1n, 2n, 3n]]).tolist(), tl.i64);
    assert.deepEqual(torch.tensor([true, false]).tolist(), tl.bool);
    assert.deepEqual(torch.tensor(4.5).tolist(), tl['0-dim']);
    assert.deepEqual(torch.arange(8, { dtype: uint8 }).reshape(2, 2, 2).tolist(), tl['u8 3d']);
  });

  it('shape, size(dim), dim, ndim, numel, stride, is_contiguous of views', () => {
    const base = makeTensor(py('meta base'));
    const views = {
      'contiguous (2,3,4)': base,
      'permute(2, 0, 1)': base.permute(2, 0, 1),
      'transpose(0, 2)': base.transpose(0, 2),
      'narrow(2, 1, 2)': base.narrow(2, 1, 2),
      'index [:, ::2]': base.index(':', '::2'),
      'expand (3,1)->(3,4)': torch.zeros(3, 1).expand(3, 4),
      'unsqueeze(1)': base.unsqueeze(1),
      '0-dim': torch.tensor(1.5),
      'empty (0, 3)': torch.zeros(0, 3),
    };
    const meta = py('meta');
    assert.deepEqual(Object.keys(views).sort(), Object.keys(meta).sort());
    for (const [k, v] of Object.entries(views)) {
      assert.deepEqual({ shape: v.shape, stride: v.stride(), is_contiguous: v.is_contiguous(), dim: v.dim(), numel: v.numel() },
        meta[k], k);
      assert.equal(v.ndim, meta[k].dim);
      assert.deepEqual(v.size(), meta[k].shape);
      meta[k].shape.forEach((s, d) => {
        assert.equal(v.size(d), s);
        assert.equal(v.size(d - meta[k].dim), s, 'negative dim');
        assert.equal(v.stride(d), meta[k].stride[d]);
      });
    }
    // a write through a view lands in the base
    views['permute(2, 0, 1)'].index_put_([0, 1, 2], 42);
    assert.equal(base.index(1, 2, 0).item(), 42);
  });

  it('element_size and dtype', () => {
    const es = py('element_size');
    for (const d of [float32, float64, float16, bfloat16, int8, int16, int32, int64, uint8, bool]) {
      const t = torch.zeros(1, { dtype: d });
      assert.equal(t.element_size(), es[d.name], d.name);
      assert.ok(t.dtype === d, 'dtype objects are singletons');
      assert.equal(String(t.dtype), `torch.${d.name}`);
    }
    assert.ok(torch.float === float32 && torch.double === float64 && torch.long === int64 && torch.int === int32);
  });

  it('to(dtype), to(tensor), the conversion shorthands; to() of the same dtype is the same object', () => {
    const src = makeTensor(py('to src'));
    for (const d of ['int32', 'int64', 'bool', 'float64', 'float16']) check(src.to(torch[d]), `to ${d}`);
    const small = torch.tensor([-1.7, 0, 0.4, 2.9, 100.5]);
    check(small.to(uint8), 'to uint8');
    check(small.to(int8), 'to int8');
    check(src.to(torch.zeros(1, { dtype: float64 })), 'to(other tensor) f64');
    check(torch.tensor([1n, -2n, 2n ** 24n + 1n]).to(float32), 'i64 to f32');
    check(src.double(), 'double()');
    check(src.long(), 'long()');
    check(src.int(), 'int()');
    check(src.bool(), 'bool()');
    check(torch.tensor([3n, 4n]).float(), 'float() of i64');
    check(src.half(), 'half()');
    assert.ok(src.to(src.dtype) === src, 't.to(t.dtype) returns the same object');
    assert.ok(src.to(float32) === src);
    assert.ok(src.to('cpu') === src);
    assert.ok(src.to(torch.zeros(1)) === src, 'to(tensor of the same dtype) is self');
    assert.ok(src.to(float32, { copy: true }) !== src, 'copy: true copies');
    assert.ok(src.float() === src);
    assert.ok(src.to(float64) !== src);
  });

  it('set_default_dtype / get_default_dtype', () => {
    assert.equal(torch.get_default_dtype(), float32);
    torch.set_default_dtype(float64);
    try {
      const d = py('default f64');
      assert.equal(torch.get_default_dtype().name, d.get);
      assertTensor(torch.tensor([1.5, 0.1]), d.tensor, { exact: true });
      assert.equal(torch.randn(2).dtype.name, d.randn);
      assert.equal(torch.zeros(2).dtype.name, d.zeros);
      assertTensor(torch.arange(0, 1, 0.25), d.arange, { exact: true });
      assertTensor(torch.linspace(0, 1, 3), d.linspace, { exact: true });
      assertTensor(torch.tensor([1n, 2n]).add(2.5), d.int_plus_float, { exact: true });
      assertTensor(torch.full([2], 0.1), d.full, { exact: true });
      assert.equal(torch.ones(2, { dtype: float32 }).add(torch.tensor(1.5)).dtype.name, d.f32_plus_0dim_f64);
    } finally {
      torch.set_default_dtype(float32);
    }
    assert.equal(torch.get_default_dtype(), float32);
    assert.equal(torch.tensor([1.5]).dtype, float32);
    assertThrowsLike(() => torch.set_default_dtype(int64), py('set_default_dtype int error'));
  });

  it('cuda(): a clear error without CUDA', function () {
    if (torch.cuda.is_available()) this.skip();
    const t = torch.ones(2);
    for (const f of [() => t.cuda(), () => t.to('cuda'), () => t.to('cuda:0'), () => torch.zeros(2, { device: 'cuda' })]) {
      assert.throws(f, (e) => e instanceof Error && /CUDA/.test(e.message) && !/Exception raised from/.test(e.message), `${f}`);
    }
    assert.equal(t.device.type, 'cpu');
    assert.equal(t.is_cuda, false);
  });

  it('every fixture value is used', function () {
    if (!allPassed) this.skip();  // a failed test stops before it reads all its values
    const unused = Object.keys(V).filter((k) => !seen.has(k));
    assert.deepEqual(unused, []);
  });
});
