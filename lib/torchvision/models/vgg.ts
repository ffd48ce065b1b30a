// torchvision.models.vgg: VGG 11/13/16/19, with and without batch norm
// ("Very Deep Convolutional Networks...", https://arxiv.org/abs/1409.1556), as torchvision 0.14.
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import { Rest } from '../../nn/common';
import { bindArgs, REQUIRED, makeBuilder } from './_utils';
import {
  VGG11_Weights, VGG11_BN_Weights, VGG13_Weights, VGG13_BN_Weights, VGG16_Weights, VGG16_BN_Weights, VGG19_Weights, VGG19_BN_Weights,
} from './_zoo_weights';
import { expect } from '../../guard';

export interface VGGOptions { num_classes?: number; init_weights?: boolean; dropout?: number }

export class VGG extends nn.Module {
  declare features: nn.Module;
  declare avgpool: nn.AdaptiveAvgPool2d;
  declare classifier: nn.Sequential;

  /** `new VGG(features, num_classes = 1000, init_weights = true, dropout = 0.5)`, or the options by name. */
  constructor(...args: Rest<[nn.Module, number, boolean, number], VGGOptions & { features?: nn.Module }>) {
    super();
    const a = bindArgs<{ features: nn.Module; num_classes: number; init_weights: boolean; dropout: number }>('VGG', args,
      { features: REQUIRED, num_classes: 1000, init_weights: true, dropout: 0.5 });
    this.features = expect.module<nn.Module>('VGG', 'features', a.features, 0);
    this.avgpool = new nn.AdaptiveAvgPool2d([7, 7]);
    this.classifier = new nn.Sequential<nn.Module[]>(
      new nn.Linear(512 * 7 * 7, 4096), new nn.ReLU(true), new nn.Dropout({ p: a.dropout }),
      new nn.Linear(4096, 4096), new nn.ReLU(true), new nn.Dropout({ p: a.dropout }),
      new nn.Linear(4096, a.num_classes),
    );
    if (a.init_weights) {
      for (const m of this.modules()) {
        if (m instanceof nn.Conv2d) {
          nn.init.kaiming_normal_(m.weight, { mode: 'fan_out', nonlinearity: 'relu' });
          if (m.bias !== null) nn.init.constant_(m.bias, 0);
        } else if (m instanceof nn.BatchNorm2d) {
          nn.init.constant_(m.weight!, 1);
          nn.init.constant_(m.bias!, 0);
        } else if (m instanceof nn.Linear) {
          nn.init.normal_(m.weight, 0, 0.01);
          nn.init.constant_(m.bias!, 0);
        }
      }
    }
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.avgpool(x);
    x = x.flatten(1);
    return this.classifier(x);
  }
}

/** The layer configurations of VGG 11 (A), 13 (B), 16 (D) and 19 (E): channels, 'M' for a 2x2 max pool. */
export const cfgs: Record<string, (number | 'M')[]> = {
  A: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  B: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  D: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  E: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

/** VGG's `features`: 3x3 convolutions (each followed by BatchNorm2d when batch_norm) with ReLU, and max pools. */
export function make_layers(cfg: (number | 'M')[], batch_norm = false): nn.Sequential {
  const layers: nn.Module[] = [];
  let in_channels = 3;
  for (const v of cfg) {
    if (v === 'M') {
      layers.push(new nn.MaxPool2d(2, { stride: 2 }));
    } else {
      const conv2d = new nn.Conv2d(in_channels, v, 3, { padding: 1 });
      if (batch_norm) layers.push(conv2d, new nn.BatchNorm2d(v), new nn.ReLU(true));
      else layers.push(conv2d, new nn.ReLU(true));
      in_channels = v;
    }
  }
  return new nn.Sequential<nn.Module[]>(...layers);
}

const OPTIONS = ['num_classes', 'init_weights', 'dropout'];

function vggBuilder<W extends VGG11_Weights>(name: string, enumClass: Parameters<typeof makeBuilder>[1], cfg: string, batch_norm: boolean) {
  return makeBuilder(name, enumClass, 'IMAGENET1K_V1', OPTIONS, (w, kwargs: VGGOptions) => {
    // Pretrained weights replace the initialisation: skip it (torchvision sets init_weights=False).
    if (w !== null) kwargs.init_weights = false;
    return new VGG(make_layers(cfgs[cfg], batch_norm), kwargs);
  }) as (...args: import('./_utils').BuilderArgs<W, VGGOptions>) => VGG;
}

/** VGG-11 (configuration A). */
export const vgg11 = vggBuilder<VGG11_Weights>('vgg11', VGG11_Weights, 'A', false);
/** VGG-11 with batch normalisation. */
export const vgg11_bn = vggBuilder<VGG11_BN_Weights>('vgg11_bn', VGG11_BN_Weights, 'A', true);
/** VGG-13 (configuration B). */
export const vgg13 = vggBuilder<VGG13_Weights>('vgg13', VGG13_Weights, 'B', false);
/** VGG-13 with batch normalisation. */
export const vgg13_bn = vggBuilder<VGG13_BN_Weights>('vgg13_bn', VGG13_BN_Weights, 'B', true);
/** VGG-16 (configuration D); VGG16_Weights also has IMAGENET1K_FEATURES (no classifier categories). */
export const vgg16 = vggBuilder<VGG16_Weights>('vgg16', VGG16_Weights, 'D', false);
/** VGG-16 with batch normalisation. */
export const vgg16_bn = vggBuilder<VGG16_BN_Weights>('vgg16_bn', VGG16_BN_Weights, 'D', true);
/** VGG-19 (configuration E). */
export const vgg19 = vggBuilder<VGG19_Weights>('vgg19', VGG19_Weights, 'E', false);
/** VGG-19 with batch normalisation. */
export const vgg19_bn = vggBuilder<VGG19_BN_Weights>('vgg19_bn', VGG19_BN_Weights, 'E', true);
