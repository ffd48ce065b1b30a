// torchvision.datasets.cifar (0.14): CIFAR10 and CIFAR100 from the "python
// version" archives: pickled batches (Python 2 pickles, read as torchvision
// does with encoding='latin1') of numpy uint8 arrays N x 3072 (CHW per row).
// A sample is (image, target): the io module's HWC image object, the
// counterpart of the PIL image torchvision returns, and an int.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { native } from '../../native';
import { Tensor, op } from '../../tensor';
import { uint8 } from '../../dtype';
import { bind } from '../../nn/common';
import { loadsNumpy, NdArray } from '../../pickle_numpy';
import type { ImageData } from '../io';
import { Callable, VisionDataset } from './vision';
import { check_integrity, download_and_extract_archive } from './utils';

const { call } = native;
const H = { reshape: op('reshape'), permute: op('permute'), contiguous: op('contiguous'), select: op('select', 'int') };

export interface CIFAROptions {
  train: boolean;
  transform: Callable | null;
  target_transform: Callable | null;
  download: boolean;
}

function unpickle(file: string): Record<string, unknown> {
  const entry = loadsNumpy(fs.readFileSync(file));
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry) || entry instanceof Map) {
    throw new TypeError(`${file}: expected a dict with string keys`);
  }
  return entry as Record<string, unknown>;
}

export class CIFAR10 extends VisionDataset<[unknown, unknown]> {
  static base_folder = 'cifar-10-batches-py';
  static url = 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz';
  static filename = 'cifar-10-python.tar.gz';
  static tgz_md5 = 'c58f30108f718f92721af3b95e74349a';
  static train_list: [string, string][] = [
    ['data_batch_1', 'c99cafc152244af753f735de768cd75f'],
    ['data_batch_2', 'd4bba439e000b95fd0a9bffe97cbabec'],
    ['data_batch_3', '54ebc095f3ab1f0389bbae665268c751'],
    ['data_batch_4', '634d18415352ddfa80567beed471001a'],
    ['data_batch_5', '482c414d41f54cd18b22e5b47cb7c3cb'],
  ];
  static test_list: [string, string][] = [['test_batch', '40351d587109b95175f43aff81a1287e']];
  static meta = { filename: 'batches.meta', key: 'label_names', md5: '5ff9c542aee3614f3951f8cda6e48888' };

  train: boolean;
  /** N x 32 x 32 x 3 uint8 (HWC), as torchvision's numpy array after its transpose. */
  data: Tensor;
  targets: number[] = [];
  classes: string[] = [];
  class_to_idx: Record<string, number> = {};

  constructor(root: string, ...args: unknown[]) {
    const a = bind<CIFAROptions>(new.target.name, args, { train: true, transform: null, target_transform: null, download: false });
    super(root, { transform: a.transform, target_transform: a.target_transform });
    this.train = a.train;
    if (a.download) this.download();
    if (!this._check_integrity()) throw new Error('Dataset not found or corrupted. You can use download=True to download it');
    const cls = this._cls;
    const rows: Uint8Array[] = [];
    for (const [file_name] of this.train ? cls.train_list : cls.test_list) {
      const file = path.join(this.root, cls.base_folder, file_name);
      const entry = unpickle(file);
      const d = entry.data;
      if (!(d instanceof NdArray) || d.dtype !== uint8) throw new TypeError(`${file}: 'data' is not a numpy uint8 array`);
      rows.push(d.data);
      const labels = 'labels' in entry ? entry.labels : entry.fine_labels;
      if (!Array.isArray(labels) || !labels.every((t) => Number.isInteger(t))) throw new TypeError(`${file}: labels are not a list of ints`);
      this.targets.push(...(labels as number[]));
    }
    // np.vstack(data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
    const total = rows.reduce((n, r) => n + r.length, 0);
    if (total % 3072) throw new RangeError(`cannot reshape array of size ${total} into shape (3,32,32)`);
    const all = new Uint8Array(total);
    let at = 0;
    for (const r of rows) { all.set(r, at); at += r.length; }
    const flat = native.frombuffer(all.buffer, 0, total, uint8.code);
    const chw = call(H.reshape, flat, [-1, 3, 32, 32]);
    const hwcView = call(H.permute, chw, [0, 2, 3, 1]);
    this.data = new Tensor(call(H.contiguous, hwcView, 0));
    for (const h of new Set([flat, chw, hwcView])) if (h !== this.data._h) native.dispose(h);
    this._load_meta();
  }

  private get _cls(): typeof CIFAR10 { return this.constructor as typeof CIFAR10; }
  get base_folder(): string { return this._cls.base_folder; }

  protected _load_meta(): void {
    const { filename, key, md5 } = this._cls.meta;
    const file = path.join(this.root, this._cls.base_folder, filename);
    if (!check_integrity(file, md5)) throw new Error('Dataset metadata file not found or corrupted. You can use download=True to download it');
    const classes = unpickle(file)[key];
    if (!Array.isArray(classes)) throw new TypeError(`${file}: '${key}' is not a list`);
    this.classes = classes as string[];
    this.class_to_idx = Object.fromEntries(this.classes.map((c, i) => [c, i]));
  }

  __getitem__(index: number): [unknown, unknown] {
    const n = this.__len__();
    if (!Number.isInteger(index)) throw new TypeError(`only integers are valid indices, not ${typeof index}`);
    if (index < 0) index += n;
    if (!(index >= 0 && index < n)) throw new RangeError(`index ${index} is out of bounds for axis 0 with size ${n}`);
    const imgH = call(H.select, this.data._h, 0, index);
    const pixels = native.todata(imgH) as Uint8Array;
    native.dispose(imgH);
    // Image.fromarray(img): an RGB image
    let img: unknown = { data: pixels, width: 32, height: 32, channels: 3 } satisfies ImageData;
    let target: unknown = this.targets[index];
    if (this.transform !== null) img = this.transform(img);
    if (this.target_transform !== null) target = this.target_transform(target);
    return [img, target];
  }
  __len__(): number { return this.data.shape[0]; }

  _check_integrity(): boolean {
    const cls = this._cls;
    return [...cls.train_list, ...cls.test_list].every(([f, md5]) => check_integrity(path.join(this.root, cls.base_folder, f), md5));
  }

  download(): void {
    if (this._check_integrity()) {
      console.log('Files already downloaded and verified');
      return;
    }
    const cls = this._cls;
    download_and_extract_archive(cls.url, this.root, null, cls.filename, cls.tgz_md5);
  }

  extra_repr(): string { return `Split: ${this.train === true ? 'Train' : 'Test'}`; }
}

export class CIFAR100 extends CIFAR10 {
  static base_folder = 'cifar-100-python';
  static url = 'https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz';
  static filename = 'cifar-100-python.tar.gz';
  static tgz_md5 = 'eb9058c3a382ffc7106e4002c42a8d85';
  static train_list: [string, string][] = [['train', '16019d7e3df5f24257cddd939b257f8d']];
  static test_list: [string, string][] = [['test', 'f0ef6b0ae62326f3e7ffdfab6717acfc']];
  static meta = { filename: 'meta', key: 'fine_label_names', md5: '7973b15100ade9c7d40fb424638fde48' };
}
