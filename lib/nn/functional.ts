// torch.nn.functional: each function calls the same ATen op that PyTorch's
// Python F.* calls, after the same Python-side checks, so results and error
// messages are PyTorch's. Arguments bind as in Python: positional values, then
// one trailing options object for the keyword arguments.
import { native, Handle } from '../native';
import { Tensor, op, dtypeCode } from '../tensor';
import { dtype } from '../dtype';
import { bind, pair, py, pySize, Rest, Size2 } from './common';
import { warn } from '../warnings';

const { call } = native;
const O = {
  linear: op('linear'), conv2d: op('conv2d'), conv2d_padding: op('conv2d', 'padding'), batch_norm: op('batch_norm'),
  relu: op('relu'), relu_: op('relu_'), sigmoid: op('sigmoid'), tanh: op('tanh'), gelu: op('gelu'),
  softmax: op('softmax', 'int'), log_softmax: op('log_softmax', 'int'),
  dropout: op('dropout'), dropout_: op('dropout_'),
  max_pool2d: op('max_pool2d'), max_pool2d_with_indices: op('max_pool2d_with_indices'), avg_pool2d: op('avg_pool2d'),
  adaptive_avg_pool2d: op('adaptive_avg_pool2d'), pad: op('pad'), broadcast_tensors: op('broadcast_tensors'), expand: op('expand'),
  cross_entropy_loss: op('cross_entropy_loss'), nll_loss_nd: op('nll_loss_nd'), mse_loss: op('mse_loss'), l1_loss: op('l1_loss'),
  binary_cross_entropy: op('binary_cross_entropy'), binary_cross_entropy_with_logits: op('binary_cross_entropy_with_logits'),
};

/** A result as a Tensor; an op that hands back its input (in-place forms, dropout in eval) gives back the same object. */
function wrap(r: Handle, input: Tensor): Tensor { return r === input._h ? input : new Tensor(r); }
/**
 * A tensor argument as the op takes it. Anything else goes through as it is,
 * so that the op itself reports it ("linear(): argument 'input' must be a
 * Tensor, not number") rather than seeing a missing argument.
 */
const h = (t: Tensor): Handle => (t instanceof Tensor ? t._h : t as unknown as Handle);
/** An optional tensor argument: null and undefined are None. */
const opt = (t: Tensor | null | undefined): Handle | null => (t == null ? null : h(t));

// ---- linear and convolution ----------------------------------------------------

/** y = x W^T + b */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return new Tensor(call(O.linear, h(input), h(weight), opt(bias)));
}

export type Padding2d = Size2 | 'same' | 'valid';
export interface Conv2dArgs { bias: Tensor | null; stride: Size2; padding: Padding2d; dilation: Size2; groups: number }
/** conv2d(input, weight, bias = null, stride = 1, padding = 0, dilation = 1, groups = 1); padding may be 'same' or 'valid'. */
export function conv2d(input: Tensor, weight: Tensor, ...args: Rest<[Tensor | null, Size2, Padding2d, Size2, number], Partial<Conv2dArgs>>): Tensor {
  const a = bind<Conv2dArgs>('conv2d', args, { bias: null, stride: 1, padding: 0, dilation: 1, groups: 1 });
  return new Tensor(typeof a.padding === 'string'
    ? call(O.conv2d_padding, h(input), h(weight), opt(a.bias), pair(a.stride), a.padding, pair(a.dilation), a.groups)
    : call(O.conv2d, h(input), h(weight), opt(a.bias), pair(a.stride), pair(a.padding), pair(a.dilation), a.groups));
}

/** pad(input, pad, mode = 'constant', value = null): pad lists (left, right) pairs from the last dimension backwards. */
export function pad(input: Tensor, padding: number[], ...args: Rest<['constant' | 'reflect' | 'replicate' | 'circular', number | null], { mode?: string; value?: number | null }>): Tensor {
  const a = bind<{ mode: string; value: number | null }>('pad', args, { mode: 'constant', value: null });
  return new Tensor(call(O.pad, h(input), padding, a.mode, a.value));
}

// ---- normalization ----------------------------------------------------------------

/** Python's _verify_batch_size: batch statistics need more than one value per channel. */
function verifyBatchSize(size: number[]): void {
  let prod = size[0];
  for (let i = 2; i < size.length; i++) prod *= size[i];
  if (prod === 1) throw new Error(`Expected more than 1 value per channel when training, got input size ${pySize(size)}`);
}

export interface BatchNormArgs { weight: Tensor | null; bias: Tensor | null; training: boolean; momentum: number; eps: number }
/**
 * batch_norm(input, running_mean, running_var, weight = null, bias = null,
 * training = false, momentum = 0.1, eps = 1e-5). In training mode the running
 * statistics (when given) are updated in place.
 */
