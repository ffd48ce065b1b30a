// torchvision.transforms.functional (0.14), the rest of the tensor path: color
// (grayscale, brightness, contrast, saturation, hue, gamma, invert, posterize,
// solarize, sharpness, autocontrast, equalize), geometry through grid_sample
// (affine, rotate, perspective, elastic_transform), gaussian_blur, erase,
// five_crop / ten_crop, symmetric padding. Each is torchvision's functional.py
// checks then functional_tensor.py's ATen ops in the same order, so that
// results match torchvision's bit for bit on the same LibTorch.
import { Tensor } from '../../tensor';
import * as torch from '../../index';
import * as dt from '../../dtype';
import { dtype } from '../../dtype';
import { scope } from '../../memory';
import { bind, Rest, REQUIRED } from '../../nn/common';
import { conv2d, grid_sample, pad as torchPad } from '../../nn/functional';
// functional.ts re-exports this file at its end: its own exports are defined by the time these are used
import { InterpolationMode, interpolationMode, get_dimensions, crop, center_crop, hflip, vflip, convert_image_dtype } from './functional';

type Fill = number | number[] | null;

function assertImage(img: unknown, fn: string): asserts img is Tensor {
  if (!(img instanceof Tensor)) throw new TypeError(`${fn}: img should be a Tensor image [..., C, H, W]. Got ${img === null ? 'null' : typeof img}`);
  if (img.dim() < 2) throw new TypeError('Tensor is not a torch image.');
}
function assertChannels(img: Tensor, permitted: number[]): void {
  const c = get_dimensions(img)[0];
  if (!permitted.includes(c)) throw new TypeError(`Input image tensor permitted channel values are [${permitted.join(', ')}], but found ${c}`);
}
function assertDim3(img: Tensor): void {
  if (img.dim() < 3) throw new TypeError(`Input image tensor should have at least 3 dimensions, but found ${img.dim()}`);
}
const isFloat = (img: Tensor): boolean => img.is_floating_point();
/** The float dtype torchvision computes an image's grid / kernel in. */
const workDtype = (img: Tensor): dtype => (isFloat(img) ? img.dtype : dt.float32);

/** _cast_squeeze_in / _cast_squeeze_out around fn (inside a scope: temporaries are released). */
function castSqueeze(img: Tensor, req: dtype[], fn: (x: Tensor) => Tensor): Tensor {
  return scope(() => {
    let x = img;
    const squeeze = x.dim() < 4;
    if (squeeze) x = x.unsqueeze(0);
    const outDtype = x.dtype;
    const cast = !req.includes(outDtype);
    if (cast) x = x.to(req[0]);
    let y = fn(x);
    if (squeeze) y = y.squeeze(0);
    if (cast) {
      if (!outDtype.is_floating_point && outDtype !== dt.bool) y = y.round();
      y = y.to(outDtype);
    }
    return y;
  });
}

// ---- color -------------------------------------------------------------------------------------

/** F.rgb_to_grayscale(img, num_output_channels = 1): 0.2989 R + 0.587 G + 0.114 B, in the image's dtype. */
export function rgb_to_grayscale(img: Tensor, ...args: Rest<[number], { num_output_channels?: number }>): Tensor {
  const { num_output_channels } = bind<{ num_output_channels: number }>('rgb_to_grayscale', args, { num_output_channels: 1 });
  assertImage(img, 'rgb_to_grayscale');
  assertDim3(img);
  assertChannels(img, [1, 3]);
  if (num_output_channels !== 1 && num_output_channels !== 3) throw new RangeError('num_output_channels should be either 1 or 3');
  return scope(() => {
    let l: Tensor;
    if (img.shape[img.dim() - 3] === 3) {
      const [r, g, b] = img.unbind(-3);
      l = r.mul(0.2989).add(g.mul(0.587)).add(b.mul(0.114)).to(img.dtype).unsqueeze(-3);
    } else {
      l = img.clone();
    }
    return num_output_channels === 3 ? l.expand(img.shape) : l;
  });
}

/** functional_tensor._blend: (ratio * img1 + (1 - ratio) * img2) clamped to the image's range, in img1's dtype. */
function blend(img1: Tensor, img2: Tensor, ratio: number): Tensor {
  const bound = isFloat(img1) ? 1.0 : 255.0;
  return img1.mul(ratio).add(img2.mul(1.0 - ratio)).clamp(0, bound).to(img1.dtype);
}

function nonNegative(v: number, name: string): void {
  if (typeof v !== 'number') throw new TypeError(`${name} should be a number, got ${typeof v}`);
  if (v < 0) throw new RangeError(`${name} (${v}) is not non-negative.`);
}

/** F.adjust_brightness(img, brightness_factor) */
function adjust_brightnessImpl(img: Tensor, brightness_factor: number): Tensor {
  nonNegative(brightness_factor, 'brightness_factor');
  assertImage(img, 'adjust_brightness');
  assertChannels(img, [1, 3]);
  return scope(() => blend(img, torch.zeros_like(img), brightness_factor));
}

