// torch.<name> written by hand where Python writes it in Python (torch/functional.py
// and friends) or adds behaviour; every other name is generated (lib/generated/torch.ts).
import { native } from './native';
import { Tensor, op, bindSimple } from './tensor';
import * as dt from './dtype';
import * as G from './generated/torch';
import { dtype, dtypeFromCode } from './dtype';

const { call } = native;

const BROADCAST = op('broadcast_tensors');
function tensors(name: string, ts: readonly Tensor[]): unknown[] {
  if (!Array.isArray(ts)) throw new TypeError(`torch.${name}(): argument 'tensors' must be an array of Tensors`);
  return ts.map((x, i) => {
    if (!(x instanceof Tensor)) throw new TypeError(`torch.${name}(): expected Tensor as element ${i} in argument 'tensors', but got ${x === null ? 'null' : typeof x}`);
    return x._h;
  });
}
/** torch.broadcast_tensors(*tensors) */
export function broadcast_tensors(...ts: Tensor[]): Tensor[] {
  return (call(BROADCAST, tensors('broadcast_tensors', ts)) as unknown[]).map((x) => new Tensor(x as Tensor['_h']));
}
/** torch.norm(input, p='fro', dim=None, keepdim=False, out=None, dtype=None): Python's torch.functional.norm. */
export function norm(...args: unknown[]): Tensor {
  const a = bindSimple('norm', args, { input: undefined as unknown as Tensor, p: 'fro' as number | 'fro' | null, dim: null as number | number[] | null, keepdim: false, out: null as Tensor | null, dtype: null as dtype | null });
  if (!(a.input instanceof Tensor)) throw new TypeError(`norm(): argument 'input' (position 1) must be Tensor, not ${typeof a.input}`);
  const r = a.input.norm(a.p, a.dim, { keepdim: a.keepdim, dtype: a.dtype });
  if (a.out === null) return r;
  a.out.resize_(r.shape).copy_(r);
  r.dispose();
  return a.out;
}
/** torch.nonzero(input, *, as_tuple=False) (Python binds it by hand). */
export function nonzero(input: Tensor): Tensor;
export function nonzero(input: Tensor, opts: { as_tuple: true }): Tensor[];
export function nonzero(input: Tensor, opts: { as_tuple?: boolean }): Tensor | Tensor[];
export function nonzero(input: Tensor, opts: { as_tuple?: boolean } = {}): Tensor | Tensor[] {
  if (!(input instanceof Tensor)) throw new TypeError(`nonzero(): argument 'input' (position 1) must be Tensor, not ${typeof input}`);
  return input.nonzero(opts);
}

