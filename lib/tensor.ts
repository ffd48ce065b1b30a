// torch.Tensor. Every op is an ATen op called through the dispatcher
// (native.call with a resolved operator handle); this file only maps PyTorch's
// Python signatures (keyword arguments -> a trailing options object) onto the
// ATen schemas, in schema order.
import { native, Handle, NativeIndex } from './native';
import * as dt from './dtype';
import { dtype, dtypeFromCode, get_default_dtype } from './dtype';
import { device, DeviceLike, deviceString } from './device';
import { track } from './memory';
import { formatTensor } from './printing';

const { call } = native;
/** Resolves an ATen operator once; the handle is a small integer. */
export const op = (name: string, overload = ''): number => native.op_handle(name, overload);

export type Scalar = number | boolean | bigint;
export type TensorOrScalar = Tensor | Scalar;
export type Shape = number[];
export type Dims = number | number[];

export interface TensorOptions {
  dtype?: dtype;
  device?: DeviceLike;
  requires_grad?: boolean;
}

/** A namedtuple-like result (torch.return_types): `.values`, `.indices`, and `const [v, i] = ...`. */
export class ValuesIndices {
  constructor(readonly values: Tensor, readonly indices: Tensor) {}
  get 0(): Tensor { return this.values; }
  get 1(): Tensor { return this.indices; }
  *[Symbol.iterator](): IterableIterator<Tensor> { yield this.values; yield this.indices; }
}

function valuesIndices(pair: [Handle, Handle]): ValuesIndices {
  return new ValuesIndices(new Tensor(pair[0]), new Tensor(pair[1]));
}

function h(t: Tensor): Handle { return t._h; }
/** A Tensor argument as the addon takes it: a handle, or a JS scalar it wraps as Python does. */
function operand(x: TensorOrScalar): Handle | Scalar { return x instanceof Tensor ? x._h : x; }
function hs(ts: readonly Tensor[]): Handle[] { return ts.map(h); }
/** dims as ATen takes them: one int or a list. */
function dimList(d: Dims | null | undefined): number[] | null {
  if (d === undefined || d === null) return null;
  return typeof d === 'number' ? [d] : d;
}
/**
 * Python lets a call pass its optional arguments as keywords only:
 * `t.sum(dtype=torch.float64)`, `t.std(dim=1, unbiased=False)`. Here that is
 * `t.sum({ dtype })`, `t.std({ dim: 1, unbiased: false })`: an options object in
 * the place of the first optional argument (`dim`), which it may then carry.
 */
function optsFirst<D, O extends object>(first: D | (O & { dim?: D | null }) | null | undefined, opts: O): [D | null, O] {
  if (first !== null && typeof first === 'object' && !Array.isArray(first) && !(first instanceof Tensor)) {
    const o = first as O & { dim?: D | null };
    return [o.dim ?? null, o];
  }
  return [(first ?? null) as D | null, opts];
}
/** Accepts both f(2, 3) and f([2, 3]). */
export function shapeArgs(args: readonly (number | readonly number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as number[])];
  for (const a of args) {
    if (typeof a !== 'number') throw new TypeError(`expected a shape (numbers or one array of numbers), got ${Array.isArray(a) ? 'an array among numbers' : typeof a}`);
  }
  return args as number[];
}
/** Splits trailing options off a rest-args list such as randn(2, 3, { dtype }). */
export function splitOptions<O extends object>(args: readonly unknown[]): [Array<number | number[]>, O] {
  const last = args[args.length - 1];
  if (last !== null && typeof last === 'object' && !Array.isArray(last)) {
    return [args.slice(0, -1) as Array<number | number[]>, last as O];
  }
  return [args as Array<number | number[]>, {} as O];
}
function dcode(d: dtype | undefined | null): number | null {
  if (d === undefined || d === null) return null;
  if (!(d instanceof dtype)) throw new TypeError(`dtype must be a torch.dtype, not ${typeof d}`);
  return d.code;
}
function dev(d: DeviceLike | undefined | null): string | null {
  if (d === undefined || d === null) return null;
  const s = deviceString(d);
  if (s.startsWith('cuda')) requireCuda();  // Python's clear message, not a missing-kernel error
  return s;
}

/** Slices written like Python: `'1:3'`, `'::2'`, `':'`, or {start, stop, step}. */
export type Slice = { start?: number | null; stop?: number | null; step?: number | null };
/** Nested arrays of integers or booleans, as Python's lists in an index. */
export type IndexList = Array<number | bigint | boolean | IndexList>;
/**
 * One item of a Python index expression: a number, `null` (None), `'...'`
 * (Ellipsis), a slice (`'1:3'`, `'::-1'` is refused as in PyTorch, or a Slice),
 * a boolean, a bool/long Tensor, or an array (Python's list: `t[[0, 2]]` is
 * `t.index([0, 2])`). `t.index(0, '1:3', null, '...', mask)` is
 * Python's `t[0, 1:3, None, ..., mask]`.
 */
export type IndexItem = number | null | boolean | string | Slice | Tensor | IndexList;

/** A JS array in an index as Python treats a list there: a long (or, all booleans, a bool) tensor. */
function listIndex(list: IndexList): Handle {
  const shape: number[] = [];
  const flat: unknown[] = [];
  const walk = (v: unknown, d: number): void => {
    if (Array.isArray(v)) {
      if (shape.length === d) shape.push(v.length);
      else if (shape[d] !== v.length) throw new RangeError(`index(): expected sequence of length ${shape[d]} at dim ${d} (got ${v.length})`);
      for (const x of v) walk(x, d + 1);
    } else {
      if (d !== shape.length) throw new RangeError(`index(): ragged nested arrays at dim ${d}`);
      flat.push(v);
    }
  };
  walk(list, 0);
  if (flat.length && flat.every((v) => typeof v === 'boolean')) {
    return native.fromdata(Uint8Array.from(flat as boolean[], (b) => (b ? 1 : 0)), shape, dt.bool.code);
  }
  const data = BigInt64Array.from(flat, (v) => {
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
    throw new TypeError(`index(): an array in an index must hold integers or booleans only, not ${typeof v === 'number' ? v : typeof v}`);
  });
  return native.fromdata(data, shape, dt.int64.code);
}

