// The one place that loads the addon. Everything else in lib/ imports `native`
// from here and never a path into native/.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** An opaque reference to a LibTorch tensor owned by the addon. */
export type Handle = { readonly __brand: 'TensorHandle' };
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
  op_handle(name: string, overload?: string): number;
  op_schema(op: number): string;
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
  memory_stats(): { tensors: number; bytes: number };

  manual_seed(seed: number | bigint): void;
  seed(): string;
  initial_seed(): string;
  set_num_threads(n: number): void;
  get_num_threads(): number;
  set_default_dtype(code: number): void;
  get_default_dtype(): number;
  build_info(): BuildInfo;

  get_grad(h: Handle): Handle | null;
  set_grad(h: Handle, g: Handle | null): void;
  grad_fn_name(h: Handle): string | null;
  is_grad_enabled(): boolean;
  set_grad_enabled(mode: boolean): void;
  autograd_grad(outputs: Handle[], inputs: Handle[], grad_outputs: (Handle | null)[] | null,
    retain_graph: boolean | null, create_graph: boolean, allow_unused: boolean): (Handle | null)[];

  index(h: Handle, indices: NativeIndex[]): Handle;
  index_put_(h: Handle, indices: NativeIndex[], value: Handle | number | boolean | bigint): Handle;
}

export const packageRoot = path.resolve(__dirname, '..');

/** Facts about the binary that was loaded (see torch.backend_info()). */
export interface LoadedBinary { path: string; kind: 'local build' | 'prebuild'; built_against: Record<string, unknown> | null }
export let loadedBinary: LoadedBinary;

function loadAddon(): NativeAddon {
  const candidates = [
    process.env.TORCH_NODE_BINARY,
    path.join(packageRoot, 'build', 'Release', 'torch_node.node'),
  ].filter((p): p is string => !!p);
  const file = candidates.find((p) => fs.existsSync(p));
  if (!file) {
    throw new Error(`torch-node: the native addon is not built (looked for ${candidates.join(', ')}). ` +
      'Run `npm run build` in the torch-node package (it needs a LibTorch, cmake and a C++17 compiler).');
  }
  let builtAgainst: Record<string, unknown> | null = null;
  const infoFile = path.join(path.dirname(path.dirname(file)), 'torch-node-build.json');
  if (fs.existsSync(infoFile)) builtAgainst = JSON.parse(fs.readFileSync(infoFile, 'utf8'));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const addon = require(file) as NativeAddon;
    loadedBinary = { path: file, kind: 'local build', built_against: builtAgainst };
    return addon;
  } catch (e) {
    const err = e as Error;
    const want = builtAgainst?.torch_version ? `LibTorch ${builtAgainst.torch_version} (${builtAgainst.libtorch_lib_dir})` : 'the LibTorch it was built against';
    throw new Error(`torch-node: could not load ${file}, built against ${want}: ${err.message}\n` +
      'The LibTorch found now is missing or of another version. Rebuild with `npm rebuild torch-node`, ' +
      'or make the LibTorch it was built against available again.', { cause: err });
  }
}

export const native: NativeAddon = loadAddon();
