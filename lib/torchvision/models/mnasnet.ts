// torchvision.models.mnasnet: MNASNet 0.5/0.75/1.0/1.3 ("MnasNet: Platform-Aware Neural Architecture
// Search for Mobile", https://arxiv.org/abs/1807.11626), as torchvision 0.14 (the version-2 layout).
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import { Rest, REQUIRED } from '../../nn/common';
import { bindArgs, makeBuilder } from './_utils';
import { MNASNet0_5_Weights, MNASNet0_75_Weights, MNASNet1_0_Weights, MNASNet1_3_Weights } from './_zoo_weights';

// Paper suggests 0.9997 momentum, for TensorFlow. Equivalent PyTorch momentum is 1 - tensorflow.
const _BN_MOMENTUM = 1 - 0.9997;

export class _InvertedResidual extends nn.Module {
  declare apply_residual: boolean;
  declare layers: nn.Sequential;

  constructor(in_ch: number, out_ch: number, kernel_size: number, stride: number, expansion_factor: number, bn_momentum = 0.1) {
    super();
    if (stride !== 1 && stride !== 2) throw new Error(`stride should be 1 or 2 instead of ${stride}`);
    if (kernel_size !== 3 && kernel_size !== 5) throw new Error(`kernel_size should be 3 or 5 instead of ${kernel_size}`);
    const mid_ch = in_ch * expansion_factor;
    this.apply_residual = in_ch === out_ch && stride === 1;
    const bn = (c: number) => new nn.BatchNorm2d(c, { momentum: bn_momentum });
    this.layers = new nn.Sequential<nn.Module[]>(
      // Pointwise
      new nn.Conv2d(in_ch, mid_ch, 1, { bias: false }), bn(mid_ch), new nn.ReLU(true),
      // Depthwise
      new nn.Conv2d(mid_ch, mid_ch, kernel_size, { padding: Math.floor(kernel_size / 2), stride, groups: mid_ch, bias: false }),
      bn(mid_ch), new nn.ReLU(true),
      // Linear pointwise. Note that there's no activation.
      new nn.Conv2d(mid_ch, out_ch, 1, { bias: false }), bn(out_ch),
    );
  }

  forward(input: Tensor): Tensor {
    return this.apply_residual ? this.layers(input).add(input) : this.layers(input);
  }
}

/** Creates a stack of inverted residuals. */
export function _stack(in_ch: number, out_ch: number, kernel_size: number, stride: number, exp_factor: number, repeats: number, bn_momentum: number): nn.Sequential {
  if (repeats < 1) throw new Error(`repeats should be >= 1, instead got ${repeats}`);
  // First one has no skip, because feature map size changes.
  const first = new _InvertedResidual(in_ch, out_ch, kernel_size, stride, exp_factor, bn_momentum);
  const remaining: nn.Module[] = [];
  for (let i = 1; i < repeats; i++) remaining.push(new _InvertedResidual(out_ch, out_ch, kernel_size, 1, exp_factor, bn_momentum));
  return new nn.Sequential<nn.Module[]>(first, ...remaining);
}

/** Asymmetric rounding to make `val` divisible by `divisor`: rounds up unless that would grow it by more than 1 - round_up_bias. */
export function _round_to_multiple_of(val: number, divisor: number, round_up_bias = 0.9): number {
  if (!(round_up_bias > 0.0 && round_up_bias < 1.0)) {
    throw new Error(`round_up_bias should be greater than 0.0 and smaller than 1.0 instead of ${round_up_bias}`);
  }
  const new_val = Math.max(divisor, Math.floor(Math.trunc(val + divisor / 2) / divisor) * divisor);
  return new_val >= round_up_bias * val ? new_val : new_val + divisor;
}

/** The depths of the layers, scaled by alpha, as multiples of 8. */
export function _get_depths(alpha: number): number[] {
  return [32, 16, 24, 40, 80, 96, 192, 320].map((depth) => _round_to_multiple_of(depth * alpha, 8));
}

export interface MNASNetOptions { num_classes?: number; dropout?: number }

export class MNASNet extends nn.Module {
  static _version = 2;
  declare alpha: number;
  declare num_classes: number;
  declare layers: nn.Sequential;
  declare classifier: nn.Sequential;