/** F.adjust_contrast(img, contrast_factor): blends with the mean of the grayscale image. */
function adjust_contrastImpl(img: Tensor, contrast_factor: number): Tensor {
  nonNegative(contrast_factor, 'contrast_factor');
  assertImage(img, 'adjust_contrast');
  assertChannels(img, [3, 1]);
  return scope(() => {
    const d = workDtype(img);
    const src = get_dimensions(img)[0] === 3 ? rgb_to_grayscale(img).to(d) : img.to(d);
    const mean = src.mean([-3, -2, -1], { keepdim: true });
    return blend(img, mean, contrast_factor);
  });
}

/** F.adjust_saturation(img, saturation_factor): blends with the grayscale image (a 1-channel image is returned as is). */
function adjust_saturationImpl(img: Tensor, saturation_factor: number): Tensor {
  nonNegative(saturation_factor, 'saturation_factor');
  assertImage(img, 'adjust_saturation');
  assertChannels(img, [1, 3]);
  if (get_dimensions(img)[0] === 1) return img;
  return scope(() => blend(img, rgb_to_grayscale(img), saturation_factor));
}

function rgb2hsv(img: Tensor): Tensor {
  const [r, g, b] = img.unbind(-3);
  const maxc = img.max(-3).values, minc = img.min(-3).values;
  const eqc = maxc.eq(minc);
  const cr = maxc.sub(minc);
  const ones = torch.ones_like(maxc);
  const s = cr.div(torch.where(eqc, ones, maxc));
  const crDiv = torch.where(eqc, ones, cr);
  const rc = maxc.sub(r).div(crDiv), gc = maxc.sub(g).div(crDiv), bc = maxc.sub(b).div(crDiv);
  const hr = maxc.eq(r).mul(bc.sub(gc));
  const hg = maxc.eq(g).logical_and(maxc.ne(r)).mul(rc.add(2.0).sub(bc)); // (2.0 + rc) - bc, in Python's order
  const hb = maxc.ne(g).logical_and(maxc.ne(r)).mul(gc.add(4.0).sub(rc));
  const h = hr.add(hg).add(hb);
  return torch.stack([torch.fmod(h.div(6.0).add(1.0), 1.0), s, maxc], -3);
}

function hsv2rgb(img: Tensor): Tensor {
  const [h, s, v] = img.unbind(-3);
  const i0 = torch.floor(h.mul(6.0));
  const f = h.mul(6.0).sub(i0);
  let i = i0.to(dt.int32);
  // 1.0 - x as -x + 1.0: the same float (negation is exact)
  const p = torch.clamp(v.mul(s.mul(-1).add(1.0)), 0.0, 1.0);
  const q = torch.clamp(v.mul(s.mul(f).mul(-1).add(1.0)), 0.0, 1.0);
  const t = torch.clamp(v.mul(f.mul(-1).add(1.0).mul(s).mul(-1).add(1.0)), 0.0, 1.0);
  i = i.remainder(6);
  const mask = i.unsqueeze(-3).eq(torch.arange(6, { device: i.device }).view(-1, 1, 1));
  const a1 = torch.stack([v, q, p, p, t, v], -3);
  const a2 = torch.stack([t, v, v, q, p, p], -3);
  const a3 = torch.stack([p, p, t, v, v, q], -3);
  const a4 = torch.stack([a1, a2, a3], -4);
  return torch.einsum('...ijk, ...xijk -> ...xjk', mask.to(img.dtype), a4);
}

/** F.adjust_hue(img, hue_factor): hue_factor in [-0.5, 0.5], through HSV as torchvision. */
function adjust_hueImpl(img: Tensor, hue_factor: number): Tensor {
  if (typeof hue_factor !== 'number' || !(hue_factor >= -0.5 && hue_factor <= 0.5)) throw new RangeError(`hue_factor (${hue_factor}) is not in [-0.5, 0.5].`);
  if (!(img instanceof Tensor)) throw new TypeError('Input img should be Tensor image');
  assertImage(img, 'adjust_hue');
  assertChannels(img, [1, 3]);
  if (get_dimensions(img)[0] === 1) return img;
  return scope(() => {
    const orig = img.dtype;
    let x = orig === dt.uint8 ? img.to(dt.float32).div(255.0) : img;
    x = rgb2hsv(x);
    const [h, s, v] = x.unbind(-3);
    const h2 = h.add(hue_factor).remainder(1.0);
    let out = hsv2rgb(torch.stack([h2, s, v], -3));
    if (orig === dt.uint8) out = out.mul(255.0).to(orig);
    return out;
  });
}

