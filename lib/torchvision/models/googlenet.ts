// torchvision.models.googlenet: GoogLeNet (Inception v1, "Going Deeper with Convolutions",
// https://arxiv.org/abs/1409.4842), as torchvision 0.14.
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import * as F from '../../nn/functional';
import { cat } from '../../generated/torch';
import { Rest } from '../../nn/common';
import { warn, FutureWarning } from '../../warnings';
import { bindArgs, makeBuilder, _ovewrite_named_param, loadWeights } from './_utils';
import { callLayer, LayerFactory } from '../ops/misc';
import { trunc_normal_ } from '../../nn/init';
import { GoogLeNet_Weights } from './_zoo_weights';

/** What GoogLeNet returns in training with aux_logits: Python's namedtuple (logits, aux_logits2, aux_logits1), by index or by name. */
export type GoogLeNetOutputs = [Tensor, Tensor | null, Tensor | null] & { logits: Tensor; aux_logits2: Tensor | null; aux_logits1: Tensor | null };
export function GoogLeNetOutputs(logits: Tensor, aux_logits2: Tensor | null, aux_logits1: Tensor | null): GoogLeNetOutputs {
  return Object.assign([logits, aux_logits2, aux_logits1] as [Tensor, Tensor | null, Tensor | null], { logits, aux_logits2, aux_logits1 });
}

/** Conv2d (no bias) + BatchNorm2d(eps=0.001) + ReLU; the Conv2d options by name. */
export class BasicConv2d extends nn.Module {
  declare conv: nn.Conv2d;
  declare bn: nn.BatchNorm2d;
  constructor(in_channels: number, out_channels: number, kwargs: { kernel_size: number | [number, number] } & Record<string, unknown>) {
    super();
    const { kernel_size, ...rest } = kwargs;
    this.conv = new nn.Conv2d(in_channels, out_channels, kernel_size, { bias: false, ...rest });
    this.bn = new nn.BatchNorm2d(out_channels, { eps: 0.001 });
  }
  forward(x: Tensor): Tensor {
    x = this.conv(x);
    x = this.bn(x);
    return F.relu(x, true);
  }
}

/** The Inception module: 1x1, 1x1-3x3, 1x1-3x3 (5x5 in the paper; torchvision keeps its 3x3), pool-1x1 branches, concatenated. */
export class Inception extends nn.Module {
  declare branch1: nn.Module;
  declare branch2: nn.Sequential;
  declare branch3: nn.Sequential;
  declare branch4: nn.Sequential;

  constructor(in_channels: number, ch1x1: number, ch3x3red: number, ch3x3: number, ch5x5red: number, ch5x5: number, pool_proj: number,
    conv_block: LayerFactory | null = null) {
    super();
    const cb = conv_block ?? BasicConv2d;
    this.branch1 = callLayer(cb, in_channels, ch1x1, { kernel_size: 1 });
    this.branch2 = new nn.Sequential<nn.Module[]>(callLayer(cb, in_channels, ch3x3red, { kernel_size: 1 }), callLayer(cb, ch3x3red, ch3x3, { kernel_size: 3, padding: 1 }));
    // Here, kernel_size=3 instead of kernel_size=5 is a known bug (kept for the pretrained weights).
    this.branch3 = new nn.Sequential<nn.Module[]>(callLayer(cb, in_channels, ch5x5red, { kernel_size: 1 }), callLayer(cb, ch5x5red, ch5x5, { kernel_size: 3, padding: 1 }));
    this.branch4 = new nn.Sequential<nn.Module[]>(new nn.MaxPool2d(3, { stride: 1, padding: 1, ceil_mode: true }), callLayer(cb, in_channels, pool_proj, { kernel_size: 1 }));
  }

  _forward(x: Tensor): Tensor[] {
    return [this.branch1(x), this.branch2(x), this.branch3(x), this.branch4(x)];
  }

  forward(x: Tensor): Tensor { return cat(this._forward(x), 1); }
}

/** The auxiliary classifier on an intermediate feature map (used in training only). */
export class InceptionAux extends nn.Module {
  declare conv: nn.Module;
  declare fc1: nn.Linear;
  declare fc2: nn.Linear;
  declare dropout: nn.Dropout;