export function batch_norm(input: Tensor, running_mean: Tensor | null, running_var: Tensor | null,
  ...args: Rest<[Tensor | null, Tensor | null, boolean, number, number], Partial<BatchNormArgs>>): Tensor {
  const a = bind<BatchNormArgs>('batch_norm', args, { weight: null, bias: null, training: false, momentum: 0.1, eps: 1e-5 });
  if (a.training) verifyBatchSize(input.shape);
  return new Tensor(call(O.batch_norm, h(input), opt(a.weight), opt(a.bias), opt(running_mean), opt(running_var),
    a.training, a.momentum, a.eps, true));
}

// ---- activations --------------------------------------------------------------------

/** relu(input, inplace = false), or relu(input, { inplace }). */
export function relu(input: Tensor, ...args: Rest<[boolean], { inplace?: boolean }>): Tensor {
  const { inplace } = bind<{ inplace: boolean }>('relu', args, { inplace: false });
  return inplace ? wrap(call(O.relu_, h(input)), input) : new Tensor(call(O.relu, h(input)));
}
export function relu_(input: Tensor): Tensor { return relu(input, true); }
export function sigmoid(input: Tensor): Tensor { return new Tensor(call(O.sigmoid, h(input))); }
export function tanh(input: Tensor): Tensor { return new Tensor(call(O.tanh, h(input))); }
/** gelu(input, { approximate: 'none' | 'tanh' }) */
export function gelu(input: Tensor, opts: { approximate?: 'none' | 'tanh' } = {}): Tensor {
  return new Tensor(call(O.gelu, h(input), opts.approximate ?? 'none'));
}

/** Python's _get_softmax_dim: the deprecated implicit dim. */
function softmaxDim(name: string, ndim: number): number {
  warn(`Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`);
  return ndim === 0 || ndim === 1 || ndim === 3 ? 0 : 1;
}
/** softmax(input, dim, { dtype }) */
export function softmax(input: Tensor, dim: number | null = null, opts: { dtype?: dtype | null } = {}): Tensor {
  const d = dim ?? softmaxDim('softmax', input.dim());
  return new Tensor(call(O.softmax, h(input), d, dtypeCode(opts.dtype)));
}
/** log_softmax(input, dim, { dtype }) */
export function log_softmax(input: Tensor, dim: number | null = null, opts: { dtype?: dtype | null } = {}): Tensor {
  const d = dim ?? softmaxDim('log_softmax', input.dim());
  return new Tensor(call(O.log_softmax, h(input), d, dtypeCode(opts.dtype)));
}

// ---- dropout ---------------------------------------------------------------------------

export interface DropoutArgs { p: number; training: boolean; inplace: boolean }
/** dropout(input, p = 0.5, training = true, inplace = false): draws its mask from the default generator, as PyTorch. */
export function dropout(input: Tensor, ...args: Rest<[number, boolean, boolean], Partial<DropoutArgs>>): Tensor {
  const a = bind<DropoutArgs>('dropout', args, { p: 0.5, training: true, inplace: false });
  if (a.p < 0 || a.p > 1) throw new Error(`dropout probability has to be between 0 and 1, but got ${py(a.p)}`);
  return wrap(call(a.inplace ? O.dropout_ : O.dropout, h(input), a.p, a.training), input);
}

// ---- pooling ----------------------------------------------------------------------------

export interface MaxPool2dArgs { stride: Size2 | null; padding: Size2; dilation: Size2; ceil_mode: boolean; return_indices: boolean }
type MaxPoolRest = Rest<[Size2 | null, Size2, Size2, boolean, boolean], Partial<MaxPool2dArgs>>;
const MAXPOOL_SPEC = { stride: null, padding: 0, dilation: 1, ceil_mode: false, return_indices: false };
// An empty stride is ATen's "same as kernel_size", as Python passes it.
const poolArgs = (kernel_size: Size2, a: { stride: Size2 | null; padding: Size2 }) =>
  [pair(kernel_size), a.stride === null ? [] : pair(a.stride), pair(a.padding)] as const;

/**
 * max_pool2d(input, kernel_size, stride = kernel_size, padding = 0, dilation = 1,
 * ceil_mode = false, return_indices = false); with return_indices, [output, indices].
 */
