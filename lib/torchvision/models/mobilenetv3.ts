// torchvision.models.mobilenetv3: MobileNet V3 large and small (https://arxiv.org/abs/1905.02244), as torchvision 0.14.
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import { Rest, REQUIRED } from '../../nn/common';
import { bindArgs, initWeights, makeBuilder, _make_divisible } from './_utils';
import { Conv2dNormActivation, SqueezeExcitation, callLayer, LayerFactory } from '../ops/misc';
import { Hardswish, Hardsigmoid } from '../../nn/modules';
import { MobileNet_V3_Large_Weights, MobileNet_V3_Small_Weights } from './_zoo_weights';

/** One bottleneck's settings, channels scaled by width_mult (rounded to multiples of 8). */
export class InvertedResidualConfig {
  input_channels: number;
  kernel: number;
  expanded_channels: number;
  out_channels: number;
  use_se: boolean;
  use_hs: boolean;
  stride: number;
  dilation: number;

  constructor(input_channels: number, kernel: number, expanded_channels: number, out_channels: number, use_se: boolean,
    activation: string, stride: number, dilation: number, width_mult: number) {
    this.input_channels = InvertedResidualConfig.adjust_channels(input_channels, width_mult);
    this.kernel = kernel;
    this.expanded_channels = InvertedResidualConfig.adjust_channels(expanded_channels, width_mult);
    this.out_channels = InvertedResidualConfig.adjust_channels(out_channels, width_mult);
    this.use_se = use_se;
    this.use_hs = activation === 'HS';
    this.stride = stride;
    this.dilation = dilation;
  }

  static adjust_channels(channels: number, width_mult: number): number { return _make_divisible(channels * width_mult, 8); }
}

const seHardsigmoid = (input_channels: number, squeeze_channels: number) =>
  new SqueezeExcitation(input_channels, squeeze_channels, { scale_activation: Hardsigmoid });

export class InvertedResidual extends nn.Module {
  declare use_res_connect: boolean;
  declare block: nn.Sequential;
  declare out_channels: number;
  declare _is_cn: boolean;

  /** `new InvertedResidual(cnf, norm_layer, se_layer = SqueezeExcitation with Hardsigmoid)`. */
  constructor(cnf: InvertedResidualConfig, norm_layer: LayerFactory, se_layer: LayerFactory = seHardsigmoid) {
    super();
    if (!(cnf.stride >= 1 && cnf.stride <= 2)) throw new Error('illegal stride value');
    this.use_res_connect = cnf.stride === 1 && cnf.input_channels === cnf.out_channels;
    const layers: nn.Module[] = [];
    const activation_layer = cnf.use_hs ? Hardswish : nn.ReLU;
    // expand
    if (cnf.expanded_channels !== cnf.input_channels) {
      layers.push(new Conv2dNormActivation(cnf.input_channels, cnf.expanded_channels, { kernel_size: 1, norm_layer, activation_layer }));
    }
    // depthwise
    const stride = cnf.dilation > 1 ? 1 : cnf.stride;
    layers.push(new Conv2dNormActivation(cnf.expanded_channels, cnf.expanded_channels, {
      kernel_size: cnf.kernel, stride, dilation: cnf.dilation, groups: cnf.expanded_channels, norm_layer, activation_layer,
    }));
    if (cnf.use_se) {
      const squeeze_channels = _make_divisible(Math.floor(cnf.expanded_channels / 4), 8);
      layers.push(callLayer(se_layer, cnf.expanded_channels, squeeze_channels));
    }
    // project
    layers.push(new Conv2dNormActivation(cnf.expanded_channels, cnf.out_channels, { kernel_size: 1, norm_layer, activation_layer: null }));
    this.block = new nn.Sequential<nn.Module[]>(...layers);
    this.out_channels = cnf.out_channels;
    this._is_cn = cnf.stride > 1;
  }

  forward(input: Tensor): Tensor {
    const result = this.block(input);
    if (this.use_res_connect) result.add_(input);
    return result;
  }
}

export interface MobileNetV3Options {
  num_classes?: number;
  block?: LayerFactory | null;
  norm_layer?: LayerFactory | null;
  dropout?: number;
}

export class MobileNetV3 extends nn.Module {
  declare features: nn.Sequential;
  declare avgpool: nn.AdaptiveAvgPool2d;
  declare classifier: nn.Sequential;

  /** `new MobileNetV3(inverted_residual_setting, last_channel, num_classes = 1000, block = null, norm_layer = null, dropout = 0.2)`. */
  constructor(...args: Rest<[InvertedResidualConfig[], number, number, LayerFactory | null, LayerFactory | null, number],
    MobileNetV3Options & { inverted_residual_setting?: InvertedResidualConfig[]; last_channel?: number }>) {
    super();
    const a = bindArgs<Required<MobileNetV3Options> & { inverted_residual_setting: InvertedResidualConfig[]; last_channel: number }>('MobileNetV3', args, {
      inverted_residual_setting: REQUIRED, last_channel: REQUIRED, num_classes: 1000, block: null, norm_layer: null, dropout: 0.2,
    });
    const setting = a.inverted_residual_setting;
    if (!setting || !setting.length) throw new Error('The inverted_residual_setting should not be empty');
    if (!Array.isArray(setting) || !setting.every((s) => s instanceof InvertedResidualConfig)) {
      throw new TypeError('The inverted_residual_setting should be List[InvertedResidualConfig]');
    }
    const block = a.block ?? InvertedResidual;
    const norm_layer = a.norm_layer ?? ((n: number) => new nn.BatchNorm2d(n, { eps: 0.001, momentum: 0.01 }));
    const layers: nn.Module[] = [];
    // building first layer
    const firstconv_output_channels = setting[0].input_channels;
    layers.push(new Conv2dNormActivation(3, firstconv_output_channels, { kernel_size: 3, stride: 2, norm_layer, activation_layer: Hardswish }));
    // building inverted residual blocks
    for (const cnf of setting) layers.push(callLayer(block, cnf, norm_layer));
    // building last several layers
    const lastconv_input_channels = setting[setting.length - 1].out_channels;
    const lastconv_output_channels = 6 * lastconv_input_channels;
    layers.push(new Conv2dNormActivation(lastconv_input_channels, lastconv_output_channels, { kernel_size: 1, norm_layer, activation_layer: Hardswish }));
    this.features = new nn.Sequential<nn.Module[]>(...layers);
    this.avgpool = new nn.AdaptiveAvgPool2d(1);
    this.classifier = new nn.Sequential<nn.Module[]>(
      new nn.Linear(lastconv_output_channels, a.last_channel), new Hardswish(true),
      new nn.Dropout({ p: a.dropout, inplace: true }), new nn.Linear(a.last_channel, a.num_classes),
    );
    initWeights(this, (m) => nn.init.normal_(m.weight, 0, 0.01));
  }

