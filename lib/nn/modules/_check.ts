// Checks of module hyper-parameters at forward time. A module's attributes are
// plain properties that any code may reassign (`conv.groups = 2 ** 53`), and
// some values reach LibTorch kernels that narrow them to 32-bit ints (a groups
// of 2^32 became a division by zero: SIGFPE, in Python too). So every layer
// checks what it is about to pass: PyTorch's own message where PyTorch has a
// check, and otherwise an error naming the layer and the attribute.
import { Tensor } from '../../tensor';

const INT32_MAX = 2147483647;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return 'array';
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'object';
}

/** One integer hyper-parameter: a safe integer within LibTorch's int range. */
export function checkInt(layer: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`${layer}: ${name} must be an integer, not ${typeof v === 'number' ? String(v) : typeName(v)}`);
  }
  if (Math.abs(v) > INT32_MAX) throw new RangeError(`${layer}: ${name} = ${v} is out of range (LibTorch's kernels take at most ${INT32_MAX})`);
  return v;
}

/** A `_size_2_t` hyper-parameter (one int, or a tuple of `n` ints). */
export function checkSize(layer: string, name: string, v: unknown, n = 2, { allowOne = true } = {}): number[] {
  const items = typeof v === 'number' ? [v] : Array.isArray(v) ? v : null;
  if (items === null || items.length === 0 || items.length > n || (!allowOne && items.length !== n && typeof v !== 'number')) {
    throw new TypeError(`${layer}: ${name} must be an int or a tuple of ${n} ints, not ${typeName(v)}${Array.isArray(v) ? ` of length ${v.length}` : ''}`);
  }
  return items.map((e) => checkInt(layer, name, e));
}

/** Conv2d's attributes, with the messages of ATen's convolution checks (ConvUtils.h / Convolution.cpp). */
export function checkConv(layer: string, m: { stride: unknown; padding: unknown; dilation: unknown; groups: unknown; padding_mode: unknown },
  weight: Tensor, n = 2): void {
  const stride = checkSize(layer, 'stride', m.stride, n);
  const dilation = checkSize(layer, 'dilation', m.dilation, n);
  if (typeof m.padding === 'string') {
    if (m.padding !== 'same' && m.padding !== 'valid') throw new Error(`Invalid padding string '${m.padding}', should be one of {'same', 'valid'}`);
  } else {
    const padding = checkSize(layer, 'padding', m.padding, n);
    if (padding.some((p) => p < 0)) throw new Error('negative padding is not supported');
  }
  if (stride.some((s) => s <= 0)) throw new Error('non-positive stride is not supported');
  if (dilation.some((d) => d <= 0)) throw new Error(`dilation should be greater than zero, but got [${dilation.join(', ')}]`);
  const groups = checkInt(layer, 'groups', m.groups);
  if (groups <= 0) throw new Error('non-positive groups is not supported');
  const out = weight.shape[0];
  if (weight.dim() > 0 && out < groups) {
    throw new Error(`Given groups=${groups}, expected weight to be at least ${groups} at dimension 0, but got weight of size [${weight.shape.join(', ')}] instead`);
  }
  if (!['zeros', 'reflect', 'replicate', 'circular'].includes(m.padding_mode as string)) {
    throw new Error(`padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode=${JSON.stringify(m.padding_mode)}`);
  }
}

/** A pooling layer's sizes (ATen's pool2d_shape_check runs after these, with its own messages). */
export function checkPool(layer: string, m: { kernel_size: unknown; stride: unknown; padding: unknown; dilation?: unknown; divisor_override?: unknown }, n = 2): void {
  checkSize(layer, 'kernel_size', m.kernel_size, n);
  if (m.stride !== null && !(Array.isArray(m.stride) && m.stride.length === 0)) checkSize(layer, 'stride', m.stride, n);
  checkSize(layer, 'padding', m.padding, n);
  if (m.dilation !== undefined) checkSize(layer, 'dilation', m.dilation, n);
  if (m.divisor_override !== undefined && m.divisor_override !== null) {
    if (checkInt(layer, 'divisor_override', m.divisor_override) === 0) throw new Error('divisor must be not zero');
  }
}

/** AdaptiveAvgPool2d's output_size: ints (or null: the input's size). */
export function checkOutputSize(layer: string, v: unknown, n = 2): void {
  const items = typeof v === 'number' ? [v] : Array.isArray(v) ? v : null;
  if (items === null || items.length === 0 || items.length > n) {
    throw new TypeError(`${layer}: output_size must be an int or a tuple of ${n} ints (or None), not ${typeName(v)}`);
  }
  for (const e of items) if (e !== null) checkInt(layer, 'output_size', e);
}

/** A forward() argument that must be a tensor: a TypeError naming the layer and the argument otherwise. */
export function checkTensor(layer: string, name: string, v: unknown): void {
  if (!(v instanceof Tensor)) throw new TypeError(`${layer}.forward(): argument '${name}' must be a Tensor, not ${typeName(v)}`);
}
