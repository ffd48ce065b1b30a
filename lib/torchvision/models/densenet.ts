// torchvision.models.densenet: DenseNet 121/161/169/201 ("Densely Connected Convolutional
// Networks", https://arxiv.org/abs/1608.06993), as torchvision 0.14.
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import * as F from '../../nn/functional';
import { cat } from '../../generated/torch';
import { Rest } from '../../nn/common';
import { listOf } from '../../arraylike';
import { bindArgs, makeBuilder } from './_utils';
import { WeightsEnum } from './_api';
import { DenseNet121_Weights, DenseNet161_Weights, DenseNet169_Weights, DenseNet201_Weights } from './_zoo_weights';

/**
 * BN-ReLU-Conv1x1-BN-ReLU-Conv3x3 over the concatenation of all previous features. With
 * `memory_efficient` torchvision recomputes the bottleneck in backward (activation checkpointing)
 * instead of keeping it: the flag is kept and the results are the same; the saving is not made here.
 */
export class _DenseLayer extends nn.Module {
  declare norm1: nn.BatchNorm2d;
  declare relu1: nn.ReLU;
  declare conv1: nn.Conv2d;
  declare norm2: nn.BatchNorm2d;
  declare relu2: nn.ReLU;
  declare conv2: nn.Conv2d;
  declare drop_rate: number;
  declare memory_efficient: boolean;

  constructor(num_input_features: number, growth_rate: number, bn_size: number, drop_rate: number, memory_efficient = false) {
    super();
    this.norm1 = new nn.BatchNorm2d(num_input_features);
    this.relu1 = new nn.ReLU(true);
    this.conv1 = new nn.Conv2d(num_input_features, bn_size * growth_rate, 1, { stride: 1, bias: false });
    this.norm2 = new nn.BatchNorm2d(bn_size * growth_rate);
    this.relu2 = new nn.ReLU(true);
    this.conv2 = new nn.Conv2d(bn_size * growth_rate, growth_rate, 3, { stride: 1, padding: 1, bias: false });
    this.drop_rate = Number(drop_rate);
    this.memory_efficient = memory_efficient;
  }

  bn_function(inputs: Tensor[]): Tensor {
    const concated_features = cat(inputs, 1);
    return this.conv1(this.relu1(this.norm1(concated_features)));
  }

  forward(input: Tensor | Tensor[]): Tensor {
    const prev_features = input instanceof Tensor ? [input] : input;
    const bottleneck_output = this.bn_function(prev_features);
    let new_features = this.conv2(this.relu2(this.norm2(bottleneck_output)));
    if (this.drop_rate > 0) new_features = F.dropout(new_features, { p: this.drop_rate, training: this.training });
    return new_features;
  }
}

/** `num_layers` dense layers, each fed the concatenation of the block input and all earlier outputs. */
export class _DenseBlock extends nn.ModuleDict {
  static _version = 2;

  constructor(num_layers: number, num_input_features: number, bn_size: number, growth_rate: number, drop_rate: number, memory_efficient = false) {
    super();
    for (let i = 0; i < num_layers; i++) {
      const layer = new _DenseLayer(num_input_features + i * growth_rate, growth_rate, bn_size, drop_rate, memory_efficient);
      this.add_module(`denselayer${i + 1}`, layer);
    }
  }

  forward(init_features: Tensor): Tensor {
    const features = [init_features];
    for (const [, layer] of this.items()) features.push(layer(features));
    return cat(features, 1);
  }
}

/** BN-ReLU-Conv1x1 halving the channels, then a 2x2 average pool. */
export class _Transition extends nn.Sequential {
  declare norm: nn.BatchNorm2d;
  declare relu: nn.ReLU;
  declare conv: nn.Conv2d;
  declare pool: nn.AvgPool2d;

  constructor(num_input_features: number, num_output_features: number) {
    super();
    this.norm = new nn.BatchNorm2d(num_input_features);
    this.relu = new nn.ReLU(true);
    this.conv = new nn.Conv2d(num_input_features, num_output_features, 1, { stride: 1, bias: false });
    this.pool = new nn.AvgPool2d(2, { stride: 2 });
  }
}

export interface DenseNetOptions {
  growth_rate?: number;
  block_config?: number[];
  num_init_features?: number;
  bn_size?: number;
  drop_rate?: number;
  num_classes?: number;
  memory_efficient?: boolean;
}

export class DenseNet extends nn.Module {
  declare features: nn.Sequential;
  declare classifier: nn.Linear;

