// torch.nn.functional: each function calls the same ATen op that PyTorch's
// Python F.* calls, after the same Python-side checks, so results and error
// messages are PyTorch's. Arguments bind as in Python: positional values, then
// one trailing options object for the keyword arguments.
import { native, Handle } from '../native';
import { Tensor, op, dtypeCode } from '../tensor';
import { dtype } from '../dtype';
import { bind, pair, py, pySize, Rest, Size2, REQUIRED } from './common';
import { warn } from '../warnings';
import { makeFunction } from '../binder';
import * as G from '../generated/torch';
import * as GF from '../generated/functional';
import { scope } from '../memory';
import { no_grad } from '../autograd';

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
export function softmax(input: Tensor, ...args: Rest<[number | null, number, dtype | null], { dim?: number | null; _stacklevel?: number; dtype?: dtype | null }>): Tensor {
  const a = bind<{ dim: number | null; _stacklevel: number; dtype: dtype | null }>('softmax', args, { dim: null, _stacklevel: 3, dtype: null });
  const d = a.dim ?? softmaxDim('softmax', input.dim());
  return new Tensor(call(O.softmax, h(input), d, dtypeCode(a.dtype)));
}
/** log_softmax(input, dim, { dtype }) */
export function log_softmax(input: Tensor, ...args: Rest<[number | null, number, dtype | null], { dim?: number | null; _stacklevel?: number; dtype?: dtype | null }>): Tensor {
  const a = bind<{ dim: number | null; _stacklevel: number; dtype: dtype | null }>('log_softmax', args, { dim: null, _stacklevel: 3, dtype: null });
  const d = a.dim ?? softmaxDim('log_softmax', input.dim());
  return new Tensor(call(O.log_softmax, h(input), d, dtypeCode(a.dtype)));
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
export function max_pool2d(input: Tensor, options: Partial<MaxPool2dArgs> & { kernel_size: Size2 }): Tensor;
export function max_pool2d(input: Tensor, kernel_size: Size2, ...args: MaxPoolRest): Tensor;
export function max_pool2d(input: Tensor, ...rest: unknown[]): Tensor {
  const { kernel_size, ...a } = bind<MaxPool2dArgs & { kernel_size: Size2 }>('max_pool2d', rest, { kernel_size: REQUIRED, ...MAXPOOL_SPEC });
  if (a.return_indices) return max_pool2d_with_indices(input, kernel_size, { ...a, return_indices: true }) as unknown as Tensor;
  return new Tensor(call(O.max_pool2d, h(input), ...poolArgs(kernel_size, a), pair(a.dilation), a.ceil_mode));
}
export function max_pool2d_with_indices(input: Tensor, options: Partial<MaxPool2dArgs> & { kernel_size: Size2 }): [Tensor, Tensor];
export function max_pool2d_with_indices(input: Tensor, kernel_size: Size2, ...args: MaxPoolRest): [Tensor, Tensor];
export function max_pool2d_with_indices(input: Tensor, ...rest: unknown[]): [Tensor, Tensor] {
  const { kernel_size, ...a } = bind<MaxPool2dArgs & { kernel_size: Size2 }>('max_pool2d_with_indices', rest, { kernel_size: REQUIRED, ...MAXPOOL_SPEC });
  const [o, i] = call(O.max_pool2d_with_indices, h(input), ...poolArgs(kernel_size, a), pair(a.dilation), a.ceil_mode) as [Handle, Handle];
  return [new Tensor(o), new Tensor(i)];
}

export interface AvgPool2dArgs { stride: Size2 | null; padding: Size2; ceil_mode: boolean; count_include_pad: boolean; divisor_override: number | null }
/** avg_pool2d(input, kernel_size, stride = kernel_size, padding = 0, ceil_mode = false, count_include_pad = true, divisor_override = null) */
export function avg_pool2d(input: Tensor, options: Partial<AvgPool2dArgs> & { kernel_size: Size2 }): Tensor;
export function avg_pool2d(input: Tensor, kernel_size: Size2, ...args: Rest<[Size2 | null, Size2, boolean, boolean, number | null], Partial<AvgPool2dArgs>>): Tensor;
export function avg_pool2d(input: Tensor, ...rest: unknown[]): Tensor {
  const { kernel_size, ...a } = bind<AvgPool2dArgs & { kernel_size: Size2 }>('avg_pool2d', rest, { kernel_size: REQUIRED, stride: null, padding: 0, ceil_mode: false, count_include_pad: true, divisor_override: null });
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

// ---- Python-level functions of torch.nn.functional over several ops ---------------------
// Each as Python's body reads (torch/nn/functional.py, 1.13), bound with Python's signature.
const nnOp = (name: string) => makeFunction('nn', name) as (...a: unknown[]) => Tensor;
const T = G as unknown as Record<string, (...a: unknown[]) => Tensor>;

/** softmin(input, dim=None, _stacklevel=3, dtype=None) = softmax(-input) */
export function softmin(input: Tensor, ...args: Rest<[number | null, number, dtype | null], { dim?: number | null; _stacklevel?: number; dtype?: dtype | null }>): Tensor {
  const a = bind<{ dim: number | null; _stacklevel: number; dtype: dtype | null }>('softmin', args, { dim: null, _stacklevel: 3, dtype: null });
  const d = a.dim ?? softmaxDim('softmin', input.dim());
  return scopeKeep(() => input.neg().softmax(d, { dtype: a.dtype }));
}
/** softsign(input) = input / (1 + |input|) */
export function softsign(input: Tensor): Tensor { return scopeKeep(() => input.div(input.abs().add(1))); }
/** tanhshrink(input) = input - tanh(input) */
export function tanhshrink(input: Tensor): Tensor { return scopeKeep(() => input.sub(input.tanh())); }
/** normalize(input, p=2.0, dim=1, eps=1e-12, out=None): input / max(||input||_p, eps) along dim */
export function normalize(input: Tensor, ...args: Rest<[number, number, number, Tensor | null], { p?: number; dim?: number; eps?: number; out?: Tensor | null }>): Tensor {
  const a = bind<{ p: number; dim: number; eps: number; out: Tensor | null }>('normalize', args, { p: 2.0, dim: 1, eps: 1e-12, out: null });
  return scopeKeep(() => {
    const denom = input.norm(a.p, a.dim, { keepdim: true }).clamp_min(a.eps).expand_as(input);
    return a.out === null ? input.div(denom) : T.div(input, denom, { out: a.out });
  });
}
function featureDropout(fn: string, want: number[]) {
  return (input: Tensor, ...args: Rest<[number, boolean, boolean], Partial<DropoutArgs>>): Tensor => {
    const a = bind<DropoutArgs>(fn, args, { p: 0.5, training: true, inplace: false });
    if (a.p < 0 || a.p > 1) throw new Error(`dropout probability has to be between 0 and 1, but got ${py(a.p)}`);
    if (!want.includes(input.dim())) {
      throw new Error(`${fn}: Expected ${want.map((d) => `${d}D`).join(' or ')} input, but received a ${input.dim()}D input.`);
    }
    const batched = input.dim() === want[want.length - 1];
    if (!batched) {
      return scopeKeep(() => {
        const r = T[a.inplace ? 'feature_dropout_' : 'feature_dropout'](input.unsqueeze(0), a.p, a.training);
        return r.squeeze(0);
      });
    }
    return T[a.inplace ? 'feature_dropout_' : 'feature_dropout'](input, a.p, a.training);
  };
}
/** dropout1d/2d/3d(input, p=0.5, training=True, inplace=False): whole channels zeroed. */
export const dropout1d = featureDropout('dropout1d', [2, 3]);
export const dropout2d = featureDropout('dropout2d', [3, 4]);
export const dropout3d = featureDropout('dropout3d', [4, 5]);

/** embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False) */
export function embedding(input: Tensor, weight: Tensor, ...args: Rest<[number | null, number | null, number, boolean, boolean], { padding_idx?: number | null; max_norm?: number | null; norm_type?: number; scale_grad_by_freq?: boolean; sparse?: boolean }>): Tensor {
  const a = bind<{ padding_idx: number | null; max_norm: number | null; norm_type: number; scale_grad_by_freq: boolean; sparse: boolean }>('embedding', args,
    { padding_idx: null, max_norm: null, norm_type: 2.0, scale_grad_by_freq: false, sparse: false });
  let pad = -1;
  if (a.padding_idx !== null) {
    const n = weight.size(0);
    if (a.padding_idx > 0 && a.padding_idx >= n) throw new Error('Padding_idx must be within num_embeddings');
    if (a.padding_idx < 0 && a.padding_idx < -n) throw new Error('Padding_idx must be within num_embeddings');
    pad = a.padding_idx < 0 ? n + a.padding_idx : a.padding_idx;
  }
  if (a.max_norm !== null) no_grad(() => T.embedding_renorm_(weight, input.contiguous(), a.max_norm, a.norm_type));
  return T.embedding(weight, input, pad, a.scale_grad_by_freq, a.sparse);
}

const GRID_MODES: Record<string, number> = { bilinear: 0, nearest: 1, bicubic: 2 };
const GRID_PADDING: Record<string, number> = { zeros: 0, border: 1, reflection: 2 };
/** grid_sample(input, grid, mode='bilinear', padding_mode='zeros', align_corners=None) */
export function grid_sample(input: Tensor, grid: Tensor, ...args: Rest<[string, string, boolean | null], { mode?: string; padding_mode?: string; align_corners?: boolean | null }>): Tensor {
  const a = bind<{ mode: string; padding_mode: string; align_corners: boolean | null }>('grid_sample', args, { mode: 'bilinear', padding_mode: 'zeros', align_corners: null });
  if (!(a.mode in GRID_MODES)) throw new Error(`nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '${a.mode}'`);
  if (!(a.padding_mode in GRID_PADDING)) throw new Error(`nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '${a.padding_mode}'`);
  return T.grid_sampler(input, grid, GRID_MODES[a.mode], GRID_PADDING[a.padding_mode], a.align_corners ?? false);
}
/** affine_grid(theta, size, align_corners=None) */
export function affine_grid(theta: Tensor, size: number[], ...args: Rest<[boolean | null], { align_corners?: boolean | null }>): Tensor {
  const a = bind<{ align_corners: boolean | null }>('affine_grid', args, { align_corners: null });
  return T.affine_grid_generator(theta, size, a.align_corners ?? false);
}
/** unfold(input, kernel_size, dilation=1, padding=0, stride=1): im2col */
export function unfold(input: Tensor, kernel_size: Size2, ...args: Rest<[Size2, Size2, Size2], { dilation?: Size2; padding?: Size2; stride?: Size2 }>): Tensor {
  const a = bind<{ dilation: Size2; padding: Size2; stride: Size2 }>('unfold', args, { dilation: 1, padding: 0, stride: 1 });
  return nnOp('im2col')(input, pair(kernel_size), pair(a.dilation), pair(a.padding), pair(a.stride));
}
/** fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1): col2im */
export function fold(input: Tensor, output_size: Size2, kernel_size: Size2, ...args: Rest<[Size2, Size2, Size2], { dilation?: Size2; padding?: Size2; stride?: Size2 }>): Tensor {
  const a = bind<{ dilation: Size2; padding: Size2; stride: Size2 }>('fold', args, { dilation: 1, padding: 0, stride: 1 });
  return nnOp('col2im')(input, pair(output_size), pair(kernel_size), pair(a.dilation), pair(a.padding), pair(a.stride));
}
/** multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction='mean') */
export function multilabel_soft_margin_loss(input: Tensor, target: Tensor, ...args: Rest<[Tensor | null, boolean | null, boolean | null, Reduction], { weight?: Tensor | null; size_average?: boolean | null; reduce?: boolean | null; reduction?: Reduction }>): Tensor {
  const a = bind<{ weight: Tensor | null; size_average: boolean | null; reduce: boolean | null; reduction: Reduction }>('multilabel_soft_margin_loss', args,
    { weight: null, size_average: null, reduce: null, reduction: 'mean' });
  const reduction = a.size_average !== null || a.reduce !== null ? legacyReduction(a.size_average, a.reduce) : a.reduction;
  return scopeKeep(() => {
    let loss = target.mul(relu6Free(input)).add(target.neg().add(1).mul(relu6Free(input.neg()))).neg();
    if (a.weight !== null) loss = loss.mul(a.weight);
    loss = loss.sum(input.dim() - 1).div(input.size(input.dim() - 1));
    if (reduction === 'none') return loss;
    if (reduction === 'mean') return loss.mean();
    if (reduction === 'sum') return loss.sum();
    throw new Error(`${reduction} is not a valid value for reduction`);
  });
}
const relu6Free = (x: Tensor): Tensor => nnOp('log_sigmoid')(x);
/** lp_pool1d / lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False) */
export function lp_pool2d(input: Tensor, norm_type: number, kernel_size: Size2, ...args: Rest<[Size2 | null, boolean], { stride?: Size2 | null; ceil_mode?: boolean }>): Tensor {
  const a = bind<{ stride: Size2 | null; ceil_mode: boolean }>('lp_pool2d', args, { stride: null, ceil_mode: false });
  const [kw, kh] = pair(kernel_size);
  return scopeKeep(() => {
    const out = avg_pool2d(input.pow(norm_type), kernel_size, a.stride, 0, a.ceil_mode);
    return out.sign().mul(relu(out.abs())).mul(kw * kh).pow(1.0 / norm_type);
  });
}
export function lp_pool1d(input: Tensor, norm_type: number, kernel_size: number, ...args: Rest<[number | null, boolean], { stride?: number | null; ceil_mode?: boolean }>): Tensor {
  const a = bind<{ stride: number | null; ceil_mode: boolean }>('lp_pool1d', args, { stride: null, ceil_mode: false });
  return scopeKeep(() => {
    const out = T.avg_pool1d(input.pow(norm_type), kernel_size, a.stride ?? kernel_size, 0, a.ceil_mode);
    return out.sign().mul(relu(out.abs())).mul(kernel_size).pow(1.0 / norm_type);
  });
}

function reduce(loss: Tensor, reduction: string): Tensor {
  if (reduction === 'none') return loss;
  if (reduction === 'mean') return loss.mean();
  if (reduction === 'sum') return loss.sum();
  throw new Error(`${reduction} is not a valid value for reduction`);
}

export interface InterpolateArgs {
  size: number | number[] | null; scale_factor: number | number[] | null; mode: string;
  align_corners: boolean | null; recompute_scale_factor: boolean | null; antialias: boolean;
}
const INTERP_SPEC: InterpolateArgs = { size: null, scale_factor: null, mode: 'nearest', align_corners: null, recompute_scale_factor: null, antialias: false };
/** interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None, recompute_scale_factor=None, antialias=False) */
export function interpolate(input: Tensor, ...args: Rest<[number | number[] | null, number | number[] | null, string, boolean | null, boolean | null, boolean], Partial<InterpolateArgs>>): Tensor {
  const a = bind<InterpolateArgs>('interpolate', args, INTERP_SPEC);
  const d = input.dim() - 2;
  if (d < 1 || d > 3) throw new Error(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${a.mode})`);
  const interpModes = ['linear', 'bilinear', 'bicubic', 'trilinear'];
  if (a.align_corners !== null && !interpModes.includes(a.mode)) {
    throw new Error('align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear');
  }
  if ((a.size === null) === (a.scale_factor === null)) throw new Error('either size or scale_factor should be defined');
  const rep = <V>(v: V | V[]): V[] => (Array.isArray(v) ? v : Array(d).fill(v));
  let outSize: number[] | null = a.size === null ? null : rep(a.size);
  let scales: number[] | null = a.scale_factor === null ? null : rep(a.scale_factor);
  if (outSize && outSize.length !== d) throw new Error(`Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of ${pySize(input.shape.slice(2))} and output size of ${py(outSize)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`);
  if (scales && (a.recompute_scale_factor || a.mode === 'area')) {
    outSize = scales.map((sc, i) => Math.floor(input.size(i + 2) * sc));
    scales = null;
  }
  const nd = `${d}d`;
  switch (a.mode) {
    case 'nearest': return nnOp(`upsample_nearest${nd}`)({ input, output_size: outSize, scale_factors: scales });
    case 'nearest-exact': return nnOp(`_upsample_nearest_exact${nd}`)({ input, output_size: outSize, scale_factors: scales });
    case 'area': return d === 1 ? T.adaptive_avg_pool1d(input, outSize) : nnOp(`adaptive_avg_pool${nd}`)(input, outSize);
    case 'linear': case 'bilinear': case 'bicubic': case 'trilinear': {
      const want = { linear: 1, bilinear: 2, bicubic: 2, trilinear: 3 }[a.mode];
      if (want !== d) throw new Error(`Got ${input.dim()}D input, but ${a.mode} mode needs ${want + 2}D input`);
      const op = a.antialias ? `_upsample_${a.mode}2d_aa` : `upsample_${a.mode}${nd}`;
      return nnOp(op)({ input, output_size: outSize, align_corners: a.align_corners ?? false, scale_factors: scales });
    }
    default: throw new Error(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${a.mode})`);
  }
}
/** upsample(input, size=None, scale_factor=None, mode='nearest', align_corners=None): interpolate (deprecated in Python) */
export function upsample(input: Tensor, ...args: Rest<[number | number[] | null, number | number[] | null, string, boolean | null], { size?: number | number[] | null; scale_factor?: number | number[] | null; mode?: string; align_corners?: boolean | null }>): Tensor {
  warn('nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.');
  const a = bind<{ size: number | number[] | null; scale_factor: number | number[] | null; mode: string; align_corners: boolean | null }>('upsample', args, { size: null, scale_factor: null, mode: 'nearest', align_corners: null });
  return interpolate(input, a);
}
export function upsample_nearest(input: Tensor, ...args: Rest<[number | number[] | null, number | number[] | null], { size?: number | number[] | null; scale_factor?: number | number[] | null }>): Tensor {
  warn('nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate instead.');
  const a = bind<{ size: number | number[] | null; scale_factor: number | number[] | null }>('upsample_nearest', args, { size: null, scale_factor: null });
  return interpolate(input, { ...a, mode: 'nearest' });
}
export function upsample_bilinear(input: Tensor, ...args: Rest<[number | number[] | null, number | number[] | null], { size?: number | number[] | null; scale_factor?: number | number[] | null }>): Tensor {
  warn('nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate instead.');
  const a = bind<{ size: number | number[] | null; scale_factor: number | number[] | null }>('upsample_bilinear', args, { size: null, scale_factor: null });
  return interpolate(input, { ...a, mode: 'bilinear', align_corners: true });
}

type UnpoolArgs = { stride: number | number[] | null; padding: number | number[]; output_size: number[] | null };
function unpoolSize(fn: string, input: Tensor, d: number, kernel: number | number[], a: UnpoolArgs): number[] {
  const rep = (v: number | number[]): number[] => (Array.isArray(v) ? v : Array(d).fill(v));
  const k = rep(kernel), st = a.stride === null ? k : rep(a.stride), pd = rep(a.padding);
  const inSize = input.shape.slice(input.dim() - d);
  const def = inSize.map((n, i) => (n - 1) * st[i] + k[i] - 2 * pd[i]);
  if (a.output_size === null) return def;
  const os = a.output_size.length === d + 2 ? a.output_size.slice(2) : a.output_size;
  if (os.length !== d) throw new Error(`output_size should be a sequence containing ${d} or ${d + 2} elements, but it has a length of '${os.length}'`);
  void fn;
  return os;
}
const UNPOOL_SPEC: UnpoolArgs = { stride: null, padding: 0, output_size: null };
type UnpoolRest = Rest<[number | number[] | null, number | number[], number[] | null], Partial<UnpoolArgs>>;
/** max_unpool1d/2d/3d(input, indices, kernel_size, stride=None, padding=0, output_size=None) */
export function max_unpool1d(input: Tensor, indices: Tensor, kernel_size: number | number[], ...args: UnpoolRest): Tensor {
  const a = bind<UnpoolArgs>('max_unpool1d', args, UNPOOL_SPEC);
  const os = unpoolSize('max_unpool1d', input, 1, kernel_size, a);
  return scopeKeep(() => nnOp('max_unpool2d')(input.unsqueeze(-1), indices.unsqueeze(-1), [...os, 1]).squeeze(-1));
}
export function max_unpool2d(input: Tensor, indices: Tensor, kernel_size: number | number[], ...args: UnpoolRest): Tensor {
  const a = bind<UnpoolArgs>('max_unpool2d', args, UNPOOL_SPEC);
  return nnOp('max_unpool2d')(input, indices, unpoolSize('max_unpool2d', input, 2, kernel_size, a));
}
export function max_unpool3d(input: Tensor, indices: Tensor, kernel_size: number | number[], ...args: UnpoolRest): Tensor {
  const a = bind<UnpoolArgs>('max_unpool3d', args, UNPOOL_SPEC);
  const rep = (v: number | number[]): number[] => (Array.isArray(v) ? v : [v, v, v]);
  return nnOp('max_unpool3d')(input, indices, unpoolSize('max_unpool3d', input, 3, kernel_size, a), rep(a.stride ?? kernel_size), rep(a.padding));
}

/** gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction='mean') */
export function gaussian_nll_loss(input: Tensor, target: Tensor, variance: Tensor, ...args: Rest<[boolean, number, string], { full?: boolean; eps?: number; reduction?: string }>): Tensor {
  const a = bind<{ full: boolean; eps: number; reduction: string }>('gaussian_nll_loss', args, { full: false, eps: 1e-6, reduction: 'mean' });
  if (!['none', 'mean', 'sum'].includes(a.reduction)) throw new Error(`${a.reduction} is not valid`);
  return scopeKeep(() => {
    let v = variance;
    if (v.size().length !== input.size().length) v = v.unsqueeze(-1);
    if (v.lt(0).any().item()) throw new Error('var has negative entry/entries');
    v = v.clone();
    no_grad(() => v.clamp_({ min: a.eps }));
    let loss = v.log().add(input.sub(target).pow(2).div(v)).mul(0.5);
    if (a.full) loss = loss.add(0.5 * Math.log(2 * Math.PI));
    return reduce(loss, a.reduction);
  });
}
/** local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0) */
export function local_response_norm(input: Tensor, size: number, ...args: Rest<[number, number, number], { alpha?: number; beta?: number; k?: number }>): Tensor {
  const a = bind<{ alpha: number; beta: number; k: number }>('local_response_norm', args, { alpha: 1e-4, beta: 0.75, k: 1.0 });
  const dim = input.dim();
  if (dim < 3) throw new Error(`Expected 3D or higher dimensionality input (got ${dim} dimensions)`);
  if (input.numel() === 0) return input;
  return scopeKeep(() => {
    let div = input.mul(input).unsqueeze(1);
    if (dim === 3) {
      div = pad(div, [0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)]);
      div = avg_pool2d(div, [size, 1], { stride: 1 }).squeeze(1);
    } else {
      const sizes = input.shape;
      div = div.view(sizes[0], 1, sizes[1], sizes[2], -1);
      div = pad(div, [0, 0, 0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)]);
      div = nnOp('avg_pool3d')(div, [size, 1, 1], { stride: 1 }).squeeze(1);
      div = div.view(sizes);
    }
    div = div.mul(a.alpha).add(a.k).pow(a.beta);
    return input.div(div);
  });
}
/** gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1) */
export function gumbel_softmax(logits: Tensor, ...args: Rest<[number, boolean, number, number], { tau?: number; hard?: boolean; eps?: number; dim?: number }>): Tensor {
  const a = bind<{ tau: number; hard: boolean; eps: number; dim: number }>('gumbel_softmax', args, { tau: 1, hard: false, eps: 1e-10, dim: -1 });
  return scopeKeep(() => {
    const gumbels = T.empty_like(logits).exponential_().log().neg().add(logits).div(a.tau);
    const ySoft = gumbels.softmax(a.dim);
    if (!a.hard) return ySoft;
    const index = ySoft.max(a.dim, { keepdim: true })[1];
    const yHard = T.zeros_like(logits).scatter_(a.dim, index, 1.0);
    return yHard.sub(ySoft.detach()).add(ySoft);
  });
}
/** triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False, reduction='mean') */
export function triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
  opts: { distance_function?: ((x: Tensor, y: Tensor) => Tensor) | null; margin?: number; swap?: boolean; reduction?: string } = {}): Tensor {
  const a = bind<{ distance_function: ((x: Tensor, y: Tensor) => Tensor) | null; margin: number; swap: boolean; reduction: string }>(
    'triplet_margin_with_distance_loss', [opts], { distance_function: null, margin: 1.0, swap: false, reduction: 'mean' });
  const dist = a.distance_function ?? ((x: Tensor, y: Tensor) => T.pairwise_distance(x, y));
  return scopeKeep(() => {
    const dPos = dist(anchor, positive);
    let dNeg = dist(anchor, negative);
    if (a.swap) dNeg = T.minimum(dNeg, dist(positive, negative));
    const loss = dPos.sub(dNeg).add(a.margin).clamp_min(0);
    return reduce(loss, a.reduction);
  });
}

