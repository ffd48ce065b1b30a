// torch.save / torch.load in PyTorch's zip format (the default since 1.6),
// both ways with Python.
//
// The archive is LibTorch's (native/serialize.cpp: PyTorchStreamReader /
// PyTorchStreamWriter). Inside it, `data.pkl` is a pickle that this file reads
// and writes with lib/pickle.ts, restricted like PyTorch's
// `torch.load(weights_only=True)`: only the globals torch.save emits for
// tensors and containers are accepted, and they only ever build data. Files
// written here are what torch.save (PyTorch 1.13) writes, byte for byte for
// tensors and state dicts, so Python loads them with weights_only=True.
//
// How Python values map to JS (load), and back (save):
//   Tensor / nn.Parameter      <-> Tensor (requires_grad as saved; storage sharing
//                                  and views kept: tensors that viewed one storage
//                                  in Python view one storage here, and the reverse)
//   OrderedDict (str keys)     <-> plain object (marked, so it saves back as an
//                                  OrderedDict; a state dict's `_metadata` becomes
//                                  the non-enumerable `_metadata` property, as
//                                  nn.Module.state_dict() makes it)
//   dict (str keys)            <-> plain object
//   dict / OrderedDict with other keys <-> Map (a Map saves as an OrderedDict
//                                  unless it came from a dict)
//   list                       <-> Array
//   tuple, torch.Size          <-> Array (marked, so it saves back as a tuple)
//   int                        <-> number (a BigInt beyond 2^53; integral JS numbers
//                                  save as int, others as float)
//   float / str / bool / None  <-> number / string / boolean / null
//   torch.dtype / torch.device <-> torch.dtype / torch.device
//   bytes                      <-> Buffer (a Buffer or plain Uint8Array saves as bytes)
// A plain object with a non-enumerable `_metadata` (a state_dict()) saves as an
// OrderedDict with that `_metadata`, exactly as Python's state_dict() pickles.
// Notes: a plain object orders integer-like keys ("0", "1") first, as JS does;
// a float with an integral value (1.0) loads as the JS number 1 and saves back
// as the int 1; a loaded nn.Parameter is a Tensor marked with PARAMETER (it
// saves back as a Parameter); PyTorch 1.13's own weights_only unpickler has no
// float opcode (BINFLOAT), so a file holding Python floats (a learning rate)
// loads there only with weights_only=False, whoever wrote it (2.x reads it).
import * as fs from 'node:fs';
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import { native, torchAtLeast, ZipReaderHandle } from './native';
import { Tensor } from './tensor';
import * as dt from './dtype';
import { dtype } from './dtype';
import { device, DeviceLike, deviceString } from './device';
import {
  dumps, loads, PyGlobal, PyTuple, PyReduce, PyPersistentId, PyStr, isTuple, tuple,
  newRawDict, isRawDict, isRawOrderedDict, setRawDictAttr, UnpicklingError,
} from './pickle';

// ---- the torch types a pickle may name -------------------------------------------------

const STORAGE_OF = new Map<dtype, string>([
  [dt.uint8, 'ByteStorage'], [dt.int8, 'CharStorage'], [dt.int16, 'ShortStorage'], [dt.int32, 'IntStorage'],
  [dt.int64, 'LongStorage'], [dt.float16, 'HalfStorage'], [dt.float32, 'FloatStorage'],
  [dt.float64, 'DoubleStorage'], [dt.bool, 'BoolStorage'], [dt.bfloat16, 'BFloat16Storage'],
]);
const DTYPE_OF_STORAGE = new Map<string, dtype>([...STORAGE_OF].map(([d, n]) => [n, d]));
/** Storage types PyTorch writes whose dtypes torch-node has no tensors for. */
const UNSUPPORTED_STORAGES: Record<string, string> = {
  ComplexFloatStorage: 'complex64', ComplexDoubleStorage: 'complex128', ComplexHalfStorage: 'complex32',
  QUInt8Storage: 'quint8', QInt8Storage: 'qint8', QInt32Storage: 'qint32', QUInt4x2Storage: 'quint4x2',
  QUInt2x4Storage: 'quint2x4',
};
const DTYPE_BY_NAME = new Map<string, dtype>(
  [dt.uint8, dt.int8, dt.int16, dt.int32, dt.int64, dt.float16, dt.float32, dt.float64, dt.bool, dt.bfloat16].map((d) => [d.name, d]));
