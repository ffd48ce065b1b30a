// torch.autograd.forward_ad: dual tensors over LibTorch's forward-mode AD (its levels and
// ATen's _make_dual / _unpack_dual). `with dual_level():` is `dual_level(() => { ... })`.
// Levels are per process as in Python; custom autograd.Functions have no jvp here.
import { native } from './native';
import { Tensor, bindSimple } from './tensor';
import { _make_dual, _unpack_dual } from './generated/torch';

let currentLevel = -1;

export function enter_dual_level(): number {
  const level = native.dual_level_enter();
  if (level !== currentLevel + 1) {
    throw new Error('Entering a new forward AD level but the current level is not valid. Make sure you did not modified it directly.');
  }
  currentLevel = level;
  return level;
}

export function exit_dual_level(opts: { level?: number | null } = {}): void {
  const { level: given } = bindSimple('exit_dual_level', [opts], { level: null as number | null });
  const level = given ?? currentLevel;
  if (level !== currentLevel) throw new Error('Trying to exit a forward AD level that was not the last one that was created. This is not supported.');
  native.dual_level_exit(level);
  currentLevel = level - 1;
}

/** Python's `with forward_ad.dual_level():` around fn; returns fn's result. */
export function dual_level<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError('dual_level(): expected a function to run');
  enter_dual_level();
  try {
    return fn();
  } finally {
    exit_dual_level();
  }
}

/** make_dual(tensor, tangent, { level }): a tensor whose forward gradient at `level` is tangent. */
export function make_dual(tensor: Tensor, tangent: Tensor, opts: { level?: number | null } = {}): Tensor {
  const { level: given } = bindSimple('make_dual', [opts], { level: null as number | null });
  const level = given ?? currentLevel;
  if (level < 0) throw new Error('Trying to create a dual Tensor for forward AD but no level exists, make sure to enter_dual_level() first.');
  if (!(tensor instanceof Tensor) || !(tangent instanceof Tensor)) throw new TypeError('make_dual(): tensor and tangent must be Tensors');
  if (!tensor.dtype.is_floating_point) throw new Error(`Expected primal to be floating point or complex, but got: ${tensor.dtype}`);
  if (!tangent.dtype.is_floating_point) throw new Error(`Expected tangent to be floating point or complex, but got: ${tangent.dtype}`);
  return _make_dual(tensor, tangent, level) as Tensor;
}

export type UnpackedDualTensor = [Tensor, Tensor | null] & { primal: Tensor; tangent: Tensor | null };

/** unpack_dual(tensor, { level }) -> [primal, tangent] with .primal / .tangent (tangent null if none). */
export function unpack_dual(tensor: Tensor, opts: { level?: number | null } = {}): UnpackedDualTensor {
  const { level: given } = bindSimple('unpack_dual', [opts], { level: null as number | null });
  const level = given ?? currentLevel;
  const pack = (p: Tensor, t: Tensor | null): UnpackedDualTensor => Object.defineProperties([p, t], {
    primal: { get() { return p; } }, tangent: { get() { return t; } },
  }) as UnpackedDualTensor;
  if (level < 0) return pack(tensor, null);
  const [p, t] = _unpack_dual(tensor, level) as unknown as [Tensor, Tensor | null];
  // an undefined tangent comes back as a null handle
  return pack(p, t instanceof Tensor && t._h !== null ? t : null);
}
