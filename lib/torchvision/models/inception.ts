// torchvision.models.inception: Inception v3 ("Rethinking the Inception Architecture for Computer
// Vision", https://arxiv.org/abs/1512.00567), as torchvision 0.14.
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import * as F from '../../nn/functional';
import { cat } from '../../generated/torch';
import { Rest } from '../../nn/common';
import { warn, FutureWarning } from '../../warnings';
import { bindArgs, makeBuilder, _ovewrite_named_param, loadWeights } from './_utils';
import { callLayer, LayerFactory } from '../ops/misc';
import { trunc_normal_ } from '../../nn/init';
import { BasicConv2d, _transform_input } from './googlenet';
import { Inception_V3_Weights } from './_zoo_weights';

export { BasicConv2d };

/** What Inception3 returns in training with aux_logits: Python's namedtuple (logits, aux_logits). */
export type InceptionOutputs = [Tensor, Tensor | null] & { logits: Tensor; aux_logits: Tensor | null };
export function InceptionOutputs(logits: Tensor, aux_logits: Tensor | null): InceptionOutputs {
  return Object.assign([logits, aux_logits] as [Tensor, Tensor | null], { logits, aux_logits });
}

type Conv = (i: number, o: number, kw: Record<string, unknown>) => nn.Module;
const convOf = (conv_block: LayerFactory | null): Conv => (i, o, kw) => callLayer(conv_block ?? BasicConv2d, i, o, kw);
const avg3 = (x: Tensor) => F.avg_pool2d(x, { kernel_size: 3, stride: 1, padding: 1 });

export class InceptionA extends nn.Module {
  [name: string]: unknown;
  constructor(in_channels: number, pool_features: number, conv_block: LayerFactory | null = null) {
    super();
    const c = convOf(conv_block);
    this.branch1x1 = c(in_channels, 64, { kernel_size: 1 });
    this.branch5x5_1 = c(in_channels, 48, { kernel_size: 1 });
    this.branch5x5_2 = c(48, 64, { kernel_size: 5, padding: 2 });
    this.branch3x3dbl_1 = c(in_channels, 64, { kernel_size: 1 });
    this.branch3x3dbl_2 = c(64, 96, { kernel_size: 3, padding: 1 });
    this.branch3x3dbl_3 = c(96, 96, { kernel_size: 3, padding: 1 });
    this.branch_pool = c(in_channels, pool_features, { kernel_size: 1 });
  }
  _forward(x: Tensor): Tensor[] {
    const m = (n: string) => this[n] as nn.Module;
    const branch1x1 = m('branch1x1')(x);
    const branch5x5 = m('branch5x5_2')(m('branch5x5_1')(x));
    const branch3x3dbl = m('branch3x3dbl_3')(m('branch3x3dbl_2')(m('branch3x3dbl_1')(x)));
    const branch_pool = m('branch_pool')(avg3(x));
    return [branch1x1, branch5x5, branch3x3dbl, branch_pool];
  }
  forward(x: Tensor): Tensor { return cat(this._forward(x), 1); }
}

export class InceptionB extends nn.Module {
  [name: string]: unknown;
  constructor(in_channels: number, conv_block: LayerFactory | null = null) {
    super();
    const c = convOf(conv_block);
    this.branch3x3 = c(in_channels, 384, { kernel_size: 3, stride: 2 });
    this.branch3x3dbl_1 = c(in_channels, 64, { kernel_size: 1 });
    this.branch3x3dbl_2 = c(64, 96, { kernel_size: 3, padding: 1 });
    this.branch3x3dbl_3 = c(96, 96, { kernel_size: 3, stride: 2 });
  }
  _forward(x: Tensor): Tensor[] {
    const m = (n: string) => this[n] as nn.Module;
    const branch3x3 = m('branch3x3')(x);
    const branch3x3dbl = m('branch3x3dbl_3')(m('branch3x3dbl_2')(m('branch3x3dbl_1')(x)));
    const branch_pool = F.max_pool2d(x, { kernel_size: 3, stride: 2 });
    return [branch3x3, branch3x3dbl, branch_pool];
  }
  forward(x: Tensor): Tensor { return cat(this._forward(x), 1); }
}

