// The argument binder: Python's argument parser (torch/csrc/utils/python_arg_parser.cpp)
// for every generated function and method. A call is bound against the overloads of a
// name in the order Python tries them: positional values, then one trailing options
// object standing for the keywords (any parameter by name); the first overload whose
// every argument fits wins. Unknown keywords, missing arguments and values that fit
// no overload throw TypeErrors with Python's messages. `out` writes into the given
// tensor(s) through the schema's out= variant and returns them.
//
// The tables come from lib/generated/signatures.json (scripts/gen-bindings.py); an
// operator is resolved on its first call, so that import stays fast and an op that
// another LibTorch lacks fails only when called.
import { native, Handle } from './native';
import { Tensor, ValuesIndices } from './tensor';
import { dtype } from './dtype';
import { device } from './device';
import { lazyInit as cudaLazyInit } from './cuda';
import { Generator } from './generator';

export { Generator, Tensor };
export type Scalar = number | boolean | bigint;

/** torch.layout objects (c10::Layout codes). */
export class layout {
  /** @internal */
  constructor(readonly name: string, readonly code: number) {}
  toString(): string { return `torch.${this.name}`; }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}
export const strided = new layout('strided', 0), sparse_coo = new layout('sparse_coo', 1);
import { memory_format, contiguous_format, preserve_format, channels_last, channels_last_3d } from './memory_format';
export { memory_format, contiguous_format, preserve_format, channels_last, channels_last_3d };

/** A tuple with named fields, as torch.return_types.* (`const [values, indices] = t.max(1)`). */
export type NamedTuple<T extends unknown[], N> = T & Readonly<N>;

/** A compiled binder: the method's tensor, then up to six positional values (no rest array to allocate). */
type FastFn = (self: Tensor | undefined, a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown) => unknown;
/** Positional values a function takes without an array (more go through the generic path). */
const MAX_FAST = 6;
type ArgRec = [string, string, number, string | null, number, number, number | number[]];
export type Rec = [string, string, ArgRec[], [string, string][], string];

// type codes
const enum K { Tensor, TensorOrNumber, Scalar, Int, Float, Bool, Str, Dtype, Layout, Device, MemFmt, Gen, IntList, FloatList, BoolList, TensorList, OptTensorList, Unknown }
const CODES: Record<string, K> = {
  T: K.Tensor, N: K.TensorOrNumber, S: K.Scalar, i: K.Int, f: K.Float, b: K.Bool, s: K.Str, D: K.Dtype, Y: K.Layout,
  V: K.Device, M: K.MemFmt, G: K.Gen, I: K.IntList, F: K.FloatList, B: K.BoolList, L: K.TensorList, O: K.OptTensorList,
};
const PY_TYPE: Record<number, string> = {
  [K.Tensor]: 'Tensor', [K.TensorOrNumber]: 'Tensor', [K.Scalar]: 'Number', [K.Int]: 'int', [K.Float]: 'float', [K.Bool]: 'bool',
  [K.Str]: 'str', [K.Dtype]: 'torch.dtype', [K.Layout]: 'torch.layout', [K.Device]: 'torch.device', [K.MemFmt]: 'torch.memory_format',
  [K.Gen]: 'torch.Generator', [K.IntList]: 'tuple of ints', [K.FloatList]: 'tuple of floats', [K.BoolList]: 'tuple of bools',
  [K.TensorList]: 'tuple of Tensors', [K.OptTensorList]: 'tuple of Tensors',
};

