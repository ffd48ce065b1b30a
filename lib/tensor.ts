// torch.Tensor. Every op is an ATen op called through the dispatcher
// (native.call with a resolved operator handle); this file only maps PyTorch's
// Python signatures (keyword arguments -> a trailing options object) onto the
// ATen schemas, in schema order.
import { getHeapStatistics } from 'node:v8';
import { native, Handle, NativeIndex, NodeHandle, torchAtLeast } from './native';
import * as dt from './dtype';
import { dtype, dtypeFromCode, get_default_dtype } from './dtype';
import { device, DeviceLike, deviceString, deviceOf } from './device';
import { lazyInit as cudaLazyInit } from './cuda';
import { track } from './memory';
import { memory_format, contiguous_format, preserve_format, channels_last } from './memory_format';
import { formatTensor } from './printing';
import { expect } from './guard';
import type { TensorMethods } from './generated/api';

const { call } = native;
/** Resolves an ATen operator once; the handle is a small integer. */
export const op = (name: string, overload = ''): number => native.op_handle(name, overload);

export type Scalar = number | boolean | bigint;
export type TensorOrScalar = Tensor | Scalar;
export type Shape = number[];
export type Dims = number | number[];

/** The keywords of Tensor.to (Python's). */
export interface ToOptions { dtype?: dtype; device?: DeviceLike; non_blocking?: boolean; copy?: boolean; memory_format?: unknown }
const TO_KEYS = new Set(['dtype', 'device', 'non_blocking', 'copy', 'memory_format']);
function isPlainObject(v: unknown): v is Record<string, never> & ToOptions {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}
function checkKeys(fn: string, o: object, keys: Set<string>): void {
  for (const k of Object.keys(o)) if (!keys.has(k)) throw new TypeError(`${fn}() got an unexpected keyword argument '${k}'`);
}

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

