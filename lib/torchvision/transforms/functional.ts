// torchvision.transforms.functional, the tensor path of torchvision 0.14
// (functional.py dispatching to functional_tensor.py): the same checks, the
// same ATen ops in the same order, so results are torchvision's bit for bit.
// Images are tensors [..., C, H, W]; decoded HWC image objects (io.ImageData,
// the counterpart of a PIL image) are accepted by to_tensor / pil_to_tensor.
import { native, Handle } from '../../native';
import { Tensor, op } from '../../tensor';
import { tensor } from '../../creation';
import * as dt from '../../dtype';
import { dtype, get_default_dtype } from '../../dtype';
import { scope } from '../../memory';
import { warn } from '../../warnings';
import type { ImageData } from '../io';
import { _pad_symmetric } from './_functional_tensor';
import { bind, Rest } from '../../nn/common';

const { call } = native;
const O = {
  upsample_nearest2d: op('upsample_nearest2d', 'vec'),
  upsample_bilinear2d: op('upsample_bilinear2d', 'vec'),
  upsample_bilinear2d_aa: op('_upsample_bilinear2d_aa', 'vec'),
  upsample_bicubic2d: op('upsample_bicubic2d', 'vec'),
  upsample_bicubic2d_aa: op('_upsample_bicubic2d_aa', 'vec'),
  flip: op('flip'),
  pad: op('pad'),
};

/** torchvision.transforms.InterpolationMode. Tensors support NEAREST, BILINEAR and BICUBIC. */
export const InterpolationMode = {
  NEAREST: 'nearest',
  BILINEAR: 'bilinear',
  BICUBIC: 'bicubic',
  BOX: 'box',
  HAMMING: 'hamming',
  LANCZOS: 'lanczos',
} as const;
export type InterpolationMode = typeof InterpolationMode[keyof typeof InterpolationMode];

// Python's deprecated integer (PIL) interpolation codes.
const FROM_INT: Record<number, InterpolationMode> = { 0: 'nearest', 2: 'bilinear', 3: 'bicubic', 4: 'box', 5: 'hamming', 1: 'lanczos' };

/** @internal An interpolation argument as an InterpolationMode (PIL integer codes warn, as in 0.14). */
export function interpolationMode(v: InterpolationMode | number): InterpolationMode {
  if (typeof v === 'number') {
    warn("Argument 'interpolation' of type int is deprecated since 0.13 and will be removed in 0.15. Please use InterpolationMode enum.");
    const m = FROM_INT[v];
    if (!m) throw new RangeError(`unknown PIL interpolation code ${v}`);
    return m;
  }
  if (!Object.values(InterpolationMode).includes(v)) throw new TypeError('Argument interpolation should be a InterpolationMode');
  return v;
}

/** Python's round(): halves go to the even neighbour. */
export function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
}

function assertTensor(img: unknown, fn: string): asserts img is Tensor {
  if (!(img instanceof Tensor)) throw new TypeError(`${fn}: img should be a Tensor image [..., C, H, W]. Got ${img === null ? 'null' : typeof img}`);
}
/** functional_tensor._assert_image_tensor */
function assertImageTensor(img: Tensor): void {
  if (img.dim() < 2) throw new TypeError('Tensor is not a torch image.');
}

// ---- sizes ----------------------------------------------------------------------------------

/** [channels, height, width] of a tensor image. */
export function get_dimensions(img: Tensor): [number, number, number] {
  assertTensor(img, 'get_dimensions');
  assertImageTensor(img);
  const s = img.shape;
  return [s.length === 2 ? 1 : s[s.length - 3], s[s.length - 2], s[s.length - 1]];
}
/** [width, height] of a tensor image. */
export function get_image_size(img: Tensor): [number, number] {
  const [, h, w] = get_dimensions(img);
  return [w, h];
}
export function get_image_num_channels(img: Tensor): number { return get_dimensions(img)[0]; }

