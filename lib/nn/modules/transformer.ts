// nn.Transformer, TransformerEncoder, TransformerDecoder, TransformerEncoderLayer,
// TransformerDecoderLayer, as PyTorch 1.13's torch/nn/modules/transformer.py:
// the same submodules in the same order (so the same init draws and state_dict
// keys), norm_first, batch_first, activation as 'relu' / 'gelu' / a function /
// a Module, masks. In eval without grad, Python takes fused paths
// (torch._transformer_encoder_layer_fwd per layer; a nested tensor through the
// encoder when a left-aligned src_key_padding_mask is given): the layer path
// calls the same ATen op under the same conditions, and the encoder's nested
// path is reproduced on dense tensors (padded positions zero, the length cut
// to the longest sequence) since torch-node has no nested tensors.
import { torchAtLeast } from '../../native';
import { Tensor } from '../../tensor';
import { Module } from '../module';
import { emptyParameter, Parameter } from '../parameter';
import * as F from '../functional';
import * as init from '../init';
import * as G from '../../generated/torch';
import { is_grad_enabled } from '../../autograd';
import { keep } from '../../memory';
import { int64 } from '../../dtype';
import { full } from '../../creation';
import { bind, py, REQUIRED, typename } from '../common';
import { checkInt, checkTensor } from './_check';
import { Linear, FactoryArgs } from './linear';
import { Dropout } from './dropout';
import { ModuleList } from './container';
import { ReLU, GELU } from './activation';
import { MultiheadAttention } from './attention';
import { LayerNorm } from './normalization';

const T = G as unknown as Record<string, (...a: unknown[]) => any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const FLOAT = { float: true };

/**
 * Python's copy.deepcopy of a module: the same class, plain attributes copied,
 * parameters and buffers cloned (shared ones stay shared within the copy),
 * submodules copied recursively. No constructor runs, so no random draws.
 */
export function _deepcopy_module<M extends Module>(m: M, memo: Map<unknown, unknown> = new Map()): M {
  if (memo.has(m)) return memo.get(m) as M;
  const c = Reflect.construct(Module, [], m.constructor) as M;
  memo.set(m, c);
  const src = m as unknown as Record<string, unknown>, dst = c as unknown as Record<string, unknown>;
  for (const k of Object.keys(m)) {
    const v = src[k];
    dst[k] = Array.isArray(v) ? v.map((e) => (e instanceof Tensor ? e.clone() : e)) : v instanceof Tensor ? v.clone() : v;
  }
  for (const [k, p] of m._parameters) {
    if (p === null) { c.register_parameter(k, null); continue; }
    if (!memo.has(p)) memo.set(p, new Parameter(p.detach().clone(), p.requires_grad));
    c.register_parameter(k, memo.get(p) as Parameter);
  }
  for (const [k, b] of m._buffers) {
    if (b !== null && !memo.has(b)) memo.set(b, keep(b.clone()));
    c.register_buffer(k, b === null ? null : memo.get(b) as Tensor, !m._non_persistent_buffers_set.has(k));
  }
  for (const [k, s] of m._modules) c.add_module(k, s === null ? null : _deepcopy_module(s, memo));
  for (const [id, h] of m._forward_hooks) c._forward_hooks.set(id, h);
  for (const [id, h] of m._forward_pre_hooks) c._forward_pre_hooks.set(id, h);
  return c;
}

function _get_clones(module: Module, N: number): ModuleList {
  return new ModuleList(Array.from({ length: N }, () => _deepcopy_module(module)));
}

type Activation = 'relu' | 'gelu' | ((x: Tensor) => Tensor) | Module;
function activationFn(activation: Activation): Activation {
  if (typeof activation === 'string') {
    if (activation === 'relu') return F.relu;
    if (activation === 'gelu') return F.gelu;
    throw new Error(`activation should be relu/gelu, not ${activation}`);
  }
  if (typeof activation !== 'function') throw new TypeError(`activation must be 'relu', 'gelu' or a callable, not ${typename(activation)}`);
  return activation;
}

