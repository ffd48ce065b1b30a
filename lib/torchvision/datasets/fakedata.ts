// torchvision.datasets.FakeData (0.14): random images, the same for an index
// on every run. torchvision seeds the global generator with
// index + random_offset and restores it afterwards; here the draws come from
// a private MT19937 with that seed (utils/data/_random.ts), which leaves the
// global stream untouched just the same. Targets equal torchvision's; image
// values can differ by one float ulp before quantization (see randn there).
import { native } from '../../native';
import { Tensor, op } from '../../tensor';
import { float32, int64, uint8 } from '../../dtype';
import { bind } from '../../nn/common';
import { listOf } from '../../arraylike';
import { Mt19937, randn } from '../../utils/data/_random';
import type { ImageData } from '../io';
import { Callable, VisionDataset } from './vision';

const { call } = native;
const H = { mul: op('mul', 'Scalar'), to: op('to', 'dtype'), permute: op('permute'), contiguous: op('contiguous') };

export interface FakeDataOptions {
  size: number;
  image_size: [number, number, number];
  num_classes: number;
  transform: Callable | null;
  target_transform: Callable | null;
  random_offset: number;
}

export class FakeData extends VisionDataset<[unknown, unknown]> {
  size!: number;
  num_classes!: number;
  image_size!: [number, number, number];
  random_offset!: number;

  constructor(...args: unknown[]) {
    const a = bind<FakeDataOptions>('FakeData', args,
      { size: 1000, image_size: [3, 224, 224], num_classes: 10, transform: null, target_transform: null, random_offset: 0 });
    super(null as unknown as string, { transform: a.transform, target_transform: a.target_transform });
    this.size = a.size;
    this.num_classes = a.num_classes;
    this.image_size = listOf(a.image_size, "FakeData(): argument 'image_size'") as [number, number, number];
    this.random_offset = a.random_offset;
  }

  __getitem__(index: number): [unknown, unknown] {
    if (index >= this.__len__()) throw new RangeError(`${this.constructor.name} index out of range`);
    const mt = new Mt19937(BigInt(index + this.random_offset));
    const [c, h, w] = this.image_size;
    const values = randn(c * h * w, mt); // torch.randn(*self.image_size)
    let target: unknown = new Tensor(native.fromdata(BigInt64Array.of(BigInt(mt.random() % this.num_classes)), [], int64.code));
    let img: unknown = toPILImage(values, c, h, w);
    if (this.transform !== null) img = this.transform(img);
    if (this.target_transform !== null) target = this.target_transform(target);
    return [img, (target as Tensor).item()];
  }
  __len__(): number { return this.size; }
}

/** transforms.ToPILImage() of a float CHW tensor: mul(255).byte(), as HWC (ATen's own conversion). */
function toPILImage(values: Float32Array, c: number, h: number, w: number): ImageData {
  if (c !== 1 && c !== 3 && c !== 4) throw new RangeError(`pic should not have > 4 channels. Got ${c} channels.`);
  const t = native.fromdata(values, [c, h, w], float32.code);
  const scaled = call(H.mul, t, 255);
  const bytes = call(H.to, scaled, uint8.code, false, false, null);
  const hwc = call(H.permute, bytes, [1, 2, 0]);
  const data = native.todata(hwc) as Uint8Array;
  for (const x of [t, scaled, bytes, hwc]) native.dispose(x);
  return { data, width: w, height: h, channels: c };
}