/** Globals that PyTorch's weights_only loader allows but torch-node cannot build. */
const UNSUPPORTED_GLOBALS: Record<string, string> = {
  'torch._utils._rebuild_sparse_tensor': 'sparse tensors',
  'torch._utils._rebuild_sparse_csr_tensor': 'sparse CSR tensors',
  'torch._utils._rebuild_meta_tensor_no_storage': 'meta tensors',
  'torch._utils._rebuild_qtensor': 'quantized tensors',
  'torch._utils._rebuild_parameter_with_state': 'Parameters with Python attributes',
  'torch._utils._rebuild_wrapper_subclass': 'tensor subclasses',
  'torch._utils._rebuild_tensor_v3': 'tensors of this dtype',
  'torch._tensor._rebuild_from_type_v2': 'tensor subclasses or tensors with Python attributes',
  'torch.serialization._get_layout': 'sparse tensors',
};

/** What an allowed GLOBAL stands for while unpickling (never anything callable). */
class Allowed {
  constructor(readonly qualified: string) {}
}
class StorageType {
  constructor(readonly name: string, readonly dtype: dtype) {}
}
const A = {
  OrderedDict: new Allowed('collections.OrderedDict'),
  rebuild_tensor_v2: new Allowed('torch._utils._rebuild_tensor_v2'),
  rebuild_tensor: new Allowed('torch._utils._rebuild_tensor'),
  rebuild_parameter: new Allowed('torch._utils._rebuild_parameter'),
  Parameter: new Allowed('torch.nn.parameter.Parameter'),
  device: new Allowed('torch.device'),
  Size: new Allowed('torch.Size'),
  codecs_encode: new Allowed('_codecs.encode'),
  bytes: new Allowed('__builtin__.bytes'),
  bytes3: new Allowed('builtins.bytes'),
};
const ALLOWED = new Map<string, Allowed | StorageType>([
  ...Object.values(A).map((a): [string, Allowed] => [a.qualified, a]),
  ['torch.UntypedStorage', new StorageType('UntypedStorage', dt.uint8)],
  ['torch.storage.UntypedStorage', new StorageType('UntypedStorage', dt.uint8)],
  ...[...DTYPE_OF_STORAGE].map(([n, d]): [string, StorageType] => [`torch.${n}`, new StorageType(n, d)]),
]);

const G = {
  OrderedDict: new PyGlobal('collections', 'OrderedDict'),
  rebuild_tensor_v2: new PyGlobal('torch._utils', '_rebuild_tensor_v2'),
  rebuild_parameter: new PyGlobal('torch._utils', '_rebuild_parameter'),
  device: new PyGlobal('torch', 'device'),
  codecs_encode: new PyGlobal('_codecs', 'encode'),
  bytes: new PyGlobal('__builtin__', 'bytes'),
};

// ---- save -----------------------------------------------------------------------------

export interface SaveOptions {
  /** Only 2 (torch.save's default) is written. */
  pickle_protocol?: number;
  /** Only the zip format (true, the default) is written. */
  _use_new_zipfile_serialization?: boolean;
}

/** Where torch.save writes: a path, or anything with a write(bytes) method (as Python's file objects). */
export type SaveTarget = string | URL | { write(data: Uint8Array): unknown };

/**
 * Marks a tensor that torch.load read as an nn.Parameter (non-enumerable), so
 * that saving it again writes a Parameter, as Python would.
 */
export const PARAMETER = Symbol.for('torch-node.serialization.parameter');

function isParameter(t: Tensor): boolean {
  if ((t as unknown as Record<symbol, unknown>)[PARAMETER] === true) return true;
  for (let p = Object.getPrototypeOf(t); p && p !== Tensor.prototype; p = Object.getPrototypeOf(p)) {
    if ((p as { constructor?: { name?: string } }).constructor?.name === 'Parameter') return true;
  }
  return false;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  const name = (v as object).constructor?.name;
  return name ? `a ${name}` : 'an object';
}

