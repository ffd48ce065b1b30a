// torchvision.models.efficientnet: EfficientNet B0-B7 (https://arxiv.org/abs/1905.11946) and
// EfficientNetV2 S/M/L (https://arxiv.org/abs/2104.00298), as torchvision 0.14.
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import { Rest, REQUIRED } from '../../nn/common';
import { warn } from '../../warnings';
import { bindArgs, initWeights, makeBuilder, _make_divisible } from './_utils';
import { Conv2dNormActivation, SqueezeExcitation, callLayer, LayerFactory } from '../ops/misc';
import { StochasticDepth } from '../ops/stochastic_depth';
import { SiLU } from '../../nn/modules';
import * as W from './_zoo_weights';

/** What MBConvConfig and FusedMBConvConfig share: one stage of blocks. */
export class _MBConvConfig {
  constructor(public expand_ratio: number, public kernel: number, public stride: number, public input_channels: number,
    public out_channels: number, public num_layers: number, public block: LayerFactory) {}

  static adjust_channels(channels: number, width_mult: number, min_value: number | null = null): number {
    return _make_divisible(channels * width_mult, 8, min_value);
  }
}

/** A stage of MBConv blocks; channels scaled by width_mult, the number of layers by depth_mult. */
export class MBConvConfig extends _MBConvConfig {
  constructor(expand_ratio: number, kernel: number, stride: number, input_channels: number, out_channels: number, num_layers: number,
    width_mult = 1.0, depth_mult = 1.0, block: LayerFactory | null = null) {
    super(expand_ratio, kernel, stride, _MBConvConfig.adjust_channels(input_channels, width_mult),
      _MBConvConfig.adjust_channels(out_channels, width_mult), MBConvConfig.adjust_depth(num_layers, depth_mult), block ?? MBConv);
  }

  static adjust_depth(num_layers: number, depth_mult: number): number { return Math.ceil(num_layers * depth_mult); }
}

/** A stage of FusedMBConv blocks (EfficientNetV2's early stages). */
export class FusedMBConvConfig extends _MBConvConfig {
  constructor(expand_ratio: number, kernel: number, stride: number, input_channels: number, out_channels: number, num_layers: number,
    block: LayerFactory | null = null) {
    super(expand_ratio, kernel, stride, input_channels, out_channels, num_layers, block ?? FusedMBConv);
  }
}

const siluInplace = (): nn.Module => new SiLU(true);

/** Expand 1x1, depthwise kxk, squeeze-and-excitation, project 1x1; a stochastic-depth shortcut when shapes allow. */
export class MBConv extends nn.Module {
  declare use_res_connect: boolean;
  declare block: nn.Sequential;
  declare stochastic_depth: StochasticDepth;
  declare out_channels: number;

  constructor(cnf: MBConvConfig, stochastic_depth_prob: number, norm_layer: LayerFactory, se_layer: LayerFactory = SqueezeExcitation) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new Error('illegal stride value');
    this.use_res_connect = cnf.stride === 1 && cnf.input_channels === cnf.out_channels;
    const layers: nn.Module[] = [];
    const activation_layer = SiLU;
    // expand
    const expanded_channels = _MBConvConfig.adjust_channels(cnf.input_channels, cnf.expand_ratio);
    if (expanded_channels !== cnf.input_channels) {
      layers.push(new Conv2dNormActivation(cnf.input_channels, expanded_channels, { kernel_size: 1, norm_layer, activation_layer }));
    }
    // depthwise
    layers.push(new Conv2dNormActivation(expanded_channels, expanded_channels, {
      kernel_size: cnf.kernel, stride: cnf.stride, groups: expanded_channels, norm_layer, activation_layer,
    }));
    // squeeze and excitation
    const squeeze_channels = Math.max(1, Math.floor(cnf.input_channels / 4));
    layers.push(callLayer(se_layer, expanded_channels, squeeze_channels, { activation: siluInplace }));
    // project
    layers.push(new Conv2dNormActivation(expanded_channels, cnf.out_channels, { kernel_size: 1, norm_layer, activation_layer: null }));
    this.block = new nn.Sequential<nn.Module[]>(...layers);
    this.stochastic_depth = new StochasticDepth(stochastic_depth_prob, 'row');
    this.out_channels = cnf.out_channels;
  }

  forward(input: Tensor): Tensor {
    let result = this.block(input);
    if (this.use_res_connect) {
      result = this.stochastic_depth(result);
      result.add_(input);
    }
    return result;
  }
}

