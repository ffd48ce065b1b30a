// nn.Conv1d/2d/3d and nn.ConvTranspose1d/2d/3d: one _ConvNd for all six, as Python's.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import { Parameter, emptyParameter } from '../parameter';
import * as F from '../functional';
import * as init from '../init';
import { bind, py, pySize, REQUIRED, Rest, Size2 } from '../common';
import { FactoryArgs } from './linear';
import { checkConv, checkInt, checkSize, checkTensor } from './_check';
import { ntuple as ntupleOf } from '../common';
import { expect } from '../../guard';

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
export interface Conv2dArgs extends FactoryArgs {
  in_channels: number; out_channels: number; kernel_size: Size2; stride: Size2; padding: F.Padding2d;
  dilation: Size2; groups: number; bias: boolean; padding_mode: PaddingMode;
}
export type ConvArgs = Conv2dArgs;
export interface ConvTransposeArgs extends FactoryArgs {
  in_channels: number; out_channels: number; kernel_size: Size2; stride: Size2; padding: Size2; output_padding: Size2;
  groups: number; bias: boolean; dilation: Size2; padding_mode: PaddingMode;
}

/** PyTorch's _single/_pair/_triple: one int stands for every spatial dimension. */
export const ntuple = (v: number | number[], n: number): number[] => ntupleOf(v, n);

type Fn = (...a: unknown[]) => Tensor;
const CONV: Record<number, Fn> = { 1: F.conv1d as unknown as Fn, 2: F.conv2d as unknown as Fn, 3: F.conv3d as unknown as Fn };
const CONV_T: Record<number, Fn> = {
  1: F.conv_transpose1d as unknown as Fn, 2: F.conv_transpose2d as unknown as Fn, 3: F.conv_transpose3d as unknown as Fn,
};

/**
 * Python's _ConvNd: the checks, attributes, weight shape and initialisation
 * shared by every convolution. `n` is the number of spatial dimensions.
 */
export abstract class _ConvNd extends Module {
  declare in_channels: number;
  declare out_channels: number;
  declare kernel_size: number[];
  declare stride: number[];
  declare padding: number[] | 'same' | 'valid';
  declare dilation: number[];
  declare transposed: boolean;
  declare output_padding: number[];
  declare groups: number;
  declare padding_mode: PaddingMode;
  /** What F.pad takes for a non-zeros padding_mode: (left, right) per dimension, last dimension first. */
  declare _reversed_padding_repeated_twice: number[];
  declare weight: Parameter;
  declare bias: Parameter | null;
  /** The number of spatial dimensions (each concrete class sets its static _dims). */
  static _dims = 2;
  get _n(): number { return (this.constructor as typeof _ConvNd)._dims; }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(...args: any[]) {
    super(...(args as []));
    // Only a concrete class (Conv1d, ConvTranspose2d, ...) has the arguments that make one.
    if (new.target === _ConvNd) {
      throw new TypeError("_ConvNd.__init__() missing 11 required positional arguments: 'in_channels', 'out_channels', 'kernel_size', " +
        "'stride', 'padding', 'dilation', 'transposed', 'output_padding', 'groups', 'bias', and 'padding_mode'");
    }
  }

