// PyTorch's checks on optimizer options, with its messages (ValueError -> RangeError).
import { py } from '../nn/common';

/** `if not 0.0 <= value: raise ValueError("Invalid <what>: {}")`. */
export function nonNegative(value: number, what: string): void {
  if (!(0.0 <= value)) throw new RangeError(`Invalid ${what}: ${py(value)}`);
}

/** Adam-style betas: a pair, each in [0, 1). */
export function checkBetas(betas: [number, number]): void {
  if (!Array.isArray(betas) || betas.length !== 2) throw new TypeError('betas must be a pair of numbers, as [0.9, 0.999]');
  if (!(0.0 <= betas[0] && betas[0] < 1.0)) throw new RangeError(`Invalid beta parameter at index 0: ${py(betas[0])}`);
  if (!(0.0 <= betas[1] && betas[1] < 1.0)) throw new RangeError(`Invalid beta parameter at index 1: ${py(betas[1])}`);
}