/** One Python signature of a name, precomputed for binding. */
class Overload {
  readonly names: string[];
  readonly kinds: K[];
  readonly nullable: boolean[];
  readonly sizes: number[];
  readonly defaults: (string | null)[];
  /**
   * Defaults Python's parser passes itself where they differ from the schema's: an int default
   * it cannot read as a number (`at::Reduction::Mean`) is 0 there (atol), so that
   * torch.kl_div(x, y) is unreduced in Python. Undefined elsewhere (the schema's default applies).
   */
  readonly forced: (number | undefined)[];
  readonly sidx: number[];
  readonly osidx: (number | number[])[];
  readonly index: Map<string, number> = new Map();
  readonly npos: number;
  readonly nreq: number;
  readonly varargs: boolean;
  readonly selfIdx: number;   // schema index of self for a method, -1 for a function
  readonly nschema: number;
  readonly noutSchema: number;
  readonly outParam: number;  // index of 'out' among the params, -1 without
  readonly rgParam: number;   // index of 'requires_grad', -1 without
  readonly retKinds: string[];
  readonly retTuple: ((vals: unknown[]) => unknown) | null;
  private handle = -1;
  private outHandle = -1;
  /** Per count of positional values: the compiled binder for a call without keywords (null: none). */
  private readonly fastByN: (FastFn | null | undefined)[] = [];

  constructor(readonly qualname: string, rec: Rec, method: boolean) {
    const [, , args, rets, flags] = rec;
    this.op = rec[0];
    this.outOp = rec[1];
    this.names = args.map((a) => a[0]);
    this.kinds = args.map((a) => CODES[a[1].replace('?', '')] ?? K.Unknown);
    this.nullable = args.map((a) => a[1].endsWith('?'));
    this.sizes = args.map((a) => a[2]);
    this.defaults = args.map((a) => a[3]);
    this.forced = args.map((a) => (a[1] === 'i' && a[3] !== null && a[3] !== 'None' && !/^-?\d+$/.test(a[3]) ? 0 : undefined));
    this.sidx = args.map((a) => a[5]);
    this.osidx = args.map((a) => a[6]);
    this.names.forEach((n, i) => this.index.set(n, i));
    let npos = 0, nreq = 0;
    args.forEach((a, i) => {
      if (!a[4]) { npos = i + 1; if (a[3] === null) nreq = i + 1; }
    });
    this.npos = npos;
    this.nreq = nreq;
    this.varargs = npos === 1 && this.kinds[0] === K.IntList;
    this.outParam = this.index.get('out') ?? -1;
    this.rgParam = this.index.get('requires_grad') ?? -1;
    const m = /m(\d*)/.exec(flags);
    this.selfIdx = method ? (m && m[1] ? Number(m[1]) : 0) : -1;
    let ns = this.selfIdx + 1, nos = 0;
    for (const a of args) {
      ns = Math.max(ns, a[5] + 1);
      const o = a[6];
      nos = Math.max(nos, Array.isArray(o) ? Math.max(...o) + 1 : o + 1);
    }
    this.nschema = ns;
    this.noutSchema = nos;
    this.retKinds = rets.map((r) => r[0]);
    this.retTuple = rets.length > 1 && rets.every((r) => r[1]) ? namedTuple(rets.map((r) => r[1])) : null;
  }
  readonly op: string;
  readonly outOp: string;

  opHandle(): number {
    if (this.handle < 0) { const [n, o] = splitName(this.op); this.handle = native.op_handle(n, o); }
    return this.handle;
  }
  outHandleOf(): number {
    if (this.outHandle < 0) { const [n, o] = splitName(this.outOp); this.outHandle = native.op_handle(n, o); }
    return this.outHandle;
  }

  /**
   * A function specialised to this overload and `n` positional values (no keywords):
   * inline type checks for tensors, one native call, the result wrapped. It returns NO
   * where the generic binder would refuse this overload too.
   */
  fast(n: number): FastFn | null {
    let f = this.fastByN[n];
    if (f === undefined) f = this.fastByN[n] = this.compile(n);
    return f;
  }

