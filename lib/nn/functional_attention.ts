// The Python-level functions of torch.nn.functional that belong with the
// embedding and attention layers (embedding_bag, multi_head_attention_forward
// and its helpers), each as PyTorch 1.13's functional.py body reads, over ATen ops.
// Re-exported by functional.ts.
import { Tensor } from '../tensor';
import { torchAtLeast } from '../native';
import * as G from '../generated/torch';
import { no_grad } from '../autograd';
import { bind, pySize, REQUIRED, Rest, typename } from './common';
import { bool } from '../dtype';
import { makeFunction } from '../binder';
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

// ---- multi-head attention -------------------------------------------------------------------

const shapeEq = (t: Tensor, s: number[]): boolean => t.dim() === s.length && t.shape.every((d, i) => d === s[i]);
const tup = (s: number[]): string => (s.length === 1 ? `(${s[0]},)` : `(${s.join(', ')})`);
/** Python's AssertionError: a plain Error with the assert's message. */
function check(ok: boolean, msg: string): void { if (!ok) throw new Error(msg); }
const nnLinear = makeFunction('nn', 'linear') as (...a: unknown[]) => Tensor;
const linear = (x: Tensor, w: Tensor, b: Tensor | null): Tensor => nnLinear(x, w, b);

/** Python's _in_projection_packed: one matmul when q, k, v are the same tensor, two when k is v. */
export function _in_projection_packed(q: Tensor, k: Tensor, v: Tensor, w: Tensor, b: Tensor | null = null): Tensor[] {
  const E = q.size(-1);
  if (k === v) {
    if (q === k) return linear(q, w, b).chunk(3, -1);
    const [w_q, w_kv] = w.split([E, E * 2]);
    const [b_q, b_kv] = b === null ? [null, null] : b.split([E, E * 2]);
    return [linear(q, w_q, b_q), ...linear(k, w_kv, b_kv).chunk(2, -1)];
  }
  const [w_q, w_k, w_v] = w.chunk(3);
  const [b_q, b_k, b_v] = b === null ? [null, null, null] : b.chunk(3);
  return [linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)];
}

/** Python's _in_projection: separate q/k/v weights (kdim/vdim differ from embed_dim). */
export function _in_projection(q: Tensor, k: Tensor, v: Tensor, w_q: Tensor, w_k: Tensor, w_v: Tensor,
  b_q: Tensor | null = null, b_k: Tensor | null = null, b_v: Tensor | null = null): Tensor[] {
  const [Eq, Ek, Ev] = [q.size(-1), k.size(-1), v.size(-1)];
  check(shapeEq(w_q, [Eq, Eq]), `expecting query weights shape of ${tup([Eq, Eq])}, but got ${pySize(w_q.shape)}`);
  check(shapeEq(w_k, [Eq, Ek]), `expecting key weights shape of ${tup([Eq, Ek])}, but got ${pySize(w_k.shape)}`);
  check(shapeEq(w_v, [Eq, Ev]), `expecting value weights shape of ${tup([Eq, Ev])}, but got ${pySize(w_v.shape)}`);
  check(b_q === null || shapeEq(b_q, [Eq]), `expecting query bias shape of ${tup([Eq])}, but got ${b_q && pySize(b_q.shape)}`);
  check(b_k === null || shapeEq(b_k, [Eq]), `expecting key bias shape of ${tup([Eq])}, but got ${b_k && pySize(b_k.shape)}`);
  check(b_v === null || shapeEq(b_v, [Eq]), `expecting value bias shape of ${tup([Eq])}, but got ${b_v && pySize(b_v.shape)}`);
  return [linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)];
}