/** torch.is_tensor(obj) */
export function is_tensor(obj: unknown): obj is Tensor { return obj instanceof Tensor; }
/** torch.is_storage(obj): torch-node has no Storage objects. */
export function is_storage(obj: unknown): false { void obj; return false; }
/** torch.numel(input) */
export function numel(input: Tensor): number { return input.numel(); }
/** torch.typename(obj): 'torch.FloatTensor' for a tensor. */
export function typename(obj: unknown): string {
  if (obj instanceof Tensor) return obj.type();
  return obj === null || obj === undefined ? 'NoneType' : (obj as object).constructor?.name ?? typeof obj;
}
/** torch.unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None) */
export function unique(...args: unknown[]): Tensor | Tensor[] { return withInput('unique', args).unique(...args.slice(1)); }
/** torch.unique_consecutive(input, return_inverse=False, return_counts=False, dim=None) */
export function unique_consecutive(...args: unknown[]): Tensor | Tensor[] { return withInput('unique_consecutive', args).unique_consecutive(...args.slice(1)); }
/** The input of a hand-written torch.f(input, ...): positional, or `input` in the options object (then taken out of it). */
function withInput(fn: string, args: unknown[]): Tensor {
  if (args[0] instanceof Tensor) return args[0];
  const last = args[args.length - 1];
  if (args.length === 1 && last !== null && typeof last === 'object' && 'input' in last) {
    const { input, ...rest } = last as { input: unknown };
    args.splice(0, 1, input, rest);
    if (input instanceof Tensor) return input;
  }
  throw new TypeError(`${fn}(): argument 'input' (position 1) must be Tensor, not ${typeof args[0]}`);
}
/** torch.lu(A, pivot=True, get_infos=False) */
export function lu(A: Tensor, ...args: unknown[]): Tensor[] { return A.lu(...args); }
/** torch.broadcast_shapes(*shapes): the shape the shapes broadcast to. */
export function broadcast_shapes(...shapes: (number | number[])[]): number[] {
  const list = shapes.map((s) => {
    if (typeof s === 'number') return [s];
    if (!Array.isArray(s) || !s.every((d) => Number.isInteger(d))) throw new Error(`Input shapes should be of type ints, a tuple of ints, or a list of ints, got ${String(s)}`);
    return s;
  });
  const n = Math.max(0, ...list.map((s) => s.length));
  const out: number[] = Array(n).fill(1);
  list.forEach((s, k) => {
    s.forEach((d, i) => {
      const o = n - s.length + i;
      if (d === 1) return;
      if (out[o] === 1) out[o] = d;
      else if (out[o] !== d) throw new Error(`Shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is at ${py(shapes[k])}`);
    });
  });
  return out;
}
const py = (v: unknown): string => (Array.isArray(v) ? `(${v.join(', ')}${v.length === 1 ? ',' : ''})` : String(v));
/** torch.get_device(input): -1 on the CPU. */
export function get_device(input: Tensor): number { return input.get_device(); }
/** Removed from PyTorch in 1.9: the same error as Python's. */
export function eig(): never { throw new Error('This function was deprecated since version 1.9 and is now removed. Please use the `torch.linalg.eig` function instead.'); }
export function lstsq(): never { throw new Error("('This function was deprecated since version 1.9 and is now removed.', 'Please use the `torch.linalg.lstsq` function instead.')"); }
export function solve(): never { throw new Error('This function was deprecated since version 1.9 and is now removed. Please use the `torch.linalg.solve` function instead.'); }
export function matrix_rank(): never { throw new Error("('This function was deprecated since version 1.9 and is now removed.', 'Please use the `torch.linalg.matrix_rank` function instead.')"); }
/** torch.compiled_with_cxx11_abi() */
export function compiled_with_cxx11_abi(): boolean { return native.build_info().cxx11_abi; }
// ---- LibTorch's global switches --------------------------------------------------
const ctx = native.context;
const flag = (name: string) => [(): boolean => ctx(name) as boolean, (mode: boolean): void => { checkBool(name, mode); ctx(name, mode); }] as const;
function checkBool(fn: string, v: unknown): void { if (typeof v !== 'boolean') throw new TypeError(`${fn}(): argument must be bool, not ${typeof v}`); }
/** torch.use_deterministic_algorithms(mode, *, warn_only=False) */
export function use_deterministic_algorithms(mode: boolean, opts: { warn_only?: boolean } = {}): void {
  for (const k of Object.keys(opts)) if (k !== 'warn_only') throw new TypeError(`use_deterministic_algorithms() got an unexpected keyword argument '${k}'`);
  checkBool('use_deterministic_algorithms', mode);
  ctx('deterministic', mode);
  ctx('deterministic_warn_only', opts.warn_only ?? false);
}
export function are_deterministic_algorithms_enabled(): boolean { return ctx('deterministic') as boolean; }
export function is_deterministic_algorithms_warn_only_enabled(): boolean { return ctx('deterministic_warn_only') as boolean; }
/** torch.set_deterministic_debug_mode(0 | 1 | 2 | 'default' | 'warn' | 'error') */
export function set_deterministic_debug_mode(debug_mode: number | string): void {
  const modes: Record<string, number> = { default: 0, warn: 1, error: 2 };
  const m = typeof debug_mode === 'string' ? modes[debug_mode] : debug_mode;
  if (m === undefined) throw new Error(`invalid value of debug_mode, expected one of \`default\`, \`warn\`, \`error\`, but got ${debug_mode}`);
  if (m !== 0 && m !== 1 && m !== 2) throw new Error(`invalid value of debug_mode, expected 0, 1, or 2, but got ${m}`);
  ctx('deterministic', m !== 0);
  ctx('deterministic_warn_only', m === 1);
}
export function get_deterministic_debug_mode(): number {
  if (!are_deterministic_algorithms_enabled()) return 0;
  return is_deterministic_algorithms_warn_only_enabled() ? 1 : 2;
}
export function get_num_interop_threads(): number { return ctx('num_interop_threads') as number; }
export function set_num_interop_threads(n: number): void { ctx('num_interop_threads', n); }
export function init_num_threads(): void { ctx('init_num_threads'); }
export function set_flush_denormal(mode: boolean): boolean { return ctx('flush_denormal', mode) as boolean; }
export function get_float32_matmul_precision(): string { return ctx('float32_matmul_precision') as string; }
export function set_float32_matmul_precision(precision: 'highest' | 'high' | 'medium'): void { ctx('float32_matmul_precision', precision); }
// at::autocast's per-device thread-local state (native: tn::compat::autocast).
function autocastDevice(fn: string, device_type: unknown): string {
  if (typeof device_type !== 'string') throw new TypeError(`${fn}(): argument 'device_type' must be str, not ${device_type === null ? 'None' : typeof device_type}`);
  if (!/^(cpu|cuda)$/.test(device_type)) throw new Error(`${fn}(): unsupported autocast device_type '${device_type}' (torch-node: 'cpu' or 'cuda')`);
  return device_type;
}
/** torch.is_autocast_enabled(device_type = 'cuda') */
export function is_autocast_enabled(device_type = 'cuda'): boolean { return ctx('autocast_enabled', autocastDevice('is_autocast_enabled', device_type)) as boolean; }
/** torch.set_autocast_enabled(enabled) for CUDA, or torch.set_autocast_enabled(device_type, enabled) */
export function set_autocast_enabled(a: string | boolean, b?: boolean): void {
  const [device, enabled] = typeof a === 'string' ? [a, b] : ['cuda', a];
  checkBool('set_autocast_enabled', enabled);
  ctx('autocast_enabled', autocastDevice('set_autocast_enabled', device), enabled);
}
export function is_autocast_cpu_enabled(): boolean { return is_autocast_enabled('cpu'); }
export function set_autocast_cpu_enabled(enabled: boolean): void { set_autocast_enabled('cpu', enabled); }
export const [is_autocast_cache_enabled, set_autocast_cache_enabled] = flag('autocast_cache_enabled');
/** torch.get_autocast_dtype(device_type) */
export function get_autocast_dtype(device_type: string): dtype { return dtypeFromCode(ctx('autocast_dtype', autocastDevice('get_autocast_dtype', device_type)) as number); }
export function set_autocast_dtype(device_type: string, d: dtype): void {
  if (!(d instanceof dtype)) throw new TypeError(`set_autocast_dtype(): argument 'dtype' must be torch.dtype`);
  ctx('autocast_dtype', autocastDevice('set_autocast_dtype', device_type), d.code);
}
export function get_autocast_cpu_dtype(): dtype { return get_autocast_dtype('cpu'); }
export function set_autocast_cpu_dtype(d: dtype): void { set_autocast_dtype('cpu', d); }
export function get_autocast_gpu_dtype(): dtype { return get_autocast_dtype('cuda'); }
export function set_autocast_gpu_dtype(d: dtype): void { set_autocast_dtype('cuda', d); }
export function clear_autocast_cache(): void { ctx('autocast_clear_cache'); }
export function autocast_increment_nesting(): number { return ctx('autocast_increment_nesting') as number; }
export function autocast_decrement_nesting(): number { return ctx('autocast_decrement_nesting') as number; }
/** Inside torch.inference_mode(...) (c10::InferenceMode). */
export function is_inference_mode_enabled(): boolean { return native.is_inference_mode_enabled(); }
export const [is_anomaly_enabled, set_anomaly_enabled] = flag('anomaly_enabled');
export function is_anomaly_check_nan_enabled(): boolean { return ctx('anomaly_check_nan') as boolean; }
export const [is_warn_always_enabled, set_warn_always] = flag('warn_always');
/** torch.set_default_tensor_type(t): 'torch.FloatTensor' / 'torch.DoubleTensor' (CPU) sets the default dtype. */
export function set_default_tensor_type(t: string): void {
  const m: Record<string, dtype> = { 'torch.FloatTensor': dt.float32, 'torch.DoubleTensor': dt.float64 };
  if (!(t in m)) throw new TypeError(`invalid type ${t} for set_default_tensor_type (torch-node: 'torch.FloatTensor' or 'torch.DoubleTensor')`);
  dt.set_default_dtype(m[t]);
}
/** torch.fill(input, value): a new tensor of input's shape filled with value. */
export function fill(input: Tensor, value: number | boolean | Tensor): Tensor {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { ops } = require('./ops') as typeof import('./ops');
  return (value instanceof Tensor ? ops.aten.fill.Tensor(input, value) : ops.aten.fill.Scalar(input, value)) as Tensor;
}
/** torch.range(start, end, step=1): end included (deprecated in Python, as here). */
export function range(start: number, end: number, ...args: unknown[]): Tensor {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { ops } = require('./ops') as typeof import('./ops');
  return ops.aten.range(start, end, ...args) as Tensor;
}

