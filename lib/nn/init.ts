// torch.nn.init: the same arithmetic as PyTorch's init.py and the same in-place
// random ops (uniform_, normal_) under no_grad, so that after
// torch.manual_seed(s) the draws, and so the initial weights, are PyTorch's
// bit for bit.
import { Tensor } from '../tensor';
import { tensor as makeTensor } from '../creation';
import { float64 } from '../dtype';
import { scope } from '../memory';
import { no_grad } from '../autograd';
import { bind, py, typename, Rest, REQUIRED } from './common';
import { randperm, empty_like, logical_or, where } from '../generated/torch';
import { torchAtLeast } from '../native';
import { makeFunction } from '../binder';

const linalg_qr = makeFunction('linalg', 'qr') as unknown as (a: Tensor) => [Tensor, Tensor];
import { warn } from '../warnings';
import { expect } from '../guard';

export type Nonlinearity = 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
export type FanMode = 'fan_in' | 'fan_out';

/** The recommended gain for a nonlinearity (param: leaky_relu's negative slope, default 0.01). */
export function calculate_gain(nonlinearity: Nonlinearity, param: number | null = null): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d':
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d': case 'sigmoid':
      return 1;
    case 'tanh': return 5.0 / 3;
    case 'relu': return Math.sqrt(2.0);
    case 'leaky_relu': {
      if (param !== null && typeof param !== 'number') throw new Error(`negative_slope ${py(param)} not a valid number`);
      const slope = param ?? 0.01;
      return Math.sqrt(2.0 / (1 + slope * slope)); // slope * slope: Python's slope ** 2, exactly
    }
    case 'selu': return 3.0 / 4;
    default:
      if (typeof nonlinearity !== 'string') throw new TypeError(`calculate_gain(): nonlinearity must be a str, not ${typename(nonlinearity)}`);
      throw new Error(`Unsupported nonlinearity ${nonlinearity}`);
  }
}

/** uniform_(tensor, a = 0, b = 1): fills with U(a, b). */
export function uniform_(tensor: Tensor, ...args: Rest<[number, number], { a?: number; b?: number }>): Tensor {
  const { a, b } = bind<{ a: number; b: number }>('uniform_', args, { a: 0, b: 1 });
  return no_grad(() => tensor.uniform_(a, b));
}
/** normal_(tensor, mean = 0, std = 1): fills with N(mean, std^2). */
export function normal_(tensor: Tensor, ...args: Rest<[number, number], { mean?: number; std?: number }>): Tensor {
  const { mean, std } = bind<{ mean: number; std: number }>('normal_', args, { mean: 0, std: 1 });
  return no_grad(() => tensor.normal_(mean, std));
}
/** constant_(tensor, val) */
export function constant_(tensor: Tensor, val: number): Tensor { return no_grad(() => tensor.fill_(val)); }
export function ones_(tensor: Tensor): Tensor { return constant_(tensor, 1); }
export function zeros_(tensor: Tensor): Tensor { return no_grad(() => tensor.zero_()); }

/** fan_in = size(1) * receptive field, fan_out = size(0) * receptive field. */
export function _calculate_fan_in_and_fan_out(tensor: Tensor): [number, number] {
  const shape = tensor.shape;
  if (shape.length < 2) throw new Error('Fan in and fan out can not be computed for tensor with fewer than 2 dimensions');
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1] * receptive, shape[0] * receptive];
}

function correctFan(fn: string, tensor: Tensor, mode: string): number {
  const m = expect.string(fn, 'mode', mode, 2).toLowerCase();
  if (m !== 'fan_in' && m !== 'fan_out') throw new Error(`Mode ${m} not supported, please use one of ['fan_in', 'fan_out']`);
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  return m === 'fan_in' ? fanIn : fanOut;
}

/** xavier_uniform_(tensor, gain = 1): U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)). */
export function xavier_uniform_(tensor: Tensor, ...args: Rest<[number], { gain?: number }>): Tensor {
  const { gain } = bind<{ gain: number }>('xavier_uniform_', args, { gain: 1 });
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  const a = Math.sqrt(3.0) * std;
  return uniform_(tensor, -a, a);
}

/** xavier_normal_(tensor, gain = 1): N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)). */
export function xavier_normal_(tensor: Tensor, ...args: Rest<[number], { gain?: number }>): Tensor {
  const { gain } = bind<{ gain: number }>('xavier_normal_', args, { gain: 1 });
  const [fanIn, fanOut] = _calculate_fan_in_and_fan_out(tensor);
  const std = gain * Math.sqrt(2.0 / (fanIn + fanOut));
  return normal_(tensor, 0, std);
}