/** The expansion and depthwise convolutions fused into one kxk convolution (EfficientNetV2). */
export class FusedMBConv extends nn.Module {
  declare use_res_connect: boolean;
  declare block: nn.Sequential;
  declare stochastic_depth: StochasticDepth;
  declare out_channels: number;

  constructor(cnf: FusedMBConvConfig, stochastic_depth_prob: number, norm_layer: LayerFactory) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new Error('illegal stride value');
    this.use_res_connect = cnf.stride === 1 && cnf.input_channels === cnf.out_channels;
    const layers: nn.Module[] = [];
    const activation_layer = SiLU;
    const expanded_channels = _MBConvConfig.adjust_channels(cnf.input_channels, cnf.expand_ratio);
    if (expanded_channels !== cnf.input_channels) {
      // fused expand
      layers.push(new Conv2dNormActivation(cnf.input_channels, expanded_channels, { kernel_size: cnf.kernel, stride: cnf.stride, norm_layer, activation_layer }));
      // project
      layers.push(new Conv2dNormActivation(expanded_channels, cnf.out_channels, { kernel_size: 1, norm_layer, activation_layer: null }));
    } else {
      layers.push(new Conv2dNormActivation(cnf.input_channels, cnf.out_channels, { kernel_size: cnf.kernel, stride: cnf.stride, norm_layer, activation_layer }));
    }
    this.block = new nn.Sequential<nn.Module[]>(...layers);
    this.stochastic_depth = new StochasticDepth(stochastic_depth_prob, 'row');
    this.out_channels = cnf.out_channels;
  }

  forward(input: Tensor): Tensor {
    let result = this.block(input);
    if (this.use_res_connect) {
      result = this.stochastic_depth(result);
      result.add_(input);
    }
    return result;
  }
}

export interface EfficientNetOptions {
  stochastic_depth_prob?: number;
  num_classes?: number;
  norm_layer?: LayerFactory | null;
  last_channel?: number | null;
  /** Deprecated since 0.13 (warns): set MBConvConfig.block instead. */
  block?: LayerFactory | null;
}

export class EfficientNet extends nn.Module {
  declare features: nn.Sequential;
  declare avgpool: nn.AdaptiveAvgPool2d;
  declare classifier: nn.Sequential;