  private compile(n: number): FastFn | null {
    if (this.varargs || n > this.npos || n < this.nreq || n > MAX_FAST || this.retKinds.length > 1) return null;
    const slots: string[] = [];
    for (let i = n; i < this.names.length; i++) {
      if (this.defaults[i] === null) return null;
      if (this.forced[i] !== undefined && this.sidx[i] >= 0) slots[this.sidx[i]] = String(this.forced[i]);
    }
    if (this.selfIdx >= 0) slots[this.selfIdx] = 'self._h';
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const k = this.kinds[i];
      lines.push(`const v${i} = a${i};`);
      let expr: string;
      if (k === K.Tensor) expr = `v${i} instanceof T ? v${i}._h : NO`;
      else if (k === K.TensorOrNumber) expr = `v${i} instanceof T ? v${i}._h : (typeof v${i} === 'number' || typeof v${i} === 'boolean' || typeof v${i} === 'bigint') ? v${i} : NO`;
      else expr = `convert(v${i}, ${k}, ${this.sizes[i]})`;
      if (this.nullable[i]) expr = `v${i} === null ? null : ${expr}`;
      else expr = `v${i} === null ? NO : ${expr}`;
      lines.push(`const c${i} = ${expr}; if (c${i} === NO) return NO;`);
      if (this.sidx[i] >= 0) slots[this.sidx[i]] = `c${i}`;
    }
    const callArgs = ['H'];
    for (let i = 0; i < slots.length; i++) callArgs.push(slots[i] ?? 'undefined');
    lines.push(`const r = call(${callArgs.join(', ')});`);
    const kind = this.retKinds[0];
    if (kind === 'T' || kind === 'A') {
      if (this.selfIdx >= 0) lines.push('return r === self._h ? self : new T(r);');
      else if (n > 0 && (this.kinds[0] === K.Tensor || this.kinds[0] === K.TensorOrNumber)) lines.push('return v0 instanceof T && r === v0._h ? v0 : new T(r);');
      else lines.push('return new T(r);');
    } else if (kind === 'L') {
      lines.push('return r.map((h) => new T(h));');
    } else {
      lines.push('return r;');
    }
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const make = new Function('T', 'NO', 'convert', 'call', 'H', `return function (self, a0, a1, a2, a3, a4, a5) {\n${lines.join('\n')}\n};`);
    return make(Tensor, NO, convert, native.call, this.opHandle()) as FastFn;
  }

  /** Python's form of this signature in messages: (Tensor input, Tensor other, *, Number alpha, Tensor out). */
  describe(): string {
    const parts: string[] = [];
    this.names.forEach((n, i) => {
      if (i === this.npos && i < this.names.length) parts.push('*');
      let t = PY_TYPE[this.kinds[i]] ?? '?';
      if (this.sizes[i] && (this.kinds[i] === K.IntList)) t = `tuple of ints`;
      parts.push(`${t} ${n}${this.defaults[i] !== null && this.defaults[i] !== 'None' ? ` = ${this.defaults[i]}` : ''}`);
    });
    return `(${parts.join(', ')})`;
  }
}

function splitName(q: string): [string, string] {
  const dot = q.indexOf('.');
  return dot < 0 ? [q, ''] : [q.slice(0, dot), q.slice(dot + 1)];
}

const tupleClasses = new Map<string, (vals: unknown[]) => unknown>();
/** A maker of tuples with named fields: arrays with the field names as getters. */
function namedTuple(fields: string[]): (vals: unknown[]) => unknown {
  const key = fields.join(',');
  let make = tupleClasses.get(key);
  if (make) return make;
  if (key === 'values,indices') {
    make = (v) => new ValuesIndices(v[0] as Tensor, v[1] as Tensor);
  } else {
    const props: PropertyDescriptorMap = {};
    fields.forEach((f, i) => { props[f] = { get(this: unknown[]) { return this[i]; }, enumerable: false }; });
    make = (v) => Object.defineProperties(v, props);
  }
  tupleClasses.set(key, make);
  return make;
}

/** A plain `{ ... }` object: the trailing keyword arguments. */
export function isKwargs(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || v instanceof Tensor || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

const isInt = (v: unknown): boolean => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';

/** Python's name of a JS value's type in messages. */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  // Object.create(Tensor.prototype) has no tensor behind it (Python cannot make one)
  if (v instanceof Tensor) return (v as { _h?: unknown })._h !== undefined ? 'Tensor' : 'Tensor (uninitialized)';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  if (v instanceof dtype) return 'torch.dtype';
  if (v instanceof device) return 'torch.device';
  if (typeof v === 'function') return 'function';
  return (v as object).constructor?.name ?? 'object';
}

