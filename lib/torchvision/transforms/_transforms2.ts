// torchvision.transforms (0.14), the rest of the classic API: random crops and
// geometry, color jitter and the other color transforms, blur, erasing, the
// containers (RandomApply, RandomChoice, RandomOrder), Lambda, FiveCrop /
// TenCrop, LinearTransformation, ElasticTransform. Random parameters are drawn
// from torch's generator exactly as torchvision draws them (torch.rand,
// randint, randperm, empty().uniform_() in the same order), so after
// torch.manual_seed the same images come out. RandomChoice and RandomOrder
// draw from Python's `random` module in torchvision (not seeded by
// torch.manual_seed); here from Math.random.
import { Tensor } from '../../tensor';
import { rand, randint, randperm, empty, tensor } from '../../creation';
import * as dt from '../../dtype';
import { Module } from '../../nn/module';
import { bind, py, Rest, REQUIRED } from '../../nn/common';
import { cat } from '../../index';
import { warn } from '../../warnings';
import * as F from './functional';
import { InterpolationMode } from './functional';
import { Transform } from './transforms';
import { expect } from '../../guard';

type Fill = number | number[];
type Callable = (img: any) => any; // eslint-disable-line @typescript-eslint/no-explicit-any
const f = (x: number): string => py(x, { float: true });
const draw = (lo: number, hi: number): number => empty(1).uniform_(lo, hi).item() as number;
const coin = (p: number): boolean => (rand(1).item() as number) < p;

function setupSize(size: number | number[], msg: string): [number, number] {
  if (typeof size === 'number') return [Math.trunc(size), Math.trunc(size)];
  if (Array.isArray(size) && size.length === 1) return [size[0], size[0]];
  if (!Array.isArray(size) || size.length !== 2) throw new RangeError(msg);
  return [size[0], size[1]];
}
function checkSequence(x: unknown, name: string, sizes: number[]): asserts x is number[] {
  const msg = sizes.length < 2 ? String(sizes[0]) : sizes.join(' or ');
  if (!Array.isArray(x)) throw new TypeError(`${name} should be a sequence of length ${msg}.`);
  if (!sizes.includes(x.length)) throw new RangeError(`${name} should be a sequence of length ${msg}.`);
}
function setupAngle(x: number | number[], name: string, sizes = [2]): number[] {
  if (typeof x === 'number') {
    if (x < 0) throw new RangeError(`If ${name} is a single number, it must be positive.`);
    return [-x, x];
  }
  checkSequence(x, name, sizes);
  return x.map(Number);
}
function checkFill(fill: Fill | null): Fill {
  if (fill === null || fill === undefined) return 0;
  if (typeof fill !== 'number' && !Array.isArray(fill)) throw new TypeError('Fill should be either a sequence or a number.');
  return fill;
}
/** Python's _setup_size keeps a [h, w] list as a list; a number or [n] become tuples: how size prints. */
function tupleIf(obj: object, size: unknown): void {
  Object.defineProperty(obj, '_size_tuple', { value: !(Array.isArray(size) && size.length === 2), enumerable: false });
}
const sizeRepr = (t: { size?: number[]; kernel_size?: number[] }): string =>
  py(t.size ?? t.kernel_size, { list: !(t as unknown as { _size_tuple: boolean })._size_tuple });
/** A fill for a tensor image: one float per channel. */
const fillFor = (fill: Fill, channels: number): number[] => (typeof fill === 'number' ? new Array(channels).fill(fill) : fill.map(Number));

// ---- crops and padding -------------------------------------------------------------------------

export interface RandomCropArgs { padding: number | number[] | null; pad_if_needed: boolean; fill: number; padding_mode: 'constant' | 'edge' | 'reflect' | 'symmetric' }
/** RandomCrop(size, padding = null, pad_if_needed = false, fill = 0, padding_mode = 'constant') */
export class RandomCrop extends Module {
  declare size: [number, number];
  declare padding: number | number[] | null;
  declare pad_if_needed: boolean;
  declare fill: number;
  declare padding_mode: RandomCropArgs['padding_mode'];
  constructor(size: number | number[], ...args: Rest<[number | number[] | null, boolean, number, RandomCropArgs['padding_mode']], Partial<RandomCropArgs>>) {
    super();
    const a = bind<RandomCropArgs>('RandomCrop', args, { padding: null, pad_if_needed: false, fill: 0, padding_mode: 'constant' });
    this.size = setupSize(size, 'Please provide only two dimensions (h, w) for size.');
    Object.assign(this, a);
  }
  /** [i, j, h, w]: torch.randint for the top, then the left. */
  static get_params(img: Tensor, output_size: number[]): [number, number, number, number] {
    const [, h, w] = F.get_dimensions(img);
    const [th, tw] = output_size;
    if (h < th || w < tw) throw new RangeError(`Required crop size (${th}, ${tw}) is larger than input image size (${h}, ${w})`);
    if (w === tw && h === th) return [0, 0, h, w];
    const i = randint(0, h - th + 1, [1]).item() as number;
    const j = randint(0, w - tw + 1, [1]).item() as number;
    return [i, j, th, tw];
  }
  forward(img: Tensor): Tensor {
    if (this.padding !== null) img = F.pad(img, this.padding, this.fill, this.padding_mode);
    const [, height, width] = F.get_dimensions(img);
    if (this.pad_if_needed && width < this.size[1]) img = F.pad(img, [this.size[1] - width, 0], this.fill, this.padding_mode);
    if (this.pad_if_needed && height < this.size[0]) img = F.pad(img, [0, this.size[0] - height], this.fill, this.padding_mode);
    const [i, j, h, w] = RandomCrop.get_params(img, this.size);
    return F.crop(img, i, j, h, w);
  }
  toString(): string { return `RandomCrop(size=${py(this.size, { list: false })}, padding=${py(this.padding)})`; }
}

