// A small, restricted reader and writer of Python pickles: only what torch.save
// emits for tensors and containers (protocol 2, and the opcodes of protocols
// 3-5 that a torch.save(..., pickle_protocol=4) file can hold). Nothing read
// from a pickle is ever executed: a GLOBAL is resolved by the caller's
// allowlist (serialization.ts), which returns plain markers, and REDUCE /
// NEWOBJ / BUILD only call the caller's hooks with those markers.
//
// The writer reproduces CPython's C pickler (the one torch.save uses) byte for
// byte: the same opcodes, the same batching of list and dict items (1000 per
// MARK), the same memo numbering. Python memoizes by object identity; here
// objects are memoized by identity and strings by value (see PyStr).

// ---- values the writer understands besides plain JS data -------------------------

/** A Python global (module.name), as GLOBAL writes it. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualified(): string { return `${this.module}.${this.name}`; }
}

/** A new Python tuple (each PyTuple is a distinct object for the memo). */
export class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** A number written as a Python float even when it is integral. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/**
 * A string with an explicit memo policy: 'data' strings share one by-value
 * memo table (equal strings are written once, then fetched, as Python does for
 * interned literals), 'key' strings have their own table (torch.save's storage
 * keys, made with str(n), are never the same object as a data string), and a
 * 'fresh' string is always written anew (a string Python builds each time).
 */
export class PyStr {
  constructor(readonly value: string, readonly memo: 'data' | 'key' | 'fresh' = 'data') {}
}

/** callable(*args), then dict items and BUILD state, as Pickler.save_reduce. */
export class PyReduce {
  constructor(
    readonly func: PyGlobal,
    readonly args: PyTuple,
    readonly dictitems?: ReadonlyArray<readonly [unknown, unknown]>,
    readonly state?: unknown,
  ) {}
}

/** A persistent id (torch.save's storages): pid is pickled, then BINPERSID. */
export class PyPersistentId {
  constructor(readonly pid: unknown) {}
}

// Non-enumerable marks that carry Python types through JS values, so that a
// loaded value saves back as it was.
/** An array that is a Python tuple (not a list). */
export const TUPLE = Symbol.for('torch-node.pickle.tuple');
/** A Map that is a plain Python dict (not an OrderedDict). */
export const DICT = Symbol.for('torch-node.pickle.dict');
/** A plain object that is a Python OrderedDict (not a dict). */
export const ORDERED = Symbol.for('torch-node.pickle.ordered');

function mark<T extends object>(o: T, sym: symbol): T {
  Object.defineProperty(o, sym, { value: true, enumerable: false, configurable: true });
  return o;
}
/** Marks an array as a Python tuple: save() then writes a tuple. */
export function tuple<T extends unknown[]>(items: T): T { return mark(items, TUPLE); }
export function isTuple(v: unknown): v is unknown[] { return Array.isArray(v) && (v as unknown as Record<symbol, unknown>)[TUPLE] === true; }
export function markDict<T extends Map<unknown, unknown>>(m: T): T { return mark(m, DICT); }
export function isMarkedDict(v: unknown): boolean { return v instanceof Map && (v as unknown as Record<symbol, unknown>)[DICT] === true; }
export function markOrdered<T extends object>(o: T): T { return mark(o, ORDERED); }
export function isMarkedOrdered(v: unknown): boolean { return v !== null && typeof v === 'object' && (v as Record<symbol, unknown>)[ORDERED] === true; }

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

// ---- opcodes ------------------------------------------------------------------------

