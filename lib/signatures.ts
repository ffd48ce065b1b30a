// The generated signature table (lib/generated/signatures.ts), parsed once on first use.
// No imports: lib/tensor.ts and lib/binder.ts both read it while they load.
import type { Rec } from './binder';

type Table = Record<string, Record<string, Rec[]>>;
let table: Table | null = null;
/** @internal */
export function signatures(): Table {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  if (table === null) table = JSON.parse((require('./generated/signatures') as { json: string }).json) as Table;
  return table;
}