/** Python's key-padding-mask dtype check. */
function checkKpm(mask: Tensor | null): void {
  if (mask !== null && mask !== undefined && mask.dtype.name !== 'bool' && !mask.is_floating_point()) {
    throw new Error('only bool and floating types of key_padding_mask are supported');
  }
}

export interface TransformerLayerArgs extends FactoryArgs {
  d_model: number; nhead: number; dim_feedforward: number; dropout: number; activation: Activation;
  layer_norm_eps: number; batch_first: boolean; norm_first: boolean;
}
const LAYER_SPEC = {
  d_model: REQUIRED, nhead: REQUIRED, dim_feedforward: 2048, dropout: 0.1, activation: 'relu',
  layer_norm_eps: 1e-5, batch_first: false, norm_first: false, device: null, dtype: null,
};

/**
 * The sublayers of TransformerEncoderLayer (`memory` false) and TransformerDecoderLayer (true), in
 * Python's order (its parameter draws, its state_dict keys): self-attention, [attention over the
 * encoder's memory,] the feed-forward block, then 2 [3] LayerNorms and as many dropouts, then the
 * activation, which is returned.
 */
function buildLayer(m: Module, a: TransformerLayerArgs, memory: boolean): Activation {
  const f = { device: a.device, dtype: a.dtype };
  const l = m as unknown as Record<string, unknown>;
  l.self_attn = new MultiheadAttention(a.d_model, a.nhead, { dropout: a.dropout, batch_first: a.batch_first, ...f });
  if (memory) l.multihead_attn = new MultiheadAttention(a.d_model, a.nhead, { dropout: a.dropout, batch_first: a.batch_first, ...f });
  l.linear1 = new Linear(a.d_model, a.dim_feedforward, f);
  l.dropout = new Dropout(a.dropout);
  l.linear2 = new Linear(a.dim_feedforward, a.d_model, f);
  l.norm_first = a.norm_first;
  const n = memory ? 3 : 2;
  for (let i = 1; i <= n; i++) l[`norm${i}`] = new LayerNorm(a.d_model, { eps: a.layer_norm_eps, ...f });
  for (let i = 1; i <= n; i++) l[`dropout${i}`] = new Dropout(a.dropout);
  const act = activationFn(a.activation);
  l.activation = act;
  return act;
}

/** What TransformerEncoderLayer and TransformerDecoderLayer both hold (built by buildLayer). */
abstract class TransformerLayerBase extends Module {
  declare self_attn: MultiheadAttention;
  declare linear1: Linear;
  declare dropout: Dropout;
  declare linear2: Linear;
  declare norm_first: boolean;
  declare norm1: LayerNorm;
  declare norm2: LayerNorm;
  declare dropout1: Dropout;
  declare dropout2: Dropout;
  declare activation: (x: Tensor) => Tensor;

  _sa_block(x: Tensor, attn_mask: Tensor | null, key_padding_mask: Tensor | null): Tensor {
    return this.dropout1(this.self_attn(x, x, x, { attn_mask, key_padding_mask, need_weights: false })[0]);
  }
}

/** Self-attention and a feed-forward block, each with a residual connection and LayerNorm (before, with norm_first). */
export class TransformerEncoderLayer extends TransformerLayerBase {
  declare activation_relu_or_gelu: number;

  constructor(d_model: number | Partial<TransformerLayerArgs>, ...args: unknown[]) {
    super();
    const a = bind<TransformerLayerArgs>('TransformerEncoderLayer', [d_model, ...args], LAYER_SPEC as never);
    const act = buildLayer(this, a, false);
    this.activation_relu_or_gelu = act === F.relu || act instanceof ReLU ? 1 : act === F.gelu || act instanceof GELU ? 2 : 0;
  }

