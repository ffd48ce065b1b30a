// torchvision.models.squeezenet: SqueezeNet 1.0 and 1.1 (https://arxiv.org/abs/1602.07360), as torchvision 0.14.
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import { cat } from '../../generated/torch';
import { Rest } from '../../nn/common';
import { bindArgs, makeBuilder } from './_utils';
import { SqueezeNet1_0_Weights, SqueezeNet1_1_Weights } from './_zoo_weights';

/** A squeeze 1x1 convolution feeding parallel 1x1 and 3x3 expand convolutions, concatenated. */
export class Fire extends nn.Module {
  declare inplanes: number;
  declare squeeze: nn.Conv2d;
  declare squeeze_activation: nn.ReLU;
  declare expand1x1: nn.Conv2d;
  declare expand1x1_activation: nn.ReLU;
  declare expand3x3: nn.Conv2d;
  declare expand3x3_activation: nn.ReLU;

  constructor(inplanes: number, squeeze_planes: number, expand1x1_planes: number, expand3x3_planes: number) {
    super();
    this.inplanes = inplanes;
    this.squeeze = new nn.Conv2d(inplanes, squeeze_planes, 1);
    this.squeeze_activation = new nn.ReLU(true);
    this.expand1x1 = new nn.Conv2d(squeeze_planes, expand1x1_planes, 1);
    this.expand1x1_activation = new nn.ReLU(true);
    this.expand3x3 = new nn.Conv2d(squeeze_planes, expand3x3_planes, 3, { padding: 1 });
    this.expand3x3_activation = new nn.ReLU(true);
  }

  forward(x: Tensor): Tensor {
    x = this.squeeze_activation(this.squeeze(x));
    return cat([this.expand1x1_activation(this.expand1x1(x)), this.expand3x3_activation(this.expand3x3(x))], 1);
  }
}

export interface SqueezeNetOptions { version?: string; num_classes?: number; dropout?: number }

export class SqueezeNet extends nn.Module {
  declare num_classes: number;
  declare features: nn.Sequential;
  declare classifier: nn.Sequential;

  /** `new SqueezeNet(version = '1_0', num_classes = 1000, dropout = 0.5)`, or those by name. */
  constructor(...args: Rest<[string, number, number], SqueezeNetOptions>) {
    super();
    const a = bindArgs<Required<SqueezeNetOptions>>('SqueezeNet', args, { version: '1_0', num_classes: 1000, dropout: 0.5 });
    this.num_classes = a.num_classes;
    const pool = () => new nn.MaxPool2d(3, { stride: 2, ceil_mode: true });
    if (a.version === '1_0') {
      this.features = new nn.Sequential<nn.Module[]>(
        new nn.Conv2d(3, 96, 7, { stride: 2 }), new nn.ReLU(true), pool(),
        new Fire(96, 16, 64, 64), new Fire(128, 16, 64, 64), new Fire(128, 32, 128, 128), pool(),
        new Fire(256, 32, 128, 128), new Fire(256, 48, 192, 192), new Fire(384, 48, 192, 192), new Fire(384, 64, 256, 256), pool(),
        new Fire(512, 64, 256, 256),
      );
    } else if (a.version === '1_1') {
      this.features = new nn.Sequential<nn.Module[]>(
        new nn.Conv2d(3, 64, 3, { stride: 2 }), new nn.ReLU(true), pool(),
        new Fire(64, 16, 64, 64), new Fire(128, 16, 64, 64), pool(),
        new Fire(128, 32, 128, 128), new Fire(256, 32, 128, 128), pool(),
        new Fire(256, 48, 192, 192), new Fire(384, 48, 192, 192), new Fire(384, 64, 256, 256), new Fire(512, 64, 256, 256),
      );
    } else {
      throw new Error(`Unsupported SqueezeNet version ${a.version}: 1_0 or 1_1 expected`);
    }
    // Final convolution is initialized differently from the rest
    const final_conv = new nn.Conv2d(512, this.num_classes, 1);
    this.classifier = new nn.Sequential<nn.Module[]>(new nn.Dropout({ p: a.dropout }), final_conv, new nn.ReLU(true), new nn.AdaptiveAvgPool2d([1, 1]));
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        if (m === final_conv) nn.init.normal_(m.weight, { mean: 0.0, std: 0.01 });
        else nn.init.kaiming_uniform_(m.weight);
        if (m.bias !== null) nn.init.constant_(m.bias, 0);
      }
    }
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.classifier(x);
    return x.flatten(1);
  }
}

type Opts = Omit<SqueezeNetOptions, 'version'>;
/** SqueezeNet 1.0 (https://arxiv.org/abs/1602.07360). Options: num_classes, dropout. */
export const squeezenet1_0 = makeBuilder('squeezenet1_0', SqueezeNet1_0_Weights, 'IMAGENET1K_V1', ['num_classes', 'dropout'],
  (_w, kwargs: Opts) => new SqueezeNet({ version: '1_0', ...kwargs }));
/** SqueezeNet 1.1: 2.4x less computation than 1.0, same accuracy. Options: num_classes, dropout. */
export const squeezenet1_1 = makeBuilder('squeezenet1_1', SqueezeNet1_1_Weights, 'IMAGENET1K_V1', ['num_classes', 'dropout'],
  (_w, kwargs: Opts) => new SqueezeNet({ version: '1_1', ...kwargs }));
