// torch: the package's main entry, laid out like PyTorch's `torch` namespace.
import { native, loadedBinary } from './native';
import * as autograd from './autograd';
import * as warnModule from './warnings';

export * from './dtype';
export { device } from './device';
export type { DeviceLike } from './device';
export { Tensor, GradFn, ValuesIndices } from './tensor';
export type { TensorOptions, Scalar, TensorOrScalar, IndexItem, Slice, Dims } from './tensor';
export {
  full, randint, randint_like, tensor, frombuffer, as_tensor, from_blob, manual_seed, seed, initial_seed, from_numpy, asarray,
} from './creation';
export {
  broadcast_tensors, norm, nonzero, is_tensor, is_storage, numel, typename, unique, unique_consecutive, lu, broadcast_shapes,
  get_device, eig, lstsq, solve, matrix_rank, compiled_with_cxx11_abi, range, fill,
  use_deterministic_algorithms, are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled,
  set_deterministic_debug_mode, get_deterministic_debug_mode, get_num_interop_threads, set_num_interop_threads,
  init_num_threads, set_flush_denormal, get_float32_matmul_precision, set_float32_matmul_precision,
  is_autocast_enabled, set_autocast_enabled, is_autocast_cpu_enabled, set_autocast_cpu_enabled,
  is_autocast_cache_enabled, set_autocast_cache_enabled, get_autocast_cpu_dtype, set_autocast_cpu_dtype,
  get_autocast_gpu_dtype, set_autocast_gpu_dtype, clear_autocast_cache, autocast_increment_nesting,
  autocast_decrement_nesting, is_inference_mode_enabled, is_anomaly_enabled, set_anomaly_enabled,
  is_anomaly_check_nan_enabled, is_warn_always_enabled, set_warn_always, set_default_tensor_type,
  einsum, meshgrid, atleast_1d, atleast_2d, atleast_3d,
} from './functions';
export { no_grad, enable_grad, set_grad_enabled, is_grad_enabled } from './autograd';
export { inference_mode } from './autograd';
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
export * as futures from './futures';
export * as utils from './utils';

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

import * as cudaFns from './cuda';
import * as amp_ from './amp';
/** torch.cuda (lib/cuda.ts) with torch.cuda.amp. */
export const cuda = Object.freeze({ ...cudaFns, amp: Object.freeze({ autocast: amp_.cuda_autocast, GradScaler: amp_.CudaGradScaler }) });
/** torch.cpu.amp.autocast */
export const cpu = Object.freeze({ amp: Object.freeze({ autocast: amp_.cpu_autocast }) });
/** torch.amp: autocast and the device-generic GradScaler. */
export const amp = Object.freeze({ autocast: amp_.autocast, GradScaler: amp_.GradScaler });
export { autocast } from './amp';
export { backends } from './backends';

/** Which binary was loaded (prebuild or local build), against which LibTorch, and whether CUDA is usable. */
export function backend_info(): {
  binary: string; kind: string; built_against: string | null; torch_version: string;
  libtorch: { source: string; version: string | null; lib_dir: string; cuda: boolean; cuda_version: string | null } | null;
  cuda_available: boolean; cuda_device_count: number; num_threads: number;
} {
  const b = native.build_info();
  const found = loadedBinary.libtorch;
  return {
    binary: loadedBinary.path, kind: loadedBinary.kind, built_against: loadedBinary.built_against, torch_version: b.torch_version,
    libtorch: found ? { source: found.source, version: found.version, lib_dir: found.libDir, cuda: found.cuda, cuda_version: found.cuda_version ?? null } : null,
    cuda_available: b.cuda_available, cuda_device_count: b.cuda_device_count, num_threads: native.get_num_threads(),
  };
}

export { Generator, layout, strided, sparse_coo, memory_format, contiguous_format, preserve_format, channels_last, channels_last_3d } from './binder';
export type { NamedTuple } from './binder';
import { makeNamespace } from './binder';
import type { LinalgFunctions, FftFunctions, SpecialFunctions } from './generated/api';
/** torch.linalg, generated from the schemas. */
export const linalg: LinalgFunctions = makeNamespace<LinalgFunctions>('linalg');
/** torch.fft, generated from the schemas. */
export const fft: FftFunctions = makeNamespace<FftFunctions>('fft');
/** torch.special, generated from the schemas. */
export const special: SpecialFunctions = makeNamespace<SpecialFunctions>('special');

export { ops } from './ops';
export type { OpOverload, OpOverloadPacket } from './ops';

import { Generator as GeneratorClass, setTensorWrapper } from './generator';
import { Tensor as TensorClass } from './tensor';
import type { Handle } from './native';
setTensorWrapper((h) => new TensorClass(h as Handle));
/** The default CPU generator (torch.default_generator). */
export const default_generator: GeneratorClass = Object.create(GeneratorClass.prototype, {
  _h: { value: null }, device: { value: 'cpu' },
}) as GeneratorClass;
/** torch.get_rng_state(): the default generator's state as a uint8 tensor. */
export function get_rng_state(): TensorClass { return default_generator.get_state(); }
/** torch.set_rng_state(new_state) */
export function set_rng_state(new_state: TensorClass): void { default_generator.set_state(new_state); }

// Every other torch.<name>, generated (last: the hand-written exports above take precedence).
export * from './generated/torch';

// Argument checks on the exports loaded so far (lib/guard.ts).
import { installGuards } from './guard';
installGuards(module);