const SLICE_KEYS = new Set(['start', 'stop', 'step']);

/** The items as the addon takes them; handles made for arrays are pushed on `temps` (the caller disposes them). */
function toNativeIndex(items: readonly IndexItem[], temps: Handle[]): NativeIndex[] {
  return items.map((it): NativeIndex => {
    if (it instanceof Tensor) return it._h;
    if (Array.isArray(it)) {
      const h = listIndex(it);
      temps.push(h);
      return h;
    }
    if (typeof it === 'string') {
      if (it === '...') return '...';
      const parts = it.split(':');
      if (parts.length < 2 || parts.length > 3) throw new TypeError(`index(): cannot read '${it}' as a slice (write 'start:stop:step')`);
      const num = (s: string | undefined): number | null => {
        if (s === undefined || s.trim() === '') return null;
        const n = Number(s);
        if (!Number.isInteger(n)) throw new TypeError(`index(): slice bound '${s}' is not an integer`);
        return n;
      };
      return { start: num(parts[0]), stop: num(parts[1]), step: checkStep(num(parts[2])) };
    }
    if (it !== null && typeof it === 'object') {
      const bad = Object.keys(it).find((k) => !SLICE_KEYS.has(k));
      if (bad !== undefined) throw new TypeError(`index(): an object index must be a slice { start, stop, step }, not one with '${bad}'`);
      return { start: it.start ?? null, stop: it.stop ?? null, step: checkStep(it.step ?? null) };
    }
    return it;
  });
}

/** Runs fn with a list for the temporary handles it makes (index tensors, scalars as tensors) and disposes them after. */
function withTemps<R>(fn: (temps: Handle[]) => R): R {
  const temps: Handle[] = [];
  try {
    return fn(temps);
  } finally {
    for (const t of temps) native.dispose(t);
  }
}

/** Python's checks of a slice step (ValueError there, RangeError here). */
function checkStep(step: number | null): number | null {
  if (step === 0) throw new RangeError('slice step cannot be zero');
  if (step !== null && step < 0) throw new RangeError('step must be greater than zero');
  return step;
}

const sizeString = (shape: number[]): string => `torch.Size([${shape.join(', ')}])`;

/**
 * @internal Python's checks of gradients given to backward() and autograd.grad()
 * (torch.autograd._make_grads), with its messages; LibTorch's own come later and differ.
 */
export function checkGradOutputs(outputs: readonly Tensor[], grads: readonly (Tensor | null | undefined)[]): void {
  outputs.forEach((out, i) => {
    const g = grads[i];
    if (!g) return;
    if (!(g instanceof Tensor)) throw new TypeError(`gradients can be either Tensors or None, but got ${typeof g}`);
    const a = g.shape, b = out.shape;
    if (a.length !== b.length || a.some((d, k) => d !== b[k])) {
      throw new Error(`Mismatch in shape: grad_output[${i}] has a shape of ${sizeString(a)} and output[${i}] has a shape of ${sizeString(b)}.`);
    }
  });
}

export class GradFn {
  constructor(private readonly _name: string) {}
  name(): string { return this._name; }
  toString(): string { return `<${this._name} object>`; }
}

// ---- operator handles, resolved once at load ----------------------------------
const O = {
  item: op('item'),
  to_dtype_layout: op('to', 'dtype_layout'), to_other: op('to', 'other'),
  requires_grad_: op('requires_grad_'), retain_grad: op('retain_grad'), retains_grad: op('retains_grad'),
  is_leaf: op('is_leaf'), backward: op('_backward'), detach: op('detach'), detach_: op('detach_'),
  add_T: op('add', 'Tensor'), add__T: op('add_', 'Tensor'), sub_T: op('sub', 'Tensor'), sub__T: op('sub_', 'Tensor'),
  mul_T: op('mul', 'Tensor'), mul__T: op('mul_', 'Tensor'), div_T: op('div', 'Tensor'), div__T: op('div_', 'Tensor'),
  div_Tm: op('div', 'Tensor_mode'), div__Tm: op('div_', 'Tensor_mode'),
  pow_TT: op('pow', 'Tensor_Tensor'), pow_TS: op('pow', 'Tensor_Scalar'),
  pow__T: op('pow_', 'Tensor'), pow__S: op('pow_', 'Scalar'),
  clamp: op('clamp'), clamp_T: op('clamp', 'Tensor'), clamp_: op('clamp_'), clamp__T: op('clamp_', 'Tensor'),
  round: op('round'), round_d: op('round', 'decimals'),
  where: op('where', 'self'), where_SO: op('where', 'ScalarOther'), where_SS: op('where', 'ScalarSelf'), where_S: op('where', 'Scalar'),
  sum: op('sum'), sum_dim: op('sum', 'dim_IntList'), mean: op('mean'), mean_dim: op('mean', 'dim'),
  prod: op('prod'), prod_dim: op('prod', 'dim_int'),
  max: op('max'), max_dim: op('max', 'dim'), maximum: op('maximum'), min: op('min'), min_dim: op('min', 'dim'), minimum: op('minimum'),
  argmax: op('argmax'), argmin: op('argmin'),
  std_dim: op('std', 'dim'), std_corr: op('std', 'correction'),
  var_dim: op('var', 'dim'), var_corr: op('var', 'correction'),
  norm_dim: op('norm', 'ScalarOpt_dim'),
  all: op('all'), all_dim: op('all', 'dim'), any: op('any'), any_dim: op('any', 'dim'),
  cumsum: op('cumsum'), cumsum_: op('cumsum_'), logsumexp: op('logsumexp'),
  softmax: op('softmax', 'int'), log_softmax: op('log_softmax', 'int'),
  matmul: op('matmul'), mm: op('mm'), bmm: op('bmm'), t: op('t'), dot: op('dot'),
  reshape: op('reshape'), view: op('view'), view_dtype: op('view', 'dtype'), flatten: op('flatten', 'using_ints'),
  squeeze: op('squeeze'), squeeze_dim: op('squeeze', 'dim'), unsqueeze: op('unsqueeze'), permute: op('permute'),
  transpose: op('transpose', 'int'), expand: op('expand'), expand_as: op('expand_as'), repeat: op('repeat'),
  split: op('split', 'Tensor'), split_sizes: op('split_with_sizes'), chunk: op('chunk'), narrow: op('narrow'),
  contiguous: op('contiguous'), clone: op('clone'),
  index_select: op('index_select'), gather: op('gather'), scatter_src: op('scatter', 'src'), scatter_value: op('scatter', 'value'),
  scatter__src: op('scatter_', 'src'), scatter__value: op('scatter_', 'value'), scatter_add: op('scatter_add'),
  masked_fill_S: op('masked_fill', 'Scalar'), masked_fill_T: op('masked_fill', 'Tensor'),
  masked_fill__S: op('masked_fill_', 'Scalar'), masked_fill__T: op('masked_fill_', 'Tensor'),
  index_put_: op('index_put_'),
  zero_: op('zero_'), fill__S: op('fill_', 'Scalar'), fill__T: op('fill_', 'Tensor'), copy_: op('copy_'),
  uniform_: op('uniform_'), normal_: op('normal_'), bernoulli_: op('bernoulli_', 'float'),
  sort: op('sort'), topk: op('topk'), nonzero: op('nonzero'), nonzero_numpy: op('nonzero_numpy'), type_as: op('type_as'),
  equal: op('equal'), allclose: op('allclose'),
};