export class InceptionC extends nn.Module {
  [name: string]: unknown;
  constructor(in_channels: number, channels_7x7: number, conv_block: LayerFactory | null = null) {
    super();
    const c = convOf(conv_block);
    this.branch1x1 = c(in_channels, 192, { kernel_size: 1 });
    const c7 = channels_7x7;
    this.branch7x7_1 = c(in_channels, c7, { kernel_size: 1 });
    this.branch7x7_2 = c(c7, c7, { kernel_size: [1, 7], padding: [0, 3] });
    this.branch7x7_3 = c(c7, 192, { kernel_size: [7, 1], padding: [3, 0] });
    this.branch7x7dbl_1 = c(in_channels, c7, { kernel_size: 1 });
    this.branch7x7dbl_2 = c(c7, c7, { kernel_size: [7, 1], padding: [3, 0] });
    this.branch7x7dbl_3 = c(c7, c7, { kernel_size: [1, 7], padding: [0, 3] });
    this.branch7x7dbl_4 = c(c7, c7, { kernel_size: [7, 1], padding: [3, 0] });
    this.branch7x7dbl_5 = c(c7, 192, { kernel_size: [1, 7], padding: [0, 3] });
    this.branch_pool = c(in_channels, 192, { kernel_size: 1 });
  }
  _forward(x: Tensor): Tensor[] {
    const m = (n: string) => this[n] as nn.Module;
    const chain = (names: string[], t: Tensor) => names.reduce((acc, n) => m(n)(acc), t);
    const branch1x1 = m('branch1x1')(x);
    const branch7x7 = chain(['branch7x7_1', 'branch7x7_2', 'branch7x7_3'], x);
    const branch7x7dbl = chain(['branch7x7dbl_1', 'branch7x7dbl_2', 'branch7x7dbl_3', 'branch7x7dbl_4', 'branch7x7dbl_5'], x);
    const branch_pool = m('branch_pool')(avg3(x));
    return [branch1x1, branch7x7, branch7x7dbl, branch_pool];
  }
  forward(x: Tensor): Tensor { return cat(this._forward(x), 1); }
}

export class InceptionD extends nn.Module {
  [name: string]: unknown;
  constructor(in_channels: number, conv_block: LayerFactory | null = null) {
    super();
    const c = convOf(conv_block);
    this.branch3x3_1 = c(in_channels, 192, { kernel_size: 1 });
    this.branch3x3_2 = c(192, 320, { kernel_size: 3, stride: 2 });
    this.branch7x7x3_1 = c(in_channels, 192, { kernel_size: 1 });
    this.branch7x7x3_2 = c(192, 192, { kernel_size: [1, 7], padding: [0, 3] });
    this.branch7x7x3_3 = c(192, 192, { kernel_size: [7, 1], padding: [3, 0] });
    this.branch7x7x3_4 = c(192, 192, { kernel_size: 3, stride: 2 });
  }
  _forward(x: Tensor): Tensor[] {
    const m = (n: string) => this[n] as nn.Module;
    const chain = (names: string[], t: Tensor) => names.reduce((acc, n) => m(n)(acc), t);
    const branch3x3 = chain(['branch3x3_1', 'branch3x3_2'], x);
    const branch7x7x3 = chain(['branch7x7x3_1', 'branch7x7x3_2', 'branch7x7x3_3', 'branch7x7x3_4'], x);
    const branch_pool = F.max_pool2d(x, { kernel_size: 3, stride: 2 });
    return [branch3x3, branch7x7x3, branch_pool];
  }
  forward(x: Tensor): Tensor { return cat(this._forward(x), 1); }
}

