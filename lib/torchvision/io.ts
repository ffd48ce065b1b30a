// torchvision.io: reading and decoding PNG and JPEG images into uint8 CHW
// tensors, as torchvision 0.14's read_image / decode_image / decode_png /
// decode_jpeg do. The decoding itself is done by well-kept npm libraries
// (pngjs for PNG, jpeg-js for JPEG); this file maps torchvision's
// ImageReadMode conversions (which torchvision asks of libpng / libjpeg) onto
// their output.
//
// Decoding is done by sharp (libvips, with libjpeg-turbo and libspng), on a
// worker thread that the synchronous API waits for (see _decoder.ts for why).
// Measured by test/io.test.js against torchvision 0.14.1 run at test time:
// - JPEG: bit-identical in every mode (4:2:0, 4:2:2, 4:4:4, gray, progressive,
//   odd sizes, Adobe markers, ICC profile, EXIF orientation, saturated colors).
//   Both run libjpeg-turbo's default ISLOW IDCT and "fancy" chroma upsampling.
//   GRAY of a YCbCr JPEG is libjpeg's Y plane: decoded from a copy of the file
//   marked RGB-coded (asRgbCoded), as luma recomputed from RGB differs (by up
//   to 23 levels where YCbCr -> RGB clamps). A truncated file is refused as
//   torchvision refuses it. A CMYK JPEG read UNCHANGED gives libjpeg's C, M,
//   Y, K samples, as torchvision 0.14 (GRAY/RGB: libjpeg's error, as there).
// - PNG: bit-identical in every mode, libpng's RGB -> gray (15-bit fixed
//   point, 0.2989/0.587) done here. As torchvision 0.14: 16-bit PNGs are
//   refused, tRNS is ignored except for palette images, a palette image read
//   UNCHANGED gives its indices (where torchvision 0.14 gives packed bytes for
//   1/2/4-bit palettes), the alpha added to an image without one is
//   (1 << bit_depth) - 1.
// - encode_jpeg: the pixels of torchvision's encode_jpeg (libjpeg defaults,
//   4:2:0), not its bytes (the JFIF header differs); encode_png: lossless.
// Without sharp (no prebuilt libvips for the platform) the JavaScript decoders
// below do the work (pngjs for PNG, exact; jpeg-js for JPEG with libjpeg's
// upsampling and color conversion done here: gray within +-1, RGB within +-3
// of libjpeg), after a warning.
import * as fs from 'node:fs';
import { PNG } from 'pngjs';
// jpeg-js ships its own typings (index.d.ts).
import * as jpeg from 'jpeg-js';
import { Tensor } from '../tensor';
import { frombuffer } from '../creation';
import * as dt from '../dtype';
import { DecodeSpace, RawImage, libjpegAvailable, libjpegDecode, sharpAvailable, sharpDecode, sharpDecodeAsync, sharpEncode } from './_decoder';
import { bind, Rest } from '../nn/common';
export { set_image_decoder, get_image_decoder, image_decoder_versions, _stop_image_decoder } from './_decoder';

/** torchvision.io.ImageReadMode: how many channels to decode into. */
export const ImageReadMode = {
  UNCHANGED: 0,
  GRAY: 1,
  GRAY_ALPHA: 2,
  RGB: 3,
  RGB_ALPHA: 4,
} as const;
export type ImageReadMode = typeof ImageReadMode[keyof typeof ImageReadMode];
/** A mode as a value of ImageReadMode or its name ('RGB', 'GRAY', ...). */
export type ImageReadModeLike = ImageReadMode | keyof typeof ImageReadMode;

/**
 * A decoded image as interleaved HWC uint8 samples (what PIL's
 * `np.array(image)` holds): the image object of decode_image_data /
 * read_image_data, which transforms.ToTensor and F.pil_to_tensor accept.
 * Any `{ data, width, height }` object (a browser ImageData, pngjs's output)
 * works too; `channels` is then data.length / (width * height).
 */
export interface ImageData {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: number;
}

/** Bytes of an encoded image: a 1-D uint8 tensor (as torchvision), a Buffer, a Uint8Array or an ArrayBuffer. */
export type EncodedImage = Tensor | Uint8Array | ArrayBuffer;

function modeValue(mode: ImageReadModeLike | undefined): ImageReadMode {
  if (mode === undefined) return ImageReadMode.UNCHANGED;
  if (typeof mode === 'string') {
    if (!(mode in ImageReadMode)) throw new TypeError(`unknown ImageReadMode '${mode}' (expected one of ${Object.keys(ImageReadMode).join(', ')})`);
    return ImageReadMode[mode];
  }
  if (!Object.values(ImageReadMode).includes(mode)) throw new TypeError(`unknown ImageReadMode ${String(mode)}`);
  return mode;
}

function bytesOf(input: EncodedImage, fn: string): Uint8Array {
  if (input instanceof Tensor) {
    // torchvision's checks (image.cpp / decode_*.cpp), with its messages.
    if (input.dtype !== dt.uint8) throw new TypeError(`Expected a torch.uint8 tensor (${fn}), got ${input.dtype.toString()}`);
    if (input.dim() !== 1) throw new RangeError(`Expected a one dimensional tensor (${fn})`);
    if (input.numel() === 0) throw new RangeError(`Expected a non empty tensor (${fn})`);
    return input.typed_array() as Uint8Array;
  }
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (input instanceof Uint8Array) return input;
  throw new TypeError(`${fn}(): input must be a uint8 Tensor, a Buffer, a Uint8Array or an ArrayBuffer`);
}

