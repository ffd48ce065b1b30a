// torchvision.transforms (0.14): the transforms as classes, callable like
// Python's (`t(img)`). Those that are nn.Modules in torchvision 0.14 are
// nn.Modules here (forward() runs in a scope, so a transform's temporaries
// are released when it returns); Compose and ToTensor, plain callables in
// torchvision, are plain callable objects here.
import { inspect } from 'node:util';
import { Tensor } from '../../tensor';
import { rand, randint, empty, tensor } from '../../creation';
import * as dt from '../../dtype';
import { dtype } from '../../dtype';
import { scope } from '../../memory';
import { Module } from '../../nn/module';
import { bind, py, Rest } from '../../nn/common';
import { warn } from '../../warnings';
import * as F from './functional';
import { InterpolationMode } from './functional';
import type { ImageData } from '../io';

// ---- Python's printed forms of the values transforms keep ------------------------------

/** A value as Python prints it: arrays as lists (or tuples), null as None, floats with their point where flagged. */
const pyRepr = (v: unknown, opts: { tuple?: boolean; float?: boolean } = {}): string =>
  py(v, { list: !opts.tuple, float: opts.float });

/** transforms._setup_size: one number -> [n, n] (a tuple in Python), [n] -> [n, n], [h, w] as given. */
function setupSize(size: number | number[], error_msg: string): { size: [number, number]; tuple: boolean } {
  if (typeof size === 'number') return { size: [Math.trunc(size), Math.trunc(size)], tuple: true };
  if (Array.isArray(size) && size.length === 1) return { size: [size[0], size[0]], tuple: true };
  if (!Array.isArray(size) || size.length !== 2) throw new RangeError(error_msg);
  return { size: [size[0], size[1]], tuple: false };
}

// ---- plain callables (Compose, ToTensor) --------------------------------------------------

/**
 * The base of transforms that are plain callables in torchvision (not
 * nn.Modules): an instance is a function object whose prototype is the
 * class's, so that `t(img)` calls `t.__call__(img)`.
 */
export abstract class Transform {
  constructor() {
    if (new.target === Transform) throw new TypeError("Can't instantiate abstract class Transform with abstract method __call__");
    const self = function (...args: unknown[]): unknown {
      return (self as unknown as Transform).__call__(...args);
    } as unknown as Transform;
    Reflect.deleteProperty(self, 'name');
    Reflect.deleteProperty(self, 'length');
    Object.setPrototypeOf(self, new.target.prototype);
    return self;
  }
  abstract __call__(...args: unknown[]): unknown;
  abstract toString(): string;
  [inspect.custom](): string { return this.toString(); }
}

type Callable = (img: any) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

// `compose(img)` has the type of `compose.__call__(img)`.
export interface Compose { (img: any): any } // eslint-disable-line @typescript-eslint/no-explicit-any
/**
 * Compose(transforms): applies each transform in turn. The pipeline runs in a
 * scope: the intermediate images are released, the result is kept.
 */
export class Compose extends Transform {
  transforms: Callable[];
  constructor(transforms: Callable[]) {
    super();
    if (!Array.isArray(transforms)) throw new TypeError('Compose(transforms): transforms must be an array of callables');
    for (const t of transforms) if (typeof t !== 'function') throw new TypeError(`Compose: ${String(t)} is not callable`);
    this.transforms = transforms;
  }
  __call__(img: unknown): unknown {
    return scope(() => {
      for (const t of this.transforms) img = t(img);
      return img;
    });
  }
  toString(): string {
    let s = 'Compose(';
    for (const t of this.transforms) s += `\n    ${String(t)}`;
    return `${s}\n)`;
  }
}

export interface ToTensor { (pic: ImageData | Tensor): Tensor }
/**
 * ToTensor(): an HWC uint8 image object (what io.decode_image_data /
 * read_image_data return, the counterpart of a PIL image) -> a float tensor
 * [C, H, W] in [0, 1]. A uint8 tensor image [C, H, W] (what io.read_image
 * returns) is scaled the same way.
 */
export class ToTensor extends Transform {
  __call__(pic: ImageData | Tensor): Tensor { return F.to_tensor(pic); }
  toString(): string { return 'ToTensor()'; }
}

export interface PILToTensor { (pic: ImageData): Tensor }
/** PILToTensor(): an HWC uint8 image object -> a uint8 tensor [C, H, W], values unchanged. */
export class PILToTensor extends Transform {
  __call__(pic: ImageData): Tensor { return F.pil_to_tensor(pic); }
  toString(): string { return 'PILToTensor()'; }
}

