// torchvision.transforms: `import * as transforms from 'torch-node/torchvision/transforms'`,
// then `transforms.Compose([...])`, `transforms.functional.resize(...)`.
import * as functional from './functional';

export {
  Transform, Compose, ToTensor, PILToTensor, ConvertImageDtype, Normalize, Resize, CenterCrop,
  RandomHorizontalFlip, RandomVerticalFlip, RandomResizedCrop,
} from './transforms';
export type { ResizeArgs, RandomResizedCropArgs } from './transforms';
export {
  RandomCrop, Pad, FiveCrop, TenCrop, Grayscale, RandomGrayscale, ColorJitter, RandomInvert, RandomPosterize, RandomSolarize,
  RandomAdjustSharpness, RandomAutocontrast, RandomEqualize, RandomRotation, RandomAffine, RandomPerspective, GaussianBlur,
  RandomErasing, ElasticTransform, LinearTransformation, RandomApply, RandomOrder, RandomChoice, Lambda,
} from './_transforms2';
export { AutoAugmentPolicy, AutoAugment, RandAugment, TrivialAugmentWide, AugMix } from './autoaugment';
export { InterpolationMode } from './functional';
export { ImageClassification } from './_presets';
export type { ImageClassificationArgs } from './_presets';
export { functional };

// Argument checks on the exports loaded so far (lib/guard.ts).
import { installGuards } from '../../guard';
installGuards(module);