  constructor(in_channels: number, num_classes: number, ...args: Rest<[LayerFactory | null, number], { conv_block?: LayerFactory | null; dropout?: number }>) {
    super();
    const a = bindArgs<{ conv_block: LayerFactory | null; dropout: number }>('InceptionAux', args, { conv_block: null, dropout: 0.7 });
    this.conv = callLayer(a.conv_block ?? BasicConv2d, in_channels, 128, { kernel_size: 1 });
    this.fc1 = new nn.Linear(2048, 1024);
    this.fc2 = new nn.Linear(1024, num_classes);
    this.dropout = new nn.Dropout({ p: a.dropout });
  }

  forward(x: Tensor): Tensor {
    // aux1: N x 512 x 14 x 14, aux2: N x 528 x 14 x 14
    x = F.adaptive_avg_pool2d(x, [4, 4]);
    x = this.conv(x);
    x = x.flatten(1);
    x = F.relu(this.fc1(x), true);
    x = this.dropout(x);
    return this.fc2(x);
  }
}

/** torchvision's ImageNet normalisation turned into the [-1, 1] scaling the ported weights expect. */
export function _transform_input(x: Tensor): Tensor {
  const ch = (i: number, std: number, mean: number) => x.select(1, i).unsqueeze(1).mul(std / 0.5).add((mean - 0.5) / 0.5);
  return cat([ch(0, 0.229, 0.485), ch(1, 0.224, 0.456), ch(2, 0.225, 0.406)], 1);
}

export interface GoogLeNetOptions {
  num_classes?: number;
  aux_logits?: boolean;
  transform_input?: boolean;
  init_weights?: boolean | null;
  blocks?: LayerFactory[] | null;
  dropout?: number;
  dropout_aux?: number;
}

export class GoogLeNet extends nn.Module {
  static __constants__ = ['aux_logits', 'transform_input'];
  declare aux_logits: boolean;
  declare transform_input: boolean;
  declare conv1: nn.Module;
  declare maxpool1: nn.MaxPool2d;
  declare conv2: nn.Module;
  declare conv3: nn.Module;
  declare maxpool2: nn.MaxPool2d;
  declare inception3a: nn.Module;
  declare inception3b: nn.Module;
  declare maxpool3: nn.MaxPool2d;
  declare inception4a: nn.Module;
  declare inception4b: nn.Module;
  declare inception4c: nn.Module;
  declare inception4d: nn.Module;
  declare inception4e: nn.Module;
  declare maxpool4: nn.MaxPool2d;
  declare inception5a: nn.Module;
  declare inception5b: nn.Module;
  declare aux1: nn.Module | null;
  declare aux2: nn.Module | null;
  declare avgpool: nn.AdaptiveAvgPool2d;
  declare dropout: nn.Dropout;
  declare fc: nn.Linear;

  /** `new GoogLeNet(num_classes = 1000, aux_logits = true, transform_input = false, init_weights = null, blocks = null, dropout = 0.2, dropout_aux = 0.7)`. */
  constructor(...args: Rest<[number, boolean, boolean, boolean | null, LayerFactory[] | null, number, number], GoogLeNetOptions>) {
    super();
    const a = bindArgs<Required<GoogLeNetOptions>>('GoogLeNet', args, {
      num_classes: 1000, aux_logits: true, transform_input: false, init_weights: null, blocks: null, dropout: 0.2, dropout_aux: 0.7,
    });
    const blocks = a.blocks ?? [BasicConv2d, Inception, InceptionAux];
    let init_weights = a.init_weights;
    if (init_weights === null) {
      warn('The default weight initialization of GoogleNet will be changed in future releases of ' +
        'torchvision. If you wish to keep the old behavior (which leads to long initialization times' +
        ' due to scipy/scipy#11299), please set init_weights=True.', FutureWarning);
      init_weights = true;
    }
    if (blocks.length !== 3) throw new Error(`blocks length should be 3 instead of ${blocks.length}`);
    const [conv_block, inception_block, inception_aux_block] = blocks;
    this.aux_logits = a.aux_logits;
    this.transform_input = a.transform_input;

    const inc = (...c: number[]) => callLayer(inception_block, ...c);
    this.conv1 = callLayer(conv_block, 3, 64, { kernel_size: 7, stride: 2, padding: 3 });
    this.maxpool1 = new nn.MaxPool2d(3, { stride: 2, ceil_mode: true });
    this.conv2 = callLayer(conv_block, 64, 64, { kernel_size: 1 });
    this.conv3 = callLayer(conv_block, 64, 192, { kernel_size: 3, padding: 1 });
    this.maxpool2 = new nn.MaxPool2d(3, { stride: 2, ceil_mode: true });
    this.inception3a = inc(192, 64, 96, 128, 16, 32, 32);
    this.inception3b = inc(256, 128, 128, 192, 32, 96, 64);
    this.maxpool3 = new nn.MaxPool2d(3, { stride: 2, ceil_mode: true });
    this.inception4a = inc(480, 192, 96, 208, 16, 48, 64);
    this.inception4b = inc(512, 160, 112, 224, 24, 64, 64);
    this.inception4c = inc(512, 128, 128, 256, 24, 64, 64);
    this.inception4d = inc(512, 112, 144, 288, 32, 64, 64);
    this.inception4e = inc(528, 256, 160, 320, 32, 128, 128);
    this.maxpool4 = new nn.MaxPool2d(2, { stride: 2, ceil_mode: true });
    this.inception5a = inc(832, 256, 160, 320, 32, 128, 128);
    this.inception5b = inc(832, 384, 192, 384, 48, 128, 128);
    if (a.aux_logits) {
      this.aux1 = callLayer(inception_aux_block, 512, a.num_classes, { dropout: a.dropout_aux });
      this.aux2 = callLayer(inception_aux_block, 528, a.num_classes, { dropout: a.dropout_aux });
    } else {
      this.aux1 = null;
      this.aux2 = null;
    }
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.dropout = new nn.Dropout({ p: a.dropout });
    this.fc = new nn.Linear(1024, a.num_classes);

    if (init_weights) {
      for (const m of this.modules()) {
        if (m instanceof nn.Conv2d || m instanceof nn.Linear) {
          trunc_normal_(m.weight, 0.0, 0.01, -2, 2);
        } else if (m instanceof nn.BatchNorm2d) {
          nn.init.constant_(m.weight!, 1);
          nn.init.constant_(m.bias!, 0);
        }
      }
    }
  }

