// torchvision.datasets.mnist (0.14): MNIST, FashionMNIST, KMNIST: the same
// folder layout (<root>/<ClassName>/raw/<files>), resources, mirrors and md5s.
// A sample is (image, target) with the image as the io module's HWC image
// object, the counterpart of the PIL image torchvision returns.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { native } from '../../native';
import { Tensor, op } from '../../tensor';
import { dtype, uint8, int8, int16, int32, float32, float64, int64 } from '../../dtype';
import { load } from '../../serialization';
import { DownloadError } from '../../hub';
import { bind } from '../../nn/common';
import type { ImageData } from '../io';
import { Callable, VisionDataset } from './vision';
import { check_integrity, download_and_extract_archive, extract_archive, verify_str_arg } from './utils';

const { call } = native;
const H = { reshape: op('reshape'), select: op('select', 'int'), to: op('to', 'dtype'), item: op('item') };

const SN3_PASCALVINCENT_TYPEMAP: Record<number, dtype> = { 8: uint8, 9: int8, 11: int16, 12: int32, 13: float32, 14: float64 };

/**
 * Reads an IDX ("SN3 Pascal Vincent") file into a tensor. A file that is only
 * there gzipped (`<path>.gz`) is read through node:zlib.
 */
export function read_sn3_pascalvincent_tensor(file: string, strict = true): Tensor {
  const raw = fs.existsSync(file) ? fs.readFileSync(file) : zlib.gunzipSync(fs.readFileSync(`${file}.gz`));
  const magic = raw.readUInt32BE(0);
  const nd = magic % 256, ty = Math.floor(magic / 256);
  if (!(nd >= 1 && nd <= 3)) throw new Error(`AssertionError: ${file}: ${nd} dimensions (expected 1 to 3)`);
  const d = SN3_PASCALVINCENT_TYPEMAP[ty];
  if (!d) throw new Error(`AssertionError: ${file}: unknown IDX type ${ty}`);
  const s = Array.from({ length: nd }, (_, i) => raw.readUInt32BE(4 * (i + 1)));
  const offset = 4 * (nd + 1);
  const count = Math.floor((raw.length - offset) / d.itemsize);
  const want = s.reduce((a, b) => a * b, 1);
  if (strict ? count !== want : count < want) throw new Error(`AssertionError: ${file}: ${count} values for shape [${s}]`);
  // IDX is big-endian: swap multi-byte values into a fresh (aligned) buffer
  const bytes = new Uint8Array(want * d.itemsize);
  bytes.set(raw.subarray(offset, offset + bytes.length));
  if (d.itemsize > 1) {
    for (let i = 0; i < bytes.length; i += d.itemsize) bytes.subarray(i, i + d.itemsize).reverse();
  }
  const flat = native.frombuffer(bytes.buffer, 0, want, d.code);
  const t = call(H.reshape, flat, s);
  if (t !== flat) native.dispose(flat);
  return new Tensor(t);
}

export function read_label_file(file: string): Tensor {
  const x = read_sn3_pascalvincent_tensor(file, false);
  if (x.dtype !== uint8) throw new TypeError(`x should be of dtype torch.uint8 instead of torch.${x.dtype.name}`);
  if (x.dim() !== 1) throw new RangeError(`x should have 1 dimension instead of ${x.dim()}`);
  const long = new Tensor(call(H.to, x._h, int64.code, false, false, null));
  x.dispose();
  return long;
}

export function read_image_file(file: string): Tensor {
  const x = read_sn3_pascalvincent_tensor(file, false);
  if (x.dtype !== uint8) throw new TypeError(`x should be of dtype torch.uint8 instead of torch.${x.dtype.name}`);
  if (x.dim() !== 3) throw new RangeError(`x should have 3 dimension instead of ${x.dim()}`);
  return x;
}

const bindMNIST = (fn: string, args: readonly unknown[]) =>
  bind<MNISTOptions>(fn, args, { train: true, transform: null, target_transform: null, download: false });

export interface MNISTOptions {
  train: boolean;
  transform: Callable | null;
  target_transform: Callable | null;
  download: boolean;
}

