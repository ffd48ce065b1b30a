// nn.MultiheadAttention, as PyTorch 1.13's (torch/nn/modules/activation.py):
// the same parameters and init draws, F.multi_head_attention_forward for the
// math, and ATen's fused _native_multi_head_attention under exactly the
// conditions where Python takes that fast path (eval, no grad, batch_first
// self-attention...), so outputs agree with Python either way.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import { emptyParameter, Parameter } from '../parameter';
import * as init from '../init';
import * as G from '../../generated/torch';
import { is_grad_enabled } from '../../autograd';
import { bind, REQUIRED } from '../common';
import { checkInt, checkTensor } from './_check';
import { Linear, FactoryArgs } from './linear';
import { multi_head_attention_forward } from '../functional_attention';

const T = G as unknown as Record<string, (...a: unknown[]) => any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Python's name for MultiheadAttention's output projection (a Linear that quantization leaves alone); it prints under this name. */
export class NonDynamicallyQuantizableLinear extends Linear {}

export interface MultiheadAttentionArgs extends FactoryArgs {
  embed_dim: number; num_heads: number; dropout: number; bias: boolean; add_bias_kv: boolean; add_zero_attn: boolean;
  kdim: number | null; vdim: number | null; batch_first: boolean;
}
const MHA_SPEC = {
  embed_dim: REQUIRED, num_heads: REQUIRED, dropout: 0.0, bias: true, add_bias_kv: false, add_zero_attn: false,
  kdim: null, vdim: null, batch_first: false, device: null, dtype: null,
};
export interface MHAForwardOptions { key_padding_mask: Tensor | null; need_weights: boolean; attn_mask: Tensor | null; average_attn_weights: boolean }

export class MultiheadAttention extends Module {
  declare embed_dim: number;
  declare kdim: number;
  declare vdim: number;
  declare _qkv_same_embed_dim: boolean;
  declare num_heads: number;
  declare dropout: number;
  declare batch_first: boolean;
  declare head_dim: number;
  declare add_zero_attn: boolean;
  declare in_proj_weight: Parameter | null;
  declare q_proj_weight: Parameter | null;
  declare k_proj_weight: Parameter | null;
  declare v_proj_weight: Parameter | null;
  declare in_proj_bias: Parameter | null;
  declare bias_k: Parameter | null;
  declare bias_v: Parameter | null;
  declare out_proj: NonDynamicallyQuantizableLinear;

  constructor(embed_dim: number | Partial<MultiheadAttentionArgs>, ...args: unknown[]) {
    super();
    const a = bind<MultiheadAttentionArgs>('MultiheadAttention', [embed_dim, ...args], MHA_SPEC as never);
    checkInt('MultiheadAttention', 'embed_dim', a.embed_dim);
    checkInt('MultiheadAttention', 'num_heads', a.num_heads);
    const E = a.embed_dim;
    this.embed_dim = E;
    this.kdim = a.kdim ?? E;
    this.vdim = a.vdim ?? E;
    this._qkv_same_embed_dim = this.kdim === E && this.vdim === E;
    this.num_heads = a.num_heads;
    this.dropout = a.dropout;
    this.batch_first = a.batch_first;
    this.head_dim = Math.floor(E / a.num_heads);
    if (this.head_dim * a.num_heads !== E) throw new Error('embed_dim must be divisible by num_heads');
    if (!this._qkv_same_embed_dim) {
      this.q_proj_weight = emptyParameter([E, E], a);
      this.k_proj_weight = emptyParameter([E, this.kdim], a);
      this.v_proj_weight = emptyParameter([E, this.vdim], a);
      this.register_parameter('in_proj_weight', null);
    } else {
      this.in_proj_weight = emptyParameter([3 * E, E], a);
      this.register_parameter('q_proj_weight', null);
      this.register_parameter('k_proj_weight', null);
      this.register_parameter('v_proj_weight', null);
    }
    if (a.bias) this.in_proj_bias = emptyParameter([3 * E], a);
    else this.register_parameter('in_proj_bias', null);
    this.out_proj = new NonDynamicallyQuantizableLinear(E, E, { bias: a.bias, device: a.device, dtype: a.dtype });
    if (a.add_bias_kv) {
      this.bias_k = emptyParameter([1, 1, E], a);
      this.bias_v = emptyParameter([1, 1, E], a);
    } else {
      // Plain attributes in Python (self.bias_k = self.bias_v = None), not registered parameters.
      Object.defineProperty(this, 'bias_k', { value: null, writable: true, enumerable: true, configurable: true });
      Object.defineProperty(this, 'bias_v', { value: null, writable: true, enumerable: true, configurable: true });
    }
    this.add_zero_attn = a.add_zero_attn;
    this._reset_parameters();
  }