const OP = {
  MARK: 0x28, STOP: 0x2e, POP: 0x30, POP_MARK: 0x31, DUP: 0x32, FLOAT: 0x46, INT: 0x49, BININT: 0x4a,
  BININT1: 0x4b, LONG: 0x4c, BININT2: 0x4d, NONE: 0x4e, PERSID: 0x50, BINPERSID: 0x51, REDUCE: 0x52,
  STRING: 0x53, BINSTRING: 0x54, SHORT_BINSTRING: 0x55, UNICODE: 0x56, BINUNICODE: 0x58, APPEND: 0x61,
  BUILD: 0x62, GLOBAL: 0x63, DICT: 0x64, EMPTY_DICT: 0x7d, APPENDS: 0x65, GET: 0x67, BINGET: 0x68,
  INST: 0x69, LONG_BINGET: 0x6a, LIST: 0x6c, EMPTY_LIST: 0x5d, OBJ: 0x6f, PUT: 0x70, BINPUT: 0x71,
  LONG_BINPUT: 0x72, SETITEM: 0x73, TUPLE: 0x74, EMPTY_TUPLE: 0x29, SETITEMS: 0x75, BINFLOAT: 0x47,
  PROTO: 0x80, NEWOBJ: 0x81, EXT1: 0x82, EXT2: 0x83, EXT4: 0x84, TUPLE1: 0x85, TUPLE2: 0x86, TUPLE3: 0x87,
  NEWTRUE: 0x88, NEWFALSE: 0x89, LONG1: 0x8a, LONG4: 0x8b, BINBYTES: 0x42, SHORT_BINBYTES: 0x43,
  SHORT_BINUNICODE: 0x8c, BINUNICODE8: 0x8d, BINBYTES8: 0x8e, EMPTY_SET: 0x8f, ADDITEMS: 0x90,
  FROZENSET: 0x91, NEWOBJ_EX: 0x92, STACK_GLOBAL: 0x93, MEMOIZE: 0x94, FRAME: 0x95, BYTEARRAY8: 0x96,
  NEXT_BUFFER: 0x97, READONLY_BUFFER: 0x98,
} as const;

const OP_NAMES: Record<number, string> = {};
for (const [k, v] of Object.entries(OP)) OP_NAMES[v] = k;

const BATCHSIZE = 1000;

// ---- writer ---------------------------------------------------------------------------

class ByteSink {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  byte(b: number): void { this.room(1); this.buf[this.length++] = b; }
  bytes(b: Uint8Array): void { this.room(b.length); this.buf.set(b, this.length); this.length += b.length; }
  u16(v: number): void { this.room(2); this.buf[this.length++] = v & 0xff; this.buf[this.length++] = (v >>> 8) & 0xff; }
  u32(v: number): void { this.room(4); this.view.setUint32(this.length, v, true); this.length += 4; }
  i32(v: number): void { this.room(4); this.view.setInt32(this.length, v, true); this.length += 4; }
  f64be(v: number): void { this.room(8); this.view.setFloat64(this.length, v, false); this.length += 8; }
  result(): Uint8Array { return this.buf.slice(0, this.length); }
}

export interface PicklerHooks {
  /**
   * How to pickle an object the pickler does not know (a Tensor, a dtype...):
   * a PyReduce (memoized under the object), a PyGlobal, or undefined to refuse.
   */
  reduce?(value: object): PyReduce | PyGlobal | undefined;
  /** The Python type name of a value for error messages. */
  describe?(value: unknown): string;
}

function describeJs(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  const name = (v as object).constructor?.name;
  return name ? `${name} object` : 'object';
}

const utf8 = new TextEncoder();

