// torchvision.models.resnet: ResNet, its blocks, and the builders with their pretrained weights,
// as torchvision 0.14's models/resnet.py.
//
// The layers are made in torchvision's order and initialised by the same loop over modules(), so
// that after torch.manual_seed(s) every parameter is torchvision's bit for bit, and the
// state_dict() keys are torchvision's (a checkpoint saved by torchvision loads as it is).
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import { py } from '../../nn/common';
import { Weights, WeightsEnum } from './_api';
import { BuilderArgs, BuilderOptions, _ovewrite_named_param, makeBuilder } from './_utils';
import {
  ResNeXt50_32X4D_Weights, ResNeXt101_32X8D_Weights, ResNeXt101_64X4D_Weights, Wide_ResNet50_2_Weights, Wide_ResNet101_2_Weights,
} from './_zoo_weights';
import { ImageClassification } from '../transforms/_presets';
import { _IMAGENET_CATEGORIES } from './_meta';

/** A normalisation layer for `planes` channels: a Module class (nn.BatchNorm2d) or a function returning a Module. */
export type NormLayer = (new (num_features: number) => nn.Module) | ((num_features: number) => nn.Module);

function makeNorm(norm_layer: NormLayer, planes: number): nn.Module {
  const f = norm_layer as { prototype?: unknown };
  if (typeof norm_layer === 'function' && f.prototype instanceof nn.Module) {
    return new (norm_layer as new (n: number) => nn.Module)(planes);
  }
  return (norm_layer as (n: number) => nn.Module)(planes);
}

/** 3x3 convolution with padding. */
export function conv3x3(in_planes: number, out_planes: number, stride = 1, groups = 1, dilation = 1): nn.Conv2d {
  return new nn.Conv2d(in_planes, out_planes, 3, { stride, padding: dilation, groups, bias: false, dilation });
}

/** 1x1 convolution. */
export function conv1x1(in_planes: number, out_planes: number, stride = 1): nn.Conv2d {
  return new nn.Conv2d(in_planes, out_planes, 1, { stride, bias: false });
}

/** What the blocks take after (inplanes, planes): torchvision's positional order, or by name. */
export interface BlockOptions {
  stride?: number;
  downsample?: nn.Module | null;
  groups?: number;
  base_width?: number;
  dilation?: number;
  norm_layer?: NormLayer | null;
}
type BlockArgs = [] | [BlockOptions]
  | [number, (nn.Module | null)?, number?, number?, number?, (NormLayer | null)?];

interface BoundBlockOptions { stride: number; downsample: nn.Module | null; groups: number; base_width: number; dilation: number; norm_layer: NormLayer }

function blockOptions(args: BlockArgs): BoundBlockOptions {
  const o: BlockOptions = args.length === 1 && typeof args[0] === 'object' && args[0] !== null && !(args[0] instanceof nn.Module)
    ? args[0] as BlockOptions
    : { stride: args[0] as number | undefined, downsample: args[1] as nn.Module | null | undefined, groups: args[2] as number | undefined,
      base_width: args[3] as number | undefined, dilation: args[4] as number | undefined, norm_layer: args[5] as NormLayer | null | undefined };
  return {
    stride: o.stride ?? 1, downsample: o.downsample ?? null, groups: o.groups ?? 1, base_width: o.base_width ?? 64,
    dilation: o.dilation ?? 1, norm_layer: o.norm_layer ?? nn.BatchNorm2d,
  };
}

/** The block type ResNet is built of: BasicBlock or Bottleneck (a class with a static `expansion`). */
export type Block = (typeof BasicBlock) | (typeof Bottleneck);

/** Two 3x3 convolutions and a shortcut: the block of ResNet-18 and -34. */
export class BasicBlock extends nn.Module {
  static expansion = 1;

  declare conv1: nn.Conv2d;
  declare bn1: nn.Module;
  declare relu: nn.ReLU;
  declare conv2: nn.Conv2d;
  declare bn2: nn.Module;
  declare downsample: nn.Module | null;
  declare stride: number;

