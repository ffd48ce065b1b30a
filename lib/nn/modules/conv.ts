// nn.Conv2d.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import { Parameter, emptyParameter } from '../parameter';
import * as F from '../functional';
import * as init from '../init';
import { bind, pair, py, REQUIRED, Rest, Size2 } from '../common';
import { FactoryArgs } from './linear';
import { checkConv, checkInt, checkSize } from './_check';

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
export interface Conv2dArgs extends FactoryArgs {
  in_channels: number; out_channels: number; kernel_size: Size2; stride: Size2; padding: F.Padding2d;
  dilation: Size2; groups: number; bias: boolean; padding_mode: PaddingMode;
}

/** 2-D convolution over [N, C, H, W] (or unbatched [C, H, W]) input. */
export class Conv2d extends Module {
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

  /** Python's keyword form: `new nn.Conv2d(3, 64, { kernel_size: 7, stride: 2, padding: 3, bias: false })`. */
  constructor(in_channels: number, out_channels: number, options: Partial<Conv2dArgs> & { kernel_size: Size2 });
  constructor(in_channels: number, out_channels: number, kernel_size: Size2,
    ...args: Rest<[Size2, F.Padding2d, Size2, number, boolean, PaddingMode], Partial<Conv2dArgs>>);
  constructor(in_channels: number, out_channels: number, kernel_size: Size2 | Partial<Conv2dArgs>, ...args: unknown[]) {
    super();
    const a = bind<Conv2dArgs>('Conv2d', [in_channels, out_channels, kernel_size, ...args], {
      in_channels: REQUIRED, out_channels: REQUIRED, kernel_size: REQUIRED, stride: 1, padding: 0, dilation: 1,
      groups: 1, bias: true, padding_mode: 'zeros', device: null, dtype: null,
    });
    checkInt('Conv2d', 'in_channels', a.in_channels);
    checkInt('Conv2d', 'out_channels', a.out_channels);
    checkInt('Conv2d', 'groups', a.groups);
    for (const k of ['kernel_size', 'stride', 'dilation'] as const) checkSize('Conv2d', k, a[k]);
    if (typeof a.padding !== 'string') checkSize('Conv2d', 'padding', a.padding);
    const kernel = pair(a.kernel_size), stride = pair(a.stride), dilation = pair(a.dilation);
    const padding = typeof a.padding === 'string' ? a.padding : pair(a.padding);
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
    this.transposed = false;
    this.output_padding = [0, 0];
    this.groups = a.groups;
    this.padding_mode = a.padding_mode;
    if (typeof padding === 'string') {
      const r = [0, 0, 0, 0];
      if (padding === 'same') {
        // Any odd total goes to the right/bottom side, as PyTorch.
        kernel.forEach((k, d) => {
          const total = dilation[d] * (k - 1), left = Math.floor(total / 2), i = kernel.length - 1 - d;
          r[2 * i] = left;
          r[2 * i + 1] = total - left;
        });
      }
      this._reversed_padding_repeated_twice = r;
    } else {
      this._reversed_padding_repeated_twice = [...padding].reverse().flatMap((p) => [p, p]);
    }
    this.weight = emptyParameter([a.out_channels, Math.floor(a.in_channels / a.groups), ...kernel], a);
    if (a.bias) this.bias = emptyParameter([a.out_channels], a);
    else this.register_parameter('bias', null);
    this.reset_parameters();
  }

  /** As Linear: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for both, fan_in = in_channels / groups * kh * kw. */
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

  _conv_forward(input: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
    checkConv('Conv2d', this, weight);
    if (this.padding_mode !== 'zeros') {
      const padded = F.pad(input, this._reversed_padding_repeated_twice, this.padding_mode);
      return F.conv2d(padded, weight, bias, this.stride, 0, this.dilation, this.groups);
    }
    return F.conv2d(input, weight, bias, this.stride, this.padding, this.dilation, this.groups);
  }

  forward(input: Tensor): Tensor { return this._conv_forward(input, this.weight, this.bias); }

  extra_repr(): string {
    const all = (v: number[] | string, x: number) => typeof v !== 'string' && v.every((e) => e === x);
    let s = `${this.in_channels}, ${this.out_channels}, kernel_size=${py(this.kernel_size)}, stride=${py(this.stride)}`;
    if (!all(this.padding, 0)) s += `, padding=${py(this.padding)}`;
    if (!all(this.dilation, 1)) s += `, dilation=${py(this.dilation)}`;
    if (!all(this.output_padding, 0)) s += `, output_padding=${py(this.output_padding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.padding_mode !== 'zeros') s += `, padding_mode=${this.padding_mode}`;
    return s;
  }
}
