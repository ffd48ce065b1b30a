// torchvision.models.convnext: ConvNeXt Tiny/Small/Base/Large ("A ConvNet for the 2020s",
// https://arxiv.org/abs/2201.03545), as torchvision 0.14.
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import { ones } from '../../creation';
import { Rest, REQUIRED } from '../../nn/common';
import { bindArgs, makeBuilder } from './_utils';
import { Conv2dNormActivation, Permute, callLayer, LayerFactory } from '../ops/misc';
import { StochasticDepth } from '../ops/stochastic_depth';
import { trunc_normal_, zeros_ } from '../../nn/init';
import * as W from './_zoo_weights';

/** nn.LayerNorm over the channels of an NCHW input (moved last and back). */
export class LayerNorm2d extends nn.LayerNorm {
  forward(x: Tensor): Tensor {
    return super.forward(x.permute([0, 2, 3, 1])).permute([0, 3, 1, 2]);
  }
}

const layerNorm_eps6 = (n: number): nn.Module => new nn.LayerNorm(n, { eps: 1e-6 });
const layerNorm2d_eps6 = (n: number): nn.Module => new LayerNorm2d(n, { eps: 1e-6 });

/** Depthwise 7x7 conv, LayerNorm, an inverted MLP (4x, GELU); scaled per channel by layer_scale, stochastic-depth shortcut. */
export class CNBlock extends nn.Module {
  declare block: nn.Sequential;
  declare layer_scale: nn.Parameter;
  declare stochastic_depth: StochasticDepth;

  constructor(dim: number, layer_scale: number, stochastic_depth_prob: number, norm_layer: LayerFactory | null = null) {
    super();
    const norm = norm_layer ?? layerNorm_eps6;
    this.block = new nn.Sequential<nn.Module[]>(
      new nn.Conv2d(dim, dim, { kernel_size: 7, padding: 3, groups: dim, bias: true }),
      new Permute([0, 2, 3, 1]),
      callLayer(norm, dim),
      new nn.Linear(dim, 4 * dim, { bias: true }),
      new nn.GELU(),
      new nn.Linear(4 * dim, dim, { bias: true }),
      new Permute([0, 3, 1, 2]),
    );
    const o = ones([dim, 1, 1]);
    this.layer_scale = new nn.Parameter(o.mul(layer_scale));
    o.dispose();
    this.stochastic_depth = new StochasticDepth(stochastic_depth_prob, 'row');
  }

  forward(input: Tensor): Tensor {
    let result = this.layer_scale.mul(this.block(input));
    result = this.stochastic_depth(result);
    result.add_(input);
    return result;
  }
}

/** One stage: input_channels wide, num_layers blocks, then a downsampling to out_channels (null: the last stage). */
export class CNBlockConfig {
  constructor(public input_channels: number, public out_channels: number | null, public num_layers: number) {}
  toString(): string {
    return `CNBlockConfig(input_channels=${this.input_channels}, out_channels=${this.out_channels === null ? 'None' : this.out_channels}, num_layers=${this.num_layers})`;
  }
}

export interface ConvNeXtOptions {
  stochastic_depth_prob?: number;
  layer_scale?: number;
  num_classes?: number;
  /** The block class or factory, called as block(dim, layer_scale, sd_prob). Default: CNBlock. */
  block?: LayerFactory | null;
  /** Default: LayerNorm2d with eps 1e-6. */
  norm_layer?: LayerFactory | null;
}

type ConvNeXtArgs = { block_setting: CNBlockConfig[] } & Required<ConvNeXtOptions>;

export class ConvNeXt extends nn.Module {
  declare features: nn.Sequential;
  declare avgpool: nn.AdaptiveAvgPool2d;
  declare classifier: nn.Sequential;