type Kw = Record<string, unknown>;
const isKw = (v: unknown): v is Kw => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Tensor);
/** torch.einsum(equation, *operands) as Python's torch.functional.einsum: operands as arguments or one array. */
export function einsum(equation: string, ...operands: (Tensor | Tensor[])[]): Tensor {
  const list = operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands as Tensor[];
  return G.einsum(equation, list);
}
/** torch.meshgrid(*tensors, indexing=None) as Python's: tensors as arguments or one array, then { indexing }. */
export function meshgrid(...args: (Tensor | Tensor[] | { indexing?: 'ij' | 'xy' })[]): Tensor[] {
  const kw = isKw(args[args.length - 1]) ? args.pop() as Kw : {};
  for (const k of Object.keys(kw)) if (k !== 'indexing') throw new TypeError(`meshgrid() got an unexpected keyword argument '${k}'`);
  const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args as Tensor[];
  return kw.indexing === undefined || kw.indexing === null ? G.meshgrid(list) : G.meshgrid(list, { indexing: kw.indexing as string });
}
/** torch.atleast_1d/2d/3d(*tensors): one tensor, or a list for several (as Python). */
export function atleast_1d(...ts: (Tensor | Tensor[])[]): Tensor | Tensor[] { return atleast(G.atleast_1d as (t: Tensor | Tensor[]) => Tensor | Tensor[], ts); }
export function atleast_2d(...ts: (Tensor | Tensor[])[]): Tensor | Tensor[] { return atleast(G.atleast_2d as (t: Tensor | Tensor[]) => Tensor | Tensor[], ts); }
export function atleast_3d(...ts: (Tensor | Tensor[])[]): Tensor | Tensor[] { return atleast(G.atleast_3d as (t: Tensor | Tensor[]) => Tensor | Tensor[], ts); }
function atleast(f: (t: Tensor | Tensor[]) => Tensor | Tensor[], ts: (Tensor | Tensor[])[]): Tensor | Tensor[] {
  return ts.length === 1 ? f(ts[0]) : f(ts as Tensor[]);
}