/** The value converted to what native.call takes, or NO when it does not fit the kind. */
const NO = Symbol('no match');
function convert(v: unknown, k: K, size: number): unknown {
  switch (k) {
    case K.Tensor: return v instanceof Tensor ? v._h : NO;
    case K.TensorOrNumber:
      if (v instanceof Tensor) return v._h;
      return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? v : NO;
    case K.Scalar:
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return v;
      // Python takes a 0-dim tensor that does not require grad as a Number
      if (v instanceof Tensor && v.dim() === 0 && !v.requires_grad) return v.item();
      return NO;
    case K.Int:
      if (isInt(v)) return v;
      if (v instanceof Tensor && v.numel() === 1 && !v.dtype.is_floating_point && v.dtype.name !== 'bool') return v.item();
      return NO;
    case K.Float:
      if (typeof v === 'number' || typeof v === 'bigint') return v;
      if (v instanceof Tensor && v.numel() === 1) return v.item();
      return NO;
    case K.Bool: return typeof v === 'boolean' ? v : NO;
    case K.Str: return typeof v === 'string' ? v : NO;
    case K.Dtype: return v instanceof dtype ? v.code : NO;
    case K.Layout: return v instanceof layout ? v.code : NO;
    case K.MemFmt: return v instanceof memory_format ? v.code : NO;
    case K.Device: {
      const s = typeof v === 'string' ? new device(v).toString() : v instanceof device ? v.toString()
        : typeof v === 'number' && Number.isInteger(v) ? `cuda:${v}` : null;
      if (s === null) return NO;
      if (s.startsWith('cuda')) cudaLazyInit(); // Python's "Torch not compiled with CUDA enabled", not a missing kernel
      return s;
    }
    case K.Gen: return v instanceof Generator ? v._h : NO;
    case K.IntList:
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!isInt(v[i])) return NO;
        return v;
      }
      return size > 0 && isInt(v) ? v : NO;
    case K.FloatList:
      if (Array.isArray(v)) return v.every((x) => typeof x === 'number') ? v : NO;
      return typeof v === 'number' ? v : NO;
    case K.BoolList:
      return Array.isArray(v) && v.every((x) => typeof x === 'boolean') ? v : NO;
    case K.TensorList: {
      if (!Array.isArray(v)) return NO;
      const r = new Array(v.length);
      for (let i = 0; i < v.length; i++) { if (!(v[i] instanceof Tensor)) return NO; r[i] = (v[i] as Tensor)._h; }
      return r;
    }
    case K.OptTensorList: {
      if (!Array.isArray(v)) return NO;
      const r = new Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x === null || x === undefined) r[i] = null;
        else if (x instanceof Tensor) r[i] = x._h;
        else return NO;
      }
      return r;
    }
    default: return NO;
  }
}

/** Why the last overload failed, for the message when only one exists. */
let failure = '';

/**
 * Binds `args` (after self) against one overload; returns the native argument list
 * (schema order, op handle first) or null. `self` is the method's tensor.
 */