export class MNIST extends VisionDataset<[unknown, unknown]> {
  static mirrors = ['http://yann.lecun.com/exdb/mnist/', 'https://ossci-datasets.s3.amazonaws.com/mnist/'];
  static resources: [string, string][] = [
    ['train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'],
    ['train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'],
    ['t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'],
    ['t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c'],
  ];
  static training_file = 'training.pt';
  static test_file = 'test.pt';
  static classes = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven', '8 - eight', '9 - nine'];

  train!: boolean;
  data!: Tensor;
  targets!: Tensor;

  constructor(root: string, ...args: unknown[]) {
    const a = bindMNIST(new.target.name, args);
    super(root, { transform: a.transform, target_transform: a.target_transform });
    this.train = a.train;
    // EMNIST's files depend on its split, set after this constructor: it loads from its own.
    if (!(new.target as typeof MNIST)._loads_itself) this._load(a.download);
  }
  /** @internal */ protected static _loads_itself = false;

  protected _load(download: boolean): void {
    if (this._check_legacy_exist()) {
      [this.data, this.targets] = this._load_legacy_data();
      return;
    }
    if (download) this.download();
    if (!this._check_exists()) throw new Error('Dataset not found. You can use download=True to download it');
    [this.data, this.targets] = this._load_data();
  }

  private get _cls(): typeof MNIST { return this.constructor as typeof MNIST; }
  get training_file(): string { return this._cls.training_file; }
  get test_file(): string { return this._cls.test_file; }
  get classes(): string[] { return this._cls.classes; }
  get class_to_idx(): Record<string, number> { return Object.fromEntries(this.classes.map((c, i) => [c, i])); }
  get raw_folder(): string { return path.join(this.root, this.constructor.name, 'raw'); }
  get processed_folder(): string { return path.join(this.root, this.constructor.name, 'processed'); }

  protected _check_legacy_exist(): boolean {
    if (!fs.existsSync(this.processed_folder)) return false;
    return [this.training_file, this.test_file].every((f) => check_integrity(path.join(this.processed_folder, f)));
  }
  protected _load_legacy_data(): [Tensor, Tensor] {
    // torch.save((data, targets)) of torchvision < 0.9
    return load(path.join(this.processed_folder, this.train ? this.training_file : this.test_file)) as [Tensor, Tensor];
  }
  protected _load_data(): [Tensor, Tensor] {
    const split = this.train ? 'train' : 't10k';
    return [read_image_file(path.join(this.raw_folder, `${split}-images-idx3-ubyte`)),
      read_label_file(path.join(this.raw_folder, `${split}-labels-idx1-ubyte`))];
  }

  __getitem__(index: number): [unknown, unknown] {
    const [n, height, width] = native.shape(this.data._h);
    if (index < 0) index += n;
    if (!(index >= 0 && index < n)) throw new RangeError(`index ${index} is out of bounds for dimension 0 with size ${n}`);
    const imgH = call(H.select, this.data._h, 0, index);
    const pixels = native.todata(imgH) as Uint8Array;
    native.dispose(imgH);
    // int(self.targets[index])
    const tH = call(H.select, this.targets._h, 0, index);
    let target: unknown;
    try { target = Number(call(H.item, tH)); } finally { native.dispose(tH); }
    // Image.fromarray(img.numpy(), mode="L")
    let img: unknown = { data: pixels, width, height, channels: 1 } satisfies ImageData;
    if (this.transform !== null) img = this.transform(img);
    if (this.target_transform !== null) target = this.target_transform(target);
    return [img, target];
  }
  __len__(): number { return this.data.shape[0]; }

  /** Whether every raw file is there (extracted, or still gzipped: read through zlib). */
  protected _check_exists(): boolean {
    return this._cls.resources.every(([url]) => {
      const f = path.join(this.raw_folder, path.basename(url).replace(/\.[^.]*$/, ''));
      return check_integrity(f) || check_integrity(`${f}.gz`);
    });
  }