// ---- conversions -------------------------------------------------------------------------------

function isImageData(v: unknown): v is ImageData {
  return v !== null && typeof v === 'object' && !(v instanceof Tensor) && 'data' in v && 'width' in v && 'height' in v;
}

/**
 * A decoded image object as a uint8 tensor that owns its memory: [H, W, C] (one copy), or with
 * `chw` a contiguous [C, H, W] (`permute(2, 0, 1).contiguous()`; one channel is already laid out so).
 */
function imageDataTensor(pic: ImageData, chw = false): Tensor {
  const { width, height } = pic;
  const data = pic.data;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) throw new TypeError('image data must be a Uint8Array, Uint8ClampedArray or Buffer of HWC samples');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) throw new RangeError(`invalid image size ${width}x${height}`);
  const channels = pic.channels ?? data.length / (width * height);
  if (!Number.isInteger(channels) || channels <= 0 || data.length !== width * height * channels) {
    throw new RangeError(`image data has ${data.length} bytes, which is not ${width} x ${height} x ${pic.channels ?? 'C'} samples`);
  }
  if (chw && channels === 1) return new Tensor(native.fromdata(data, [1, height, width], dt.uint8.code));
  const hwc = new Tensor(native.fromdata(data, [height, width, channels], dt.uint8.code));
  if (!chw) return hwc;
  const perm = hwc.permute(2, 0, 1);
  const out = perm.contiguous();
  hwc.dispose();
  if (perm !== out) perm.dispose();
  return out;
}

/**
 * F.to_tensor(pic): an HWC uint8 image (a decoded image object, the PIL image
 * of torch-node) -> float [C, H, W] in [0, 1] of the default dtype, as
 * `img.permute(2, 0, 1).contiguous().to(default_dtype).div(255)`. A uint8
 * tensor [..., C, H, W] is scaled the same way (torchvision 0.14 refuses
 * tensors here; F.convert_image_dtype gives the same values).
 */
export function to_tensor(pic: ImageData | Tensor): Tensor {
  if (pic instanceof Tensor) {
    if (pic.dtype !== dt.uint8) throw new TypeError(`to_tensor: a tensor image must be uint8 (got ${pic.dtype.toString()}); use convert_image_dtype for others`);
    assertImageTensor(pic);
    return toFloatDiv255(pic);
  }
  if (!isImageData(pic)) throw new TypeError(`pic should be an image object ({ data, width, height, channels }) or a uint8 Tensor. Got ${pic === null ? 'null' : typeof pic}`);
  const chw = imageDataTensor(pic, true);
  const out = toFloatDiv255(chw);
  chw.dispose();
  return out;
}
/** `img.to(dtype=default_float_dtype).div(255)`, dividing the fresh copy in place (the same values). */
function toFloatDiv255(img: Tensor): Tensor {
  const f = img.to(get_default_dtype());
  return f === img ? f.div(255) : f.div_(255);
}

/** F.pil_to_tensor(pic): an HWC uint8 image object -> uint8 [C, H, W] (a permuted view of a copy, as torchvision). */
export function pil_to_tensor(pic: ImageData): Tensor {
  if (!isImageData(pic)) throw new TypeError(`pic should be an image object ({ data, width, height, channels }). Got ${pic === null ? 'null' : typeof pic}`);
  const hwc = imageDataTensor(pic);
  const chw = hwc.permute(2, 0, 1);
  hwc.dispose();
  return chw;
}

function maxValue(d: dtype): number {
  switch (d) {
    case dt.uint8: return 255;
    case dt.int8: return 127;
    case dt.int16: return 32767;
    case dt.int32: return 2147483647;
    case dt.int64: return 9223372036854775807; // as Python's float() of it: 2**63
    default: return 1;
  }
}

