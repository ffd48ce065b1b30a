// Tensor creation: torch.tensor, zeros, ones, rand..., the *_like forms,
// zero-copy frombuffer/as_tensor, and the random seed.
import { native } from './native';
import * as dt from './dtype';
import { dtype, dtypeOfTypedArray, get_default_dtype } from './dtype';
import { Tensor, TensorOptions, op, full, dtypeCode, deviceArg } from './tensor';
import { DeviceLike } from './device';
import type { Generator } from './generator';

const { call } = native;
const O = { randint: op('randint', 'low'), randint_gen: op('randint', 'low_generator'), randint_like: op('randint_like', 'low_dtype') };

function finish(t: Tensor, opts: TensorOptions): Tensor {
  if (opts.requires_grad) t.requires_grad_(true);
  return t;
}

// Generated from the schemas, bound as Python binds them (sizes as varargs or a list,
// every argument by keyword, out=).
export { zeros, ones, rand, randn, empty, zeros_like, ones_like, empty_like, rand_like, randn_like, full_like,
  randperm, arange, linspace, logspace, eye, normal } from './generated/torch';

/** Python's refusal of a keyword a hand-written factory does not take. */
function checkKeys(fn: string, opts: object, allowed: readonly string[]): void {
  for (const k of Object.keys(opts)) if (!allowed.includes(k)) throw new TypeError(`${fn}() got an unexpected keyword argument '${k}'`);
}
const FACTORY_KEYS = ['dtype', 'device', 'requires_grad', 'layout', 'pin_memory'] as const;

export type RandintOptions = TensorOptions & { generator?: Generator | null };
/** randint(high, size) or randint(low, high, size), with { generator, dtype, device, requires_grad }; int64 by default, as PyTorch. */
export function randint(low: number, high: number | number[], size?: number[] | RandintOptions, opts: RandintOptions = {}): Tensor {
  let lo = 0, hi: number, shape: number[];
  if (Array.isArray(high)) {
    hi = low; shape = high;
    if (size && !Array.isArray(size)) opts = size;
  } else {
    lo = low; hi = high;
    if (!Array.isArray(size)) throw new TypeError('randint(): size must be an array of integers');
    shape = size;
  }
  checkKeys('randint', opts, [...FACTORY_KEYS, 'generator']);
  const d = (opts.dtype ?? dt.int64).code;
  if (opts.generator) {
    return finish(new Tensor(call(O.randint_gen, lo, hi, shape, opts.generator._h, d, null, deviceArg(opts.device), null)), opts);
  }
  return finish(new Tensor(call(O.randint, lo, hi, shape, d, null, deviceArg(opts.device), null)), opts);
}

/** randint_like(input, high) or randint_like(input, low, high), with options last. */
export function randint_like(input: Tensor, low: number, high?: number | TensorOptions, opts: TensorOptions = {}): Tensor {
  if (typeof high === 'object') { opts = high; high = undefined; }
  const [lo, hi] = high === undefined ? [0, low] : [low, high];
  checkKeys('randint_like', opts, [...FACTORY_KEYS, 'memory_format']);
  return finish(new Tensor(call(O.randint_like, input._h, lo, hi, dtypeCode(opts.dtype), null, deviceArg(opts.device), null, null)), opts);
}

export { full };

// ---- from JS data ----
type Nested = number | boolean | bigint | Nested[];
type TypedArray = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Uint8Array | Uint8ClampedArray;

function flatten(data: Nested, shape: number[], out: Nested[], depth: number): void {
  if (Array.isArray(data)) {
    if (shape.length === depth) shape.push(data.length);
    else if (shape[depth] !== data.length) {
      throw new RangeError(`expected sequence of length ${shape[depth]} at dim ${depth} (got ${data.length})`);
    }
    for (const d of data) flatten(d, shape, out, depth + 1);
  } else {
    if (depth !== shape.length) throw new RangeError(`tensor(): ragged nested arrays at dim ${depth}`);
    out.push(data);
  }
}