  _transform_input(x: Tensor): Tensor { return this.transform_input ? _transform_input(x) : x; }

  _forward(x: Tensor): [Tensor, Tensor | null, Tensor | null] {
    x = this.conv1(x);
    x = this.maxpool1(x);
    x = this.conv2(x);
    x = this.conv3(x);
    x = this.maxpool2(x);
    x = this.inception3a(x);
    x = this.inception3b(x);
    x = this.maxpool3(x);
    x = this.inception4a(x);
    const aux1 = this.aux1 !== null && this.training ? this.aux1(x) : null;
    x = this.inception4b(x);
    x = this.inception4c(x);
    x = this.inception4d(x);
    const aux2 = this.aux2 !== null && this.training ? this.aux2(x) : null;
    x = this.inception4e(x);
    x = this.maxpool4(x);
    x = this.inception5a(x);
    x = this.inception5b(x);
    x = this.avgpool(x);
    x = x.flatten(1);
    x = this.dropout(x);
    x = this.fc(x);
    return [x, aux2, aux1];
  }

  eager_outputs(x: Tensor, aux2: Tensor | null, aux1: Tensor | null): GoogLeNetOutputs | Tensor {
    return this.training && this.aux_logits ? GoogLeNetOutputs(x, aux2, aux1) : x;
  }

  /** The logits; in training with aux_logits, GoogLeNetOutputs (logits, aux_logits2, aux_logits1). */
  forward(x: Tensor): GoogLeNetOutputs | Tensor {
    x = this._transform_input(x);
    const [out, aux2, aux1] = this._forward(x);
    return this.eager_outputs(out, aux2, aux1);
  }
}

const OPTIONS = ['num_classes', 'aux_logits', 'transform_input', 'init_weights', 'blocks', 'dropout', 'dropout_aux'];

/**
 * GoogLeNet. With weights: transform_input defaults to true, and the auxiliary heads (in the
 * checkpoint, but not trained) are dropped unless aux_logits: true is asked for (then it warns).
 */
export const googlenet = makeBuilder('googlenet', GoogLeNet_Weights, 'IMAGENET1K_V1', OPTIONS, (w, kwargs: GoogLeNetOptions & Record<string, unknown>) => {
  if (w !== null) {
    if (!('transform_input' in kwargs)) _ovewrite_named_param(kwargs, 'transform_input', true);
    _ovewrite_named_param(kwargs, 'aux_logits', true);
    _ovewrite_named_param(kwargs, 'init_weights', false);
  }
  return new GoogLeNet(kwargs);
}, (model, w, progress, given) => {
  loadWeights(model, w, progress);
  if (!(given.aux_logits ?? false)) {
    model.aux_logits = false;
    model.aux1 = null;
    model.aux2 = null;
  } else {
    warn('auxiliary heads in the pretrained googlenet model are NOT pretrained, so make sure to train them');
  }
});