/** HWC samples -> the uint8 CHW tensor torchvision returns (a permuted view of HWC, as torchvision's). */
function toCHW(img: ImageData): Tensor {
  const data = img.data instanceof Uint8Array ? img.data : new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  const flat = frombuffer(data, { dtype: dt.uint8 });
  const hwc = flat.view([img.height, img.width, img.channels]);
  const chw = hwc.permute(2, 0, 1);
  flat.dispose(); hwc.dispose();
  return chw;
}

// ---- PNG ----------------------------------------------------------------------------

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();
function crc32(buf: Uint8Array): number {
  let c = -1;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

interface PngChunk { type: string; start: number; end: number }
/** The chunk list of a PNG file (type, and the byte range of the whole chunk). Only used to find IHDR/PLTE/tRNS. */
function pngChunks(b: Buffer): PngChunk[] {
  const chunks: PngChunk[] = [];
  let p = 8;
  while (p + 12 <= b.length) {
    const len = b.readUInt32BE(p);
    const type = b.toString('latin1', p + 4, p + 8);
    const end = p + 12 + len;
    if (end > b.length) break; // truncated: let pngjs report it
    chunks.push({ type, start: p, end });
    p = end;
    if (type === 'IEND') break;
  }
  return chunks;
}

/** A copy of the PNG with its PLTE replaced by the identity palette (entry i = i, i, i) and tRNS removed. */
function withIndexPalette(b: Buffer, chunks: PngChunk[]): Buffer {
  const parts: Buffer[] = [b.subarray(0, 8)];
  for (const c of chunks) {
    if (c.type === 'tRNS') continue;
    if (c.type !== 'PLTE') { parts.push(b.subarray(c.start, c.end)); continue; }
    const len = c.end - c.start - 12;
    const chunk = Buffer.alloc(c.end - c.start);
    chunk.writeUInt32BE(len, 0);
    chunk.write('PLTE', 4, 'latin1');
    for (let i = 0; i < len; i++) chunk[8 + i] = Math.floor(i / 3);
    chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + len)), 8 + len);
    parts.push(chunk);
  }
  parts.push(b.subarray(chunks.length ? chunks[chunks.length - 1].end : 8));
  return Buffer.concat(parts);
}

// libpng's png_set_rgb_to_gray(png_ptr, 1, 0.2989, 0.587), as torchvision calls it:
// 15-bit fixed-point coefficients, truncating.
const GRAY_R = Math.floor((Math.floor(0.2989 * 100000 + 0.5) * 32768) / 100000);
const GRAY_G = Math.floor((Math.floor(0.587 * 100000 + 0.5) * 32768) / 100000);
const GRAY_B = 32768 - GRAY_R - GRAY_G;
function rgbToGray(r: number, g: number, b: number): number {
  return (GRAY_R * r + GRAY_G * g + GRAY_B * b) >> 15;
}

/**
 * The most pixels decode_png / decode_jpeg decode (2^28, 268 megapixels: 1 GiB
 * of RGBA): a file claiming more is refused before anything is allocated (a
 * decompression bomb). libpng's own per-side limit (PNG_USER_WIDTH_MAX /
 * PNG_USER_HEIGHT_MAX, 1,000,000) applies too, with libpng's messages.
 */
export const MAX_IMAGE_PIXELS = 2 ** 28;
const PNG_USER_LIMIT = 1000000;

/**
 * libpng's png_check_IHDR, with its messages, and a check that the IDAT
 * chunks can hold the image at all (deflate expands at most 1032:1), so that
 * a header claiming 2147483647x1 is an error here instead of an allocation
 * (or a zlib assertion) in the decoder.
 */
function checkPngHeader(b: Buffer, chunks: PngChunk[], ihdr: PngChunk): void {
  const at = ihdr.start + 8;
  const width = b.readUInt32BE(at), height = b.readUInt32BE(at + 4);
  const depth = b[at + 8], colorType = b[at + 9], compression = b[at + 10], filter = b[at + 11], interlace = b[at + 12];
  const fail = (msg: string): never => { throw new Error(`decode_png: ${msg}`); };
  if (width === 0) fail('Image width is zero in IHDR');
  if (width > 0x7fffffff) fail('Invalid image width in IHDR');
  if (width > PNG_USER_LIMIT) fail(`Image width exceeds user limit in IHDR (${width} > ${PNG_USER_LIMIT})`);
  if (height === 0) fail('Image height is zero in IHDR');
  if (height > 0x7fffffff) fail('Invalid image height in IHDR');
  if (height > PNG_USER_LIMIT) fail(`Image height exceeds user limit in IHDR (${height} > ${PNG_USER_LIMIT})`);
  if (![1, 2, 4, 8, 16].includes(depth)) fail('Invalid bit depth in IHDR');
  if (![0, 2, 3, 4, 6].includes(colorType)) fail('Invalid color type in IHDR');
  if ((colorType === 3 && depth > 8) || ((colorType === 2 || colorType === 4 || colorType === 6) && depth < 8)) {
    fail('Invalid color type/bit depth combination in IHDR');
  }
  if (interlace > 1) fail('Unknown interlace method in IHDR');
  if (compression !== 0) fail('Unknown compression method in IHDR');
  if (filter !== 0) fail('Unknown filter method in IHDR');
  if (width * height > MAX_IMAGE_PIXELS) {
    fail(`the image is ${width}x${height} (${width * height} pixels), more than torch-node decodes (MAX_IMAGE_PIXELS = ${MAX_IMAGE_PIXELS})`);
  }
  const samples = colorType === 3 ? 1 : colorType === 2 ? 3 : colorType === 4 ? 2 : colorType === 6 ? 4 : 1;
  // bytes of the filtered rows (an interlaced image has at most 7 times the filter bytes, never fewer data bytes)
  const raw = height * (1 + Math.ceil((width * samples * depth) / 8));
  const idat = chunks.reduce((n, c) => n + (c.type === 'IDAT' ? c.end - c.start - 12 : 0), 0);
  if (raw > idat * 1032 + 1024) {
    fail(`Not enough image data: the IDAT chunks hold ${idat} bytes, which cannot inflate to the ${raw} bytes of a ${width}x${height} image`);
  }
}