  /**
   * `new BasicBlock(inplanes, planes, stride = 1, downsample = null, groups = 1, base_width = 64,
   * dilation = 1, norm_layer = nn.BatchNorm2d)`, or `new BasicBlock(inplanes, planes, { stride, ... })`.
   */
  constructor(inplanes: number, planes: number, ...args: BlockArgs) {
    super();
    const { stride, downsample, groups, base_width, dilation, norm_layer } = blockOptions(args);
    if (groups !== 1 || base_width !== 64) throw new Error('BasicBlock only supports groups=1 and base_width=64');
    if (dilation > 1) throw new Error('Dilation > 1 not supported in BasicBlock'); // Python's NotImplementedError
    // Both this.conv1 and this.downsample layers downsample the input when stride != 1
    this.conv1 = conv3x3(inplanes, planes, stride);
    this.bn1 = makeNorm(norm_layer, planes);
    this.relu = new nn.ReLU({ inplace: true });
    this.conv2 = conv3x3(planes, planes);
    this.bn2 = makeNorm(norm_layer, planes);
    this.downsample = downsample;
    this.stride = stride;
  }

  forward(x: Tensor): Tensor {
    let identity = x;

    let out = this.conv1(x);
    out = this.bn1(out);
    out = this.relu(out);

    out = this.conv2(out);
    out = this.bn2(out);

    if (this.downsample !== null) identity = this.downsample(x);

    out.add_(identity); // out += identity
    out = this.relu(out);

    return out;
  }
}

/**
 * 1x1, 3x3, 1x1 convolutions and a shortcut: the block of ResNet-50, -101 and -152. As in
 * torchvision, the stride is on the 3x3 convolution (ResNet V1.5).
 */
export class Bottleneck extends nn.Module {
  static expansion = 4;

  declare conv1: nn.Conv2d;
  declare bn1: nn.Module;
  declare conv2: nn.Conv2d;
  declare bn2: nn.Module;
  declare conv3: nn.Conv2d;
  declare bn3: nn.Module;
  declare relu: nn.ReLU;
  declare downsample: nn.Module | null;
  declare stride: number;

  /** Same arguments as BasicBlock. */
  constructor(inplanes: number, planes: number, ...args: BlockArgs) {
    super();
    const { stride, downsample, groups, base_width, dilation, norm_layer } = blockOptions(args);
    const width = Math.trunc(planes * (base_width / 64.0)) * groups;
    // Both this.conv2 and this.downsample layers downsample the input when stride != 1
    this.conv1 = conv1x1(inplanes, width);
    this.bn1 = makeNorm(norm_layer, width);
    this.conv2 = conv3x3(width, width, stride, groups, dilation);
    this.bn2 = makeNorm(norm_layer, width);
    this.conv3 = conv1x1(width, planes * Bottleneck.expansion);
    this.bn3 = makeNorm(norm_layer, planes * Bottleneck.expansion);
    this.relu = new nn.ReLU({ inplace: true });
    this.downsample = downsample;
    this.stride = stride;
  }

  forward(x: Tensor): Tensor {
    let identity = x;

    let out = this.conv1(x);
    out = this.bn1(out);
    out = this.relu(out);

    out = this.conv2(out);
    out = this.bn2(out);
    out = this.relu(out);

    out = this.conv3(out);
    out = this.bn3(out);

    if (this.downsample !== null) identity = this.downsample(x);

    out.add_(identity); // out += identity
    out = this.relu(out);

    return out;
  }
}

/** ResNet's keyword arguments (torchvision's names and defaults). */
export interface ResNetOptions {
  /** Number of output classes. Default: 1000. */
  num_classes?: number;
  /** Zero-initialise the last norm layer of each residual branch. Default: false. */
  zero_init_residual?: boolean;
  /** Convolution groups of the Bottleneck 3x3 convolutions (ResNeXt). Default: 1. */
  groups?: number;
  /** Channels per group in the Bottleneck (64 for ResNet; 128 for Wide ResNet). Default: 64. */
  width_per_group?: number;
  /** For layer2, layer3, layer4: replace the 2x2 stride with a dilated convolution. Default: all false. */
  replace_stride_with_dilation?: boolean[] | null;
  /** The normalisation layer. Default: nn.BatchNorm2d. */
  norm_layer?: NormLayer | null;
}

