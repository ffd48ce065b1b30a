// torch.utils.data._utils.collate (PyTorch 1.13): default_collate and
// default_convert. JS values map to Python's: an integral number is an int
// (int64), a batch holding any fractional number is float (float64), a
// boolean is bool, a BigInt int64, a TypedArray a numpy array (its dtype), a
// plain object a Mapping, an array a sequence (collated per position).
import { native } from '../../native';
import { Tensor, op } from '../../tensor';
import { bool, dtypeOfTypedArray, float64, int64 } from '../../dtype';

const { call } = native;
const STACK = op('stack');

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

function typedToTensor(a: ArrayBufferView): Tensor {
  const d = dtypeOfTypedArray(a);
  if (!d) throw new TypeError(`default_collate: unsupported array type ${a.constructor.name}`);
  return new Tensor(native.fromdata(a, [(a as unknown as ArrayLike<unknown>).length], d.code));
}

function errFormat(elem: unknown): TypeError {
  const name = elem === null ? 'NoneType' : typeof elem === 'object' ? (elem as object).constructor?.name ?? 'object' : typeof elem;
  return new TypeError(`default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found <class '${name}'>`);
}

/** Python numbers of one batch as one tensor: torch.tensor(batch) (int64 / bool) or dtype=float64. */
function numbersToTensor(batch: unknown[]): Tensor {
  if (batch.every((b) => typeof b === 'boolean')) {
    return new Tensor(native.fromdata(Uint8Array.from(batch as boolean[], Number), [batch.length], bool.code));
  }
  if (batch.every((b) => typeof b === 'bigint')) {
    return new Tensor(native.fromdata(BigInt64Array.from(batch as bigint[]), [batch.length], int64.code));
  }
  const nums = batch.map((b) => (typeof b === 'boolean' ? Number(b) : b));
  if (!nums.every((b) => typeof b === 'number')) throw errFormat(batch.find((b) => typeof b !== 'number'));
  if ((nums as number[]).every(Number.isInteger)) {
    return new Tensor(native.fromdata(BigInt64Array.from(nums as number[], (x) => BigInt(x)), [batch.length], int64.code));
  }
  return new Tensor(native.fromdata(Float64Array.from(nums as number[]), [batch.length], float64.code));
}

/** Puts each data field into a tensor with an outer batch dimension. */
export function default_collate(batch: unknown[]): unknown {
  const elem = batch[0];
  if (elem instanceof Tensor) {
    return new Tensor(call(STACK, (batch as Tensor[]).map((t) => {
      if (!(t instanceof Tensor)) throw errFormat(t);
      return t._h;
    }), 0));
  }
  if (ArrayBuffer.isView(elem) && !(elem instanceof DataView)) {
    const ts = batch.map((a) => typedToTensor(a as ArrayBufferView));
    try { return default_collate(ts); } finally { for (const t of ts) t.dispose(); }
  }
  if (typeof elem === 'number' || typeof elem === 'boolean' || typeof elem === 'bigint') return numbersToTensor(batch);
  if (typeof elem === 'string') return batch;
  if (isPlainObject(elem)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(elem)) out[key] = default_collate(batch.map((d) => (d as Record<string, unknown>)[key]));
    return out;
  }
  if (Array.isArray(elem)) {
    const n = elem.length;
    if (!batch.every((b) => Array.isArray(b) && b.length === n)) throw new Error('each element in list of batch should be of equal size');
    return Array.from({ length: n }, (_, i) => default_collate(batch.map((b) => (b as unknown[])[i])));
  }
  throw errFormat(elem);
}

/** Converts TypedArrays (numpy arrays) inside a sample to tensors; everything else as it is. */
export function default_convert(data: unknown): unknown {
  if (data instanceof Tensor) return data;
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) return typedToTensor(data);
  if (isPlainObject(data)) return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, default_convert(v)]));
  if (Array.isArray(data)) return data.map(default_convert);
  return data;
}