/** F.adjust_gamma(img, gamma, gain = 1): gain * img ** gamma on [0, 1], converted back. */
export function adjust_gamma(img: Tensor, gamma: number, ...args: Rest<[number], { gain?: number }>): Tensor {
  const { gain } = bind<{ gain: number }>('adjust_gamma', args, { gain: 1 });
  if (!(img instanceof Tensor)) throw new TypeError('Input img should be a Tensor.');
  assertChannels(img, [1, 3]);
  if (gamma < 0) throw new RangeError('Gamma should be a non-negative real number');
  return scope(() => {
    const d = img.dtype;
    let r = isFloat(img) ? img : convert_image_dtype(img, dt.float32);
    r = r.pow(gamma).mul(gain).clamp(0, 1);
    return convert_image_dtype(r, d);
  });
}

/** F.invert(img): bound - img (1 for floats, 255 for ints). */
function invertImpl(img: Tensor): Tensor {
  assertImage(img, 'invert');
  assertDim3(img);
  assertChannels(img, [1, 3]);
  return scope(() => torch.tensor(isFloat(img) ? 1 : 255, { dtype: img.dtype, device: img.device }).sub(img));
}

/** F.posterize(img, bits): keeps the top `bits` bits of each uint8 sample. */
function posterizeImpl(img: Tensor, bits: number): Tensor {
  assertImage(img, 'posterize');
  assertDim3(img);
  if (img.dtype !== dt.uint8) throw new TypeError(`Only torch.uint8 image tensors are supported, but found torch.${img.dtype.name}`);
  assertChannels(img, [1, 3]);
  if (!Number.isInteger(bits)) throw new TypeError(`posterize: bits should be an int, got ${String(bits)}`);
  return img.bitwise_and(-Math.trunc(2 ** (8 - bits)));
}

/** F.solarize(img, threshold): inverts the samples >= threshold. */
function solarizeImpl(img: Tensor, threshold: number): Tensor {
  assertImage(img, 'solarize');
  assertDim3(img);
  assertChannels(img, [1, 3]);
  const bound = isFloat(img) ? 1 : 255;
  if (threshold > bound) throw new TypeError('Threshold should be less than bound of img.');
  return scope(() => torch.where(img.ge(threshold), invertImpl(img), img));
}

function blurredDegenerate(img: Tensor): Tensor {
  const d = workDtype(img);
  const k = torch.ones([3, 3], { dtype: d, device: img.device });
  k.select(0, 1).select(0, 1).fill_(5.0);
  const kernel = k.div(k.sum()).expand(img.shape[img.dim() - 3], 1, 3, 3);
  const tmp = castSqueeze(img, [kernel.dtype], (x) => conv2d(x, kernel, { groups: x.shape[x.dim() - 3] }));
  const result = img.clone();
  const H = img.shape[img.dim() - 2], W = img.shape[img.dim() - 1];
  result.narrow(-2, 1, H - 2).narrow(-1, 1, W - 2).copy_(tmp);
  return result;
}

/** F.adjust_sharpness(img, sharpness_factor): blends with a smoothed image (PIL's SMOOTH kernel). */
function adjust_sharpnessImpl(img: Tensor, sharpness_factor: number): Tensor {
  nonNegative(sharpness_factor, 'sharpness_factor');
  assertImage(img, 'adjust_sharpness');
  assertChannels(img, [1, 3]);
  if (img.shape[img.dim() - 1] <= 2 || img.shape[img.dim() - 2] <= 2) return img;
  return scope(() => blend(img, blurredDegenerate(img), sharpness_factor));
}

/** F.autocontrast(img): stretches each channel to the full range. */
function autocontrastImpl(img: Tensor): Tensor {
  assertImage(img, 'autocontrast');
  assertDim3(img);
  assertChannels(img, [1, 3]);
  return scope(() => {
    const bound = isFloat(img) ? 1.0 : 255.0;
    const d = workDtype(img);
    const minimum = img.amin([-2, -1], true).to(d);
    const maximum = img.amax([-2, -1], true).to(d);
    const scale0 = torch.tensor(bound, { dtype: d }).div(maximum.sub(minimum));
    const eq = torch.isfinite(scale0).logical_not();
    const mn = minimum.masked_fill(eq, 0), scale = scale0.masked_fill(eq, 1);
    return img.sub(mn).mul(scale).clamp(0, bound).to(img.dtype);
  });
}

/** One uint8 channel equalized (functional_tensor._scale_channel), in integer arithmetic as torchvision's. */
function scaleChannel(src: Uint8Array, out: Uint8Array): void {
  const hist = new Float64Array(256);
  for (let i = 0; i < src.length; i++) hist[src[i]]++;
  let last = -1, sum = 0;
  for (let v = 0; v < 256; v++) if (hist[v]) { if (last >= 0) sum += hist[last]; last = v; } // all non-zero bins but the last
  const step = Math.floor(sum / 255);
  if (step === 0) { out.set(src); return; }
  const lut = new Uint8Array(256);
  let cum = 0;
  for (let v = 0; v < 256; v++) {
    // lut = (cumsum + step // 2) // step, shifted right by one (pad [1, 0], drop the last), clamped
    if (v + 1 < 256) { cum += hist[v]; lut[v + 1] = Math.min(255, Math.floor((cum + Math.floor(step / 2)) / step)); }
  }
  lut[0] = 0;
  for (let i = 0; i < src.length; i++) out[i] = lut[src[i]];
}