  _forward_impl(x: Tensor): Tensor {
    x = this.features(x);
    x = this.avgpool(x);
    x = x.flatten(1);
    return this.classifier(x);
  }

  forward(x: Tensor): Tensor { return this._forward_impl(x); }
}

export interface MobileNetV3ConfOptions { width_mult?: number; reduced_tail?: boolean; dilated?: boolean }

/** The bottleneck settings and last channel count of 'mobilenet_v3_large' or 'mobilenet_v3_small'. */
export function _mobilenet_v3_conf(arch: string, o: MobileNetV3ConfOptions = {}): [InvertedResidualConfig[], number] {
  const width_mult = o.width_mult ?? 1.0;
  const rd = o.reduced_tail ? 2 : 1;
  const dilation = o.dilated ? 2 : 1;
  const b = (i: number, k: number, e: number, out: number, se: boolean, act: string, s: number, d: number) =>
    new InvertedResidualConfig(i, k, e, out, se, act, s, d, width_mult);
  const div = (x: number) => Math.floor(x / rd);
  if (arch === 'mobilenet_v3_large') {
    return [[
      b(16, 3, 16, 16, false, 'RE', 1, 1),
      b(16, 3, 64, 24, false, 'RE', 2, 1), // C1
      b(24, 3, 72, 24, false, 'RE', 1, 1),
      b(24, 5, 72, 40, true, 'RE', 2, 1), // C2
      b(40, 5, 120, 40, true, 'RE', 1, 1),
      b(40, 5, 120, 40, true, 'RE', 1, 1),
      b(40, 3, 240, 80, false, 'HS', 2, 1), // C3
      b(80, 3, 200, 80, false, 'HS', 1, 1),
      b(80, 3, 184, 80, false, 'HS', 1, 1),
      b(80, 3, 184, 80, false, 'HS', 1, 1),
      b(80, 3, 480, 112, true, 'HS', 1, 1),
      b(112, 3, 672, 112, true, 'HS', 1, 1),
      b(112, 5, 672, div(160), true, 'HS', 2, dilation), // C4
      b(div(160), 5, div(960), div(160), true, 'HS', 1, dilation),
      b(div(160), 5, div(960), div(160), true, 'HS', 1, dilation),
    ], InvertedResidualConfig.adjust_channels(div(1280), width_mult)]; // C5
  }
  if (arch === 'mobilenet_v3_small') {
    return [[
      b(16, 3, 16, 16, true, 'RE', 2, 1), // C1
      b(16, 3, 72, 24, false, 'RE', 2, 1), // C2
      b(24, 3, 88, 24, false, 'RE', 1, 1),
      b(24, 5, 96, 40, true, 'HS', 2, 1), // C3
      b(40, 5, 240, 40, true, 'HS', 1, 1),
      b(40, 5, 240, 40, true, 'HS', 1, 1),
      b(40, 5, 120, 48, true, 'HS', 1, 1),
      b(48, 5, 144, 48, true, 'HS', 1, 1),
      b(48, 5, 288, div(96), true, 'HS', 2, dilation), // C4
      b(div(96), 5, div(576), div(96), true, 'HS', 1, dilation),
      b(div(96), 5, div(576), div(96), true, 'HS', 1, dilation),
    ], InvertedResidualConfig.adjust_channels(div(1024), width_mult)]; // C5
  }
  throw new Error(`Unsupported model type ${arch}`);
}

const V3_OPTIONS = ['num_classes', 'block', 'norm_layer', 'dropout', 'width_mult', 'reduced_tail', 'dilated'];

function v3(arch: string, enumClass: Parameters<typeof makeBuilder>[1]) {
  return makeBuilder(arch, enumClass, 'IMAGENET1K_V1', V3_OPTIONS, (_w, kwargs: MobileNetV3Options & MobileNetV3ConfOptions) => {
    const { width_mult, reduced_tail, dilated, ...rest } = kwargs;
    const [setting, last_channel] = _mobilenet_v3_conf(arch, { width_mult, reduced_tail, dilated });
    return new MobileNetV3(setting, last_channel, rest);
  });
}

/** MobileNet V3 large. Options: num_classes, dropout, norm_layer, block, width_mult, reduced_tail, dilated. */
export const mobilenet_v3_large = v3('mobilenet_v3_large', MobileNet_V3_Large_Weights);
/** MobileNet V3 small. Options as mobilenet_v3_large's. */
export const mobilenet_v3_small = v3('mobilenet_v3_small', MobileNet_V3_Small_Weights);