/**
 * sharp's samples (1: gray, 2: gray + alpha, 3: RGB, 4: RGBA) as pngjs gives them: RGBA, gray
 * replicated, alpha 255 where the file has none.
 */
function rgbaOf(r: RawImage): { width: number; height: number; data: Uint8Array } {
  const n = r.width * r.height, c = r.channels, src = r.data;
  if (c === 4) return { width: r.width, height: r.height, data: src };
  const out = new Uint8Array(n * 4);
  for (let p = 0, i = 0, o = 0; p < n; p++, i += c, o += 4) {
    if (c <= 2) { out[o] = out[o + 1] = out[o + 2] = src[i]; out[o + 3] = c === 2 ? src[i + 1] : 255; }
    else { out[o] = src[i]; out[o + 1] = src[i + 1]; out[o + 2] = src[i + 2]; out[o + 3] = 255; }
  }
  return { width: r.width, height: r.height, data: out };
}

/** torchvision.io.decode_png, as an HWC image object. */
export function decode_png_data(input: EncodedImage, mode?: ImageReadModeLike, decoded?: Decoded): ImageData {
  if (decoded === undefined && sharpAvailable()) decoded = sharpDecode;
  const m = modeValue(mode);
  const bytes = bytesOf(input, 'decode_png');
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 8) throw new Error('Content is too small for png!');
  if (!PNG_SIGNATURE.every((v, i) => b[i] === v)) throw new Error('Content is not png!');
  const chunks = pngChunks(b);
  const ihdr = chunks.find((c) => c.type === 'IHDR');
  if (!ihdr || ihdr.end - ihdr.start < 12 + 13) throw new Error('decode_png: could not read image metadata from content (no IHDR chunk)');
  const depth = b[ihdr.start + 8 + 8];
  const colorType = b[ihdr.start + 8 + 9];
  if (depth > 8) throw new Error('At most 8-bit PNG images are supported currently.');
  checkPngHeader(b, chunks, ihdr);
  const isPalette = (colorType & 1) !== 0, hasColor = (colorType & 2) !== 0, hasAlpha = (colorType & 4) !== 0;

  // libpng, as torchvision drives it, ignores tRNS for gray and RGB images;
  // pngjs would zero transparent pixels: drop the chunk before parsing.
  let src = b;
  if (!isPalette && chunks.some((c) => c.type === 'tRNS')) {
    src = Buffer.concat([b.subarray(0, 8), ...chunks.filter((c) => c.type !== 'tRNS').map((c) => b.subarray(c.start, c.end)),
      b.subarray(chunks[chunks.length - 1].end)]);
  }
  // Read UNCHANGED, torchvision 0.14 hands out a palette image's indices.
  const indices = isPalette && m === ImageReadMode.UNCHANGED;
  if (indices) src = withIndexPalette(b, chunks);
  let png: { width: number; height: number; data: Uint8Array };
  try {
    png = decoded ? rgbaOf(decoded(src, 'srgb')) : PNG.sync.read(src); // gray as RGB: 'b-w' would drop alpha
  } catch (e) {
    throw new Error(`decode_png: ${(e as Error).message}`, { cause: e });
  }
  const { width, height, data: rgba } = png; // RGBA, 8 bits, gray replicated, palette expanded
  const n = width * height;

  const srcChannels = isPalette ? 1 : (hasColor ? 3 : 1) + (hasAlpha ? 1 : 0);
  let channels: number;
  switch (m) {
    case ImageReadMode.UNCHANGED: channels = srcChannels; break;
    case ImageReadMode.GRAY: channels = 1; break;
    case ImageReadMode.GRAY_ALPHA: channels = 2; break;
    case ImageReadMode.RGB: channels = 3; break;
    case ImageReadMode.RGB_ALPHA: channels = 4; break;
    default: throw new Error('The provided mode is not supported for PNG files');
  }
  const out = new Uint8Array(n * channels);
  // Alpha as libpng gives it: the file's (palette alpha from tRNS), or the
  // filler torchvision asks for, (1 << bit_depth) - 1: 255, but 1 for a 1-bit image.
  const alphaFromFile = hasAlpha || isPalette;
  const filler = (1 << depth) - 1;
  const gray = (i: number): number => (hasColor || isPalette ? rgbToGray(rgba[i], rgba[i + 1], rgba[i + 2]) : rgba[i]);
  for (let p = 0, i = 0, o = 0; p < n; p++, i += 4) {
    if (indices) { out[o++] = rgba[i]; continue; }
    switch (channels) {
      case 1: out[o++] = gray(i); break;
      case 2: out[o++] = gray(i); out[o++] = alphaFromFile ? rgba[i + 3] : filler; break;
      case 3: out[o++] = rgba[i]; out[o++] = rgba[i + 1]; out[o++] = rgba[i + 2]; break;
      default: out[o++] = rgba[i]; out[o++] = rgba[i + 1]; out[o++] = rgba[i + 2]; out[o++] = alphaFromFile ? rgba[i + 3] : filler;
    }
  }
  return { data: out, width, height, channels };
}

// ---- JPEG ---------------------------------------------------------------------------