/** F.equalize(img): histogram equalization of each channel of a uint8 image [C, H, W] or [B, C, H, W]. */
function equalizeImpl(img: Tensor): Tensor {
  assertImage(img, 'equalize');
  if (img.dim() < 3 || img.dim() > 4) throw new TypeError(`Input image tensor should have 3 or 4 dimensions, but found ${img.dim()}`);
  if (img.dtype !== dt.uint8) throw new TypeError(`Only torch.uint8 image tensors are supported, but found torch.${img.dtype.name}`);
  assertChannels(img, [1, 3]);
  return scope(() => {
    const c = img.contiguous();
    const src = c.typed_array() as Uint8Array;
    const out = new Uint8Array(src.length);
    const plane = img.shape[img.dim() - 1] * img.shape[img.dim() - 2];
    for (let o = 0; o < src.length; o += plane) scaleChannel(src.subarray(o, o + plane), out.subarray(o, o + plane));
    return torch.tensor(out, { dtype: dt.uint8 }).view(img.shape);
  });
}

// ---- blur, erase ------------------------------------------------------------------------------

function gaussianKernel1d(k: number, sigma: number): Tensor {
  const half = (k - 1) * 0.5;
  const x = torch.linspace(-half, half, k);
  const pdf = torch.exp(x.div(sigma).pow(2).mul(-0.5));
  return pdf.div(pdf.sum());
}

/** F.gaussian_blur(img, kernel_size, sigma = null): a separable Gaussian, reflect-padded, as torchvision's conv2d. */
export function gaussian_blur(img: Tensor, kernel_size: number | number[], ...args: Rest<[number | number[] | null], { sigma?: number | number[] | null }>): Tensor {
  let { sigma } = bind<{ sigma: number | number[] | null }>('gaussian_blur', args, { sigma: null });
  if (typeof kernel_size !== 'number' && !Array.isArray(kernel_size)) throw new TypeError(`kernel_size should be int or a sequence of integers. Got ${typeof kernel_size}`);
  const ks = typeof kernel_size === 'number' ? [kernel_size, kernel_size] : kernel_size;
  if (ks.length !== 2) throw new RangeError(`If kernel_size is a sequence its length should be 2. Got ${ks.length}`);
  for (const k of ks) if (k % 2 === 0 || k < 0) throw new RangeError(`kernel_size should have odd and positive integers. Got [${ks.join(', ')}]`);
  if (sigma === null) sigma = ks.map((k) => k * 0.15 + 0.35);
  if (typeof sigma !== 'number' && !Array.isArray(sigma)) throw new TypeError(`sigma should be either float or sequence of floats. Got ${typeof sigma}`);
  let sg = typeof sigma === 'number' ? [sigma, sigma] : sigma;
  if (sg.length === 1) sg = [sg[0], sg[0]];
  if (sg.length !== 2) throw new RangeError(`If sigma is a sequence, its length should be 2. Got ${sg.length}`);
  for (const s of sg) if (s <= 0) throw new RangeError(`sigma should have positive values. Got [${sg.join(', ')}]`);
  assertImage(img, 'gaussian_blur');
  return scope(() => {
    const d = workDtype(img);
    const kx = gaussianKernel1d(ks[0], sg[0]).to(d), ky = gaussianKernel1d(ks[1], sg[1]).to(d);
    const k2 = torch.mm(ky.unsqueeze(1), kx.unsqueeze(0));
    const kernel = k2.expand(img.shape[img.dim() - 3], 1, k2.shape[0], k2.shape[1]);
    const padding = [Math.floor(ks[0] / 2), Math.floor(ks[0] / 2), Math.floor(ks[1] / 2), Math.floor(ks[1] / 2)];
    return castSqueeze(img, [kernel.dtype], (x) => conv2d(torchPad(x, padding, { mode: 'reflect' }), kernel, { groups: x.shape[x.dim() - 3] }));
  });
}

/** F.erase(img, i, j, h, w, v, inplace = false): img[..., i:i+h, j:j+w] = v. */
export function erase(img: Tensor, i: number, j: number, h: number, w: number, v: Tensor, ...args: Rest<[boolean], { inplace?: boolean }>): Tensor {
  const { inplace } = bind<{ inplace: boolean }>('erase', args, { inplace: false });
  if (!(img instanceof Tensor)) throw new TypeError(`img should be Tensor Image. Got ${typeof img}`);
  assertImage(img, 'erase');
  const out = inplace ? img : img.clone();
  const H = img.shape[img.dim() - 2], W = img.shape[img.dim() - 1];
  const i0 = Math.min(Math.max(i, 0), H), j0 = Math.min(Math.max(j, 0), W);
  scope(() => { out.narrow(-2, i0, Math.max(0, Math.min(i + h, H) - i0)).narrow(-1, j0, Math.max(0, Math.min(j + w, W) - j0)).copy_(v); });
  return out;
}

