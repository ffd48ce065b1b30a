// Max, average and adaptive average pooling over [N, C, H, W] (or [C, H, W]).
import { Tensor } from '../../tensor';
import { Module } from '../module';
import * as F from '../functional';
import { bind, py, REQUIRED, Rest, Size2 } from '../common';
import { checkOutputSize, checkPool } from './_check';

export interface MaxPool2dArgs { kernel_size: Size2; stride: Size2 | null; padding: Size2; dilation: Size2; return_indices: boolean; ceil_mode: boolean }

/** Sizes are kept as given (a number or a pair), as Python prints them. With return_indices, forward gives [output, indices]. */
export class MaxPool2d extends Module {
  declare kernel_size: Size2;
  declare stride: Size2;
  declare padding: Size2;
  declare dilation: Size2;
  declare return_indices: boolean;
  declare ceil_mode: boolean;
  constructor(options: Partial<MaxPool2dArgs> & { kernel_size: Size2 });
  constructor(kernel_size: Size2, ...args: Rest<[Size2 | null, Size2, Size2, boolean, boolean], Partial<MaxPool2dArgs>>);
  constructor(kernel_size: Size2 | Partial<MaxPool2dArgs>, ...args: unknown[]) {
    super();
    const a = bind<MaxPool2dArgs>('MaxPool2d', [kernel_size, ...args],
      { kernel_size: REQUIRED, stride: null, padding: 0, dilation: 1, return_indices: false, ceil_mode: false });
    this.kernel_size = a.kernel_size;
    this.stride = a.stride ?? a.kernel_size;
    this.padding = a.padding;
    this.dilation = a.dilation;
    this.return_indices = a.return_indices;
    this.ceil_mode = a.ceil_mode;
  }
  forward(input: Tensor): Tensor {
    checkPool('MaxPool2d', this);
    return F.max_pool2d(input, this.kernel_size, this.stride, this.padding, this.dilation,
      { ceil_mode: this.ceil_mode, return_indices: this.return_indices });
  }
  extra_repr(): string {
    return `kernel_size=${py(this.kernel_size)}, stride=${py(this.stride)}, padding=${py(this.padding)}, ` +
      `dilation=${py(this.dilation)}, ceil_mode=${py(this.ceil_mode)}`;
  }
}

export interface AvgPool2dArgs { kernel_size: Size2; stride: Size2 | null; padding: Size2; ceil_mode: boolean; count_include_pad: boolean; divisor_override: number | null }

export class AvgPool2d extends Module {
  declare kernel_size: Size2;
  declare stride: Size2;
  declare padding: Size2;
  declare ceil_mode: boolean;
  declare count_include_pad: boolean;
  declare divisor_override: number | null;
  constructor(options: Partial<AvgPool2dArgs> & { kernel_size: Size2 });
  constructor(kernel_size: Size2, ...args: Rest<[Size2 | null, Size2, boolean, boolean, number | null], Partial<AvgPool2dArgs>>);
  constructor(kernel_size: Size2 | Partial<AvgPool2dArgs>, ...args: unknown[]) {
    super();
    const a = bind<AvgPool2dArgs>('AvgPool2d', [kernel_size, ...args],
      { kernel_size: REQUIRED, stride: null, padding: 0, ceil_mode: false, count_include_pad: true, divisor_override: null });
    this.kernel_size = a.kernel_size;
    this.stride = a.stride ?? a.kernel_size;
    this.padding = a.padding;
    this.ceil_mode = a.ceil_mode;
    this.count_include_pad = a.count_include_pad;
    this.divisor_override = a.divisor_override;
  }
  forward(input: Tensor): Tensor {
    checkPool('AvgPool2d', this);
    return F.avg_pool2d(input, this.kernel_size, this.stride, this.padding, this.ceil_mode, this.count_include_pad, this.divisor_override);
  }
  extra_repr(): string { return `kernel_size=${py(this.kernel_size)}, stride=${py(this.stride)}, padding=${py(this.padding)}`; }
}

type OutputSize = number | (number | null)[];

/** Average pooling to a fixed output size ([H, W], one number for both, null to keep the input's). */
export class AdaptiveAvgPool2d extends Module {
  declare output_size: OutputSize;
  constructor(...args: [OutputSize] | [{ output_size: OutputSize }]) {
    super();
    this.output_size = bind<{ output_size: OutputSize }>('AdaptiveAvgPool2d', args, { output_size: REQUIRED }).output_size;
  }
  forward(input: Tensor): Tensor {
    checkOutputSize('AdaptiveAvgPool2d', this.output_size);
    return F.adaptive_avg_pool2d(input, this.output_size);
  }
  extra_repr(): string { return `output_size=${py(this.output_size)}`; }
}