/**
 * torch.save(obj, f): writes `obj` (tensors, state dicts, and containers of
 * them: see the table at the top of this file) to `f` in PyTorch's zip
 * format, readable by Python's `torch.load(f, weights_only=True)`.
 */
export function save(obj: unknown, f: SaveTarget, opts: SaveOptions = {}): void {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`torch.save: argument 'opts' must be an options object, not ${typeName(opts)}`);
  if (opts.pickle_protocol !== undefined && opts.pickle_protocol !== 2) {
    throw new Error(`torch.save: torch-node writes pickle protocol 2 only (torch.save's default), not ${opts.pickle_protocol}`);
  }
  if (opts._use_new_zipfile_serialization === false) {
    throw new Error('torch.save: torch-node writes the zip format only (_use_new_zipfile_serialization=True)');
  }
  let path: string | null = null;
  if (typeof f === 'string') {
    if (f.includes('\0')) throw new TypeError('torch.save: the path must not contain a NUL character');
    path = f;
  } else if (f instanceof URL) {
    path = fileURLToPath(f);
  }
  else if (f === null || typeof f !== 'object' || typeof (f as { write?: unknown }).write !== 'function') {
    throw new TypeError(`torch.save: f must be a path or an object with a write() method, not ${typeName(f)}`);
  }

  // 1. The pickle, as torch.save's persistent_id and Tensor.__reduce_ex__ make it.
  const keyOf = new Map<string, string>();       // storage id -> key ("0", "1", ...)
  const dtypeOf = new Map<string, dtype>();      // storage id -> dtype it is saved as
  const storages = new Map<string, Tensor>();    // key -> a tensor on that storage
  const tensorReduce = (t: Tensor, forParameter: boolean): PyReduce => {
    if (t.is_disposed) throw new Error('torch.save: a tensor in obj was disposed');
    const d = t.dtype;
    const storageName = STORAGE_OF.get(d);
    if (!storageName) throw new TypeError(`torch.save: cannot save tensors of dtype ${d}`);
    const [sid, nbytes, offset, hasData] = native.tensor_storage_info(t._h);
    if (hasData) {
      const prev = dtypeOf.get(sid);
      if (prev !== undefined && prev !== d) {
        throw new Error('Cannot save multiple tensors or storages that view the same data as different types');
      }
      dtypeOf.set(sid, d);
    }
    let key = keyOf.get(sid);
    if (key === undefined) { key = String(keyOf.size); keyOf.set(sid, key); }
    storages.set(key, t);
    const location = t.device.toString();
    const pid = new PyTuple([
      new PyStr('storage'), new PyGlobal('torch', storageName), new PyStr(key, 'key'),
      // location_tag: the literal 'cpu', or a new 'cuda:N' string each time
      new PyStr(location, location === 'cpu' ? 'data' : 'fresh'), Math.floor(nbytes / d.itemsize),
    ]);
    return new PyReduce(G.rebuild_tensor_v2, new PyTuple([
      new PyPersistentId(pid), offset, new PyTuple(t.shape), new PyTuple(t.stride()),
      forParameter ? false : t.requires_grad, new PyReduce(G.OrderedDict, new PyTuple([])),
    ]));
  };
  const pkl = dumps(obj, {
    reduce(v: object) {
      if (v instanceof Tensor) {
        if (!isParameter(v)) return tensorReduce(v, false);
        return new PyReduce(G.rebuild_parameter, new PyTuple([
          tensorReduce(v, true), v.requires_grad, new PyReduce(G.OrderedDict, new PyTuple([])),
        ]));
      }
      if (v instanceof dtype) return new PyGlobal('torch', v.name);
      if (v instanceof Uint8Array && (Buffer.isBuffer(v) || Object.getPrototypeOf(v) === Uint8Array.prototype)) {
        // Python bytes, as protocol 2 writes them: _codecs.encode(latin-1 text, 'latin1'), or bytes() when empty
        if (v.length === 0) return new PyReduce(G.bytes, new PyTuple([]));
        return new PyReduce(G.codecs_encode, new PyTuple([new PyStr(Buffer.from(v).toString('latin1'), 'fresh'), 'latin1']));
      }
      if (v instanceof device) {
        const type = new PyStr(v.type, 'fresh');
        return new PyReduce(G.device, new PyTuple(v.index === null ? [type] : [type, v.index]));
      }
      return undefined;
    },
    describe: (v) => `${typeName(v)} (torch.save takes tensors, numbers, BigInts, strings, booleans, null, ` +
      'arrays, plain objects, Maps, Buffers, dtypes and devices)',
  });

  // 2. The archive: data.pkl, the records the version's Python adds (byteorder
  // since 2.1; .format_version and .storage_alignment since 2.7), then each
  // storage: in key order as strings before 2.7, in pickling order (numeric)
  // since (format version 1). The writer adds `version` (and, since 2.x,
  // .data/serialization_id) when it finishes.
  const numericOrder = torchAtLeast(2, 7);
  const keys = numericOrder ? [...storages.keys()].sort((a, b) => Number(a) - Number(b)) : [...storages.keys()].sort();
  const extraRecords: [string, string][] = [];
  if (numericOrder) extraRecords.push(['.format_version', '1'], ['.storage_alignment', '64']);
  if (torchAtLeast(2, 1)) extraRecords.push(['byteorder', os.endianness() === 'LE' ? 'little' : 'big']);
  const write = (target: string | null): Buffer | undefined => {
    let w;
    try {
      w = native.zip_open_writer(target);
    } catch (e) {
      throw new Error(`torch.save: cannot write ${target}: ${nativeMessage(e)}`, { cause: e });
    }
    let finished = false;
    try {
      native.zip_write_record(w, 'data.pkl', pkl);
      for (const [name, text] of extraRecords) native.zip_write_record(w, name, Buffer.from(text, 'latin1'));
      for (const k of keys) native.zip_write_storage(w, `data/${k}`, storages.get(k)!._h);
      const out = native.zip_finish_writer(w);
      finished = true;
      return out;
    } catch (e) {
      throw new Error(`torch.save: writing ${target ?? 'the archive'} failed: ${nativeMessage(e)}`, { cause: e });
    } finally {
      if (!finished) {
        native.zip_abort_writer(w);
        if (target !== null) removeBroken(target);
      }
    }
  };
  if (path === null) {
    (f as { write(data: Uint8Array): unknown }).write(write(null)!);
    return;
  }
  write(path);
  // An error that only shows when the file is closed (a full disk) leaves a
  // truncated archive behind: read its directory back once (regular files
  // only: a pipe or a device cannot be read back).
  if (!fs.statSync(path).isFile()) return;
  let records: string[] | null = null;
  try {
    const r = native.zip_open_reader(path);
    try { records = native.zip_records(r); } finally { native.zip_close_reader(r); }
  } catch {
    records = null;
  }
  // Every record we wrote must be there (LibTorch 2.x's writer adds records of
  // its own, such as byteorder and .data/serialization_id, so no count check).
  const have = new Set(records ?? []);
  if (records === null || !['data.pkl', ...keys.map((k) => `data/${k}`)].every((n) => have.has(n))) {
    removeBroken(path);
    throw new Error(`torch.save: ${path} could not be written completely (is the disk full?)`);
  }
}

