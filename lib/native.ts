// The one place that loads the addon. Everything else in lib/ imports `native`
// from here and never a path into native/.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BinaryInfo, LibTorchFound, chooseBinary, describeMismatch, listPrebuilds, localBuild, prebuildVariant, recordedLibTorchPresent } from './binary';

/** An opaque reference to a LibTorch tensor owned by the addon. */
export type Handle = { readonly __brand: 'TensorHandle' };
/** Opaque handles to a zip archive being read / written (native/serialize.cpp). */
export type ZipReaderHandle = { readonly __brand: 'ZipReader' };
export type ZipWriterHandle = { readonly __brand: 'ZipWriter' };
/** An opaque handle to a TorchScript module (native/jit.cpp). */
export type FunctionHandle = { readonly __brand: 'AutogradFunction' };
export type NodeHandle = { readonly __brand: 'AutogradNode' };
export type JitModuleHandle = { readonly __brand: 'JitModule' };
/** An index item as the addon takes it (see Tensor.index). */
export type NativeIndex = number | null | boolean | '...' | Handle | { start: number | null; stop: number | null; step: number | null };

export interface BuildInfo {
  torch_version: string;
  cuda_available: boolean;
  cuda_device_count: number;
  cxx11_abi: boolean;
  parallel_info: string;
}

export interface NativeAddon {
  /** OpenMP's intra-op thread count of the calling thread only (a DataLoader worker's). */
  set_thread_num_threads(n: number): void;
  /** native/image.cpp: null where the addon was built without jpeglib.h. */
  jpeg_decoder(): { soname: string; error: string | null } | null;
  /** JPEG bytes to interleaved HWC samples; mode 0 (UNCHANGED), 1 (GRAY) or 3 (RGB). Throws libjpeg's message. */
  jpeg_decode(bytes: Uint8Array, mode: number): { data: Uint8Array; width: number; height: number; channels: number };
  op_handle(name: string, overload?: string): number;
  op_schema(op: number): string;
  context(name: string, value?: unknown, value2?: unknown): unknown;
  register_hook(h: Handle, hook: (grad: Handle) => Handle | undefined): number;
  remove_hook(h: Handle, pos: number): void;
  numpy_view(h: Handle): Float32Array | Float64Array | Uint8Array | Int8Array | Int16Array | Int32Array | BigInt64Array;
  generator_new(): unknown;
  generator_manual_seed(g: unknown, seed: number | bigint): void;
  generator_seed(g: unknown): string;
  generator_initial_seed(g: unknown): string;
  generator_get_state(g: unknown): Handle;
  generator_set_state(g: unknown, state: Handle): void;
  call(op: number, ...args: unknown[]): any; // eslint-disable-line @typescript-eslint/no-explicit-any

  frombuffer(buffer: ArrayBuffer, byteOffset: number, count: number, dtype: number): Handle;
  fromdata(data: ArrayBufferView, shape: number[], dtype: number): Handle;
  todata(h: Handle): Float32Array | Float64Array | Uint8Array | Int8Array | Int16Array | Int32Array | BigInt64Array;
  meta(h: Handle): [number[], number, string, boolean];
  shape(h: Handle): number[];
  dtype(h: Handle): number;
  strides(h: Handle): number[];
  device(h: Handle): string;
  is_contiguous(h: Handle): boolean;
  dispose(h: Handle): void;
  is_disposed(h: Handle): boolean;
  is_tensor(v: unknown): boolean;
  set_warning_callback(fn: (message: string) => void): void;
  memory_stats(): { tensors: number; bytes: number };

  manual_seed(seed: number | bigint): void;
  seed(): string;
  initial_seed(): string;
  /** This thread draws from a CPU generator of its own from now on (DataLoader workers). */
  use_thread_generator(seed: bigint): void;
  set_num_threads(n: number): void;
  get_num_threads(): number;
  set_default_dtype(code: number): void;
  get_default_dtype(): number;
  build_info(): BuildInfo;

  get_grad(h: Handle, last?: Handle | null): Handle | null;
  set_grad(h: Handle, g: Handle | null): void;
  grad_fn_name(h: Handle): string | null;
  is_grad_enabled(): boolean;
  set_grad_enabled(mode: boolean): void;
  autograd_grad(outputs: Handle[], inputs: Handle[], grad_outputs: (Handle | null)[] | null,
    retain_graph: boolean | null, create_graph: boolean, allow_unused: boolean): (Handle | null)[];

