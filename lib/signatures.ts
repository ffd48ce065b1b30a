// The generated signature table (lib/generated/signatures.ts): one JSON text per name, parsed
// on that name's first call. No imports: lib/tensor.ts and lib/binder.ts both read it while they load.
import type { Rec } from './binder';

let table: Record<string, Record<string, string>> | null = null;
const parsed = new Map<string, Rec[]>();
/** @internal The overloads of ns.name, in Python's order. */
export function signature(ns: string, name: string): Rec[] {
  const key = `${ns}.${name}`;
  let r = parsed.get(key);
  if (r === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    if (table === null) table = (require('./generated/signatures') as { TABLE: Record<string, Record<string, string>> }).TABLE;
    r = JSON.parse(table[ns][name]) as Rec[];
    parsed.set(key, r);
  }
  return r;
}
