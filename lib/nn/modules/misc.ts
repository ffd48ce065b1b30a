// Padding, upsampling, pixel/channel shuffle, feature dropouts, Bilinear,
// Unflatten, distances, Fold/Unfold: the small layers whose forward is one
// F.* call, as families built with pooling2's `family`.
import { Tensor } from '../../tensor';
import { torchAtLeast } from '../../native';
import { Module } from '../module';
import { Parameter, emptyParameter } from '../parameter';
import * as F from '../functional';
import * as init from '../init';
import { bind, py, pyStrRepr, REQUIRED, Rest } from '../common';
import { FactoryArgs } from './linear';
import { family, Fam } from './pooling2';
import { checkInt, checkTensor } from './_check';
import { ntuple as ntupleOf } from '../common';

type Fn = (...a: unknown[]) => Tensor;
const f = F as unknown as Record<string, Fn>;
type Attrs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Ctor = new (...args: unknown[]) => Module;
const ntuple = (v: number | number[], n: number): number[] => ntupleOf(v, n);

// ---- padding: 2n numbers (left, right per dimension, last first) -------------------------------
const padSize = (name: string, v: number | number[], n: number): number[] => {
  const p = ntuple(v, 2 * n);
  if (p.length !== 2 * n) throw new Error(`${name}: padding must be an int or a tuple of ${2 * n} ints, got ${py(v)}`);
  p.forEach((e) => checkInt(name, 'padding', e));
  return p;
};
const constantPad = (name: string, n: number, zero = false) => family(name,
  zero ? { padding: REQUIRED } : { padding: REQUIRED, value: REQUIRED },
  (a) => ({ padding: padSize(name, a.padding, n), value: zero ? 0.0 : a.value }),
  (m, x) => f.pad(x, m.padding, 'constant', m.value),
  zero ? (m) => py(m.padding) : (m) => `padding=${py(m.padding)}, value=${py(m.value, { float: true })}`);
export const ConstantPad1d = constantPad('ConstantPad1d', 1) as unknown as Fam<{ padding: number[]; value: number }, [number | number[], number], Tensor>;
export const ConstantPad2d = constantPad('ConstantPad2d', 2) as unknown as Fam<{ padding: number[]; value: number }, [number | number[], number], Tensor>;
export const ConstantPad3d = constantPad('ConstantPad3d', 3) as unknown as Fam<{ padding: number[]; value: number }, [number | number[], number], Tensor>;
export const ZeroPad2d = constantPad('ZeroPad2d', 2, true) as unknown as Fam<{ padding: number[] }, [number | number[]], Tensor>;
const modePad = (name: string, n: number, mode: string) => family(name, { padding: REQUIRED },
  (a) => ({ padding: padSize(name, a.padding, n) }), (m, x) => f.pad(x, m.padding, mode), (m) => py(m.padding));
export const ReflectionPad1d = modePad('ReflectionPad1d', 1, 'reflect') as unknown as Fam<{ padding: number[] }, [number | number[]], Tensor>;
export const ReflectionPad2d = modePad('ReflectionPad2d', 2, 'reflect') as unknown as Fam<{ padding: number[] }, [number | number[]], Tensor>;
export const ReflectionPad3d = modePad('ReflectionPad3d', 3, 'reflect') as unknown as Fam<{ padding: number[] }, [number | number[]], Tensor>;
export const ReplicationPad1d = modePad('ReplicationPad1d', 1, 'replicate') as unknown as Fam<{ padding: number[] }, [number | number[]], Tensor>;
export const ReplicationPad2d = modePad('ReplicationPad2d', 2, 'replicate') as unknown as Fam<{ padding: number[] }, [number | number[]], Tensor>;
export const ReplicationPad3d = modePad('ReplicationPad3d', 3, 'replicate') as unknown as Fam<{ padding: number[] }, [number | number[]], Tensor>;

// ---- upsampling ---------------------------------------------------------------------------------
/** Python's Upsample: scale_factor kept as float(s); repr shows scale_factor (or size) and the mode. */
const upsample = (name: string, fixed: Attrs) => family(name,
  name === 'Upsample' ? { size: null, scale_factor: null, mode: 'nearest', align_corners: null, recompute_scale_factor: null }
    : { size: null, scale_factor: null },
  (a) => ({ size: a.size, scale_factor: a.scale_factor ?? null, mode: 'nearest', align_corners: null, recompute_scale_factor: null, ...(name === 'Upsample' ? a : {}), ...fixed, name }),
  (m, x) => f.interpolate(x, m.size, m.scale_factor, m.mode, m.align_corners, { recompute_scale_factor: m.recompute_scale_factor }),
  (m) => `${m.scale_factor !== null ? `scale_factor=${py(m.scale_factor, { float: true })}` : `size=${py(m.size)}`}, mode=${torchAtLeast(2, 13) ? pyStrRepr(m.mode) : m.mode}`);