  /** `new MNASNet(alpha, num_classes = 1000, dropout = 0.2)`. */
  constructor(...args: Rest<[number, number, number], MNASNetOptions & { alpha?: number }>) {
    super();
    const a = bindArgs<{ alpha: number; num_classes: number; dropout: number }>('MNASNet', args, { alpha: REQUIRED, num_classes: 1000, dropout: 0.2 });
    if (a.alpha <= 0.0) throw new Error(`alpha should be greater than 0.0 instead of ${a.alpha}`);
    this.alpha = a.alpha;
    this.num_classes = a.num_classes;
    const depths = _get_depths(a.alpha);
    const bn = (c: number) => new nn.BatchNorm2d(c, { momentum: _BN_MOMENTUM });
    this.layers = new nn.Sequential<nn.Module[]>(
      // First layer: regular conv.
      new nn.Conv2d(3, depths[0], 3, { padding: 1, stride: 2, bias: false }), bn(depths[0]), new nn.ReLU(true),
      // Depthwise separable, no skip.
      new nn.Conv2d(depths[0], depths[0], 3, { padding: 1, stride: 1, groups: depths[0], bias: false }), bn(depths[0]), new nn.ReLU(true),
      new nn.Conv2d(depths[0], depths[1], 1, { padding: 0, stride: 1, bias: false }), bn(depths[1]),
      // MNASNet blocks: stacks of inverted residuals.
      _stack(depths[1], depths[2], 3, 2, 3, 3, _BN_MOMENTUM),
      _stack(depths[2], depths[3], 5, 2, 3, 3, _BN_MOMENTUM),
      _stack(depths[3], depths[4], 5, 2, 6, 3, _BN_MOMENTUM),
      _stack(depths[4], depths[5], 3, 1, 6, 2, _BN_MOMENTUM),
      _stack(depths[5], depths[6], 5, 2, 6, 4, _BN_MOMENTUM),
      _stack(depths[6], depths[7], 3, 1, 6, 1, _BN_MOMENTUM),
      // Final mapping to classifier input.
      new nn.Conv2d(depths[7], 1280, 1, { padding: 0, stride: 1, bias: false }), bn(1280), new nn.ReLU(true),
    );
    this.classifier = new nn.Sequential<nn.Module[]>(new nn.Dropout({ p: a.dropout, inplace: true }), new nn.Linear(1280, a.num_classes));

    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        nn.init.kaiming_normal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
        if (m.bias !== null) nn.init.zeros_(m.bias);
      } else if (m instanceof nn.BatchNorm2d) {
        nn.init.ones_(m.weight!);
        nn.init.zeros_(m.bias!);
      } else if (m instanceof nn.Linear) {
        nn.init.kaiming_uniform_(m.weight, { mode: 'fan_out', nonlinearity: 'sigmoid' });
        nn.init.zeros_(m.bias!);
      }
    }
  }

  forward(x: Tensor): Tensor {
    x = this.layers(x);
    // Equivalent to global avgpool and removing H and W dimensions.
    x = x.mean([2, 3]);
    return this.classifier(x);
  }
}

function mnasnet(name: string, enumClass: Parameters<typeof makeBuilder>[1], alpha: number) {
  return makeBuilder(name, enumClass, 'IMAGENET1K_V1', ['num_classes', 'dropout'], (_w, kwargs: MNASNetOptions) => new MNASNet(alpha, kwargs));
}

/** MNASNet with depth multiplier 0.5. Options: num_classes, dropout. */
export const mnasnet0_5 = mnasnet('mnasnet0_5', MNASNet0_5_Weights, 0.5);
/** MNASNet with depth multiplier 0.75. */
export const mnasnet0_75 = mnasnet('mnasnet0_75', MNASNet0_75_Weights, 0.75);
/** MNASNet with depth multiplier 1.0. */
export const mnasnet1_0 = mnasnet('mnasnet1_0', MNASNet1_0_Weights, 1.0);
/** MNASNet with depth multiplier 1.3. */
export const mnasnet1_3 = mnasnet('mnasnet1_3', MNASNet1_3_Weights, 1.3);