// ---- geometry through grid_sample -------------------------------------------------------------

function checkGridInputs(img: Tensor, interpolation: InterpolationMode, fill: Fill): void {
  assertImage(img, 'grid transform');
  const c = get_dimensions(img)[0];
  if (fill !== null && Array.isArray(fill) && fill.length > 1 && fill.length !== c) {
    throw new RangeError(`The number of elements in 'fill' cannot broadcast to match the number of channels of the image (${fill.length} != ${c})`);
  }
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') throw new RangeError(`Interpolation mode '${interpolation}' is unsupported with Tensor input`);
}

/** functional_tensor._apply_grid_transform: grid_sample, with `fill` where the grid leaves the image. */
function applyGrid(img: Tensor, grid: Tensor, mode: InterpolationMode, fill: Fill): Tensor {
  return castSqueeze(img, [grid.dtype], (x) => {
    let g = grid;
    if (x.shape[0] > 1) g = g.expand(x.shape[0], g.shape[1], g.shape[2], g.shape[3]);
    if (fill !== null) x = torch.cat([x, torch.ones([x.shape[0], 1, x.shape[2], x.shape[3]], { dtype: x.dtype, device: x.device })], 1);
    let y = grid_sample(x, g, { mode, padding_mode: 'zeros', align_corners: false });
    if (fill !== null) {
      const C = y.shape[1] - 1;
      let mask = y.narrow(1, C, 1);
      y = y.narrow(1, 0, C);
      mask = mask.expand_as(y);
      const list = Array.isArray(fill) ? fill : [fill];
      const fillImg = torch.tensor(list, { dtype: y.dtype, device: y.device }).view(1, list.length, 1, 1).expand_as(y);
      y = mode === 'nearest' ? torch.where(mask.lt(0.5), fillImg, y) : y.mul(mask).add(mask.mul(-1).add(1.0).mul(fillImg));
    }
    return y;
  });
}

function affineGrid(theta: Tensor, w: number, h: number, ow: number, oh: number): Tensor {
  const base = torch.empty([1, oh, ow, 3], { dtype: theta.dtype, device: theta.device });
  base.select(-1, 0).copy_(torch.linspace(-ow * 0.5 + 0.5, ow * 0.5 + 0.5 - 1, ow));
  base.select(-1, 1).copy_(torch.linspace(-oh * 0.5 + 0.5, oh * 0.5 + 0.5 - 1, oh).unsqueeze(-1));
  base.select(-1, 2).fill_(1);
  const rescaled = theta.transpose(1, 2).div(torch.tensor([0.5 * w, 0.5 * h], { dtype: theta.dtype }));
  return base.view(1, oh * ow, 3).bmm(rescaled).view(1, oh, ow, 2);
}

/** functional._get_inverse_affine_matrix */
export function _get_inverse_affine_matrix(center: number[], angle: number, translate: number[], scale: number, shear: number[], inverted = true): number[] {
  const rad = (d: number): number => d * (Math.PI / 180.0); // math.radians: x * (pi / 180)
  const rot = rad(angle), sx = rad(shear[0]), sy = rad(shear[1]);
  const [cx, cy] = center, [tx, ty] = translate;
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = -Math.cos(rot - sy) * Math.tan(sx) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = -Math.sin(rot - sy) * Math.tan(sx) / Math.cos(sy) + Math.cos(rot);
  let m: number[];
  if (inverted) {
    m = [d, -b, 0.0, -c, a, 0.0].map((x) => x / scale);
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
    m[2] += cx;
    m[5] += cy;
  } else {
    m = [a, b, 0.0, c, d, 0.0].map((x) => x * scale);
    m[2] += m[0] * -cx + m[1] * -cy;
    m[5] += m[3] * -cx + m[4] * -cy;
    m[2] += cx + tx;
    m[5] += cy + ty;
  }
  return m;
}

function centerOf(img: Tensor, center: number[] | null): number[] {
  if (center === null) return [0.0, 0.0];
  if (!Array.isArray(center)) throw new TypeError('Argument center should be a sequence');
  const [, h, w] = get_dimensions(img);
  return [center[0] - w * 0.5, center[1] - h * 0.5];
}