export const Upsample = upsample('Upsample', {}) as unknown as Fam<{ size: number | number[] | null; scale_factor: number | number[] | null; mode: string; align_corners: boolean | null; recompute_scale_factor: boolean | null; name: string }, [number | number[] | null, number | number[] | null, string, boolean | null, boolean | null], Tensor>;
export const UpsamplingNearest2d = upsample('UpsamplingNearest2d', { mode: 'nearest' }) as unknown as Fam<{ size: number | number[] | null; scale_factor: number | number[] | null; mode: string; align_corners: boolean | null; recompute_scale_factor: boolean | null; name: string }, [number | number[] | null, number | number[] | null], Tensor>;
export const UpsamplingBilinear2d = upsample('UpsamplingBilinear2d', { mode: 'bilinear', align_corners: true }) as unknown as Fam<{ size: number | number[] | null; scale_factor: number | number[] | null; mode: string; align_corners: boolean | null; recompute_scale_factor: boolean | null; name: string }, [number | number[] | null, number | number[] | null], Tensor>;

export const PixelShuffle = family('PixelShuffle', { upscale_factor: REQUIRED }, (a) => a,
  (m, x) => f.pixel_shuffle(x, m.upscale_factor), (m) => `upscale_factor=${m.upscale_factor}`) as unknown as Fam<{ upscale_factor: number }, [number], Tensor>;
export const PixelUnshuffle = family('PixelUnshuffle', { downscale_factor: REQUIRED }, (a) => a,
  (m, x) => f.pixel_unshuffle(x, m.downscale_factor), (m) => `downscale_factor=${m.downscale_factor}`) as unknown as Fam<{ downscale_factor: number }, [number], Tensor>;
export const ChannelShuffle = family('ChannelShuffle', { groups: REQUIRED }, (a) => a,
  (m, x) => f.channel_shuffle(x, m.groups), (m) => `groups=${m.groups}`) as unknown as Fam<{ groups: number }, [number], Tensor>;

// ---- dropouts -------------------------------------------------------------------------------------
const dropout = (name: string, call: (m: Attrs, x: Tensor) => Tensor) => family(name, { p: 0.5, inplace: false },
  (a) => {
    if (typeof a.p !== 'number') throw new TypeError(`${name}: p must be a number, not ${typeof a.p}`);
    if (a.p < 0 || a.p > 1) throw new Error(`dropout probability has to be between 0 and 1, but got ${py(a.p)}`);
    return a;
  }, call, (m) => `p=${py(m.p, { float: true })}, inplace=${py(m.inplace)}`);
export const Dropout1d = dropout('Dropout1d', (m, x) => f.dropout1d(x, m.p, m.training, m.inplace)) as unknown as Fam<{ p: number; inplace: boolean }, [number, boolean], Tensor>;
export const Dropout2d = dropout('Dropout2d', (m, x) => f.dropout2d(x, m.p, m.training, m.inplace)) as unknown as Fam<{ p: number; inplace: boolean }, [number, boolean], Tensor>;
export const Dropout3d = dropout('Dropout3d', (m, x) => f.dropout3d(x, m.p, m.training, m.inplace)) as unknown as Fam<{ p: number; inplace: boolean }, [number, boolean], Tensor>;
export const AlphaDropout = dropout('AlphaDropout', (m, x) => f.alpha_dropout(x, m.p, m.training)) as unknown as Fam<{ p: number; inplace: boolean }, [number, boolean], Tensor>;
export const FeatureAlphaDropout = dropout('FeatureAlphaDropout', (m, x) => f.feature_alpha_dropout(x, m.p, m.training)) as unknown as Fam<{ p: number; inplace: boolean }, [number, boolean], Tensor>;

// ---- shapes and distances ---------------------------------------------------------------------
export const Unflatten = family('Unflatten', { dim: REQUIRED, unflattened_size: REQUIRED }, (a) => a,
  (m, x) => x.unflatten(m.dim, m.unflattened_size), (m) => `dim=${typeof m.dim === 'string' ? m.dim : m.dim}, unflattened_size=${py(m.unflattened_size)}`) as unknown as Fam<{ dim: number | string; unflattened_size: number[] }, [number | string, number[]], Tensor>;