/** The pickle bytes of `obj` (protocol 2, as torch.save writes with pickle_protocol=2). */
export function dumps(obj: unknown, hooks: PicklerHooks = {}): Uint8Array {
  const out = new ByteSink();
  const memo = new Map<object, number>();
  const dataStrs = new Map<string, number>();
  const keyStrs = new Map<string, number>();
  const globals = new Map<string, number>();
  const inProgress = new Set<object>();
  let nextMemo = 0;

  const put = (): number => {
    const idx = nextMemo++;
    if (idx < 256) { out.byte(OP.BINPUT); out.byte(idx); } else { out.byte(OP.LONG_BINPUT); out.u32(idx); }
    return idx;
  };
  const get = (idx: number): void => {
    if (idx < 256) { out.byte(OP.BINGET); out.byte(idx); } else { out.byte(OP.LONG_BINGET); out.u32(idx); }
  };

  const saveLong = (v: bigint): void => {
    if (v >= 0n && v <= 0xffn) { out.byte(OP.BININT1); out.byte(Number(v)); return; }
    if (v >= 0n && v <= 0xffffn) { out.byte(OP.BININT2); out.u16(Number(v)); return; }
    if (v >= -0x80000000n && v <= 0x7fffffffn) { out.byte(OP.BININT); out.i32(Number(v)); return; }
    const enc = encodeLong(v);
    if (enc.length < 256) { out.byte(OP.LONG1); out.byte(enc.length); } else { out.byte(OP.LONG4); out.i32(enc.length); }
    out.bytes(enc);
  };
  const saveFloat = (v: number): void => { out.byte(OP.BINFLOAT); out.f64be(v); };
  const saveStr = (s: string, policy: 'data' | 'key' | 'fresh'): void => {
    const table = policy === 'data' ? dataStrs : policy === 'key' ? keyStrs : null;
    const known = table?.get(s);
    if (known !== undefined) { get(known); return; }
    const b = encodeStr(s);
    out.byte(OP.BINUNICODE); out.u32(b.length); out.bytes(b);
    const idx = put();
    table?.set(s, idx);
  };
  const saveGlobal = (g: PyGlobal): void => {
    const id = `${g.module}\n${g.name}`;
    const known = globals.get(id);
    if (known !== undefined) { get(known); return; }
    if (/[\n\r]/.test(id.replace('\n', ''))) throw new TypeError(`pickle: bad global name ${g.qualified}`);
    out.byte(OP.GLOBAL); out.bytes(utf8.encode(`${g.module}\n${g.name}\n`));
    globals.set(id, put());
  };

  // Items of a dict that is exactly a dict (batch_dict_exact).
  const batchDictExact = (items: ReadonlyArray<readonly [unknown, unknown]>): void => {
    const n = items.length;
    if (n === 0) return;
    if (n === 1) { save(items[0][0]); save(items[0][1]); out.byte(OP.SETITEM); return; }
    let idx = 0, i: number;
    do {
      i = 0;
      out.byte(OP.MARK);
      while (idx < n) {
        save(items[idx][0]); save(items[idx][1]); idx++;
        if (++i === BATCHSIZE) break;
      }
      out.byte(OP.SETITEMS);
    } while (i === BATCHSIZE);
  };
  // Items from __reduce__'s dictitems iterator (batch_dict).
  const batchDictIter = (items: ReadonlyArray<readonly [unknown, unknown]>): void => {
    const n = items.length;
    let idx = 0, count = 0;
    do {
      if (idx >= n) break;
      if (n - idx === 1) { save(items[idx][0]); save(items[idx][1]); out.byte(OP.SETITEM); idx++; break; }
      out.byte(OP.MARK);
      count = 0;
      while (idx < n) {
        save(items[idx][0]); save(items[idx][1]); idx++;
        if (++count === BATCHSIZE) break;
      }
      out.byte(OP.SETITEMS);
    } while (count === BATCHSIZE);
  };
  const saveList = (arr: readonly unknown[]): void => {
    out.byte(OP.EMPTY_LIST);
    memo.set(arr, put());
    const n = arr.length;
    if (n === 0) return;
    if (n === 1) { save(arr[0]); out.byte(OP.APPEND); return; }
    let total = 0;
    do {
      out.byte(OP.MARK);
      let batch = 0;
      while (total < n) {
        save(arr[total]); total++;
        if (++batch === BATCHSIZE) break;
      }
      out.byte(OP.APPENDS);
    } while (total < n);
  };
  const saveTuple = (items: readonly unknown[], key: object): void => {
    const n = items.length;
    if (n === 0) { out.byte(OP.EMPTY_TUPLE); return; }
    if (inProgress.has(key)) throw new TypeError('torch.save: cannot save a tuple that contains itself');
    inProgress.add(key);
    try {
      if (n <= 3) {
        for (const it of items) save(it);
        out.byte(n === 1 ? OP.TUPLE1 : n === 2 ? OP.TUPLE2 : OP.TUPLE3);
      } else {
        out.byte(OP.MARK);
        for (const it of items) save(it);
        out.byte(OP.TUPLE);
      }
    } finally {
      inProgress.delete(key);
    }
    memo.set(key, put());
  };
  const saveReduce = (r: PyReduce, key: object): void => {
    saveGlobal(r.func);
    save(r.args);
    out.byte(OP.REDUCE);
    const known = memo.get(key);
    if (known !== undefined) { out.byte(OP.POP); get(known); } else memo.set(key, put());
    if (r.dictitems) batchDictIter(r.dictitems);
    if (r.state !== undefined) { save(r.state); out.byte(OP.BUILD); }
  };
  const dictItems = (v: Map<unknown, unknown> | Record<string, unknown>): Array<[unknown, unknown]> => {
    if (!(v instanceof Map)) return Object.keys(v).map((k) => [k, v[k]]);
    for (const k of v.keys()) {
      // Python dict keys must be hashable: no lists, dicts or sets
      if ((Array.isArray(k) && !isTuple(k)) || k instanceof Map || k instanceof Set || isPlainObject(k)) {
        throw new TypeError(`torch.save: a Map key cannot be ${Array.isArray(k) ? 'an array (a Python list)' : 'a dict'}: Python dict keys must be hashable (use pickle.tuple for a tuple)`);
      }
    }
    return [...v.entries()];
  };

  function save(v: unknown): void {
    if (v === null || v === undefined) { out.byte(OP.NONE); return; }
    switch (typeof v) {
      case 'boolean': out.byte(v ? OP.NEWTRUE : OP.NEWFALSE); return;
      case 'number':
        // Integral numbers are Python ints; beyond 2^53 (ints there are BigInts), -0,
        // fractions, NaN and infinities are floats.
        if (Number.isSafeInteger(v) && !Object.is(v, -0)) saveLong(BigInt(v)); else saveFloat(v);
        return;
      case 'bigint': saveLong(v); return;
      case 'string': saveStr(v, 'data'); return;
      case 'object': break;
      default: throw new TypeError(`torch.save: cannot save a value of type ${typeof v}`);
    }
    const o = v as object;
    if (o instanceof PyFloat) { saveFloat(o.value); return; }
    if (o instanceof PyStr) { saveStr(o.value, o.memo); return; }
    if (o instanceof PyGlobal) { saveGlobal(o); return; }
    if (o instanceof PyPersistentId) { save(o.pid); out.byte(OP.BINPERSID); return; }
    const known = memo.get(o);
    if (known !== undefined) { get(known); return; }
    if (o instanceof PyTuple) { saveTuple(o.items, o); return; }
    if (o instanceof PyReduce) { saveReduce(o, o); return; }
    if (Array.isArray(o)) {
      if (isTuple(o)) saveTuple(o, o); else saveList(o);
      return;
    }
    const r = hooks.reduce?.(o);
    if (r instanceof PyGlobal) { saveGlobal(r); return; }
    if (r instanceof PyReduce) { saveReduce(r, o); return; }
    if (o instanceof Map || isPlainObject(o)) {
      // A state dict's `_metadata` (non-enumerable, as nn.Module.state_dict()
      // and torch.load make it) is the OrderedDict's instance state.
      const metaProp = Object.getOwnPropertyDescriptor(o, '_metadata');
      const meta = metaProp && (o instanceof Map || !metaProp.enumerable) ? metaProp.value as unknown : undefined;
      const asDict = o instanceof Map ? isMarkedDict(o) : !isMarkedOrdered(o) && meta === undefined;
      if (asDict) {
        out.byte(OP.EMPTY_DICT);
        memo.set(o, put());
        batchDictExact(dictItems(o));
        return;
      }
      // collections.OrderedDict: reduce to (OrderedDict, (), state, None, items),
      // `_metadata` itself an OrderedDict as in Python.
      const state = meta === undefined ? undefined : { _metadata: isPlainObject(meta) ? metadataInOrder(meta) : meta };
      saveReduce(new PyReduce(ORDERED_DICT, new PyTuple([]), dictItems(o), state), o);
      return;
    }
    throw new TypeError(`torch.save: cannot save ${hooks.describe ? hooks.describe(o) : describeJs(o)}`);
  }

  out.byte(OP.PROTO); out.byte(2);
  save(obj);
  out.byte(OP.STOP);
  return out.result();
}