interface JpegHeader {
  width: number;
  height: number;
  components: { id: number; h: number; v: number }[];
  jfif: boolean;
  /** The Adobe APP14 marker's transform flag (0: RGB/CMYK, 1: YCbCr, 2: YCCK), and where that segment is. */
  adobe: { transform: number; start: number; end: number } | null;
}

/** The markers before the first scan: the frame header (SOFn: size, components, sampling factors), JFIF and Adobe markers. */
function jpegHeader(b: Uint8Array): JpegHeader {
  let p = 2, jfif = false;
  let adobe: JpegHeader['adobe'] = null;
  let frame: Pick<JpegHeader, 'width' | 'height' | 'components'> | null = null;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) { p++; continue; }
    const marker = b[p + 1];
    if (marker === 0xff) { p++; continue; }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { p += 2; continue; }
    if (marker === 0xda || marker === 0xd9) break; // start of scan (or end of image): the header is over
    const len = (b[p + 2] << 8) | b[p + 3];
    const seg = (i: number): number => b[p + 4 + i];
    const tag = (s: string): boolean => [...s].every((c, i) => seg(i) === c.charCodeAt(0));
    if (marker === 0xe0 && len >= 7 && tag('JFIF\0')) jfif = true;
    if (marker === 0xee && len >= 14 && tag('Adobe')) adobe = { transform: seg(11), start: p, end: p + 2 + len };
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc && !frame && p + 10 <= b.length) {
      const nf = b[p + 9];
      const components = [];
      for (let i = 0; i < nf && p + 12 + i * 3 <= b.length; i++) {
        const s = b[p + 11 + i * 3];
        components.push({ id: b[p + 10 + i * 3], h: s >> 4, v: s & 15 });
      }
      frame = { height: (b[p + 5] << 8) | b[p + 6], width: (b[p + 7] << 8) | b[p + 8], components };
    }
    p += 2 + len;
  }
  if (!frame) throw new Error('decode_jpeg: no frame header (SOF marker) found; the content is not a valid JPEG');
  return { ...frame, jfif, adobe };
}

/**
 * Whether libjpeg reads a 3-component image as YCbCr (jdapimin.c default_decompress_parms):
 * a JFIF marker says YCbCr; else an Adobe marker's transform flag; else component ids 'R','G','B' say RGB.
 */
function isYCbCr(h: JpegHeader): boolean {
  if (h.jfif) return true;
  if (h.adobe) return h.adobe.transform !== 0;
  const ids = h.components.map((c) => c.id);
  return !(ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42);
}

/**
 * One chroma plane upsampled to full size as libjpeg(-turbo) does by default
 * (jdsample.c: "fancy" triangle filters for h2v1, h2v2 and h1v2, replication
 * otherwise). `full` holds the plane nearest-upsampled by jpeg-js, from which
 * the subsampled samples are read back exactly.
 */
function upsamplePlane(full: Uint8Array, W: number, H: number, c: number, h: number, v: number, maxh: number, maxv: number): Uint8Array {
  const out = new Uint8Array(W * H);
  const fx = maxh / h, fy = maxv / v;
  if (fx === 1 && fy === 1 || !Number.isInteger(fx) || !Number.isInteger(fy)) {
    for (let i = 0; i < W * H; i++) out[i] = full[i * 3 + c];
    return out;
  }
  const dw = Math.ceil((W * h) / maxh), dh = Math.ceil((H * v) / maxv);
  const plane = new Int32Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) plane[y * dw + x] = full[(Math.min(y * fy, H - 1) * W + Math.min(x * fx, W - 1)) * 3 + c];
  }
  // The context rows above the first and below the last are copies of them (jdmainct.c).
  const P = (x: number, y: number): number => plane[(y < 0 ? 0 : y >= dh ? dh - 1 : y) * dw + x];
  if (fx === 2 && fy === 2 && dw > 2) {
    for (let y = 0; y < H; y++) {
      const iy = y >> 1, ny = y & 1 ? iy + 1 : iy - 1;
      const col = (x: number): number => P(x, iy) * 3 + P(x, ny);
      for (let x = 0; x < W; x++) {
        const ix = x >> 1, t = col(ix);
        out[y * W + x] = x & 1
          ? (ix === dw - 1 ? (t * 4 + 7) >> 4 : (t * 3 + col(ix + 1) + 7) >> 4)
          : (ix === 0 ? (t * 4 + 8) >> 4 : (t * 3 + col(ix - 1) + 8) >> 4);
      }
    }
  } else if (fx === 2 && fy === 1 && dw > 2) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const ix = x >> 1, t = P(ix, y);
        out[y * W + x] = x & 1
          ? (ix === dw - 1 ? t : (t * 3 + P(ix + 1, y) + 2) >> 2)
          : (ix === 0 ? t : (t * 3 + P(ix - 1, y) + 1) >> 2);
      }
    }
  } else if (fx === 1 && fy === 2) {
    for (let y = 0; y < H; y++) {
      const iy = y >> 1, ny = y & 1 ? iy + 1 : iy - 1, bias = y & 1 ? 2 : 1;
      for (let x = 0; x < W; x++) out[y * W + x] = (P(x, iy) * 3 + P(x, ny) + bias) >> 2;
    }
  } else {
    for (let i = 0; i < W * H; i++) out[i] = full[i * 3 + c];
  }
  return out;
}