/** Pad(padding, fill = 0, padding_mode = 'constant') */
export class Pad extends Module {
  declare padding: number | number[];
  declare fill: number;
  declare padding_mode: RandomCropArgs['padding_mode'];
  constructor(padding: number | number[], ...args: Rest<[number, RandomCropArgs['padding_mode']], { fill?: number; padding_mode?: RandomCropArgs['padding_mode'] }>) {
    super();
    const a = bind<{ fill: number; padding_mode: RandomCropArgs['padding_mode'] }>('Pad', args, { fill: 0, padding_mode: 'constant' });
    if (typeof padding !== 'number' && !Array.isArray(padding)) throw new TypeError('Got inappropriate padding arg');
    if (typeof a.fill !== 'number' && !Array.isArray(a.fill)) throw new TypeError('Got inappropriate fill arg');
    if (!['constant', 'edge', 'reflect', 'symmetric'].includes(a.padding_mode)) throw new RangeError('Padding mode should be either constant, edge, reflect or symmetric');
    if (Array.isArray(padding) && ![1, 2, 4].includes(padding.length)) {
      throw new RangeError(`Padding must be an int or a 1, 2, or 4 element tuple, not a ${padding.length} element tuple`);
    }
    this.padding = padding;
    this.fill = a.fill;
    this.padding_mode = a.padding_mode;
  }
  forward(img: Tensor): Tensor { return F.pad(img, this.padding, this.fill, this.padding_mode); }
  toString(): string { return `Pad(padding=${py(this.padding, { list: true })}, fill=${py(this.fill, { list: true })}, padding_mode=${this.padding_mode})`; }
}

/** FiveCrop(size): the four corners and the center, as an array. */
export class FiveCrop extends Module {
  declare size: [number, number];
  constructor(size: number | number[]) { super(); this.size = setupSize(size, 'Please provide only two dimensions (h, w) for size.'); tupleIf(this, size); }
  forward(img: Tensor): Tensor[] { return F.five_crop(img, this.size); }
  toString(): string { return `FiveCrop(size=${sizeRepr(this)})`; }
}

/** TenCrop(size, vertical_flip = false) */
export class TenCrop extends Module {
  declare size: [number, number];
  declare vertical_flip: boolean;
  constructor(size: number | number[], ...args: Rest<[boolean], { vertical_flip?: boolean }>) {
    super();
    this.size = setupSize(size, 'Please provide only two dimensions (h, w) for size.');
    tupleIf(this, size);
    this.vertical_flip = bind<{ vertical_flip: boolean }>('TenCrop', args, { vertical_flip: false }).vertical_flip;
  }
  forward(img: Tensor): Tensor[] { return F.ten_crop(img, this.size, this.vertical_flip); }
  toString(): string { return `TenCrop(size=${sizeRepr(this)}, vertical_flip=${py(this.vertical_flip)})`; }
}

// ---- color -------------------------------------------------------------------------------------

/** Grayscale(num_output_channels = 1) */
export class Grayscale extends Module {
  declare num_output_channels: number;
  constructor(...args: Rest<[number], { num_output_channels?: number }>) {
    super();
    this.num_output_channels = bind<{ num_output_channels: number }>('Grayscale', args, { num_output_channels: 1 }).num_output_channels;
  }
  forward(img: Tensor): Tensor { return F.rgb_to_grayscale(img, this.num_output_channels); }
  toString(): string { return `Grayscale(num_output_channels=${this.num_output_channels})`; }
}