export interface AffineArgs { interpolation: InterpolationMode | number; fill: Fill; center: number[] | null }
/** F.affine(img, angle, translate, scale, shear, interpolation = NEAREST, fill = null, center = null) */
export function affine(img: Tensor, angle: number, translate: number[], scale: number, shear: number | number[],
  ...args: Rest<[InterpolationMode | number, Fill, number[] | null], Partial<AffineArgs>>): Tensor {
  const a = bind<AffineArgs>('affine', args, { interpolation: InterpolationMode.NEAREST, fill: null, center: null });
  const interpolation = interpolationMode(a.interpolation);
  if (typeof angle !== 'number') throw new TypeError('Argument angle should be int or float');
  if (!Array.isArray(translate)) throw new TypeError('Argument translate should be a sequence');
  if (translate.length !== 2) throw new RangeError('Argument translate should be a sequence of length 2');
  if (scale <= 0.0) throw new RangeError('Argument scale should be positive');
  if (typeof shear !== 'number' && !Array.isArray(shear)) throw new TypeError('Shear should be either a single value or a sequence of two values');
  let sh = typeof shear === 'number' ? [shear, 0.0] : shear;
  if (sh.length === 1) sh = [sh[0], sh[0]];
  if (sh.length !== 2) throw new RangeError(`Shear should be a sequence containing two values. Got [${sh.join(', ')}]`);
  assertImage(img, 'affine');
  const matrix = _get_inverse_affine_matrix(centerOf(img, a.center), angle, translate, scale, sh);
  checkGridInputs(img, interpolation, a.fill);
  return scope(() => {
    const theta = torch.tensor(matrix, { dtype: workDtype(img), device: img.device }).reshape(1, 2, 3);
    const [H, W] = img.shape.slice(-2);
    return applyGrid(img, affineGrid(theta, W, H, W, H), interpolation, a.fill);
  });
}

function affineOutputSize(matrix: number[], w: number, h: number): [number, number] {
  return scope(() => {
    const pts = torch.tensor([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0], [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]]);
    const theta = torch.tensor(matrix, { dtype: dt.float32 }).view(2, 3);
    const np = torch.matmul(pts, theta.T);
    const off = torch.tensor([w * 0.5, h * 0.5]);
    const mn = np.min(0).values.add(off), mx = np.max(0).values.add(off);
    const tol = 1e-4;
    const cmax = torch.ceil(mx.div(tol).trunc().mul(tol)), cmin = torch.floor(mn.div(tol).trunc().mul(tol));
    const size = cmax.sub(cmin).tolist() as number[];
    return [Math.trunc(size[0]), Math.trunc(size[1])] as [number, number];
  });
}

export interface RotateArgs { interpolation: InterpolationMode | number; expand: boolean; center: number[] | null; fill: Fill }
/** F.rotate(img, angle, interpolation = NEAREST, expand = false, center = null, fill = null): counter-clockwise degrees. */
export function rotate(img: Tensor, angle: number, ...args: Rest<[InterpolationMode | number, boolean, number[] | null, Fill], Partial<RotateArgs>>): Tensor {
  const a = bind<RotateArgs>('rotate', args, { interpolation: InterpolationMode.NEAREST, expand: false, center: null, fill: null });
  const interpolation = interpolationMode(a.interpolation);
  if (typeof angle !== 'number') throw new TypeError('Argument angle should be int or float');
  assertImage(img, 'rotate');
  const matrix = _get_inverse_affine_matrix(centerOf(img, a.center), -angle, [0.0, 0.0], 1.0, [0.0, 0.0]);
  checkGridInputs(img, interpolation, a.fill);
  const [H, W] = img.shape.slice(-2);
  const [ow, oh] = a.expand ? affineOutputSize(matrix, W, H) : [W, H];
  return scope(() => {
    const theta = torch.tensor(matrix, { dtype: workDtype(img), device: img.device }).reshape(1, 2, 3);
    return applyGrid(img, affineGrid(theta, W, H, ow, oh), interpolation, a.fill);
  });
}

/** functional._get_perspective_coeffs: least squares (LAPACK gels) in float32, as torchvision. */
export function _get_perspective_coeffs(startpoints: number[][], endpoints: number[][]): number[] {
  return scope(() => {
    const rows: number[][] = [];
    endpoints.forEach((p1, i) => {
      const p2 = startpoints[i];
      rows.push([p1[0], p1[1], 1, 0, 0, 0, -p2[0] * p1[0], -p2[0] * p1[1]]);
      rows.push([0, 0, 0, p1[0], p1[1], 1, -p2[1] * p1[0], -p2[1] * p1[1]]);
    });
    const A = torch.tensor(rows, { dtype: dt.float32 });
    const B = torch.tensor(startpoints, { dtype: dt.float32 }).view(8);
    return torch.linalg.lstsq(A, B, { driver: 'gels' }).solution.tolist() as number[];
  });
}