type ResNetArgs = [] | [ResNetOptions]
  | [number, boolean?, number?, number?, (boolean[] | null)?, (NormLayer | null)?];

/** Deep Residual Network (He et al., 2015), as torchvision's `ResNet`. */
export class ResNet extends nn.Module {
  declare _norm_layer: NormLayer;
  declare inplanes: number;
  declare dilation: number;
  declare groups: number;
  declare base_width: number;
  declare conv1: nn.Conv2d;
  declare bn1: nn.Module;
  declare relu: nn.ReLU;
  declare maxpool: nn.MaxPool2d;
  declare layer1: nn.Sequential;
  declare layer2: nn.Sequential;
  declare layer3: nn.Sequential;
  declare layer4: nn.Sequential;
  declare avgpool: nn.AdaptiveAvgPool2d;
  declare fc: nn.Linear;

  /**
   * `new ResNet(block, layers, { num_classes, zero_init_residual, groups, width_per_group,
   * replace_stride_with_dilation, norm_layer })` (or those positionally, in that order).
   */
  constructor(block: Block, layers: number[], ...args: ResNetArgs) {
    super();
    const o: ResNetOptions = args.length === 1 && typeof args[0] === 'object' && args[0] !== null ? args[0] as ResNetOptions
      : {
        num_classes: args[0] as number | undefined, zero_init_residual: args[1] as boolean | undefined,
        groups: args[2] as number | undefined, width_per_group: args[3] as number | undefined,
        replace_stride_with_dilation: args[4] as boolean[] | null | undefined, norm_layer: args[5] as NormLayer | null | undefined,
      };
    const num_classes = o.num_classes ?? 1000;
    const zero_init_residual = o.zero_init_residual ?? false;
    const norm_layer = o.norm_layer ?? nn.BatchNorm2d;
    this._norm_layer = norm_layer;

    this.inplanes = 64;
    this.dilation = 1;
    // each element in the array says whether to replace the 2x2 stride with a dilated convolution instead
    const replace_stride_with_dilation = o.replace_stride_with_dilation ?? [false, false, false];
    if (replace_stride_with_dilation.length !== 3) {
      throw new Error(`replace_stride_with_dilation should be None or a 3-element tuple, got ${py(replace_stride_with_dilation, { list: true })}`);
    }
    this.groups = o.groups ?? 1;
    this.base_width = o.width_per_group ?? 64;
    this.conv1 = new nn.Conv2d(3, this.inplanes, 7, { stride: 2, padding: 3, bias: false });
    this.bn1 = makeNorm(norm_layer, this.inplanes);
    this.relu = new nn.ReLU({ inplace: true });
    this.maxpool = new nn.MaxPool2d(3, { stride: 2, padding: 1 });
    this.layer1 = this._make_layer(block, 64, layers[0]);
    this.layer2 = this._make_layer(block, 128, layers[1], { stride: 2, dilate: replace_stride_with_dilation[0] });
    this.layer3 = this._make_layer(block, 256, layers[2], { stride: 2, dilate: replace_stride_with_dilation[1] });
    this.layer4 = this._make_layer(block, 512, layers[3], { stride: 2, dilate: replace_stride_with_dilation[2] });
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.fc = new nn.Linear(512 * block.expansion, num_classes);

    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        nn.init.kaiming_normal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
      } else if (m instanceof nn.BatchNorm2d) { // torchvision: (nn.BatchNorm2d, nn.GroupNorm); nn has no GroupNorm yet
        const norm = m as nn.Module & { weight: Tensor; bias: Tensor };
        nn.init.constant_(norm.weight, 1);
        nn.init.constant_(norm.bias, 0);
      }
    }

    // Zero-initialise the last BN in each residual branch, so that the residual branch starts with
    // zeros, and each residual block behaves like an identity. This improves the model by 0.2~0.3%
    // according to https://arxiv.org/abs/1706.02677
    if (zero_init_residual) {
      for (const m of this.modules()) {
        const w = (n: nn.Module) => (n as nn.Module & { weight?: Tensor | null }).weight;
        if (m instanceof Bottleneck && w(m.bn3) != null) nn.init.constant_(w(m.bn3)!, 0);
        else if (m instanceof BasicBlock && w(m.bn2) != null) nn.init.constant_(w(m.bn2)!, 0);
      }
    }
  }

  _make_layer(block: Block, planes: number, blocks: number, opts: { stride?: number; dilate?: boolean } = {}): nn.Sequential {
    let stride = opts.stride ?? 1;
    const norm_layer = this._norm_layer;
    let downsample: nn.Module | null = null;
    const previous_dilation = this.dilation;
    if (opts.dilate) {
      this.dilation *= stride;
      stride = 1;
    }
    if (stride !== 1 || this.inplanes !== planes * block.expansion) {
      downsample = new nn.Sequential(
        conv1x1(this.inplanes, planes * block.expansion, stride),
        makeNorm(norm_layer, planes * block.expansion),
      );
    }

    const layers: nn.Module[] = [];
    layers.push(new block(this.inplanes, planes, stride, downsample, this.groups, this.base_width, previous_dilation, norm_layer));
    this.inplanes = planes * block.expansion;
    for (let i = 1; i < blocks; i++) {
      layers.push(new block(this.inplanes, planes, {
        groups: this.groups, base_width: this.base_width, dilation: this.dilation, norm_layer,
      }));
    }

    return new nn.Sequential(...layers);
  }

  _forward_impl(x: Tensor): Tensor {
    x = this.conv1(x);
    x = this.bn1(x);
    x = this.relu(x);
    x = this.maxpool(x);

    x = this.layer1(x);
    x = this.layer2(x);
    x = this.layer3(x);
    x = this.layer4(x);

    x = this.avgpool(x);
    x = x.flatten(1); // torch.flatten(x, 1)
    x = this.fc(x);

    return x;
  }

  forward(x: Tensor): Tensor {
    return this._forward_impl(x);
  }
}