  download(): void {
    if (this._check_exists()) return;
    fs.mkdirSync(this.raw_folder, { recursive: true });
    for (const [filename, md5] of this._cls.resources) {
      let done = false;
      for (const mirror of this._cls.mirrors) {
        const url = `${mirror}${filename}`;
        try {
          console.log(`Downloading ${url}`);
          download_and_extract_archive(url, this.raw_folder, null, filename, md5);
          done = true;
        } catch (e) {
          if (!(e instanceof DownloadError)) throw e; // a bad md5 is not a network error: no other mirror
          console.log(`Failed to download (trying next):\n${(e as Error).message}`);
          continue;
        } finally {
          console.log();
        }
        break;
      }
      if (!done) throw new Error(`Error downloading ${filename}`);
    }
  }

  extra_repr(): string { return `Split: ${this.train === true ? 'Train' : 'Test'}`; }
}

export class FashionMNIST extends MNIST {
  static mirrors = ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'];
  static resources: [string, string][] = [
    ['train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'],
    ['train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'],
    ['t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'],
    ['t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310'],
  ];
  static classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
}

export class KMNIST extends MNIST {
  static mirrors = ['http://codh.rois.ac.jp/kmnist/dataset/kmnist/'];
  static resources: [string, string][] = [
    ['train-images-idx3-ubyte.gz', 'bdb82020997e1d708af4cf47b453dcf7'],
    ['train-labels-idx1-ubyte.gz', 'e144d726b3acfaa3e44228e80efcd344'],
    ['t10k-images-idx3-ubyte.gz', '5c965bf0a639b31b8f53240b1b52f4d7'],
    ['t10k-labels-idx1-ubyte.gz', '7320c461ea6c1c855c0b718fb2a4b134'],
  ];
  static classes = ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo'];
}

const DIGITS = '0123456789'.split(''), LOWER = 'abcdefghijklmnopqrstuvwxyz'.split('');
const ALL = [...DIGITS, ...LOWER.map((c) => c.toUpperCase()), ...LOWER].sort();
const MERGED = new Set('cijklmopsuvwxyz'.split(''));

/** EMNIST(root, split, ...MNIST's options): the six splits of NIST's gzip.zip. */
export class EMNIST extends MNIST {
  static url = 'https://www.itl.nist.gov/iaui/vip/cs_links/EMNIST/gzip.zip';
  static md5 = '58c8d27c78d21e728a6bc7b3cc06412e';
  static splits = ['byclass', 'bymerge', 'balanced', 'letters', 'digits', 'mnist'];
  static classes_split_dict: Record<string, string[]> = {
    byclass: ALL, bymerge: ALL.filter((c) => !MERGED.has(c)), balanced: ALL.filter((c) => !MERGED.has(c)),
    letters: ['N/A', ...LOWER], digits: DIGITS, mnist: DIGITS,
  };
  protected static _loads_itself = true;
  split!: string;

  constructor(root: string, split: string, ...args: unknown[]) {
    verify_str_arg(split, 'split', EMNIST.splits);
    super(root, ...args);
    this.split = split;
    this._load(bindMNIST('EMNIST', args).download);
  }
  get classes(): string[] { return EMNIST.classes_split_dict[this.split]; }
  get training_file(): string { return `training_${this.split}.pt`; }
  get test_file(): string { return `test_${this.split}.pt`; }
  private get _file_prefix(): string { return `emnist-${this.split}-${this.train ? 'train' : 'test'}`; }
  get images_file(): string { return path.join(this.raw_folder, `${this._file_prefix}-images-idx3-ubyte`); }
  get labels_file(): string { return path.join(this.raw_folder, `${this._file_prefix}-labels-idx1-ubyte`); }
  protected _load_data(): [Tensor, Tensor] { return [read_image_file(this.images_file), read_label_file(this.labels_file)]; }
  protected _check_exists(): boolean {
    return [this.images_file, this.labels_file].every((f) => check_integrity(f) || check_integrity(`${f}.gz`));
  }
  download(): void {
    if (this._check_exists()) return;
    fs.mkdirSync(this.raw_folder, { recursive: true });
    const cls = this.constructor as typeof EMNIST;
    download_and_extract_archive(cls.url, this.raw_folder, null, null, cls.md5);
    const gzip_folder = path.join(this.raw_folder, 'gzip');
    for (const f of fs.readdirSync(gzip_folder)) {
      if (f.endsWith('.gz')) extract_archive(path.join(gzip_folder, f), this.raw_folder);
    }
    fs.rmSync(gzip_folder, { recursive: true, force: true });
  }
}