/** A LibTorch message without CAFFE_ENFORCE's "[enforce fail at file:line] . " prefix. */
function nativeMessage(e: unknown): string {
  return String((e as Error)?.message ?? e).replace(/^\[enforce fail at [^\]]*\] \.? ?/, '');
}

/** Removes what a failed save left at p: only a regular file (never a device such as /dev/full). */
function removeBroken(p: string): void {
  try {
    if (!fs.lstatSync(p).isFile()) return;
    fs.truncateSync(p, 0);   // frees the space even while a leaked writer holds it open
    fs.unlinkSync(p);
  } catch { /* gone already */ }
}

// ---- load -------------------------------------------------------------------------------

/**
 * Where loaded storages go (Python's map_location): a device ('cpu', 'cuda:0',
 * a torch.device), an object mapping saved locations to devices
 * ({ 'cuda:1': 'cuda:0' }), or a function (storage, location) returning a
 * tensor, a device, or null/undefined for the default (the saved location).
 */
export type MapLocation = DeviceLike | Record<string, DeviceLike>
  | ((storage: Tensor, location: string) => Tensor | DeviceLike | null | undefined) | null;

export interface LoadOptions {
  map_location?: MapLocation;
  /**
   * Accepted for Python's sake: torch-node always loads as
   * `weights_only=True` does (only tensors and containers; nothing is run).
   */
  weights_only?: boolean;
}

