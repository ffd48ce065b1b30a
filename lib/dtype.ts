// torch.dtype: the dtype objects and their codes (c10::ScalarType values, the
// same in every LibTorch version).
import { native } from './native';

// As in Python (`torch.dtype()` is "cannot create 'torch.dtype' instances"),
// the dtype objects are the table below and nothing else: the constructor
// refuses any caller but this file, the objects are frozen, and `instanceof
// dtype` is true only of them (an object made with Object.create(dtype.prototype)
// or a prototype swap is not a dtype), so that no code path can hand LibTorch
// a code / itemsize pair it never makes.
const TABLE_ONLY = Symbol('torch-node.dtype.table');
const REAL = new Set<object>();

export class dtype {
  readonly name!: string;
  /** c10::ScalarType code */
  readonly code!: number;
  readonly itemsize!: number;
  readonly is_floating_point!: boolean;
  readonly is_signed!: boolean;
  readonly is_complex!: boolean;
  /** @internal Only this file makes dtypes; from JS, `new torch.dtype(...)` throws as Python's does. */
  constructor(token: unknown, name: string, code: number, itemsize: number, is_floating_point: boolean, is_signed: boolean) {
    if (token !== TABLE_ONLY || REAL.size >= 10) throw new TypeError("cannot create 'torch.dtype' instances");
    Object.assign(this, { name, code, itemsize, is_floating_point, is_signed, is_complex: false });
    Object.freeze(this);
    REAL.add(this);
  }
  static [Symbol.hasInstance](v: unknown): boolean { return typeof v === 'object' && v !== null && REAL.has(v); }
  toString(): string { return `torch.${this.name}`; }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}
Object.freeze(dtype.prototype);
Object.freeze(dtype);

export const uint8 = new dtype(TABLE_ONLY, 'uint8', 0, 1, false, false);
export const int8 = new dtype(TABLE_ONLY, 'int8', 1, 1, false, true);
export const int16 = new dtype(TABLE_ONLY, 'int16', 2, 2, false, true);
export const int32 = new dtype(TABLE_ONLY, 'int32', 3, 4, false, true);
export const int64 = new dtype(TABLE_ONLY, 'int64', 4, 8, false, true);
export const float16 = new dtype(TABLE_ONLY, 'float16', 5, 2, true, true);
export const float32 = new dtype(TABLE_ONLY, 'float32', 6, 4, true, true);
export const float64 = new dtype(TABLE_ONLY, 'float64', 7, 8, true, true);
export const bool = new dtype(TABLE_ONLY, 'bool', 11, 1, false, false);
export const bfloat16 = new dtype(TABLE_ONLY, 'bfloat16', 15, 2, true, true);
// PyTorch's aliases
export const half = float16, float = float32, double = float64;
export const short = int16, int = int32, long = int64;

const byCode: dtype[] = [];
for (const d of [uint8, int8, int16, int32, int64, float16, float32, float64, bool, bfloat16]) byCode[d.code] = d;

export function dtypeFromCode(code: number): dtype {
  const d = byCode[code];
  if (!d) throw new TypeError(`torch-node does not support the LibTorch dtype with code ${code}`);
  return d;
}

export function get_default_dtype(): dtype { return dtypeFromCode(native.get_default_dtype()); }

export function set_default_dtype(d: dtype): void {
  if (!(d instanceof dtype)) throw new TypeError('set_default_dtype(): d must be a torch.dtype');
  native.set_default_dtype(d.code);
}

/** The dtype a TypedArray holds; null for other values. */
export function dtypeOfTypedArray(a: unknown): dtype | null {
  if (a instanceof Float32Array) return float32;
  if (a instanceof Float64Array) return float64;
  if (a instanceof Int32Array) return int32;
  if (a instanceof BigInt64Array) return int64;
  if (a instanceof Int16Array) return int16;
  if (a instanceof Int8Array) return int8;
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return uint8;
  return null;
}

/** PyTorch's promote_types for the dtypes we have. */
export function promote_types(type1: dtype, type2: dtype): dtype {
  if (type1 === type2) return type1;
  if (type1 === bool) return type2;
  if (type2 === bool) return type1;
  if (type1.is_floating_point !== type2.is_floating_point) return type1.is_floating_point ? type1 : type2;
  if (type1.is_floating_point) {
    if ((type1 === float16 && type2 === bfloat16) || (type1 === bfloat16 && type2 === float16)) return float32;
    return type1.itemsize >= type2.itemsize ? type1 : type2;
  }
  if ((type1 === uint8 && type2 === int8) || (type1 === int8 && type2 === uint8)) return int16;
  if (type1 === uint8) return type2.itemsize > 1 ? type2 : int16;
  if (type2 === uint8) return type1.itemsize > 1 ? type1 : int16;
  return type1.itemsize >= type2.itemsize ? type1 : type2;
}
