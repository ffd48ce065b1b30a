// torch.ops.aten: every registered ATen operator, private ones included, by schema:
// torch.ops.aten.add.Tensor(x, y), torch.ops.aten.relu.default(x), or
// torch.ops.aten.add(x, y) resolving the overload as the packet does in Python.
import { Bound, Tensor } from './binder';

type Rec = ConstructorParameters<typeof Bound>[1][number];
/** One overload: called with the schema's arguments (positional, or by name in a trailing options object). */
export type OpOverload = (...args: unknown[]) => unknown;
/** All overloads of a name: callable (the first that fits), and each overload by name (`default` for the unnamed one). */
export type OpOverloadPacket = OpOverload & { readonly [overload: string]: OpOverload };

let aten: Record<string, Rec[]> | null = null;
function table(): Record<string, Rec[]> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  if (aten === null) aten = JSON.parse((require('./generated/aten') as { json: string }).json) as Record<string, Rec[]>;
  return aten;
}

function bound(name: string, recs: Rec[]): OpOverload {
  let b: Bound | null = null;
  return (...args: unknown[]) => {
    if (b === null) b = new Bound(name, recs, false);
    return b.invoke(undefined, args);
  };
}

const packets = new Map<string, OpOverloadPacket>();
function packet(name: string): OpOverloadPacket | undefined {
  let p = packets.get(name);
  if (p) return p;
  const recs = table()[name];
  if (!recs) return undefined;
  const f = bound(name, recs) as OpOverloadPacket;
  for (const r of recs) {
    const dot = r[0].indexOf('.');
    const ov = dot < 0 ? 'default' : r[0].slice(dot + 1);
    Object.defineProperty(f, ov, { value: bound(r[0], [r]), enumerable: true });
  }
  Object.defineProperty(f, 'overloads', { value: () => recs.map((r) => (r[0].includes('.') ? r[0].slice(r[0].indexOf('.') + 1) : 'default')) });
  packets.set(name, f);
  return f;
}

/** torch.ops.aten.<name>: a packet for every ATen operator name. */
const atenNs = new Proxy({} as Record<string, OpOverloadPacket>, {
  get(_t, name) {
    if (typeof name !== 'string') return undefined;
    const p = packet(name);
    if (!p) throw new TypeError(`No such operator aten::${name}`);
    return p;
  },
  has(_t, name) { return typeof name === 'string' && name in table(); },
  ownKeys() { return Object.keys(table()); },
  getOwnPropertyDescriptor(_t, name) {
    return typeof name === 'string' && name in table() ? { enumerable: true, configurable: true, value: packet(name) } : undefined;
  },
});

export const ops: { readonly aten: Readonly<Record<string, OpOverloadPacket>> } = { aten: atenNs };
export type { Tensor };