function perspectiveGrid(c: number[], ow: number, oh: number, d: dtype): Tensor {
  const theta1 = torch.tensor([[[c[0], c[1], c[2]], [c[3], c[4], c[5]]]], { dtype: d });
  const theta2 = torch.tensor([[[c[6], c[7], 1.0], [c[6], c[7], 1.0]]], { dtype: d });
  const base = torch.empty([1, oh, ow, 3], { dtype: d });
  base.select(-1, 0).copy_(torch.linspace(0.5, ow * 1.0 + 0.5 - 1.0, ow));
  base.select(-1, 1).copy_(torch.linspace(0.5, oh * 1.0 + 0.5 - 1.0, oh).unsqueeze(-1));
  base.select(-1, 2).fill_(1);
  const r1 = theta1.transpose(1, 2).div(torch.tensor([0.5 * ow, 0.5 * oh], { dtype: d }));
  const g1 = base.view(1, oh * ow, 3).bmm(r1);
  const g2 = base.view(1, oh * ow, 3).bmm(theta2.transpose(1, 2));
  return g1.div(g2).sub(1.0).view(1, oh, ow, 2);
}

export interface PerspectiveArgs { interpolation: InterpolationMode | number; fill: Fill }
/** F.perspective(img, startpoints, endpoints, interpolation = BILINEAR, fill = null) */
export function perspective(img: Tensor, startpoints: number[][], endpoints: number[][], ...args: Rest<[InterpolationMode | number, Fill], Partial<PerspectiveArgs>>): Tensor {
  const a = bind<PerspectiveArgs>('perspective', args, { interpolation: InterpolationMode.BILINEAR, fill: null });
  const coeffs = _get_perspective_coeffs(startpoints, endpoints);
  const interpolation = interpolationMode(a.interpolation);
  assertImage(img, 'perspective');
  checkGridInputs(img, interpolation, a.fill);
  const [H, W] = img.shape.slice(-2);
  return scope(() => applyGrid(img, perspectiveGrid(coeffs, W, H, workDtype(img)), interpolation, a.fill));
}

/** F.elastic_transform(img, displacement, interpolation = BILINEAR, fill = null): displacement [1, H, W, 2]. */
export function elastic_transform(img: Tensor, displacement: Tensor, ...args: Rest<[InterpolationMode | number, Fill], Partial<PerspectiveArgs>>): Tensor {
  const a = bind<PerspectiveArgs>('elastic_transform', args, { interpolation: InterpolationMode.BILINEAR, fill: null });
  const interpolation = interpolationMode(a.interpolation);
  if (!(img instanceof Tensor)) throw new TypeError(`img should be Tensor. Got ${typeof img}`);
  if (!(displacement instanceof Tensor)) throw new TypeError('Argument displacement should be a Tensor');
  const [H, W] = img.shape.slice(-2);
  if (displacement.dim() !== 4 || displacement.shape[0] !== 1 || displacement.shape[1] !== H || displacement.shape[2] !== W || displacement.shape[3] !== 2) {
    throw new RangeError(`Argument displacement shape should be [1, ${H}, ${W}, 2], but given [${displacement.shape.join(', ')}]`);
  }
  return scope(() => {
    const space = [H, W].map((s) => torch.linspace((-s + 1) / s, (s - 1) / s, s));
    const [gy, gx] = torch.meshgrid(space, { indexing: 'ij' });
    const identity = torch.stack([gx, gy], -1).unsqueeze(0);
    const grid = identity.add(displacement.to(img.device));
    return applyGrid(img, grid, interpolation, a.fill);
  });
}

// ---- crops, padding -----------------------------------------------------------------------------

function cropSize(size: number | number[]): [number, number] {
  const s = typeof size === 'number' ? [Math.trunc(size), Math.trunc(size)] : size.length === 1 ? [size[0], size[0]] : size;
  if (s.length !== 2) throw new RangeError('Please provide only two dimensions (h, w) for size.');
  return [s[0], s[1]];
}

/** F.five_crop(img, size): the four corners and the center. */
function five_cropImpl(img: Tensor, size: number | number[]): [Tensor, Tensor, Tensor, Tensor, Tensor] {
  const [ch, cw] = cropSize(size);
  const [, h, w] = get_dimensions(img);
  if (cw > w || ch > h) throw new RangeError(`Requested crop size (${ch}, ${cw}) is bigger than input size (${h}, ${w})`);
  return [crop(img, 0, 0, ch, cw), crop(img, 0, w - cw, ch, cw), crop(img, h - ch, 0, ch, cw), crop(img, h - ch, w - cw, ch, cw), center_crop(img, [ch, cw])];
}

/** F.ten_crop(img, size, vertical_flip = false): five_crop of the image and of its flip. */
export function ten_crop(img: Tensor, size: number | number[], ...args: Rest<[boolean], { vertical_flip?: boolean }>): Tensor[] {
  const { vertical_flip } = bind<{ vertical_flip: boolean }>('ten_crop', args, { vertical_flip: false });
  const first = five_cropImpl(img, size);
  const flipped = vertical_flip ? vflip(img) : hflip(img);
  return [...first, ...five_crop(flipped, size)];
}