  /** Python's condition for torch._transformer_encoder_layer_fwd: '' when it applies. */
  _why_not_fast_path(src: Tensor, src_mask: Tensor | null): string {
    if (src.dim() !== 3) return 'input not batched';
    if (this.training) return 'training is enabled';
    if (!this.self_attn.batch_first) return 'self_attn.batch_first was not True';
    if (!this.self_attn._qkv_same_embed_dim) return 'self_attn._qkv_same_embed_dim was not True';
    if (!this.activation_relu_or_gelu) return 'activation_relu_or_gelu was not True';
    if (this.norm1.eps !== this.norm2.eps) return 'norm1.eps is not equal to norm2.eps';
    if (src_mask !== null) return 'src_mask is not supported for fastpath';
    if (this.self_attn.num_heads % 2 === 1) return 'num_head is odd';
    if (is_grad_enabled() && this._fast_tensors(src).some((x) => x !== null && x.requires_grad)) return 'grad is enabled';
    return '';
  }
  _fast_tensors(src: Tensor): Array<Tensor | null> {
    const sa = this.self_attn;
    return [src, sa.in_proj_weight, sa.in_proj_bias, sa.out_proj.weight, sa.out_proj.bias, this.norm1.weight, this.norm1.bias,
      this.norm2.weight, this.norm2.bias, this.linear1.weight, this.linear1.bias, this.linear2.weight, this.linear2.bias];
  }

  /** forward(src, src_mask = null, src_key_padding_mask = null) */
  forward(src: Tensor, ...args: unknown[]): Tensor {
    const { src_mask, src_key_padding_mask: kpm } = bind<{ src_mask: Tensor | null; src_key_padding_mask: Tensor | null }>(
      'TransformerEncoderLayer.forward', args, { src_mask: null, src_key_padding_mask: null });
    checkTensor('TransformerEncoderLayer', 'src', src);
    checkKpm(kpm);
    if (this._why_not_fast_path(src, src_mask) === '') {
      const sa = this.self_attn;
      return T._transformer_encoder_layer_fwd({
        src, embed_dim: sa.embed_dim, num_heads: sa.num_heads, qkv_weight: sa.in_proj_weight, qkv_bias: sa.in_proj_bias,
        proj_weight: sa.out_proj.weight, proj_bias: sa.out_proj.bias, use_gelu: this.activation_relu_or_gelu === 2,
        norm_first: this.norm_first, eps: this.norm1.eps, norm_weight_1: this.norm1.weight, norm_bias_1: this.norm1.bias,
        norm_weight_2: this.norm2.weight, norm_bias_2: this.norm2.bias, ffn_weight_1: this.linear1.weight, ffn_bias_1: this.linear1.bias,
        ffn_weight_2: this.linear2.weight, ffn_bias_2: this.linear2.bias, mask: src_mask ?? kpm,
        mask_type: kpm !== null ? 1 : src_mask !== null ? 0 : null,
      });
    }
    let x = src;
    if (this.norm_first) {
      x = x.add(this._sa_block(this.norm1(x), src_mask, kpm));
      x = x.add(this._ff_block(this.norm2(x)));
    } else {
      x = this.norm1(x.add(this._sa_block(x, src_mask, kpm)));
      x = this.norm2(x.add(this._ff_block(x)));
    }
    return x;
  }

  _ff_block(x: Tensor): Tensor {
    return this.dropout2(this.linear2(this.dropout(this.activation(this.linear1(x)))));
  }
}

/** Self-attention, attention over the encoder's memory, and a feed-forward block. */
export class TransformerDecoderLayer extends TransformerLayerBase {
  declare multihead_attn: MultiheadAttention;
  declare norm3: LayerNorm;
  declare dropout3: Dropout;

  constructor(d_model: number | Partial<TransformerLayerArgs>, ...args: unknown[]) {
    super();
    const a = bind<TransformerLayerArgs>('TransformerDecoderLayer', [d_model, ...args], LAYER_SPEC as never);
    buildLayer(this, a, true);
  }

