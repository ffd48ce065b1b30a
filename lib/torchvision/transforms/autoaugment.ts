// torchvision.transforms.autoaugment (0.14): AutoAugment, RandAugment,
// TrivialAugmentWide, AugMix on tensor images. The operation tables and
// magnitude bins are torchvision's (magnitudes come from torch.linspace /
// arange, float32, as there); every draw is a torch.randint / rand /
// _sample_dirichlet in torchvision's order.
import { Tensor } from '../../tensor';
import * as torch from '../../index';
import { Module } from '../../nn/module';
import { bind, py, Rest } from '../../nn/common';
import * as F from './functional';
import { InterpolationMode } from './functional';

type Fill = number | number[] | null;

/** The one operation AutoAugment & co. apply (autoaugment._apply_op). */
function applyOp(img: Tensor, op: string, magnitude: number, interpolation: InterpolationMode, fill: number[] | null): Tensor {
  const deg = (x: number): number => x * (180.0 / Math.PI); // math.degrees
  switch (op) {
    case 'ShearX': return F.affine(img, 0.0, [0, 0], 1.0, [deg(Math.atan(magnitude)), 0.0], { interpolation, fill, center: [0, 0] });
    case 'ShearY': return F.affine(img, 0.0, [0, 0], 1.0, [0.0, deg(Math.atan(magnitude))], { interpolation, fill, center: [0, 0] });
    case 'TranslateX': return F.affine(img, 0.0, [Math.trunc(magnitude), 0], 1.0, [0.0, 0.0], { interpolation, fill });
    case 'TranslateY': return F.affine(img, 0.0, [0, Math.trunc(magnitude)], 1.0, [0.0, 0.0], { interpolation, fill });
    case 'Rotate': return F.rotate(img, magnitude, { interpolation, fill });
    case 'Brightness': return F.adjust_brightness(img, 1.0 + magnitude);
    case 'Color': return F.adjust_saturation(img, 1.0 + magnitude);
    case 'Contrast': return F.adjust_contrast(img, 1.0 + magnitude);
    case 'Sharpness': return F.adjust_sharpness(img, 1.0 + magnitude);
    case 'Posterize': return F.posterize(img, Math.trunc(magnitude));
    case 'Solarize': return F.solarize(img, magnitude);
    case 'AutoContrast': return F.autocontrast(img);
    case 'Equalize': return F.equalize(img);
    case 'Invert': return F.invert(img);
    case 'Identity': return img;
    default: throw new RangeError(`The provided operator ${op} is not recognized.`);
  }
}

/** An operation's magnitude bins (null: it has none) and whether a random sign applies. */
type Space = [string, number[] | null, boolean][];
const lin = (a: number, b: number, n: number): number[] => torch.scope(() => torch.linspace(a, b, n).tolist() as number[]);
/** 8 - (arange(n) / ((n - 1) / k)).round().int(), as torchvision's Posterize bins (top = 8 or 4). */
const posterizeBins = (top: number, n: number, k: number): number[] =>
  torch.scope(() => torch.arange(n).div((n - 1) / k).round().int().mul(-1).add(top).tolist() as number[]);

/** The common part: the fill as one float per channel, as the forward()s of torchvision do. */
function fillFor(fill: Fill, channels: number): number[] | null {
  if (typeof fill === 'number') return new Array(channels).fill(fill);
  return fill === null ? null : fill.map(Number);
}
const ri = (high: number, low = 0): number => torch.randint(low, high, [1]).item() as number;
const fillRepr = (fill: Fill): string => py(fill, { list: true });
/** An InterpolationMode in an f-string: the enum's str(), InterpolationMode.NEAREST. */
const modeRepr = (m: InterpolationMode): string => `InterpolationMode.${m.toUpperCase()}`;

export const AutoAugmentPolicy = { IMAGENET: 'imagenet', CIFAR10: 'cifar10', SVHN: 'svhn' } as const;
export type AutoAugmentPolicy = typeof AutoAugmentPolicy[keyof typeof AutoAugmentPolicy];