// libjpeg's YCbCr -> RGB (jdcolor.c): 16-bit fixed point tables.
const FIX = (x: number): number => Math.floor(x * 65536 + 0.5);
const CR_R = new Int32Array(256), CB_B = new Int32Array(256), CR_G = new Int32Array(256), CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (FIX(1.402) * x + 32768) >> 16;
  CB_B[i] = (FIX(1.772) * x + 32768) >> 16;
  CR_G[i] = -FIX(0.71414) * x;
  CB_G[i] = -FIX(0.34414) * x + 32768;
}
const clamp8 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * A copy of a 3-component JPEG that libjpeg reads as RGB-coded (its JFIF and Adobe markers
 * replaced by an Adobe marker with transform 0): decoded, its "RGB" is the Y, Cb, Cr planes as
 * they are. Its first channel is then exactly the Y plane libjpeg's grayscale output of the
 * original is; converting sharp's RGB back to luma is not (it differs wherever RGB was clamped).
 */
function asRgbCoded(b: Uint8Array): Uint8Array {
  const keep: Uint8Array[] = [b.subarray(0, 2)];
  // APP14 'Adobe', version 100, flags 0, 0, transform 0 (jdmarker.c examine_app14)
  keep.push(Uint8Array.of(0xff, 0xee, 0, 14, 0x41, 0x64, 0x6f, 0x62, 0x65, 0, 100, 0, 0, 0, 0, 0));
  let p = 2;
  while (p + 4 <= b.length && b[p] === 0xff && b[p + 1] !== 0xda) {
    const marker = b[p + 1];
    if (marker === 0xff) { keep.push(b.subarray(p, p + 1)); p++; continue; } // fill byte
    const end = p + 2 + ((b[p + 2] << 8) | b[p + 3]);
    const tag = (t: string): boolean => [...t].every((c, i) => b[p + 4 + i] === c.charCodeAt(0));
    if (!((marker === 0xe0 && tag('JFIF\0')) || (marker === 0xee && tag('Adobe')))) keep.push(b.subarray(p, end));
    p = end;
  }
  keep.push(b.subarray(p));
  const out = new Uint8Array(keep.reduce((n, k) => n + k.length, 0));
  let o = 0;
  for (const k of keep) { out.set(k, o); o += k.length; }
  return out;
}

/** decoded(bytes, space), its errors as decode_jpeg's. */
function jpegDecoded(decoded: Decoded, bytes: Uint8Array, space: DecodeSpace): RawImage {
  try {
    return decoded(bytes, space);
  } catch (e) {
    if (e === NEED_ASYNC) throw e;
    // torchvision's source manager raises this when libjpeg asks for more data than there is
    if (/Premature end of/.test((e as Error).message)) throw new Error('decode_jpeg: Image is incomplete or truncated', { cause: e });
    throw new Error(`decode_jpeg: the JPEG data is corrupt or truncated (${(e as Error).message})`, { cause: e });
  }
}

/**
 * decode_jpeg by libjpeg-turbo (through sharp): RGB as libjpeg gives it (bit-identical to
 * torchvision's, chroma upsampling included); GRAY as the Y plane (YCbCr images) or libjpeg's
 * luma of the RGB planes (RGB-coded images); a gray image's RGB replicates it, as libjpeg's.
 */
function jpegFromRaw(bytes: Uint8Array, header: JpegHeader, m: ImageReadMode, ycc: boolean, decoded: Decoded): ImageData {
  const nc = header.components.length;
  const channels = m === ImageReadMode.GRAY || (m === ImageReadMode.UNCHANGED && nc === 1) ? 1 : 3;
  const raw = nc === 3 && channels === 1 && ycc ? jpegDecoded(decoded, asRgbCoded(bytes), 'srgb') : jpegDecoded(decoded, bytes, nc === 1 ? 'b-w' : 'srgb');
  const { width: W, height: H, data, channels: c } = raw;
  const n = W * H;
  if (c === channels) return { data, width: W, height: H, channels };
  const out = new Uint8Array(n * channels);
  if (channels === 3) { // c === 1: gray replicated
    for (let p = 0, o = 0; p < n; p++) { const y = data[p]; out[o++] = y; out[o++] = y; out[o++] = y; }
  } else if (ycc || nc === 1) { // the Y plane: the first channel
    for (let p = 0; p < n; p++) out[p] = data[p * c];
  } else { // RGB-coded: jdcolor.c rgb_gray_convert
    for (let p = 0, i = 0; p < n; p++, i += c) out[p] = (19595 * data[i] + 38470 * data[i + 1] + 7471 * data[i + 2] + 32768) >> 16;
  }
  return { data: out, width: W, height: H, channels };
}

/**
 * A CMYK / YCCK JPEG read UNCHANGED: libjpeg's C, M, Y, K samples, as torchvision 0.14 gives them.
 * libvips inverts them when the file has an Adobe marker (Photoshop writes inverted CMYK); that is
 * undone here, so that the samples are libjpeg's own.
 */
function cmykFromRaw(bytes: Uint8Array, header: JpegHeader, decoded: Decoded): ImageData {
  const raw = jpegDecoded(decoded, bytes, 'cmyk');
  if (raw.channels !== 4) throw new Error(`decode_jpeg: expected 4 channels from the CMYK decoder, got ${raw.channels}`);
  const data = raw.data;
  if (header.adobe) for (let i = 0; i < data.length; i++) data[i] = 255 - data[i];
  return { data, width: raw.width, height: raw.height, channels: 4 };
}

/** A synchronous decoder of encoded bytes into sharp's raw samples. */
type Decoded = (bytes: Uint8Array, space: DecodeSpace) => RawImage;
const NEED_ASYNC = new Error('decode request');

/**
 * An async decode_*: the synchronous decoder run with a decoder that records what it asks of
 * sharp, sharp's answer awaited, then the decoder run again on it. One code path checks headers
 * and converts modes for both (the checks run twice: they read only the headers).
 */