export function max_pool2d(input: Tensor, kernel_size: Size2, ...args: MaxPoolRest): Tensor {
  const a = bind<MaxPool2dArgs>('max_pool2d', args, MAXPOOL_SPEC);
  if (a.return_indices) return max_pool2d_with_indices(input, kernel_size, { ...a, return_indices: true }) as unknown as Tensor;
  return new Tensor(call(O.max_pool2d, h(input), ...poolArgs(kernel_size, a), pair(a.dilation), a.ceil_mode));
}
export function max_pool2d_with_indices(input: Tensor, kernel_size: Size2, ...args: MaxPoolRest): [Tensor, Tensor] {
  const a = bind<MaxPool2dArgs>('max_pool2d_with_indices', args, MAXPOOL_SPEC);
  const [o, i] = call(O.max_pool2d_with_indices, h(input), ...poolArgs(kernel_size, a), pair(a.dilation), a.ceil_mode) as [Handle, Handle];
  return [new Tensor(o), new Tensor(i)];
}

export interface AvgPool2dArgs { stride: Size2 | null; padding: Size2; ceil_mode: boolean; count_include_pad: boolean; divisor_override: number | null }
/** avg_pool2d(input, kernel_size, stride = kernel_size, padding = 0, ceil_mode = false, count_include_pad = true, divisor_override = null) */
export function avg_pool2d(input: Tensor, kernel_size: Size2, ...args: Rest<[Size2 | null, Size2, boolean, boolean, number | null], Partial<AvgPool2dArgs>>): Tensor {
  const a = bind<AvgPool2dArgs>('avg_pool2d', args, { stride: null, padding: 0, ceil_mode: false, count_include_pad: true, divisor_override: null });
  return new Tensor(call(O.avg_pool2d, h(input), ...poolArgs(kernel_size, a), a.ceil_mode, a.count_include_pad, a.divisor_override));
}

/** adaptive_avg_pool2d(input, output_size): output_size is [H, W] (null keeps the input's size) or one number for both. */
export function adaptive_avg_pool2d(input: Tensor, output_size: number | (number | null)[]): Tensor {
  let size: number[];
  if (typeof output_size === 'number') size = [output_size, output_size];
  else {
    const defaults = input.shape;
    if (defaults.length <= output_size.length) throw new Error(`Input dimension should be at least ${output_size.length + 1}`);
    const tail = defaults.slice(-output_size.length);
    size = output_size.map((v, i) => v ?? tail[i]);
  }
  return new Tensor(call(O.adaptive_avg_pool2d, h(input), size));
}

// ---- losses ---------------------------------------------------------------------------------

export type Reduction = 'none' | 'mean' | 'sum';

/** Python's _Reduction.get_enum. */
function reductionEnum(reduction: string): number {
  switch (reduction) {
    case 'none': return 0;
    case 'mean': return 1;
    case 'elementwise_mean':
      warn("reduction='elementwise_mean' is deprecated, please use reduction='mean' instead.");
      return 1;
    case 'sum': return 2;
    default: throw new Error(`${reduction} is not a valid value for reduction`);
  }
}

/** The deprecated size_average/reduce pair, as Python's _Reduction.legacy_get_string. */
export function legacyReduction(size_average: boolean | null, reduce: boolean | null): Reduction {
  const sa = size_average ?? true, r = reduce ?? true;
  const ret: Reduction = sa && r ? 'mean' : r ? 'sum' : 'none';
  warn(`size_average and reduce args will be deprecated, please use reduction='${ret}' instead.`);
  return ret;
}
/** The reduction enum of a loss call, honouring the deprecated arguments as Python does. */
function reductionOf(a: { size_average: boolean | null; reduce: boolean | null; reduction: string }): number {
  return reductionEnum(a.size_average !== null || a.reduce !== null ? legacyReduction(a.size_average, a.reduce) : a.reduction);
}

interface Legacy { size_average: boolean | null; reduce: boolean | null; reduction: Reduction }
const LEGACY = { size_average: null, reduce: null, reduction: 'mean' } as const;
const sameShape = (a: Tensor, b: Tensor): boolean => a.shape.join() === b.shape.join() && a.dim() === b.dim();

export interface CrossEntropyArgs extends Legacy { weight: Tensor | null; ignore_index: number; label_smoothing: number }
/**
 * cross_entropy(input, target, weight = null, size_average, ignore_index = -100,
 * reduce, reduction = 'mean', label_smoothing = 0); target holds class indices
 * (int64) or class probabilities (same shape as input).
 */
export function cross_entropy(input: Tensor, target: Tensor,
  ...args: Rest<[Tensor | null, boolean | null, number, boolean | null, Reduction, number], Partial<CrossEntropyArgs>>): Tensor {
  const a = bind<CrossEntropyArgs>('cross_entropy', args, { weight: null, size_average: null, ignore_index: -100, reduce: null, reduction: 'mean', label_smoothing: 0 });
  return new Tensor(call(O.cross_entropy_loss, h(input), h(target), opt(a.weight), reductionOf(a), a.ignore_index, a.label_smoothing));
}

