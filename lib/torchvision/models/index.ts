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
// The CNN classifier zoo (torchvision 0.14): builders, model classes and weights enums at the top
// level as torchvision.models has them; each module as a namespace too (models.mobilenetv2.InvertedResidual).
export * from './_zoo_weights';
export { resnext50_32x4d, resnext101_32x8d, resnext101_64x4d, wide_resnet50_2, wide_resnet101_2 } from './resnet';
export { AlexNet, alexnet } from './alexnet';
export { VGG, vgg11, vgg11_bn, vgg13, vgg13_bn, vgg16, vgg16_bn, vgg19, vgg19_bn } from './vgg';
export { SqueezeNet, squeezenet1_0, squeezenet1_1 } from './squeezenet';
export { ShuffleNetV2, shufflenet_v2_x0_5, shufflenet_v2_x1_0, shufflenet_v2_x1_5, shufflenet_v2_x2_0 } from './shufflenetv2';
export { MobileNetV2, mobilenet_v2 } from './mobilenetv2';
export { MobileNetV3, mobilenet_v3_large, mobilenet_v3_small } from './mobilenetv3';
export * as shufflenetv2 from './shufflenetv2';
export * as mobilenetv2 from './mobilenetv2';
export * as mobilenetv3 from './mobilenetv3';
export { DenseNet, densenet121, densenet161, densenet169, densenet201 } from './densenet';
export { MNASNet, mnasnet0_5, mnasnet0_75, mnasnet1_0, mnasnet1_3 } from './mnasnet';
export * as densenet from './densenet';
export * as mnasnet from './mnasnet';
export { GoogLeNet, GoogLeNetOutputs, googlenet } from './googlenet';
export { Inception3, InceptionOutputs, inception_v3 } from './inception';
export * as inception from './inception';
export {
  EfficientNet, MBConvConfig, FusedMBConvConfig, efficientnet_b0, efficientnet_b1, efficientnet_b2, efficientnet_b3, efficientnet_b4,
  efficientnet_b5, efficientnet_b6, efficientnet_b7, efficientnet_v2_s, efficientnet_v2_m, efficientnet_v2_l,
} from './efficientnet';
export * as efficientnet from './efficientnet';
export {
  RegNet, BlockParams, regnet_y_400mf, regnet_y_800mf, regnet_y_1_6gf, regnet_y_3_2gf, regnet_y_8gf, regnet_y_16gf, regnet_y_32gf,
  regnet_y_128gf, regnet_x_400mf, regnet_x_800mf, regnet_x_1_6gf, regnet_x_3_2gf, regnet_x_8gf, regnet_x_16gf, regnet_x_32gf,
} from './regnet';
export * as regnet from './regnet';
export { ConvNeXt, CNBlockConfig, convnext_tiny, convnext_small, convnext_base, convnext_large } from './convnext';
export * as convnext from './convnext';
export { VisionTransformer, vit_b_16, vit_b_32, vit_l_16, vit_l_32, vit_h_14 } from './vision_transformer';
export * as vision_transformer from './vision_transformer';
export { SwinTransformer, swin_t, swin_s, swin_b, swin_v2_t, swin_v2_s, swin_v2_b } from './swin_transformer';
export * as swin_transformer from './swin_transformer';

// Argument checks on the exports loaded so far (lib/guard.ts).
import { installGuards } from '../../guard';
installGuards(module);