async function viaAsync<T>(f: (d?: Decoded) => T): Promise<T> {
  if (!sharpAvailable()) return f();
  let req: { bytes: Uint8Array; space: DecodeSpace } | null = null;
  try {
    return f((bytes, space) => { req = { bytes, space }; throw NEED_ASYNC; });
  } catch (e) {
    if (e !== NEED_ASYNC && (e as Error).cause !== NEED_ASYNC) throw e;
  }
  const { bytes, space } = req!;
  const raw = await sharpDecodeAsync(bytes, space).catch((e: Error) => e);
  return f(() => { if (raw instanceof Error) throw raw; return raw; });
}

/** torchvision.io.decode_jpeg, as an HWC image object. */
export function decode_jpeg_data(input: EncodedImage, mode?: ImageReadModeLike, decoded?: Decoded): ImageData {
  const m = modeValue(mode);
  const bytes = bytesOf(input, 'decode_jpeg');
  if (m !== ImageReadMode.UNCHANGED && m !== ImageReadMode.GRAY && m !== ImageReadMode.RGB) {
    throw new Error('The provided mode is not supported for JPEG files');
  }
  if (bytes.length < 2 || bytes[0] !== 0xff || bytes[1] !== 0xd8) {
    throw new Error(`Not a JPEG file: starts with 0x${(bytes[0] ?? 0).toString(16).padStart(2, '0')} 0x${(bytes[1] ?? 0).toString(16).padStart(2, '0')}`);
  }
  const header = jpegHeader(bytes);
  const nc = header.components.length;
  // libjpeg's checks of the frame header (jdinput.c initial_setup), with its messages, before anything is allocated
  if (header.width === 0 || header.height === 0) throw new Error('decode_jpeg: Empty JPEG image (DNL not supported)');
  if (header.components.some((c) => c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4)) throw new Error('decode_jpeg: Bogus sampling factors');
  if (header.width * header.height > MAX_IMAGE_PIXELS) {
    throw new Error(`decode_jpeg: the image is ${header.width}x${header.height} (${header.width * header.height} pixels), ` +
      `more than torch-node decodes (MAX_IMAGE_PIXELS = ${MAX_IMAGE_PIXELS})`);
  }
  // torchvision's decoder itself (libjpeg, as torchvision drives it); the rest of this function
  // makes sharp's or jpeg-js's output into what it gives.
  if (decoded === undefined && libjpegAvailable()) return libjpegDecode(bytes, m);
  if (nc !== 1 && nc !== 3) {
    // libjpeg converts CMYK / YCCK to neither RGB nor gray: torchvision's (libjpeg's) message
    if (m !== ImageReadMode.UNCHANGED) throw new Error('decode_jpeg: Unsupported color conversion request');
    if (nc !== 4) throw new Error(`decode_jpeg: JPEG images with ${nc} components are not supported`);
    if (decoded === undefined && sharpAvailable()) decoded = sharpDecode;
    // torchvision 0.14 hands out libjpeg's C, M, Y, K samples; the JavaScript decoder cannot
    if (!decoded) throw new Error('decode_jpeg: JPEG images with 4 components (CMYK, YCCK) need sharp, which could not be loaded');
    return cmykFromRaw(bytes, header, decoded);
  }
  const ycc = nc === 3 && isYCbCr(header);
  if (decoded === undefined && sharpAvailable()) decoded = sharpDecode;
  if (decoded) return jpegFromRaw(bytes, header, m, ycc, decoded);
  // jpeg-js lets an Adobe marker's transform flag override colorTransform: false; without the
  // marker it hands out the planes as they are.
  let src = bytes;
  if (header.adobe && header.adobe.transform !== 0) {
    src = new Uint8Array(bytes.length - (header.adobe.end - header.adobe.start));
    src.set(bytes.subarray(0, header.adobe.start));
    src.set(bytes.subarray(header.adobe.end), header.adobe.start);
  }
  let raw: { width: number; height: number; data: Uint8Array };
  try {
    // The component planes without jpeg-js's color transform (Y, Cb, Cr or R, G, B; subsampled
    // components nearest-upsampled).
    raw = jpeg.decode(src, { useTArray: true, formatAsRGBA: false, colorTransform: false });
  } catch (e) {
    // jpeg-js reports some corrupt streams only by failing inside (a TypeError on a missing table)
    const internal = e instanceof TypeError || e instanceof RangeError;
    throw new Error(internal ? `decode_jpeg: the JPEG data is corrupt or truncated (the decoder failed: ${(e as Error).message})`
      : `decode_jpeg: ${(e as Error).message}`, { cause: e });
  }
  const { width: W, height: H, data } = raw; // 3 samples per pixel, gray replicated
  const n = W * H;
  const channels = m === ImageReadMode.GRAY || (m === ImageReadMode.UNCHANGED && nc === 1) ? 1 : 3;
  const out = new Uint8Array(n * channels);
  if (nc === 1 || (channels === 1 && ycc)) {
    // libjpeg's gray output of a YCbCr image is its Y plane; a gray image's RGB repeats it.
    for (let p = 0; p < n; p++) {
      const y = data[p * 3];
      if (channels === 1) out[p] = y;
      else { out[p * 3] = y; out[p * 3 + 1] = y; out[p * 3 + 2] = y; }
    }
    return { data: out, width: W, height: H, channels };
  }
  const comps = header.components;
  const maxh = Math.max(...comps.map((c) => c.h)), maxv = Math.max(...comps.map((c) => c.v));
  const planes = comps.map((c, i) => upsamplePlane(data, W, H, i, c.h, c.v, maxh, maxv));
  if (!ycc) {
    // An RGB-coded image: the planes as they are, or their luma (jdcolor.c rgb_gray_convert).
    const [R, G, B] = planes;
    for (let p = 0, o = 0; p < n; p++) {
      if (channels === 1) { out[o++] = (19595 * R[p] + 38470 * G[p] + 7471 * B[p] + 32768) >> 16; continue; }
      out[o++] = R[p]; out[o++] = G[p]; out[o++] = B[p];
    }
    return { data: out, width: W, height: H, channels };
  }
  const [Y, Cb, Cr] = planes;
  for (let p = 0, o = 0; p < n; p++) {
    const y = Y[p], b = Cb[p], r = Cr[p];
    out[o++] = clamp8(y + CR_R[r]);
    out[o++] = clamp8(y + ((CB_G[b] + CR_G[r]) >> 16));
    out[o++] = clamp8(y + CB_B[b]);
  }
  return { data: out, width: W, height: H, channels };
}

