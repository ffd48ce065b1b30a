// torchvision.models.shufflenetv2: ShuffleNet V2 x0.5/1.0/1.5/2.0 (https://arxiv.org/abs/1807.11164), as torchvision 0.14.
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import { cat } from '../../generated/torch';
import { Rest, REQUIRED } from '../../nn/common';
import { bindArgs, makeBuilder } from './_utils';
import { callLayer, LayerFactory } from '../ops/misc';
import {
  ShuffleNet_V2_X0_5_Weights, ShuffleNet_V2_X1_0_Weights, ShuffleNet_V2_X1_5_Weights, ShuffleNet_V2_X2_0_Weights,
} from './_zoo_weights';

/** Interleaves the channels of `groups` groups: [N, g*c, H, W] -> view [N, g, c, H, W] -> transpose -> flatten. */
export function channel_shuffle(x: Tensor, groups: number): Tensor {
  const [batchsize, num_channels, height, width] = x.shape;
  const channels_per_group = Math.floor(num_channels / groups);
  x = x.view(batchsize, groups, channels_per_group, height, width);
  x = x.transpose(1, 2).contiguous();
  return x.view(batchsize, -1, height, width);
}

export class InvertedResidual extends nn.Module {
  declare stride: number;
  declare branch1: nn.Sequential;
  declare branch2: nn.Sequential;

  constructor(inp: number, oup: number, stride: number) {
    super();
    if (!(stride >= 1 && stride <= 3)) throw new Error('illegal stride value');
    this.stride = stride;
    const branch_features = Math.floor(oup / 2);
    if (this.stride === 1 && inp !== branch_features << 1) {
      throw new Error(`Invalid combination of stride ${stride}, inp ${inp} and oup ${oup} values. If stride == 1 then inp should be equal to oup // 2 << 1.`);
    }
    if (this.stride > 1) {
      this.branch1 = new nn.Sequential<nn.Module[]>(
        InvertedResidual.depthwise_conv(inp, inp, 3, this.stride, 1), new nn.BatchNorm2d(inp),
        new nn.Conv2d(inp, branch_features, 1, { stride: 1, padding: 0, bias: false }), new nn.BatchNorm2d(branch_features),
        new nn.ReLU(true),
      );
    } else {
      this.branch1 = new nn.Sequential<nn.Module[]>();
    }
    this.branch2 = new nn.Sequential<nn.Module[]>(
      new nn.Conv2d(this.stride > 1 ? inp : branch_features, branch_features, 1, { stride: 1, padding: 0, bias: false }),
      new nn.BatchNorm2d(branch_features), new nn.ReLU(true),
      InvertedResidual.depthwise_conv(branch_features, branch_features, 3, this.stride, 1), new nn.BatchNorm2d(branch_features),
      new nn.Conv2d(branch_features, branch_features, 1, { stride: 1, padding: 0, bias: false }), new nn.BatchNorm2d(branch_features),
      new nn.ReLU(true),
    );
  }

  static depthwise_conv(i: number, o: number, kernel_size: number, stride = 1, padding = 0, bias = false): nn.Conv2d {
    return new nn.Conv2d(i, o, kernel_size, { stride, padding, bias, groups: i });
  }

  forward(x: Tensor): Tensor {
    let out: Tensor;
    if (this.stride === 1) {
      const [x1, x2] = x.chunk(2, 1);
      out = cat([x1, this.branch2(x2)], 1);
    } else {
      out = cat([this.branch1(x), this.branch2(x)], 1);
    }
    return channel_shuffle(out, 2);
  }
}

export interface ShuffleNetV2Options { num_classes?: number; inverted_residual?: LayerFactory }

export class ShuffleNetV2 extends nn.Module {
  declare _stage_out_channels: number[];
  declare conv1: nn.Sequential;
  declare maxpool: nn.MaxPool2d;
  declare stage2: nn.Sequential;
  declare stage3: nn.Sequential;
  declare stage4: nn.Sequential;
  declare conv5: nn.Sequential;
  declare fc: nn.Linear;