  /** forward(tgt, memory, tgt_mask = null, memory_mask = null, tgt_key_padding_mask = null, memory_key_padding_mask = null) */
  forward(tgt: Tensor, memory: Tensor, ...args: unknown[]): Tensor {
    const o = bind<DecoderMasks>('TransformerDecoderLayer.forward', args, DECODER_MASKS);
    checkTensor('TransformerDecoderLayer', 'tgt', tgt);
    checkTensor('TransformerDecoderLayer', 'memory', memory);
    let x = tgt;
    if (this.norm_first) {
      x = x.add(this._sa_block(this.norm1(x), o.tgt_mask, o.tgt_key_padding_mask));
      x = x.add(this._mha_block(this.norm2(x), memory, o.memory_mask, o.memory_key_padding_mask));
      x = x.add(this._ff_block(this.norm3(x)));
    } else {
      x = this.norm1(x.add(this._sa_block(x, o.tgt_mask, o.tgt_key_padding_mask)));
      x = this.norm2(x.add(this._mha_block(x, memory, o.memory_mask, o.memory_key_padding_mask)));
      x = this.norm3(x.add(this._ff_block(x)));
    }
    return x;
  }
  _mha_block(x: Tensor, mem: Tensor, attn_mask: Tensor | null, key_padding_mask: Tensor | null): Tensor {
    return this.dropout2(this.multihead_attn(x, mem, mem, { attn_mask, key_padding_mask, need_weights: false })[0]);
  }
  _ff_block(x: Tensor): Tensor {
    return this.dropout3(this.linear2(this.dropout(this.activation(this.linear1(x)))));
  }
}

interface DecoderMasks { tgt_mask: Tensor | null; memory_mask: Tensor | null; tgt_key_padding_mask: Tensor | null; memory_key_padding_mask: Tensor | null }
const DECODER_MASKS = { tgt_mask: null, memory_mask: null, tgt_key_padding_mask: null, memory_key_padding_mask: null };

/** Whether each row of `keep` (true = a real token) is a run of trues then falses: Python's left-aligned check. */
function leftAligned(keepMask: Tensor): boolean {
  const rows = keepMask.to(int64).tolist() as number[][];
  return rows.every((r) => { const n = r.reduce((s, v) => s + v, 0); return r.every((v, i) => (i < n ? v === 1 : v === 0)); });
}

/** A stack of N copies of an encoder layer (deep copies: no draws), then an optional norm. */
export class TransformerEncoder extends Module {
  declare layers: ModuleList;
  declare num_layers: number;
  declare norm: Module | null;
  declare enable_nested_tensor: boolean;
  declare mask_check: boolean;

  constructor(encoder_layer: TransformerEncoderLayer | Record<string, unknown>, ...args: unknown[]) {
    super();
    const a = bind<{ encoder_layer: Module; num_layers: number; norm: Module | null; enable_nested_tensor: boolean; mask_check: boolean }>(
      'TransformerEncoder', [encoder_layer, ...args], { encoder_layer: REQUIRED, num_layers: REQUIRED, norm: null, enable_nested_tensor: true, mask_check: true } as never);
    if (!(a.encoder_layer instanceof Module)) throw new TypeError(`TransformerEncoder: encoder_layer must be a Module, not ${typename(a.encoder_layer)}`);
    checkInt('TransformerEncoder', 'num_layers', a.num_layers);
    this.layers = _get_clones(a.encoder_layer, a.num_layers);
    this.num_layers = a.num_layers;
    if (a.norm !== null) this.norm = a.norm; else Object.defineProperty(this, 'norm', { value: null, writable: true, enumerable: true, configurable: true });
    this.enable_nested_tensor = a.enable_nested_tensor;
    this.mask_check = a.mask_check;
  }