function h(t: Tensor): Handle { return t._h; }
function hs(ts: readonly Tensor[]): Handle[] { return ts.map(h); }
/** dims as ATen takes them: one int or a list. */
function dimList(d: Dims | null | undefined): number[] | null {
  if (d === undefined || d === null) return null;
  return typeof d === 'number' ? [d] : d;
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

/** Python's binding of a hand-written function: positional values, then keywords; unknown keys refused. */
function bindSimple<T extends object>(fn: string, args: readonly unknown[], spec: T): T {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  let kw: Record<string, unknown> | undefined;
  if (n > 0 && isPlainObject(args[n - 1])) { kw = args[n - 1] as Record<string, unknown>; n--; }
  const names = Object.keys(spec);
  if (n > names.length) throw new TypeError(`${fn}() takes ${names.length} positional arguments but ${n} were given`);
  const out = { ...spec } as Record<string, unknown>;
  for (let i = 0; i < n; i++) if (args[i] !== undefined) out[names[i]] = args[i];
  if (kw) {
    for (const [k, v] of Object.entries(kw)) {
      if (!(k in spec)) throw new TypeError(`${fn}() got an unexpected keyword argument '${k}'`);
      if (names.indexOf(k) < n && args[names.indexOf(k)] !== undefined) throw new TypeError(`${fn}() got multiple values for argument '${k}'`);
      if (v !== undefined) out[k] = v;
    }
  }
  return out as T;
}
export { bindSimple };

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

/** torch.unique's result: the values, then inverse and counts when asked for (the others disposed). */
function pickUnique(r: Tensor[], inverse: boolean, counts: boolean): Tensor | Tensor[] {
  const out = [r[0]];
  if (inverse) out.push(r[1]); else r[1].dispose();
  if (counts) out.push(r[2]); else r[2].dispose();
  return out.length === 1 ? out[0] : out;
}

/** Python's legacy tensor type names (t.type()). */
const TYPE_NAMES: Record<string, string> = {
  float32: 'FloatTensor', float64: 'DoubleTensor', float16: 'HalfTensor', bfloat16: 'BFloat16Tensor',
  uint8: 'ByteTensor', int8: 'CharTensor', int16: 'ShortTensor', int32: 'IntTensor', int64: 'LongTensor', bool: 'BoolTensor',
};

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

/** What register_hook returns: remove() unregisters the hook. */
export class RemovableHandle {
  constructor(private readonly _remove: () => void) {}
  remove(): void { this._remove(); }
}

/**
 * A node of the autograd graph (Python's grad_fn): name(), next_functions, metadata, register_hook.
 * A custom autograd.Function's grad_fn is its ctx (a FunctionCtx), as in Python.
 */
export abstract class GradFn {
  constructor() {
    if (new.target === GradFn) throw new TypeError("Can't instantiate abstract class GradFn with abstract method _node");
  }
  /** @internal The native node; throws when there is none (any longer). */
  abstract _node(): NodeHandle;
  name(): string { return native.node_name(this._node()); }
  /** ((next grad_fn | null, input_nr), ...) for each input of the node. */
  get next_functions(): [GradFn | null, number][] {
    return native.node_next_functions(this._node()).map(([n, nr]) => [n === null ? null : gradFnOf(n), nr]);
  }
  /** A per-node object for the user's data, kept as long as the node. */
  get metadata(): Record<string, unknown> { return native.node_metadata(this._node()); }
  /** AccumulateGrad's leaf tensor (undefined for other nodes). */
  get variable(): Tensor | undefined {
    const h = native.node_variable(this._node());
    return h ? new Tensor(h) : undefined;
  }
  /** hook(grad_inputs, grad_outputs) runs after the node; an array it returns replaces grad_inputs. */
  register_hook(hook: (grad_inputs: (Tensor | null)[], grad_outputs: (Tensor | null)[]) => (Tensor | null)[] | null | undefined | void): RemovableHandle {
    if (typeof hook !== 'function') throw new TypeError(`register_hook(): hook must be a function, not ${typeof hook}`);
    const node = this._node();
    const wrap = (hs: (Handle | null)[]) => hs.map((h) => (h === null ? null : new Tensor(h)));
    const key = native.node_register_hook(node, (gi, go) => {
      const r = hook(wrap(gi), wrap(go));
      if (r === null || r === undefined) return null;
      if (!Array.isArray(r)) throw new TypeError(`hook of ${this.name()} must return an array of Tensors or null`);
      return r.map((t) => (t instanceof Tensor ? t._h : null));
    });
    return new RemovableHandle(() => { native.node_remove_hook(node, key); });
  }
  toString(): string { return `<${this.name().replace(/^.*::/, '')} object>`; }
}

class NativeGradFn extends GradFn {
  constructor(private readonly _n: NodeHandle) { super(); }
  _node(): NodeHandle { return this._n; }
}

// One JS object per native node handle (the addon keeps one handle per node while JS holds it),
// so that `t.grad_fn === t.grad_fn` as in Python.
const gradFns = new WeakMap<NodeHandle, GradFn>();
/** @internal The grad_fn object for a node: a custom Function's ctx, else a cached NativeGradFn. */
export function gradFnOf(n: NodeHandle): GradFn {
  const ctx = native.node_ctx(n);
  if (ctx) return ctx as GradFn;
  let g = gradFns.get(n);
  if (!g) gradFns.set(n, (g = new NativeGradFn(n)));
  return g;
}

// ---- operator handles of the hand-written members, resolved once at load ----------
const O = {
  item: op('item'), to_dtype_layout: op('to', 'dtype_layout'), to_other: op('to', 'other'),
  requires_grad_: op('requires_grad_'), retains_grad: op('retains_grad'), is_leaf: op('is_leaf'),
  backward: op('_backward'), detach: op('detach'), where: op('where', 'self'), where_SO: op('where', 'ScalarOther'),
  where_SS: op('where', 'ScalarSelf'), where_S: op('where', 'Scalar'), norm_dim: op('norm', 'ScalarOpt_dim'), linalg_vector_norm: op('linalg_vector_norm'),
  transpose: op('transpose', 'int'), contiguous: op('contiguous'), index_put_: op('index_put_'), copy_: op('copy_'),
  nonzero: op('nonzero'), nonzero_numpy: op('nonzero_numpy'), set_data: op('set_data'), output_nr: op('output_nr'),
  new_empty: op('new_empty'), set_source: op('set_', 'source_Tensor'), unique2: op('_unique2'),
  unique_dim: op('unique_dim'), unique_consecutive: op('unique_consecutive'), lu_with_info: op('_lu_with_info'),
};

/** A JS value as a tensor (numbers: the default dtype; as a Python scalar would be wrapped). */
export function scalarTensor(v: Scalar, like?: Tensor): Tensor {
  if (typeof v === 'boolean') return full([], v, { dtype: dt.bool, device: like?.device });
  if (typeof v === 'bigint') return full([], v, { dtype: dt.int64, device: like?.device });
  const ld = like?.dtype;
  const d = ld === undefined ? get_default_dtype() : ld.is_floating_point ? ld : Number.isInteger(v) ? dt.int64 : get_default_dtype();
  return full([], v, { dtype: d, device: like?.device });
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
/** Python's hand-written Tensor members (here in the class) over the generated ones of the same name. */
type HandWritten = 'index_put_' | 'norm' | 'where' | 'is_floating_point' | 'unique_consecutive' | 'lu' | 'ndimension' | 'storage_offset' | 'get_device' | 'has_names' | 'solve' | 'lstsq' | 'eig' | 'unique' | 'set_';
export interface Tensor extends Omit<TensorMethods, HandWritten> {}

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
  get device(): device { return deviceOf(native.device(this._h)); }
  get is_cuda(): boolean { return native.device(this._h).startsWith('cuda'); }
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    const s = native.strides(this._h);
    return dim === undefined ? s : s[wrapDim(dim, s.length)];
  }
  /** is_contiguous(memory_format = torch.contiguous_format): c10's stride checks for each format. */
  is_contiguous(memory_format: memory_format | { memory_format?: memory_format } = contiguous_format): boolean {
    const mf = memoryFormatArg('is_contiguous', memory_format);
    if (mf === contiguous_format) return native.is_contiguous(this._h);
    if (mf === preserve_format) throw new Error('is_contiguous: unsupported memory format torch.preserve_format');
    // c10's compute_channels_last_contiguous_{2d,3d}: strides dense in the order C, W, H(, D), N.
    const order = mf === channels_last ? [1, 3, 2, 0] : [1, 4, 3, 2, 0];
    const size = this.shape, stride = native.strides(this._h);
    if (size.length !== order.length) return false;
    let expected = 1;
    for (const d of order) {
      if (size[d] === 1) continue;
      if (stride[d] !== expected) return false;
      expected *= size[d];
    }
    return true;
  }
  element_size(): number { return this.dtype.itemsize; }
  is_floating_point(): boolean { return this.dtype.is_floating_point; }

  // ---- reading ----
  /** The value of a one-element tensor as a JS number (boolean for bool). int64 beyond 2^53 loses precision. */
  /**
   * The value of a one-element tensor as a JS number (int64 beyond 2^53 loses precision).
   * A bool tensor gives a JS boolean, which acts as 0/1 in arithmetic as Python's bool does.
   */
  item(): number {
    if (this.numel() !== 1) {
      // Python 1.13's binding checked first (ValueError); 2.x leaves it to LibTorch's item() (RuntimeError).
      if (torchAtLeast(2, 0)) throw new Error(`a Tensor with ${this.numel()} elements cannot be converted to Scalar`);
      throw new RangeError('only one element tensors can be converted to Python scalars');
    }
    return call(O.item, this._h);
  }
  /**
   * A one-element tensor acts as a number in arithmetic and comparisons (`total += torch.sum(mask)`),
   * as Python's `float(t)`/`int(t)` do; `String(t)` and template strings keep Python's str(t).
   */
  [Symbol.toPrimitive](hint: 'number' | 'string' | 'default'): number | string {
    if (hint === 'string') return this.toString();
    // float(t) / int(t): their own check in every version (item() words it differently in 2.x)
    if (this.numel() !== 1) throw new RangeError('only one element tensors can be converted to Python scalars');
    return Number(this.item());
  }
  /** Python's `t.data`: the same storage, detached from autograd; assigning replaces this tensor's data. */
  get data(): Tensor { return new Tensor(call(O.detach, this._h)); }
  set data(value: Tensor) {
    if (!(value instanceof Tensor)) throw new TypeError(`Variable data has to be a tensor, but got ${typeof value}`);
    call(O.set_data, this._h, value._h);
  }
  /**
   * Python's `t.type()`: without an argument the type's name ('torch.FloatTensor'); with a dtype
   * (or such a name) the tensor converted to it.
   */
  type(): string;
  type(dtype: dtype | string, opts?: { non_blocking?: boolean }): Tensor;
  type(d?: dtype | string | { dtype?: dtype | string; non_blocking?: boolean }, opts: { non_blocking?: boolean } = {}): string | Tensor {
    if (isPlainObject(d)) { checkKeys('type', d, new Set(['dtype', 'non_blocking'])); opts = d; d = (d as { dtype?: dtype }).dtype; }
    if (d === undefined || d === null) return `torch.${TYPE_NAMES[this.dtype.name] ?? this.dtype.name}`;
    let target: dtype | undefined;
    if (d instanceof dtype) target = d;
    else if (typeof d === 'string') {
      const name = Object.keys(TYPE_NAMES).find((k) => `torch.${TYPE_NAMES[k]}` === d);
      target = name === undefined ? undefined : (dt as unknown as Record<string, dtype>)[name];
      if (target === undefined) throw new Error(`invalid type: '${d}'`);
    } else throw new TypeError(`type(): argument 'dtype' must be torch.dtype or str, not ${typeof d}`);
    return this.to(target, { non_blocking: opts.non_blocking ?? false });
  }
  // ---- Python's hand-written properties and methods -------------------------------
  get is_cpu(): boolean { return native.device(this._h) === 'cpu'; }
  /** Device kinds and layouts this LibTorch build does not make: always false here. */
  get is_meta(): boolean { return false; }
  get is_mkldnn(): boolean { return false; }
  get is_mps(): boolean { return false; }
  get is_ort(): boolean { return false; }
  get is_vulkan(): boolean { return false; }
  get is_xpu(): boolean { return false; }
  get is_ipu(): boolean { return false; }
  get is_nested(): boolean { return false; }
  get is_quantized(): boolean { return false; }
  get is_sparse(): boolean { return false; }
  get is_sparse_csr(): boolean { return false; }
  /** torch.strided: torch-node makes dense tensors only. */
  get layout(): import('./binder').layout { return (require('./binder') as typeof import('./binder')).strided; }
  /** The last two dimensions transposed (Python's mT; mH and H are the same for real dtypes). */
  get mT(): Tensor { return new Tensor(call(O.transpose, this._h, -2, -1)); }
  get mH(): Tensor { return this.mT; }
  get H(): Tensor {
    if (this.dim() !== 2 && this.dim() !== 0) throw new Error(`tensor.H is only supported on matrices (2-D tensors). Got ${this.dim()}-D tensor.`);
    return this.dim() === 0 ? this : this.mT;
  }
  ndimension(): number { return this.dim(); }
  storage_offset(): number { return native.tensor_storage_info(this._h)[2]; }
  /** -1 for a CPU tensor, the device index for a CUDA one. */
  get_device(): number { const d = this.device; return d.type === 'cpu' ? -1 : d.index ?? 0; }
  has_names(): boolean { return false; }
  /** Removed from PyTorch in 1.9: the same error as Python's. */
  eig(): never { throw new Error('This function was deprecated since version 1.9 and is now removed. Please use the `torch.linalg.eig` function instead.'); }
  lstsq(): never { throw new Error("('This function was deprecated since version 1.9 and is now removed.', 'Please use the `torch.linalg.lstsq` function instead.')"); }
  solve(): never { throw new Error('This function was deprecated since version 1.9 and is now removed. Please use the `torch.linalg.solve` function instead.'); }
  /** unique(sorted=True, return_inverse=False, return_counts=False, dim=None), as torch.unique. */
  unique(...args: unknown[]): Tensor | Tensor[] {
    const a = bindSimple('unique', args, { sorted: true, return_inverse: false, return_counts: false, dim: null as number | null });
    const r: Tensor[] = a.dim === null
      ? (call(O.unique2, this._h, a.sorted, a.return_inverse, a.return_counts) as Handle[]).map((x) => new Tensor(x))
      : (call(O.unique_dim, this._h, a.dim, a.sorted, a.return_inverse, a.return_counts) as Handle[]).map((x) => new Tensor(x));
    return pickUnique(r, a.return_inverse, a.return_counts);
  }
  /** unique_consecutive(return_inverse=False, return_counts=False, dim=None) */
  unique_consecutive(...args: unknown[]): Tensor | Tensor[] {
    const a = bindSimple('unique_consecutive', args, { return_inverse: false, return_counts: false, dim: null as number | null });
    const r = (call(O.unique_consecutive, this._h, a.return_inverse, a.return_counts, a.dim) as Handle[]).map((x) => new Tensor(x));
    return pickUnique(r, a.return_inverse, a.return_counts);
  }
  /** lu(pivot=True, get_infos=False): (LU, pivots[, infos]) as torch.lu. */
  lu(...args: unknown[]): Tensor[] {
    const a = bindSimple('lu', args, { pivot: true, get_infos: false });
    const r = (call(O.lu_with_info, this._h, a.pivot, !a.get_infos) as Handle[]).map((x) => new Tensor(x));
    if (a.get_infos) return r;
    r[2].dispose();
    return r.slice(0, 2);
  }

  /**
   * Python's `t.numpy()`: a TypedArray over this tensor's memory (no copy; writes show in the
   * tensor and back). Refused as PyTorch refuses: requires_grad, not on the CPU; also for a
   * non-contiguous tensor and float16/bfloat16, which no TypedArray can stand for.
   * bool gives a Uint8Array, int64 a BigInt64Array.
   */
  numpy(): Float32Array | Float64Array | Uint8Array | Int8Array | Int16Array | Int32Array | BigInt64Array {
    return native.numpy_view(this._h);
  }
  /**
   * Python's `t.register_hook(hook)`: hook(grad) runs when this tensor's gradient is computed;
   * a Tensor it returns replaces the gradient. Returns a handle whose remove() unregisters it.
   */
  register_hook(hook: (grad: Tensor) => Tensor | null | undefined | void): RemovableHandle {
    if (typeof hook !== 'function') throw new TypeError(`register_hook(): hook must be a function, not ${typeof hook}`);
    const pos = native.register_hook(this._h, (g: Handle) => {
      const grad = new Tensor(g);
      const r = hook(grad);
      if (r instanceof Tensor) return r._h;
      return undefined;
    });
    return new RemovableHandle(() => native.remove_hook(this._h, pos));
  }
  /** Python's `t.real`: the tensor itself for a real dtype. */
  get real(): Tensor { return this; }
  get imag(): Tensor { throw new Error('imag is not implemented for tensors with non-complex dtypes.'); }
  /** False: torch-node tensors are never in shared memory (no multiprocessing). */
  is_shared(): boolean { return false; }
  get output_nr(): number { return call(O.output_nr, this._h); }
  /** Python's legacy `t.new(...)`: new(*sizes) uninitialised, new(data) a copy, new() empty; this tensor's dtype and device. */
  new(...args: unknown[]): Tensor {
    // a list (or TypedArray) is data, as Python's legacy constructor reads a sequence
    if (args.length === 1 && (Array.isArray(args[0]) || ArrayBuffer.isView(args[0]))) return this.new_tensor(args[0] as number[]);
    const sizes = args.length === 0 ? [0] : args as number[];
    return new Tensor(call(O.new_empty, this._h, sizes, null, null, null, null));
  }
  /** Python's `t.set_(source)`: this tensor takes source's storage, sizes and strides. */
  set_(source: Tensor): this { call(O.set_source, this._h, source._h); return this; }
  /** Python's `t.apply_(fn)` (CPU): every element replaced by fn(element), in place. */
  apply_(fn: (x: number) => number): this {
    return mapValuesInPlace(this, [], expect.callable('apply_', 'fn', fn, 0));
  }
  /** Python's `t.map_(other, fn)`: elementwise fn(self, other) (other broadcast), in place. */
  map_(other: Tensor, fn: (a: number, b: number) => number): this {
    return mapValuesInPlace(this, [expect.tensor('map_', 'other', other, 0)], expect.callable('map_', 'fn', fn, 1));
  }
  /** Python's `t.map2_(x, y, fn)`: elementwise fn(self, x, y), in place. */
  map2_(x: Tensor, y: Tensor, fn: (a: number, b: number, c: number) => number): this {
    return mapValuesInPlace(this, [expect.tensor('map2_', 'x', x, 0), expect.tensor('map2_', 'y', y, 1)], expect.callable('map2_', 'fn', fn, 2));
  }

  /** Python's `t.new_tensor(data, ...)`: a copy of data with this tensor's dtype and device unless given. */
  new_tensor(data: Parameters<typeof import('./creation').tensor>[0], opts: TensorOptions = {}): Tensor {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { tensor } = require('./creation') as typeof import('./creation');
    return tensor(data, { dtype: opts.dtype ?? this.dtype, device: opts.device ?? this.device, requires_grad: opts.requires_grad });
  }
  /** The data as nested arrays (numbers, booleans for bool). */
  tolist(): unknown {
    // Checked before anything is made: past the JS heap, V8 aborts the process
    // (an expanded tensor can claim billions of elements over one).
    const numel = this.numel();
    const { heap_size_limit, used_heap_size } = getHeapStatistics();
    const need = numel * 16, free = heap_size_limit - used_heap_size;
    if (need > free / 2) {
      throw new RangeError(`tolist(): ${numel} elements need about ${Math.round(need / 2 ** 20)} MB of JS heap, ` +
        `more than is free (${Math.round(free / 2 ** 20)} MB); typed_array() or numpy() give the data without one object per element`);
    }
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
  to(target: dtype | DeviceLike | Tensor | ToOptions, dtypeOrOpts?: dtype | ToOptions, opts?: ToOptions): Tensor {
    if (isPlainObject(target)) {
      // Python's keyword form: t.to({ dtype }), t.to({ device, dtype, non_blocking, copy, memory_format })
      checkKeys('to', target, TO_KEYS);
      return this.to(target.device ?? this.device, { ...target, dtype: target.dtype ?? this.dtype });
    }
    if (isPlainObject(dtypeOrOpts)) checkKeys('to', dtypeOrOpts, TO_KEYS);
    if (isPlainObject(opts)) checkKeys('to', opts, TO_KEYS);
    let o: ToOptions = opts ?? {};
    let d: dtype | undefined;
    if (dtypeOrOpts instanceof dtype) d = dtypeOrOpts;
    else if (dtypeOrOpts) { o = dtypeOrOpts; d = dtypeOrOpts.dtype; }
    if (target instanceof Tensor) return this._wrap(call(O.to_other, this._h, target._h, o.non_blocking ?? false, o.copy ?? false));
    if (target instanceof dtype) d = target;
    const devStr = target instanceof dtype ? null : dev(target as DeviceLike);
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

  // ---- autograd ----
  get requires_grad(): boolean { return native.tensor_requires_grad(this._h); }
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
    // A dtype mismatch is checked natively (its message changed in 2.x: native/torch_compat.h).
    if (value.dtype === this.dtype && value.device.type !== this.device.type) throw new Error('assigned grad has data of a different type');
    native.set_grad(this._h, value._h);
    this._grad = value;
  }
  get grad_fn(): GradFn | null {
    const n = native.tensor_grad_fn(this._h);
    return n === null ? null : gradFnOf(n);
  }
  get retains_grad(): boolean { return call(O.retains_grad, this._h); }
  backward(gradient?: Tensor | null, opts?: { retain_graph?: boolean | null; create_graph?: boolean; inputs?: Tensor[] | null }): void;
  backward(opts: { gradient?: Tensor | null; retain_graph?: boolean | null; create_graph?: boolean; inputs?: Tensor[] | null }): void;
  backward(...args: unknown[]): void {
    // Python's Tensor.backward(gradient=None, retain_graph=None, create_graph=False, inputs=None)
    const a = bindSimple('backward', args, { gradient: null as Tensor | null, retain_graph: null as boolean | null, create_graph: false, inputs: null as Tensor[] | null });
    const gradient = a.gradient;
    if (gradient) checkGradOutputs([this], [gradient]);
    call(O.backward, this._h, hs(a.inputs ?? []), gradient ? gradient._h : null, a.retain_graph ?? null, a.create_graph ?? false);
  }

  where(condition: Tensor, other: TensorOrScalar): Tensor {
    if (other === undefined) throw new TypeError("where(): argument 'other' is required");
    return where(condition, this, other);
  }
  norm(opts: { p?: number | 'fro' | null; dim?: Dims | null; keepdim?: boolean; dtype?: dtype | null }): Tensor;
  norm(p?: number | 'fro' | null, opts?: { dim?: Dims | null; keepdim?: boolean; dtype?: dtype | null }): Tensor;
  norm(p?: number | 'fro' | null, dim?: Dims | null, opts?: { keepdim?: boolean; dtype?: dtype | null }): Tensor;
  norm(p?: number | 'fro' | null, dim?: Dims | null, keepdim?: boolean, opts?: { dtype?: dtype | null }): Tensor;
  norm(...args: unknown[]): Tensor {
    // Python's torch.functional.norm: bound as Python binds it (p, dim, keepdim, dtype).
    const a = bindSimple<{ p: number | 'fro' | null; dim: Dims | null; keepdim: boolean; dtype: dtype | null }>('norm', args, { p: 'fro', dim: null, keepdim: false, dtype: null });
    const p = a.p === 'fro' || a.p === null ? 2 : a.p, dim = a.dim, opts = a;
    if (a.dtype !== null) return this.to(a.dtype).norm(p, dim, a.keepdim);
    // 2.x's torch.norm on strided tensors is torch.linalg.vector_norm (LinalgVectorNormBackward0).
    if (torchAtLeast(2, 0)) return new Tensor(call(O.linalg_vector_norm, this._h, p, dim === undefined || dim === null ? null : dimList(dim), opts.keepdim ?? false, null));
    // As 1.13's torch.norm: without dim, over all dims (aten::norm.ScalarOpt_dim, NormBackward1).
    const dims = dim === undefined || dim === null ? [...Array(this.dim()).keys()] : dimList(dim);
    return new Tensor(call(O.norm_dim, this._h, p, dims, opts.keepdim ?? false));
  }
  nonzero(): Tensor;
  nonzero(opts: { as_tuple: true }): Tensor[];
  nonzero(opts: { as_tuple?: boolean }): Tensor | Tensor[];
  nonzero(opts: { as_tuple?: boolean } = {}): Tensor | Tensor[] {
    if (opts.as_tuple) return (call(O.nonzero_numpy, this._h) as Handle[]).map((x) => new Tensor(x));
    return new Tensor(call(O.nonzero, this._h));
  }

  get T(): Tensor { return this.permute(...[...Array(this.dim()).keys()].reverse()); }

  // ---- shapes ----
  /** contiguous(memory_format = torch.contiguous_format): this tensor if it already is, else a copy. */
  contiguous(memory_format: memory_format | { memory_format?: memory_format } = contiguous_format): Tensor {
    return this._wrap(call(O.contiguous, this._h, memoryFormatArg('contiguous', memory_format).code));
  }

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
  // ---- in place ----
  copy_(src: Tensor, opts: { non_blocking?: boolean } = {}): this { call(O.copy_, this._h, src._h, opts.non_blocking ?? false); return this; }
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

/** Python's torch.cuda._lazy_init() before a CUDA tensor is made: its errors ("Torch not compiled with CUDA enabled"). */
export function requireCuda(): void { cudaLazyInit(); }

// ---- functions that live here because methods use them ----
/** torch.full(size, fill_value, opts): numbers fill the default dtype, booleans bool, BigInts int64. */
export function full(size: Shape, fill_value: Scalar, opts: TensorOptions = {}): Tensor {
  checkKeys('full', opts, new Set(['dtype', 'device', 'requires_grad', 'layout', 'pin_memory']));
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

// Every generated method Python binds from a schema, unless written above.
{
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { makeMethod } = require('./binder') as typeof import('./binder');
  const { NAMES } = require('./generated/names') as typeof import('./generated/names');
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  for (const name of NAMES.Tensor) {
    if (!(name in proto)) proto[name] = makeMethod(name);
  }
}

/** A memory_format argument given by position or as `{ memory_format }` (Python's keyword). */
function memoryFormatArg(fn: string, v: unknown): memory_format {
  if (v instanceof memory_format) return v;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const k of Object.keys(v)) if (k !== 'memory_format') throw new TypeError(`${fn}() got an unexpected keyword argument '${k}'`);
    const mf = (v as { memory_format?: unknown }).memory_format;
    if (mf === undefined) return contiguous_format;
    if (mf instanceof memory_format) return mf;
  }
  throw new TypeError(`${fn}(): argument 'memory_format' must be torch.memory_format, not ${v === null ? 'None' : typeof v}`);
}

/** apply_/map_/map2_'s loop: fn over self's elements (and the broadcast others'), written back in place (CPU). */
function mapValuesInPlace<T extends Tensor>(self: T, others: Tensor[], fn: (...x: number[]) => number): T {
  if (!self.is_cpu) throw new TypeError('apply_ is only implemented on CPU tensors');
  const shape = self.shape;
  const mine = self.contiguous();
  const data = native.todata(mine._h) as ArrayLike<number | bigint> & { [i: number]: number | bigint };
  const theirs = others.map((o) => native.todata(o.expand(shape).contiguous()._h));
  const big = data instanceof BigInt64Array;
  for (let i = 0; i < data.length; i++) {
    const r = fn(Number(data[i]), ...theirs.map((d) => Number(d[i])));
    data[i] = big ? BigInt(Math.trunc(r)) : r;
  }
  const src = new Tensor(native.fromdata(data as unknown as ArrayBufferView, shape, native.dtype(mine._h)));
  call(O.copy_, self._h, src._h, false);
  src.dispose();
  return self;
}