type Step = [string, number, number | null];
const POLICIES: Record<AutoAugmentPolicy, [Step, Step][]> = {
  imagenet: [
    [['Posterize', 0.4, 8], ['Rotate', 0.6, 9]], [['Solarize', 0.6, 5], ['AutoContrast', 0.6, null]], [['Equalize', 0.8, null], ['Equalize', 0.6, null]],
    [['Posterize', 0.6, 7], ['Posterize', 0.6, 6]], [['Equalize', 0.4, null], ['Solarize', 0.2, 4]], [['Equalize', 0.4, null], ['Rotate', 0.8, 8]],
    [['Solarize', 0.6, 3], ['Equalize', 0.6, null]], [['Posterize', 0.8, 5], ['Equalize', 1.0, null]], [['Rotate', 0.2, 3], ['Solarize', 0.6, 8]],
    [['Equalize', 0.6, null], ['Posterize', 0.4, 6]], [['Rotate', 0.8, 8], ['Color', 0.4, 0]], [['Rotate', 0.4, 9], ['Equalize', 0.6, null]],
    [['Equalize', 0.0, null], ['Equalize', 0.8, null]], [['Invert', 0.6, null], ['Equalize', 1.0, null]], [['Color', 0.6, 4], ['Contrast', 1.0, 8]],
    [['Rotate', 0.8, 8], ['Color', 1.0, 2]], [['Color', 0.8, 8], ['Solarize', 0.8, 7]], [['Sharpness', 0.4, 7], ['Invert', 0.6, null]],
    [['ShearX', 0.6, 5], ['Equalize', 1.0, null]], [['Color', 0.4, 0], ['Equalize', 0.6, null]], [['Equalize', 0.4, null], ['Solarize', 0.2, 4]],
    [['Solarize', 0.6, 5], ['AutoContrast', 0.6, null]], [['Invert', 0.6, null], ['Equalize', 1.0, null]], [['Color', 0.6, 4], ['Contrast', 1.0, 8]],
    [['Equalize', 0.8, null], ['Equalize', 0.6, null]],
  ],
  cifar10: [
    [['Invert', 0.1, null], ['Contrast', 0.2, 6]], [['Rotate', 0.7, 2], ['TranslateX', 0.3, 9]], [['Sharpness', 0.8, 1], ['Sharpness', 0.9, 3]],
    [['ShearY', 0.5, 8], ['TranslateY', 0.7, 9]], [['AutoContrast', 0.5, null], ['Equalize', 0.9, null]], [['ShearY', 0.2, 7], ['Posterize', 0.3, 7]],
    [['Color', 0.4, 3], ['Brightness', 0.6, 7]], [['Sharpness', 0.3, 9], ['Brightness', 0.7, 9]], [['Equalize', 0.6, null], ['Equalize', 0.5, null]],
    [['Contrast', 0.6, 7], ['Sharpness', 0.6, 5]], [['Color', 0.7, 7], ['TranslateX', 0.5, 8]], [['Equalize', 0.3, null], ['AutoContrast', 0.4, null]],
    [['TranslateY', 0.4, 3], ['Sharpness', 0.2, 6]], [['Brightness', 0.9, 6], ['Color', 0.2, 8]], [['Solarize', 0.5, 2], ['Invert', 0.0, null]],
    [['Equalize', 0.2, null], ['AutoContrast', 0.6, null]], [['Equalize', 0.2, null], ['Equalize', 0.6, null]], [['Color', 0.9, 9], ['Equalize', 0.6, null]],
    [['AutoContrast', 0.8, null], ['Solarize', 0.2, 8]], [['Brightness', 0.1, 3], ['Color', 0.7, 0]], [['Solarize', 0.4, 5], ['AutoContrast', 0.9, null]],
    [['TranslateY', 0.9, 9], ['TranslateY', 0.7, 9]], [['AutoContrast', 0.9, null], ['Solarize', 0.8, 3]], [['Equalize', 0.8, null], ['Invert', 0.1, null]],
    [['TranslateY', 0.7, 9], ['AutoContrast', 0.9, null]],
  ],
  svhn: [
    [['ShearX', 0.9, 4], ['Invert', 0.2, null]], [['ShearY', 0.9, 8], ['Invert', 0.7, null]], [['Equalize', 0.6, null], ['Solarize', 0.6, 6]],
    [['Invert', 0.9, null], ['Equalize', 0.6, null]], [['Equalize', 0.6, null], ['Rotate', 0.9, 3]], [['ShearX', 0.9, 4], ['AutoContrast', 0.8, null]],
    [['ShearY', 0.9, 8], ['Invert', 0.4, null]], [['ShearY', 0.9, 5], ['Solarize', 0.2, 6]], [['Invert', 0.9, null], ['AutoContrast', 0.8, null]],
    [['Equalize', 0.6, null], ['Rotate', 0.9, 3]], [['ShearX', 0.9, 4], ['Solarize', 0.3, 3]], [['ShearY', 0.8, 8], ['Invert', 0.7, null]],
    [['Equalize', 0.9, null], ['TranslateY', 0.6, 6]], [['Invert', 0.9, null], ['Equalize', 0.6, null]], [['Contrast', 0.3, 3], ['Rotate', 0.8, 4]],
    [['Invert', 0.8, null], ['TranslateY', 0.0, 2]], [['ShearY', 0.7, 6], ['Solarize', 0.4, 8]], [['Invert', 0.6, null], ['Rotate', 0.8, 4]],
    [['ShearY', 0.3, 7], ['TranslateX', 0.9, 3]], [['ShearX', 0.1, 6], ['Invert', 0.6, null]], [['Solarize', 0.7, 2], ['TranslateY', 0.6, 7]],
    [['ShearY', 0.8, 4], ['Invert', 0.8, null]], [['ShearX', 0.7, 9], ['TranslateY', 0.8, 3]], [['ShearY', 0.8, 5], ['AutoContrast', 0.7, null]],
    [['ShearX', 0.7, 2], ['Invert', 0.1, null]],
  ],
};