  /** Python's condition for the nested-tensor path (needs a left-aligned src_key_padding_mask). */
  private _nested(src: Tensor, mask: Tensor | null, kpm: Tensor | null): boolean {
    const first = this.layers.at(0);
    if (!(first instanceof TransformerEncoderLayer) || first.norm_first || first.training) return false;
    if (!first.self_attn.batch_first || !first.self_attn._qkv_same_embed_dim || !first.activation_relu_or_gelu) return false;
    if (first.norm1.eps !== first.norm2.eps || src.dim() !== 3 || !this.enable_nested_tensor || kpm === null) return false;
    if (this.mask_check && !leftAligned(kpm.logical_not())) return false;
    if (mask !== null || first.self_attn.num_heads % 2 === 1) return false;
    if (is_grad_enabled() && first._fast_tensors(src).some((x) => x !== null && x.requires_grad)) return false;
    return true;
  }

  /** forward(src, mask = null, src_key_padding_mask = null) */
  forward(src: Tensor, ...args: unknown[]): Tensor {
    const { mask, src_key_padding_mask: kpm } = bind<{ mask: Tensor | null; src_key_padding_mask: Tensor | null }>(
      'TransformerEncoder.forward', args, { mask: null, src_key_padding_mask: null });
    checkTensor('TransformerEncoder', 'src', src);
    checkKpm(kpm);
    const nested = this._nested(src, mask, kpm);
    let output = src;
    for (const mod of this.layers) output = mod(output, { src_mask: mask, src_key_padding_mask: kpm });
    if (nested) {
      // Python's nested tensor holds only the real tokens; to_padded_tensor gives them back
      // zero-padded: up to the longest sequence in 1.13, to src's size in 2.x.
      output = output.masked_fill(kpm!.unsqueeze(-1), 0.0);
      if (!torchAtLeast(2, 13)) {
        const maxLen = Number(kpm!.logical_not().sum(1).max().item());
        output = output.narrow(1, 0, maxLen);
      }
    }
    if (this.norm !== null) output = this.norm(output);
    return output;
  }
}

/** A stack of N copies of a decoder layer, then an optional norm. */
export class TransformerDecoder extends Module {
  declare layers: ModuleList;
  declare num_layers: number;
  declare norm: Module | null;

  constructor(decoder_layer: TransformerDecoderLayer | Record<string, unknown>, ...args: unknown[]) {
    super();
    const a = bind<{ decoder_layer: Module; num_layers: number; norm: Module | null }>(
      'TransformerDecoder', [decoder_layer, ...args], { decoder_layer: REQUIRED, num_layers: REQUIRED, norm: null } as never);
    if (!(a.decoder_layer instanceof Module)) throw new TypeError(`TransformerDecoder: decoder_layer must be a Module, not ${typename(a.decoder_layer)}`);
    checkInt('TransformerDecoder', 'num_layers', a.num_layers);
    this.layers = _get_clones(a.decoder_layer, a.num_layers);
    this.num_layers = a.num_layers;
    if (a.norm !== null) this.norm = a.norm; else Object.defineProperty(this, 'norm', { value: null, writable: true, enumerable: true, configurable: true });
  }

  /** forward(tgt, memory, tgt_mask = null, memory_mask = null, tgt_key_padding_mask = null, memory_key_padding_mask = null) */
  forward(tgt: Tensor, memory: Tensor, ...args: unknown[]): Tensor {
    const o = bind<DecoderMasks>('TransformerDecoder.forward', args, DECODER_MASKS);
    let output = tgt;
    for (const mod of this.layers) output = mod(output, memory, o);
    if (this.norm !== null) output = this.norm(output);
    return output;
  }
}

export interface TransformerArgs extends FactoryArgs {
  d_model: number; nhead: number; num_encoder_layers: number; num_decoder_layers: number; dim_feedforward: number;
  dropout: number; activation: Activation; custom_encoder: Module | null; custom_decoder: Module | null;
  layer_norm_eps: number; batch_first: boolean; norm_first: boolean;
}