  /** `new ConvNeXt(block_setting, stochastic_depth_prob = 0.0, layer_scale = 1e-6, num_classes = 1000, block = null, norm_layer = null)`. */
  constructor(...args: Rest<[CNBlockConfig[], number, number, number, LayerFactory | null, LayerFactory | null], ConvNeXtOptions & { block_setting?: CNBlockConfig[] }>) {
    super();
    const a = bindArgs<ConvNeXtArgs>('ConvNeXt', args,
      { block_setting: REQUIRED, stochastic_depth_prob: 0.0, layer_scale: 1e-6, num_classes: 1000, block: null, norm_layer: null });
    const setting = a.block_setting;
    if (!setting || (Array.isArray(setting) && !setting.length)) throw new Error('The block_setting should not be empty');
    if (!Array.isArray(setting) || !setting.every((s) => s instanceof CNBlockConfig)) throw new TypeError('The block_setting should be List[CNBlockConfig]');
    const block = a.block ?? CNBlock;
    const norm_layer = a.norm_layer ?? layerNorm2d_eps6;
    const layers: nn.Module[] = [];
    // Stem: 4x4 patches
    const firstconv_output_channels = setting[0].input_channels;
    layers.push(new Conv2dNormActivation(3, firstconv_output_channels, {
      kernel_size: 4, stride: 4, padding: 0, norm_layer, activation_layer: null, bias: true,
    }));
    const total_stage_blocks = setting.reduce((n, c) => n + c.num_layers, 0);
    let stage_block_id = 0;
    for (const cnf of setting) {
      // Bottlenecks
      const stage: nn.Module[] = [];
      for (let i = 0; i < cnf.num_layers; i++) {
        // the probability grows linearly with the block's depth, from 0 to stochastic_depth_prob
        const sd_prob = a.stochastic_depth_prob * stage_block_id / (total_stage_blocks - 1.0);
        stage.push(callLayer(block, cnf.input_channels, a.layer_scale, sd_prob));
        stage_block_id++;
      }
      layers.push(new nn.Sequential<nn.Module[]>(...stage));
      if (cnf.out_channels !== null) {
        // Downsampling
        layers.push(new nn.Sequential<nn.Module[]>(
          callLayer(norm_layer, cnf.input_channels),
          new nn.Conv2d(cnf.input_channels, cnf.out_channels, { kernel_size: 2, stride: 2 }),
        ));
      }
    }
    this.features = new nn.Sequential<nn.Module[]>(...layers);
    this.avgpool = new nn.AdaptiveAvgPool2d(1);
    const lastblock = setting[setting.length - 1];
    const lastconv_output_channels = lastblock.out_channels ?? lastblock.input_channels;
    this.classifier = new nn.Sequential<nn.Module[]>(
      callLayer(norm_layer, lastconv_output_channels), new nn.Flatten(1), new nn.Linear(lastconv_output_channels, a.num_classes));

    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d || m instanceof nn.Linear) {
        trunc_normal_(m.weight, { std: 0.02 });
        if (m.bias !== null) zeros_(m.bias);
      }
    }
  }

  _forward_impl(x: Tensor): Tensor {
    x = this.features(x);
    x = this.avgpool(x);
    return this.classifier(x);
  }

  forward(x: Tensor): Tensor { return this._forward_impl(x); }
}

/** A ConvNeXt builder: its stages, and the stochastic depth it defaults to (overridable by name). */
function convnext(arch: string, enumClass: Parameters<typeof makeBuilder>[1], setting: () => CNBlockConfig[], sd_prob: number) {
  return makeBuilder(arch, enumClass, 'IMAGENET1K_V1', ['stochastic_depth_prob', 'layer_scale', 'num_classes', 'block', 'norm_layer'],
    (_w, kwargs: ConvNeXtOptions) => {
      const { stochastic_depth_prob = sd_prob, ...rest } = kwargs;
      return new ConvNeXt(setting(), { ...rest, stochastic_depth_prob });
    });
}

const C = (i: number, o: number | null, n: number) => new CNBlockConfig(i, o, n);

/** ConvNeXt Tiny. Options: stochastic_depth_prob (0.1), layer_scale, num_classes, block, norm_layer. */
export const convnext_tiny = convnext('convnext_tiny', W.ConvNeXt_Tiny_Weights, () => [C(96, 192, 3), C(192, 384, 3), C(384, 768, 9), C(768, null, 3)], 0.1);
/** ConvNeXt Small (stochastic_depth_prob 0.4). */
export const convnext_small = convnext('convnext_small', W.ConvNeXt_Small_Weights, () => [C(96, 192, 3), C(192, 384, 3), C(384, 768, 27), C(768, null, 3)], 0.4);
/** ConvNeXt Base (stochastic_depth_prob 0.5). */
export const convnext_base = convnext('convnext_base', W.ConvNeXt_Base_Weights, () => [C(128, 256, 3), C(256, 512, 3), C(512, 1024, 27), C(1024, null, 3)], 0.5);
/** ConvNeXt Large (stochastic_depth_prob 0.5). */
export const convnext_large = convnext('convnext_large', W.ConvNeXt_Large_Weights, () => [C(192, 384, 3), C(384, 768, 3), C(768, 1536, 27), C(1536, null, 3)], 0.5);