/** AutoAugment's and RandAugment's space (RandAugment adds Identity first and drops Invert). */
function rand_space(n: number, h: number, w: number, identity: boolean): Space {
  const s: Space = [];
  if (identity) s.push(['Identity', null, false]);
  s.push(['ShearX', lin(0.0, 0.3, n), true], ['ShearY', lin(0.0, 0.3, n), true],
    ['TranslateX', lin(0.0, (150.0 / 331.0) * w, n), true], ['TranslateY', lin(0.0, (150.0 / 331.0) * h, n), true],
    ['Rotate', lin(0.0, 30.0, n), true], ['Brightness', lin(0.0, 0.9, n), true], ['Color', lin(0.0, 0.9, n), true],
    ['Contrast', lin(0.0, 0.9, n), true], ['Sharpness', lin(0.0, 0.9, n), true], ['Posterize', posterizeBins(8, n, 4), false],
    ['Solarize', lin(255.0, 0.0, n), false], ['AutoContrast', null, false], ['Equalize', null, false]);
  if (!identity) s.push(['Invert', null, false]);
  return s;
}

export interface AutoAugmentArgs { policy: AutoAugmentPolicy; interpolation: InterpolationMode | number; fill: Fill }
/** AutoAugment(policy = IMAGENET, interpolation = NEAREST, fill = null) */
export class AutoAugment extends Module {
  declare policy: AutoAugmentPolicy;
  declare interpolation: InterpolationMode;
  declare fill: Fill;
  declare policies: [Step, Step][];
  constructor(...args: Rest<[AutoAugmentPolicy, InterpolationMode | number, Fill], Partial<AutoAugmentArgs>>) {
    super();
    const a = bind<AutoAugmentArgs>('AutoAugment', args, { policy: AutoAugmentPolicy.IMAGENET, interpolation: InterpolationMode.NEAREST, fill: null });
    if (!(a.policy in POLICIES)) throw new RangeError(`The provided policy ${String(a.policy)} is not recognized.`);
    this.policy = a.policy;
    this.interpolation = F.interpolationMode(a.interpolation);
    this.fill = a.fill;
    Object.defineProperty(this, 'policies', { value: POLICIES[a.policy], enumerable: false });
  }
  /** [policy_id, probs (2 floats), signs (2 ints)] */
  static get_params(transform_num: number): [number, Tensor, Tensor] {
    const id = ri(transform_num);
    return [id, torch.rand([2]), torch.randint(0, 2, [2])];
  }
  forward(img: Tensor): Tensor {
    const [c, h, w] = F.get_dimensions(img);
    const fill = fillFor(this.fill, c);
    const [id, probs, signs] = AutoAugment.get_params(this.policies.length);
    const space = new Map(rand_space(10, h, w, false).map(([n, m, s]) => [n, [m, s] as const]));
    this.policies[id].forEach(([op, p, magId], i) => {
      if (!probs.index(i).le(p).item()) return; // float32 <= p, as the tensor comparison
      const [mags, signed] = space.get(op)!;
      let magnitude = magId !== null && mags !== null ? mags[magId] : 0.0;
      if (signed && signs.index(i).item() === 0) magnitude *= -1.0;
      img = applyOp(img, op, magnitude, this.interpolation, fill);
    });
    return img;
  }
  toString(): string { return `AutoAugment(policy=AutoAugmentPolicy.${this.policy.toUpperCase()}, fill=${fillRepr(this.fill)})`; }
}