  /** `new EfficientNet(inverted_residual_setting, dropout, stochastic_depth_prob = 0.2, num_classes = 1000, norm_layer = null, last_channel = null)`. */
  constructor(...args: Rest<[_MBConvConfig[], number, number, number, LayerFactory | null, number | null], EfficientNetOptions & { inverted_residual_setting?: _MBConvConfig[]; dropout?: number }>) {
    super();
    // `block` is only ever passed by name (Python's **kwargs).
    const last = args[args.length - 1] as Record<string, unknown> | undefined;
    const hasBlock = typeof last === 'object' && last !== null && !Array.isArray(last) && 'block' in last;
    const blockArg = hasBlock ? last!.block as LayerFactory | null : null;
    if (hasBlock) {
      const { block: _b, ...rest } = last!;
      args = [...args.slice(0, -1), rest] as unknown as typeof args;
    }
    const a = bindArgs<{ inverted_residual_setting: _MBConvConfig[]; dropout: number; stochastic_depth_prob: number; num_classes: number; norm_layer: LayerFactory | null; last_channel: number | null }>(
      'EfficientNet', args, { inverted_residual_setting: REQUIRED, dropout: REQUIRED, stochastic_depth_prob: 0.2, num_classes: 1000, norm_layer: null, last_channel: null });
    const setting = a.inverted_residual_setting;
    if (!setting || !setting.length) throw new Error('The inverted_residual_setting should not be empty');
    if (!Array.isArray(setting) || !setting.every((s) => s instanceof _MBConvConfig)) {
      throw new TypeError('The inverted_residual_setting should be List[MBConvConfig]');
    }
    if (hasBlock) {
      warn("The parameter 'block' is deprecated since 0.13 and will be removed 0.15. Please pass this information on 'MBConvConfig.block' instead.");
      if (blockArg !== null) for (const s of setting) if (s instanceof MBConvConfig) s.block = blockArg;
    }
    const norm_layer = a.norm_layer ?? nn.BatchNorm2d;
    const layers: nn.Module[] = [];
    // building first layer
    const firstconv_output_channels = setting[0].input_channels;
    layers.push(new Conv2dNormActivation(3, firstconv_output_channels, { kernel_size: 3, stride: 2, norm_layer, activation_layer: SiLU }));
    // building inverted residual blocks
    const total_stage_blocks = setting.reduce((n, cnf) => n + cnf.num_layers, 0);
    let stage_block_id = 0;
    for (const cnf of setting) {
      const stage: nn.Module[] = [];
      for (let i = 0; i < cnf.num_layers; i++) {
        // copy to avoid modifications. shallow copy is enough
        const block_cnf = Object.assign(Object.create(Object.getPrototypeOf(cnf)), cnf) as _MBConvConfig;
        // overwrite info if not the first conv in the stage
        if (stage.length) {
          block_cnf.input_channels = block_cnf.out_channels;
          block_cnf.stride = 1;
        }
        // adjust stochastic depth probability based on the depth of the stage block
        const sd_prob = a.stochastic_depth_prob * stage_block_id / total_stage_blocks;
        stage.push(callLayer(block_cnf.block, block_cnf, sd_prob, norm_layer));
        stage_block_id++;
      }
      layers.push(new nn.Sequential<nn.Module[]>(...stage));
    }
    // building last several layers
    const lastconv_input_channels = setting[setting.length - 1].out_channels;
    const lastconv_output_channels = a.last_channel ?? 4 * lastconv_input_channels;
    layers.push(new Conv2dNormActivation(lastconv_input_channels, lastconv_output_channels, { kernel_size: 1, norm_layer, activation_layer: SiLU }));
    this.features = new nn.Sequential<nn.Module[]>(...layers);
    this.avgpool = new nn.AdaptiveAvgPool2d(1);
    this.classifier = new nn.Sequential<nn.Module[]>(new nn.Dropout({ p: a.dropout, inplace: true }), new nn.Linear(lastconv_output_channels, a.num_classes));

    initWeights(this, (m) => {
      const init_range = 1.0 / Math.sqrt(m.out_features);
      nn.init.uniform_(m.weight, -init_range, init_range);
    });
  }

  _forward_impl(x: Tensor): Tensor {
    x = this.features(x);
    x = this.avgpool(x);
    x = x.flatten(1);
    return this.classifier(x);
  }

  forward(x: Tensor): Tensor { return this._forward_impl(x); }
}

/** The stages of an EfficientNet architecture, and its last channel count (null: 4x the last stage's). */
export function _efficientnet_conf(arch: string, o: { width_mult?: number; depth_mult?: number } = {}): [_MBConvConfig[], number | null] {
  if (arch.startsWith('efficientnet_b')) {
    const b = (e: number, k: number, s: number, i: number, out: number, n: number) => new MBConvConfig(e, k, s, i, out, n, o.width_mult, o.depth_mult);
    return [[
      b(1, 3, 1, 32, 16, 1), b(6, 3, 2, 16, 24, 2), b(6, 5, 2, 24, 40, 2), b(6, 3, 2, 40, 80, 3),
      b(6, 5, 1, 80, 112, 3), b(6, 5, 2, 112, 192, 4), b(6, 3, 1, 192, 320, 1),
    ], null];
  }
  const F_ = (...a: [number, number, number, number, number, number]) => new FusedMBConvConfig(...a);
  const M_ = (...a: [number, number, number, number, number, number]) => new MBConvConfig(...a);
  if (arch.startsWith('efficientnet_v2_s')) {
    return [[F_(1, 3, 1, 24, 24, 2), F_(4, 3, 2, 24, 48, 4), F_(4, 3, 2, 48, 64, 4), M_(4, 3, 2, 64, 128, 6), M_(6, 3, 1, 128, 160, 9), M_(6, 3, 2, 160, 256, 15)], 1280];
  }
  if (arch.startsWith('efficientnet_v2_m')) {
    return [[F_(1, 3, 1, 24, 24, 3), F_(4, 3, 2, 24, 48, 5), F_(4, 3, 2, 48, 80, 5), M_(4, 3, 2, 80, 160, 7), M_(6, 3, 1, 160, 176, 14),
      M_(6, 3, 2, 176, 304, 18), M_(6, 3, 1, 304, 512, 5)], 1280];
  }
  if (arch.startsWith('efficientnet_v2_l')) {
    return [[F_(1, 3, 1, 32, 32, 4), F_(4, 3, 2, 32, 64, 7), F_(4, 3, 2, 64, 96, 7), M_(4, 3, 2, 96, 192, 10), M_(6, 3, 1, 192, 224, 19),
      M_(6, 3, 2, 224, 384, 25), M_(6, 3, 1, 384, 640, 7)], 1280];
  }
  throw new Error(`Unsupported model type ${arch}`);
}