  _reset_parameters(): void {
    if (this._qkv_same_embed_dim) init.xavier_uniform_(this.in_proj_weight!);
    else {
      init.xavier_uniform_(this.q_proj_weight!);
      init.xavier_uniform_(this.k_proj_weight!);
      init.xavier_uniform_(this.v_proj_weight!);
    }
    if (this.in_proj_bias !== null) {
      init.constant_(this.in_proj_bias, 0.0);
      init.constant_(this.out_proj.bias!, 0.0);
    }
    if (this.bias_k !== null) init.xavier_normal_(this.bias_k);
    if (this.bias_v !== null) init.xavier_normal_(this.bias_v);
  }

  /** Python's condition for the fused kernel: '' when it applies, else why not. */
  private _why_not_fast_path(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | null): string {
    if (query.dim() !== 3) return 'input not batched';
    if (query !== key || key !== value) return 'non-self attention';
    if (this.in_proj_bias !== null && query.dtype !== this.in_proj_bias.dtype) return 'dtype';
    if (this.in_proj_weight !== null && query.dtype !== this.in_proj_weight.dtype) return 'dtype';
    if (this.training) return 'training is enabled';
    if (!this.batch_first) return 'batch_first was not True';
    if (this.bias_k !== null || this.bias_v !== null) return 'bias_k/bias_v';
    if (this.dropout) return 'dropout';
    if (this.add_zero_attn) return 'add_zero_attn';
    if (!this._qkv_same_embed_dim) return '_qkv_same_embed_dim was not True';
    if (attn_mask !== null) return 'attn_mask was not None';
    if (this.num_heads % 2 === 1) return 'num_heads is odd';
    const args = [query, this.in_proj_weight, this.in_proj_bias, this.out_proj.weight, this.out_proj.bias];
    if (is_grad_enabled() && args.some((x) => x !== null && x.requires_grad)) return 'grad is enabled';
    return '';
  }

  /** forward(query, key, value, key_padding_mask = null, need_weights = true, attn_mask = null, average_attn_weights = true) -> [output, weights | null] */
  forward(query: Tensor, key: Tensor, value: Tensor, ...args: unknown[]): [Tensor, Tensor | null] {
    const o = bind<MHAForwardOptions>('MultiheadAttention.forward', args,
      { key_padding_mask: null, need_weights: true, attn_mask: null, average_attn_weights: true });
    checkTensor('MultiheadAttention', 'query', query);
    checkTensor('MultiheadAttention', 'key', key);
    checkTensor('MultiheadAttention', 'value', value);
    const kpm = o.key_padding_mask;
    if (kpm !== null && kpm.dtype.name !== 'bool' && !kpm.is_floating_point()) {
      throw new Error('only bool and floating types of key_padding_mask are supported');
    }
    const batched = query.dim() === 3;
    if (this._why_not_fast_path(query, key, value, o.attn_mask) === '') {
      // 13 arguments: past the binder's positional limit, so all by name.
      const [out, w] = T._native_multi_head_attention({
        query, key, value, embed_dim: this.embed_dim, num_head: this.num_heads, qkv_weight: this.in_proj_weight,
        qkv_bias: this.in_proj_bias, proj_weight: this.out_proj.weight, proj_bias: this.out_proj.bias, mask: kpm ?? o.attn_mask,
        need_weights: o.need_weights, average_attn_weights: o.average_attn_weights, mask_type: kpm !== null ? 1 : o.attn_mask !== null ? 0 : null,
      }) as Tensor[];
      return [out, w];
    }
    if (this.batch_first && batched) {
      // Keep the identities q === k === v that F.multi_head_attention_forward's packed projection looks at.
      if (key === value) {
        if (query === key) query = key = value = query.transpose(1, 0);
        else { query = query.transpose(1, 0); key = value = key.transpose(1, 0); }
      } else {
        [query, key, value] = [query.transpose(1, 0), key.transpose(1, 0), value.transpose(1, 0)];
      }
    }
    const common = [query, key, value, this.embed_dim, this.num_heads, this.in_proj_weight, this.in_proj_bias, this.bias_k, this.bias_v,
      this.add_zero_attn, this.dropout, this.out_proj.weight, this.out_proj.bias];
    const kw: Record<string, unknown> = {
      training: this.training, key_padding_mask: kpm, need_weights: o.need_weights, attn_mask: o.attn_mask,
      average_attn_weights: o.average_attn_weights,
    };
    if (!this._qkv_same_embed_dim) {
      Object.assign(kw, { use_separate_proj_weight: true, q_proj_weight: this.q_proj_weight, k_proj_weight: this.k_proj_weight, v_proj_weight: this.v_proj_weight });
    }
    const [out, w] = multi_head_attention_forward(...common, kw);
    return [this.batch_first && batched ? out.transpose(1, 0) : out, w];
  }
}