/**
 * torch.tensor(data, opts): always copies. JS numbers give the default dtype
 * (Python gives int64 for ints: JS cannot tell 1 from 1.0), booleans bool,
 * BigInts int64, a TypedArray its own dtype; an explicit dtype wins.
 */
/** The values an integral dtype holds: Python refuses the others ("value cannot be converted ... without overflow"). */
const INTEGRAL_RANGE: Record<string, [number, number]> = {
  uint8: [0, 255], int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647],
  int64: [-9223372036854775808, 9223372036854775807],
};
function checkIntegralRange(values: Float64Array, d: dtype): void {
  const range = INTEGRAL_RANGE[d.name.replace(/^torch\./, '')];
  if (!range) return;
  for (const v of values) {
    // int64's upper bound rounds up to 2^63 as a double, which does not fit: hence >= for it.
    if (!Number.isFinite(v) || Math.trunc(v) < range[0] || (d === dt.int64 ? v >= 2 ** 63 : Math.trunc(v) > range[1])) {
      throw new Error(`value cannot be converted to type ${d.name.replace(/^torch\./, '')} without overflow`);
    }
  }
}

export function tensor(data: Nested | TypedArray | Tensor, opts: TensorOptions = {}): Tensor {
  checkKeys('tensor', opts, FACTORY_KEYS);
  if (data instanceof Tensor) {
    const detached = data.detach();
    let t = detached.clone();
    detached.dispose();
    if (opts.dtype || opts.device) {
      const converted = t.to(opts.device ?? t.device, opts.dtype ?? t.dtype);
      if (converted !== t) { t.dispose(); t = converted; }
    }
    return finish(t, opts);
  }
  let values: TypedArray, shape: number[], src: dtype;
  const typed = dtypeOfTypedArray(data);
  if (typed) {
    values = data as TypedArray; shape = [(data as TypedArray).length]; src = typed;
  } else {
    shape = [];
    const flat: Nested[] = [];
    flatten(data as Nested, shape, flat, 0);
    const kinds = new Set(flat.map((v) => typeof v));
    if (kinds.size > 1 && kinds.has('bigint')) throw new TypeError('tensor(): cannot mix BigInt with other values');
    if (kinds.has('bigint')) {
      if (opts.dtype?.is_floating_point) {
        // Python converts an int through double for a floating dtype: 2**63 is 9.2234e18, not an overflow.
        values = Float64Array.from(flat as bigint[], Number); src = dt.float64;
      } else {
        for (const v of flat as bigint[]) {
          if (v < -(2n ** 63n) || v >= 2n ** 63n) throw new Error('Overflow when unpacking long');
        }
        values = BigInt64Array.from(flat as bigint[]); src = dt.int64;
      }
    }
    else if (kinds.size === 1 && kinds.has('boolean')) { values = Uint8Array.from(flat as boolean[], (b) => (b ? 1 : 0)); src = dt.bool; }
    else {
      for (const v of flat) if (typeof v !== 'number' && typeof v !== 'boolean') throw new TypeError(`tensor(): unsupported element type ${typeof v}`);
      values = Float64Array.from(flat as number[], Number); src = dt.float64;
      if (opts.dtype) checkIntegralRange(values, opts.dtype);
      if (!opts.dtype) {
        // Convert in JS where exact, to skip a second native copy.
        const d = get_default_dtype();
        if (d === dt.float32) { values = Float32Array.from(values); src = dt.float32; }
        else if (d === dt.float64) src = dt.float64;
      }
    }
  }
  let t = new Tensor(native.fromdata(values, shape, src.code));
  const want = opts.dtype ?? (typed || src === dt.int64 || src === dt.bool ? src : get_default_dtype());
  if (want !== src || opts.device) {
    const converted = t.to(opts.device ?? 'cpu', want);
    if (converted !== t) { t.dispose(); t = converted; }
  }
  return finish(t, opts);
}