function bindOne(ov: Overload, self: Tensor | undefined, args: readonly unknown[], n: number, kw: Record<string, unknown> | undefined, fname: string): unknown[] | null {
  const np = ov.names.length;
  const vals: unknown[] = new Array(np);
  let given = 0;
  if (ov.varargs && n >= 1 && isInt(args[0])) {
    for (let i = 0; i < n; i++) {
      if (!isInt(args[i])) { failure = `${fname}(): argument '${ov.names[0]}' must be tuple of ints, but found element of type ${pyTypeName(args[i])} at pos ${i}`; return null; }
    }
    vals[0] = n === 1 && ov.sizes[0] === 0 ? [args[0]] : args.slice(0, n);
    given = 1;
  } else {
    if (n > ov.npos) {
      failure = `${fname}() takes ${ov.npos} positional argument${ov.npos === 1 ? '' : 's'} but ${n} were given`;
      return null;
    }
    for (let i = 0; i < n; i++) vals[i] = args[i];
    given = n;
  }
  if (kw !== undefined) {
    for (const key in kw) {
      const v = kw[key];
      const i = ov.index.get(key);
      if (i === undefined) {
        failure = `${fname}() got an unexpected keyword argument '${key}'`;
        return null;
      }
      if (i < given && vals[i] !== undefined) {
        failure = `${fname}() got multiple values for argument '${key}'`;
        return null;
      }
      vals[i] = v;
    }
  }
  const useOut = ov.outParam >= 0 && vals[ov.outParam] !== undefined && vals[ov.outParam] !== null;
  const nat: unknown[] = new Array((useOut ? ov.noutSchema : ov.nschema) + 1);
  nat[0] = useOut ? 0 : 0;
  if (self !== undefined) nat[ov.selfIdx + 1] = self._h;
  for (let i = 0; i < np; i++) {
    const v = vals[i];
    if (v === undefined) {
      if (ov.defaults[i] === null) {
        failure = `${fname}() missing required argument '${ov.names[i]}' (pos ${i + 1})`;
        return null;
      }
      if (ov.forced[i] !== undefined) {
        const si = useOut ? ov.osidx[i] as number : ov.sidx[i];
        if (si >= 0) nat[si + 1] = ov.forced[i];
      }
      continue;
    }
    if (i === ov.outParam) continue;
    let c: unknown;
    if (v === null) {
      if (!ov.nullable[i]) { failure = `${fname}(): argument '${ov.names[i]}' must be ${PY_TYPE[ov.kinds[i]]}, not NoneType`; return null; }
      c = null;
    } else {
      c = convert(v, ov.kinds[i], ov.sizes[i]);
      if (c === NO) {
        failure = `${fname}(): argument '${ov.names[i]}'${i < ov.npos ? ` (position ${i + 1})` : ''} must be ${PY_TYPE[ov.kinds[i]]}, not ${pyTypeName(v)}`;
        return null;
      }
    }
    const si = useOut ? ov.osidx[i] as number : ov.sidx[i];
    if (si >= 0) nat[si + 1] = c;
  }
  if (useOut) {
    const o = vals[ov.outParam];
    const pos = ov.osidx[ov.outParam];
    if (Array.isArray(pos)) {
      if (!Array.isArray(o) || o.length !== pos.length || !o.every((x) => x instanceof Tensor)) {
        failure = `${fname}(): argument 'out' must be tuple of ${pos.length} Tensors, not ${pyTypeName(o)}`;
        return null;
      }
      pos.forEach((p, j) => { nat[p + 1] = (o[j] as Tensor)._h; });
    } else {
      if (!(o instanceof Tensor)) { failure = `${fname}(): argument 'out' must be Tensor, not ${pyTypeName(o)}`; return null; }
      nat[pos + 1] = o._h;
    }
    nat[0] = ov.outHandleOf();
    if (ov.rgParam >= 0 && vals[ov.rgParam]) {
      failure = `${fname}(): cannot set requires_grad with out=`;  // never reached in Python either
    }
    return nat;
  }
  nat[0] = ov.opHandle();
  return nat;
}

/** A name's overloads, bound as Python's parser binds them. */
export class Bound {
  readonly overloads: Overload[];
  constructor(readonly name: string, recs: Rec[], readonly method: boolean) {
    this.overloads = recs.map((r) => new Overload(name, r, method));
  }

  invoke(self: Tensor | undefined, args: readonly unknown[]): unknown {
    let n = args.length;
    let kw: Record<string, unknown> | undefined;
    if (n > 0) {
      const last = args[n - 1];
      if (isKwargs(last)) { kw = last; n--; }
      while (n > 0 && args[n - 1] === undefined) n--;
    }
    const ovs = this.overloads;
    for (let o = 0; o < ovs.length; o++) {
      const ov = ovs[o];
      if (kw === undefined && n <= MAX_FAST) {
        const f = ov.fast(n);
        if (f !== null) {
          const r = f(self, args[0], args[1], args[2], args[3], args[4], args[5]);
          if (r !== NO) return r;
          continue;
        }
      }
      const nat = bindOne(ov, self, args, n, kw, this.name);
      if (nat === null) continue;
      return this.finish(ov, self, nat, kw, args);
    }
    throw this.error(self, args, n, kw);
  }