export interface KaimingArgs { a: number; mode: FanMode; nonlinearity: Nonlinearity }
type KaimingRest = Rest<[number, FanMode, Nonlinearity], Partial<KaimingArgs>>;

/** gain / sqrt(fan), with fan and gain found in Python's order (so that the same bad argument is reported). */
function kaimingStd(fn: string, tensor: Tensor, args: readonly unknown[]): number {
  const o = bind<KaimingArgs>(fn, args, { a: 0, mode: 'fan_in', nonlinearity: 'leaky_relu' });
  const fan = correctFan(fn, tensor, o.mode);
  return calculate_gain(o.nonlinearity, o.a) / Math.sqrt(fan);
}
const isEmpty = (t: Tensor): boolean => {
  if (!t.shape.includes(0)) return false;
  warn('Initializing zero-element tensors is a no-op');
  return true;
};

/** kaiming_uniform_(tensor, a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu'): U(-bound, bound), bound = gain * sqrt(3 / fan). */
export function kaiming_uniform_(tensor: Tensor, ...args: KaimingRest): Tensor {
  if (isEmpty(tensor)) return tensor;
  const bound = Math.sqrt(3.0) * kaimingStd('kaiming_uniform_', tensor, args);
  return uniform_(tensor, -bound, bound);
}

/** kaiming_normal_(tensor, a = 0, mode = 'fan_in', nonlinearity = 'leaky_relu'): N(0, (gain / sqrt(fan))^2). */
export function kaiming_normal_(tensor: Tensor, ...args: KaimingRest): Tensor {
  if (isEmpty(tensor)) return tensor;
  return normal_(tensor, 0, kaimingStd('kaiming_normal_', tensor, args));
}

/**
 * nn.init.trunc_normal_(tensor, mean, std, a, b): PyTorch's method, so the values are PyTorch's bit
 * for bit after the same seed: 1.13's inverse CDF (uniform draws mapped through erfinv), 2.13's
 * rejection sampling (truncNormalRejection).
 */
export function trunc_normal_(tensor: Tensor, ...args: Rest<[number, number, number, number], { mean?: number; std?: number; a?: number; b?: number }>): Tensor {
  const { mean, std, a, b } = bind<{ mean: number; std: number; a: number; b: number }>('trunc_normal_', args, { mean: 0, std: 1, a: -2, b: 2 });
  if (mean < a - 2 * std || mean > b + 2 * std) {
    warn('mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values may be incorrect.');
  }
  const norm_cdf = (x: number) => (1 + erf(x / Math.SQRT2)) / 2;
  if (torchAtLeast(2, 13)) {
    no_grad(() => scope(() => { truncNormalRejection(tensor, mean, std, a, b, norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std)); }));
    return tensor;
  }
  return no_grad(() => {
    const l = norm_cdf((a - mean) / std);
    const u = norm_cdf((b - mean) / std);
    tensor.uniform_(2 * l - 1, 2 * u - 1);
    tensor.erfinv_();
    tensor.mul_(std * Math.sqrt(2));
    tensor.add_(mean);
    tensor.clamp_(a, b);
    return tensor;
  });
}

/**
 * 2.13's trunc_normal_: rejection sampling, in PyTorch's order of draws. With p, the mass of
 * [a, b], above 0.3: normal_ draws, those outside the bounds (cast to the tensor's dtype) redrawn
 * whole-tensor until none is; else uniform_ draws on [a, b] accepted against the density's peak
 * (one uniform_ per round), the pending ones redrawn.
 */
function truncNormalRejection(tensor: Tensor, mean: number, std: number, a: number, b: number, p: number): void {
  if (p > 0.3) {
    const lo = Number(makeTensor([a], { dtype: tensor.dtype }).item());
    const hi = Number(makeTensor([b], { dtype: tensor.dtype }).item());
    let result = tensor.normal_(mean, std);
    for (;;) {
      const mask = logical_or(result.lt(lo), result.gt(hi));
      if (!mask.any().item()) break;
      result = where(mask, empty_like(result).normal_(mean, std), result);
    }
    if (result !== tensor) tensor.copy_(result);
    return;
  }
  const mode = Math.max(a, Math.min(mean, b));
  const logPeak = -0.5 * ((mode - mean) / std) ** 2;
  const candidates = empty_like(tensor), accept = empty_like(tensor);
  const logPdf = () => candidates.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(logPeak);
  tensor.uniform_(a, b);
  candidates.copy_(tensor);
  logPdf();
  let pending = accept.uniform_().log_().gt(candidates);
  if (!pending.any().item()) return;
  let result = tensor;
  for (;;) {
    candidates.uniform_(a, b);
    result = where(pending, candidates, result);
    logPdf();
    pending = where(pending, accept.uniform_().log_().gt(candidates), pending);
    if (!pending.any().item()) break;
  }
  tensor.copy_(result);
}