  /** `new DenseNet(growth_rate = 32, block_config = [6, 12, 24, 16], num_init_features = 64, bn_size = 4, drop_rate = 0, num_classes = 1000, memory_efficient = false)`. */
  constructor(...args: Rest<[number, number[], number, number, number, number, boolean], DenseNetOptions>) {
    super();
    const a = bindArgs<Required<DenseNetOptions>>('DenseNet', args, {
      growth_rate: 32, block_config: [6, 12, 24, 16], num_init_features: 64, bn_size: 4, drop_rate: 0, num_classes: 1000, memory_efficient: false,
    });
    a.block_config = listOf(a.block_config, "DenseNet(): argument 'block_config'"); // Python iterates it
    // First convolution
    this.features = new nn.Sequential(new Map<string, nn.Module>([
      ['conv0', new nn.Conv2d(3, a.num_init_features, 7, { stride: 2, padding: 3, bias: false })],
      ['norm0', new nn.BatchNorm2d(a.num_init_features)],
      ['relu0', new nn.ReLU(true)],
      ['pool0', new nn.MaxPool2d(3, { stride: 2, padding: 1 })],
    ]));
    // Each denseblock
    let num_features = a.num_init_features;
    a.block_config.forEach((num_layers, i) => {
      const block = new _DenseBlock(num_layers, num_features, a.bn_size, a.growth_rate, a.drop_rate, a.memory_efficient);
      this.features.add_module(`denseblock${i + 1}`, block);
      num_features = num_features + num_layers * a.growth_rate;
      if (i !== a.block_config.length - 1) {
        const trans = new _Transition(num_features, Math.floor(num_features / 2));
        this.features.add_module(`transition${i + 1}`, trans);
        num_features = Math.floor(num_features / 2);
      }
    });
    // Final batch norm
    this.features.add_module('norm5', new nn.BatchNorm2d(num_features));
    // Linear layer
    this.classifier = new nn.Linear(num_features, a.num_classes);

    // Official init from torch repo.
    for (const m of this.modules()) {
      if (m instanceof nn.Conv2d) {
        nn.init.kaiming_normal_(m.weight);
      } else if (m instanceof nn.BatchNorm2d) {
        nn.init.constant_(m.weight!, 1);
        nn.init.constant_(m.bias!, 0);
      } else if (m instanceof nn.Linear) {
        nn.init.constant_(m.bias!, 0);
      }
    }
  }

  forward(x: Tensor): Tensor {
    const features = this.features(x);
    let out = F.relu(features, true);
    out = F.adaptive_avg_pool2d(out, [1, 1]);
    out = out.flatten(1);
    return this.classifier(out);
  }
}

/**
 * The checkpoints predate the current layer names: '...denselayer1.norm.1.weight' there is
 * '...denselayer1.norm1.weight' here (torchvision's _load_state_dict renames them the same way).
 */
const OLD_KEY = /^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$/;

function loadDenseNet(model: DenseNet, weights: WeightsEnum, progress: boolean): void {
  const state_dict = weights.get_state_dict({ progress });
  const renamed: Record<string, Tensor> = {};
  for (const [key, t] of Object.entries(state_dict)) {
    const res = OLD_KEY.exec(key);
    renamed[res ? res[1] + res[2] : key] = t;
  }
  try {
    model.load_state_dict(renamed);
  } finally {
    for (const t of Object.values(renamed)) if (t instanceof Tensor) t.dispose();
  }
}

type Opts = Omit<DenseNetOptions, 'growth_rate' | 'block_config' | 'num_init_features'>;

function densenet(name: string, enumClass: Parameters<typeof makeBuilder>[1], growth_rate: number, block_config: number[], num_init_features: number) {
  return makeBuilder(name, enumClass, 'IMAGENET1K_V1', ['bn_size', 'drop_rate', 'num_classes', 'memory_efficient'],
    (_w, kwargs: Opts) => new DenseNet({ growth_rate, block_config, num_init_features, ...kwargs }), loadDenseNet);
}

/** DenseNet-121. Options: bn_size, drop_rate, num_classes, memory_efficient. */
export const densenet121 = densenet('densenet121', DenseNet121_Weights, 32, [6, 12, 24, 16], 64);
/** DenseNet-161. */
export const densenet161 = densenet('densenet161', DenseNet161_Weights, 48, [6, 12, 36, 24], 96);
/** DenseNet-169. */
export const densenet169 = densenet('densenet169', DenseNet169_Weights, 32, [6, 12, 32, 32], 64);
/** DenseNet-201. */
export const densenet201 = densenet('densenet201', DenseNet201_Weights, 32, [6, 12, 48, 32], 64);