const ORDERED_DICT = new PyGlobal('collections', 'OrderedDict');

/**
 * A state dict's `_metadata` as Python's OrderedDict: its keys are module
 * paths in the order the modules are visited (pre-order: '' first, then each
 * child and its own children). A JS object lists integer-like keys ('0', '1'
 * of an nn.Sequential) before all others, so the order is rebuilt from the
 * paths: each key under its longest existing prefix, siblings in JS order.
 */
function metadataInOrder(meta: Record<string, unknown>): PyReduce {
  const keys = Object.keys(meta);
  const present = new Set(keys);
  const children = new Map<string | null, string[]>();
  for (const k of keys) {
    let parent: string | null = null;
    if (k !== '') {
      for (let i = k.lastIndexOf('.'); i > 0; i = k.lastIndexOf('.', i - 1)) {
        if (present.has(k.slice(0, i))) { parent = k.slice(0, i); break; }
      }
      if (parent === null && present.has('')) parent = '';
    }
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent)!.push(k);
  }
  const order: string[] = [];
  const stack = [...(children.get(null) ?? [])].reverse();
  while (stack.length) {
    const k = stack.pop()!;
    order.push(k);
    stack.push(...[...(children.get(k) ?? [])].reverse());
  }
  return new PyReduce(ORDERED_DICT, new PyTuple([]), order.map((k) => [k, meta[k]] as const));
}

