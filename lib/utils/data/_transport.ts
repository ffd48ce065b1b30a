// How values cross between the main thread and DataLoader worker threads.
//
// Python pickles the dataset into each worker process: an object becomes a
// reference to its class (module + name) plus its __dict__, or whatever its
// __reduce__ says. The same here, as structured-clone data:
//  - a Tensor: its dtype, shape and a copy of its bytes (results are
//    transferred, not copied again, and the receiver wraps the buffer with
//    frombuffer, which holds the backing store). What goes to every worker
//    (the dataset) is copied once into a SharedArrayBuffer that the workers
//    all map, as PyTorch's spawned workers map a tensor's shared memory,
//    rather than cloned into each (47 MB of Fashion-MNIST, per worker);
//  - an object with `__reduce__()` returning [module, exportName, args]:
//    re-created by `new require(module)[exportName](...args)` (or a call, for a
//    function export);
//  - a function exported by a registered module: by that reference;
//  - an object with `__getstate__()` (an nn.Module) whose class is exported by a
//    registered module: the class reference and that state, restored with the
//    class's `__new__` (else Object.create) and `__setstate__`;
//  - an instance of a class exported by a registered module (torch-node's own
//    data, datasets and transforms modules, plus the DataLoader's
//    `worker_modules`): the class reference and its own properties, restored
//    with Object.create, as pickle restores __dict__ without calling __init__;
//  - arrays, plain objects, primitives, TypedArrays: as they are.
// A closure cannot cross (Python cannot pickle a lambda either): the error
// names the value and says what to do.
import * as path from 'node:path';
import { native, Handle } from '../../native';
import { Tensor, op } from '../../tensor';
import { dtypeFromCode } from '../../dtype';
import { unguarded } from '../../guard';

const RESHAPE = op('reshape');
const CONTIGUOUS = op('contiguous');
const COPY_ = op('copy_');
const TAG = '\u0000torch-node';

/** torch-node's modules whose classes may cross by reference, as compiled paths. */
const BUILTIN = ['dataset.js', 'sampler.js', 'collate.js'].map((f) => path.join(__dirname, f)).concat(
  ['../../nn/index.js', '../../torchvision/datasets/index.js', '../../torchvision/transforms/index.js', '../../torchvision/models/index.js'].map((f) => path.join(__dirname, f)));

type Encoded = unknown;

/** Tensors from this size up go to the workers in shared memory (smaller ones: a clone costs less). */
const SHARE_BYTES = 1 << 16;
/** The dtypes whose bytes todata() returns as they are. */
const TODATA = new Set(['float32', 'float64', 'uint8', 'bool', 'int8', 'int16', 'int32', 'int64']);
/** A tensor's values in a new (Shared)ArrayBuffer, copied once by LibTorch in their own dtype. */
function rawBytes(h: Handle, code: number, shape: number[], nbytes: number, share: boolean): Uint8Array {
  const buf = share ? new SharedArrayBuffer(nbytes) : new ArrayBuffer(nbytes);
  const flat = native.frombuffer(buf as ArrayBuffer, 0, nbytes / dtypeFromCode(code).itemsize, code);
  const dst = native.call(RESHAPE, flat, shape);
  try {
    native.call(COPY_, dst, h, false);
  } finally {
    if (dst !== flat) native.dispose(dst);
    native.dispose(flat);
  }
  return new Uint8Array(buf);
}

function findExport(ctor: unknown, modules: readonly string[]): [string, string] | null {
  for (const m of modules) {
    let exp: Record<string, unknown>;
    try { exp = require(m); } catch { continue; }
    for (const [name, v] of Object.entries(exp)) if (v === ctor || unguarded(v) === ctor) return [m, name];
  }
  return null;
}

function describe(v: unknown): string {
  if (typeof v === 'function') return `function ${v.name || '<anonymous>'}`;
  return `a ${(v as object)?.constructor?.name ?? typeof v}`;
}

/**
 * `transfer` collects the ArrayBuffers that may be moved rather than copied
 * (results); null when the value goes to several workers (the dataset).
 */
