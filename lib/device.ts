// torch.device
class Device {
  readonly type: string;
  readonly index: number | null;
  constructor(spec: string | Device, index?: number) {
    if (spec instanceof Device) {
      this.type = spec.type;
      this.index = spec.index;
      return;
    }
    if (typeof spec !== 'string') throw new TypeError(`device(): expected a string, got ${typeof spec}`);
    const m = /^([a-z_]+)(?::(\d+))?$/.exec(spec);
    if (!m) throw new Error(`Invalid device string: '${spec}'`);
    if (m[2] !== undefined && index !== undefined) throw new Error(`type (string) must not include an index because index was passed explicitly: ${spec}`);
    this.type = m[1];
    this.index = m[2] !== undefined ? Number(m[2]) : index ?? null;
  }
  toString(): string { return this.index === null ? this.type : `${this.type}:${this.index}`; }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return `device(type='${this.type}'${this.index === null ? '' : `, index=${this.index}`})`; }
}

export type DeviceLike = device | string;

export function deviceString(d: DeviceLike): string {
  return typeof d === 'string' ? new Device(d).toString() : d.toString();
}

/** torch.device: `torch.device('cuda:0')` as in Python, or `new torch.device('cpu')`. */
export type device = Device;
export const device = new Proxy(Device, {
  apply: (target, _this, args: [string | Device, number?]) => new target(...args),
}) as typeof Device & ((spec: string | Device, index?: number) => Device);