/** Runs fn in a scope: only its result survives (the intermediates are released at once). */
function scopeKeep(fn: () => Tensor): Tensor { return scope(fn); }

// Every other F.<name> whose Python body is one ATen op, generated from F's own signatures.
export * from '../generated/functional';
export { embedding_bag, multi_head_attention_forward } from './functional_attention';

// ---- fractional max pooling ---------------------------------------------------------------
type FracArgs = { output_size: number | number[] | null; output_ratio: number | number[] | null; return_indices: boolean; _random_samples: Tensor | null };
const FRAC_SPEC = { kernel_size: REQUIRED, output_size: null, output_ratio: null, return_indices: false, _random_samples: null };
/**
 * Python's fractional_max_pool{2,3}d_with_indices: the output size from
 * output_ratio (truncated), and, unless given, the random samples drawn with
 * torch.rand(N, C, d) from the default generator, as Python draws them.
 */
function fractionalPool(fn: string, d: number, input: Tensor, rest: unknown[]): [Tensor, Tensor] {
  const a = bind<FracArgs & { kernel_size: number | number[] }>(`${fn}_with_indices`, rest, FRAC_SPEC as never);
  if (a.output_size === null && a.output_ratio === null) {
    throw new Error(`${fn} requires specifying either an output_size or an output_ratio`);
  }
  const rep = (v: number | number[]): number[] => (Array.isArray(v) ? [...v] : Array(d).fill(v));
  let size: number[];
  if (a.output_size === null) {
    const ratio = rep(a.output_ratio as number | number[]);
    size = ratio.map((r, i) => Math.trunc(input.size(input.dim() - d + i) * r));
  } else size = rep(a.output_size);
  return scope(() => {
    let samples = a._random_samples;
    if (samples === null) {
      const nBatch = input.dim() === d + 1 ? 1 : input.size(0);
      samples = T.rand([nBatch, input.size(-(d + 1)), d], { dtype: input.dtype, device: input.device });
    }
    return (makeFunction('nn', fn) as unknown as (...x: unknown[]) => [Tensor, Tensor])(input, rep(a.kernel_size), size, samples);
  }) as unknown as [Tensor, Tensor];
}
type FracRest = [number | number[], ...unknown[]];
/** fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None) */
export function fractional_max_pool2d_with_indices(input: Tensor, ...rest: FracRest): [Tensor, Tensor] { return fractionalPool('fractional_max_pool2d', 2, input, rest); }
/** fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None) */
export function fractional_max_pool3d_with_indices(input: Tensor, ...rest: FracRest): [Tensor, Tensor] { return fractionalPool('fractional_max_pool3d', 3, input, rest); }
/** fractional_max_pool2d(...): the output, or [output, indices] with return_indices. */
export function fractional_max_pool2d(input: Tensor, ...rest: FracRest): Tensor {
  const r = fractionalPool('fractional_max_pool2d', 2, input, rest);
  return fracResult(r, rest);
}
/** fractional_max_pool3d(...): the output, or [output, indices] with return_indices. */
export function fractional_max_pool3d(input: Tensor, ...rest: FracRest): Tensor {
  const r = fractionalPool('fractional_max_pool3d', 3, input, rest);
  return fracResult(r, rest);
}
function fracResult(r: [Tensor, Tensor], rest: unknown[]): Tensor {
  const a = bind<FracArgs & { kernel_size: unknown }>('fractional_max_pool', rest, FRAC_SPEC as never);
  if (a.return_indices) return r as unknown as Tensor;
  r[1].dispose();
  return r[0];
}

