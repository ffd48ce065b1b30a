// The Python-level functions of torch.nn.functional that belong with the
// embedding and attention layers (embedding_bag, multi_head_attention_forward
// and its helpers), each as PyTorch 1.13's functional.py body reads, over ATen ops.
// Re-exported by functional.ts.
import { Tensor } from '../tensor';
import * as G from '../generated/torch';
import { no_grad } from '../autograd';
import { bind, pySize, Rest, typename } from './common';
import { warn } from '../warnings';

const T = G as unknown as Record<string, (...a: unknown[]) => any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface EmbeddingBagArgs {
  offsets: Tensor | null; max_norm: number | null; norm_type: number; scale_grad_by_freq: boolean; mode: 'sum' | 'mean' | 'max';
  sparse: boolean; per_sample_weights: Tensor | null; include_last_offset: boolean; padding_idx: number | null;
}
const MODES: Record<string, number> = { sum: 0, mean: 1, max: 2 };

/**
 * embedding_bag(input, weight, offsets = null, max_norm = null, norm_type = 2, scale_grad_by_freq = false,
 * mode = 'mean', sparse = false, per_sample_weights = null, include_last_offset = false, padding_idx = null)
 */
export function embedding_bag(input: Tensor, weight: Tensor, ...args: Rest<[Tensor | null, number | null, number, boolean, string, boolean, Tensor | null, boolean, number | null], Partial<EmbeddingBagArgs>>): Tensor {
  const a = bind<EmbeddingBagArgs>('embedding_bag', args, {
    offsets: null, max_norm: null, norm_type: 2, scale_grad_by_freq: false, mode: 'mean', sparse: false,
    per_sample_weights: null, include_last_offset: false, padding_idx: null,
  });
  for (const [n, v] of [['input', input], ['weight', weight]] as const) {
    if (!(v instanceof Tensor)) throw new TypeError(`embedding_bag(): argument '${n}' must be a Tensor, not ${typename(v)}`);
  }
  if (weight.dtype.name === 'int64' && input.is_floating_point()) {
    warn('Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.');
    [weight, input] = [input, weight];
  }
  let { offsets, per_sample_weights: psw } = a;
  if (psw !== null && (psw.dim() !== input.dim() || psw.shape.some((d, i) => d !== input.shape[i]))) {
    throw new Error(`embedding_bag: If per_sample_weights (${pySize(psw.shape)}) is not None, then it must have the same shape as the input (${pySize(input.shape)})`);
  }
  if (input.dim() === 2) {
    if (offsets !== null) {
      throw new Error(`if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length sequences. However, found offsets of type <class '${offsets instanceof Tensor ? 'torch.Tensor' : typename(offsets)}'>`);
    }
    offsets = T.arange(0, input.numel(), input.size(1), { dtype: input.dtype, device: input.device });
    input = input.reshape(-1);
    if (psw !== null) psw = psw.reshape(-1);
  } else if (input.dim() === 1) {
    if (offsets === null) throw new Error('offsets has to be a 1D Tensor but got None');
    if (offsets.dim() !== 1) throw new Error('offsets has to be a 1D Tensor');
  } else {
    throw new Error(`input has to be 1D or 2D Tensor, but got Tensor of dimension ${input.dim()}`);
  }
  if (!(a.mode in MODES)) throw new Error('mode has to be one of sum, mean or max');
  if (a.mode === 'max') {
    if (a.scale_grad_by_freq) throw new Error('max mode does not support scaling the gradient by the frequency');
    if (a.sparse) throw new Error('max mode does not support sparse weights');
  }
  if (a.max_norm !== null) no_grad(() => T.embedding_renorm_(weight, input, a.max_norm, a.norm_type));
  if (psw !== null && a.mode !== 'sum') {
    throw new Error(`embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' (got mode='${a.mode}'). Please open a feature request on GitHub.`);
  }
  const [ret] = T.embedding_bag(weight, input, offsets, a.scale_grad_by_freq, MODES[a.mode], a.sparse, psw, a.include_last_offset, a.padding_idx) as Tensor[];
  return ret;
}
