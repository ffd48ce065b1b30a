// nn.InstanceNorm1d/2d/3d, nn.LayerNorm, nn.GroupNorm, nn.LocalResponseNorm, nn.CrossMapLRN2d.
import { Tensor } from '../../tensor';
import { torchAtLeast } from '../../native';
import { Module } from '../module';
import { Parameter, emptyParameter } from '../parameter';
import * as F from '../functional';
import * as init from '../init';
import { bind, py, REQUIRED, Rest } from '../common';
import { scope } from '../../memory';
import { warn } from '../../warnings';
import { tensor } from '../../creation';
import { FactoryArgs } from './linear';
import { _NormBase } from './batchnorm';
import { checkInt, checkTensor } from './_check';
import { expect } from '../../guard';

const FLOAT = { float: true };
type Fn = (...a: unknown[]) => Tensor;

/**
 * Python's _InstanceNorm: per-sample, per-channel statistics; no affine and no
 * running statistics by default. `_noBatchDim` is the rank of an unbatched input.
 */
export abstract class _InstanceNorm extends _NormBase {
  static _defaults = { eps: 1e-5, momentum: 0.1 as number | null, affine: false, track_running_stats: false };
  abstract _get_no_batch_dim(): number;

  _check_input_dim(input: Tensor): void {
    const n = this._get_no_batch_dim();
    if (input.dim() !== n && input.dim() !== n + 1) throw new Error(`expected ${n}D or ${n + 1}D input (got ${input.dim()}D input)`);
  }

  forward(input: Tensor): Tensor {
    checkTensor(this._get_name(), 'input', input);
    this._check_input_dim(input);
    // 2.x checks the channel count against num_features first (1.13 left it to the weight's size check).
    const featureDim = input.dim() - this._get_no_batch_dim();
    if (torchAtLeast(2, 13) && input.size(featureDim) !== this.num_features) {
      if (this.affine) {
        throw new Error(`expected input's size at dim=${featureDim} to match num_features (${this.num_features}), but got: ${input.size(featureDim)}.`);
      }
      warn(`input's size at dim=${featureDim} does not match num_features. You can silence this warning by not passing in num_features, which is not used because affine=False`);
    }
    const apply = (x: Tensor): Tensor => (F.instance_norm as unknown as Fn)(x, this.running_mean, this.running_var, this.weight, this.bias,
      this.training || !this.track_running_stats, this.momentum ?? 0.1, this.eps);
    if (input.dim() === this._get_no_batch_dim()) return scope(() => apply(input.unsqueeze(0)).squeeze(0));
    return apply(input);
  }
}

export class InstanceNorm1d extends _InstanceNorm { _get_no_batch_dim(): number { return 2; } }
export class InstanceNorm2d extends _InstanceNorm { _get_no_batch_dim(): number { return 3; } }
export class InstanceNorm3d extends _InstanceNorm { _get_no_batch_dim(): number { return 4; } }

export interface LayerNormArgs extends FactoryArgs { normalized_shape: number | number[]; eps: number; elementwise_affine: boolean; bias: boolean }
// 2.x's LayerNorm and GroupNorm take `bias` (after elementwise_affine / affine) and print whether there is one.
const BIAS = (torchAtLeast(2, 13) ? { bias: true } : {}) as { bias: boolean };
const biasRepr = (m: { bias: unknown }) => (torchAtLeast(2, 13) ? `, bias=${py(m.bias !== null)}` : '');
/** Normalises over the trailing normalized_shape dimensions; weight ones, bias zeros. */
export class LayerNorm extends Module {
  declare normalized_shape: number[];
  declare eps: number;
  declare elementwise_affine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  constructor(normalized_shape: number | number[], ...args: Rest<[number, boolean, boolean], Partial<LayerNormArgs>>) {
    super();
    const a = bind<LayerNormArgs>('LayerNorm', [normalized_shape, ...args],
      { normalized_shape: REQUIRED, eps: 1e-5, elementwise_affine: true, ...BIAS, device: null, dtype: null });
    const shape = typeof a.normalized_shape === 'number' ? [a.normalized_shape] : [...expect.iterable<number>('LayerNorm', 'normalized_shape', a.normalized_shape, 0)];
    shape.forEach((d) => checkInt('LayerNorm', 'normalized_shape', d));
    this.normalized_shape = shape;
    this.eps = a.eps;
    this.elementwise_affine = a.elementwise_affine;
    if (a.elementwise_affine) {
      this.weight = emptyParameter(shape, a);
      if (a.bias === false) this.register_parameter('bias', null);
      else this.bias = emptyParameter(shape, a);
    } else {
      this.register_parameter('weight', null);
      this.register_parameter('bias', null);
    }
    this.reset_parameters();
  }
  reset_parameters(): void {
    if (this.elementwise_affine) { init.ones_(this.weight!); if (this.bias) init.zeros_(this.bias); }
  }
  forward(input: Tensor): Tensor {
    checkTensor('LayerNorm', 'input', input);
    return (F.layer_norm as unknown as Fn)(input, this.normalized_shape, this.weight, this.bias, this.eps);
  }
  extra_repr(): string { return `${py(this.normalized_shape)}, eps=${py(this.eps, FLOAT)}, elementwise_affine=${py(this.elementwise_affine)}${biasRepr(this)}`; }
}