/** RandomGrayscale(p = 0.1): grayscale with as many channels as the input, when torch.rand(1) < p. */
export class RandomGrayscale extends Module {
  declare p: number;
  constructor(...args: Rest<[number], { p?: number }>) { super(); this.p = bind<{ p: number }>('RandomGrayscale', args, { p: 0.1 }).p; }
  forward(img: Tensor): Tensor {
    const c = F.get_dimensions(img)[0];
    return coin(this.p) ? F.rgb_to_grayscale(img, c) : img;
  }
  toString(): string { return `RandomGrayscale(p=${f(this.p)})`; }
}

type Range = [number, number] | null;
/** ColorJitter(brightness = 0, contrast = 0, saturation = 0, hue = 0): randperm(4) picks the order, then one uniform_ per factor. */
export class ColorJitter extends Module {
  declare brightness: Range;
  declare contrast: Range;
  declare saturation: Range;
  declare hue: Range;
  constructor(...args: Rest<[number | number[], number | number[], number | number[], number | number[]], { brightness?: number | number[]; contrast?: number | number[]; saturation?: number | number[]; hue?: number | number[] }>) {
    super();
    const a = bind<{ brightness: number | number[]; contrast: number | number[]; saturation: number | number[]; hue: number | number[] }>('ColorJitter', args,
      { brightness: 0, contrast: 0, saturation: 0, hue: 0 });
    this.brightness = ColorJitter._check_input(a.brightness, 'brightness');
    this.contrast = ColorJitter._check_input(a.contrast, 'contrast');
    this.saturation = ColorJitter._check_input(a.saturation, 'saturation');
    this.hue = ColorJitter._check_input(a.hue, 'hue', 0, [-0.5, 0.5], false);
  }
  static _check_input(value: number | number[], name: string, center = 1, bound: [number, number] = [0, Infinity], clip_first_on_zero = true): Range {
    let v: [number, number];
    if (typeof value === 'number') {
      if (value < 0) throw new RangeError(`If ${name} is a single number, it must be non negative.`);
      v = [center - value, center + value];
      if (clip_first_on_zero) v[0] = Math.max(v[0], 0.0);
    } else if (Array.isArray(value) && value.length === 2) {
      if (!(bound[0] <= value[0] && value[0] <= value[1] && value[1] <= bound[1])) throw new RangeError(`${name} values should be between (${f(bound[0])}, ${bound[1] === Infinity ? 'inf' : f(bound[1])})`);
      v = [value[0], value[1]];
    } else {
      throw new TypeError(`${name} should be a single number or a list/tuple with length 2.`);
    }
    return v[0] === center && v[1] === center ? null : v;
  }
  static get_params(brightness: Range, contrast: Range, saturation: Range, hue: Range): [number[], number | null, number | null, number | null, number | null] {
    const order = randperm(4).tolist() as number[];
    const b = brightness === null ? null : draw(brightness[0], brightness[1]);
    const c = contrast === null ? null : draw(contrast[0], contrast[1]);
    const s = saturation === null ? null : draw(saturation[0], saturation[1]);
    const h = hue === null ? null : draw(hue[0], hue[1]);
    return [order, b, c, s, h];
  }
  forward(img: Tensor): Tensor {
    const [order, b, c, s, h] = ColorJitter.get_params(this.brightness, this.contrast, this.saturation, this.hue);
    for (const id of order) {
      if (id === 0 && b !== null) img = F.adjust_brightness(img, b);
      else if (id === 1 && c !== null) img = F.adjust_contrast(img, c);
      else if (id === 2 && s !== null) img = F.adjust_saturation(img, s);
      else if (id === 3 && h !== null) img = F.adjust_hue(img, h);
    }
    return img;
  }
  toString(): string {
    const r = (v: Range): string => (v === null ? 'None' : `[${v.map(f).join(', ')}]`);
    return `ColorJitter(brightness=${r(this.brightness)}, contrast=${r(this.contrast)}, saturation=${r(this.saturation)}, hue=${r(this.hue)})`;
  }
}

/**
 * The RandomX(…, p = 0.5) color transforms: F.x applied when torch.rand(1) < p. One table, one class
 * each (their own names, arguments and reprs).
 */