type EffOpts = Omit<EfficientNetOptions, 'last_channel'>;

/**
 * An EfficientNet builder. `norm` is the normalisation the architecture fixes (B5-B7, V2):
 * passing norm_layer too is Python's "multiple values" TypeError there.
 */
function effnet(arch: string, enumClass: Parameters<typeof makeBuilder>[1], dropout: number, mult: { width_mult?: number; depth_mult?: number },
  norm: LayerFactory | null = null) {
  return makeBuilder(arch, enumClass, 'IMAGENET1K_V1', ['stochastic_depth_prob', 'num_classes', 'norm_layer', 'block'], (_w, kwargs: EffOpts) => {
    const [setting, last_channel] = _efficientnet_conf(arch, mult);
    if (norm !== null) {
      if ('norm_layer' in kwargs) throw new TypeError("torchvision.models.efficientnet.EfficientNet() got multiple values for keyword argument 'norm_layer'");
      kwargs = { ...kwargs, norm_layer: norm };
    }
    return new EfficientNet(setting, dropout, { ...kwargs, last_channel });
  });
}

const bn_001_001 = (n: number) => new nn.BatchNorm2d(n, { eps: 0.001, momentum: 0.01 });
const bn_eps_1e3 = (n: number) => new nn.BatchNorm2d(n, { eps: 1e-03 });

/** EfficientNet-B0. Options: stochastic_depth_prob, num_classes, norm_layer. */
export const efficientnet_b0 = effnet('efficientnet_b0', W.EfficientNet_B0_Weights, 0.2, { width_mult: 1.0, depth_mult: 1.0 });
export const efficientnet_b1 = effnet('efficientnet_b1', W.EfficientNet_B1_Weights, 0.2, { width_mult: 1.0, depth_mult: 1.1 });
export const efficientnet_b2 = effnet('efficientnet_b2', W.EfficientNet_B2_Weights, 0.3, { width_mult: 1.1, depth_mult: 1.2 });
export const efficientnet_b3 = effnet('efficientnet_b3', W.EfficientNet_B3_Weights, 0.3, { width_mult: 1.2, depth_mult: 1.4 });
export const efficientnet_b4 = effnet('efficientnet_b4', W.EfficientNet_B4_Weights, 0.4, { width_mult: 1.4, depth_mult: 1.8 });
/** EfficientNet-B5..B7: batch norm with eps 0.001, momentum 0.01 (options: stochastic_depth_prob, num_classes). */
export const efficientnet_b5 = effnet('efficientnet_b5', W.EfficientNet_B5_Weights, 0.4, { width_mult: 1.6, depth_mult: 2.2 }, bn_001_001);
export const efficientnet_b6 = effnet('efficientnet_b6', W.EfficientNet_B6_Weights, 0.5, { width_mult: 1.8, depth_mult: 2.6 }, bn_001_001);
export const efficientnet_b7 = effnet('efficientnet_b7', W.EfficientNet_B7_Weights, 0.5, { width_mult: 2.0, depth_mult: 3.1 }, bn_001_001);
/** EfficientNetV2-S/M/L: batch norm with eps 0.001. */
export const efficientnet_v2_s = effnet('efficientnet_v2_s', W.EfficientNet_V2_S_Weights, 0.2, {}, bn_eps_1e3);
export const efficientnet_v2_m = effnet('efficientnet_v2_m', W.EfficientNet_V2_M_Weights, 0.3, {}, bn_eps_1e3);
export const efficientnet_v2_l = effnet('efficientnet_v2_l', W.EfficientNet_V2_L_Weights, 0.4, {}, bn_eps_1e3);
