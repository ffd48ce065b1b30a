// torchvision.models.regnet: RegNetX and RegNetY ("Designing Network Design Spaces",
// https://arxiv.org/abs/2003.13678), all sizes, as torchvision 0.14.
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import { arange, pow, log, round, divide } from '../../generated/torch';
import { bind, Rest, REQUIRED } from '../../nn/common';
import { scope } from '../../memory';
import { expect } from '../../guard';
import { bindArgs, makeBuilder, pyRound, _make_divisible } from './_utils';
import { Conv2dNormActivation, SqueezeExcitation, callLayer, LayerFactory } from '../ops/misc';
import * as W from './_zoo_weights';

/** BlockParams.from_init_params's parameters. */
interface InitParams { depth: number; w_0: number; w_a: number; w_m: number; group_width: number; bottleneck_multiplier?: number; se_ratio?: number | null }

/** The simple stem for ImageNet: a 3x3 stride-2 convolution, BN, activation. */
export class SimpleStemIN extends Conv2dNormActivation {
  constructor(width_in: number, width_out: number, norm_layer: LayerFactory, activation_layer: LayerFactory) {
    super(width_in, width_out, { kernel_size: 3, stride: 2, norm_layer, activation_layer });
  }
}

/** Bottleneck transformation: 1x1, 3x3 grouped [+SE], 1x1, as a Sequential named a, b, [se,] c. */
export class BottleneckTransform extends nn.Sequential {
  constructor(width_in: number, width_out: number, stride: number, norm_layer: LayerFactory, activation_layer: LayerFactory,
    group_width: number, bottleneck_multiplier: number, se_ratio: number | null) {
    const layers = new Map<string, nn.Module>();
    const w_b = Math.trunc(pyRound(width_out * bottleneck_multiplier));
    const g = Math.floor(w_b / group_width);
    layers.set('a', new Conv2dNormActivation(width_in, w_b, { kernel_size: 1, stride: 1, norm_layer, activation_layer }));
    layers.set('b', new Conv2dNormActivation(w_b, w_b, { kernel_size: 3, stride, groups: g, norm_layer, activation_layer }));
    if (se_ratio) {
      // The SE reduction ratio is defined with respect to the beginning of the block
      const width_se_out = Math.trunc(pyRound(se_ratio * width_in));
      layers.set('se', new SqueezeExcitation(w_b, width_se_out, { activation: activation_layer }));
    }
    layers.set('c', new Conv2dNormActivation(w_b, width_out, { kernel_size: 1, stride: 1, norm_layer, activation_layer: null }));
    super(layers);
  }
}

/** Residual bottleneck block: x + F(x), F = bottleneck transform; a 1x1 projection when the shape changes. */
export class ResBottleneckBlock extends nn.Module {
  declare proj: nn.Module | null;
  declare f: BottleneckTransform;
  declare activation: nn.Module;

  constructor(width_in: number, width_out: number, stride: number, norm_layer: LayerFactory, activation_layer: LayerFactory,
    group_width = 1, bottleneck_multiplier = 1.0, se_ratio: number | null = null) {
    super();
    // Use skip connection with projection if shape changes
    this.proj = null;
    const should_proj = width_in !== width_out || stride !== 1;
    if (should_proj) {
      this.proj = new Conv2dNormActivation(width_in, width_out, { kernel_size: 1, stride, norm_layer, activation_layer: null });
    }
    this.f = new BottleneckTransform(width_in, width_out, stride, norm_layer, activation_layer, group_width, bottleneck_multiplier, se_ratio);
    this.activation = callLayer(activation_layer, { inplace: true });
  }

  forward(x: Tensor): Tensor {
    x = this.proj !== null ? this.proj(x).add(this.f(x)) : x.add(this.f(x));
    return this.activation(x);
  }
}