// ---- weights ------------------------------------------------------------------------------

const _COMMON_META = {
  min_size: [1, 1] as const,
  categories: _IMAGENET_CATEGORIES,
};

const RECIPE_V1 = 'https://github.com/pytorch/vision/tree/main/references/classification#resnet';
const DOCS_V1 = 'These weights reproduce closely the results of the paper using a simple training recipe.';
const DOCS_V2 = `
                These weights improve upon the results of the original paper by using TorchVision's \`new training recipe
                <https://pytorch.org/blog/how-to-train-state-of-the-art-models-using-torchvision-latest-primitives/>\`_.
            `;

function imagenet(url: string, num_params: number, recipe: string, acc1: number, acc5: number, docs: string,
  resize_size?: number): Weights {
  return new Weights({
    url,
    transforms: () => new ImageClassification({ crop_size: 224, ...(resize_size !== undefined ? { resize_size } : {}) }),
    meta: {
      ..._COMMON_META,
      num_params,
      recipe,
      _metrics: { 'ImageNet-1K': { 'acc@1': acc1, 'acc@5': acc5 } },
      _docs: docs,
    },
  });
}

export class ResNet18_Weights extends WeightsEnum {
  static readonly IMAGENET1K_V1 = new ResNet18_Weights('IMAGENET1K_V1', imagenet(
    'https://download.pytorch.org/models/resnet18-f37072fd.pth', 11689512, RECIPE_V1, 69.758, 89.078, DOCS_V1));
  static readonly DEFAULT = ResNet18_Weights.IMAGENET1K_V1;
}

