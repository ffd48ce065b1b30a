// torchvision.utils (0.14): make_grid and save_image, with torchvision's steps
// (the same in-place clamp / sub / div for normalize, the same grid layout and
// the same mul(255).add_(0.5).clamp_ to uint8); the file is encoded by sharp
// (torchvision.io's encode_png / encode_jpeg) where torchvision uses PIL.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tensor } from '../tensor';
import { stack, cat } from '../index';
import * as dt from '../dtype';
import { scope } from '../memory';
import { no_grad } from '../autograd';
import { bind, Rest } from '../nn/common';
import { encode_jpeg, encode_png } from './io';

export interface MakeGridArgs { nrow: number; padding: number; normalize: boolean; value_range: [number, number] | null; scale_each: boolean; pad_value: number }
const GRID_DEFAULTS: MakeGridArgs = { nrow: 8, padding: 2, normalize: false, value_range: null, scale_each: false, pad_value: 0.0 };

/**
 * make_grid(tensor, nrow = 8, padding = 2, normalize = false, value_range = null, scale_each = false, pad_value = 0):
 * a batch [B, C, H, W] (or a list of [C, H, W] images) laid out as one image, nrow images per row.
 */
export function make_grid(tensor: Tensor | Tensor[], ...args: Rest<[number, number, boolean, [number, number] | null, boolean, number], Partial<MakeGridArgs>>): Tensor {
  const a = bind<MakeGridArgs>('make_grid', args, GRID_DEFAULTS);
  return gridOf(tensor, a);
}

function gridOf(tensor: Tensor | Tensor[], a: MakeGridArgs): Tensor {
  if (!(tensor instanceof Tensor)) {
    if (!Array.isArray(tensor)) throw new TypeError(`tensor or list of tensors expected, got ${tensor === null ? 'None' : typeof tensor}`);
    for (const t of tensor) if (!(t instanceof Tensor)) throw new TypeError(`tensor or list of tensors expected, got a list containing ${t === null ? 'None' : typeof t}`);
  }
  if (a.value_range !== null && !Array.isArray(a.value_range)) throw new TypeError('value_range has to be a tuple (min, max) if specified. min and max are numbers');
  return no_grad(() => scope(() => {
    let t = Array.isArray(tensor) ? stack(tensor, 0) : tensor;
    if (t.dim() === 2) t = t.unsqueeze(0);
    if (t.dim() === 3) {
      if (t.size(0) === 1) t = cat([t, t, t], 0);
      t = t.unsqueeze(0);
    }
    if (t.dim() === 4 && t.size(1) === 1) t = cat([t, t, t], 1);
    if (a.normalize) {
      t = t.clone();
      const normIp = (img: Tensor, low: number, high: number): void => {
        img.clamp_(low, high);
        img.sub_(low).div_(Math.max(high - low, 1e-5));
      };
      const normRange = (x: Tensor): void => {
        if (a.value_range !== null) normIp(x, a.value_range[0], a.value_range[1]);
        else normIp(x, x.min().item() as number, x.max().item() as number);
      };
      if (a.scale_each) for (let i = 0; i < t.size(0); i++) normRange(t.select(0, i));
      else normRange(t);
    }
    if (t.size(0) === 1) return t.squeeze(0);
    const nmaps = t.size(0);
    const xmaps = Math.min(a.nrow, nmaps);
    const ymaps = Math.ceil(nmaps / xmaps);
    const height = t.size(2) + a.padding, width = t.size(3) + a.padding;
    const grid = t.new_full([t.size(1), height * ymaps + a.padding, width * xmaps + a.padding], a.pad_value);
    let k = 0;
    for (let y = 0; y < ymaps; y++) {
      for (let x = 0; x < xmaps; x++) {
        if (k >= nmaps) break;
        grid.narrow(1, y * height + a.padding, height - a.padding).narrow(2, x * width + a.padding, width - a.padding).copy_(t.select(0, k));
        k++;
      }
    }
    return grid;
  }));
}

/**
 * save_image(tensor, fp, format = null, **make_grid options): make_grid, scaled to uint8
 * (x * 255 + 0.5, clamped) and written as PNG or JPEG (from `format`, else the file's extension).
 */
export function save_image(tensor: Tensor | Tensor[], fp: string, ...args: Rest<[string | null], Partial<MakeGridArgs> & { format?: string | null }>): void {
  const a = bind<MakeGridArgs & { format: string | null }>('save_image', args, { format: null, ...GRID_DEFAULTS });
  if (typeof fp !== 'string') throw new TypeError('save_image(): fp must be a path (a string)');
  const ext = (a.format ?? path.extname(fp).slice(1)).toLowerCase();
  if (!['png', 'jpg', 'jpeg'].includes(ext)) throw new RangeError(`unknown file extension: ${ext ? `.${ext}` : '(none)'} (save_image writes PNG and JPEG)`);
  const bytes = no_grad(() => scope(() => {
    const grid = gridOf(tensor, a);
    const u8 = grid.mul(255).add_(0.5).clamp_(0, 255).to(dt.uint8).cpu();
    return ext === 'png' ? encode_png(u8) : encode_jpeg(u8, 75);
  }));
  try { fs.writeFileSync(fp, bytes.typed_array() as Uint8Array); } finally { bytes.dispose(); }
}