/** AnyNet stage (a sequence of blocks with the same output shape), blocks named block<stage>-<i>. */
export class AnyStage extends nn.Sequential {
  constructor(width_in: number, width_out: number, stride: number, depth: number, block_constructor: LayerFactory, norm_layer: LayerFactory,
    activation_layer: LayerFactory, group_width: number, bottleneck_multiplier: number, se_ratio: number | null = null, stage_index = 0) {
    super();
    for (let i = 0; i < depth; i++) {
      const block = callLayer(block_constructor, i === 0 ? width_in : width_out, width_out, i === 0 ? stride : 1,
        norm_layer, activation_layer, group_width, bottleneck_multiplier, se_ratio);
      this.add_module(`block${stage_index}-${i}`, block);
    }
  }
}

/** The per-stage parameters of a RegNet. */
export class BlockParams {
  constructor(public depths: number[], public widths: number[], public group_widths: number[], public bottleneck_multipliers: number[],
    public strides: number[], public se_ratio: number | null = null) {}

  /**
   * Programmatically computes all the per-block settings from the RegNet parameters: the linear
   * widths w_0 + w_a * i, quantised to the geometric grid w_0 * w_m^k (multiples of 8); a stage is
   * a run of blocks of the same width. Computed in float32 tensors, as torchvision does.
   * `BlockParams.from_init_params(depth, w_0, w_a, w_m, group_width, bottleneck_multiplier = 1.0,
   * se_ratio = null)`, by position or by name.
   */
  static from_init_params(...args: Rest<[number, number, number, number, number, number, number | null], InitParams>): BlockParams {
    const o = bind<Required<InitParams>>('BlockParams.from_init_params', args, {
      depth: REQUIRED, w_0: REQUIRED, w_a: REQUIRED, w_m: REQUIRED, group_width: REQUIRED, bottleneck_multiplier: 1.0, se_ratio: null,
    });
    const QUANT = 8;
    const STRIDE = 2;
    const { depth, w_0, w_a, w_m, group_width } = o;
    const bottleneck_multiplier = o.bottleneck_multiplier ?? 1.0;
    if (w_a < 0 || w_0 <= 0 || w_m <= 1 || w_0 % 8 !== 0) throw new Error('Invalid RegNet settings');
    // Compute the block widths. Each stage has one unique block width
    const block_widths = scope(() => {
      const widths_cont = arange(depth).mul(w_a).add(w_0);
      const block_capacity = round(log(widths_cont.div(w_0)).div(Math.log(w_m)));
      return (round(divide(pow(w_m, block_capacity).mul(w_0), QUANT)).mul(QUANT)).int().tolist() as number[];
    });
    const num_stages = new Set(block_widths).size;
    // Convert to per stage parameters
    const a = [...block_widths, 0], b = [0, ...block_widths];
    const splits = a.map((w, i) => w !== b[i]);
    const stage_widths = block_widths.filter((_w, i) => splits[i]);
    const starts = splits.map((t, d) => (t ? d : -1)).filter((d) => d >= 0);
    const stage_depths = starts.slice(1).map((d, i) => d - starts[i]);
    const strides = Array(num_stages).fill(STRIDE);
    const bottleneck_multipliers = Array(num_stages).fill(bottleneck_multiplier);
    const group_widths = Array(num_stages).fill(group_width);
    // Adjust the compatibility of stage widths and group widths
    const [sw, gw] = BlockParams._adjust_widths_groups_compatibilty(stage_widths, bottleneck_multipliers, group_widths);
    return new BlockParams(stage_depths, sw, gw, bottleneck_multipliers, strides, o.se_ratio ?? null);
  }

  _get_expanded_params(): [number, number, number, number, number][] {
    return this.widths.map((w, i) => [w, this.strides[i], this.depths[i], this.group_widths[i], this.bottleneck_multipliers[i]]);
  }