// ---- torchvision.io ---------------------------------------------------------------------

function isJpeg(b: Uint8Array): boolean { return b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff; }
function isPng(b: Uint8Array): boolean { return b.length >= 4 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47; }

/** decode_image as an HWC image object (the image object ToTensor takes, like a PIL image). */
export function decode_image_data(input: EncodedImage, mode?: ImageReadModeLike, decoded?: Decoded): ImageData {
  const bytes = bytesOf(input, 'decode_image');
  if (isJpeg(bytes)) return decode_jpeg_data(bytes, mode, decoded);
  if (isPng(bytes)) return decode_png_data(bytes, mode, decoded);
  throw new Error('Unsupported image file. Only jpeg and png are currently supported.');
}

/** read_image as an HWC image object: `ToTensor()(read_image_data(path, 'RGB'))` is Python's `ToTensor()(Image.open(path).convert('RGB'))`. */
export function read_image_data(path: string, mode?: ImageReadModeLike): ImageData {
  return decode_image_data(readBytes(path, 'read_image'), mode);
}

type ModeArgs = Rest<[ImageReadModeLike], { mode?: ImageReadModeLike }>;
const modeOf = (fn: string, args: readonly unknown[]): ImageReadModeLike =>
  bind<{ mode: ImageReadModeLike }>(fn, args, { mode: ImageReadMode.UNCHANGED }).mode;

/** torchvision.io.decode_png(input, mode = UNCHANGED): a uint8 tensor [C, H, W]. */
export function decode_png(input: EncodedImage, ...args: ModeArgs): Tensor {
  return toCHW(decode_png_data(input, modeOf('decode_png', args)));
}

/** torchvision.io.decode_jpeg(input, mode = UNCHANGED, device = 'cpu'): a uint8 tensor [C, H, W]. */
export function decode_jpeg(input: EncodedImage, ...args: Rest<[ImageReadModeLike, string], { mode?: ImageReadModeLike; device?: string }>): Tensor {
  const a = bind<{ mode: ImageReadModeLike; device: string }>('decode_jpeg', args, { mode: ImageReadMode.UNCHANGED, device: 'cpu' });
  return toDevice(toCHW(decode_jpeg_data(input, a.mode)), a.device);
}

function toDevice(t: Tensor, device: string): Tensor {
  if (String(device) === 'cpu') return t;
  const moved = t.to(device);
  if (moved !== t) t.dispose(); // 'cpu:0' and the like give t itself
  return moved;
}

/** torchvision.io.decode_image(input, mode = UNCHANGED): PNG or JPEG, told apart by their signatures. */
export function decode_image(input: EncodedImage, ...args: ModeArgs): Tensor {
  return toCHW(decode_image_data(input, modeOf('decode_image', args)));
}

function readBytes(path: string, fn = 'read_file'): Buffer {
  if (typeof path !== 'string') throw new TypeError(`${fn}(): path must be a string`);
  const b = fs.readFileSync(path);
  if (b.length === 0) throw new Error(`Expected a non empty file (${path})`);
  return b;
}

/** torchvision.io.read_file(path): the file's bytes as a 1-D uint8 tensor. */
export function read_file(path: string): Tensor {
  return frombuffer(new Uint8Array(readBytes(path)), { dtype: dt.uint8 }); // a copy: the tensor owns its bytes
}

/** torchvision.io.read_image(path, mode = UNCHANGED): a uint8 tensor [C, H, W]. */
export function read_image(path: string, ...args: ModeArgs): Tensor {
  const mode = modeOf('read_image', args);
  return toCHW(decode_image_data(readBytes(path, 'read_image'), mode));
}

// ---- async variants (torch-node's own): the same results, decoded without blocking the thread ----