// ---- nn.Module transforms --------------------------------------------------------------------

/** ConvertImageDtype(dtype): F.convert_image_dtype with rescaling of the values. */
export class ConvertImageDtype extends Module {
  declare dtype: dtype;
  constructor(d: dtype) {
    super();
    if (!(d instanceof dtype)) throw new TypeError('ConvertImageDtype(dtype): dtype must be a torch.dtype');
    this.dtype = d;
  }
  forward(image: Tensor): Tensor { return F.convert_image_dtype(image, this.dtype); }
}

/** Normalize(mean, std, inplace = false): (x - mean) / std per channel of a float image. */
export class Normalize extends Module {
  declare mean: number[];
  declare std: number[];
  declare inplace: boolean;
  constructor(mean: number[], std: number[], ...args: Rest<[boolean], { inplace?: boolean }>) {
    super();
    const a = bind<{ inplace: boolean }>('Normalize', args, { inplace: false });
    this.mean = mean;
    this.std = std;
    this.inplace = a.inplace;
  }
  forward(t: Tensor): Tensor { return F.normalize(t, this.mean, this.std, this.inplace); }
  toString(): string { return `Normalize(mean=${pyRepr(this.mean)}, std=${pyRepr(this.std)})`; }
}

export interface ResizeArgs { interpolation: InterpolationMode | number; max_size: number | null; antialias: boolean | null }
/**
 * Resize(size, interpolation = BILINEAR, max_size = null, antialias = null):
 * size [h, w], or one number for the smaller edge (aspect ratio kept).
 * Tensors: nearest, bilinear, bicubic; antialias off unless asked for
 * (aten::_upsample_bilinear2d_aa / _upsample_bicubic2d_aa when on).
 */
export class Resize extends Module {
  declare size: number | number[];
  declare max_size: number | null;
  declare interpolation: InterpolationMode;
  declare antialias: boolean | null;
  constructor(size: number | number[], ...args: Rest<[InterpolationMode | number, number | null, boolean | null], Partial<ResizeArgs>>) {
    super();
    const a = bind<ResizeArgs>('Resize', args, { interpolation: InterpolationMode.BILINEAR, max_size: null, antialias: null });
    if (typeof size !== 'number' && !Array.isArray(size)) throw new TypeError(`Size should be int or sequence. Got ${typeof size}`);
    if (Array.isArray(size) && size.length !== 1 && size.length !== 2) throw new RangeError('If size is a sequence, it should have 1 or 2 values');
    this.size = size;
    this.max_size = a.max_size;
    this.interpolation = F.interpolationMode(a.interpolation);
    this.antialias = a.antialias;
  }
  forward(img: Tensor): Tensor {
    return F.resize(img, this.size, this.interpolation, this.max_size, this.antialias);
  }
  toString(): string {
    return `Resize(size=${pyRepr(this.size)}, interpolation=${this.interpolation}, max_size=${pyRepr(this.max_size)}, antialias=${pyRepr(this.antialias)})`;
  }
}

/** CenterCrop(size): one number for a square, or [h, w]; zero-padded when the image is smaller. */
export class CenterCrop extends Module {
  declare size: [number, number];
  declare private _tuple: boolean;
  constructor(size: number | number[]) {
    super();
    const s = setupSize(size, 'Please provide only two dimensions (h, w) for size.');
    this.size = s.size;
    Object.defineProperty(this, '_tuple', { value: s.tuple, enumerable: false, writable: true, configurable: true });
  }
  forward(img: Tensor): Tensor { return F.center_crop(img, this.size); }
  toString(): string { return `CenterCrop(size=${pyRepr(this.size, { tuple: this._tuple })})`; }
}

/** RandomHorizontalFlip(p = 0.5): flips when `torch.rand(1) < p`, drawing from torch's generator as torchvision does. */
export class RandomHorizontalFlip extends Module {
  declare p: number;
  constructor(...args: Rest<[number], { p?: number }>) {
    super();
    this.p = bind<{ p: number }>('RandomHorizontalFlip', args, { p: 0.5 }).p;
  }
  forward(img: Tensor): Tensor {
    if (rand(1).lt(this.p).item()) return F.hflip(img);
    return img;
  }
  toString(): string { return `RandomHorizontalFlip(p=${pyRepr(this.p)})`; }
}