export class ResNet34_Weights extends WeightsEnum {
  static readonly IMAGENET1K_V1 = new ResNet34_Weights('IMAGENET1K_V1', imagenet(
    'https://download.pytorch.org/models/resnet34-b627a593.pth', 21797672, RECIPE_V1, 73.314, 91.420, DOCS_V1));
  static readonly DEFAULT = ResNet34_Weights.IMAGENET1K_V1;
}

export class ResNet50_Weights extends WeightsEnum {
  static readonly IMAGENET1K_V1 = new ResNet50_Weights('IMAGENET1K_V1', imagenet(
    'https://download.pytorch.org/models/resnet50-0676ba61.pth', 25557032, RECIPE_V1, 76.130, 92.862, DOCS_V1));
  static readonly IMAGENET1K_V2 = new ResNet50_Weights('IMAGENET1K_V2', imagenet(
    'https://download.pytorch.org/models/resnet50-11ad3fa6.pth', 25557032,
    'https://github.com/pytorch/vision/issues/3995#issuecomment-1013906621', 80.858, 95.434, DOCS_V2, 232));
  static readonly DEFAULT = ResNet50_Weights.IMAGENET1K_V2;
}

export class ResNet101_Weights extends WeightsEnum {
  static readonly IMAGENET1K_V1 = new ResNet101_Weights('IMAGENET1K_V1', imagenet(
    'https://download.pytorch.org/models/resnet101-63fe2227.pth', 44549160, RECIPE_V1, 77.374, 93.546, DOCS_V1));
  static readonly IMAGENET1K_V2 = new ResNet101_Weights('IMAGENET1K_V2', imagenet(
    'https://download.pytorch.org/models/resnet101-cd907fc2.pth', 44549160,
    'https://github.com/pytorch/vision/issues/3995#new-recipe', 81.886, 95.780, DOCS_V2, 232));
  static readonly DEFAULT = ResNet101_Weights.IMAGENET1K_V2;
}

export class ResNet152_Weights extends WeightsEnum {
  static readonly IMAGENET1K_V1 = new ResNet152_Weights('IMAGENET1K_V1', imagenet(
    'https://download.pytorch.org/models/resnet152-394f9c45.pth', 60192808, RECIPE_V1, 78.312, 94.046, DOCS_V1));
  static readonly IMAGENET1K_V2 = new ResNet152_Weights('IMAGENET1K_V2', imagenet(
    'https://download.pytorch.org/models/resnet152-f82ba261.pth', 60192808,
    'https://github.com/pytorch/vision/issues/3995#new-recipe', 82.284, 96.002, DOCS_V2, 232));
  static readonly DEFAULT = ResNet152_Weights.IMAGENET1K_V2;
}

// ---- builders -------------------------------------------------------------------------------

/** What a builder takes: the weights, the download progress switch, ResNet's own options, and the legacy `pretrained`. */
export interface ResNetBuilderOptions<W extends WeightsEnum> extends ResNetOptions, BuilderOptions<W> {}

type ResNetBuilder<W extends WeightsEnum> = (...args: BuilderArgs<W, ResNetOptions>) => ResNet;

const RESNET_OPTIONS = ['num_classes', 'zero_init_residual', 'groups', 'width_per_group', 'replace_stride_with_dilation', 'norm_layer'];

/**
 * A ResNet builder: `fixed` are the options the architecture sets (ResNeXt's groups and
 * width_per_group), refused when the caller gives another value (torchvision's `_ovewrite_named_param`).
 */
function builder<W extends WeightsEnum>(name: string, enumClass: { verify(obj: unknown): W | null; from_str(s: string): W; name: string },
  block: Block, layers: number[], fixed: Partial<ResNetOptions> = {}): ResNetBuilder<W> {
  return makeBuilder<W, ResNetOptions, ResNet>(name, enumClass, 'IMAGENET1K_V1', RESNET_OPTIONS, (_w, kwargs) => {
    for (const [k, v] of Object.entries(fixed)) _ovewrite_named_param(kwargs, k, v);
    return new ResNet(block, layers, kwargs);
  });
}

