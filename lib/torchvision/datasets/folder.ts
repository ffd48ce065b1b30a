// torchvision.datasets.folder (0.14): DatasetFolder and ImageFolder over the
// layout <root>/<class>/**/<file>, classes sorted, files in sorted os.walk order.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bind, REQUIRED } from '../../nn/common';
import { read_image_data } from '../io';
import { Callable, VisionDataset, expanduser } from './vision';

export const IMG_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif', '.tiff', '.webp'];

export function has_file_allowed_extension(filename: string, extensions: string | readonly string[]): boolean {
  const exts = typeof extensions === 'string' ? [extensions] : extensions;
  const lower = filename.toLowerCase();
  return exts.some((e) => lower.endsWith(e));
}

export function is_image_file(filename: string): boolean { return has_file_allowed_extension(filename, IMG_EXTENSIONS); }

/** Python's sorted() of str: by code point. */
const sorted = (xs: string[]): string[] => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const isDir = (p: string): boolean => { try { return fs.statSync(p).isDirectory(); } catch { return false; } };

export function find_classes(directory: string): [string[], Record<string, number>] {
  const classes = sorted(fs.readdirSync(directory).filter((n) => isDir(path.join(directory, n))));
  if (!classes.length) throw Object.assign(new Error(`Couldn't find any class folder in ${directory}.`), { code: 'ENOENT' });
  return [classes, Object.fromEntries(classes.map((c, i) => [c, i]))];
}

/** os.walk(top, followlinks=True), top-down: [dirpath, dirnames, filenames]. */
function* walk(top: string): Generator<[string, string[], string[]]> {
  let names: string[];
  try { names = fs.readdirSync(top); } catch { return; }
  const dirs: string[] = [], files: string[] = [];
  for (const n of names) (isDir(path.join(top, n)) ? dirs : files).push(n);
  yield [top, dirs, files];
  for (const d of dirs) yield* walk(path.join(top, d));
}

export function make_dataset(directory: string, class_to_idx: Record<string, number> | null = null,
  extensions: string | readonly string[] | null = null, is_valid_file: ((p: string) => boolean) | null = null): [string, number][] {
  directory = expanduser(directory);
  if (class_to_idx === null) class_to_idx = find_classes(directory)[1];
  else if (!Object.keys(class_to_idx).length) throw new RangeError("'class_to_index' must have at least one entry to collect any samples.");
  if ((extensions === null) === (is_valid_file === null)) {
    throw new RangeError('Both extensions and is_valid_file cannot be None or not None at the same time');
  }
  const valid = extensions !== null ? (x: string) => has_file_allowed_extension(x, extensions) : is_valid_file!;
  const instances: [string, number][] = [];
  const available = new Set<string>();
  for (const target_class of sorted(Object.keys(class_to_idx))) {
    const class_index = class_to_idx[target_class];
    const target_dir = path.join(directory, target_class);
    if (!isDir(target_dir)) continue;
    const walked = [...walk(target_dir)].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [root, , fnames] of walked) {
      for (const fname of sorted(fnames)) {
        const p = path.join(root, fname);
        if (valid(p)) { instances.push([p, class_index]); available.add(target_class); }
      }
    }
  }
  const empty = sorted(Object.keys(class_to_idx).filter((c) => !available.has(c)));
  if (empty.length) {
    let msg = `Found no valid file for the classes ${empty.join(', ')}. `;
    if (extensions !== null) msg += `Supported extensions are: ${typeof extensions === 'string' ? extensions : extensions.join(', ')}`;
    throw Object.assign(new Error(msg), { code: 'ENOENT' });
  }
  return instances;
}

export interface DatasetFolderOptions {
  extensions: string | readonly string[] | null;
  transform: Callable | null;
  target_transform: Callable | null;
  is_valid_file: ((p: string) => boolean) | null;
}

export class DatasetFolder extends VisionDataset<[unknown, unknown]> {
  loader!: (p: string) => unknown;
  extensions!: string | readonly string[] | null;
  classes!: string[];
  class_to_idx!: Record<string, number>;
  samples!: [string, number][];
  targets!: number[];

  constructor(root: string, loader: (p: string) => unknown, ...args: unknown[]) {
    const a = bind<DatasetFolderOptions>('DatasetFolder', args, { extensions: null, transform: null, target_transform: null, is_valid_file: null });
    super(root, { transform: a.transform, target_transform: a.target_transform });
    this._init(loader, a.extensions, a.is_valid_file);
  }
  /** @internal shared by ImageFolder, whose defaults differ */
  protected _init(loader: (p: string) => unknown, extensions: string | readonly string[] | null, is_valid_file: ((p: string) => boolean) | null): void {
    if (typeof loader !== 'function') throw new TypeError('DatasetFolder(): loader must be callable');
    const [classes, class_to_idx] = this.find_classes(this.root);
    this.samples = this.make_dataset(this.root, class_to_idx, extensions, is_valid_file);
    this.loader = loader;
    this.extensions = extensions;
    this.classes = classes;
    this.class_to_idx = class_to_idx;
    this.targets = this.samples.map((s) => s[1]);
  }
  make_dataset(directory: string, class_to_idx: Record<string, number>, extensions: string | readonly string[] | null = null,
    is_valid_file: ((p: string) => boolean) | null = null): [string, number][] {
    if (class_to_idx === null) throw new RangeError('The class_to_idx parameter cannot be None.');
    return make_dataset(directory, class_to_idx, extensions, is_valid_file);
  }
  find_classes(directory: string): [string[], Record<string, number>] { return find_classes(directory); }
  __getitem__(index: number): [unknown, unknown] {
    if (index < 0) index += this.samples.length;
    const s = this.samples[index];
    if (!s) throw new RangeError('list index out of range');
    let sample = this.loader(s[0]);
    let target: unknown = s[1];
    if (this.transform !== null) sample = this.transform(sample);
    if (this.target_transform !== null) target = this.target_transform(target);
    return [sample, target];
  }
  __len__(): number { return this.samples.length; }
}

/** pil_loader: the image as RGB (io's HWC image object, the counterpart of PIL's). */
export function pil_loader(p: string): unknown { return read_image_data(p, 'RGB'); }
export function default_loader(p: string): unknown { return pil_loader(p); }

export interface ImageFolderOptions {
  transform: Callable | null;
  target_transform: Callable | null;
  loader: (p: string) => unknown;
  is_valid_file: ((p: string) => boolean) | null;
}

export class ImageFolder extends DatasetFolder {
  imgs!: [string, number][];
  constructor(root: string, ...args: unknown[]) {
    const a = bind<ImageFolderOptions & { root: string }>('ImageFolder', [root, ...args],
      { root: REQUIRED as never, transform: null, target_transform: null, loader: default_loader, is_valid_file: null });
    // DatasetFolder's binding is skipped: ImageFolder has its own keywords
    super(a.root, a.loader, { transform: a.transform, target_transform: a.target_transform,
      extensions: a.is_valid_file === null ? IMG_EXTENSIONS : null, is_valid_file: a.is_valid_file });
    this.imgs = this.samples;
  }
}