// Elementwise ops with one tensor argument, with an in-place `_` form.
const UNARY = ['neg', 'abs', 'sqrt', 'rsqrt', 'exp', 'log', 'log2', 'log10', 'log1p', 'expm1', 'sin', 'cos', 'tan',
  'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'sigmoid', 'relu', 'floor', 'ceil', 'trunc', 'frac', 'sign',
  'reciprocal', 'square', 'erf', 'logical_not', 'bitwise_not'] as const;
// Elementwise ops without an in-place form in ATen.
const UNARY_PURE = ['isnan', 'isinf', 'isfinite', 'signbit'] as const;
// Binary ops with .Tensor and .Scalar overloads (and in-place forms).
const BINARY = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'remainder', 'fmod', 'bitwise_and', 'bitwise_or', 'bitwise_xor'] as const;
// Binary ops that take tensors only (a number becomes a tensor of its own kind first).
const BINARY_TENSOR = ['logical_and', 'logical_or', 'logical_xor', 'atan2', 'hypot'] as const;

type UnaryName = typeof UNARY[number];
type UnaryPureName = typeof UNARY_PURE[number];
type BinaryName = typeof BINARY[number] | typeof BINARY_TENSOR[number];
type UnaryMethods = { [K in UnaryName]: () => Tensor } & { [K in `${UnaryName}_`]: () => Tensor } & { [K in UnaryPureName]: () => Tensor };
type BinaryMethods = { [K in BinaryName]: (other: TensorOrScalar) => Tensor } & { [K in `${BinaryName}_`]: (other: TensorOrScalar) => Tensor };