  /** Adjusts the widths and groups so that they are compatible (the bottleneck width a multiple of the group width). */
  static _adjust_widths_groups_compatibilty(stage_widths: number[], bottleneck_ratios: number[], group_widths: number[]): [number[], number[]] {
    // Compute all widths for the current settings
    const widths = stage_widths.map((w, i) => Math.trunc(w * bottleneck_ratios[i]));
    const group_widths_min = group_widths.map((g, i) => Math.min(g, widths[i]));
    // Compute the adjusted widths so that stage and group widths fit
    const ws_bot = widths.map((w_bot, i) => _make_divisible(w_bot, group_widths_min[i]));
    return [ws_bot.map((w_bot, i) => Math.trunc(w_bot / bottleneck_ratios[i])), group_widths_min];
  }
}

export interface RegNetOptions {
  num_classes?: number;
  stem_width?: number;
  stem_type?: LayerFactory | null;
  block_type?: LayerFactory | null;
  norm_layer?: LayerFactory | null;
  activation?: LayerFactory | null;
}

export class RegNet extends nn.Module {
  declare stem: nn.Module;
  declare trunk_output: nn.Sequential;
  declare avgpool: nn.AdaptiveAvgPool2d;
  declare fc: nn.Linear;

  /** `new RegNet(block_params, num_classes = 1000, stem_width = 32, stem_type = null, block_type = null, norm_layer = null, activation = null)`. */
  constructor(...args: Rest<[BlockParams, number, number, LayerFactory | null, LayerFactory | null, LayerFactory | null, LayerFactory | null],
    RegNetOptions & { block_params?: BlockParams }>) {
    super();
    const a = bindArgs<Required<RegNetOptions> & { block_params: BlockParams }>('RegNet', args, {
      block_params: REQUIRED, num_classes: 1000, stem_width: 32, stem_type: null, block_type: null, norm_layer: null, activation: null,
    });
    expect.instance('RegNet', 'block_params', a.block_params, BlockParams, 0);
    const stem_type = a.stem_type ?? SimpleStemIN;
    const norm_layer = a.norm_layer ?? nn.BatchNorm2d;
    const block_type = a.block_type ?? ResBottleneckBlock;
    const activation = a.activation ?? nn.ReLU;
    // Ad hoc stem
    this.stem = callLayer(stem_type, 3, a.stem_width, norm_layer, activation);
    let current_width = a.stem_width;
    const blocks = new Map<string, nn.Module>();
    a.block_params._get_expanded_params().forEach(([width_out, stride, depth, group_width, bottleneck_multiplier], i) => {
      blocks.set(`block${i + 1}`, new AnyStage(current_width, width_out, stride, depth, block_type, norm_layer, activation,
        group_width, bottleneck_multiplier, a.block_params.se_ratio, i + 1));
      current_width = width_out;
    });
    this.trunk_output = new nn.Sequential(blocks);
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.fc = new nn.Linear(current_width, a.num_classes);

    // Performs ResNet-style weight initialization
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        // Note that there is no bias due to BN
        const ks = m.kernel_size as number[];
        const fan_out = ks[0] * ks[1] * m.out_channels;
        nn.init.normal_(m.weight, { mean: 0.0, std: Math.sqrt(2.0 / fan_out) });
      } else if (m instanceof nn.BatchNorm2d) {
        nn.init.ones_(m.weight!);
        nn.init.zeros_(m.bias!);
      } else if (m instanceof nn.Linear) {
        nn.init.normal_(m.weight, { mean: 0.0, std: 0.01 });
        nn.init.zeros_(m.bias!);
      }
    }
  }

  forward(x: Tensor): Tensor {
    x = this.stem(x);
    x = this.trunk_output(x);
    x = this.avgpool(x);
    x = x.flatten(1);
    return this.fc(x);
  }
}

type Init = { depth: number; w_0: number; w_a: number; w_m: number; group_width: number; se_ratio?: number };

/** Each builder's RegNet parameters (what it passes to BlockParams.from_init_params). */
export const _REGNET_INIT: Record<string, Readonly<Init>> = {};