/** F.convert_image_dtype(image, dtype = torch.float): converts and rescales ([0, 1] for floats, [0, max] for ints). */
export function convert_image_dtype(image: Tensor, d: dtype = dt.float32): Tensor {
  if (!(image instanceof Tensor)) throw new TypeError('Input img should be Tensor Image');
  if (image.dtype === d) return image;
  if (image.is_floating_point()) {
    if (d.is_floating_point) return image.to(d);
    if ((image.dtype === dt.float32 && (d === dt.int32 || d === dt.int64)) || (image.dtype === dt.float64 && d === dt.int64)) {
      throw new Error(`The cast from torch.${image.dtype.name} to torch.${d.name} cannot be performed safely.`);
    }
    const eps = 1e-3;
    const result = image.mul(maxValue(d) + 1.0 - eps);
    const out = result.to(d);
    if (out !== result) result.dispose();
    return out;
  }
  const inputMax = maxValue(image.dtype);
  if (d.is_floating_point) {
    const f = image.to(d);
    const out = f.div(inputMax);
    if (f !== image) f.dispose();
    return out;
  }
  const outputMax = maxValue(d);
  // The maxima + 1 are powers of two, so the factors are exact integers (BigInt keeps int64 arithmetic).
  if (inputMax > outputMax) {
    const factor = BigInt(Math.floor((inputMax + 1) / (outputMax + 1)));
    const q = image.div(factor, { rounding_mode: 'floor' });
    const out = q.to(d);
    if (out !== q) q.dispose();
    return out;
  }
  const factor = BigInt(Math.floor((outputMax + 1) / (inputMax + 1)));
  const c = image.to(d);
  const out = c.mul(factor);
  if (c !== image) c.dispose();
  return out;
}

/** F.normalize(tensor, mean, std, inplace = false): (tensor - mean) / std per channel, on a float image [..., C, H, W]. */
export function normalize(t: Tensor, mean: number[], std: number[], inplace = false): Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`img should be Tensor Image. Got ${typeof t}`);
  const shape = t.shape;
  if (shape.length < 2) throw new TypeError('Tensor is not a torch image.');
  const d = t.dtype;
  if (!d.is_floating_point) throw new TypeError(`Input tensor should be a float tensor. Got torch.${d.name}.`);
  if (shape.length < 3) throw new RangeError(`Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = torch.Size([${shape.join(', ')}])`);
  const Typed = d === dt.float32 ? Float32Array : d === dt.float64 ? Float64Array : null;
  if (Typed !== null && isNumberList(mean) && isNumberList(std) && t.device.type === 'cpu') {
    // The per-sample path: mean and std straight into [C, 1, 1] tensors of t's dtype (the typed
    // array rounds each number as torch.as_tensor does), the zero check on those same values.
    const sv = Typed.from(std);
    if (sv.includes(0)) throw new RangeError(`std evaluated to zero after conversion to torch.${d.name}, leading to division by zero.`);
    const m = new Tensor(native.fromdata(Typed.from(mean), [mean.length, 1, 1], d.code));
    const s = new Tensor(native.fromdata(sv, [std.length, 1, 1], d.code));
    const out = inplace ? t : t.clone();
    try {
      out.sub_(m).div_(s);
    } catch (e) {
      if (out !== t) out.dispose();
      throw e;
    } finally {
      m.dispose();
      s.dispose();
    }
    return out;
  }
  // A scope releases the temporaries (and the clone, on error).
  return scope(() => {
    const out = inplace ? t : t.clone();
    let m = tensor(mean, { dtype: d, device: t.device });
    let s = tensor(std, { dtype: d, device: t.device });
    if (s.eq(0).any().item()) throw new RangeError(`std evaluated to zero after conversion to torch.${d.name}, leading to division by zero.`);
    if (m.dim() === 1) m = m.view(-1, 1, 1);
    if (s.dim() === 1) s = s.view(-1, 1, 1);
    return out.sub_(m).div_(s);
  });
}
const isNumberList = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

// ---- geometry -------------------------------------------------------------------------------------