/** A JS value as a tensor (numbers: the default dtype; as a Python scalar would be wrapped). */
export function scalarTensor(v: Scalar, like?: Tensor): Tensor {
  if (typeof v === 'boolean') return full([], v, { dtype: dt.bool, device: like?.device });
  if (typeof v === 'bigint') return full([], v, { dtype: dt.int64, device: like?.device });
  const ld = like?.dtype;
  const d = ld === undefined ? get_default_dtype() : ld.is_floating_point ? ld : Number.isInteger(v) ? dt.int64 : get_default_dtype();
  return full([], v, { dtype: d, device: like?.device });
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Tensor extends UnaryMethods, BinaryMethods {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Tensor {
  /** @internal The native handle. */
  _h: Handle;
  /** @internal The wrapper `grad` returned last (see grad); declared only, so that tensors whose grad is never read carry nothing. */
  declare _grad?: Tensor | null;

  /** @internal Tensors are made by torch functions and ops, not with `new`. */
  constructor(handle: Handle) {
    this._h = handle;
    track(this);
  }

  /** @internal Wraps an op result; an op that returns self gives back this object. */
  protected _wrap(r: Handle): Tensor { return r === this._h ? this : new Tensor(r); }

  // ---- memory ----
  /** Releases the native tensor now. Disposing twice is harmless. */
  dispose(): void { native.dispose(this._h); }
  [Symbol.dispose](): void { native.dispose(this._h); }
  get is_disposed(): boolean { return native.is_disposed(this._h); }

  // ---- metadata ----
  get shape(): number[] { return native.shape(this._h); }
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    const s = native.shape(this._h);
    if (dim === undefined) return s;
    return s[wrapDim(dim, s.length)];
  }
  dim(): number { return native.shape(this._h).length; }
  get ndim(): number { return this.dim(); }
  numel(): number { return native.shape(this._h).reduce((a, b) => a * b, 1); }
  nelement(): number { return this.numel(); }
  get dtype(): dtype { return dtypeFromCode(native.dtype(this._h)); }
  get device(): device { return new device(native.device(this._h)); }
  get is_cuda(): boolean { return native.device(this._h).startsWith('cuda'); }
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    const s = native.strides(this._h);
    return dim === undefined ? s : s[wrapDim(dim, s.length)];
  }
  is_contiguous(): boolean { return native.is_contiguous(this._h); }
  element_size(): number { return this.dtype.itemsize; }
  is_floating_point(): boolean { return this.dtype.is_floating_point; }

  // ---- reading ----
  /** The value of a one-element tensor as a JS number (boolean for bool). int64 beyond 2^53 loses precision. */
  item(): number | boolean {
    if (this.numel() !== 1) throw new RangeError('only one element tensors can be converted to Python scalars');
    return call(O.item, this._h);
  }
  /** The data as nested arrays (numbers, booleans for bool). */
  tolist(): unknown {
    const data = this.typed_array();
    const isBool = this.dtype === dt.bool;
    const shape = this.shape;
    const at = (i: number): number | boolean => (isBool ? data[i] !== 0 : Number(data[i]));
    if (shape.length === 0) return at(0);
    let pos = 0;
    const build = (d: number): unknown[] => {
      const out: unknown[] = [];
      for (let i = 0; i < shape[d]; i++) out.push(d === shape.length - 1 ? at(pos++) : build(d + 1));
      return out;
    };
    return build(0);
  }
  /** A copy of the data as a TypedArray (float16/bfloat16 as Float32Array, bool as Uint8Array, int64 as BigInt64Array). */
  typed_array(): Float32Array | Float64Array | Uint8Array | Int8Array | Int16Array | Int32Array | BigInt64Array {
    return native.todata(this._h);
  }

  toString(): string {
    const [shape, code, devStr, requiresGrad] = native.meta(this._h);
    const d = dtypeFromCode(code);
    // Python prints type(grad_fn).__name__: the node's name without a C++ namespace
    // (grad_fn.name() keeps it, e.g. torch::autograd::CopyBackwards).
    const gradFn = native.grad_fn_name(this._h)?.replace(/^.*::/, '') ?? null;
    return formatTensor({
      shape, dtype: d.name, device: devStr, values: native.todata(this._h),
      requires_grad: requiresGrad, grad_fn: gradFn,
    }, get_default_dtype().name);
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.is_disposed ? 'tensor(<disposed>)' : this.toString(); }

  // ---- devices and dtypes ----
  /** t.to(dtype), t.to(device), t.to(device, dtype), t.to(other), with { non_blocking, copy }. */
  to(target: dtype | DeviceLike | Tensor, dtypeOrOpts?: dtype | { non_blocking?: boolean; copy?: boolean; dtype?: dtype }, opts?: { non_blocking?: boolean; copy?: boolean }): Tensor {
    let o: { non_blocking?: boolean; copy?: boolean; dtype?: dtype } = opts ?? {};
    let d: dtype | undefined;
    if (dtypeOrOpts instanceof dtype) d = dtypeOrOpts;
    else if (dtypeOrOpts) { o = dtypeOrOpts; d = dtypeOrOpts.dtype; }
    if (target instanceof Tensor) return this._wrap(call(O.to_other, this._h, target._h, o.non_blocking ?? false, o.copy ?? false));
    if (target instanceof dtype) d = target;
    const devStr = target instanceof dtype ? null : dev(target);
    return this._wrap(call(O.to_dtype_layout, this._h, dcode(d), null, devStr, null, o.non_blocking ?? false, o.copy ?? false));
  }
  cpu(): Tensor { return this.to('cpu'); }
  cuda(index?: number): Tensor { return this.to(index === undefined ? 'cuda' : `cuda:${index}`); }
  float(): Tensor { return this.to(dt.float32); }
  double(): Tensor { return this.to(dt.float64); }
  half(): Tensor { return this.to(dt.float16); }
  bfloat16(): Tensor { return this.to(dt.bfloat16); }
  long(): Tensor { return this.to(dt.int64); }
  int(): Tensor { return this.to(dt.int32); }
  short(): Tensor { return this.to(dt.int16); }
  char(): Tensor { return this.to(dt.int8); }
  byte(): Tensor { return this.to(dt.uint8); }
  bool(): Tensor { return this.to(dt.bool); }
  type_as(other: Tensor): Tensor { return this._wrap(call(O.type_as, this._h, other._h)); }

  // ---- autograd ----
  get requires_grad(): boolean { return native.meta(this._h)[3]; }
  set requires_grad(value: boolean) {
    if (typeof value !== 'boolean') throw new TypeError('requires_grad must be a boolean');
    // Python's setter refuses non-leaf tensors whatever the value (python_variable.cpp).
    if (!this.is_leaf) {
      throw new Error(value ? 'you can only change requires_grad flags of leaf variables.'
        : 'you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn\'t require differentiation use var_no_grad = var.detach().');
    }
    if (value && !this.dtype.is_floating_point) throw new Error('only Tensors of floating point and complex dtype can require gradients');
    call(O.requires_grad_, this._h, value);
  }
  requires_grad_(requires_grad = true): this {
    // Python's message (LibTorch's own says "Only ... and complex dtype ...").
    if (requires_grad && !this.dtype.is_floating_point) throw new Error('only Tensors of floating point dtype can require gradients');
    call(O.requires_grad_, this._h, requires_grad);
    return this;
  }
  get is_leaf(): boolean { return call(O.is_leaf, this._h); }
  /** The same object while the gradient is the same tensor (`p.grad === p.grad`, as Python's `is`). */
  get grad(): Tensor | null {
    const last = this._grad;
    const g = native.get_grad(this._h, last ? last._h : null);
    if (g === null) return (this._grad = null);
    if (last && g === last._h) return last;
    return (this._grad = new Tensor(g));
  }
  set grad(value: Tensor | null) {
    // Python's checks and messages (python_variable.cpp); the size is checked natively.
    if (value === null || value === undefined) { native.set_grad(this._h, null); this._grad = null; return; }
    if (!(value instanceof Tensor)) throw new TypeError(`assigned grad expected to be a Tensor or None but got grad of type ${typeof value}`);
    if (value.dtype !== this.dtype || value.device.type !== this.device.type) throw new Error('assigned grad has data of a different type');
    native.set_grad(this._h, value._h);
    this._grad = value;
  }
  get grad_fn(): GradFn | null {
    const name = native.grad_fn_name(this._h);
    return name === null ? null : new GradFn(name);
  }
  retain_grad(): void { call(O.retain_grad, this._h); }
  get retains_grad(): boolean { return call(O.retains_grad, this._h); }
  backward(gradient?: Tensor | null, opts: { retain_graph?: boolean; create_graph?: boolean; inputs?: Tensor[] } = {}): void {
    if (gradient) checkGradOutputs([this], [gradient]);
    call(O.backward, this._h, hs(opts.inputs ?? []), gradient ? gradient._h : null, opts.retain_graph ?? null, opts.create_graph ?? false);
  }
  detach(): Tensor { return new Tensor(call(O.detach, this._h)); }
  detach_(): this { call(O.detach_, this._h); return this; }

  // ---- arithmetic ----
  // Numbers go to the Tensor overloads as Python's "wrapped numbers" (the addon
  // wraps them), so that promotion and the recorded autograd node (MulBackward0)
  // are Python's. alpha stays undefined unless given: the schema default then
  // costs no conversion.
  add(other: TensorOrScalar, opts?: { alpha?: number }): Tensor { return new Tensor(call(O.add_T, this._h, operand(other), opts?.alpha)); }
  add_(other: TensorOrScalar, opts?: { alpha?: number }): this { call(O.add__T, this._h, operand(other), opts?.alpha); return this; }
  sub(other: TensorOrScalar, opts?: { alpha?: number }): Tensor { return new Tensor(call(O.sub_T, this._h, operand(other), opts?.alpha)); }
  sub_(other: TensorOrScalar, opts?: { alpha?: number }): this { call(O.sub__T, this._h, operand(other), opts?.alpha); return this; }
  mul(other: TensorOrScalar): Tensor { return new Tensor(call(O.mul_T, this._h, operand(other))); }
  mul_(other: TensorOrScalar): this { call(O.mul__T, this._h, operand(other)); return this; }
  div(other: TensorOrScalar, opts: { rounding_mode?: 'trunc' | 'floor' | null } = {}): Tensor {
    if (opts.rounding_mode != null) return new Tensor(call(O.div_Tm, this._h, operand(other), opts.rounding_mode));
    return new Tensor(call(O.div_T, this._h, operand(other)));
  }
  div_(other: TensorOrScalar, opts: { rounding_mode?: 'trunc' | 'floor' | null } = {}): this {
    if (opts.rounding_mode != null) call(O.div__Tm, this._h, operand(other), opts.rounding_mode);
    else call(O.div__T, this._h, operand(other));
    return this;
  }
  true_divide(other: TensorOrScalar): Tensor { return this.div(other); }
  floor_divide(other: TensorOrScalar): Tensor { return this.div(other, { rounding_mode: 'floor' }); }
  pow(exponent: TensorOrScalar): Tensor {
    return new Tensor(exponent instanceof Tensor ? call(O.pow_TT, this._h, exponent._h) : call(O.pow_TS, this._h, exponent));
  }
  pow_(exponent: TensorOrScalar): this {
    if (exponent instanceof Tensor) call(O.pow__T, this._h, exponent._h); else call(O.pow__S, this._h, exponent);
    return this;
  }
  /** True when both have the same size and elements (torch.equal). */
  equal(other: Tensor): boolean { return call(O.equal, this._h, other._h); }
  allclose(other: Tensor, opts: { rtol?: number; atol?: number; equal_nan?: boolean } = {}): boolean {
    return call(O.allclose, this._h, other._h, opts.rtol ?? 1e-5, opts.atol ?? 1e-8, opts.equal_nan ?? false);
  }
  clamp(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor {
    if (min instanceof Tensor || max instanceof Tensor) {
      return withTemps((temps) => new Tensor(call(O.clamp_T, this._h, optTensorArg(min, this, temps), optTensorArg(max, this, temps))));
    }
    return new Tensor(call(O.clamp, this._h, min ?? null, max ?? null));
  }
  clamp_(min?: TensorOrScalar | null, max?: TensorOrScalar | null): this {
    if (min instanceof Tensor || max instanceof Tensor) {
      withTemps((temps) => call(O.clamp__T, this._h, optTensorArg(min, this, temps), optTensorArg(max, this, temps)));
    } else {
      call(O.clamp_, this._h, min ?? null, max ?? null);
    }
    return this;
  }
  clip(min?: TensorOrScalar | null, max?: TensorOrScalar | null): Tensor { return this.clamp(min, max); }
  round(opts: { decimals?: number } = {}): Tensor {
    return new Tensor(opts.decimals ? call(O.round_d, this._h, opts.decimals) : call(O.round, this._h));
  }
  where(condition: Tensor, other: TensorOrScalar): Tensor {
    if (other === undefined) throw new TypeError("where(): argument 'other' is required");
    return where(condition, this, other);
  }
  maximum(other: Tensor): Tensor { return new Tensor(call(O.maximum, this._h, other._h)); }
  minimum(other: Tensor): Tensor { return new Tensor(call(O.minimum, this._h, other._h)); }

  // ---- reductions ----
  sum(opts?: { dim?: Dims | null; keepdim?: boolean; dtype?: dtype }): Tensor;
  sum(dim: Dims | null, opts?: { keepdim?: boolean; dtype?: dtype }): Tensor;
  sum(dimOrOpts?: Dims | null | { dim?: Dims | null; keepdim?: boolean; dtype?: dtype }, options: { keepdim?: boolean; dtype?: dtype } = {}): Tensor {
    const [dim, opts] = optsFirst<Dims, { keepdim?: boolean; dtype?: dtype }>(dimOrOpts, options);
    if (dim === null) return new Tensor(call(O.sum, this._h, dcode(opts.dtype)));
    return new Tensor(call(O.sum_dim, this._h, dimList(dim), opts.keepdim ?? false, dcode(opts.dtype)));
  }
  mean(opts?: { dim?: Dims | null; keepdim?: boolean; dtype?: dtype }): Tensor;
  mean(dim: Dims | null, opts?: { keepdim?: boolean; dtype?: dtype }): Tensor;
  mean(dimOrOpts?: Dims | null | { dim?: Dims | null; keepdim?: boolean; dtype?: dtype }, options: { keepdim?: boolean; dtype?: dtype } = {}): Tensor {
    const [dim, opts] = optsFirst<Dims, { keepdim?: boolean; dtype?: dtype }>(dimOrOpts, options);
    if (dim === null) return new Tensor(call(O.mean, this._h, dcode(opts.dtype)));
    return new Tensor(call(O.mean_dim, this._h, dimList(dim), opts.keepdim ?? false, dcode(opts.dtype)));
  }
  prod(opts?: { dim?: number | null; keepdim?: boolean; dtype?: dtype }): Tensor;
  prod(dim: number | null, opts?: { keepdim?: boolean; dtype?: dtype }): Tensor;
  prod(dimOrOpts?: number | null | { dim?: number | null; keepdim?: boolean; dtype?: dtype }, options: { keepdim?: boolean; dtype?: dtype } = {}): Tensor {
    const [dim, opts] = optsFirst<number, { keepdim?: boolean; dtype?: dtype }>(dimOrOpts, options);
    if (dim === null) return new Tensor(call(O.prod, this._h, dcode(opts.dtype)));
    return new Tensor(call(O.prod_dim, this._h, dim, opts.keepdim ?? false, dcode(opts.dtype)));
  }
  /** max() of all elements, max(dim) -> (values, indices), or max(other) elementwise. */
  max(): Tensor;
  max(dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor, opts: { keepdim?: boolean } = {}): Tensor | ValuesIndices {
    if (dim === undefined) return new Tensor(call(O.max, this._h));
    if (dim instanceof Tensor) return this.maximum(dim);
    return valuesIndices(call(O.max_dim, this._h, dim, opts.keepdim ?? false));
  }
  min(): Tensor;
  min(dim: number, opts?: { keepdim?: boolean }): ValuesIndices;
  min(other: Tensor): Tensor;
  min(dim?: number | Tensor, opts: { keepdim?: boolean } = {}): Tensor | ValuesIndices {
    if (dim === undefined) return new Tensor(call(O.min, this._h));
    if (dim instanceof Tensor) return this.minimum(dim);
    return valuesIndices(call(O.min_dim, this._h, dim, opts.keepdim ?? false));
  }
  argmax(dim?: number | null | { dim?: number | null; keepdim?: boolean }, opts: { keepdim?: boolean } = {}): Tensor {
    const [d, o] = optsFirst<number, { keepdim?: boolean }>(dim, opts);
    return new Tensor(call(O.argmax, this._h, d, o.keepdim ?? false));
  }
  argmin(dim?: number | null | { dim?: number | null; keepdim?: boolean }, opts: { keepdim?: boolean } = {}): Tensor {
    const [d, o] = optsFirst<number, { keepdim?: boolean }>(dim, opts);
    return new Tensor(call(O.argmin, this._h, d, o.keepdim ?? false));
  }
  std(dimOrOpts?: Dims | null | { dim?: Dims | null; unbiased?: boolean; correction?: number; keepdim?: boolean }, options: { unbiased?: boolean; correction?: number; keepdim?: boolean } = {}): Tensor {
    const [dim, opts] = optsFirst<Dims, { unbiased?: boolean; correction?: number; keepdim?: boolean }>(dimOrOpts, options);
    return new Tensor(opts.correction !== undefined
      ? call(O.std_corr, this._h, dimList(dim), opts.correction, opts.keepdim ?? false)
      : call(O.std_dim, this._h, dimList(dim), opts.unbiased ?? true, opts.keepdim ?? false));
  }
  var(dimOrOpts?: Dims | null | { dim?: Dims | null; unbiased?: boolean; correction?: number; keepdim?: boolean }, options: { unbiased?: boolean; correction?: number; keepdim?: boolean } = {}): Tensor {
    const [dim, opts] = optsFirst<Dims, { unbiased?: boolean; correction?: number; keepdim?: boolean }>(dimOrOpts, options);
    return new Tensor(opts.correction !== undefined
      ? call(O.var_corr, this._h, dimList(dim), opts.correction, opts.keepdim ?? false)
      : call(O.var_dim, this._h, dimList(dim), opts.unbiased ?? true, opts.keepdim ?? false));
  }
  norm(p: number = 2, dim?: Dims | null, opts: { keepdim?: boolean } = {}): Tensor {
    // As Python's torch.norm: without dim, over all dims (aten::norm.ScalarOpt_dim, NormBackward1).
    const dims = dim === undefined || dim === null ? [...Array(this.dim()).keys()] : dimList(dim);
    return new Tensor(call(O.norm_dim, this._h, p, dims, opts.keepdim ?? false));
  }
  all(dim?: number | null, opts: { keepdim?: boolean } = {}): Tensor {
    return new Tensor(dim === undefined || dim === null ? call(O.all, this._h) : call(O.all_dim, this._h, dim, opts.keepdim ?? false));
  }
  any(dim?: number | null, opts: { keepdim?: boolean } = {}): Tensor {
    return new Tensor(dim === undefined || dim === null ? call(O.any, this._h) : call(O.any_dim, this._h, dim, opts.keepdim ?? false));
  }
  cumsum(dim: number, opts: { dtype?: dtype } = {}): Tensor { return new Tensor(call(O.cumsum, this._h, dim, dcode(opts.dtype))); }
  cumsum_(dim: number, opts: { dtype?: dtype } = {}): this { call(O.cumsum_, this._h, dim, dcode(opts.dtype)); return this; }
  logsumexp(dim: Dims, opts: { keepdim?: boolean } = {}): Tensor { return new Tensor(call(O.logsumexp, this._h, dimList(dim), opts.keepdim ?? false)); }
  softmax(dim: number, opts: { dtype?: dtype } = {}): Tensor { return new Tensor(call(O.softmax, this._h, dim, dcode(opts.dtype))); }
  log_softmax(dim: number, opts: { dtype?: dtype } = {}): Tensor { return new Tensor(call(O.log_softmax, this._h, dim, dcode(opts.dtype))); }
  sort(dim = -1, opts: { descending?: boolean } = {}): ValuesIndices { return valuesIndices(call(O.sort, this._h, dim, opts.descending ?? false)); }
  topk(k: number, dim = -1, opts: { largest?: boolean; sorted?: boolean } = {}): ValuesIndices {
    return valuesIndices(call(O.topk, this._h, k, dim, opts.largest ?? true, opts.sorted ?? true));
  }
  /** The indices of non-zero elements: one row per element, or with { as_tuple: true } one 1-D tensor per dimension. */
  nonzero(): Tensor;
  nonzero(opts: { as_tuple: true }): Tensor[];
  nonzero(opts: { as_tuple?: boolean }): Tensor | Tensor[];
  nonzero(opts: { as_tuple?: boolean } = {}): Tensor | Tensor[] {
    if (opts.as_tuple) return (call(O.nonzero_numpy, this._h) as Handle[]).map((x) => new Tensor(x));
    return new Tensor(call(O.nonzero, this._h));
  }

  // ---- linear algebra ----
  matmul(other: Tensor): Tensor { return new Tensor(call(O.matmul, this._h, other._h)); }
  mm(other: Tensor): Tensor { return new Tensor(call(O.mm, this._h, other._h)); }
  bmm(other: Tensor): Tensor { return new Tensor(call(O.bmm, this._h, other._h)); }
  dot(other: Tensor): Tensor { return new Tensor(call(O.dot, this._h, other._h)); }
  t(): Tensor { return new Tensor(call(O.t, this._h)); }
  get T(): Tensor { return this.permute(...[...Array(this.dim()).keys()].reverse()); }

  // ---- shapes ----
  reshape(...shape: Array<number | number[]>): Tensor { return new Tensor(call(O.reshape, this._h, shapeArgs(shape))); }
  /** view(...shape), or view(dtype) to reinterpret the bytes. */
  view(...shape: Array<number | number[]> | [dtype]): Tensor {
    if (shape.length === 1 && shape[0] instanceof dtype) return new Tensor(call(O.view_dtype, this._h, shape[0].code));
    return new Tensor(call(O.view, this._h, shapeArgs(shape as Array<number | number[]>)));
  }
  view_as(other: Tensor): Tensor { return this.view(other.shape); }
  reshape_as(other: Tensor): Tensor { return this.reshape(other.shape); }
  flatten(start_dim = 0, end_dim = -1): Tensor { return this._wrap(call(O.flatten, this._h, start_dim, end_dim)); }
  squeeze(dim?: number): Tensor { return new Tensor(dim === undefined ? call(O.squeeze, this._h) : call(O.squeeze_dim, this._h, dim)); }
  unsqueeze(dim: number): Tensor { return new Tensor(call(O.unsqueeze, this._h, dim)); }
  permute(...dims: Array<number | number[]>): Tensor { return new Tensor(call(O.permute, this._h, shapeArgs(dims))); }
  transpose(dim0: number, dim1: number): Tensor { return new Tensor(call(O.transpose, this._h, dim0, dim1)); }
  swapaxes(dim0: number, dim1: number): Tensor { return this.transpose(dim0, dim1); }
  expand(...sizes: Array<number | number[]>): Tensor { return new Tensor(call(O.expand, this._h, shapeArgs(sizes), false)); }
  expand_as(other: Tensor): Tensor { return new Tensor(call(O.expand_as, this._h, other._h)); }
  repeat(...sizes: Array<number | number[]>): Tensor { return new Tensor(call(O.repeat, this._h, shapeArgs(sizes))); }
  split(split_size_or_sections: number | number[], dim = 0): Tensor[] {
    const r: Handle[] = typeof split_size_or_sections === 'number'
      ? call(O.split, this._h, split_size_or_sections, dim) : call(O.split_sizes, this._h, split_size_or_sections, dim);
    return r.map((x) => new Tensor(x));
  }
  chunk(chunks: number, dim = 0): Tensor[] { return (call(O.chunk, this._h, chunks, dim) as Handle[]).map((x) => new Tensor(x)); }
  narrow(dim: number, start: number, length: number): Tensor { return new Tensor(call(O.narrow, this._h, dim, start, length)); }
  contiguous(): Tensor { return this._wrap(call(O.contiguous, this._h)); }
  clone(): Tensor { return new Tensor(call(O.clone, this._h, null)); }

  // ---- indexing ----
  /** Python's `t[items]`: see IndexItem. */
  index(...items: IndexItem[]): Tensor {
    return withTemps((temps) => new Tensor(native.index(this._h, toNativeIndex(items, temps))));
  }
  /**
   * Python's `t[items] = values` (in place; returns this). With
   * `{ accumulate: true }` the indices must be tensors (or arrays; null for a
   * whole dimension), as torch.index_put_.
   */
  index_put_(items: IndexItem[], values: TensorOrScalar, opts: { accumulate?: boolean } = {}): this {
    withTemps((temps) => {
      if (!opts.accumulate) {
        native.index_put_(this._h, toNativeIndex(items, temps), values instanceof Tensor ? values._h : values);
        return;
      }
      const idx = items.map((it, i) => {
        if (it === null) return null;
        if (it instanceof Tensor) return it._h;
        if (Array.isArray(it)) { const h = listIndex(it); temps.push(h); return h; }
        throw new TypeError(`index_put_(): with accumulate, expected Tensor (or null) as element ${i} in argument 'indices', but got ${typeof it === 'string' ? `'${it}'` : typeof it}`);
      });
      call(O.index_put_, this._h, idx, tensorArg(values, this, temps), true);
    });
    return this;
  }
  index_select(dim: number, index: Tensor): Tensor { return new Tensor(call(O.index_select, this._h, dim, index._h)); }
  gather(dim: number, index: Tensor, opts: { sparse_grad?: boolean } = {}): Tensor { return new Tensor(call(O.gather, this._h, dim, index._h, opts.sparse_grad ?? false)); }
  scatter(dim: number, index: Tensor, src: TensorOrScalar): Tensor {
    return new Tensor(src instanceof Tensor ? call(O.scatter_src, this._h, dim, index._h, src._h) : call(O.scatter_value, this._h, dim, index._h, src));
  }
  scatter_(dim: number, index: Tensor, src: TensorOrScalar): this {
    if (src instanceof Tensor) call(O.scatter__src, this._h, dim, index._h, src._h); else call(O.scatter__value, this._h, dim, index._h, src);
    return this;
  }
  scatter_add(dim: number, index: Tensor, src: Tensor): Tensor { return new Tensor(call(O.scatter_add, this._h, dim, index._h, src._h)); }
  masked_fill(mask: Tensor, value: TensorOrScalar): Tensor {
    return new Tensor(value instanceof Tensor ? call(O.masked_fill_T, this._h, mask._h, value._h) : call(O.masked_fill_S, this._h, mask._h, value));
  }
  masked_fill_(mask: Tensor, value: TensorOrScalar): this {
    if (value instanceof Tensor) call(O.masked_fill__T, this._h, mask._h, value._h); else call(O.masked_fill__S, this._h, mask._h, value);
    return this;
  }

  // ---- in place ----
  zero_(): this { call(O.zero_, this._h); return this; }
  fill_(value: TensorOrScalar): this {
    if (value instanceof Tensor) call(O.fill__T, this._h, value._h); else call(O.fill__S, this._h, value);
    return this;
  }
  copy_(src: Tensor, opts: { non_blocking?: boolean } = {}): this { call(O.copy_, this._h, src._h, opts.non_blocking ?? false); return this; }
  uniform_(from = 0, to = 1): this { call(O.uniform_, this._h, from, to, null); return this; }
  normal_(mean = 0, std = 1): this { call(O.normal_, this._h, mean, std, null); return this; }
  bernoulli_(p = 0.5): this { call(O.bernoulli_, this._h, p, null); return this; }
}

function wrapDim(dim: number, ndim: number): number {
  const n = Math.max(ndim, 1);
  if (!Number.isInteger(dim) || dim < -n || dim >= n) {
    throw new RangeError(`Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
  }
  return dim < 0 ? dim + n : dim;
}

/** A tensor argument of an op that takes no numbers: a scalar becomes a tensor of its own kind (scalarTensor), pushed on temps. */
function tensorArg(v: TensorOrScalar, like: Tensor, temps: Handle[]): Handle {
  if (v instanceof Tensor) return v._h;
  const h = scalarTensor(v, like)._h;
  temps.push(h);
  return h;
}
function optTensorArg(v: TensorOrScalar | null | undefined, like: Tensor, temps: Handle[]): Handle | null {
  return v === undefined || v === null ? null : tensorArg(v, like, temps);
}

// The table-driven elementwise methods.
const proto = Tensor.prototype as unknown as Record<string, unknown>;
for (const name of UNARY) {
  const f = op(name), fi = op(`${name}_`);
  proto[name] = function (this: Tensor) { return new Tensor(call(f, this._h)); };
  proto[`${name}_`] = function (this: Tensor) { call(fi, this._h); return this; };
}
for (const name of UNARY_PURE) {
  const f = op(name);
  proto[name] = function (this: Tensor) { return new Tensor(call(f, this._h)); };
}
for (const name of BINARY) {
  const fT = op(name, 'Tensor'), fS = op(name, 'Scalar'), fiT = op(`${name}_`, 'Tensor'), fiS = op(`${name}_`, 'Scalar');
  proto[name] = function (this: Tensor, other: TensorOrScalar) {
    return new Tensor(other instanceof Tensor ? call(fT, this._h, other._h) : call(fS, this._h, other));
  };
  proto[`${name}_`] = function (this: Tensor, other: TensorOrScalar) {
    if (other instanceof Tensor) call(fiT, this._h, other._h); else call(fiS, this._h, other);
    return this;
  };
}
for (const name of BINARY_TENSOR) {
  const f = op(name), fi = op(`${name}_`);
  proto[name] = function (this: Tensor, other: TensorOrScalar) {
    return withTemps((temps) => new Tensor(call(f, this._h, tensorArg(other, this, temps))));
  };
  proto[`${name}_`] = function (this: Tensor, other: TensorOrScalar) {
    withTemps((temps) => call(fi, this._h, tensorArg(other, this, temps)));
    return this;
  };
}

export function requireCuda(): void {
  if (!native.build_info().cuda_available) {
    throw new Error('Torch not compiled with CUDA enabled (this torch-node was built against a CPU-only LibTorch, or no CUDA device is present)');
  }
}

// ---- functions that live here because methods use them ----
/** torch.full(size, fill_value, opts): numbers fill the default dtype, booleans bool, BigInts int64. */
export function full(size: Shape, fill_value: Scalar, opts: TensorOptions = {}): Tensor {
  const d = opts.dtype ?? (typeof fill_value === 'boolean' ? dt.bool : typeof fill_value === 'bigint' ? dt.int64 : get_default_dtype());
  const t = new Tensor(call(FULL, size, fill_value, d.code, null, dev(opts.device), null));
  if (opts.requires_grad) t.requires_grad_(true);
  return t;
}
const FULL = op('full');

/** torch.where(condition, input, other); where(condition) is nonzero(condition, { as_tuple: true }). */
export function where(condition: Tensor): Tensor[];
export function where(condition: Tensor, input: TensorOrScalar, other: TensorOrScalar): Tensor;
export function where(condition: Tensor, input?: TensorOrScalar, other?: TensorOrScalar): Tensor | Tensor[] {
  if (input === undefined && other === undefined) return condition.nonzero({ as_tuple: true });
  if (input === undefined || other === undefined) throw new TypeError("where(): expected both 'input' and 'other', or neither");
  const a = input instanceof Tensor, b = other instanceof Tensor;
  if (a && b) return new Tensor(call(O.where, condition._h, input._h, other._h));
  if (a) return new Tensor(call(O.where_SO, condition._h, (input as Tensor)._h, other));
  if (b) return new Tensor(call(O.where_SS, condition._h, input, (other as Tensor)._h));
  return new Tensor(call(O.where_S, condition._h, input, other));
}

export { dcode as dtypeCode, dev as deviceArg };