function regnet(name: string, enumClass: Parameters<typeof makeBuilder>[1], init: Init) {
  _REGNET_INIT[name] = Object.freeze(init);
  return makeBuilder(name, enumClass, 'IMAGENET1K_V1', ['num_classes', 'stem_width', 'stem_type', 'block_type', 'norm_layer', 'activation'],
    (_w, kwargs: RegNetOptions) => new RegNet(BlockParams.from_init_params(init), kwargs));
}

export const regnet_y_400mf = regnet('regnet_y_400mf', W.RegNet_Y_400MF_Weights, { depth: 16, w_0: 48, w_a: 27.89, w_m: 2.09, group_width: 8, se_ratio: 0.25 });
export const regnet_y_800mf = regnet('regnet_y_800mf', W.RegNet_Y_800MF_Weights, { depth: 14, w_0: 56, w_a: 38.84, w_m: 2.4, group_width: 16, se_ratio: 0.25 });
export const regnet_y_1_6gf = regnet('regnet_y_1_6gf', W.RegNet_Y_1_6GF_Weights, { depth: 27, w_0: 48, w_a: 20.71, w_m: 2.65, group_width: 24, se_ratio: 0.25 });
export const regnet_y_3_2gf = regnet('regnet_y_3_2gf', W.RegNet_Y_3_2GF_Weights, { depth: 21, w_0: 80, w_a: 42.63, w_m: 2.66, group_width: 24, se_ratio: 0.25 });
export const regnet_y_8gf = regnet('regnet_y_8gf', W.RegNet_Y_8GF_Weights, { depth: 17, w_0: 192, w_a: 76.82, w_m: 2.19, group_width: 56, se_ratio: 0.25 });
export const regnet_y_16gf = regnet('regnet_y_16gf', W.RegNet_Y_16GF_Weights, { depth: 18, w_0: 200, w_a: 106.23, w_m: 2.48, group_width: 112, se_ratio: 0.25 });
export const regnet_y_32gf = regnet('regnet_y_32gf', W.RegNet_Y_32GF_Weights, { depth: 20, w_0: 232, w_a: 115.89, w_m: 2.53, group_width: 232, se_ratio: 0.25 });
/** RegNetY-128GF: only SWAG weights (no legacy `pretrained` entry, as in torchvision). */
export const regnet_y_128gf = regnet('regnet_y_128gf', W.RegNet_Y_128GF_Weights, { depth: 27, w_0: 456, w_a: 160.83, w_m: 2.52, group_width: 264, se_ratio: 0.25 });
export const regnet_x_400mf = regnet('regnet_x_400mf', W.RegNet_X_400MF_Weights, { depth: 22, w_0: 24, w_a: 24.48, w_m: 2.54, group_width: 16 });
export const regnet_x_800mf = regnet('regnet_x_800mf', W.RegNet_X_800MF_Weights, { depth: 16, w_0: 56, w_a: 35.73, w_m: 2.28, group_width: 16 });
export const regnet_x_1_6gf = regnet('regnet_x_1_6gf', W.RegNet_X_1_6GF_Weights, { depth: 18, w_0: 80, w_a: 34.01, w_m: 2.25, group_width: 24 });
export const regnet_x_3_2gf = regnet('regnet_x_3_2gf', W.RegNet_X_3_2GF_Weights, { depth: 25, w_0: 88, w_a: 26.31, w_m: 2.25, group_width: 48 });
export const regnet_x_8gf = regnet('regnet_x_8gf', W.RegNet_X_8GF_Weights, { depth: 23, w_0: 80, w_a: 49.56, w_m: 2.88, group_width: 120 });
export const regnet_x_16gf = regnet('regnet_x_16gf', W.RegNet_X_16GF_Weights, { depth: 22, w_0: 216, w_a: 55.59, w_m: 2.1, group_width: 128 });
export const regnet_x_32gf = regnet('regnet_x_32gf', W.RegNet_X_32GF_Weights, { depth: 23, w_0: 320, w_a: 69.86, w_m: 2.0, group_width: 168 });