/** functional._compute_resized_output_size */
function computeResizedOutputSize(h: number, w: number, size: number[], max_size: number | null): [number, number] {
  if (size.length === 1) {
    const [short, long] = w <= h ? [w, h] : [h, w];
    const requested = size[0];
    let newShort = requested, newLong = Math.trunc((requested * long) / short);
    if (max_size !== null) {
      if (max_size <= requested) {
        throw new RangeError(`max_size = ${max_size} must be strictly greater than the requested size for the smaller edge size = [${size.join(', ')}]`);
      }
      if (newLong > max_size) { newShort = Math.trunc((max_size * newShort) / newLong); newLong = max_size; }
    }
    return w <= h ? [newLong, newShort] : [newShort, newLong];
  }
  return [size[0], size[1]];
}

/**
 * functional_tensor._cast_squeeze_in / _cast_squeeze_out around an op on NCHW
 * float images. `round: false` is pad's own cast back: no rounding first.
 */
function castSqueeze(img: Tensor, req: dtype[], fn: (x: Tensor) => Tensor,
  opts: { after?: (x: Tensor, outDtype: dtype) => Tensor; round?: boolean } = {}): Tensor {
  const temps: Tensor[] = [];
  let x = img;
  const needSqueeze = x.dim() < 4;
  if (needSqueeze) { x = x.unsqueeze(0); temps.push(x); }
  const outDtype = x.dtype;
  const needCast = !req.includes(outDtype);
  if (needCast) { x = x.to(req[0]); temps.push(x); }
  try {
    let y = fn(x);
    if (opts.after) { const z = opts.after(y, outDtype); if (z !== y) { temps.push(y); y = z; } }
    if (needSqueeze) { const z = y.squeeze(0); temps.push(y); y = z; }
    if (needCast) {
      if ((opts.round ?? true) && !outDtype.is_floating_point && outDtype !== dt.bool) { const z = y.round(); temps.push(y); y = z; }
      const z = y.to(outDtype);
      if (z !== y) { temps.push(y); y = z; }
    }
    return y;
  } finally {
    for (const t of temps) if (t !== img) t.dispose();
  }
}

/** torch.nn.functional.interpolate for an NCHW input with an explicit size, as torchvision calls it. */
function interpolate(input: Tensor, size: [number, number], mode: 'nearest' | 'bilinear' | 'bicubic', align_corners: boolean | null, antialias: boolean): Tensor {
  const dim = input.dim() - 2;
  if (dim !== 2) {
    if (input.dim() === 3 && mode !== 'nearest') throw new Error(`Got 3D input, but ${mode} mode needs 4D input`);
    throw new Error(`Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of [${input.shape.slice(2).join(', ')}] and output size of [${size.join(', ')}]. ` +
      'Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.');
  }
  if (antialias && !(mode === 'bilinear' || mode === 'bicubic')) throw new Error('Anti-alias option is only supported for bilinear and bicubic modes');
  let h: Handle;
  if (mode === 'nearest') h = call(O.upsample_nearest2d, input._h, size, null);
  else if (mode === 'bilinear') h = call(antialias ? O.upsample_bilinear2d_aa : O.upsample_bilinear2d, input._h, size, align_corners, null);
  else h = call(antialias ? O.upsample_bicubic2d_aa : O.upsample_bicubic2d, input._h, size, align_corners, null);
  return new Tensor(h);
}

export interface ResizeOptions { interpolation?: InterpolationMode | number; max_size?: number | null; antialias?: boolean | null }

/**
 * F.resize(img, size, interpolation = BILINEAR, max_size = null, antialias = null).
 * size: [h, w], or one number (or [n]) for the smaller edge. On tensors,
 * antialias defaults to false (torchvision 0.14). Always a new tensor, as in
 * torchvision 0.14 (even when the size does not change).
 */