  /** Python's _ConvNd.__init__ with bound arguments (a) and, for transposed ones, output_padding. */
  _init(a: Conv2dArgs, transposed: boolean, output_padding: Size2, shape: (k: number[]) => number[]): void {
    const layer = this._get_name(), n = this._n;
    checkInt(layer, 'in_channels', a.in_channels);
    checkInt(layer, 'out_channels', a.out_channels);
    checkInt(layer, 'groups', a.groups);
    for (const k of ['kernel_size', 'stride', 'dilation'] as const) checkSize(layer, k, a[k], n);
    if (typeof a.padding !== 'string') checkSize(layer, 'padding', a.padding, n);
    const kernel = ntuple(a.kernel_size, n), stride = ntuple(a.stride, n), dilation = ntuple(a.dilation, n);
    const padding = typeof a.padding === 'string' ? a.padding : ntuple(a.padding, n);
    if (a.groups <= 0) throw new Error('groups must be a positive integer');
    if (a.in_channels % a.groups !== 0) throw new Error('in_channels must be divisible by groups');
    if (a.out_channels % a.groups !== 0) throw new Error('out_channels must be divisible by groups');
    if (typeof padding === 'string') {
      if (padding !== 'same' && padding !== 'valid') throw new Error(`Invalid padding string '${padding}', should be one of {'same', 'valid'}`);
      if (padding === 'same' && stride.some((s) => s !== 1)) throw new Error("padding='same' is not supported for strided convolutions");
    }
    if (!['zeros', 'reflect', 'replicate', 'circular'].includes(a.padding_mode)) {
      throw new Error(`padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='${a.padding_mode}'`);
    }
    this.in_channels = a.in_channels;
    this.out_channels = a.out_channels;
    this.kernel_size = kernel;
    this.stride = stride;
    this.padding = padding;
    this.dilation = dilation;
    this.transposed = transposed;
    this.output_padding = ntuple(output_padding as number | number[], n);
    this.groups = a.groups;
    this.padding_mode = a.padding_mode;
    const r = Array(2 * n).fill(0);
    if (typeof padding === 'string') {
      if (padding === 'same') {
        // Any odd total goes to the right/bottom side, as PyTorch.
        kernel.forEach((k, d) => {
          const total = dilation[d] * (k - 1), left = Math.floor(total / 2), i = n - 1 - d;
          r[2 * i] = left;
          r[2 * i + 1] = total - left;
        });
      }
      this._reversed_padding_repeated_twice = r;
    } else {
      this._reversed_padding_repeated_twice = [...padding].reverse().flatMap((p) => [p, p]);
    }
    this._initParameters(a, shape(kernel));
  }

  /** Allocates weight (and bias) and draws them; LazyConv* defers this. */
  _initParameters(a: FactoryArgs & { bias: boolean; out_channels: number }, weightShape: number[]): void {
    this.weight = emptyParameter(weightShape, a);
    if (a.bias) this.bias = emptyParameter([a.out_channels], a);
    else this.register_parameter('bias', null);
    this.reset_parameters();
  }

  /** As Linear: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for both, fan_in = weight.size(1) * prod(kernel). */
  reset_parameters(): void {
    init.kaiming_uniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fan_in] = init._calculate_fan_in_and_fan_out(this.weight);
      if (fan_in !== 0) {
        const bound = 1 / Math.sqrt(fan_in);
        init.uniform_(this.bias, -bound, bound);
      }
    }
  }

  extra_repr(): string {
    const all = (v: number[] | string, x: number) => typeof v !== 'string' && v.every((e) => e === x);
    let s = `${this.in_channels}, ${this.out_channels}, kernel_size=${py(this.kernel_size)}, stride=${py(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (!all(this.padding, 0)) s += `, padding=${py(this.padding)}`;
    if (!all(this.dilation, 1)) s += `, dilation=${py(this.dilation)}`;
    if (!all(this.output_padding, 0)) s += `, output_padding=${py(this.output_padding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.padding_mode !== 'zeros') s += `, padding_mode=${this.padding_mode}`;
    return s;
  }
}

const CONV_SPEC = {
  in_channels: REQUIRED, out_channels: REQUIRED, kernel_size: REQUIRED, stride: 1, padding: 0, dilation: 1,
  groups: 1, bias: true, padding_mode: 'zeros', device: null, dtype: null,
} as const;

/** Python's ConvNd forward: padding_mode other than zeros pads with F.pad first. */
abstract class _Conv extends _ConvNd {
  constructor(in_channels: number, out_channels: number, options: Partial<Conv2dArgs> & { kernel_size: Size2 });
  constructor(in_channels: number, out_channels: number, kernel_size: Size2,
    ...args: Rest<[Size2, F.Padding2d, Size2, number, boolean, PaddingMode], Partial<Conv2dArgs>>);
  constructor(in_channels: number, out_channels: number, kernel_size: Size2 | Partial<Conv2dArgs>, ...args: unknown[]) {
    super();
    const a = bind<Conv2dArgs>(new.target.name, [in_channels, out_channels, kernel_size, ...args], CONV_SPEC as never);
    this._init(a, false, 0, (k) => [a.out_channels, Math.floor(a.in_channels / a.groups), ...k]);
  }

