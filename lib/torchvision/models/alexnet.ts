// torchvision.models.alexnet: AlexNet ("One weird trick...", https://arxiv.org/abs/1404.5997), as torchvision 0.14.
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import { Rest } from '../../nn/common';
import { bindArgs, makeBuilder } from './_utils';
import { AlexNet_Weights } from './_zoo_weights';

export interface AlexNetOptions { num_classes?: number; dropout?: number }

export class AlexNet extends nn.Module {
  declare features: nn.Sequential;
  declare avgpool: nn.AdaptiveAvgPool2d;
  declare classifier: nn.Sequential;

  /** `new AlexNet(num_classes = 1000, dropout = 0.5)`, or those by name. */
  constructor(...args: Rest<[number, number], AlexNetOptions>) {
    super();
    const { num_classes, dropout } = bindArgs<Required<AlexNetOptions>>('AlexNet', args, { num_classes: 1000, dropout: 0.5 });
    const relu = () => new nn.ReLU({ inplace: true });
    const pool = () => new nn.MaxPool2d(3, { stride: 2 });
    this.features = new nn.Sequential<nn.Module[]>(
      new nn.Conv2d(3, 64, 11, { stride: 4, padding: 2 }), relu(), pool(),
      new nn.Conv2d(64, 192, 5, { padding: 2 }), relu(), pool(),
      new nn.Conv2d(192, 384, 3, { padding: 1 }), relu(),
      new nn.Conv2d(384, 256, 3, { padding: 1 }), relu(),
      new nn.Conv2d(256, 256, 3, { padding: 1 }), relu(), pool(),
    );
    this.avgpool = new nn.AdaptiveAvgPool2d([6, 6]);
    this.classifier = new nn.Sequential<nn.Module[]>(
      new nn.Dropout({ p: dropout }), new nn.Linear(256 * 6 * 6, 4096), relu(),
      new nn.Dropout({ p: dropout }), new nn.Linear(4096, 4096), relu(),
      new nn.Linear(4096, num_classes),
    );
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.avgpool(x);
    x = x.flatten(1);
    return this.classifier(x);
  }
}

/** AlexNet: `alexnet({ weights: AlexNet_Weights.DEFAULT, progress, num_classes, dropout })`. */
export const alexnet = makeBuilder('alexnet', AlexNet_Weights, 'IMAGENET1K_V1', ['num_classes', 'dropout'],
  (_w, kwargs: AlexNetOptions) => new AlexNet(kwargs));
