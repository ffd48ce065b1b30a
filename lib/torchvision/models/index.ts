// torchvision.models: `import * as models from 'torch-node/torchvision/models'`.
//
//   const model = models.resnet18({ weights: models.ResNet18_Weights.DEFAULT });
//   const preprocess = models.ResNet18_Weights.DEFAULT.transforms();
//
// Weights load synchronously, as in Python: from the torch.hub cache ($TORCH_HOME/hub/checkpoints,
// shared with PyTorch), downloaded first (blocking) when missing. To download without blocking the
// event loop: `await models.ResNet18_Weights.DEFAULT.download()`, then build the model.
export {
  Weights, WeightsEnum, get_model, get_model_builder, get_model_weights, get_weight, list_models,
} from './_api';
export type { WeightsMeta, WeightsLoadOptions, TransformsFactory, ModelBuilder } from './_api';
export {
  ResNet, BasicBlock, Bottleneck, conv1x1, conv3x3,
  ResNet18_Weights, ResNet34_Weights, ResNet50_Weights, ResNet101_Weights, ResNet152_Weights,
  resnet18, resnet34, resnet50, resnet101, resnet152,
} from './resnet';
export type { ResNetOptions, ResNetBuilderOptions, BlockOptions, Block, NormLayer } from './resnet';
export { _IMAGENET_CATEGORIES } from './_meta';