/** The encoder-decoder model of "Attention Is All You Need". */
export class Transformer extends Module {
  declare encoder: Module;
  declare decoder: Module;
  declare d_model: number;
  declare nhead: number;
  declare batch_first: boolean;

  constructor(...args: unknown[]) {
    super();
    const a = bind<TransformerArgs>('Transformer', args, {
      d_model: 512, nhead: 8, num_encoder_layers: 6, num_decoder_layers: 6, dim_feedforward: 2048, dropout: 0.1,
      activation: 'relu', custom_encoder: null, custom_decoder: null, layer_norm_eps: 1e-5, batch_first: false, norm_first: false,
      device: null, dtype: null,
    } as never);
    const f = { device: a.device, dtype: a.dtype };
    const layerArgs = [a.d_model, a.nhead, a.dim_feedforward, a.dropout, a.activation, a.layer_norm_eps, a.batch_first, a.norm_first, f];
    if (a.custom_encoder !== null) this.encoder = a.custom_encoder;
    else {
      const layer = new TransformerEncoderLayer(...(layerArgs as [number]));
      this.encoder = new TransformerEncoder(layer, a.num_encoder_layers, new LayerNorm(a.d_model, { eps: a.layer_norm_eps, ...f }));
    }
    if (a.custom_decoder !== null) this.decoder = a.custom_decoder;
    else {
      const layer = new TransformerDecoderLayer(...(layerArgs as [number]));
      this.decoder = new TransformerDecoder(layer, a.num_decoder_layers, new LayerNorm(a.d_model, { eps: a.layer_norm_eps, ...f }));
    }
    this._reset_parameters();
    this.d_model = a.d_model;
    this.nhead = a.nhead;
    this.batch_first = a.batch_first;
  }

  /** forward(src, tgt, src_mask, tgt_mask, memory_mask, src_key_padding_mask, tgt_key_padding_mask, memory_key_padding_mask) */
  forward(src: Tensor, tgt: Tensor, ...args: unknown[]): Tensor {
    const o = bind<{ src_mask: Tensor | null; tgt_mask: Tensor | null; memory_mask: Tensor | null; src_key_padding_mask: Tensor | null;
      tgt_key_padding_mask: Tensor | null; memory_key_padding_mask: Tensor | null }>('Transformer.forward', args,
      { src_mask: null, tgt_mask: null, memory_mask: null, src_key_padding_mask: null, tgt_key_padding_mask: null, memory_key_padding_mask: null });
    checkTensor('Transformer', 'src', src);
    checkTensor('Transformer', 'tgt', tgt);
    const batched = src.dim() === 3;
    if (batched && src.size(this.batch_first ? 0 : 1) !== tgt.size(this.batch_first ? 0 : 1)) {
      throw new Error('the batch number of src and tgt must be equal');
    }
    if (src.size(-1) !== this.d_model || tgt.size(-1) !== this.d_model) throw new Error('the feature number of src and tgt must be equal to d_model');
    const memory = this.encoder(src, { mask: o.src_mask, src_key_padding_mask: o.src_key_padding_mask });
    return this.decoder(tgt, memory, { tgt_mask: o.tgt_mask, memory_mask: o.memory_mask, tgt_key_padding_mask: o.tgt_key_padding_mask,
      memory_key_padding_mask: o.memory_key_padding_mask });
  }

  /** A float mask with -inf above the diagonal: position i attends to positions <= i. */
  static generate_square_subsequent_mask(sz: number, device: string = 'cpu'): Tensor {
    checkInt('generate_square_subsequent_mask', 'sz', sz);
    return T.triu(full([sz, sz], -Infinity, { device }), 1);
  }

  _reset_parameters(): void {
    for (const p of this.parameters()) if (p.dim() > 1) init.xavier_uniform_(p);
  }
}