/** What torch.load reads: a path, or the bytes of a file (as Python's BytesIO). */
export type LoadSource = string | URL | Uint8Array | ArrayBuffer;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
// protocol-2 pickle of torch.serialization's MAGIC_NUMBER (0x1950a86a20f9469cfc6c), the legacy format's first item
const LEGACY_MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

function startsWith(b: Uint8Array, prefix: number[], at = 0): boolean {
  if (b.length < at + prefix.length) return false;
  return prefix.every((x, i) => b[at + i] === x);
}

function readHead(source: string): Uint8Array {
  const fd = fs.openSync(source, 'r');
  try {
    const head = Buffer.alloc(512);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

function checkFormat(head: Uint8Array, name: string): void {
  if (startsWith(head, ZIP_MAGIC)) return;
  const convert = 'Convert it once with Python\'s PyTorch (1.6 or newer): ' +
    `python3 -c "import torch; torch.save(torch.load('old.pt'), 'new.pt')", then load new.pt.`;
  if ((head[0] === 0x80 && startsWith(head, LEGACY_MAGIC, 2)) ||
      (head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar')) {
    throw new Error(`torch.load: ${name} is in PyTorch's legacy serialization format (written before PyTorch 1.6, ` +
      `or with _use_new_zipfile_serialization=False), which torch-node does not read. ${convert}`);
  }
  if (head.length === 0) throw new Error(`torch.load: ${name} is empty`);
  throw new Error(`torch.load: ${name} is not a file written by torch.save: it does not start with a zip header ` +
    '(PK\\x03\\x04) nor with the legacy format\'s magic number');
}

/** A storage read from the archive (what a persistent id stands for). */
class LoadedStorage {
  constructor(readonly key: string, readonly dtype: dtype, readonly base: Tensor) {}
}
/** One use of a storage in the pickle (each BINPERSID); a tensor must take it. */
class StorageUse {
  used = false;
  constructor(readonly storage: LoadedStorage) {}
}

const isSafeInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function intList(v: unknown, what: string): number[] {
  if (!Array.isArray(v) || !v.every(isSafeInt)) throw new UnpicklingError(`${what} must be a tuple of integers`);
  return v as number[];
}

function cudaAvailable(): boolean { return native.build_info().cuda_available; }

function defaultRestore(location: string): string {
  if (location === 'cpu') return 'cpu';
  const m = /^cuda(?::(\d+))?$/.exec(location);
  if (m) {
    if (!cudaAvailable()) {
      throw new Error('Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. ' +
        'If you are running on a CPU-only machine, please use torch.load with map_location=torch.device(\'cpu\') ' +
        'to map your storages to the CPU.');
    }
    const count = native.build_info().cuda_device_count;
    const index = m[1] === undefined ? 0 : Number(m[1]);
    if (index >= count) {
      throw new Error(`Attempting to deserialize object on CUDA device ${index} but torch.cuda.device_count() is ${count}. ` +
        'Please use torch.load with map_location to map your storages to an existing device.');
    }
    return location;
  }
  throw new Error(`torch.load: don't know how to restore data location '${location}' (the device a storage was saved on); ` +
    'pass map_location, e.g. torch.load(f, { map_location: \'cpu\' })');
}

/**
 * torch.load(f, { map_location }): reads a file written by torch.save (in
 * Python or here). Only tensors and containers are read, as with
 * `weights_only=True`; any other global in the pickle is refused with an error
 * naming it, and nothing from the file is ever run. A state dict comes back as
 * a plain object (with `_metadata`), so `model.load_state_dict(torch.load(p))`
 * works as in Python. The second argument may also be map_location itself.
 */
// The default type is what torch.load most often reads: a state dict. Name another: load<Tensor>(p).
export function load<T = Record<string, Tensor>>(f: LoadSource, opts: LoadOptions | Exclude<MapLocation, Record<string, DeviceLike>> = {}): T {
  const options: LoadOptions = opts === null || typeof opts === 'string' || typeof opts === 'function' || opts instanceof device
    ? { map_location: opts } : opts;
  if (options === null || typeof options !== 'object') throw new TypeError(`torch.load: the second argument must be map_location or an options object, not ${typeName(options)}`);
  const mapLocation = options.map_location ?? null;
  if (mapLocation !== null && !['string', 'function', 'object'].includes(typeof mapLocation)) {
    throw new TypeError(`torch.load: map_location must be a device, a dict of locations or a function, not ${typeName(mapLocation)}`);
  }

  let source: string | Uint8Array, name: string, head: Uint8Array;
  if (typeof f === 'string' || f instanceof URL) {
    source = f instanceof URL ? fileURLToPath(f) : f;
    name = source;
    head = readHead(source);
  } else if (f instanceof Uint8Array || f instanceof ArrayBuffer) {
    source = f instanceof ArrayBuffer ? new Uint8Array(f) : f;
    name = 'the given bytes';
    head = source.subarray(0, 512);
  } else {
    throw new TypeError(`torch.load: f must be a path or the bytes of a file, not ${typeName(f)}`);
  }
  checkFormat(head, name);

  let reader: ZipReaderHandle;
  try {
    reader = native.zip_open_reader(source);
  } catch (e) {
    throw new Error(`torch.load: ${name} is not a readable PyTorch zip archive (corrupted or truncated?): ${nativeMessage(e)}`, { cause: e });
  }
  // LibTorch's errors on what the file holds (a record that cannot be read, a
  // tensor beyond its storage), said as such.
  const fromFile = <R>(fn: () => R): R => {
    try {
      return fn();
    } catch (e) {
      throw new (e instanceof RangeError ? RangeError : Error)(`torch.load: ${name} is corrupted: ${nativeMessage(e)}`, { cause: e });
    }
  };
  const created: Tensor[] = [];   // every tensor made here, disposed if loading fails
  const bases: Tensor[] = [];     // storage tensors, only used to make views
  let ok = false;
  try {
    const records = fromFile(() => native.zip_records(reader));
    if (records.includes('constants.pkl')) {
      throw new Error(`torch.load: ${name} is a TorchScript archive (written by torch.jit.save), not a torch.save file: load it with torch.jit.load`);
    }
    if (!records.includes('data.pkl')) throw new Error(`torch.load: ${name} has no data.pkl record: not a torch.save file`);
    let swap = false;
    if (records.includes('byteorder')) {
      const order = fromFile(() => native.zip_read_record(reader, 'byteorder')).toString('latin1');
      if (order !== 'little' && order !== 'big') throw new Error(`torch.load: ${name}: unknown byteorder '${order}'`);
      swap = order !== os.endianness().replace('LE', 'little').replace('BE', 'big');
    }
    const recordSet = new Set(records);
    const loaded = new Map<string, LoadedStorage>();
    const uses: StorageUse[] = [];

    const restore = (base: Tensor, location: string): Tensor => {
      let target: string | null = null;
      if (typeof mapLocation === 'function') {
        const r = mapLocation(base, location);
        if (r instanceof Tensor) {
          if (r !== base) created.push(r);
          return r;
        }
        target = r === null || r === undefined ? defaultRestore(location) : deviceString(r);
      } else if (typeof mapLocation === 'string' || mapLocation instanceof device) {
        target = deviceString(mapLocation);
      } else if (mapLocation !== null && typeof mapLocation === 'object') {
        const mapped = Object.prototype.hasOwnProperty.call(mapLocation, location) ? mapLocation[location] : undefined;
        target = defaultRestore(mapped === undefined ? location : deviceString(mapped));
      } else {
        target = defaultRestore(location);
      }
      if (target === 'cpu') return base;
      const moved = base.to(target);
      if (moved !== base) created.push(moved);
      return moved;
    };

    const persistentLoad = (pid: unknown): unknown => {
      if (!isTuple(pid) || pid.length !== 5 || pid[0] !== 'storage') {
        throw new UnpicklingError('only persistent ids of storages are allowed, as (\'storage\', type, key, location, size)');
      }
      const [, stype, key, location, numel] = pid;
      if (!(stype instanceof StorageType)) throw new UnpicklingError('a storage id must name a storage type');
      if (typeof key !== 'string' || typeof location !== 'string' || !isSafeInt(numel) || numel < 0) {
        throw new UnpicklingError('a storage id must be (\'storage\', type, key: str, location: str, size: int)');
      }
      let s = loaded.get(key);
      if (s === undefined) {
        const record = `data/${key}`;
        if (!recordSet.has(record)) throw new UnpicklingError(`the pickle refers to storage '${record}', which the archive does not hold`);
        const cpu = new Tensor(fromFile(() => native.zip_read_storage(reader, record, stype.dtype.code, numel, swap)));
        created.push(cpu);
        bases.push(cpu);
        const base = restore(cpu, location);
        if (base !== cpu) bases.push(base);
        s = new LoadedStorage(key, stype.dtype, base);
        loaded.set(key, s);
      }
      const use = new StorageUse(s);
      uses.push(use);
      return use;
    };

    const rebuildTensor = (args: unknown[], what: string): Tensor => {
      const [use, offset, size, stride] = args;
      if (!(use instanceof StorageUse)) throw new UnpicklingError(`${what}: the first argument must be a storage`);
      use.used = true;
      const storage = use.storage;
      if (!isSafeInt(offset)) throw new UnpicklingError(`${what}: storage_offset must be an integer`);
      const sizes = intList(size, `${what}: size`), strides = intList(stride, `${what}: stride`);
      const t = new Tensor(fromFile(() => native.tensor_from_storage(storage.base._h, sizes, strides, offset)));
      created.push(t);
      return t;
    };
    const makeParameter = (data: unknown, requiresGrad: unknown, what: string): Tensor => {
      if (!(data instanceof Tensor)) throw new UnpicklingError(`${what}: data must be a tensor`);
      if (typeof requiresGrad !== 'boolean') throw new UnpicklingError(`${what}: requires_grad must be a bool`);
      // Python's Parameter(data) is a new tensor on data's storage; data is a
      // tensor this load just made for it (torch.save never shares it), so it
      // becomes the parameter itself.
      fromFile(() => data.requires_grad_(requiresGrad));
      Object.defineProperty(data, PARAMETER, { value: true, enumerable: false, configurable: true });
      return data;
    };

    const value = loads(fromFile(() => native.zip_read_record(reader, 'data.pkl')), {
      findGlobal(module, gname) {
        const q = `${module}.${gname}`;
        const allowed = ALLOWED.get(q);
        if (allowed) return allowed;
        if (module === 'torch' && DTYPE_BY_NAME.has(gname)) return DTYPE_BY_NAME.get(gname);
        if (module === 'torch' && UNSUPPORTED_STORAGES[gname]) {
          throw new UnpicklingError(`torch-node has no ${UNSUPPORTED_STORAGES[gname]} tensors (the file holds a torch.${gname})`);
        }
        if (UNSUPPORTED_GLOBALS[q]) throw new UnpicklingError(`torch-node cannot load ${UNSUPPORTED_GLOBALS[q]} (the file uses ${q})`);
        throw new UnpicklingError(`refusing the global '${q}': it is not one of the tensor and container types that ` +
          'torch.load(weights_only=True) allows, so the file was not loaded (nothing in it was run)');
      },
      persistentLoad,
      reduce(func, args) {
        if (func === A.rebuild_tensor_v2) {
          if (args.length !== 6 && args.length !== 7) throw new UnpicklingError('_rebuild_tensor_v2 takes 6 or 7 arguments');
          const t = rebuildTensor(args, '_rebuild_tensor_v2');
          if (typeof args[4] !== 'boolean') throw new UnpicklingError('_rebuild_tensor_v2: requires_grad must be a bool');
          if (args[4]) fromFile(() => t.requires_grad_(true));
          return t;
        }
        if (func === A.rebuild_tensor) {
          if (args.length !== 4) throw new UnpicklingError('_rebuild_tensor takes 4 arguments');
          return rebuildTensor(args, '_rebuild_tensor');
        }
        if (func === A.OrderedDict) {
          const d = newRawDict(true);
          if (args.length === 0) return d;
          if (args.length === 1 && Array.isArray(args[0])) {
            for (const pair of args[0]) {
              if (!Array.isArray(pair) || pair.length !== 2) throw new UnpicklingError('OrderedDict() items must be pairs');
              d.set(pair[0], pair[1]);
            }
            return d;
          }
          throw new UnpicklingError('OrderedDict() takes no arguments or a list of pairs here');
        }
        if (func === A.rebuild_parameter) {
          if (args.length !== 3) throw new UnpicklingError('_rebuild_parameter takes 3 arguments');
          return makeParameter(args[0], args[1], '_rebuild_parameter');
        }
        if (func === A.Parameter) {
          if (args.length < 1 || args.length > 2) throw new UnpicklingError('Parameter() takes 1 or 2 arguments');
          return makeParameter(args[0], args.length === 2 ? args[1] : true, 'Parameter');
        }
        if (func === A.device) {
          const [type, index] = args;
          if (typeof type !== 'string' || args.length > 2 || (args.length === 2 && index !== null && !isSafeInt(index))) {
            throw new UnpicklingError('torch.device() takes a type string and an optional index');
          }
          try {
            return new device(type, args.length === 2 && index !== null ? (index as number) : undefined);
          } catch (e) {
            throw new UnpicklingError(`torch.device(): ${(e as Error).message}`);
          }
        }
        if (func === A.Size) {
          if (args.length !== 1) throw new UnpicklingError('torch.Size() takes one argument');
          return tuple([...intList(args[0], 'torch.Size()')]);
        }
        if (func === A.bytes || func === A.bytes3) {
          if (args.length !== 0) throw new UnpicklingError('bytes() is allowed without arguments only');
          return Buffer.alloc(0);
        }
        if (func === A.codecs_encode) {
          const [s, enc] = args;
          if (typeof s !== 'string' || (enc !== 'latin1' && enc !== 'latin-1')) throw new UnpicklingError('_codecs.encode() is allowed for latin1 bytes only');
          return Buffer.from(s, 'latin1');
        }
        if (func instanceof StorageType) throw new UnpicklingError(`torch.${func.name} cannot be called here`);
        if (func instanceof dtype) throw new UnpicklingError(`${func} cannot be called`);
        throw new UnpicklingError(`REDUCE on ${func instanceof Allowed ? func.qualified : 'a value that is not an allowed global'}`);
      },
      newobj(cls, args) {
        if (cls === A.Parameter) {
          if (args.length < 1 || args.length > 2) throw new UnpicklingError('Parameter() takes 1 or 2 arguments');
          return makeParameter(args[0], args.length === 2 ? args[1] : true, 'Parameter');
        }
        throw new UnpicklingError('NEWOBJ is only allowed for torch.nn.Parameter');
      },
      build(inst, state) {
        if (!isRawOrderedDict(inst)) throw new UnpicklingError('BUILD (setting attributes) is only allowed on an OrderedDict');
        if (!isRawDict(state)) throw new UnpicklingError('an OrderedDict\'s state must be a dict');
        // Python sets any attribute; the one torch.save writes is a state dict's _metadata.
        if (state.has('_metadata')) setRawDictAttr(inst, '_metadata', state.get('_metadata'));
      },
    });
    if (uses.some((u) => !u.used)) {
      throw new Error(`torch.load: ${name} holds a bare storage (torch.save of a Storage, not a Tensor), which torch-node does not load`);
    }
    ok = true;
    return value as T;
  } catch (e) {
    if (e instanceof UnpicklingError) throw new Error(`torch.load: ${name}: ${e.message}`, { cause: e });
    throw e;
  } finally {
    native.zip_close_reader(reader);
    for (const b of bases) b.dispose();
    if (!ok) for (const t of created) t.dispose();
  }
}