export abstract class RandomColorTransform extends Module {
  declare p: number;
}
type RandomColorClass = new (...args: unknown[]) => RandomColorTransform;
function randomColor<A extends unknown[]>(name: string, params: string[], apply: (img: Tensor, ...a: A) => Tensor, floats: string[] = []): RandomColorClass {
  const cls = class extends RandomColorTransform {
    constructor(...args: unknown[]) {
      super();
      const spec: Record<string, unknown> = {};
      for (const k of params) spec[k] = REQUIRED;
      spec.p = 0.5;
      const a = bind<Record<string, unknown>>(name, args, spec as never);
      Object.assign(this, a);
    }
    forward(img: Tensor): Tensor {
      if (coin(this.p)) return apply(img, ...(params.map((k) => (this as unknown as Record<string, unknown>)[k]) as A));
      return img;
    }
    toString(): string {
      const self = this as unknown as Record<string, unknown>;
      return `${name}(${[...params.map((k) => `${k}=${py(self[k], { float: floats.includes(k) })}`), `p=${f(this.p)}`].join(',')})`;
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}
/** RandomInvert(p = 0.5) */
export const RandomInvert = randomColor('RandomInvert', [], (img) => F.invert(img));
/** RandomPosterize(bits, p = 0.5) */
export const RandomPosterize = randomColor('RandomPosterize', ['bits'], (img, bits: number) => F.posterize(img, bits));
/** RandomSolarize(threshold, p = 0.5) */
export const RandomSolarize = randomColor('RandomSolarize', ['threshold'], (img, t: number) => F.solarize(img, t));
/** RandomAdjustSharpness(sharpness_factor, p = 0.5) */
export const RandomAdjustSharpness = randomColor('RandomAdjustSharpness', ['sharpness_factor'], (img, s: number) => F.adjust_sharpness(img, s), ['sharpness_factor']);
/** RandomAutocontrast(p = 0.5) */
export const RandomAutocontrast = randomColor('RandomAutocontrast', [], (img) => F.autocontrast(img));
/** RandomEqualize(p = 0.5) */
export const RandomEqualize = randomColor('RandomEqualize', [], (img) => F.equalize(img));

// ---- geometry ----------------------------------------------------------------------------------

export interface RandomRotationArgs { interpolation: InterpolationMode | number; expand: boolean; center: number[] | null; fill: Fill }
/** RandomRotation(degrees, interpolation = NEAREST, expand = false, center = null, fill = 0) */
export class RandomRotation extends Module {
  declare degrees: number[];
  declare interpolation: InterpolationMode;
  declare expand: boolean;
  declare center: number[] | null;
  declare fill: Fill;
  constructor(degrees: number | number[], ...args: Rest<[InterpolationMode | number, boolean, number[] | null, Fill], Partial<RandomRotationArgs>>) {
    super();
    const a = bind<RandomRotationArgs>('RandomRotation', args, { interpolation: InterpolationMode.NEAREST, expand: false, center: null, fill: 0 });
    this.interpolation = F.interpolationMode(a.interpolation);
    this.degrees = setupAngle(degrees, 'degrees');
    if (a.center !== null) checkSequence(a.center, 'center', [2]);
    this.center = a.center;
    this.expand = a.expand;
    this.fill = checkFill(a.fill);
  }
  static get_params(degrees: number[]): number { return draw(degrees[0], degrees[1]); }
  forward(img: Tensor): Tensor {
    const fill = fillFor(this.fill, F.get_dimensions(img)[0]);
    const angle = RandomRotation.get_params(this.degrees);
    return F.rotate(img, angle, this.interpolation, this.expand, this.center, fill);
  }
  toString(): string {
    const center = this.center === null ? '' : `, center=${py(this.center, { list: true })}`;
    return `RandomRotation(degrees=[${this.degrees.map(f).join(', ')}], interpolation=${this.interpolation}, expand=${py(this.expand)}${center}, fill=${py(this.fill, { list: true })})`;
  }
}

export interface RandomAffineArgs { translate: number[] | null; scale: number[] | null; shear: number | number[] | null; interpolation: InterpolationMode | number; fill: Fill; center: number[] | null }
/** RandomAffine(degrees, translate = null, scale = null, shear = null, interpolation = NEAREST, fill = 0, center = null) */
export class RandomAffine extends Module {
  declare degrees: number[];
  declare translate: number[] | null;
  declare scale: number[] | null;
  declare shear: number[] | null;
  declare interpolation: InterpolationMode;
  declare fill: Fill;
  declare center: number[] | null;
  constructor(degrees: number | number[], ...args: Rest<[number[] | null, number[] | null, number | number[] | null, InterpolationMode | number, Fill, number[] | null], Partial<RandomAffineArgs>>) {
    super();
    const a = bind<RandomAffineArgs>('RandomAffine', args, { translate: null, scale: null, shear: null, interpolation: InterpolationMode.NEAREST, fill: 0, center: null });
    this.interpolation = F.interpolationMode(a.interpolation);
    this.degrees = setupAngle(degrees, 'degrees');
    if (a.translate !== null) {
      checkSequence(a.translate, 'translate', [2]);
      for (const t of a.translate) if (!(t >= 0.0 && t <= 1.0)) throw new RangeError('translation values should be between 0 and 1');
    }
    this.translate = a.translate;
    if (a.scale !== null) {
      checkSequence(a.scale, 'scale', [2]);
      for (const s of a.scale) if (s <= 0) throw new RangeError('scale values should be positive');
    }
    this.scale = a.scale;
    this.shear = a.shear === null ? null : setupAngle(a.shear, 'shear', [2, 4]);
    this.fill = checkFill(a.fill);
    if (a.center !== null) checkSequence(a.center, 'center', [2]);
    this.center = a.center;
  }
  /** [angle, [tx, ty], scale, [shear_x, shear_y]], drawn in torchvision's order. */
  static get_params(degrees: number[], translate: number[] | null, scale_ranges: number[] | null, shears: number[] | null, img_size: number[]): [number, [number, number], number, [number, number]] {
    const angle = draw(degrees[0], degrees[1]);
    let translations: [number, number] = [0, 0];
    if (translate !== null) {
      const maxDx = translate[0] * img_size[0], maxDy = translate[1] * img_size[1];
      const tx = F.pyRound(draw(-maxDx, maxDx)), ty = F.pyRound(draw(-maxDy, maxDy));
      translations = [tx, ty];
    }
    const scale = scale_ranges !== null ? draw(scale_ranges[0], scale_ranges[1]) : 1.0;
    let sx = 0.0, sy = 0.0;
    if (shears !== null) {
      sx = draw(shears[0], shears[1]);
      if (shears.length === 4) sy = draw(shears[2], shears[3]);
    }
    return [angle, translations, scale, [sx, sy]];
  }
  forward(img: Tensor): Tensor {
    const [c, h, w] = F.get_dimensions(img);
    const fill = fillFor(this.fill, c);
    const [angle, t, s, sh] = RandomAffine.get_params(this.degrees, this.translate, this.scale, this.shear, [w, h]);
    return F.affine(img, angle, t, s, sh, { interpolation: this.interpolation, fill, center: this.center });
  }
  toString(): string {
    let s = `RandomAffine(degrees=[${this.degrees.map(f).join(', ')}]`;
    if (this.translate !== null) s += `, translate=${py(this.translate, { list: true })}`;
    if (this.scale !== null) s += `, scale=${py(this.scale, { list: true })}`;
    if (this.shear !== null) s += `, shear=[${this.shear.map(f).join(', ')}]`;
    if (this.interpolation !== InterpolationMode.NEAREST) s += `, interpolation=${this.interpolation}`;
    if (this.fill !== 0) s += `, fill=${py(this.fill, { list: true })}`;
    if (this.center !== null) s += `, center=${py(this.center, { list: true })}`;
    return `${s})`;
  }
}

export interface RandomPerspectiveArgs { distortion_scale: number; p: number; interpolation: InterpolationMode | number; fill: Fill }
/** RandomPerspective(distortion_scale = 0.5, p = 0.5, interpolation = BILINEAR, fill = 0) */
export class RandomPerspective extends Module {
  declare distortion_scale: number;
  declare p: number;
  declare interpolation: InterpolationMode;
  declare fill: Fill;
  constructor(...args: Rest<[number, number, InterpolationMode | number, Fill], Partial<RandomPerspectiveArgs>>) {
    super();
    const a = bind<RandomPerspectiveArgs>('RandomPerspective', args, { distortion_scale: 0.5, p: 0.5, interpolation: InterpolationMode.BILINEAR, fill: 0 });
    this.p = a.p;
    this.interpolation = F.interpolationMode(a.interpolation);
    this.distortion_scale = a.distortion_scale;
    this.fill = checkFill(a.fill);
  }
  /** [startpoints, endpoints]: eight torch.randint draws, corner by corner as torchvision. */
  static get_params(width: number, height: number, distortion_scale: number): [number[][], number[][]] {
    const hh = Math.floor(height / 2), hw = Math.floor(width / 2);
    const dw = Math.trunc(distortion_scale * hw), dh = Math.trunc(distortion_scale * hh);
    const ri = (lo: number, hi: number): number => randint(lo, hi, [1]).item() as number;
    const topleft = [ri(0, dw + 1), ri(0, dh + 1)];
    const topright = [ri(width - dw - 1, width), ri(0, dh + 1)];
    const botright = [ri(width - dw - 1, width), ri(height - dh - 1, height)];
    const botleft = [ri(0, dw + 1), ri(height - dh - 1, height)];
    return [[[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], [topleft, topright, botright, botleft]];
  }
  forward(img: Tensor): Tensor {
    const [c, h, w] = F.get_dimensions(img);
    const fill = fillFor(this.fill, c);
    if (coin(this.p)) {
      const [start, end] = RandomPerspective.get_params(w, h, this.distortion_scale);
      return F.perspective(img, start, end, this.interpolation, fill);
    }
    return img;
  }
  toString(): string { return `RandomPerspective(p=${f(this.p)})`; }
}

/** GaussianBlur(kernel_size, sigma = [0.1, 2.0]): sigma drawn uniformly per call. */
export class GaussianBlur extends Module {
  declare kernel_size: [number, number];
  declare sigma: number[];
  constructor(kernel_size: number | number[], ...args: Rest<[number | number[]], { sigma?: number | number[] }>) {
    super();
    const { sigma } = bind<{ sigma: number | number[] }>('GaussianBlur', args, { sigma: [0.1, 2.0] });
    this.kernel_size = setupSize(kernel_size, 'Kernel size should be a tuple/list of two integers');
    tupleIf(this, kernel_size);
    // Python keeps a given list as a list; a number (and the default) become tuples
    const given = bind<{ sigma: unknown }>('GaussianBlur', args, { sigma: null }).sigma;
    Object.defineProperty(this, '_sigma_tuple', { value: !Array.isArray(given), enumerable: false });
    for (const k of this.kernel_size) if (k <= 0 || k % 2 === 0) throw new RangeError('Kernel size value should be an odd and positive number.');
    if (typeof sigma === 'number') {
      if (sigma <= 0) throw new RangeError('If sigma is a single number, it must be positive.');
      this.sigma = [sigma, sigma];
    } else if (Array.isArray(sigma) && sigma.length === 2) {
      if (!(sigma[0] > 0.0 && sigma[0] <= sigma[1])) throw new RangeError('sigma values should be positive and of the form (min, max).');
      this.sigma = sigma;
    } else {
      throw new RangeError('sigma should be a single number or a list/tuple with length 2.');
    }
  }
  static get_params(sigma_min: number, sigma_max: number): number { return draw(sigma_min, sigma_max); }
  forward(img: Tensor): Tensor {
    const s = GaussianBlur.get_params(this.sigma[0], this.sigma[1]);
    return F.gaussian_blur(img, this.kernel_size, [s, s]);
  }
  toString(): string {
    const sigmaTuple = (this as unknown as { _sigma_tuple: boolean })._sigma_tuple;
    return `GaussianBlur(kernel_size=${sizeRepr(this)}, sigma=${py(this.sigma, { list: !sigmaTuple, float: true })})`;
  }
}

export interface RandomErasingArgs { p: number; scale: number[]; ratio: number[]; value: number | number[] | 'random'; inplace: boolean }
/** RandomErasing(p = 0.5, scale = [0.02, 0.33], ratio = [0.3, 3.3], value = 0, inplace = false) */
export class RandomErasing extends Module {
  declare p: number;
  declare scale: number[];
  declare ratio: number[];
  declare value: number | number[] | 'random';
  declare inplace: boolean;
  constructor(...args: Rest<[number, number[], number[], number | number[] | 'random', boolean], Partial<RandomErasingArgs>>) {
    super();
    const a = bind<RandomErasingArgs>('RandomErasing', args, { p: 0.5, scale: [0.02, 0.33], ratio: [0.3, 3.3], value: 0, inplace: false });
    if (typeof a.value !== 'number' && typeof a.value !== 'string' && !Array.isArray(a.value)) throw new TypeError('Argument value should be either a number or str or a sequence');
    if (typeof a.value === 'string' && a.value !== 'random') throw new RangeError("If value is str, it should be 'random'");
    if (!Array.isArray(a.scale)) throw new TypeError('Scale should be a sequence');
    if (!Array.isArray(a.ratio)) throw new TypeError('Ratio should be a sequence');
    if (a.scale[0] > a.scale[1] || a.ratio[0] > a.ratio[1]) warn('Scale and ratio should be of kind (min, max)');
    if (a.scale[0] < 0 || a.scale[1] > 1) throw new RangeError('Scale should be between 0 and 1');
    if (a.p < 0 || a.p > 1) throw new RangeError('Random erasing probability should be between 0 and 1');
    Object.assign(this, a);
  }
  /** [i, j, h, w, v]: up to 10 tries of area and log-ratio draws, then the erased values and the position. */
  static get_params(img: Tensor, scale: number[], ratio: number[], value: number[] | null = null): [number, number, number, number, Tensor] {
    const [c, H, W] = img.shape.slice(-3);
    const area = H * W;
    const lr = tensor(ratio, { dtype: dt.float32 }).log().tolist() as number[];
    for (let t = 0; t < 10; t++) {
      const eraseArea = area * draw(scale[0], scale[1]);
      const aspect = empty(1).uniform_(lr[0], lr[1]).exp().item() as number;
      const h = F.pyRound(Math.sqrt(eraseArea * aspect));
      const w = F.pyRound(Math.sqrt(eraseArea / aspect));
      if (!(h < H && w < W)) continue;
      const v = value === null ? empty([c, h, w], { dtype: dt.float32 }).normal_() : tensor(value).view(-1, 1, 1);
      const i = randint(0, H - h + 1, [1]).item() as number;
      const j = randint(0, W - w + 1, [1]).item() as number;
      return [i, j, h, w, v];
    }
    return [0, 0, H, W, img];
  }
  forward(img: Tensor): Tensor {
    if (coin(this.p)) {
      const value = typeof this.value === 'number' ? [this.value] : typeof this.value === 'string' ? null : this.value;
      const c = img.shape[img.dim() - 3];
      if (value !== null && !(value.length === 1 || value.length === c)) {
        throw new RangeError(`If value is a sequence, it should have either a single value or ${c} (number of input channels)`);
      }
      const [x, y, h, w, v] = RandomErasing.get_params(img, this.scale, this.ratio, value);
      return F.erase(img, x, y, h, w, v, this.inplace);
    }
    return img;
  }
  toString(): string {
    return `RandomErasing(p=${f(this.p)}, scale=${py(this.scale, { list: false, float: true })}, ratio=${py(this.ratio, { list: false, float: true })}, value=${py(this.value)}, inplace=${py(this.inplace)})`;
  }
}

export interface ElasticTransformArgs { alpha: number | number[]; sigma: number | number[]; interpolation: InterpolationMode | number; fill: number }
/** ElasticTransform(alpha = 50.0, sigma = 5.0, interpolation = BILINEAR, fill = 0) */
export class ElasticTransform extends Module {
  declare alpha: number[];
  declare sigma: number[];
  declare interpolation: InterpolationMode;
  declare fill: number;
  constructor(...args: Rest<[number | number[], number | number[], InterpolationMode | number, number], Partial<ElasticTransformArgs>>) {
    super();
    const a = bind<ElasticTransformArgs>('ElasticTransform', args, { alpha: 50.0, sigma: 5.0, interpolation: InterpolationMode.BILINEAR, fill: 0 });
    const pair = (v: number | number[], name: string): number[] => {
      if (typeof v !== 'number' && !Array.isArray(v)) throw new TypeError(`${name} should be float or a sequence of floats. Got ${typeof v}`);
      if (Array.isArray(v) && v.length !== 2 && v.length !== 1) throw new RangeError(`If ${name} is a sequence its length should be 2. Got ${v.length}`);
      return typeof v === 'number' ? [v, v] : v.length === 1 ? [v[0], v[0]] : v;
    };
    this.alpha = pair(a.alpha, 'alpha');
    this.sigma = pair(a.sigma, 'sigma');
    this.interpolation = F.interpolationMode(a.interpolation);
    if (typeof a.fill !== 'number') throw new TypeError(`fill should be int or float. Got ${typeof a.fill}`);
    this.fill = a.fill;
  }
  /** The displacement [1, H, W, 2]: torch.rand for dx, blurred, then for dy. */
  static get_params(alpha: number[], sigma: number[], size: number[]): Tensor {
    const one = (k: 0 | 1): Tensor => {
      let d = rand([1, 1, ...size]).mul(2).sub(1);
      if (sigma[k] > 0.0) {
        let ks = Math.trunc(8 * sigma[k] + 1);
        if (ks % 2 === 0) ks += 1;
        d = F.gaussian_blur(d, [ks, ks], sigma);
      }
      return d.mul(alpha[k]).div(size[k]);
    };
    const dx = one(0), dy = one(1);
    return cat([dx, dy], 1).permute(0, 2, 3, 1);
  }
  forward(img: Tensor): Tensor {
    const [, h, w] = F.get_dimensions(img);
    const displacement = ElasticTransform.get_params(this.alpha, this.sigma, [h, w]);
    return F.elastic_transform(img, displacement, this.interpolation, this.fill);
  }
  toString(): string {
    // torchvision 0.14's __repr__, misplaced parentheses and unformatted braces included
    return `ElasticTransform(alpha=${py(this.alpha, { list: true, float: true })}), (sigma=${py(this.sigma, { list: true, float: true })}), interpolation={self.interpolation}, fill={self.fill})`;
  }
}

/** LinearTransformation(transformation_matrix, mean_vector): (x.flatten - mean) @ matrix, reshaped. */
export class LinearTransformation extends Module {
  declare transformation_matrix: Tensor;
  declare mean_vector: Tensor;
  constructor(transformation_matrix: Tensor, mean_vector: Tensor) {
    super();
    const m = expect.tensor('LinearTransformation', 'transformation_matrix', transformation_matrix, 0);
    const v = expect.tensor('LinearTransformation', 'mean_vector', mean_vector, 1);
    if (m.size(0) !== m.size(1)) throw new RangeError(`transformation_matrix should be square. Got (${m.shape.join(', ')}) rectangular matrix.`);
    if (v.size(0) !== m.size(0)) {
      throw new RangeError(`mean_vector should have the same length ${v.size(0)} as any one of the dimensions of the transformation_matrix [(${m.shape.join(', ')})]`);
    }
    if (String(m.device) !== String(v.device)) throw new RangeError(`Input tensors should be on the same device. Got ${String(m.device)} and ${String(v.device)}`);
    Object.defineProperty(this, 'transformation_matrix', { value: m, writable: true, enumerable: false });
    Object.defineProperty(this, 'mean_vector', { value: v, writable: true, enumerable: false });
  }
  forward(t: Tensor): Tensor {
    const shape = t.shape;
    const n = shape[shape.length - 3] * shape[shape.length - 2] * shape[shape.length - 1];
    if (n !== this.transformation_matrix.shape[0]) {
      throw new RangeError(`Input tensor and transformation matrix have incompatible shape.[${shape.slice(-3).join(' x ')}] != ${this.transformation_matrix.shape[0]}`);
    }
    if (t.device.type !== this.mean_vector.device.type) {
      throw new RangeError(`Input tensor should be on the same device as transformation matrix and mean vector. Got ${String(t.device)} vs ${String(this.mean_vector.device)}`);
    }
    return t.view(-1, n).sub(this.mean_vector).mm(this.transformation_matrix).view(shape);
  }
  toString(): string { return `LinearTransformation(transformation_matrix=${String(this.transformation_matrix.tolist())}, mean_vector=${String(this.mean_vector.tolist())})`; }
}

// ---- containers ---------------------------------------------------------------------------------

/** RandomApply(transforms, p = 0.5): all of them when torch.rand(1) <= p (torchvision's `if p < rand: skip`). */
export class RandomApply extends Module {
  declare transforms: Callable[];
  declare p: number;
  constructor(transforms: Callable[], ...args: Rest<[number], { p?: number }>) {
    super();
    if (!Array.isArray(transforms)) throw new TypeError('RandomApply(transforms): transforms must be an array of callables');
    for (const t of transforms) if (typeof t !== 'function') throw new TypeError(`RandomApply: ${String(t)} is not callable`);
    Object.defineProperty(this, 'transforms', { value: transforms, writable: true, enumerable: false });
    this.p = bind<{ p: number }>('RandomApply', args, { p: 0.5 }).p;
  }
  forward(img: unknown): unknown {
    if (this.p < (rand(1).item() as number)) return img;
    for (const t of this.transforms) img = t(img);
    return img;
  }
  toString(): string { return `RandomApply(\n    p=${f(this.p)}${this.transforms.map((t) => `\n    ${String(t)}`).join('')}\n)`; }
}

/** RandomOrder(transforms): all of them, in a random order (Math.random; Python's `random.shuffle` in torchvision). */
export class RandomOrder extends Transform {
  transforms: Callable[];
  constructor(transforms: Callable[]) {
    super();
    if (!Array.isArray(transforms)) throw new TypeError('RandomOrder(transforms): transforms must be an array of callables');
    this.transforms = transforms;
  }
  __call__(img: unknown): unknown {
    const order = this.transforms.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) { const k = Math.floor(Math.random() * (i + 1)); [order[i], order[k]] = [order[k], order[i]]; }
    for (const i of order) img = expect.callable<Callable>('RandomOrder', `transforms[${i}]`, this.transforms[i])(img);
    return img;
  }
  toString(): string { return `RandomOrder(${this.transforms.map((t) => `\n    ${String(t)}`).join('')}\n)`; }
}

/** RandomChoice(transforms, p = null): one of them, weighted by p (Math.random; Python's `random.choices` in torchvision). */
export class RandomChoice extends Transform {
  transforms: Callable[];
  p: number[] | null;
  constructor(transforms: Callable[], ...args: Rest<[number[] | null], { p?: number[] | null }>) {
    super();
    if (!Array.isArray(transforms)) throw new TypeError('RandomChoice(transforms): transforms must be an array of callables');
    const { p } = bind<{ p: number[] | null }>('RandomChoice', args, { p: null });
    if (p !== null && !Array.isArray(p)) throw new TypeError('Argument p should be a sequence');
    if (p !== null && p.length !== transforms.length) throw new RangeError('The number of weights does not match the population');
    this.transforms = transforms;
    this.p = p;
  }
  __call__(...args: unknown[]): unknown {
    const w = this.p ?? this.transforms.map(() => 1);
    const total = w.reduce((s, x) => s + x, 0);
    let r = Math.random() * total, k = 0;
    while (k < w.length - 1 && r >= w[k]) { r -= w[k]; k++; }
    return expect.callable<Callable>('RandomChoice', `transforms[${k}]`, this.transforms[k])(...(args as [unknown]));
  }
  toString(): string { return `RandomChoice(${this.transforms.map((t) => `\n    ${String(t)}`).join('')}\n)(p=${py(this.p)})`; }
}

/** Lambda(lambd): a user function as a transform. */
export class Lambda extends Transform {
  lambd: Callable;
  constructor(lambd: Callable) {
    super();
    if (typeof lambd !== 'function') throw new TypeError(`Argument lambd should be callable, got '${typeof lambd}'`);
    this.lambd = lambd;
  }
  __call__(img: unknown): unknown { return this.lambd(img); }
  toString(): string { return 'Lambda()'; }
}