  // autograd.cpp: torch.autograd.Function and grad_fn objects
  /** outputs is rewritten in place with the outputs' handles. */
  function_apply(ctx: object, name: string, inputs: Handle[], outputs: (Handle | null)[], to_save: (Handle | null)[] | null,
    dirty: Handle[] | null, non_differentiable: Handle[] | null, materialize_grads: boolean): FunctionHandle;
  function_forward_begin(): number;
  function_forward_end(modes: number): void;
  function_set_runner(runBackward: (ctx: object, grads: (Handle | null)[]) => (Handle | null)[]): void;
  tensor_requires_grad(h: Handle): boolean;
  function_saved_tensors(f: FunctionHandle): (Handle | null)[];
  function_node(f: FunctionHandle): NodeHandle | null;
  undefined_grad(h: Handle): Handle;
  delayed_error(outputs: (Handle | null)[], message: string): (Handle | null)[];
  tensor_grad_fn(h: Handle): NodeHandle | null;
  node_name(n: NodeHandle): string;
  node_next_functions(n: NodeHandle): [NodeHandle | null, number][];
  node_ctx(n: NodeHandle): object | null;
  node_metadata(n: NodeHandle): Record<string, unknown>;
  node_variable(n: NodeHandle): Handle | undefined;
  node_register_hook(n: NodeHandle, hook: (gradInputs: (Handle | null)[], gradOutputs: (Handle | null)[]) => (Handle | null)[] | null | undefined): string;
  node_remove_hook(n: NodeHandle, key: string): boolean;
  backward_on_other_thread(h: Handle): string | null;
  inference_mode_enter(mode: boolean): number;
  inference_mode_exit(depth: number): void;
  is_inference_mode_enabled(): boolean;
  set_anomaly(mode: boolean, check_nan: boolean): void;
  dual_level_enter(): number;
  set_fw_grad_enabled(mode: boolean): boolean;
  dual_level_exit(level: number): void;

  index(h: Handle, indices: NativeIndex[]): Handle;
  index_put_(h: Handle, indices: NativeIndex[], value: Handle | number | boolean | bigint): Handle;

  // serialize.cpp: the zip container of torch.save / torch.load
  zip_open_reader(source: string | Uint8Array | ArrayBuffer): ZipReaderHandle;
  zip_close_reader(r: ZipReaderHandle): void;
  zip_records(r: ZipReaderHandle): string[];
  zip_has_record(r: ZipReaderHandle, name: string): boolean;
  zip_read_record(r: ZipReaderHandle, name: string): Buffer;
  zip_read_storage(r: ZipReaderHandle, name: string, dtype: number, numel: number, swap_bytes: boolean): Handle;
  tensor_from_storage(base: Handle, size: number[], stride: number[], storage_offset: number): Handle;
  tensor_storage_info(h: Handle): [storage_id: string, nbytes: number, storage_offset: number, has_data: boolean];
  zip_open_writer(path: string | null): ZipWriterHandle;
  zip_write_record(w: ZipWriterHandle, name: string, data: Uint8Array): void;
  zip_write_storage(w: ZipWriterHandle, name: string, h: Handle): void;
  zip_finish_writer(w: ZipWriterHandle): Buffer | undefined;
  zip_abort_writer(w: ZipWriterHandle): void;
  zip_writer_archive_name(w: ZipWriterHandle): string;

  // jit.cpp: TorchScript modules
  jit_load(source: string | Uint8Array | ArrayBuffer, device: string | null): JitModuleHandle;
  jit_save(m: JitModuleHandle, path: string | null): Buffer | undefined;
  jit_methods(m: JitModuleHandle): [name: string, schema: string, args: string[], takesDict: boolean[]][];
  jit_call(m: JitModuleHandle, method: string, positional: unknown, keywords: unknown): unknown;
  jit_call_async(m: JitModuleHandle, method: string, positional: unknown, keywords: unknown): [Promise<unknown>, number];
  jit_cancel(job: number): boolean;
  jit_async_threads(n: number | null): number;
  jit_named_tensors(m: JitModuleHandle, kind: 'parameters' | 'buffers', recurse: boolean): [string, Handle][];
  jit_named_children(m: JitModuleHandle): [string, JitModuleHandle][];
  jit_train(m: JitModuleHandle, mode: boolean | null): boolean;
  jit_type_name(m: JitModuleHandle): string;
  jit_to(m: JitModuleHandle, device: string | null, dtype: number | null, non_blocking: boolean): JitModuleHandle;
  jit_code(m: JitModuleHandle, method: string): string;
  jit_graph(m: JitModuleHandle, method: string): string;
  jit_freeze(m: JitModuleHandle, optimize_for_inference: boolean): JitModuleHandle;
  jit_trace(spec: unknown, fn: (...inputs: Handle[]) => unknown, inputs: Handle[], strict: boolean, force_outplace: boolean): JitModuleHandle;
}

export const packageRoot = path.resolve(__dirname, '..');

/** Facts about the binary that was loaded (see torch.backend_info()). */
export interface LoadedBinary {
  path: string;
  kind: 'local build' | 'prebuild';
  built_against: string | null;
  libtorch: LibTorchFound | null;
}
export let loadedBinary: LoadedBinary;

// dlopen flags: RTLD_NODELETE keeps a preloaded library mapped after Node's
// process.dlopen gives up on it (it is not an addon).
const RTLD_NODELETE = process.platform === 'linux' ? 0x1000 : process.platform === 'darwin' ? 0x80 : 0;