/**
 * ResNet-18 from "Deep Residual Learning for Image Recognition" (https://arxiv.org/abs/1512.03385).
 *
 * `resnet18({ weights: ResNet18_Weights.DEFAULT, progress: true, ...ResNetOptions })`. With weights,
 * the checkpoint comes from the torch.hub cache, downloaded first (blocking) when it is not there.
 * The legacy `resnet18({ pretrained: true })` still works, with torchvision's deprecation warning.
 */
export const resnet18: ResNetBuilder<ResNet18_Weights> = builder('resnet18', ResNet18_Weights, BasicBlock, [2, 2, 2, 2]);

/** ResNet-34 (https://arxiv.org/abs/1512.03385). Options as resnet18's; weights: ResNet34_Weights. */
export const resnet34: ResNetBuilder<ResNet34_Weights> = builder('resnet34', ResNet34_Weights, BasicBlock, [3, 4, 6, 3]);

/**
 * ResNet-50 (https://arxiv.org/abs/1512.03385), the stride on the 3x3 convolution (ResNet V1.5).
 * Options as resnet18's; weights: ResNet50_Weights (DEFAULT is IMAGENET1K_V2).
 */
export const resnet50: ResNetBuilder<ResNet50_Weights> = builder('resnet50', ResNet50_Weights, Bottleneck, [3, 4, 6, 3]);

/** ResNet-101 (https://arxiv.org/abs/1512.03385). Options as resnet18's; weights: ResNet101_Weights. */
export const resnet101: ResNetBuilder<ResNet101_Weights> = builder('resnet101', ResNet101_Weights, Bottleneck, [3, 4, 23, 3]);

/** ResNet-152 (https://arxiv.org/abs/1512.03385). Options as resnet18's; weights: ResNet152_Weights. */
export const resnet152: ResNetBuilder<ResNet152_Weights> = builder('resnet152', ResNet152_Weights, Bottleneck, [3, 8, 36, 3]);

/** ResNeXt-50 32x4d (https://arxiv.org/abs/1611.05431): groups 32, width_per_group 4. */
export const resnext50_32x4d: ResNetBuilder<ResNeXt50_32X4D_Weights> =
  builder('resnext50_32x4d', ResNeXt50_32X4D_Weights, Bottleneck, [3, 4, 6, 3], { groups: 32, width_per_group: 4 });

/** ResNeXt-101 32x8d (https://arxiv.org/abs/1611.05431): groups 32, width_per_group 8. */
export const resnext101_32x8d: ResNetBuilder<ResNeXt101_32X8D_Weights> =
  builder('resnext101_32x8d', ResNeXt101_32X8D_Weights, Bottleneck, [3, 4, 23, 3], { groups: 32, width_per_group: 8 });

/** ResNeXt-101 64x4d (https://arxiv.org/abs/1611.05431): groups 64, width_per_group 4. */
export const resnext101_64x4d: ResNetBuilder<ResNeXt101_64X4D_Weights> =
  builder('resnext101_64x4d', ResNeXt101_64X4D_Weights, Bottleneck, [3, 4, 23, 3], { groups: 64, width_per_group: 4 });

/** Wide ResNet-50-2 (https://arxiv.org/abs/1605.07146): the Bottleneck's inner channels doubled (width_per_group 128). */
export const wide_resnet50_2: ResNetBuilder<Wide_ResNet50_2_Weights> =
  builder('wide_resnet50_2', Wide_ResNet50_2_Weights, Bottleneck, [3, 4, 6, 3], { width_per_group: 64 * 2 });

/** Wide ResNet-101-2 (https://arxiv.org/abs/1605.07146): width_per_group 128. */
export const wide_resnet101_2: ResNetBuilder<Wide_ResNet101_2_Weights> =
  builder('wide_resnet101_2', Wide_ResNet101_2_Weights, Bottleneck, [3, 4, 23, 3], { width_per_group: 64 * 2 });