export interface RandAugmentArgs { num_ops: number; magnitude: number; num_magnitude_bins: number; interpolation: InterpolationMode | number; fill: Fill }
/** RandAugment(num_ops = 2, magnitude = 9, num_magnitude_bins = 31, interpolation = NEAREST, fill = null) */
export class RandAugment extends Module {
  declare num_ops: number;
  declare magnitude: number;
  declare num_magnitude_bins: number;
  declare interpolation: InterpolationMode;
  declare fill: Fill;
  constructor(...args: Rest<[number, number, number, InterpolationMode | number, Fill], Partial<RandAugmentArgs>>) {
    super();
    const a = bind<RandAugmentArgs>('RandAugment', args, { num_ops: 2, magnitude: 9, num_magnitude_bins: 31, interpolation: InterpolationMode.NEAREST, fill: null });
    Object.assign(this, a);
    this.interpolation = F.interpolationMode(a.interpolation);
  }
  forward(img: Tensor): Tensor {
    const [c, h, w] = F.get_dimensions(img);
    const fill = fillFor(this.fill, c);
    const space = rand_space(this.num_magnitude_bins, h, w, true);
    for (let k = 0; k < this.num_ops; k++) {
      const [op, mags, signed] = space[ri(space.length)];
      let magnitude = mags !== null ? mags[this.magnitude] : 0.0;
      if (signed && ri(2)) magnitude *= -1.0;
      img = applyOp(img, op, magnitude, this.interpolation, fill);
    }
    return img;
  }
  toString(): string {
    return `RandAugment(num_ops=${this.num_ops}, magnitude=${this.magnitude}, num_magnitude_bins=${this.num_magnitude_bins}, interpolation=${modeRepr(this.interpolation)}, fill=${fillRepr(this.fill)})`;
  }
}

export interface TrivialAugmentWideArgs { num_magnitude_bins: number; interpolation: InterpolationMode | number; fill: Fill }
/** TrivialAugmentWide(num_magnitude_bins = 31, interpolation = NEAREST, fill = null) */
export class TrivialAugmentWide extends Module {
  declare num_magnitude_bins: number;
  declare interpolation: InterpolationMode;
  declare fill: Fill;
  constructor(...args: Rest<[number, InterpolationMode | number, Fill], Partial<TrivialAugmentWideArgs>>) {
    super();
    const a = bind<TrivialAugmentWideArgs>('TrivialAugmentWide', args, { num_magnitude_bins: 31, interpolation: InterpolationMode.NEAREST, fill: null });
    Object.assign(this, a);
    this.interpolation = F.interpolationMode(a.interpolation);
  }
  forward(img: Tensor): Tensor {
    const c = F.get_dimensions(img)[0];
    const fill = fillFor(this.fill, c);
    const n = this.num_magnitude_bins;
    const space: Space = [['Identity', null, false], ['ShearX', lin(0.0, 0.99, n), true], ['ShearY', lin(0.0, 0.99, n), true],
      ['TranslateX', lin(0.0, 32.0, n), true], ['TranslateY', lin(0.0, 32.0, n), true], ['Rotate', lin(0.0, 135.0, n), true],
      ['Brightness', lin(0.0, 0.99, n), true], ['Color', lin(0.0, 0.99, n), true], ['Contrast', lin(0.0, 0.99, n), true],
      ['Sharpness', lin(0.0, 0.99, n), true], ['Posterize', posterizeBins(8, n, 6), false], ['Solarize', lin(255.0, 0.0, n), false],
      ['AutoContrast', null, false], ['Equalize', null, false]];
    const [op, mags, signed] = space[ri(space.length)];
    let magnitude = mags !== null ? mags[ri(mags.length)] : 0.0;
    if (signed && ri(2)) magnitude *= -1.0;
    return applyOp(img, op, magnitude, this.interpolation, fill);
  }
  toString(): string { return `TrivialAugmentWide(num_magnitude_bins=${this.num_magnitude_bins}, interpolation=${modeRepr(this.interpolation)}, fill=${fillRepr(this.fill)})`; }
}