export class InceptionE extends nn.Module {
  [name: string]: unknown;
  constructor(in_channels: number, conv_block: LayerFactory | null = null) {
    super();
    const c = convOf(conv_block);
    this.branch1x1 = c(in_channels, 320, { kernel_size: 1 });
    this.branch3x3_1 = c(in_channels, 384, { kernel_size: 1 });
    this.branch3x3_2a = c(384, 384, { kernel_size: [1, 3], padding: [0, 1] });
    this.branch3x3_2b = c(384, 384, { kernel_size: [3, 1], padding: [1, 0] });
    this.branch3x3dbl_1 = c(in_channels, 448, { kernel_size: 1 });
    this.branch3x3dbl_2 = c(448, 384, { kernel_size: 3, padding: 1 });
    this.branch3x3dbl_3a = c(384, 384, { kernel_size: [1, 3], padding: [0, 1] });
    this.branch3x3dbl_3b = c(384, 384, { kernel_size: [3, 1], padding: [1, 0] });
    this.branch_pool = c(in_channels, 192, { kernel_size: 1 });
  }
  _forward(x: Tensor): Tensor[] {
    const m = (n: string) => this[n] as nn.Module;
    const branch1x1 = m('branch1x1')(x);
    const b3 = m('branch3x3_1')(x);
    const branch3x3 = cat([m('branch3x3_2a')(b3), m('branch3x3_2b')(b3)], 1);
    const bd = m('branch3x3dbl_2')(m('branch3x3dbl_1')(x));
    const branch3x3dbl = cat([m('branch3x3dbl_3a')(bd), m('branch3x3dbl_3b')(bd)], 1);
    const branch_pool = m('branch_pool')(avg3(x));
    return [branch1x1, branch3x3, branch3x3dbl, branch_pool];
  }
  forward(x: Tensor): Tensor { return cat(this._forward(x), 1); }
}

export class InceptionAux extends nn.Module {
  declare conv0: nn.Module;
  declare conv1: nn.Module & { stddev?: number };
  declare fc: nn.Linear & { stddev?: number };
  constructor(in_channels: number, num_classes: number, conv_block: LayerFactory | null = null) {
    super();
    const c = convOf(conv_block);
    this.conv0 = c(in_channels, 128, { kernel_size: 1 });
    this.conv1 = c(128, 768, { kernel_size: 5 });
    // As torchvision: set on the BasicConv2d, not its Conv2d, so the init loop does not see it.
    this.conv1.stddev = 0.01;
    this.fc = new nn.Linear(768, num_classes);
    this.fc.stddev = 0.001;
  }
  forward(x: Tensor): Tensor {
    // N x 768 x 17 x 17
    x = F.avg_pool2d(x, { kernel_size: 5, stride: 3 });
    x = this.conv0(x);
    x = this.conv1(x);
    x = F.adaptive_avg_pool2d(x, [1, 1]);
    x = x.flatten(1);
    return this.fc(x);
  }
}

export interface Inception3Options {
  num_classes?: number;
  aux_logits?: boolean;
  transform_input?: boolean;
  inception_blocks?: LayerFactory[] | null;
  init_weights?: boolean | null;
  dropout?: number;
}

export class Inception3 extends nn.Module {
  [name: string]: unknown;
  declare aux_logits: boolean;
  declare transform_input: boolean;
  declare AuxLogits: nn.Module | null;
  declare fc: nn.Linear;

  /** `new Inception3(num_classes = 1000, aux_logits = true, transform_input = false, inception_blocks = null, init_weights = null, dropout = 0.5)`. */
  constructor(...args: Rest<[number, boolean, boolean, LayerFactory[] | null, boolean | null, number], Inception3Options>) {
    super();
    const a = bindArgs<Required<Inception3Options>>('Inception3', args, {
      num_classes: 1000, aux_logits: true, transform_input: false, inception_blocks: null, init_weights: null, dropout: 0.5,
    });
    const blocks = a.inception_blocks ?? [BasicConv2d, InceptionA, InceptionB, InceptionC, InceptionD, InceptionE, InceptionAux];
    let init_weights = a.init_weights;
    if (init_weights === null) {
      warn('The default weight initialization of inception_v3 will be changed in future releases of ' +
        'torchvision. If you wish to keep the old behavior (which leads to long initialization times' +
        ' due to scipy/scipy#11299), please set init_weights=True.', FutureWarning);
      init_weights = true;
    }
    if (blocks.length !== 7) throw new Error(`lenght of inception_blocks should be 7 instead of ${blocks.length}`);
    const [conv_block, inception_a, inception_b, inception_c, inception_d, inception_e, inception_aux] = blocks;
    this.aux_logits = a.aux_logits;
    this.transform_input = a.transform_input;
    const c = (i: number, o: number, kw: Record<string, unknown>) => callLayer(conv_block, i, o, kw);
    this.Conv2d_1a_3x3 = c(3, 32, { kernel_size: 3, stride: 2 });
    this.Conv2d_2a_3x3 = c(32, 32, { kernel_size: 3 });
    this.Conv2d_2b_3x3 = c(32, 64, { kernel_size: 3, padding: 1 });
    this.maxpool1 = new nn.MaxPool2d(3, { stride: 2 });
    this.Conv2d_3b_1x1 = c(64, 80, { kernel_size: 1 });
    this.Conv2d_4a_3x3 = c(80, 192, { kernel_size: 3 });
    this.maxpool2 = new nn.MaxPool2d(3, { stride: 2 });
    this.Mixed_5b = callLayer(inception_a, 192, 32);
    this.Mixed_5c = callLayer(inception_a, 256, 64);
    this.Mixed_5d = callLayer(inception_a, 288, 64);
    this.Mixed_6a = callLayer(inception_b, 288);
    this.Mixed_6b = callLayer(inception_c, 768, 128);
    this.Mixed_6c = callLayer(inception_c, 768, 160);
    this.Mixed_6d = callLayer(inception_c, 768, 160);
    this.Mixed_6e = callLayer(inception_c, 768, 192);
    this.AuxLogits = null;
    if (a.aux_logits) this.AuxLogits = callLayer(inception_aux, 768, a.num_classes);
    this.Mixed_7a = callLayer(inception_d, 768);
    this.Mixed_7b = callLayer(inception_e, 1280);
    this.Mixed_7c = callLayer(inception_e, 2048);
    this.avgpool = new nn.AdaptiveAvgPool2d([1, 1]);
    this.dropout = new nn.Dropout({ p: a.dropout });
    this.fc = new nn.Linear(2048, a.num_classes);
    if (init_weights) {
      for (const m of this.modules()) {
        if (m instanceof nn.Conv2d || m instanceof nn.Linear) {
          const s = (m as nn.Module & { stddev?: number }).stddev;
          trunc_normal_(m.weight, 0.0, s !== undefined ? Number(s) : 0.1, -2, 2);
        } else if (m instanceof nn.BatchNorm2d) {
          nn.init.constant_(m.weight!, 1);
          nn.init.constant_(m.bias!, 0);
        }
      }
    }
  }