/** pickle.encode_long: little-endian two's complement, as few bytes as possible (linear time). */
export function encodeLong(x: bigint): Uint8Array {
  if (x === 0n) return new Uint8Array(0);
  const abs = x < 0n ? -x : x;
  const nbits = abs.toString(2).length;  // a power-of-two radix: linear
  let nbytes = (nbits >> 3) + 1;
  const v = x < 0n ? (1n << BigInt(8 * nbytes)) + x : x;
  const out = new Uint8Array(Buffer.from(v.toString(16).padStart(2 * nbytes, '0'), 'hex').reverse());
  if (x < 0n && nbytes > 1 && out[nbytes - 1] === 0xff && (out[nbytes - 2] & 0x80) !== 0) nbytes--;
  return out.subarray(0, nbytes);
}

/** The longest LONG1/LONG4 integer the reader takes, in bytes (torch.save never writes one near it). */
export const MAX_LONG_BYTES = 1 << 20;

/** pickle.decode_long, in linear time (one hex string, parsed once: no per-byte BigInt shifts). */
export function decodeLong(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  if (b.length > MAX_LONG_BYTES) {
    throw new UnpicklingError(`an integer of ${b.length} bytes in the pickle exceeds torch-node's limit of ${MAX_LONG_BYTES} bytes (MAX_LONG_BYTES)`);
  }
  // Buffer's hex encoder on a reversed copy: most significant byte first
  const hex = Buffer.from(b).reverse().toString('hex');
  let v = BigInt(`0x${hex}`);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v;
}

// ---- str as Python's pickle encodes it: UTF-8 with 'surrogatepass' ------------------------

/**
 * The bytes pickle writes for a str: UTF-8, a lone surrogate (U+D800-U+DFFF)
 * written as its own three bytes (ED A0 80 for U+D800), as Python's
 * `s.encode('utf-8', 'surrogatepass')` does. TextEncoder would write U+FFFD.
 */
export function encodeStr(s: string): Uint8Array {
  if (!/[\ud800-\udfff]/.test(s)) return utf8.encode(s);
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
        i++;
        continue;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Uint8Array.from(out);
}

/**
 * A pickled str's bytes as Python reads them (`bytes.decode('utf-8',
 * 'surrogatepass')`): strict UTF-8, except that an encoded surrogate
 * (ED A0 80 - ED BF BF) is that UTF-16 code unit. Anything else that is not
 * UTF-8 is an error with Python's UnicodeDecodeError wording.
 */
export function decodeStr(b: Uint8Array): string {
  try { return utf8Strict.decode(b); } catch { /* surrogates, or not UTF-8 */ }
  const units: number[] = [];
  const parts: string[] = [];
  const bad = (i: number, why: string): never => {
    throw new UnpicklingError(`a string in the pickle is not valid UTF-8: 'utf-8' codec can't decode byte 0x${b[i].toString(16).padStart(2, '0')} in position ${i}: ${why}`);
  };
  const cont = (i: number): number => (i < b.length && (b[i] & 0xc0) === 0x80 ? b[i] & 0x3f : -1);
  for (let i = 0; i < b.length;) {
    const c = b[i];
    let cp: number, n: number;
    if (c < 0x80) { cp = c; n = 1; }
    else if (c >= 0xc2 && c <= 0xdf) {
      const c1 = cont(i + 1); if (c1 < 0) bad(i, 'invalid continuation byte');
      cp = ((c & 0x1f) << 6) | c1; n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      const c1 = cont(i + 1), c2 = cont(i + 2);
      if (c1 < 0 || c2 < 0) bad(i, i + 2 >= b.length ? 'unexpected end of data' : 'invalid continuation byte');
      cp = ((c & 0x0f) << 12) | (c1 << 6) | c2; n = 3;
      if (cp < 0x800) bad(i, 'invalid continuation byte');  // overlong (surrogates are let through: surrogatepass)
    } else if (c >= 0xf0 && c <= 0xf4) {
      const c1 = cont(i + 1), c2 = cont(i + 2), c3 = cont(i + 3);
      if (c1 < 0 || c2 < 0 || c3 < 0) bad(i, i + 3 >= b.length ? 'unexpected end of data' : 'invalid continuation byte');
      cp = ((c & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3; n = 4;
      if (cp < 0x10000 || cp > 0x10ffff) bad(i, 'invalid continuation byte');
    } else {
      return bad(i, 'invalid start byte');
    }
    if (cp >= 0x10000) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    else units.push(cp);
    if (units.length >= 8192) { parts.push(String.fromCharCode(...units)); units.length = 0; }
    i += n;
  }
  parts.push(String.fromCharCode(...units));
  return parts.join('');
}

// ---- reader ---------------------------------------------------------------------------

export class UnpicklingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnpicklingError';
  }
}