  /**
   * invoke() for up to six positional values passed as they are (the hot path: no array).
   * A call with keywords, or an overload without a compiled binder, goes to invoke().
   */
  invokeN(self: Tensor | undefined, n: number, a0: unknown, a1: unknown, a2: unknown, a3: unknown, a4: unknown, a5: unknown): unknown {
    const last = n === 0 ? undefined : n === 1 ? a0 : n === 2 ? a1 : n === 3 ? a2 : n === 4 ? a3 : n === 5 ? a4 : a5;
    if (isKwargs(last)) return this.invoke(self, [a0, a1, a2, a3, a4, a5].slice(0, n));
    const ovs = this.overloads;
    for (let o = 0; o < ovs.length; o++) {
      const f = ovs[o].fast(n);
      if (f === null) return this.invoke(self, [a0, a1, a2, a3, a4, a5].slice(0, n));
      const r = f(self, a0, a1, a2, a3, a4, a5);
      if (r !== NO) return r;
    }
    return this.invoke(self, [a0, a1, a2, a3, a4, a5].slice(0, n));
  }

  private finish(ov: Overload, self: Tensor | undefined, nat: unknown[], kw: Record<string, unknown> | undefined, args: readonly unknown[]): unknown {
    const r = (native.call as (...a: unknown[]) => unknown)(...nat);
    const out = kw !== undefined && ov.outParam >= 0 ? kw.out as Tensor | Tensor[] | null | undefined : undefined;
    const kinds = ov.retKinds;
    if (kinds.length === 1) {
      const t = wrapResult(r, kinds[0], self, out, args);
      if (ov.rgParam >= 0 && kw !== undefined && kw.requires_grad === true) (t as Tensor).requires_grad_(true);
      return t;
    }
    if (kinds.length === 0) return undefined;
    const arr = r as unknown[];
    const vals = kinds.map((k, i) => wrapResult(arr[i], k, self, Array.isArray(out) ? out[i] : undefined, args));
    return ov.retTuple ? ov.retTuple(vals) : vals;
  }

  private error(self: Tensor | undefined, args: readonly unknown[], n: number, kw: Record<string, unknown> | undefined): TypeError {
    const ovs = this.overloads;
    if (ovs.length === 1) {
      // the generic binder says why (the fast path does not)
      failure = `${this.name}(): invalid arguments`;
      bindOne(ovs[0], self, args, n, kw, this.name);
      return new TypeError(failure);
    }
    if (kw !== undefined) {
      for (const key of Object.keys(kw)) {
        if (!ovs.some((ov) => ov.index.has(key))) return new TypeError(`${this.name}() got an unexpected keyword argument '${key}'`);
      }
    }
    const got: string[] = [];
    for (let i = 0; i < n; i++) got.push(pyTypeName(args[i]));
    if (kw !== undefined) for (const [k, v] of Object.entries(kw)) got.push(`${k}=${pyTypeName(v)}`);
    void self;
    return new TypeError(`${this.name}() received an invalid combination of arguments - got (${got.join(', ')}), but expected one of:\n` +
      ovs.map((ov) => ` * ${ov.describe()}`).join('\n'));
  }
}

function wrapResult(r: unknown, kind: string, self: Tensor | undefined, out: unknown, args: readonly unknown[]): unknown {
  switch (kind) {
    case 'T': case 'A': {
      if (self !== undefined && r === self._h) return self;
      if (out instanceof Tensor && r === out._h) return out;
      // an in-place function (torch.relu_(x)) or one that returns its input (torch.flatten): that object
      if (self === undefined) {
        for (const a of args) {
          if (a instanceof Tensor && a._h === r) return a;
          if (isKwargs(a)) for (const v of Object.values(a)) if (v instanceof Tensor && v._h === r) return v;
        }
      }
      return new Tensor(r as Handle);
    }
    case 'L': return (r as Handle[]).map((h) => new Tensor(h));
    default: return r;
  }
}

// ---- the generated tables (lib/signatures.ts: no imports, so that any module may load first) ----
import { signature } from './signatures';
import { NAMES } from './generated/names';
export { signature };

