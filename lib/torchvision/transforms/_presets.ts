// torchvision.transforms._presets: the inference transforms that a weights
// enum's transforms() returns (torchvision 0.14). Private API in torchvision
// too: reach them through `weights.transforms()`.
import { Tensor } from '../../tensor';
import * as dt from '../../dtype';
import { Module } from '../../nn/module';
import { py } from '../../nn/common';
import * as F from './functional';
import { InterpolationMode } from './functional';
import type { ImageData } from '../io';

const list = (xs: number[], float = false): string => py(xs, { list: true, float });

export interface ImageClassificationArgs {
  crop_size: number;
  resize_size?: number;
  mean?: number[];
  std?: number[];
  interpolation?: InterpolationMode;
}

/**
 * ImageClassification({ crop_size, resize_size = 256, mean, std, interpolation = BILINEAR }):
 * resize the smaller edge to resize_size, center-crop crop_size, rescale to
 * float [0, 1], normalize. Accepts uint8 or float tensor images [..., C, H, W]
 * (single or batched) and decoded image objects (as torchvision accepts PIL images).
 */
export class ImageClassification extends Module {
  declare crop_size: number[];
  declare resize_size: number[];
  declare mean: number[];
  declare std: number[];
  declare interpolation: InterpolationMode;
  constructor(args: ImageClassificationArgs) {
    super();
    if (!args || typeof args.crop_size !== 'number') throw new TypeError("ImageClassification() missing required keyword argument: 'crop_size'");
    this.crop_size = [args.crop_size];
    this.resize_size = [args.resize_size ?? 256];
    this.mean = [...(args.mean ?? [0.485, 0.456, 0.406])];
    this.std = [...(args.std ?? [0.229, 0.224, 0.225])];
    this.interpolation = F.interpolationMode(args.interpolation ?? InterpolationMode.BILINEAR);
  }
  forward(img: Tensor | ImageData): Tensor {
    let x = img instanceof Tensor ? img : F.pil_to_tensor(img);
    x = F.resize(x, this.resize_size, this.interpolation);
    x = F.center_crop(x, this.crop_size);
    x = F.convert_image_dtype(x, dt.float32);
    return F.normalize(x, this.mean, this.std);
  }
  toString(): string {
    return 'ImageClassification(' +
      `\n    crop_size=${list(this.crop_size)}` +
      `\n    resize_size=${list(this.resize_size)}` +
      `\n    mean=${list(this.mean, true)}` +
      `\n    std=${list(this.std, true)}` +
      `\n    interpolation=InterpolationMode.${this.interpolation.toUpperCase()}` +
      '\n)';
  }
  describe(): string {
    return 'Accepts ``PIL.Image``, batched ``(B, C, H, W)`` and single ``(C, H, W)`` image ``torch.Tensor`` objects. ' +
      `The images are resized to \`\`resize_size=${list(this.resize_size)}\`\` using \`\`interpolation=InterpolationMode.${this.interpolation.toUpperCase()}\`\`, ` +
      `followed by a central crop of \`\`crop_size=${list(this.crop_size)}\`\`. Finally the values are first rescaled to ` +
      `\`\`[0.0, 1.0]\`\` and then normalized using \`\`mean=${list(this.mean, true)}\`\` and \`\`std=${list(this.std, true)}\`\`.`;
  }
}