export interface GroupNormArgs extends FactoryArgs { num_groups: number; num_channels: number; eps: number; affine: boolean; bias: boolean }
/** Normalises over groups of channels; weight ones, bias zeros. */
export class GroupNorm extends Module {
  declare num_groups: number;
  declare num_channels: number;
  declare eps: number;
  declare affine: boolean;
  declare weight: Parameter | null;
  declare bias: Parameter | null;
  constructor(num_groups: number, num_channels: number, ...args: Rest<[number, boolean, boolean], Partial<GroupNormArgs>>) {
    super();
    const a = bind<GroupNormArgs>('GroupNorm', [num_groups, num_channels, ...args],
      { num_groups: REQUIRED, num_channels: REQUIRED, eps: 1e-5, affine: true, ...BIAS, device: null, dtype: null });
    checkInt('GroupNorm', 'num_groups', a.num_groups);
    checkInt('GroupNorm', 'num_channels', a.num_channels);
    if (a.num_channels % a.num_groups !== 0) {
      throw new Error(torchAtLeast(2, 13) ? `num_channels (${a.num_channels}) must be divisible by num_groups (${a.num_groups})` : 'num_channels must be divisible by num_groups');
    }
    this.num_groups = a.num_groups;
    this.num_channels = a.num_channels;
    this.eps = a.eps;
    this.affine = a.affine;
    if (a.affine) {
      this.weight = emptyParameter([a.num_channels], a);
      if (a.bias === false) this.register_parameter('bias', null);
      else this.bias = emptyParameter([a.num_channels], a);
    } else {
      this.register_parameter('weight', null);
      this.register_parameter('bias', null);
    }
    this.reset_parameters();
  }
  reset_parameters(): void {
    if (this.affine) { init.ones_(this.weight!); if (this.bias) init.zeros_(this.bias); }
  }
  forward(input: Tensor): Tensor {
    checkTensor('GroupNorm', 'input', input);
    return (F.group_norm as unknown as Fn)(input, this.num_groups, this.weight, this.bias, this.eps);
  }
  extra_repr(): string { return `${this.num_groups}, ${this.num_channels}, eps=${py(this.eps, FLOAT)}, affine=${py(this.affine)}${biasRepr(this)}`; }
}

interface LRNArgs { size: number; alpha: number; beta: number; k: number }
/** Local response normalisation across channels (F.local_response_norm). */
export class LocalResponseNorm extends Module {
  declare size: number;
  declare alpha: number;
  declare beta: number;
  declare k: number;
  constructor(size: number, ...args: Rest<[number, number, number], Partial<LRNArgs>>) {
    super();
    const a = bind<LRNArgs>(new.target.name, [size, ...args], { size: REQUIRED, alpha: 1e-4, beta: 0.75, k: 1.0 });
    Object.assign(this, a);
  }
  forward(input: Tensor): Tensor {
    checkTensor(this._get_name(), 'input', input);
    return F.local_response_norm(input, this.size, this.alpha, this.beta, this.k);
  }
  extra_repr(): string { return `${this.size}, alpha=${py(this.alpha, FLOAT)}, beta=${py(this.beta, FLOAT)}, k=${py(this.k, FLOAT)}`; }
}

/**
 * The legacy (Lua Torch) cross-map LRN over [N, C, H, W]: each channel divided
 * by (k + alpha/size * sum of squares over a window of channels)^beta. The
 * window is Python's running sum, quirk included: the first channel, once
 * added, is never taken out again.
 */
export class CrossMapLRN2d extends Module {
  declare size: number;
  declare alpha: number;
  declare beta: number;
  declare k: number;
  constructor(size: number, ...args: Rest<[number, number, number], Partial<LRNArgs>>) {
    super();
    const a = bind<LRNArgs>('CrossMapLRN2d', [size, ...args], { size: REQUIRED, alpha: 1e-4, beta: 0.75, k: 1 });
    Object.assign(this, a);
  }
  forward(input: Tensor): Tensor {
    checkTensor('CrossMapLRN2d', 'input', input);
    if (input.dim() !== 4) throw new Error(`CrossMapLRN2d: Expected input to be 4D, got ${input.dim()}D instead.`);
    const C = input.size(1), pre = Math.trunc((this.size - 1) / 2 + 1);
    // window[c][j] = 1 when channel j enters channel c's sum.
    const rows: number[][] = [];
    for (let c = 0; c < C; c++) {
      const hi = Math.min(c + pre - 1, C - 1), lo = c > pre ? c - pre + 1 : 0;
      rows.push(Array.from({ length: C }, (_, j) => ((j >= lo && j <= hi) || (j === 0 && c > pre) ? 1 : 0)));
    }
    // Python's backward is its own loop over a window that differs from the forward's (see
    // torch/nn/_functions.py): out = forward value + (s - s), where s's gradient is that backward.
    const ipp = Math.trunc(this.size - (this.size - 1) / 2);
    const back = Array.from({ length: C }, (_, c) => Array.from({ length: C }, (_, j) => (j >= c - ipp && j <= c + this.size - 1 - ipp ? 1 : 0)));
    const cache = (2 * this.alpha * this.beta) / this.size;
    const overChannels = (t: Tensor, m: Tensor): Tensor => t.movedim(1, -1).matmul(m).movedim(-1, 1);
    return scope(() => {
      const fwd = tensor(rows, { dtype: input.dtype }), bwd = tensor(back, { dtype: input.dtype });
      const x = input.detach();
      const scale = overChannels(x.pow(2), fwd.t()).mul(this.alpha / this.size).add(this.k);
      const factor = scale.pow(-this.beta);
      const out = x.mul(factor);
      if (!input.requires_grad) return out;
      const ratio = out.div(scale);
      const s = input.mul(factor).sub(overChannels(input.pow(2), bwd).mul(ratio).mul(cache / 2));
      return out.add(s.sub(s.detach()));
    });
  }
  extra_repr(): string { return `${this.size}, alpha=${py(this.alpha)}, beta=${py(this.beta)}, k=${py(this.k)}`; }
}