const QUAL: Record<string, string> = { torch: '', Tensor: '', linalg: 'linalg_', fft: 'fft_', special: 'special_', nn: '' };

/** Positional values a generated function takes (more: pass them by keyword). */
const MAX_POS = 12;
type P = unknown;
/**
 * Named parameters, no `arguments`, no rest array: the hot path allocates nothing. The hot
 * closure is kept small (V8 optimises a function after an amount of work that grows with its
 * size): it counts the values and calls the first overload's compiled binder; the rest is slow().
 */
function makeCaller(get: () => Bound): (self: Tensor | undefined, a0: P, a1: P, a2: P, a3: P, a4: P, a5: P, a6: P, a7: P, a8: P, a9: P, a10: P, a11: P, extra: P) => unknown {
  const state = { n: -1, fast: null as FastFn | null };
  return (self, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, extra) => {
    if (a6 === undefined && extra === undefined) {
      const n = a5 !== undefined ? 6 : a4 !== undefined ? 5 : a3 !== undefined ? 4 : a2 !== undefined ? 3 : a1 !== undefined ? 2 : a0 !== undefined ? 1 : 0;
      if (n === state.n) {
        const r = (state.fast as FastFn)(self, a0, a1, a2, a3, a4, a5);
        if (r !== NO) return r;
      }
    }
    return slow(get(), state, self, [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, extra]);
  };
}
function slow(b: Bound, state: { n: number; fast: FastFn | null }, self: Tensor | undefined, a: unknown[]): unknown {
  if (a[12] !== undefined) throw new TypeError(`${b.name}(): more than ${MAX_POS} positional arguments; pass the others by keyword`);
  let n = MAX_POS;
  while (n > 0 && a[n - 1] === undefined) n--;
  if (n <= MAX_FAST) {
    const fast = b.overloads[0].fast(n);
    if (fast !== null && !(n > 0 && isKwargs(a[n - 1]))) { state.n = n; state.fast = fast; }
    return b.invokeN(self, n, a[0], a[1], a[2], a[3], a[4], a[5]);
  }
  return b.invoke(self, a.slice(0, n));
}

/** The function for torch.<name> (or torch.linalg/fft/special/_C._nn). */
export function makeFunction(ns: string, name: string): (...args: unknown[]) => unknown {
  let b: Bound | null = null;
  const caller = makeCaller(() => (b ??= new Bound(QUAL[ns] + name, signature(ns, name), false)));
  const f = function (a0?: P, a1?: P, a2?: P, a3?: P, a4?: P, a5?: P, a6?: P, a7?: P, a8?: P, a9?: P, a10?: P, a11?: P, extra?: P): unknown {
    return caller(undefined, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, extra);
  };
  Object.defineProperty(f, 'name', { value: name });
  return f as (...args: unknown[]) => unknown;
}

/** The method Tensor.<name>. */
export function makeMethod(name: string): (this: Tensor, ...args: unknown[]) => unknown {
  let b: Bound | null = null;
  const caller = makeCaller(() => (b ??= new Bound(name, signature('Tensor', name), true)));
  const f = function (this: Tensor, a0?: P, a1?: P, a2?: P, a3?: P, a4?: P, a5?: P, a6?: P, a7?: P, a8?: P, a9?: P, a10?: P, a11?: P, extra?: P): unknown {
    return caller(this, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, extra);
  };
  Object.defineProperty(f, 'name', { value: name });
  return f as (this: Tensor, ...args: unknown[]) => unknown;
}

/** A namespace object (torch.linalg, torch.fft, torch.special) with every generated name. */
export function makeNamespace<T>(ns: string): T {
  const o: Record<string, unknown> = {};
  for (const name of NAMES[ns]) o[name] = makeFunction(ns, name);
  return o as T;
}