export function resize(img: Tensor, size: number | number[], interpolation?: InterpolationMode | number | ResizeOptions, max_size?: number | null | ResizeOptions, antialias?: boolean | null | ResizeOptions): Tensor {
  const o = resizeArgs([interpolation, max_size, antialias]);
  assertTensor(img, 'resize');
  const mode = interpolationMode(o.interpolation ?? InterpolationMode.BILINEAR);
  let sz: number[];
  if (Array.isArray(size)) {
    if (size.length !== 1 && size.length !== 2) throw new RangeError(`Size must be an int or a 1 or 2 element tuple/list, not a ${size.length} element tuple/list`);
    if (o.max_size != null && size.length !== 1) {
      throw new RangeError('max_size should only be passed if size specifies the length of the smaller edge, i.e. size should be an int or a sequence of length 1 in torchscript mode.');
    }
    sz = size;
  } else if (typeof size === 'number' && Number.isInteger(size)) {
    sz = [size];
  } else {
    throw new TypeError(`Size should be int or sequence. Got ${typeof size}`);
  }
  const [, ih, iw] = get_dimensions(img);
  const [oh, ow] = computeResizedOutputSize(ih, iw, sz, o.max_size ?? null);
  // torchvision 0.14 means to return img when the size does not change, but
  // compares a tuple with a list (never equal): it always interpolates.
  // functional_tensor.resize
  if (mode !== 'nearest' && mode !== 'bilinear' && mode !== 'bicubic') {
    throw new Error(`Interpolation mode '${mode}' is not supported for tensors (use nearest, bilinear or bicubic)`);
  }
  const aa = o.antialias ?? false;
  if (aa && mode === 'nearest') throw new RangeError('Antialias option is supported for bilinear and bicubic interpolation modes only');
  const alignCorners = mode === 'bilinear' || mode === 'bicubic' ? false : null;
  return castSqueeze(img, [dt.float32, dt.float64], (x) => interpolate(x, [oh, ow], mode, alignCorners, aa),
    { after: (y, outDtype) => (mode === 'bicubic' && outDtype === dt.uint8 ? y.clamp(0, 255) : y) });
}

function resizeArgs(args: unknown[]): ResizeOptions {
  const names = ['interpolation', 'max_size', 'antialias'] as const;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a !== null && typeof a === 'object') { Object.assign(out, a); break; }
    if (a !== undefined) out[names[i]] = a;
  }
  return out as ResizeOptions;
}

/**
 * F.pad(img, padding, fill = 0, padding_mode = 'constant'): padding is one
 * number (all sides), [left/right, top/bottom] or [left, top, right, bottom].
 * Tensor images support the modes constant, edge, reflect and symmetric.
 */
export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';
export function pad(img: Tensor, padding: number | number[], ...args: Rest<[number | null, PaddingMode], { fill?: number | null; padding_mode?: PaddingMode }>): Tensor {
  const a = bind<{ fill: number | null; padding_mode: PaddingMode }>('pad', args, { fill: 0, padding_mode: 'constant' });
  let fill = a.fill;
  const padding_mode = a.padding_mode;
  assertTensor(img, 'pad');
  assertImageTensor(img);
  fill ??= 0;
  if (Array.isArray(padding) && ![1, 2, 4].includes(padding.length)) {
    throw new RangeError(`Padding must be an int or a 1, 2, or 4 element tuple, not a ${padding.length} element tuple`);
  }
  if (!['constant', 'edge', 'reflect', 'symmetric'].includes(padding_mode)) throw new RangeError('Padding mode should be either constant, edge, reflect or symmetric');
  const p = typeof padding === 'number' ? [padding, padding, padding, padding]
    : padding.length === 1 ? [padding[0], padding[0], padding[0], padding[0]]
      : padding.length === 2 ? [padding[0], padding[0], padding[1], padding[1]]
        : [padding[0], padding[2], padding[1], padding[3]]; // [left, right, top, bottom]
  if (padding_mode === 'symmetric') return _pad_symmetric(img, p);
  const mode = padding_mode === 'edge' ? 'replicate' : padding_mode;
  const req = mode === 'constant' ? [img.dtype] : [dt.float32, dt.float64];
  return castSqueeze(img, req, (x) => new Tensor(call(O.pad, x._h, p, mode, mode === 'constant' ? fill : null)), { round: false });
}