/** Python's _mha_shape_check: whether the query is batched, with its messages for mismatched ranks. */
export function _mha_shape_check(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | null, attn_mask: Tensor | null, num_heads: number): boolean {
  if (query.dim() === 3) {
    check(key.dim() === 3 && value.dim() === 3, `For batched (3-D) \`query\`, expected \`key\` and \`value\` to be 3-D but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`);
    if (key_padding_mask !== null) check(key_padding_mask.dim() === 2, `For batched (3-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 2-D but found ${key_padding_mask.dim()}-D tensor instead`);
    if (attn_mask !== null) check([2, 3].includes(attn_mask.dim()), `For batched (3-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attn_mask.dim()}-D tensor instead`);
    return true;
  }
  if (query.dim() === 2) {
    check(key.dim() === 2 && value.dim() === 2, `For unbatched (2-D) \`query\`, expected \`key\` and \`value\` to be 2-D but found ${key.dim()}-D and ${value.dim()}-D tensors respectively`);
    if (key_padding_mask !== null) check(key_padding_mask.dim() === 1, `For unbatched (2-D) \`query\`, expected \`key_padding_mask\` to be \`None\` or 1-D but found ${key_padding_mask.dim()}-D tensor instead`);
    if (attn_mask !== null) {
      check([2, 3].includes(attn_mask.dim()), `For unbatched (2-D) \`query\`, expected \`attn_mask\` to be \`None\`, 2-D or 3-D but found ${attn_mask.dim()}-D tensor instead`);
      if (attn_mask.dim() === 3) {
        const expected = [num_heads, query.shape[0], key.shape[0]];
        check(shapeEq(attn_mask, expected), `Expected \`attn_mask\` shape to be ${tup(expected)} but got ${pySize(attn_mask.shape)}`);
      }
    }
    return false;
  }
  throw new Error(`query should be unbatched 2D or batched 3D tensor but received ${query.dim()}-D query tensor`);
}

export interface MHAForwardArgs {
  query: Tensor; key: Tensor; value: Tensor; embed_dim_to_check: number; num_heads: number;
  in_proj_weight: Tensor | null; in_proj_bias: Tensor | null; bias_k: Tensor | null; bias_v: Tensor | null;
  add_zero_attn: boolean; dropout_p: number; out_proj_weight: Tensor; out_proj_bias: Tensor | null;
  training: boolean; key_padding_mask: Tensor | null; need_weights: boolean; attn_mask: Tensor | null;
  use_separate_proj_weight: boolean; q_proj_weight: Tensor | null; k_proj_weight: Tensor | null; v_proj_weight: Tensor | null;
  static_k: Tensor | null; static_v: Tensor | null; average_attn_weights: boolean;
}
const MHA_SPEC = {
  query: REQUIRED, key: REQUIRED, value: REQUIRED, embed_dim_to_check: REQUIRED, num_heads: REQUIRED,
  in_proj_weight: REQUIRED, in_proj_bias: REQUIRED, bias_k: REQUIRED, bias_v: REQUIRED, add_zero_attn: REQUIRED,
  dropout_p: REQUIRED, out_proj_weight: REQUIRED, out_proj_bias: REQUIRED, training: true, key_padding_mask: null,
  need_weights: true, attn_mask: null, use_separate_proj_weight: false, q_proj_weight: null, k_proj_weight: null,
  v_proj_weight: null, static_k: null, static_v: null, average_attn_weights: true,
};

/**
 * multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
 * in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
 * training = true, key_padding_mask = null, need_weights = true, attn_mask = null,
 * use_separate_proj_weight = false, q_proj_weight, k_proj_weight, v_proj_weight, static_k,
 * static_v, average_attn_weights = true) -> [attn_output, attn_weights | null].
 * Inputs are (L, N, E) (or unbatched (L, E)).
 */