/** functional_tensor._pad_symmetric: padding [left, right, top, bottom], mirrored including the edge. */
export function _pad_symmetric(img: Tensor, padding: number[]): Tensor {
  return scope(() => {
    let x = img;
    let p = padding;
    if (p.some((v) => v < 0)) {
      const [l, r, t, b] = p.map((v) => -Math.min(v, 0));
      const H = x.shape[x.dim() - 2], W = x.shape[x.dim() - 1];
      x = x.narrow(-2, t, H - b - t).narrow(-1, l, W - r - l);
      p = p.map((v) => Math.max(v, 0));
    }
    if (x.dim() !== 3 && x.dim() !== 4) throw new Error('Symmetric padding of N-D tensors are not supported yet');
    const idx = (n: number, before: number, after: number): Tensor => {
      const out: number[] = [];
      for (let i = before - 1; i >= 0; i--) out.push(i);
      for (let i = 0; i < n; i++) out.push(i);
      for (let i = 0; i < after; i++) out.push(n - 1 - i);
      return torch.tensor(out, { dtype: dt.int64 });
    };
    const H = x.shape[x.dim() - 2], W = x.shape[x.dim() - 1];
    return x.index_select(-2, idx(H, p[2], p[3])).index_select(-1, idx(W, p[0], p[1]));
  });
}

// ---- Python's argument rules for the functions above whose parameters are all required ------------

/** fn with Python's calling convention: every parameter by position or in a trailing options object. */
function keywords<A extends unknown[], R>(name: string, names: string[], impl: (...a: A) => R): (...args: unknown[]) => R {
  const spec = Object.fromEntries(names.map((n) => [n, REQUIRED]));
  return (...args: unknown[]): R => {
    const b = bind<Record<string, unknown>>(name, args, spec as never);
    return impl(...(names.map((n) => b[n]) as A));
  };
}
type K1<O> = (img: Tensor | O, ...rest: [O?]) => Tensor;
type K2<V, O> = (img: Tensor | O, value?: V | O, options?: O) => Tensor;
/** F.adjust_brightness(img, brightness_factor) */
export const adjust_brightness = keywords('adjust_brightness', ['img', 'brightness_factor'], adjust_brightnessImpl) as K2<number, { img?: Tensor; brightness_factor?: number }>;
/** F.adjust_contrast(img, contrast_factor): blends with the mean of the grayscale image. */
export const adjust_contrast = keywords('adjust_contrast', ['img', 'contrast_factor'], adjust_contrastImpl) as K2<number, { img?: Tensor; contrast_factor?: number }>;
/** F.adjust_saturation(img, saturation_factor): blends with the grayscale image (a 1-channel image is returned as is). */
export const adjust_saturation = keywords('adjust_saturation', ['img', 'saturation_factor'], adjust_saturationImpl) as K2<number, { img?: Tensor; saturation_factor?: number }>;
/** F.adjust_hue(img, hue_factor): hue_factor in [-0.5, 0.5], through HSV as torchvision. */
export const adjust_hue = keywords('adjust_hue', ['img', 'hue_factor'], adjust_hueImpl) as K2<number, { img?: Tensor; hue_factor?: number }>;
/** F.invert(img): bound - img (1 for floats, 255 for ints). */
export const invert = keywords('invert', ['img'], invertImpl) as K1<{ img?: Tensor }>;
/** F.posterize(img, bits): keeps the top `bits` bits of each uint8 sample. */
export const posterize = keywords('posterize', ['img', 'bits'], posterizeImpl) as K2<number, { img?: Tensor; bits?: number }>;
/** F.solarize(img, threshold): inverts the samples >= threshold. */
export const solarize = keywords('solarize', ['img', 'threshold'], solarizeImpl) as K2<number, { img?: Tensor; threshold?: number }>;
/** F.adjust_sharpness(img, sharpness_factor): blends with a smoothed image (PIL's SMOOTH kernel). */
export const adjust_sharpness = keywords('adjust_sharpness', ['img', 'sharpness_factor'], adjust_sharpnessImpl) as K2<number, { img?: Tensor; sharpness_factor?: number }>;
/** F.autocontrast(img): stretches each channel to the full range. */
export const autocontrast = keywords('autocontrast', ['img'], autocontrastImpl) as K1<{ img?: Tensor }>;
/** F.equalize(img): histogram equalization of each channel of a uint8 image [C, H, W] or [B, C, H, W]. */
export const equalize = keywords('equalize', ['img'], equalizeImpl) as K1<{ img?: Tensor }>;
/** F.five_crop(img, size): the four corners and the center. */
export const five_crop = keywords('five_crop', ['img', 'size'], five_cropImpl) as (img: Tensor | { img?: Tensor; size?: number | number[] }, size?: number | number[] | { size?: number | number[] }) => [Tensor, Tensor, Tensor, Tensor, Tensor];