/** RandomVerticalFlip(p = 0.5) */
export class RandomVerticalFlip extends Module {
  declare p: number;
  constructor(...args: Rest<[number], { p?: number }>) {
    super();
    this.p = bind<{ p: number }>('RandomVerticalFlip', args, { p: 0.5 }).p;
  }
  forward(img: Tensor): Tensor {
    if (rand(1).lt(this.p).item()) return F.vflip(img);
    return img;
  }
  toString(): string { return `RandomVerticalFlip(p=${pyRepr(this.p)})`; }
}

export interface RandomResizedCropArgs {
  scale: [number, number] | number[];
  ratio: [number, number] | number[];
  interpolation: InterpolationMode | number;
  antialias: boolean | null;
}
/**
 * RandomResizedCrop(size, scale = [0.08, 1.0], ratio = [3/4, 4/3],
 * interpolation = BILINEAR, antialias = null): a crop of random area and
 * aspect ratio, resized to size. The crop is drawn from torch's generator
 * exactly as torchvision draws it, so the same seed picks the same crop.
 */
export class RandomResizedCrop extends Module {
  declare size: [number, number];
  declare scale: number[];
  declare ratio: number[];
  declare interpolation: InterpolationMode;
  declare antialias: boolean | null;
  constructor(size: number | number[], ...args: Rest<[number[], number[], InterpolationMode | number, boolean | null], Partial<RandomResizedCropArgs>>) {
    super();
    const a = bind<RandomResizedCropArgs>('RandomResizedCrop', args, {
      scale: [0.08, 1.0], ratio: [3.0 / 4.0, 4.0 / 3.0], interpolation: InterpolationMode.BILINEAR, antialias: null,
    });
    this.size = setupSize(size, 'Please provide only two dimensions (h, w) for size.').size;
    if (!Array.isArray(a.scale)) throw new TypeError('Scale should be a sequence');
    if (!Array.isArray(a.ratio)) throw new TypeError('Ratio should be a sequence');
    if (a.scale[0] > a.scale[1] || a.ratio[0] > a.ratio[1]) warn('Scale and ratio should be of kind (min, max)');
    this.interpolation = F.interpolationMode(a.interpolation);
    this.antialias = a.antialias;
    this.scale = a.scale;
    this.ratio = a.ratio;
  }

  /** The crop box [i, j, h, w] (top, left, height, width) for img, drawn as torchvision's get_params draws it. */
  static get_params(img: Tensor, scale: number[], ratio: number[]): [number, number, number, number] {
    return scope(() => {
      const [, height, width] = F.get_dimensions(img);
      const area = height * width;
      const logRatio = tensor(ratio, { dtype: dt.float32 }).log(); // torch.log(torch.tensor(ratio)): float32
      const lr0 = logRatio.index(0).item() as number, lr1 = logRatio.index(1).item() as number;
      for (let attempt = 0; attempt < 10; attempt++) {
        const targetArea = area * (empty(1).uniform_(scale[0], scale[1]).item() as number);
        const aspectRatio = empty(1).uniform_(lr0, lr1).exp().item() as number;
        const w = F.pyRound(Math.sqrt(targetArea * aspectRatio));
        const h = F.pyRound(Math.sqrt(targetArea / aspectRatio));
        if (w > 0 && w <= width && h > 0 && h <= height) {
          const i = randint(0, height - h + 1, [1]).item() as number;
          const j = randint(0, width - w + 1, [1]).item() as number;
          return [i, j, h, w] as [number, number, number, number];
        }
      }
      // Fallback to central crop
      const inRatio = width / height;
      let w: number, h: number;
      if (inRatio < Math.min(...ratio)) { w = width; h = F.pyRound(w / Math.min(...ratio)); }
      else if (inRatio > Math.max(...ratio)) { h = height; w = F.pyRound(h * Math.max(...ratio)); }
      else { w = width; h = height; }
      return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w] as [number, number, number, number];
    });
  }

  forward(img: Tensor): Tensor {
    const [i, j, h, w] = RandomResizedCrop.get_params(img, this.scale, this.ratio);
    return F.resized_crop(img, i, j, h, w, this.size, this.interpolation, { antialias: this.antialias });
  }

  toString(): string {
    // torchvision 0.14's __repr__, stray parenthesis included.
    const r4 = (x: number) => Number(x.toFixed(4));
    return `RandomResizedCrop(size=${pyRepr(this.size, { tuple: true })}, scale=${pyRepr(this.scale.map(r4), { tuple: true, float: true })}, ` +
      `ratio=${pyRepr(this.ratio.map(r4), { tuple: true, float: true })}, interpolation=${this.interpolation}), antialias=${pyRepr(this.antialias)})`;
  }
}