  _transform_input(x: Tensor): Tensor { return this.transform_input ? _transform_input(x) : x; }

  _forward(x: Tensor): [Tensor, Tensor | null] {
    const m = (n: string) => this[n] as nn.Module;
    for (const n of ['Conv2d_1a_3x3', 'Conv2d_2a_3x3', 'Conv2d_2b_3x3', 'maxpool1', 'Conv2d_3b_1x1', 'Conv2d_4a_3x3', 'maxpool2',
      'Mixed_5b', 'Mixed_5c', 'Mixed_5d', 'Mixed_6a', 'Mixed_6b', 'Mixed_6c', 'Mixed_6d', 'Mixed_6e']) x = m(n)(x);
    const aux = this.AuxLogits !== null && this.training ? this.AuxLogits(x) : null;
    for (const n of ['Mixed_7a', 'Mixed_7b', 'Mixed_7c', 'avgpool', 'dropout']) x = m(n)(x);
    x = x.flatten(1);
    x = this.fc(x);
    return [x, aux];
  }

  eager_outputs(x: Tensor, aux: Tensor | null): InceptionOutputs | Tensor {
    return this.training && this.aux_logits ? InceptionOutputs(x, aux) : x;
  }

  /** The logits; in training with aux_logits, InceptionOutputs (logits, aux_logits). */
  forward(x: Tensor): InceptionOutputs | Tensor {
    x = this._transform_input(x);
    const [out, aux] = this._forward(x);
    return this.eager_outputs(out, aux);
  }
}

const OPTIONS = ['num_classes', 'aux_logits', 'transform_input', 'inception_blocks', 'init_weights', 'dropout'];

/** Inception v3 (input 299x299; at least 75x75). With weights: transform_input defaults to true; AuxLogits dropped when aux_logits: false. */
export const inception_v3 = makeBuilder('inception_v3', Inception_V3_Weights, 'IMAGENET1K_V1', OPTIONS, (w, kwargs: Inception3Options & Record<string, unknown>) => {
  if (w !== null) {
    if (!('transform_input' in kwargs)) _ovewrite_named_param(kwargs, 'transform_input', true);
    _ovewrite_named_param(kwargs, 'aux_logits', true);
    _ovewrite_named_param(kwargs, 'init_weights', false);
  }
  return new Inception3(kwargs);
}, (model, w, progress, given) => {
  loadWeights(model, w, progress);
  if (!(given.aux_logits ?? true)) {
    model.aux_logits = false;
    model.AuxLogits = null;
  }
});
