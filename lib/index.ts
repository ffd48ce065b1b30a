// torch: the package's main entry, laid out like PyTorch's `torch` namespace.
import { native, loadedBinary } from './native';
import * as autograd from './autograd';
import * as warnModule from './warnings';

export * from './dtype';
export { device } from './device';
export type { DeviceLike } from './device';
export { Tensor, GradFn, ValuesIndices } from './tensor';
export type { TensorOptions, Scalar, TensorOrScalar, IndexItem, Slice, Dims } from './tensor';
export * from './creation';
export * from './functions';
export { no_grad, enable_grad, set_grad_enabled, is_grad_enabled } from './autograd';
export { scope, keep, memory_stats } from './memory';
export { set_printoptions } from './printing';
export { autograd };
export * as hub from './hub';
export * as warnings from './warnings';
export { save, load } from './serialization';
export type { MapLocation, LoadOptions, SaveOptions } from './serialization';
export * as nn from './nn';
export * as optim from './optim';
export * as jit from './jit';
export * as distributed from './distributed';

// LibTorch's own warnings (TORCH_WARN) reach JS as Python's reach Python: UserWarnings at the call.
native.set_warning_callback((message: string) => warnModule.warn(message));

export const __version__ = '0.1.0';

/** torch.indexing: names for index items, as LibTorch's C++ torch::indexing. */
export const indexing = {
  None: null,
  Ellipsis: '...' as const,
  Slice: (start: number | null = null, stop: number | null = null, step: number | null = null) => ({ start, stop, step }),
};

export function set_num_threads(n: number): void { native.set_num_threads(n); }
export function get_num_threads(): number { return native.get_num_threads(); }

export const cuda = {
  is_available(): boolean { return native.build_info().cuda_available; },
  device_count(): number { return native.build_info().cuda_device_count; },
};

/** Which binary was loaded (prebuild or local build), against which LibTorch, and whether CUDA is usable. */
export function backend_info(): {
  binary: string; kind: string; built_against: string | null; torch_version: string;
  libtorch: { source: string; version: string | null; lib_dir: string } | null;
  cuda_available: boolean; cuda_device_count: number; num_threads: number;
} {
  const b = native.build_info();
  const found = loadedBinary.libtorch;
  return {
    binary: loadedBinary.path, kind: loadedBinary.kind, built_against: loadedBinary.built_against, torch_version: b.torch_version,
    libtorch: found ? { source: found.source, version: found.version, lib_dir: found.libDir } : null,
    cuda_available: b.cuda_available, cuda_device_count: b.cuda_device_count, num_threads: native.get_num_threads(),
  };
}