export interface UnpicklerHooks {
  /** The value a GLOBAL stands for; throw to refuse it (the allowlist). */
  findGlobal(module: string, name: string): unknown;
  /** The object of a persistent id (torch.save's storages). */
  persistentLoad(pid: unknown): unknown;
  /** REDUCE: func(*args), func being a value findGlobal returned. */
  reduce(func: unknown, args: unknown[]): unknown;
  /** NEWOBJ: cls.__new__(cls, *args). */
  newobj(cls: unknown, args: unknown[]): unknown;
  /** BUILD: inst.__setstate__(state); `state` is a raw dict (a Map). */
  build(inst: unknown, state: unknown): void;
}

/**
 * A Python dict or OrderedDict while unpickling: a Map, turned into its final
 * form at the end. `attrs` are instance attributes set by BUILD (an
 * OrderedDict's `_metadata`), defined as non-enumerable properties.
 */
class RawDict extends Map<unknown, unknown> {
  readonly attrs = new Map<string, unknown>();
  constructor(readonly ordered: boolean) { super(); }
}

/** A new dict (ordered: an OrderedDict) for hooks to return; SETITEM(S) fill it. */
export function newRawDict(ordered: boolean): Map<unknown, unknown> { return new RawDict(ordered); }
/** Is this a dict as the unpickler builds it before conversion (for hooks)? */
export function isRawDict(v: unknown): v is Map<unknown, unknown> { return v instanceof RawDict; }
export function isRawOrderedDict(v: unknown): v is Map<unknown, unknown> { return v instanceof RawDict && v.ordered; }
/** Sets an instance attribute of a dict being unpickled (BUILD). */
export function setRawDictAttr(d: Map<unknown, unknown>, name: string, value: unknown): void {
  if (!(d instanceof RawDict)) throw new UnpicklingError('attributes can only be set on dicts');
  d.attrs.set(name, value);
}

