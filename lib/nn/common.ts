// Small shared pieces of torch-node/nn (also used by optim and torchvision):
// Python's argument binding (positional values, then one trailing options
// object) and Python's printed forms of values (for extra_repr and messages).
// Python's `warnings.warn` is lib/warnings.ts.
import { Tensor } from '../tensor';
import { pyTypeName } from '../binder';

/** `[number, number]` or one number that stands for both, as PyTorch's `_size_2_t`. */
export type Size2 = number | [number, number] | number[];

/**
 * The optional positional parameters `P` of a Python signature, each of which
 * may be left out, and then its keyword arguments `O` as one trailing options
 * object: `Rest<[boolean], { bias?: boolean }>` is `[] | [O] | [boolean] | [boolean, O]`.
 */
export type Rest<P extends unknown[], O> =
  P extends [...infer Init, unknown] ? Rest<Init, O> | P | [...P, O] : [] | [O];

/** Marks an argument with no default in a `bind()` spec. */
export const REQUIRED: unique symbol = Symbol('required');
type Spec<T> = { [K in keyof T]-?: T[K] | typeof REQUIRED };

/** A plain `{ ... }` object (what a trailing options argument is), as opposed to a Tensor, an array, a Module... */
export function isOptions(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Binds arguments the way Python binds a call: `spec` lists the parameters in
 * positional order with their defaults; the values come from `args`
 * (positional) and an optional trailing options object (keywords). One
 * mechanism for every layer constructor and every F.* function with options.
 */
export function bind<T extends object>(fn: string, args: readonly unknown[], spec: Spec<T>): T {
  const names = Object.keys(spec) as (keyof T & string)[];
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  let positional = end === args.length ? args : args.slice(0, end);
  let kw: Record<string, unknown> = {};
  if (end && isOptions(args[end - 1])) {
    positional = args.slice(0, end - 1);
    kw = args[end - 1] as Record<string, unknown>;
  }
  // Trailing `undefined`s are "not given" (a JS caller may pass them through).
  let n = positional.length;
  while (n > 0 && positional[n - 1] === undefined) n--;
  if (n > names.length) {
    throw new TypeError(`${fn}() takes ${names.length} positional arguments but ${n} were given`);
  }
  const out = {} as Record<string, unknown>;
  for (const k of Object.keys(kw)) {
    if (!(k in spec)) throw new TypeError(`${fn}() got an unexpected keyword argument '${k}'`);
  }
  names.forEach((name, i) => {
    const fromPos = i < n && positional[i] !== undefined;
    if (fromPos && kw[name] !== undefined) throw new TypeError(`${fn}() got multiple values for argument '${name}'`);
    let v = fromPos ? positional[i] : kw[name];
    if (v === undefined) v = spec[name];
    if (v === REQUIRED) throw new TypeError(`${fn}() missing required argument: '${name}'`);
    out[name] = v;
  });
  return out as T;
}

/** PyTorch's `_ntuple(n)`: one int stands for all `n` dimensions; anything else must be a list. */
export function ntuple(v: number | readonly number[], n: number): number[] {
  if (typeof v === 'number') return Array(n).fill(v);
  if (!Array.isArray(v)) throw new TypeError(`expected an int or a tuple of ${n} ints, not ${pyTypeName(v)}`);
  return [...v];
}

/** PyTorch's `_pair`: one int stands for both spatial dimensions. */
export function pair(v: Size2): number[] {
  if (typeof v === 'number') return [v, v];
  if (!Array.isArray(v)) throw new TypeError(`expected an int or a tuple of 2 ints, not ${pyTypeName(v)}`);
  return [...v];
}

// ---- Python's printed forms ---------------------------------------------------

/** repr() of a Python float: shortest round-trip digits, exponent outside [1e-4, 1e16). */
function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = x.toExponential().split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) {
    return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let s: string;
  if (exp >= 0) {
    s = digits.length > exp + 1 ? `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}` : `${digits.padEnd(exp + 1, '0')}.0`;
  } else {
    s = `0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  return (neg ? '-' : '') + s;
}

/** repr() of a Python str. */
export function pyStrRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
}

/**
 * str() of a value as Python formats it with `'{}'.format(v)`: arrays are
 * tuples (lists with `list`), null is None, booleans are True/False. Numbers
 * print as ints when integral (below 1e16, past which a JS number is far more
 * likely a Python float), unless `float` is set (Python keeps 1.0 and 1 apart;
 * JS cannot).
 */
export function py(v: unknown, opts: { float?: boolean; list?: boolean } = {}, depth = 0): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return opts.float || !Number.isInteger(v) || Math.abs(v) >= 1e16 ? pyFloat(v) : String(v);
  if (typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) {
    // Nor nests without end (a list 10^5 deep, or one that holds itself): Python's `[...]` past a depth.
    if (depth >= 32) return opts.list ? '[...]' : '(...)';
    // A message never walks a huge (or Proxy-claimed) length: the first items, then the count.
    const MAX = 64;
    if (v.length > MAX) {
      const head = Array.from({ length: MAX }, (_, i) => py(v[i], opts, depth + 1));
      return `${opts.list ? '[' : '('}${head.join(', ')}, ... (${v.length} items)${opts.list ? ']' : ')'}`;
    }
    const items = v.map((e) => py(e, opts, depth + 1));
    if (opts.list) return `[${items.join(', ')}]`;
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  return String(v);
}

/** str(torch.Size(shape)). */
export const pySize = (shape: readonly number[]): string => `torch.Size([${shape.join(', ')}])`;

/** torch.typename(v), as used in PyTorch's messages about a wrongly typed value: other values by their Python counterpart's type name. */
export function typename(v: unknown): string {
  if (v instanceof Tensor) {
    const kind: Record<string, string> = {
      float32: 'FloatTensor', float64: 'DoubleTensor', float16: 'HalfTensor', bfloat16: 'BFloat16Tensor',
      int64: 'LongTensor', int32: 'IntTensor', int16: 'ShortTensor', int8: 'CharTensor', uint8: 'ByteTensor', bool: 'BoolTensor',
    };
    return `torch.${v.is_cuda ? 'cuda.' : ''}${kind[v.dtype.name] ?? 'Tensor'}`;
  }
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  // A plain function (a Module or a transform is a function object too, of its own class).
  if (typeof v === 'function' && Object.getPrototypeOf(v) === Function.prototype) return 'function';
  if (Array.isArray(v)) return 'list';
  if (isOptions(v)) return 'dict';
  if (typeof v === 'object' || typeof v === 'function') return (v as object).constructor?.name ?? typeof v;
  return typeof v;
}

