// torchvision.ops.stochastic_depth: randomly dropping residual branches ("Deep Networks with
// Stochastic Depth", https://arxiv.org/abs/1603.09382), as torchvision 0.14.
import { Tensor } from '../../tensor';
import { Module } from '../../nn/module';
import { empty } from '../../generated/torch';
import { py } from '../../nn/common';

export type StochasticDepthMode = 'batch' | 'row';

/**
 * Zeroes the whole input ('batch') or each row of the batch ('row') with probability p in
 * training, scaling what survives by 1/(1-p); the input as it is otherwise.
 */
export function stochastic_depth(input: Tensor, p: number, mode: StochasticDepthMode, training = true): Tensor {
  if (typeof p !== 'number' || p < 0.0 || p > 1.0) throw new Error(`drop probability has to be between 0 and 1, but got ${py(p)}`);
  if (mode !== 'batch' && mode !== 'row') throw new Error(`mode has to be either 'batch' or 'row', but got ${String(mode)}`);
  if (!training || p === 0.0) return input;
  const survival_rate = 1.0 - p;
  const size = mode === 'row' ? [input.shape[0], ...Array(input.dim() - 1).fill(1)] : Array(input.dim()).fill(1);
  const noise = empty(size, { dtype: input.dtype, device: input.device });
  noise.bernoulli_(survival_rate);
  if (survival_rate > 0.0) noise.div_(survival_rate);
  const out = input.mul(noise);
  noise.dispose();
  return out;
}

/** The module form of stochastic_depth: `new StochasticDepth(p, mode)`. */
export class StochasticDepth extends Module {
  declare p: number;
  declare mode: StochasticDepthMode;
  constructor(p: number, mode: StochasticDepthMode) {
    super();
    this.p = p;
    this.mode = mode;
  }
  forward(input: Tensor): Tensor { return stochastic_depth(input, this.p, this.mode, this.training); }
  // Python's f"{p}" of the float p (0.0, 0.0125), as torchvision's __repr__.
  toString(): string { return `${this._get_name()}(p=${py(this.p, { float: true })}, mode=${this.mode})`; }
}