export interface NllLossArgs extends Legacy { weight: Tensor | null; ignore_index: number }
/** nll_loss(input, target, weight = null, size_average, ignore_index = -100, reduce, reduction = 'mean'): input holds log-probabilities. */
export function nll_loss(input: Tensor, target: Tensor,
  ...args: Rest<[Tensor | null, boolean | null, number, boolean | null, Reduction], Partial<NllLossArgs>>): Tensor {
  const a = bind<NllLossArgs>('nll_loss', args, { weight: null, size_average: null, ignore_index: -100, reduce: null, reduction: 'mean' });
  return new Tensor(call(O.nll_loss_nd, h(input), h(target), opt(a.weight), reductionOf(a), a.ignore_index));
}

/** mse_loss and l1_loss: a warning on mismatched shapes, then the broadcast pair into the op. */
function pointwiseLoss(name: string, handle: number, input: Tensor, target: Tensor, args: readonly unknown[]): Tensor {
  const a = bind<Legacy>(name, args, LEGACY);
  if (!sameShape(input, target)) {
    warn(`Using a target size (${pySize(target.shape)}) that is different to the input size (${pySize(input.shape)}). ` +
      'This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.');
  }
  const reduction = reductionOf(a);
  const [ei, et] = call(O.broadcast_tensors, [h(input), h(target)]) as [Handle, Handle];
  try {
    return new Tensor(call(handle, ei, et, reduction));
  } finally {
    native.dispose(ei); // the expanded views: new handles, whose storage the graph keeps
    native.dispose(et);
  }
}
type LegacyRest = Rest<[boolean | null, boolean | null, Reduction], Partial<Legacy>>;
/** mse_loss(input, target, size_average, reduce, reduction = 'mean'): mean of (input - target)^2. */
export function mse_loss(input: Tensor, target: Tensor, ...args: LegacyRest): Tensor {
  return pointwiseLoss('mse_loss', O.mse_loss, input, target, args);
}
/** l1_loss(input, target, size_average, reduce, reduction = 'mean'): mean of |input - target|. */
export function l1_loss(input: Tensor, target: Tensor, ...args: LegacyRest): Tensor {
  return pointwiseLoss('l1_loss', O.l1_loss, input, target, args);
}

/** Python's _infer_size: the broadcast shape of two shapes. */
function inferSize(a: number[], b: number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const offset = n - 1 - i;
    const da = a.length - 1 - offset, db = b.length - 1 - offset;
    const sa = da >= 0 ? a[da] : 1, sb = db >= 0 ? b[db] : 1;
    if (sa !== sb && sa !== 1 && sb !== 1) {
      throw new Error(`The size of tensor a (${sa}) must match the size of tensor b (${sb}) at non-singleton dimension ${i}`);
    }
    out[i] = sa === 1 ? sb : sa;
  }
  return out;
}

export interface BceArgs extends Legacy { weight: Tensor | null }
/** binary_cross_entropy(input, target, weight = null, size_average, reduce, reduction = 'mean'): input holds probabilities. */
export function binary_cross_entropy(input: Tensor, target: Tensor,
  ...args: Rest<[Tensor | null, boolean | null, boolean | null, Reduction], Partial<BceArgs>>): Tensor {
  const a = bind<BceArgs>('binary_cross_entropy', args, { weight: null, ...LEGACY });
  const reduction = reductionOf(a);
  if (!sameShape(input, target)) {
    throw new Error(`Using a target size (${pySize(target.shape)}) that is different to the input size (${pySize(input.shape)}) is deprecated. ` +
      'Please ensure they have the same size.');
  }
  const weight: Handle | null = a.weight ? call(O.expand, h(a.weight), inferSize(target.shape, a.weight.shape), false) : null;
  try {
    return new Tensor(call(O.binary_cross_entropy, h(input), h(target), weight, reduction));
  } finally {
    if (weight) native.dispose(weight);
  }
}

export interface BceWithLogitsArgs extends BceArgs { pos_weight: Tensor | null }
/**
 * binary_cross_entropy_with_logits(input, target, weight = null, size_average,
 * reduce, reduction = 'mean', pos_weight = null): sigmoid and BCE in one stable op.
 */
export function binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
  ...args: Rest<[Tensor | null, boolean | null, boolean | null, Reduction, Tensor | null], Partial<BceWithLogitsArgs>>): Tensor {
  const a = bind<BceWithLogitsArgs>('binary_cross_entropy_with_logits', args, { weight: null, ...LEGACY, pos_weight: null });
  const reduction = reductionOf(a);
  if (!sameShape(input, target)) throw new Error(`Target size (${pySize(target.shape)}) must be the same as input size (${pySize(input.shape)})`);
  return new Tensor(call(O.binary_cross_entropy_with_logits, h(input), h(target), opt(a.weight), opt(a.pos_weight), reduction));
}