/** F.crop(img, top, left, height, width): img[..., top:top+height, left:left+width], zero-padded where the box leaves the image. */
export function crop(img: Tensor, top: number, left: number, height: number, width: number): Tensor {
  assertTensor(img, 'crop');
  const [, h, w] = get_dimensions(img);
  const right = left + width, bottom = top + height;
  if (left < 0 || top < 0 || right > w || bottom > h) {
    const paddingLTRB = [
      Math.max(-left + Math.min(0, right), 0),
      Math.max(-top + Math.min(0, bottom), 0),
      Math.max(right - Math.max(w, left), 0),
      Math.max(bottom - Math.max(h, top), 0),
    ];
    const inner = img.index('...', { start: Math.max(top, 0), stop: bottom }, { start: Math.max(left, 0), stop: right });
    const out = pad(inner, paddingLTRB, 0);
    inner.dispose();
    return out;
  }
  return img.index('...', { start: top, stop: bottom }, { start: left, stop: right });
}

/** F.center_crop(img, output_size): one number for a square, or [h, w]; zero-padded when the image is smaller. */
export function center_crop(img: Tensor, output_size: number | number[]): Tensor {
  assertTensor(img, 'center_crop');
  const size = typeof output_size === 'number' ? [Math.trunc(output_size), Math.trunc(output_size)]
    : output_size.length === 1 ? [output_size[0], output_size[0]] : output_size;
  let [, ih, iw] = get_dimensions(img);
  const [ch, cw] = size;
  let src = img;
  if (cw > iw || ch > ih) {
    const paddingLTRB = [
      cw > iw ? Math.floor((cw - iw) / 2) : 0,
      ch > ih ? Math.floor((ch - ih) / 2) : 0,
      cw > iw ? Math.floor((cw - iw + 1) / 2) : 0,
      ch > ih ? Math.floor((ch - ih + 1) / 2) : 0,
    ];
    src = pad(img, paddingLTRB, 0);
    [, ih, iw] = get_dimensions(src);
    if (cw === iw && ch === ih) return src;
  }
  const top = pyRound((ih - ch) / 2.0), left = pyRound((iw - cw) / 2.0);
  const out = crop(src, top, left, ch, cw);
  if (src !== img) src.dispose();
  return out;
}

/** F.resized_crop(img, top, left, height, width, size, interpolation = BILINEAR, antialias = null): crop, then resize. */
export function resized_crop(img: Tensor, top: number, left: number, height: number, width: number, size: number | number[],
  interpolation?: InterpolationMode | number | ResizeOptions, antialias?: boolean | null | ResizeOptions): Tensor {
  const o = resizeArgs([interpolation, undefined, antialias]);
  const c = crop(img, top, left, height, width);
  const out = resize(c, size, o.interpolation ?? InterpolationMode.BILINEAR, { antialias: o.antialias ?? null });
  if (out !== c && c !== img) c.dispose();
  return out;
}

/** F.hflip(img): flips the last dimension. */
export function hflip(img: Tensor): Tensor {
  assertTensor(img, 'hflip');
  assertImageTensor(img);
  return new Tensor(call(O.flip, img._h, [-1]));
}

/** F.vflip(img): flips the second-to-last dimension. */
export function vflip(img: Tensor): Tensor {
  assertTensor(img, 'vflip');
  assertImageTensor(img);
  return new Tensor(call(O.flip, img._h, [-2]));
}

// The rest of torchvision 0.14's functional API (color, affine / rotate / perspective, blur, erase, ...).
export * from './_functional_tensor';