export function multi_head_attention_forward(...args: unknown[]): [Tensor, Tensor | null] {
  const a = bind<MHAForwardArgs>('multi_head_attention_forward', args, MHA_SPEC as never);
  let { query, key, value, key_padding_mask, attn_mask } = a;
  const { num_heads } = a;
  for (const n of ['query', 'key', 'value'] as const) {
    if (!(a[n] instanceof Tensor)) throw new TypeError(`multi_head_attention_forward(): argument '${n}' must be a Tensor, not ${typename(a[n])}`);
  }
  const batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads);
  if (!batched) {
    query = query.unsqueeze(1);
    key = key.unsqueeze(1);
    value = value.unsqueeze(1);
    if (key_padding_mask !== null) key_padding_mask = key_padding_mask.unsqueeze(0);
  }
  const [tgt_len, bsz, embed_dim] = query.shape;
  let src_len = key.shape[0];
  if (key_padding_mask !== null && key_padding_mask.dtype.name !== 'bool' && !key_padding_mask.is_floating_point()) {
    throw new Error('only bool and floating types of key_padding_mask are supported');
  }
  check(embed_dim === a.embed_dim_to_check, `was expecting embedding dimension of ${a.embed_dim_to_check}, but got ${embed_dim}`);
  const head_dim = Math.floor(embed_dim / num_heads);
  check(head_dim * num_heads === embed_dim, `embed_dim ${embed_dim} not divisible by num_heads ${num_heads}`);
  if (a.use_separate_proj_weight) {
    check(key.shape[0] === value.shape[0] && key.shape[1] === value.shape[1],
      `key's sequence and batch dims ${pySize(key.shape.slice(0, 2))} do not match value's ${pySize(value.shape.slice(0, 2))}`);
  } else {
    check(shapeEq(key, value.shape), `key shape ${pySize(key.shape)} does not match value shape ${pySize(value.shape)}`);
  }
  let q: Tensor, k: Tensor, v: Tensor;
  if (!a.use_separate_proj_weight) {
    check(a.in_proj_weight !== null, 'use_separate_proj_weight is False but in_proj_weight is None');
    [q, k, v] = _in_projection_packed(query, key, value, a.in_proj_weight!, a.in_proj_bias);
  } else {
    check(a.q_proj_weight !== null, 'use_separate_proj_weight is True but q_proj_weight is None');
    check(a.k_proj_weight !== null, 'use_separate_proj_weight is True but k_proj_weight is None');
    check(a.v_proj_weight !== null, 'use_separate_proj_weight is True but v_proj_weight is None');
    const [b_q, b_k, b_v] = a.in_proj_bias === null ? [null, null, null] : a.in_proj_bias.chunk(3);
    [q, k, v] = _in_projection(query, key, value, a.q_proj_weight!, a.k_proj_weight!, a.v_proj_weight!, b_q, b_k, b_v);
  }
  if (attn_mask !== null) {
    // 2.x's _canonical_mask: bool or floating only (1.13 took a byte mask, with a deprecation warning).
    if (torchAtLeast(2, 13) && attn_mask.dtype.name !== 'bool' && !attn_mask.is_floating_point()) {
      throw new Error('only bool and floating types of attn_mask are supported');
    }
    if (attn_mask.dtype.name === 'uint8') {
      warn('Byte tensor for attn_mask in nn.MultiheadAttention is deprecated. Use bool tensor instead.');
      attn_mask = attn_mask.to(bool);
    } else {
      check(attn_mask.is_floating_point() || attn_mask.dtype.name === 'bool', `Only float, byte, and bool types are supported for attn_mask, not torch.${attn_mask.dtype.name}`);
    }
    if (attn_mask.dim() === 2) {
      if (!shapeEq(attn_mask, [tgt_len, src_len])) throw new Error(`The shape of the 2D attn_mask is ${pySize(attn_mask.shape)}, but should be ${tup([tgt_len, src_len])}.`);
      attn_mask = attn_mask.unsqueeze(0);
    } else if (attn_mask.dim() === 3) {
      const want = [bsz * num_heads, tgt_len, src_len];
      if (!shapeEq(attn_mask, want)) throw new Error(`The shape of the 3D attn_mask is ${pySize(attn_mask.shape)}, but should be ${tup(want)}.`);
    } else {
      throw new Error(`attn_mask's dimension ${attn_mask.dim()} is not supported`);
    }
  }
  const padLast = (t: Tensor | null): Tensor | null => (t === null ? null : T.constant_pad_nd(t, [0, 1], 0));
  if (a.bias_k !== null && a.bias_v !== null) {
    check(a.static_k === null, 'bias cannot be added to static key.');
    check(a.static_v === null, 'bias cannot be added to static value.');
    k = T.cat([k, a.bias_k.repeat([1, bsz, 1])]);
    v = T.cat([v, a.bias_v.repeat([1, bsz, 1])]);
    attn_mask = padLast(attn_mask);
    key_padding_mask = padLast(key_padding_mask);
  } else {
    check(a.bias_k === null, '');
    check(a.bias_v === null, '');
  }
  q = q.contiguous().view([tgt_len, bsz * num_heads, head_dim]).transpose(0, 1);
  if (a.static_k === null) {
    k = k.contiguous().view([k.shape[0], bsz * num_heads, head_dim]).transpose(0, 1);
  } else {
    check(a.static_k.size(0) === bsz * num_heads, `expecting static_k.size(0) of ${bsz * num_heads}, but got ${a.static_k.size(0)}`);
    check(a.static_k.size(2) === head_dim, `expecting static_k.size(2) of ${head_dim}, but got ${a.static_k.size(2)}`);
    k = a.static_k;
  }
  if (a.static_v === null) {
    v = v.contiguous().view([v.shape[0], bsz * num_heads, head_dim]).transpose(0, 1);
  } else {
    check(a.static_v.size(0) === bsz * num_heads, `expecting static_v.size(0) of ${bsz * num_heads}, but got ${a.static_v.size(0)}`);
    check(a.static_v.size(2) === head_dim, `expecting static_v.size(2) of ${head_dim}, but got ${a.static_v.size(2)}`);
    v = a.static_v;
  }
  if (a.add_zero_attn) {
    const shape = [bsz * num_heads, 1, head_dim];
    k = T.cat([k, T.zeros(shape, { dtype: k.dtype, device: k.device })], 1);
    v = T.cat([v, T.zeros(shape, { dtype: v.dtype, device: v.device })], 1);
    attn_mask = padLast(attn_mask);
    key_padding_mask = padLast(key_padding_mask);
  }
  src_len = k.size(1);
  if (key_padding_mask !== null) {
    if (torchAtLeast(2, 13)) { // 2.x's _check_key_padding_mask: one dimension at a time
      check(key_padding_mask.size(0) === bsz, `Expected key_padded_mask.shape[0] to be ${bsz}, but got ${key_padding_mask.size(0)}`);
      check(key_padding_mask.size(1) === src_len, `Expected key_padded_mask.shape[1] to be ${src_len}, but got ${key_padding_mask.size(1)}`);
    }
    check(shapeEq(key_padding_mask, [bsz, src_len]), `expecting key_padding_mask shape of ${tup([bsz, src_len])}, but got ${pySize(key_padding_mask.shape)}`);
    key_padding_mask = key_padding_mask.view([bsz, 1, 1, src_len]).expand([-1, num_heads, -1, -1]).reshape([bsz * num_heads, 1, src_len]);
    if (attn_mask === null) attn_mask = key_padding_mask;
    else if (attn_mask.dtype.name === 'bool') attn_mask = attn_mask.logical_or(key_padding_mask);
    else attn_mask = attn_mask.masked_fill(key_padding_mask, -Infinity);
  }
  if (attn_mask !== null && attn_mask.dtype.name === 'bool') {
    const m = T.zeros_like(attn_mask, { dtype: q.dtype });
    m.masked_fill_(attn_mask, -Infinity);
    attn_mask = m;
  }
  const dropout_p = a.training ? a.dropout_p : 0.0;
  const E = q.shape[2];
  const q_scaled = q.div(Math.sqrt(E));
  let w: Tensor = attn_mask !== null ? T.baddbmm(attn_mask, q_scaled, k.transpose(-2, -1)) : T.bmm(q_scaled, k.transpose(-2, -1));
  w = T.softmax(w, -1);
  if (dropout_p > 0.0) w = T.dropout(w, dropout_p, true);
  let out: Tensor = T.bmm(w, v);
  out = out.transpose(0, 1).contiguous().view([tgt_len * bsz, embed_dim]);
  out = linear(out, a.out_proj_weight, a.out_proj_bias);
  out = out.view([tgt_len, bsz, out.size(1)]);
  if (a.need_weights) {
    w = w.view([bsz, num_heads, tgt_len, src_len]);
    if (a.average_attn_weights) w = w.sum(1).div(num_heads);
    if (!batched) { out = out.squeeze(1); w = w.squeeze(0); }
    return [out, w];
  }
  if (!batched) out = out.squeeze(1);
  return [out, null];
}