// ---- instance_norm: Python's check before the op -------------------------------------------
export interface InstanceNormArgs {
  running_mean: Tensor | null; running_var: Tensor | null; weight: Tensor | null; bias: Tensor | null;
  use_input_stats: boolean; momentum: number; eps: number;
}
/**
 * instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
 * use_input_stats=True, momentum=0.1, eps=1e-5): Python's _verify_spatial_size
 * (statistics over one spatial element are meaningless), then the op.
 */
export function instance_norm(input: Tensor, ...args: Rest<[Tensor | null, Tensor | null, Tensor | null, Tensor | null, boolean, number, number], Partial<InstanceNormArgs>>): Tensor {
  const a = bind<InstanceNormArgs>('instance_norm', args,
    { running_mean: null, running_var: null, weight: null, bias: null, use_input_stats: true, momentum: 0.1, eps: 1e-5 });
  if (a.use_input_stats && input instanceof Tensor) {
    const size = input.shape;
    if (size.slice(2).reduce((p, s) => p * s, 1) === 1) throw new Error(`Expected more than 1 spatial element when training, got input size ${pySize(size)}`);
  }
  return (GF.instance_norm as unknown as (...x: unknown[]) => Tensor)(input, a.running_mean, a.running_var, a.weight, a.bias, a.use_input_stats, a.momentum, a.eps);
}

// Argument checks on the exports loaded so far (lib/guard.ts).
import { installGuards } from '../guard';
installGuards(module);