  /** `new ShuffleNetV2(stages_repeats, stages_out_channels, num_classes = 1000, inverted_residual = InvertedResidual)`. */
  constructor(...args: Rest<[number[], number[], number, LayerFactory], ShuffleNetV2Options & { stages_repeats?: number[]; stages_out_channels?: number[] }>) {
    super();
    const a = bindArgs<{ stages_repeats: number[]; stages_out_channels: number[]; num_classes: number; inverted_residual: LayerFactory }>(
      'ShuffleNetV2', args, { stages_repeats: REQUIRED, stages_out_channels: REQUIRED, num_classes: 1000, inverted_residual: InvertedResidual });
    if (a.stages_repeats.length !== 3) throw new Error('expected stages_repeats as list of 3 positive ints');
    if (a.stages_out_channels.length !== 5) throw new Error('expected stages_out_channels as list of 5 positive ints');
    this._stage_out_channels = a.stages_out_channels;
    let input_channels = 3;
    let output_channels = this._stage_out_channels[0];
    this.conv1 = new nn.Sequential<nn.Module[]>(
      new nn.Conv2d(input_channels, output_channels, 3, { stride: 2, padding: 1, bias: false }),
      new nn.BatchNorm2d(output_channels), new nn.ReLU(true));
    input_channels = output_channels;
    this.maxpool = new nn.MaxPool2d(3, { stride: 2, padding: 1 });
    (['stage2', 'stage3', 'stage4'] as const).forEach((name, k) => {
      const repeats = a.stages_repeats[k];
      output_channels = this._stage_out_channels[k + 1];
      const seq = [callLayer(a.inverted_residual, input_channels, output_channels, 2)];
      for (let i = 0; i < repeats - 1; i++) seq.push(callLayer(a.inverted_residual, output_channels, output_channels, 1));
      this[name] = new nn.Sequential<nn.Module[]>(...seq);
      input_channels = output_channels;
    });
    output_channels = this._stage_out_channels[this._stage_out_channels.length - 1];
    this.conv5 = new nn.Sequential<nn.Module[]>(
      new nn.Conv2d(input_channels, output_channels, 1, { stride: 1, padding: 0, bias: false }),
      new nn.BatchNorm2d(output_channels), new nn.ReLU(true));
    this.fc = new nn.Linear(output_channels, a.num_classes);
  }

  _forward_impl(x: Tensor): Tensor {
    x = this.conv1(x);
    x = this.maxpool(x);
    x = this.stage2(x);
    x = this.stage3(x);
    x = this.stage4(x);
    x = this.conv5(x);
    x = x.mean([2, 3]); // globalpool
    return this.fc(x);
  }

  forward(x: Tensor): Tensor { return this._forward_impl(x); }
}

function shuffle(name: string, enumClass: Parameters<typeof makeBuilder>[1], out: number[]) {
  return makeBuilder(name, enumClass, 'IMAGENET1K_V1', ['num_classes', 'inverted_residual'],
    (_w, kwargs: ShuffleNetV2Options) => new ShuffleNetV2([4, 8, 4], out, kwargs));
}
/** ShuffleNet V2 with 0.5x output channels. */
export const shufflenet_v2_x0_5 = shuffle('shufflenet_v2_x0_5', ShuffleNet_V2_X0_5_Weights, [24, 48, 96, 192, 1024]);
/** ShuffleNet V2 with 1.0x output channels. */
export const shufflenet_v2_x1_0 = shuffle('shufflenet_v2_x1_0', ShuffleNet_V2_X1_0_Weights, [24, 116, 232, 464, 1024]);
/** ShuffleNet V2 with 1.5x output channels. */
export const shufflenet_v2_x1_5 = shuffle('shufflenet_v2_x1_5', ShuffleNet_V2_X1_5_Weights, [24, 176, 352, 704, 1024]);
/** ShuffleNet V2 with 2.0x output channels. */
export const shufflenet_v2_x2_0 = shuffle('shufflenet_v2_x2_0', ShuffleNet_V2_X2_0_Weights, [24, 244, 488, 976, 2048]);