export function encode(v: unknown, transfer: ArrayBuffer[] | null, modules: readonly string[] = []): Encoded {
  if (v === null || v === undefined || typeof v !== 'object' && typeof v !== 'function') return v;
  if (v instanceof Tensor) {
    const code = native.dtype(v._h), shape = native.shape(v._h);
    const d = dtypeFromCode(code);
    const nbytes = shape.reduce((a, b) => a * b, 1) * d.itemsize;
    // A result goes as its raw bytes in an ArrayBuffer made here, which postMessage moves: the
    // external buffer todata() makes is copied instead (Node never transfers those), a second
    // copy of every batch (19 MB for 32 images of 224x224). A large value for every worker goes
    // shared; todata() widens float16/bfloat16 to float32 and has no complex: those go as bytes too.
    if (transfer !== null || nbytes >= SHARE_BYTES || !TODATA.has(d.name)) {
      const data = rawBytes(v._h, code, shape, nbytes, transfer === null);
      if (transfer) transfer.push(data.buffer as ArrayBuffer);
      return { [TAG]: 't', dtype: code, shape, data };
    }
    const c = native.is_contiguous(v._h) ? v._h : native.call(CONTIGUOUS, v._h, 0);
    const data = native.todata(c); // a fresh copy, cloned into the message
    if (c !== v._h) native.dispose(c);
    return { [TAG]: 't', dtype: code, shape, data };
  }
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v;
  if (Array.isArray(v)) return v.map((x) => encode(x, transfer, modules));
  const reduce = (v as { __reduce__?: () => [string, string, unknown[]] }).__reduce__;
  if (typeof reduce === 'function') {
    const [module, name, args] = reduce.call(v);
    return { [TAG]: 'r', module, name, args: encode(args, transfer, modules) };
  }
  const proto = Object.getPrototypeOf(v);
  // pickle's __getstate__/__setstate__ (an nn.Module: its parameters, buffers and submodules)
  if (typeof (v as { __getstate__?: unknown }).__getstate__ === 'function') {
    const ref = findExport(proto.constructor, [...BUILTIN, ...modules]);
    if (ref) return { [TAG]: 's', module: ref[0], name: ref[1], state: encode((v as { __getstate__: () => unknown }).__getstate__(), transfer, modules) };
  }
  if (typeof v === 'function' && proto === Function.prototype) {
    // a function crosses by reference, as pickle sends one: the module and the name it is exported as
    const ref = findExport(v, [...BUILTIN, ...modules]);
    if (ref) return { [TAG]: 'f', module: ref[0], name: ref[1] };
  }
  if (typeof v === 'object' && (proto === Object.prototype || proto === null)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = encode(x, transfer, modules);
    return out;
  }
  // an object, or a callable instance (torchvision's Transform: a function whose prototype is its class's)
  if (typeof v === 'object' || proto !== Function.prototype) {
    const ref = findExport(proto.constructor, [...BUILTIN, ...modules]);
    if (ref) {
      const state: Record<string, unknown> = {};
      for (const k of Object.keys(v as object)) state[k] = encode((v as Record<string, unknown>)[k], transfer, modules);
      return { [TAG]: 'o', module: ref[0], name: ref[1], state, callable: typeof v === 'function' };
    }
  }
  throw new TypeError(`cannot send ${describe(v)} to a DataLoader worker thread: export its class from a module ` +
    `listed in the DataLoader's worker_modules (it is then re-created there from its properties), or give it ` +
    `__reduce__() returning [module path, export name, constructor args]`);
}

export function decode(v: Encoded): unknown {
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v;
  if (Array.isArray(v)) return v.map(decode);
  const o = v as Record<string, unknown>;
  switch (o[TAG]) {
    case 't': {
      const data = o.data as ArrayBufferView;
      const d = dtypeFromCode(o.dtype as number);
      const flat = native.frombuffer(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength / d.itemsize, d.code);
      const t = native.call(RESHAPE, flat, o.shape);
      if (t !== flat) native.dispose(flat);
      return new Tensor(t);
    }
    case 'f': return require(o.module as string)[o.name as string];
    case 's': {
      const cls = require(o.module as string)[o.name as string];
      const obj = typeof cls.__new__ === 'function' ? cls.__new__(cls) : Object.create(cls.prototype);
      obj.__setstate__(decode(o.state));
      return obj;
    }
    case 'r': {
      const f = require(o.module as string)[o.name as string];
      const args = decode(o.args) as unknown[];
      return /^class[\s{]/.test(Function.prototype.toString.call(f)) ? Reflect.construct(f, args) : f(...args);
    }
    case 'o': {
      const proto = require(o.module as string)[o.name as string].prototype;
      let obj: Record<string, unknown>;
      if (o.callable) {
        const f = function (...args: unknown[]): unknown { return (f as unknown as { __call__: (...a: unknown[]) => unknown }).__call__(...args); };
        Reflect.deleteProperty(f, 'name');
        Reflect.deleteProperty(f, 'length');
        obj = Object.setPrototypeOf(f, proto);
      } else obj = Object.create(proto);
      for (const [k, x] of Object.entries(o.state as Record<string, unknown>)) obj[k] = decode(x);
      return obj;
    }
    default: {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(o)) out[k] = decode(x);
      return out;
    }
  }
}