/** torch.frombuffer: a 1-D tensor sharing memory with the buffer (zero-copy). */
export function frombuffer(buffer: ArrayBuffer | ArrayBufferView, opts: { dtype?: dtype; count?: number; offset?: number; requires_grad?: boolean } = {}): Tensor {
  checkKeys('frombuffer', opts, ['dtype', 'count', 'offset', 'requires_grad']);
  let ab: ArrayBuffer, base = 0, bytes: number;
  if (ArrayBuffer.isView(buffer)) {
    ab = buffer.buffer as ArrayBuffer; base = buffer.byteOffset; bytes = buffer.byteLength;
  } else if (buffer instanceof ArrayBuffer) {
    ab = buffer; bytes = buffer.byteLength;
  } else {
    throw new TypeError('frombuffer(): buffer must be an ArrayBuffer or a TypedArray');
  }
  const d = opts.dtype ?? dtypeOfTypedArray(buffer) ?? null;
  if (!d) throw new TypeError('frombuffer(): dtype is required for an ArrayBuffer');
  const offset = opts.offset ?? 0, count = opts.count ?? -1;
  if (offset < 0 || offset > bytes) throw new RangeError(`offset (${offset} bytes) must be non-negative and no greater than buffer length (${bytes} bytes) minus 1`);
  const avail = bytes - offset;
  if (count === -1 && avail % d.itemsize !== 0) throw new RangeError(`buffer length (${avail} bytes) after offset (${offset} bytes) must be a multiple of element size (${d.itemsize})`);
  const n = count === -1 ? avail / d.itemsize : count;
  if (n < 0 || n * d.itemsize > avail) throw new RangeError(`requested buffer length (${n} * ${d.itemsize} bytes) after offset (${offset} bytes) must not be greater than actual buffer length (${bytes} bytes)`);
  return finish(new Tensor(native.frombuffer(ab, base + offset, n, d.code)), opts);
}

/** torch.as_tensor: shares memory with a TypedArray when no conversion is needed (like from_numpy). */
export function as_tensor(data: Nested | TypedArray | Tensor, opts: { dtype?: dtype; device?: DeviceLike } = {}): Tensor {
  checkKeys('as_tensor', opts, ['dtype', 'device']);
  if (data instanceof Tensor) return opts.dtype || opts.device ? data.to(opts.device ?? data.device, opts.dtype ?? data.dtype) : data;
  const typed = dtypeOfTypedArray(data);
  if (typed && (!opts.dtype || opts.dtype === typed) && (!opts.device || String(opts.device) === 'cpu')) return frombuffer(data as TypedArray);
  return tensor(data, opts);
}
/** torch.from_numpy's counterpart: a tensor sharing memory with the TypedArray. */
export const from_blob = (data: TypedArray, shape?: number[]): Tensor => {
  const t = frombuffer(data);
  if (!shape) return t;
  const v = t.view(shape);
  t.dispose();
  return v;
};

/** torch.from_numpy's counterpart: a TypedArray (and optional shape) as a tensor sharing its memory, no copy. */
export function from_numpy(data: TypedArray, shape?: number[]): Tensor { return from_blob(data, shape); }
/** torch.asarray(obj, dtype=None, device=None, copy=None, requires_grad=False): shares memory when it can. */
export function asarray(obj: Nested | TypedArray | Tensor, opts: { dtype?: dtype; device?: DeviceLike; copy?: boolean | null; requires_grad?: boolean } = {}): Tensor {
  for (const k of Object.keys(opts)) if (!['dtype', 'device', 'copy', 'requires_grad'].includes(k)) throw new TypeError(`asarray() got an unexpected keyword argument '${k}'`);
  const t = opts.copy ? tensor(obj, { dtype: opts.dtype, device: opts.device }) : as_tensor(obj, { dtype: opts.dtype, device: opts.device });
  return finish(t, { requires_grad: opts.requires_grad });
}

// ---- seeds ----
export function manual_seed(seed: number | bigint): void {
  if (typeof seed !== 'number' && typeof seed !== 'bigint') throw new TypeError('manual_seed(): seed must be an integer');
  native.manual_seed(seed);
}
/** Seeds the default generator non-deterministically; returns the seed (a BigInt, it may exceed 2^53). */
export function seed(): bigint { return BigInt(native.seed()); }
export function initial_seed(): bigint { return BigInt(native.initial_seed()); }