// ISO-8859-1 exactly, as Python's encoding='latin1' (WHATWG's TextDecoder('latin1') is windows-1252 in newer Nodes)
const latin1 = { decode: (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1') };
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

function hashable(k: unknown): unknown {
  if (k instanceof RawDict || (Array.isArray(k) && !isTuple(k)) || k instanceof Map) {
    throw new UnpicklingError(`unhashable type: '${k instanceof Map ? 'dict' : 'list'}' used as a dict key`);
  }
  return k;
}

/**
 * Reads a pickle. A dict or OrderedDict comes back as a plain object when
 * every key is a string (an OrderedDict's object marked ORDERED) and as a Map
 * otherwise (a dict's Map marked DICT); lists as arrays; tuples as arrays
 * marked TUPLE; ints as numbers (BigInt beyond 2^53); floats as numbers; str as
 * string; bytes as Buffer; None as null. Whatever hooks return is kept as is.
 */
export function loads(data: Uint8Array, hooks: UnpicklerHooks): unknown {
  if (!(data instanceof Uint8Array)) throw new TypeError(`pickle.loads(): data must be a Uint8Array or Buffer, not ${typeName(data)}`);
  if (hooks === null || typeof hooks !== 'object') throw new TypeError(`pickle.loads(): hooks must be an object, not ${typeName(hooks)}`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = data.length;
  let pos = 0;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const fail = (msg: string): never => { throw new UnpicklingError(msg); };
  const need = (k: number): void => {
    if (k < 0 || pos + k > n) fail(`the pickle data is truncated (needed ${k} bytes at offset ${pos}, ${n - pos} left)`);
  };
  const u8 = (): number => { need(1); return data[pos++]; };
  const u16 = (): number => { need(2); const v = view.getUint16(pos, true); pos += 2; return v; };
  const u32 = (): number => { need(4); const v = view.getUint32(pos, true); pos += 4; return v; };
  const i32 = (): number => { need(4); const v = view.getInt32(pos, true); pos += 4; return v; };
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true); pos += 8;
    if (v > BigInt(n)) fail('the pickle data is truncated (a length beyond its end)');
    return Number(v);
  };
  const take = (k: number): Uint8Array => { need(k); const b = data.subarray(pos, pos + k); pos += k; return b; };
  const line = (): string => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0) fail('the pickle data is truncated (a GLOBAL without its newline)');
    const s = latin1.decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const str = (b: Uint8Array): string => decodeStr(b);
  const pop = (): unknown => (stack.length ? stack.pop() : fail('pickle stack underflow'));
  const top = (): unknown => (stack.length ? stack[stack.length - 1] : fail('pickle stack underflow'));
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) fail('pickle MARK missing');
    stack = prev!;
    return items;
  };
  const long = (v: bigint): number | bigint =>
    (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v);
  const setItem = (d: unknown, k: unknown, v: unknown): void => {
    if (!(d instanceof RawDict)) fail(`SETITEM on a ${typeName(d)}, not a dict`);
    (d as RawDict).set(hashable(k), v);
  };
  const appendTo = (l: unknown, items: unknown[]): void => {
    if (!Array.isArray(l) || isTuple(l)) fail(`APPEND on a ${typeName(l)}, not a list`);
    for (const it of items) (l as unknown[]).push(it);
  };

  let result: unknown;
  let done = false;
  while (!done) {
    if (pos >= n) fail('the pickle data ended without a STOP opcode');
    const at = pos;
    const op = data[pos++];
    switch (op) {
      case OP.PROTO: { const p = u8(); if (p > 5) fail(`unsupported pickle protocol ${p}`); break; }
      case OP.FRAME: u64(); break;
      case OP.STOP: result = pop(); done = true; break;
      case OP.MARK: metastack.push(stack); stack = []; break;
      case OP.POP: pop(); break;
      case OP.POP_MARK: popMark(); break;
      case OP.DUP: stack.push(top()); break;
      case OP.NONE: stack.push(null); break;
      case OP.NEWTRUE: stack.push(true); break;
      case OP.NEWFALSE: stack.push(false); break;
      case OP.BININT: stack.push(i32()); break;
      case OP.BININT1: stack.push(u8()); break;
      case OP.BININT2: stack.push(u16()); break;
      case OP.LONG1: stack.push(long(decodeLong(take(u8())))); break;
      case OP.LONG4: {
        const len = i32();
        if (len < 0) fail('negative LONG4 length');
        stack.push(long(decodeLong(take(len))));
        break;
      }
      case OP.BINFLOAT: { need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; }
      case OP.BINUNICODE: stack.push(str(take(u32()))); break;
      case OP.SHORT_BINUNICODE: stack.push(str(take(u8()))); break;
      case OP.BINUNICODE8: stack.push(str(take(u64()))); break;
      case OP.SHORT_BINSTRING: stack.push(latin1.decode(take(u8()))); break;
      case OP.BINSTRING: { const len = i32(); if (len < 0) fail('negative BINSTRING length'); stack.push(latin1.decode(take(len))); break; }
      case OP.SHORT_BINBYTES: stack.push(Buffer.from(take(u8()))); break;
      case OP.BINBYTES: stack.push(Buffer.from(take(u32()))); break;
      case OP.BINBYTES8: stack.push(Buffer.from(take(u64()))); break;
      case OP.EMPTY_TUPLE: stack.push(tuple([])); break;
      case OP.TUPLE: { const t = tuple(popMark()); stack.push(t); break; }  // popMark replaces `stack`
      case OP.TUPLE1: { const a = pop(); stack.push(tuple([a])); break; }
      case OP.TUPLE2: { const b = pop(), a = pop(); stack.push(tuple([a, b])); break; }
      case OP.TUPLE3: { const c = pop(), b = pop(), a = pop(); stack.push(tuple([a, b, c])); break; }
      case OP.EMPTY_LIST: stack.push([]); break;
      case OP.LIST: { const l = popMark(); stack.push(l); break; }
      case OP.APPEND: { const v = pop(); appendTo(top(), [v]); break; }
      case OP.APPENDS: { const items = popMark(); appendTo(top(), items); break; }
      case OP.EMPTY_DICT: stack.push(new RawDict(false)); break;
      case OP.DICT: {
        const items = popMark();
        if (items.length % 2) fail('DICT with an odd number of items');
        const d = new RawDict(false);
        for (let i = 0; i < items.length; i += 2) d.set(hashable(items[i]), items[i + 1]);
        stack.push(d);
        break;
      }
      case OP.SETITEM: { const v = pop(), k = pop(); setItem(top(), k, v); break; }
      case OP.SETITEMS: {
        const items = popMark();
        if (items.length % 2) fail('SETITEMS with an odd number of items');
        const d = top();
        for (let i = 0; i < items.length; i += 2) setItem(d, items[i], items[i + 1]);
        break;
      }
      case OP.BINGET: case OP.LONG_BINGET: {
        const idx = op === OP.BINGET ? u8() : u32();
        if (!memo.has(idx)) fail(`memo key ${idx} not found`);
        stack.push(memo.get(idx));
        break;
      }
      case OP.BINPUT: case OP.LONG_BINPUT: {
        const idx = op === OP.BINPUT ? u8() : u32();
        memo.set(idx, top());
        break;
      }
      case OP.MEMOIZE: memo.set(memo.size, top()); break;
      case OP.GLOBAL: { const module = line(); const name = line(); stack.push(hooks.findGlobal(module, name)); break; }
      case OP.STACK_GLOBAL: {
        const name = pop(), module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(hooks.findGlobal(module as string, name as string));
        break;
      }
      case OP.REDUCE: {
        const args = pop();
        const func = pop();
        if (!isTuple(args)) fail('REDUCE arguments must be a tuple');
        stack.push(hooks.reduce(func, args as unknown[]));
        break;
      }
      case OP.NEWOBJ: {
        const args = pop();
        const cls = pop();
        if (!isTuple(args)) fail('NEWOBJ arguments must be a tuple');
        stack.push(hooks.newobj(cls, args as unknown[]));
        break;
      }
      case OP.BUILD: { const state = pop(); hooks.build(top(), state); break; }
      case OP.BINPERSID: { const pid = pop(); stack.push(hooks.persistentLoad(pid)); break; }
      default:
        fail(`unsupported pickle opcode ${OP_NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`} at offset ${at}` +
          (OP_NAMES[op] ? ' (torch.save does not write it; nothing was run)' : ''));
    }
  }
  return finalize(result);
}

function typeName(v: unknown): string {
  if (v instanceof RawDict) return 'dict';
  if (isTuple(v)) return 'tuple';
  if (Array.isArray(v)) return 'list';
  if (v === null) return 'None';
  return typeof v === 'object' ? describeJs(v) : typeof v;
}

/** Turns the RawDicts of a loaded graph into plain objects / Maps, keeping sharing and cycles. */
function finalize(root: unknown): unknown {
  const done = new Map<object, unknown>();
  const work: Array<() => void> = [];
  const define = (o: object, k: string, value: unknown, enumerable: boolean): void => {
    Object.defineProperty(o, k, { value, enumerable, writable: true, configurable: true });
  };
  const conv = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    const got = done.get(v);
    if (got !== undefined) return got;
    if (v instanceof RawDict) {
      let out: Record<string, unknown> | Map<unknown, unknown>;
      if ([...v.keys()].every((k) => typeof k === 'string')) {
        const o: Record<string, unknown> = {};
        if (v.ordered) markOrdered(o);
        work.push(() => { for (const [k, x] of v) define(o, k as string, conv(x), true); });
        out = o;
      } else {
        const m = new Map<unknown, unknown>();
        if (!v.ordered) markDict(m);
        work.push(() => { for (const [k, x] of v) m.set(conv(k), conv(x)); });
        out = m;
      }
      done.set(v, out);
      work.push(() => { for (const [k, x] of v.attrs) define(out, k, conv(x), false); });
      return out;
    }
    if (Array.isArray(v)) {
      done.set(v, v);
      work.push(() => { for (let i = 0; i < v.length; i++) v[i] = conv(v[i]); });
      return v;
    }
    return v;  // tensors, dtypes, devices, Buffers: made by hooks, final already
  };
  const value = conv(root);
  while (work.length) work.pop()!();
  return value;
}