// ---- torch.nn.functional, generated ----------------------------------------------
export type FSpecs = Record<string, FSpec>;
type FSpec = {
  params: [string, unknown, number][]; target: [string, string]; alt: [string, string] | null;
  inplace: [string, string] | null; rename: Record<string, string>; extra: Record<string, unknown>; dispatch: boolean;
};
const REDUCTIONS: Record<string, number> = { none: 0, mean: 1, sum: 2 };
const fnCache = new Map<string, (...a: unknown[]) => unknown>();
function fnOf(name: string, ns: string): (...a: unknown[]) => unknown {
  const key = `${ns}.${name}`;
  let f = fnCache.get(key);
  if (!f) { f = makeFunction(ns, name); fnCache.set(key, f); }
  return f;
}
/** Python's legacy size_average/reduce arguments as a reduction (torch.nn._reduction.legacy_get_string). */
function legacyReduction(size_average: unknown, reduce: unknown): string {
  const sa = size_average ?? true, r = reduce ?? true;
  if (sa && r) return 'mean';
  return r ? 'sum' : 'none';
}

const requiredCache = new Map<string, Set<string>>();
/** The parameters of a generated function with no default (None must then be passed). */
function requiredOf(target: [string, string]): Set<string> {
  const key = target.join('.');
  let r = requiredCache.get(key);
  if (!r) {
    r = new Set();
    for (const rec of signature(target[1], target[0])) for (const a of rec[2]) if (a[3] === null) r.add(a[0]);
    requiredCache.set(key, r);
  }
  return r;
}

/** F.<name> bound with F's own signature, then its one ATen op called by keyword. */
export function makeF(name: string, specs: Record<string, FSpec>): (...args: unknown[]) => unknown {
  const spec = specs[name];
  const names = spec.params.map((p) => p[0]);
  const index = new Map(names.map((n, i) => [n, i]));
  return function (...args: unknown[]): unknown {
    let n = args.length;
    while (n > 0 && args[n - 1] === undefined) n--;
    let kw: Record<string, unknown> | undefined;
    if (n > 0 && isKwargs(args[n - 1])) { kw = args[n - 1] as Record<string, unknown>; n--; }
    if (n > names.length) throw new TypeError(`${name}() takes ${names.length} positional arguments but ${n} were given`);
    const vals: unknown[] = args.slice(0, n);
    if (kw) {
      for (const k of Object.keys(kw)) {
        const i = index.get(k);
        if (i === undefined) throw new TypeError(`${name}() got an unexpected keyword argument '${k}'`);
        if (i < n && vals[i] !== undefined) throw new TypeError(`${name}() got multiple values for argument '${k}'`);
        vals[i] = kw[k];
      }
    }
    const a: Record<string, unknown> = {};
    spec.params.forEach(([p, d, hasDefault], i) => {
      const v = vals[i];
      if (v === undefined) {
        if (!hasDefault) throw new TypeError(`${name}() missing 1 required positional argument: '${p}'`);
        a[p] = d;
      } else a[p] = v;
    });
    let batchmean = false;
    if ('reduction' in a) {
      if ((a.size_average !== undefined && a.size_average !== null) || (a.reduce !== undefined && a.reduce !== null)) {
        a.reduction = legacyReduction(a.size_average, a.reduce);
      }
      if (a.reduction === 'batchmean' && name === 'kl_div') { a.reduction = 'sum'; batchmean = true; }
      const r = REDUCTIONS[a.reduction as string];
      if (r === undefined) throw new Error(`${String(a.reduction)} is not a valid value for reduction`);
      a.reduction = r;
    }
    let target = spec.target, first = false;
    if (a.inplace === true && spec.inplace) target = spec.inplace;
    if (spec.dispatch && !a.return_indices) {
      if (spec.alt) target = spec.alt; else first = true;
    }
    const opKw: Record<string, unknown> = { ...spec.extra };
    for (const [p, d] of spec.params) {
      if (p === 'inplace' || p === 'return_indices' || p === 'size_average' || p === 'reduce') continue;
      const v = a[p];
      if (v === null && d === null && !requiredOf(target).has(spec.rename[p] ?? p)) continue;  // None: the op's own default
      opKw[spec.rename[p] ?? p] = v;
    }
    let r = fnOf(target[0], target[1])(opKw);
    if (first) r = (r as unknown[])[0];
    if (batchmean) {
      const input = a.input as Tensor;
      r = (r as Tensor).div(input.dim() === 0 ? 1 : input.size(0));
    }
    return r;
  };
}
