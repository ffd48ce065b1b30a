// torch.device. As in Python, `torch.device('cuda:1')` and
// `torch.device('cuda', 1)` make one; the constructor checks the type against
// LibTorch's list of device types and the index against c10::DeviceIndex
// (int8 in LibTorch 1.13: Python wraps 300 to 44, here it is an error), with
// PyTorch's messages. The objects are frozen, and `instanceof device` is true
// only of objects this constructor made (not of an Object.create(device.prototype)
// or a prototype swap), so a device handed to LibTorch is always one it can parse.

import { torchAtLeast } from './native';

/** c10's device types, in the order PyTorch's "Expected one of ..." message lists them. */
// (2.13's c10 has maia where 1.13 had ort, and mtia)
const DEVICE_TYPES = torchAtLeast(2, 13)
  ? ['cpu', 'cuda', 'ipu', 'xpu', 'mkldnn', 'opengl', 'opencl', 'ideep', 'hip', 've', 'fpga', 'maia',
    'xla', 'lazy', 'vulkan', 'mps', 'meta', 'hpu', 'mtia', 'privateuseone']
  : ['cpu', 'cuda', 'ipu', 'xpu', 'mkldnn', 'opengl', 'opencl', 'ideep', 'hip', 've', 'fpga', 'ort',
    'xla', 'lazy', 'vulkan', 'mps', 'meta', 'hpu', 'privateuseone'];
/** The largest c10::DeviceIndex (int8_t). */
const MAX_INDEX = 127;
const REAL = new WeakSet<object>();

class Device {
  readonly type!: string;
  readonly index!: number | null;
  constructor(spec: string | Device, index?: number | null) {
    let type: string, idx: number | null;
    if (spec instanceof Device) {
      if (index !== undefined && index !== null) throw new TypeError('device(): an index cannot be given with a torch.device');
      type = spec.type;
      idx = spec.index;
    } else {
      if (typeof spec !== 'string') throw new TypeError(`device(): argument 'type' must be str or torch.device, not ${describe(spec)}`);
      const m = /^([a-zA-Z_]+)(?::(0|[1-9][0-9]*))?$/.exec(spec);
      if (!m) throw new Error(`Invalid device string: '${spec}'`);
      if (!DEVICE_TYPES.includes(m[1])) {
        throw new Error(`Expected one of ${DEVICE_TYPES.join(', ')} device type at start of device string: ${spec}`);
      }
      if (m[2] !== undefined && index !== undefined && index !== null) {
        throw new Error(`type (string) must not include an index because index was passed explicitly: ${spec}`);
      }
      type = m[1];
      if (m[2] !== undefined) {
        idx = Number(m[2]);
      } else if (index === undefined || index === null) {
        idx = null;
      } else {
        if (typeof index !== 'number' || !Number.isInteger(index)) {
          throw new TypeError(`device(): argument 'index' must be int, not ${describe(index)}`);
        }
        if (index < 0) throw new Error('Device index must not be negative');
        idx = index;
      }
      if (idx !== null && idx > MAX_INDEX) throw new RangeError(`Device index must be at most ${MAX_INDEX} (c10::DeviceIndex), got ${idx}`);
    }
    Object.defineProperty(this, 'type', { value: type, enumerable: true });
    Object.defineProperty(this, 'index', { value: idx, enumerable: true });
    Object.freeze(this);
    REAL.add(this);
  }
  static [Symbol.hasInstance](v: unknown): boolean { return typeof v === 'object' && v !== null && REAL.has(v); }
  toString(): string { return this.index === null ? this.type : `${this.type}:${this.index}`; }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return `device(type='${this.type}'${this.index === null ? '' : `, index=${this.index}`})`; }
}
Object.freeze(Device.prototype);
Object.freeze(Device);

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (typeof v !== 'object') return typeof v;
  return (v as object).constructor?.name ?? 'object';
}

/** torch.device: `torch.device('cuda:0')` as in Python (no `new` needed), or `new torch.device('cpu')`. */
export type device = Device;
export const device = new Proxy(Device, {
  apply: (target, _this, args: [string | Device, (number | null)?]) => new target(...args),
}) as typeof Device & ((spec: string | Device, index?: number | null) => Device);

export type DeviceLike = device | string;

// Devices are frozen values, so the ones made over and over (every tensor.device,
// every `device: 'cpu'` argument) are made once per string. Bounded: only
// strings that parsed are kept, and at most a few hundred.
const INTERNED = new Map<string, Device>();
function interned(spec: string): Device {
  let d = INTERNED.get(spec);
  if (d === undefined) {
    d = new Device(spec);
    if (INTERNED.size < 256) INTERNED.set(spec, d);
  }
  return d;
}

/** @internal The device of a string LibTorch printed (Tensor.device): one shared frozen object per string. */
export function deviceOf(spec: string): device { return interned(spec); }

export function deviceString(d: DeviceLike): string {
  if (typeof d === 'string') return interned(d).toString();
  if (d instanceof device) return d.toString();
  throw new TypeError(`expected a device (a torch.device or a string such as 'cpu'), got ${describe(d)}`);
}