/**
 * A prebuild's run path points at the machine it was built on: load the
 * LibTorch libraries found here first (same sonames), so that the dynamic
 * linker uses them without LD_LIBRARY_PATH.
 */
function preloadLibTorch(libDir: string): void {
  if (process.platform === 'win32') return; // Windows: the DLL directory is added to PATH below
  const ext = process.platform === 'darwin' ? '.dylib' : '.so';
  const flags = os.constants.dlopen.RTLD_NOW | os.constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE;
  for (const lib of ['libc10', 'libtorch_cpu', 'libc10_cuda', 'libtorch_cuda', 'libtorch']) {
    const file = path.join(libDir, lib + ext);
    if (!fs.existsSync(file)) continue;
    try {
      process.dlopen({ exports: {} }, file, flags);
    } catch (e) {
      if (!/did not self-register|Module did not/.test((e as Error).message)) throw e;
    }
  }
}

// Discovery may run Python (about half a second): its answer is kept in the
// environment, which worker threads and child processes inherit, so a
// DataLoader's workers do not each run it again. Keyed by what it depends on.
const FOUND_ENV = 'TORCH_NODE_LIBTORCH_FOUND';

function findLibTorchNow(): LibTorchFound {
  const key = JSON.stringify([process.env.LIBTORCH ?? null, process.env.TORCH_NODE_PYTHON ?? null, process.env.PATH ?? null]);
  try {
    const kept = JSON.parse(process.env[FOUND_ENV] ?? 'null') as { key: string; found: LibTorchFound } | null;
    if (kept && kept.key === key && fs.existsSync(kept.found.libDir)) return kept.found;
  } catch { /* not ours, or stale: discover again */ }
  // scripts/libtorch.js is the one discovery (build time and run time).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { findLibTorch } = require(path.join(packageRoot, 'scripts', 'libtorch.js')) as { findLibTorch(): LibTorchFound };
  const found = findLibTorch();
  process.env[FOUND_ENV] = JSON.stringify({ key, found });
  return found;
}

function chooseAndLoad(): NativeAddon {
  const explicit = process.env.TORCH_NODE_BINARY;
  const local = localBuild(packageRoot);
  let chosen: BinaryInfo | null;
  let torch: LibTorchFound | null = null;
  if (explicit) {
    const variant = prebuildVariant(explicit);
    chosen = { path: explicit, kind: variant ? 'prebuild' : 'local build', torch_version: variant?.torch_version ?? null, cuda: !!variant?.cuda,
      cuda_version: variant?.cuda_version ?? null, lib_dir: null };
  } else if (local && !process.env.LIBTORCH && recordedLibTorchPresent(local) && listPrebuilds(packageRoot).length === 0) {
    // A source checkout or a source install: built here, its LibTorch still
    // where it was, and no prebuild it could shadow (no discovery needed).
    chosen = local;
    torch = { source: 'as recorded at build time', version: local.torch_version, libDir: local.lib_dir as string, cuda: local.cuda,
      cuda_version: local.cuda_version ?? null };
  } else {
    torch = findLibTorchNow(); // throws, naming every place it looked and the fix
    chosen = chooseBinary(packageRoot, torch);
    if (!chosen) throw Object.assign(new Error(describeMismatch(packageRoot, torch)), { code: 'TORCH_NODE_NO_MATCHING_BINARY' });
    if (chosen.kind === 'prebuild') {
      if (process.platform === 'win32') process.env.PATH = `${torch.libDir};${process.env.PATH}`;
      else preloadLibTorch(torch.libDir);
    }
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addon = require(chosen.path) as NativeAddon;
    loadedBinary = { path: chosen.path, kind: chosen.kind, built_against: chosen.torch_version, libtorch: torch };
    return addon;
  } catch (e) {
    const err = e as Error;
    const want = chosen.torch_version ? `LibTorch ${chosen.torch_version}${chosen.lib_dir ? ` (${chosen.lib_dir})` : ''}` : 'the LibTorch it was built against';
    throw Object.assign(new Error(`torch-node: could not load ${chosen.kind} ${chosen.path}, built against ${want}` +
      `${torch ? `; LibTorch found: ${torch.version} (${torch.libDir})` : ''}:\n${err.message}\n` +
      'Fix: `npm rebuild torch-node` builds for the LibTorch found now; or make the LibTorch it was built against available again.',
    { cause: err }), { code: 'TORCH_NODE_LOAD_FAILED' });
  }
}

export const native: NativeAddon = chooseAndLoad();

/** The LibTorch version the addon was built against, for Python behaviours that changed between versions. */
const [TORCH_MAJOR, TORCH_MINOR] = native.build_info().torch_version.split('.').map(Number);
export function torchAtLeast(major: number, minor: number): boolean {
  return TORCH_MAJOR > major || (TORCH_MAJOR === major && TORCH_MINOR >= minor);
}