/** The distance modules take two inputs. */
function twoInputs(name: string, spec: Attrs, setup: (a: Attrs) => Attrs, call: (m: Attrs, a: Tensor, b: Tensor) => Tensor): Ctor {
  return {
    [name]: class extends Module {
      constructor(...args: unknown[]) { super(); Object.assign(this, setup(bind<Attrs>(name, args, spec as never))); }
      forward(x1: Tensor, x2: Tensor): Tensor {
        checkTensor(name, 'x1', x1); checkTensor(name, 'x2', x2);
        return call(this as unknown as Attrs, x1, x2);
      }
    },
  }[name];
}
export const CosineSimilarity = twoInputs('CosineSimilarity', { dim: 1, eps: 1e-8 }, (a) => a, (m, a, b) => f.cosine_similarity(a, b, m.dim, m.eps)) as unknown as new (...args: Rest<[number, number], { dim?: number; eps?: number }>) => Module & { dim: number; eps: number; forward(x1: Tensor, x2: Tensor): Tensor };
/** Python keeps p as `norm`. */
export const PairwiseDistance = twoInputs('PairwiseDistance', { p: 2.0, eps: 1e-6, keepdim: false },
  (a) => ({ norm: a.p, eps: a.eps, keepdim: a.keepdim }), (m, a, b) => f.pairwise_distance(a, b, m.norm, m.eps, m.keepdim)) as unknown as new (...args: Rest<[number, number, boolean], { p?: number; eps?: number; keepdim?: boolean }>) => Module & { norm: number; eps: number; keepdim: boolean; forward(x1: Tensor, x2: Tensor): Tensor };

export const Fold = family('Fold', { output_size: REQUIRED, kernel_size: REQUIRED, dilation: 1, padding: 0, stride: 1 }, (a) => a,
  (m, x) => f.fold(x, m.output_size, m.kernel_size, m.dilation, m.padding, m.stride),
  (m) => `output_size=${py(m.output_size)}, kernel_size=${py(m.kernel_size)}, dilation=${py(m.dilation)}, padding=${py(m.padding)}, stride=${py(m.stride)}`) as unknown as Fam<{ output_size: number | number[]; kernel_size: number | number[]; dilation: number | number[]; padding: number | number[]; stride: number | number[] }, [number | number[], number | number[], number | number[], number | number[], number | number[]], Tensor>;
export const Unfold = family('Unfold', { kernel_size: REQUIRED, dilation: 1, padding: 0, stride: 1 }, (a) => a,
  (m, x) => f.unfold(x, m.kernel_size, m.dilation, m.padding, m.stride),
  (m) => `kernel_size=${py(m.kernel_size)}, dilation=${py(m.dilation)}, padding=${py(m.padding)}, stride=${py(m.stride)}`) as unknown as Fam<{ kernel_size: number | number[]; dilation: number | number[]; padding: number | number[]; stride: number | number[] }, [number | number[], number | number[], number | number[], number | number[]], Tensor>;

// ---- Bilinear ------------------------------------------------------------------------------------
export interface BilinearArgs extends FactoryArgs { in1_features: number; in2_features: number; out_features: number; bias: boolean }
/** y = x1^T A x2 + b, A of shape [out, in1, in2]; weight and bias U(-1/sqrt(in1), 1/sqrt(in1)). */
export class Bilinear extends Module {
  declare in1_features: number;
  declare in2_features: number;
  declare out_features: number;
  declare weight: Parameter;
  declare bias: Parameter | null;
  constructor(in1_features: number, in2_features: number, out_features: number, ...args: Rest<[boolean], Partial<BilinearArgs>>) {
    super();
    const a = bind<BilinearArgs>('Bilinear', [in1_features, in2_features, out_features, ...args],
      { in1_features: REQUIRED, in2_features: REQUIRED, out_features: REQUIRED, bias: true, device: null, dtype: null });
    for (const k of ['in1_features', 'in2_features', 'out_features'] as const) checkInt('Bilinear', k, a[k]);
    this.in1_features = a.in1_features;
    this.in2_features = a.in2_features;
    this.out_features = a.out_features;
    this.weight = emptyParameter([a.out_features, a.in1_features, a.in2_features], a);
    if (a.bias) this.bias = emptyParameter([a.out_features], a);
    else this.register_parameter('bias', null);
    this.reset_parameters();
  }
  reset_parameters(): void {
    const bound = 1 / Math.sqrt(this.weight.size(1));
    init.uniform_(this.weight, -bound, bound);
    if (this.bias !== null) init.uniform_(this.bias, -bound, bound);
  }
  forward(input1: Tensor, input2: Tensor): Tensor {
    checkTensor('Bilinear', 'input1', input1); checkTensor('Bilinear', 'input2', input2);
    return f.bilinear(input1, input2, this.weight, this.bias);
  }
  extra_repr(): string {
    return `in1_features=${this.in1_features}, in2_features=${this.in2_features}, out_features=${this.out_features}, bias=${py(this.bias !== null)}`;
  }
}
void pyStrRepr;