/**
 * math.erf as PyTorch's trunc_normal_ calls it (Python's math.erf is glibc's erf). ATen's float64 erf
 * equals it at the bounds the zoo uses (|x| > 6: exactly +-1) and at 1172 of 1200 points of
 * [-6, 6) measured; elsewhere it may differ in the last bit, and then so may the uniform_ bounds.
 */
function erf(x: number): number {
  return scope(() => Number(makeTensor([x], { dtype: float64 }).erf().item()));
}

/** eye_(tensor): the 2-D identity (ones on the diagonal of a possibly non-square matrix). */
export function eye_(tensor: Tensor): Tensor {
  if (tensor.dim() !== 2) throw new Error('Only tensors with 2 dimensions are supported');
  return no_grad(() => {
    tensor.zero_();
    const n = Math.min(tensor.shape[0], tensor.shape[1]);
    if (n > 0) tensor.diagonal().fill_(1);
    return tensor;
  });
}

/**
 * dirac_(tensor, groups = 1): a 3-, 4- or 5-D convolution weight that passes its input through
 * (the centre tap of each of the first min(out/groups, in) channels is 1).
 */
export function dirac_(tensor: Tensor, ...args: Rest<[number], { groups?: number }>): Tensor {
  const { groups } = bind<{ groups: number }>('dirac_', args, { groups: 1 });
  const dims = tensor.dim();
  if (dims < 3 || dims > 5) throw new Error('Only tensors with 3, 4, or 5 dimensions are supported');
  const sizes = tensor.shape;
  if (!Number.isInteger(groups) || groups <= 0 || sizes[0] % groups !== 0) throw new Error('dim 0 must be divisible by groups');
  const out_chans_per_grp = sizes[0] / groups;
  const min_dim = Math.min(out_chans_per_grp, sizes[1]);
  return no_grad(() => {
    tensor.zero_();
    const centre = sizes.slice(2).map((s) => Math.floor(s / 2));
    for (let g = 0; g < groups; g++) {
      for (let d = 0; d < min_dim; d++) tensor.index_put_([g * out_chans_per_grp + d, d, ...centre], 1);
    }
    return tensor;
  });
}

/**
 * orthogonal_(tensor, gain = 1): a (semi-)orthogonal matrix from the QR decomposition of a normal
 * draw, signs fixed by R's diagonal, as PyTorch's (the same draws after the same seed).
 */
export function orthogonal_(tensor: Tensor, ...args: Rest<[number], { gain?: number }>): Tensor {
  const { gain } = bind<{ gain: number }>('orthogonal_', args, { gain: 1 });
  if (tensor.dim() < 2) throw new Error('Only tensors with 2 or more dimensions are supported');
  if (tensor.numel() === 0) return tensor;
  const rows = tensor.shape[0];
  const cols = tensor.numel() / rows;
  return no_grad(() => scope(() => {
    let flattened = tensor.new_empty([rows, cols]).normal_(0, 1);
    if (rows < cols) flattened = flattened.t();
    const [q0, r] = linalg_qr(flattened);
    let q = q0.mul(r.diag(0).sign());
    if (rows < cols) q = q.t();
    tensor.view_as(q).copy_(q);
    tensor.mul_(gain);
    return tensor;
  }));
}

/** sparse_(tensor, sparsity, std = 0.01): N(0, std) with ceil(sparsity * rows) zeros per column, rows drawn by randperm. */
export function sparse_(tensor: Tensor, ...args: Rest<[number, number], { sparsity?: number; std?: number }>): Tensor {
  const { sparsity, std } = bind<{ sparsity: number; std: number }>('sparse_', args, { sparsity: REQUIRED as never, std: 0.01 });
  if (tensor.dim() !== 2) throw new Error('Only tensors with 2 dimensions are supported');
  const [rows, cols] = tensor.shape;
  const num_zeros = Math.ceil(sparsity * rows);
  return no_grad(() => scope(() => {
    tensor.normal_(0, std);
    for (let col_idx = 0; col_idx < cols; col_idx++) {
      const zero_indices = randperm(rows).narrow(0, 0, Math.min(num_zeros, rows));
      tensor.index_put_([zero_indices, col_idx], 0);
    }
    return tensor;
  }));
}