  _conv_forward(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
    const n = this._n;
    checkConv(this._get_name(), this, weight, n);
    const conv = CONV[n];
    if (this.padding_mode !== 'zeros') {
      const padded = F.pad(input, this._reversed_padding_repeated_twice, this.padding_mode);
      try {
        return conv(padded, weight, bias, this.stride, Array(n).fill(0), this.dilation, this.groups);
      } finally {
        padded.dispose();
      }
    }
    return conv(input, weight, bias, this.stride, this.padding, this.dilation, this.groups);
  }

  forward(input: Tensor): Tensor { return this._conv_forward(input, this.weight, this.bias); }
}

/** 1-D convolution over [N, C, L] (or unbatched [C, L]) input. */
export class Conv1d extends _Conv { static _dims = 1; }
/** 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]) input. */
export class Conv2d extends _Conv { static _dims = 2; }
/** 3-D convolution over [N, C, D, H, W] (or unbatched [C, D, H, W]) input. */
export class Conv3d extends _Conv { static _dims = 3; }

const CONVT_SPEC = {
  in_channels: REQUIRED, out_channels: REQUIRED, kernel_size: REQUIRED, stride: 1, padding: 0, output_padding: 0,
  groups: 1, bias: true, dilation: 1, padding_mode: 'zeros', device: null, dtype: null,
} as const;

/** Python's _ConvTransposeNd: weight [in, out / groups, *k]; forward(input, output_size) picks output_padding. */
abstract class _ConvTranspose extends _ConvNd {
  constructor(in_channels: number, out_channels: number, options: Partial<ConvTransposeArgs> & { kernel_size: Size2 });
  constructor(in_channels: number, out_channels: number, kernel_size: Size2,
    ...args: Rest<[Size2, Size2, Size2, number, boolean, Size2, PaddingMode], Partial<ConvTransposeArgs>>);
  constructor(in_channels: number, out_channels: number, kernel_size: Size2 | Partial<ConvTransposeArgs>, ...args: unknown[]) {
    super();
    const a = bind<ConvTransposeArgs>(new.target.name, [in_channels, out_channels, kernel_size, ...args], CONVT_SPEC as never);
    if (a.padding_mode !== 'zeros') throw new Error(`Only "zeros" padding mode is supported for ${new.target.name}`);
    checkSize(new.target.name, 'output_padding', a.output_padding, this._n);
    this._init(a, true, a.output_padding, (k) => [a.in_channels, Math.floor(a.out_channels / a.groups), ...k]);
  }

  /** Python's _output_padding: output_padding, or what output_size asks for (checked against the valid range). */
  _output_padding(input: Tensor, output_size: number[] | null): number[] {
    const n = this._n;
    if (output_size === null || output_size === undefined) return this.output_padding;
    expect.iterable(`${this._get_name()}.forward`, 'output_size', output_size, 1);
    const nonSpatial = input.dim() === n + 2 ? 2 : 1;
    let os = [...output_size];
    if (os.length === nonSpatial + n) os = os.slice(nonSpatial);
    if (os.length !== n) {
      throw new Error(`ConvTranspose${n}D: for ${input.dim()}D input, output_size must have ${n} or ${nonSpatial + n} elements (got ${os.length})`);
    }
    const pad = this.padding as number[];
    const min = os.map((_, d) => (input.size(d + nonSpatial) - 1) * this.stride[d] - 2 * pad[d] + this.dilation[d] * (this.kernel_size[d] - 1) + 1);
    const max = min.map((m, d) => m + this.stride[d] - 1);
    if (os.some((s, i) => s < min[i] || s > max[i])) {
      throw new Error(`requested an output size of ${py(output_size, { list: true })}, but valid sizes range from ${py(min, { list: true })} to ` +
        `${py(max, { list: true })} (for an input of ${pySize(input.shape.slice(2))})`);
    }
    return os.map((s, d) => s - min[d]);
  }

  forward(input: Tensor, output_size: number[] | null = null): Tensor {
    const n = this._n;
    checkTensor(this._get_name(), 'input', input);
    checkConv(this._get_name(), this, this.weight, n);
    const output_padding = this._output_padding(input, output_size);
    return CONV_T[n](input, this.weight, this.bias, this.stride, this.padding, output_padding, this.groups, this.dilation);
  }
}

export class ConvTranspose1d extends _ConvTranspose { static _dims = 1; }
export class ConvTranspose2d extends _ConvTranspose { static _dims = 2; }
export class ConvTranspose3d extends _ConvTranspose { static _dims = 3; }