export interface AugMixArgs { severity: number; mixture_width: number; chain_depth: number; alpha: number; all_ops: boolean; interpolation: InterpolationMode | number; fill: Fill }
/** AugMix(severity = 3, mixture_width = 3, chain_depth = -1, alpha = 1.0, all_ops = true, interpolation = BILINEAR, fill = null) */
export class AugMix extends Module {
  declare severity: number;
  declare mixture_width: number;
  declare chain_depth: number;
  declare alpha: number;
  declare all_ops: boolean;
  declare interpolation: InterpolationMode;
  declare fill: Fill;
  constructor(...args: Rest<[number, number, number, number, boolean, InterpolationMode | number, Fill], Partial<AugMixArgs>>) {
    super();
    const a = bind<AugMixArgs>('AugMix', args, { severity: 3, mixture_width: 3, chain_depth: -1, alpha: 1.0, all_ops: true, interpolation: InterpolationMode.BILINEAR, fill: null });
    if (!(a.severity >= 1 && a.severity <= 10)) throw new RangeError(`The severity must be between [1, 10]. Got ${a.severity} instead.`);
    Object.assign(this, a);
    this.interpolation = F.interpolationMode(a.interpolation);
  }
  forward(orig: Tensor): Tensor {
    const [c, h, w] = F.get_dimensions(orig);
    const fill = fillFor(this.fill, c);
    const n = 10;
    const space: Space = [['ShearX', lin(0.0, 0.3, n), true], ['ShearY', lin(0.0, 0.3, n), true],
      ['TranslateX', lin(0.0, w / 3.0, n), true], ['TranslateY', lin(0.0, h / 3.0, n), true], ['Rotate', lin(0.0, 30.0, n), true],
      ['Posterize', posterizeBins(4, n, 4), false], ['Solarize', lin(255.0, 0.0, n), false], ['AutoContrast', null, false], ['Equalize', null, false]];
    if (this.all_ops) {
      space.push(['Brightness', lin(0.0, 0.9, n), true], ['Color', lin(0.0, 0.9, n), true], ['Contrast', lin(0.0, 0.9, n), true], ['Sharpness', lin(0.0, 0.9, n), true]);
    }
    const dims = orig.shape;
    const batch = orig.view([...new Array(Math.max(4 - orig.dim(), 0)).fill(1), ...dims]);
    const bd = [batch.size(0), ...new Array(batch.dim() - 1).fill(1)];
    const m = torch._sample_dirichlet(torch.tensor([this.alpha, this.alpha]).expand(bd[0], -1));
    const weights = torch._sample_dirichlet(torch.tensor(new Array(this.mixture_width).fill(this.alpha)).expand(bd[0], -1))
      .mul(m.select(1, 1).view(bd[0], -1));
    const mix = m.select(1, 0).view(bd).mul(batch);
    for (let i = 0; i < this.mixture_width; i++) {
      let aug = batch;
      const depth = this.chain_depth > 0 ? this.chain_depth : ri(4, 1);
      for (let d = 0; d < depth; d++) {
        const [op, mags, signed] = space[ri(space.length)];
        let magnitude = mags !== null ? mags[ri(this.severity)] : 0.0;
        if (signed && ri(2)) magnitude *= -1.0;
        aug = applyOp(aug, op, magnitude, this.interpolation, fill);
      }
      mix.add_(weights.select(1, i).view(bd).mul(aug));
    }
    return mix.view(dims).to(orig.dtype);
  }
  toString(): string {
    return `AugMix(severity=${this.severity}, mixture_width=${this.mixture_width}, chain_depth=${this.chain_depth}, alpha=${py(this.alpha, { float: true })}, all_ops=${py(this.all_ops)}, interpolation=${modeRepr(this.interpolation)}, fill=${fillRepr(this.fill)})`;
  }
}
