// torchvision.models.mobilenetv2: MobileNet V2 (https://arxiv.org/abs/1801.04381), as torchvision 0.14.
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import * as F from '../../nn/functional';
import { Rest } from '../../nn/common';
import { bindArgs, initWeights, makeBuilder, pyRound, _make_divisible } from './_utils';
import { Conv2dNormActivation, callLayer, LayerFactory } from '../ops/misc';
import { ReLU6 } from '../../nn/modules';
import { MobileNet_V2_Weights } from './_zoo_weights';

/** An expand 1x1, a depthwise 3x3 and a linear 1x1 projection, with a shortcut when shapes allow. */
export class InvertedResidual extends nn.Module {
  declare stride: number;
  declare use_res_connect: boolean;
  declare conv: nn.Sequential;
  declare out_channels: number;
  declare _is_cn: boolean;

  /** `new InvertedResidual(inp, oup, stride, expand_ratio, norm_layer = null)`. */
  constructor(inp: number, oup: number, stride: number, ...args: Rest<[number, LayerFactory | null], { expand_ratio?: number; norm_layer?: LayerFactory | null }>) {
    super();
    const a = bindArgs<{ expand_ratio: number; norm_layer: LayerFactory | null }>('InvertedResidual', args, { expand_ratio: 1 as number, norm_layer: null });
    this.stride = stride;
    if (stride !== 1 && stride !== 2) throw new Error(`stride should be 1 or 2 insted of ${stride}`);
    const norm_layer = a.norm_layer ?? nn.BatchNorm2d;
    const hidden_dim = Math.trunc(pyRound(inp * a.expand_ratio));
    this.use_res_connect = this.stride === 1 && inp === oup;
    const layers: nn.Module[] = [];
    if (a.expand_ratio !== 1) {
      // pw
      layers.push(new Conv2dNormActivation(inp, hidden_dim, { kernel_size: 1, norm_layer, activation_layer: ReLU6 }));
    }
    layers.push(
      // dw
      new Conv2dNormActivation(hidden_dim, hidden_dim, { stride, groups: hidden_dim, norm_layer, activation_layer: ReLU6 }),
      // pw-linear
      new nn.Conv2d(hidden_dim, oup, 1, { stride: 1, padding: 0, bias: false }),
      callLayer(norm_layer, oup),
    );
    this.conv = new nn.Sequential<nn.Module[]>(...layers);
    this.out_channels = oup;
    this._is_cn = stride > 1;
  }

  forward(x: Tensor): Tensor {
    return this.use_res_connect ? x.add(this.conv(x)) : this.conv(x);
  }
}

export interface MobileNetV2Options {
  num_classes?: number;
  width_mult?: number;
  inverted_residual_setting?: number[][] | null;
  round_nearest?: number;
  block?: LayerFactory | null;
  norm_layer?: LayerFactory | null;
  dropout?: number;
}

export class MobileNetV2 extends nn.Module {
  declare last_channel: number;
  declare features: nn.Sequential;
  declare classifier: nn.Sequential;

  /** `new MobileNetV2(num_classes = 1000, width_mult = 1.0, inverted_residual_setting = null, round_nearest = 8, block = null, norm_layer = null, dropout = 0.2)`. */
  constructor(...args: Rest<[number, number, number[][] | null, number, LayerFactory | null, LayerFactory | null, number], MobileNetV2Options>) {
    super();
    const a = bindArgs<Required<MobileNetV2Options>>('MobileNetV2', args, {
      num_classes: 1000, width_mult: 1.0, inverted_residual_setting: null, round_nearest: 8, block: null, norm_layer: null, dropout: 0.2,
    });
    const block = a.block ?? InvertedResidual;
    const norm_layer = a.norm_layer ?? nn.BatchNorm2d;
    let input_channel = 32;
    const last_channel = 1280;
    const setting = a.inverted_residual_setting ?? [
      // t, c, n, s
      [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
    ];
    // only check the first element, assuming user knows t,c,n,s are required
    if (setting.length === 0 || setting[0].length !== 4) {
      throw new Error(`inverted_residual_setting should be non-empty or a 4-element list, got ${JSON.stringify(setting)}`);
    }
    // building first layer
    input_channel = _make_divisible(input_channel * a.width_mult, a.round_nearest);
    this.last_channel = _make_divisible(last_channel * Math.max(1.0, a.width_mult), a.round_nearest);
    const features: nn.Module[] = [
      new Conv2dNormActivation(3, input_channel, { stride: 2, norm_layer, activation_layer: ReLU6 }),
    ];
    // building inverted residual blocks
    for (const [t, c, n, s] of setting) {
      const output_channel = _make_divisible(c * a.width_mult, a.round_nearest);
      for (let i = 0; i < n; i++) {
        const stride = i === 0 ? s : 1;
        features.push(callLayer(block, input_channel, output_channel, stride, { expand_ratio: t, norm_layer }));
        input_channel = output_channel;
      }
    }
    // building last several layers
    features.push(new Conv2dNormActivation(input_channel, this.last_channel, { kernel_size: 1, norm_layer, activation_layer: ReLU6 }));
    this.features = new nn.Sequential<nn.Module[]>(...features);
    this.classifier = new nn.Sequential<nn.Module[]>(new nn.Dropout({ p: a.dropout }), new nn.Linear(this.last_channel, a.num_classes));

    // weight initialization
    initWeights(this, (m) => nn.init.normal_(m.weight, 0, 0.01));
  }

  _forward_impl(x: Tensor): Tensor {
    x = this.features(x);
    x = F.adaptive_avg_pool2d(x, [1, 1]);
    x = x.flatten(1);
    return this.classifier(x);
  }

  forward(x: Tensor): Tensor { return this._forward_impl(x); }
}

/** MobileNet V2 (https://arxiv.org/abs/1801.04381). Options: MobileNetV2's. */
export const mobilenet_v2 = makeBuilder('mobilenet_v2', MobileNet_V2_Weights, 'IMAGENET1K_V1',
  ['num_classes', 'width_mult', 'inverted_residual_setting', 'round_nearest', 'block', 'norm_layer', 'dropout'],
  (_w, kwargs: MobileNetV2Options) => new MobileNetV2(kwargs));