/** decode_image without blocking: several calls decode at once on libvips' threads. */
export function decode_image_async(input: EncodedImage, ...args: ModeArgs): Promise<Tensor> {
  const mode = modeOf('decode_image_async', args);
  return viaAsync((d) => decode_image_data(input, mode, d)).then(toCHW);
}
/** decode_jpeg without blocking. */
export function decode_jpeg_async(input: EncodedImage, ...args: Rest<[ImageReadModeLike, string], { mode?: ImageReadModeLike; device?: string }>): Promise<Tensor> {
  const a = bind<{ mode: ImageReadModeLike; device: string }>('decode_jpeg_async', args, { mode: ImageReadMode.UNCHANGED, device: 'cpu' });
  return viaAsync((d) => decode_jpeg_data(input, a.mode, d)).then((img) => toDevice(toCHW(img), a.device));
}
/** decode_png without blocking. */
export function decode_png_async(input: EncodedImage, ...args: ModeArgs): Promise<Tensor> {
  const mode = modeOf('decode_png_async', args);
  return viaAsync((d) => decode_png_data(input, mode, d)).then(toCHW);
}
/** read_image without blocking (the file is read with fs.promises). */
export async function read_image_async(path: string, ...args: ModeArgs): Promise<Tensor> {
  const mode = modeOf('read_image_async', args);
  if (typeof path !== 'string') throw new TypeError('read_image_async(): path must be a string');
  const b = await fs.promises.readFile(path);
  if (b.length === 0) throw new Error(`Expected a non empty file (${path})`);
  return toCHW(await viaAsync((d) => decode_image_data(b, mode, d)));
}
/** read_image_data without blocking. */
export async function read_image_data_async(path: string, mode?: ImageReadModeLike): Promise<ImageData> {
  if (typeof path !== 'string') throw new TypeError('read_image_data_async(): path must be a string');
  const b = await fs.promises.readFile(path);
  if (b.length === 0) throw new Error(`Expected a non empty file (${path})`);
  return viaAsync((d) => decode_image_data(b, mode, d));
}

// ---- writing and encoding -------------------------------------------------------------------

/** torchvision.io.write_file(filename, data): writes a 1-D uint8 tensor's bytes. */
export function write_file(filename: string, data: Tensor): void {
  if (typeof filename !== 'string') throw new TypeError('write_file(): filename must be a string');
  if (!(data instanceof Tensor)) throw new TypeError('write_file(): data must be a Tensor');
  if (data.dtype !== dt.uint8) throw new TypeError('Input tensor dtype should be uint8');
  if (data.dim() !== 1) throw new RangeError('Input data should be a 1-dimensional tensor');
  const c = data.contiguous();
  try { fs.writeFileSync(filename, c.typed_array() as Uint8Array); } finally { if (c !== data) c.dispose(); }
}

/** torchvision's checks of an image to encode (encode_jpeg.cpp / encode_png.cpp), with its messages; the HWC bytes. */
function pixelsOf(input: Tensor, fn: string): { pixels: Uint8Array; channels: 1 | 3; height: number; width: number } {
  if (!(input instanceof Tensor)) throw new TypeError(`${fn}(): input must be a Tensor`);
  if (input.dtype !== dt.uint8) throw new TypeError('Input tensor dtype should be uint8');
  if (input.dim() !== 3) throw new RangeError('Input data should be a 3-dimensional tensor');
  const [channels, height, width] = input.shape;
  if (channels !== 1 && channels !== 3) throw new RangeError(`The number of channels should be 1 or 3, got: ${channels}`);
  if (height === 0 || width === 0) throw new RangeError('Empty JPEG image (DNL not supported)');
  const hwc = input.device.type === 'cpu' ? input.permute(1, 2, 0) : input.cpu().permute(1, 2, 0);
  const c = hwc.contiguous();
  const pixels = new Uint8Array(c.typed_array() as Uint8Array); // a copy: it travels to the encoding thread
  c.dispose(); hwc.dispose();
  return { pixels, channels: channels as 1 | 3, height, width };
}

const intArg = (v: unknown, what: string, fn: string): number => {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${fn}(): ${what} must be an int, got ${String(v)}`);
  return v;
};

/** torchvision.io.encode_jpeg(input, quality = 75): the JPEG file's bytes as a 1-D uint8 tensor (libjpeg's defaults, 4:2:0). */
export function encode_jpeg(input: Tensor, ...args: Rest<[number], { quality?: number }>): Tensor {
  const quality = intArg(bind<{ quality: number }>('encode_jpeg', args, { quality: 75 }).quality, 'quality', 'encode_jpeg');
  if (quality < 1 || quality > 100) throw new RangeError('Image quality should be a positive number between 1 and 100');
  const p = pixelsOf(input, 'encode_jpeg');
  const out = sharpEncode(p.pixels, { format: 'jpeg', width: p.width, height: p.height, channels: p.channels, quality, compression: 0 });
  return frombuffer(out, { dtype: dt.uint8 });
}

/** torchvision.io.encode_png(input, compression_level = 6): the PNG file's bytes as a 1-D uint8 tensor. */
export function encode_png(input: Tensor, ...args: Rest<[number], { compression_level?: number }>): Tensor {
  const level = intArg(bind<{ compression_level: number }>('encode_png', args, { compression_level: 6 }).compression_level, 'compression_level', 'encode_png');
  const p = pixelsOf(input, 'encode_png');
  if (level < 0 || level > 9) throw new RangeError('Compression level should be between 0 and 9');
  const out = sharpEncode(p.pixels, { format: 'png', width: p.width, height: p.height, channels: p.channels, quality: 0, compression: level });
  return frombuffer(out, { dtype: dt.uint8 });
}

/** torchvision.io.write_jpeg(input, filename, quality = 75) */
export function write_jpeg(input: Tensor, filename: string, ...args: Rest<[number], { quality?: number }>): void {
  const data = encode_jpeg(input, bind<{ quality: number }>('write_jpeg', args, { quality: 75 }).quality);
  try { write_file(filename, data); } finally { data.dispose(); }
}

/** torchvision.io.write_png(input, filename, compression_level = 6) */
export function write_png(input: Tensor, filename: string, ...args: Rest<[number], { compression_level?: number }>): void {
  const data = encode_png(input, bind<{ compression_level: number }>('write_png', args, { compression_level: 6 }).compression_level);
  try { write_file(filename, data); } finally { data.dispose(); }
}

// Argument checks on the exports loaded so far (lib/guard.ts).
import { installGuards } from '../guard';
installGuards(module);
