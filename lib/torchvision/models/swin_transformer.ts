// torchvision.models.swin_transformer: Swin-T/S/B ("Swin Transformer: Hierarchical Vision Transformer
// using Shifted Windows", https://arxiv.org/abs/2103.14030) and Swin V2-T/S/B ("Swin Transformer V2",
// https://arxiv.org/abs/2111.09883), as torchvision 0.14.
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import * as F from '../../nn/functional';
import { zeros, ones, tensor } from '../../creation';
import { cat } from '../../generated/torch';
import { int64, float32 } from '../../dtype';
import { arange, stack } from '../../generated/torch';
import { meshgrid } from '../../functions';
import { Rest, REQUIRED } from '../../nn/common';
import { bindArgs, makeBuilder } from './_utils';
import { MLP, Permute, callLayer, LayerFactory } from '../ops/misc';
import { StochasticDepth } from '../ops/stochastic_depth';
import { trunc_normal_, zeros_, normal_, xavier_uniform_ } from '../../nn/init';
import * as W from './_zoo_weights';

/** [..., H, W, C] -> [..., H/2, W/2, 4C]: the 2x2 neighbours side by side (odd sizes padded). */
export function _patch_merging_pad(x: Tensor): Tensor {
  const [H, Wd] = x.shape.slice(-3, -1);
  x = F.pad(x, [0, 0, 0, Wd % 2, 0, H % 2]);
  const x0 = x.index('...', '0::2', '0::2', ':');
  const x1 = x.index('...', '1::2', '0::2', ':');
  const x2 = x.index('...', '0::2', '1::2', ':');
  const x3 = x.index('...', '1::2', '1::2', ':');
  return cat([x0, x1, x2, x3], -1);
}

/** The table's rows at the index, as the [1, heads, N, N] bias added to each window's attention. */
export function _get_relative_position_bias(table: Tensor, index: Tensor, window_size: number[]): Tensor {
  const N = window_size[0] * window_size[1];
  return table.index_select(0, index).view([N, N, -1]).permute([2, 0, 1]).contiguous().unsqueeze(0);
}

/** Merges 2x2 patches: LayerNorm over the 4C concatenation, then a Linear to 2C. */
export class PatchMerging extends nn.Module {
  declare dim: number;
  declare reduction: nn.Linear;
  declare norm: nn.Module;
  constructor(dim: number, norm_layer: LayerFactory = nn.LayerNorm) {
    super();
    this.dim = dim;
    this.reduction = new nn.Linear(4 * dim, 2 * dim, { bias: false });
    this.norm = callLayer(norm_layer, 4 * dim);
  }
  forward(x: Tensor): Tensor { return this.reduction(this.norm(_patch_merging_pad(x))); }
}

/** Swin V2's patch merging: the Linear to 2C first, then LayerNorm over 2C. */
export class PatchMergingV2 extends nn.Module {
  declare dim: number;
  declare reduction: nn.Linear;
  declare norm: nn.Module;
  constructor(dim: number, norm_layer: LayerFactory = nn.LayerNorm) {
    super();
    this.dim = dim;
    this.reduction = new nn.Linear(4 * dim, 2 * dim, { bias: false });
    this.norm = callLayer(norm_layer, 2 * dim);
  }
  forward(x: Tensor): Tensor { return this.norm(this.reduction(_patch_merging_pad(x))); }
}

/** The attention mask of shifted windows: -100 between positions that came from different regions, else 0. */
function shiftMask(pad_H: number, pad_W: number, ws: number[], ss: number[]): number[][] {
  // region of each row/column: Python's slices (0, -ws), (-ws, -ss), (-ss, None)
  const region = (i: number, n: number, w: number, s: number) => (i < n - w ? 0 : i < n - s ? 1 : 2);
  const nWh = pad_H / ws[0], nWw = pad_W / ws[1];
  const out: number[][] = [];
  for (let a = 0; a < nWh; a++) {
    for (let b = 0; b < nWw; b++) {
      const ids: number[] = [];
      for (let i = 0; i < ws[0]; i++) {
        for (let j = 0; j < ws[1]; j++) ids.push(3 * region(a * ws[0] + i, pad_H, ws[0], ss[0]) + region(b * ws[1] + j, pad_W, ws[1], ss[1]));
      }
      // mask[q][k] = ids[k] - ids[q] != 0 ? -100 : 0 (Python's attn_mask.unsqueeze(1) - attn_mask.unsqueeze(2))
      for (const q of ids) out.push(ids.map((k) => (k !== q ? -100.0 : 0.0)));
    }
  }
  return out;
}

/**
 * Window-based multi-head self-attention with a relative position bias, the windows shifted by
 * shift_size (torchvision's shifted_window_attention). input: [B, H, W, C].
 */
export function shifted_window_attention(input: Tensor, qkv_weight: Tensor, proj_weight: Tensor, relative_position_bias: Tensor,
  window_size: number[], num_heads: number, shift_size: number[], attention_dropout = 0.0, dropout = 0.0,
  qkv_bias: Tensor | null = null, proj_bias: Tensor | null = null, training = true, logit_scale: Tensor | null = null): Tensor {
  const [B, H, Wd, C] = input.shape;
  const pad_r = (window_size[1] - (Wd % window_size[1])) % window_size[1];
  const pad_b = (window_size[0] - (H % window_size[0])) % window_size[0];
  let x = F.pad(input, [0, 0, 0, pad_r, 0, pad_b]);
  const [, pad_H, pad_W] = x.shape;
  shift_size = [...shift_size];
  // a window as large as the input: no shift
  if (window_size[0] >= pad_H) shift_size[0] = 0;
  if (window_size[1] >= pad_W) shift_size[1] = 0;
  const shifted = shift_size[0] + shift_size[1] > 0;
  if (shifted) x = x.roll([-shift_size[0], -shift_size[1]], [1, 2]);
  // partition windows
  const num_windows = Math.floor(pad_H / window_size[0]) * Math.floor(pad_W / window_size[1]);
  const L = window_size[0] * window_size[1];
  x = x.view([B, pad_H / window_size[0], window_size[0], pad_W / window_size[1], window_size[1], C])
    .permute([0, 1, 3, 2, 4, 5]).reshape([B * num_windows, L, C]); // B*nW, Ws*Ws, C
  if (logit_scale !== null && qkv_bias !== null) {
    // V2: no key bias
    qkv_bias = qkv_bias.clone();
    const length = Math.floor(qkv_bias.numel() / 3);
    qkv_bias.narrow(0, length, length).zero_();
  }
  // multi-head attention
  const qkv = F.linear(x, qkv_weight, qkv_bias).reshape([x.shape[0], L, 3, num_heads, Math.floor(C / num_heads)]).permute([2, 0, 3, 1, 4]);
  let q = qkv.select(0, 0);
  const k = qkv.select(0, 1), v = qkv.select(0, 2);
  let attn: Tensor;
  if (logit_scale !== null) {
    // V2: scaled cosine attention
    attn = F.normalize(q, { dim: -1 }).matmul(F.normalize(k, { dim: -1 }).transpose(-2, -1));
    attn = attn.mul(logit_scale.clamp({ max: Math.log(100.0) }).exp());
  } else {
    q = q.mul(Math.floor(C / num_heads) ** -0.5);
    attn = q.matmul(k.transpose(-2, -1));
  }
  // add relative position bias
  attn = attn.add(relative_position_bias);
  if (shifted) {
    const mask = tensor(shiftMask(pad_H, pad_W, window_size, shift_size), { dtype: x.dtype, device: x.device }).view([num_windows, L, L]);
    attn = attn.view([x.shape[0] / num_windows, num_windows, num_heads, L, L]);
    attn = attn.add(mask.unsqueeze(1).unsqueeze(0));
    attn = attn.view([-1, num_heads, L, L]);
  }
  attn = F.softmax(attn, { dim: -1 });
  attn = F.dropout(attn, { p: attention_dropout, training });
  x = attn.matmul(v).transpose(1, 2).reshape([x.shape[0], L, C]);
  x = F.linear(x, proj_weight, proj_bias);
  x = F.dropout(x, { p: dropout, training });
  // reverse windows
  x = x.view([B, pad_H / window_size[0], pad_W / window_size[1], window_size[0], window_size[1], C]).permute([0, 1, 3, 2, 4, 5]).reshape([B, pad_H, pad_W, C]);
  if (shifted) x = x.roll([shift_size[0], shift_size[1]], [1, 2]);
  // unpad
  return x.index(':', `:${H}`, `:${Wd}`, ':').contiguous();
}

export interface ShiftedWindowAttentionOptions { qkv_bias?: boolean; proj_bias?: boolean; attention_dropout?: number; dropout?: number }

/** shifted_window_attention with its qkv and proj Linears and its relative position bias table (~trunc N(0, 0.02)). */
export class ShiftedWindowAttention extends nn.Module {
  declare window_size: number[];
  declare shift_size: number[];
  declare num_heads: number;
  declare attention_dropout: number;
  declare dropout: number;
  declare qkv: nn.Linear;
  declare proj: nn.Linear;
  declare relative_position_bias_table: nn.Parameter;
  declare relative_position_index: Tensor;

  constructor(dim: number, window_size: number[], shift_size: number[], num_heads: number, o: ShiftedWindowAttentionOptions = {}) {
    super();
    if (window_size.length !== 2 || shift_size.length !== 2) throw new Error('window_size and shift_size must be of length 2');
    this.window_size = window_size;
    this.shift_size = shift_size;
    this.num_heads = num_heads;
    this.attention_dropout = o.attention_dropout ?? 0.0;
    this.dropout = o.dropout ?? 0.0;
    this.qkv = new nn.Linear(dim, dim * 3, { bias: o.qkv_bias ?? true });
    this.proj = new nn.Linear(dim, dim, { bias: o.proj_bias ?? true });
    this.define_relative_position_bias_table();
    this.define_relative_position_index();
  }

  define_relative_position_bias_table(): void {
    const [wh, ww] = this.window_size;
    const z = zeros([(2 * wh - 1) * (2 * ww - 1), this.num_heads]);
    this.relative_position_bias_table = new nn.Parameter(z);
    z.dispose();
    trunc_normal_(this.relative_position_bias_table, { std: 0.02 });
  }

  define_relative_position_index(): void {
    const [wh, ww] = this.window_size;
    // index[(i1, j1), (i2, j2)] = (i1 - i2 + wh - 1) * (2ww - 1) + (j1 - j2 + ww - 1)
    const idx: number[] = [];
    for (let a = 0; a < wh * ww; a++) {
      for (let b = 0; b < wh * ww; b++) {
        idx.push((Math.floor(a / ww) - Math.floor(b / ww) + wh - 1) * (2 * ww - 1) + ((a % ww) - (b % ww) + ww - 1));
      }
    }
    this.register_buffer('relative_position_index', tensor(idx, { dtype: int64 }));
  }

  get_relative_position_bias(): Tensor {
    return _get_relative_position_bias(this.relative_position_bias_table, this.relative_position_index, this.window_size);
  }

  forward(x: Tensor): Tensor {
    return shifted_window_attention(x, this.qkv.weight, this.proj.weight, this.get_relative_position_bias(), this.window_size, this.num_heads,
      this.shift_size, this.attention_dropout, this.dropout, this.qkv.bias, this.proj.bias, this.training);
  }
}

/** Swin V2's window attention: cosine attention with a learnt logit scale; the bias from a small MLP over log-spaced coordinates. */
export class ShiftedWindowAttentionV2 extends ShiftedWindowAttention {
  declare logit_scale: nn.Parameter;
  declare cpb_mlp: nn.Sequential;
  declare relative_coords_table: Tensor;

  constructor(dim: number, window_size: number[], shift_size: number[], num_heads: number, o: ShiftedWindowAttentionOptions = {}) {
    super(dim, window_size, shift_size, num_heads, o);
    const t = ones([num_heads, 1, 1]);
    this.logit_scale = new nn.Parameter(t.mul(10).log());
    t.dispose();
    this.cpb_mlp = new nn.Sequential<nn.Module[]>(new nn.Linear(2, 512, { bias: true }), new nn.ReLU(true), new nn.Linear(512, num_heads, { bias: false }));
    if (o.qkv_bias ?? true) {
      const length = Math.floor(this.qkv.bias!.numel() / 3);
      this.qkv.bias!.detach().narrow(0, length, length).zero_();
    }
  }

  define_relative_position_bias_table(): void {
    const [wh, ww] = this.window_size;
    // float32 coordinates / (w - 1), * 8, then sign(t) * log2(|t| + 1) / 3, as torchvision computes them
    const coord = (w: number, n: number) => arange(-(w - 1), w, { dtype: float32 }).div(n);
    const h = coord(wh, wh - 1), w = coord(ww, ww - 1);
    let table = stack(meshgrid([h, w], { indexing: 'ij' })).permute([1, 2, 0]).contiguous().unsqueeze(0); // 1, 2*Wh-1, 2*Ww-1, 2
    table = table.mul(8);
    table = table.sign().mul(table.abs().add(1.0).log2()).div(3.0);
    this.register_buffer('relative_coords_table', table);
  }

  get_relative_position_bias(): Tensor {
    const b = _get_relative_position_bias(this.cpb_mlp(this.relative_coords_table).view([-1, this.num_heads]), this.relative_position_index, this.window_size);
    return b.sigmoid().mul(16);
  }

  forward(x: Tensor): Tensor {
    return shifted_window_attention(x, this.qkv.weight, this.proj.weight, this.get_relative_position_bias(), this.window_size, this.num_heads,
      this.shift_size, this.attention_dropout, this.dropout, this.qkv.bias, this.proj.bias, this.training, this.logit_scale);
  }
}

export interface SwinTransformerBlockOptions {
  mlp_ratio?: number; dropout?: number; attention_dropout?: number; stochastic_depth_prob?: number;
  norm_layer?: LayerFactory; attn_layer?: LayerFactory;
}

/** Pre-norm window attention and MLP, each a stochastic-depth residual. */
export class SwinTransformerBlock extends nn.Module {
  declare norm1: nn.Module;
  declare attn: nn.Module;
  declare stochastic_depth: StochasticDepth;
  declare norm2: nn.Module;
  declare mlp: MLP;

  constructor(dim: number, num_heads: number, window_size: number[], shift_size: number[], o: SwinTransformerBlockOptions = {}) {
    super();
    const dropout = o.dropout ?? 0.0;
    const norm_layer = o.norm_layer ?? nn.LayerNorm;
    this.norm1 = callLayer(norm_layer, dim);
    this.attn = callLayer(o.attn_layer ?? ShiftedWindowAttention, dim, window_size, shift_size, num_heads,
      { attention_dropout: o.attention_dropout ?? 0.0, dropout });
    this.stochastic_depth = new StochasticDepth(o.stochastic_depth_prob ?? 0.0, 'row');
    this.norm2 = callLayer(norm_layer, dim);
    this.mlp = new MLP(dim, [Math.trunc(dim * (o.mlp_ratio ?? 4.0)), dim], { activation_layer: nn.GELU, inplace: null, dropout });
    for (const m of this.mlp.modules()) {
      if (m instanceof nn.Linear) {
        xavier_uniform_(m.weight);
        if (m.bias !== null) normal_(m.bias, { std: 1e-6 });
      }
    }
  }

  forward(x: Tensor): Tensor {
    x = x.add(this.stochastic_depth(this.attn(this.norm1(x))));
    return x.add(this.stochastic_depth(this.mlp(this.norm2(x))));
  }
}

/** Swin V2's block: the norms after attention and MLP (res-post-norm). */
export class SwinTransformerBlockV2 extends SwinTransformerBlock {
  constructor(dim: number, num_heads: number, window_size: number[], shift_size: number[], o: SwinTransformerBlockOptions = {}) {
    super(dim, num_heads, window_size, shift_size, { ...o, attn_layer: o.attn_layer ?? ShiftedWindowAttentionV2 });
  }

  forward(x: Tensor): Tensor {
    x = x.add(this.stochastic_depth(this.norm1(this.attn(x))));
    return x.add(this.stochastic_depth(this.norm2(this.mlp(x))));
  }
}

export interface SwinTransformerOptions {
  mlp_ratio?: number; dropout?: number; attention_dropout?: number; stochastic_depth_prob?: number; num_classes?: number;
  /** Default: nn.LayerNorm with eps 1e-5. */
  norm_layer?: LayerFactory | null;
  /** Default: SwinTransformerBlock. */
  block?: LayerFactory | null;
  downsample_layer?: LayerFactory;
}

type SwinArgs = { patch_size: number[]; embed_dim: number; depths: number[]; num_heads: number[]; window_size: number[] } & Required<SwinTransformerOptions>;

export class SwinTransformer extends nn.Module {
  declare num_classes: number;
  declare features: nn.Sequential;
  declare norm: nn.Module;
  declare permute: Permute;
  declare avgpool: nn.AdaptiveAvgPool2d;
  declare flatten: nn.Flatten;
  declare head: nn.Linear;

  /**
   * `new SwinTransformer(patch_size, embed_dim, depths, num_heads, window_size, mlp_ratio = 4.0, dropout = 0.0, attention_dropout = 0.0,
   * stochastic_depth_prob = 0.1, num_classes = 1000, norm_layer = null, block = null, downsample_layer = PatchMerging)`.
   */
  constructor(...args: Rest<[number[], number, number[], number[], number[], number, number, number, number, number, LayerFactory | null, LayerFactory | null, LayerFactory],
    SwinTransformerOptions & Partial<Pick<SwinArgs, 'patch_size' | 'embed_dim' | 'depths' | 'num_heads' | 'window_size'>>>) {
    super();
    const a = bindArgs<SwinArgs>('SwinTransformer', args, {
      patch_size: REQUIRED, embed_dim: REQUIRED, depths: REQUIRED, num_heads: REQUIRED, window_size: REQUIRED, mlp_ratio: 4.0, dropout: 0.0,
      attention_dropout: 0.0, stochastic_depth_prob: 0.1, num_classes: 1000, norm_layer: null, block: null, downsample_layer: PatchMerging,
    });
    this.num_classes = a.num_classes;
    const block = a.block ?? SwinTransformerBlock;
    const norm_layer = a.norm_layer ?? ((n: number) => new nn.LayerNorm(n, { eps: 1e-5 }));
    const layers: nn.Module[] = [];
    // split the image into non-overlapping patches
    layers.push(new nn.Sequential<nn.Module[]>(
      new nn.Conv2d(3, a.embed_dim, { kernel_size: [a.patch_size[0], a.patch_size[1]], stride: [a.patch_size[0], a.patch_size[1]] }),
      new Permute([0, 2, 3, 1]),
      callLayer(norm_layer, a.embed_dim),
    ));
    const total_stage_blocks = a.depths.reduce((s, d) => s + d, 0);
    let stage_block_id = 0;
    for (let i_stage = 0; i_stage < a.depths.length; i_stage++) {
      const stage: nn.Module[] = [];
      const dim = a.embed_dim * 2 ** i_stage;
      for (let i_layer = 0; i_layer < a.depths[i_stage]; i_layer++) {
        // the probability grows linearly with the block's depth
        const sd_prob = a.stochastic_depth_prob * stage_block_id / (total_stage_blocks - 1);
        stage.push(callLayer(block, dim, a.num_heads[i_stage], a.window_size, a.window_size.map((w) => (i_layer % 2 === 0 ? 0 : Math.floor(w / 2))), {
          mlp_ratio: a.mlp_ratio, dropout: a.dropout, attention_dropout: a.attention_dropout, stochastic_depth_prob: sd_prob, norm_layer,
        }));
        stage_block_id++;
      }
      layers.push(new nn.Sequential<nn.Module[]>(...stage));
      // patch merging
      if (i_stage < a.depths.length - 1) layers.push(callLayer(a.downsample_layer, dim, norm_layer));
    }
    this.features = new nn.Sequential<nn.Module[]>(...layers);
    const num_features = a.embed_dim * 2 ** (a.depths.length - 1);
    this.norm = callLayer(norm_layer, num_features);
    this.permute = new Permute([0, 3, 1, 2]);
    this.avgpool = new nn.AdaptiveAvgPool2d(1);
    this.flatten = new nn.Flatten(1);
    this.head = new nn.Linear(num_features, a.num_classes);
    for (const m of this.modules()) {
      if (m instanceof nn.Linear) {
        trunc_normal_(m.weight, { std: 0.02 });
        if (m.bias !== null) zeros_(m.bias);
      }
    }
  }

  forward(x: Tensor): Tensor {
    x = this.features(x);
    x = this.norm(x);
    x = this.permute(x);
    x = this.avgpool(x);
    x = this.flatten(x);
    return this.head(x);
  }
}

const FIXED = ['patch_size', 'embed_dim', 'depths', 'num_heads', 'window_size', 'stochastic_depth_prob'];

function swin(arch: string, enumClass: Parameters<typeof makeBuilder>[1], embed_dim: number, depths: number[], num_heads: number[], sd_prob: number,
  v2 = false) {
  // V2 fixes its block and downsampling layer too
  const fixed = v2 ? [...FIXED, 'block', 'downsample_layer'] : FIXED;
  return makeBuilder(arch, enumClass, 'IMAGENET1K_V1',
    [...FIXED, 'mlp_ratio', 'dropout', 'attention_dropout', 'num_classes', 'norm_layer', 'block', 'downsample_layer'],
    (_w, kwargs: SwinTransformerOptions & Record<string, unknown>) => {
      // what the builder fixes, given again: Python's duplicate keyword
      for (const k of fixed) if (k in kwargs) throw new TypeError(`torchvision.models.swin_transformer._swin_transformer() got multiple values for keyword argument '${k}'`);
      const arch_ = v2 ? { window_size: [8, 8], block: SwinTransformerBlockV2, downsample_layer: PatchMergingV2 } : { window_size: [7, 7] };
      return new SwinTransformer({ patch_size: [4, 4], embed_dim, depths: [...depths], num_heads: [...num_heads], stochastic_depth_prob: sd_prob, ...arch_, ...kwargs });
    });
}

/** Swin-T. Options: mlp_ratio, dropout, attention_dropout, num_classes, norm_layer, block, downsample_layer. */
export const swin_t = swin('swin_t', W.Swin_T_Weights, 96, [2, 2, 6, 2], [3, 6, 12, 24], 0.2);
export const swin_s = swin('swin_s', W.Swin_S_Weights, 96, [2, 2, 18, 2], [3, 6, 12, 24], 0.3);
export const swin_b = swin('swin_b', W.Swin_B_Weights, 128, [2, 2, 18, 2], [4, 8, 16, 32], 0.5);
/** Swin V2-T/S/B (8x8 windows, SwinTransformerBlockV2, PatchMergingV2). Options: mlp_ratio, dropout, attention_dropout, num_classes, norm_layer. */
export const swin_v2_t = swin('swin_v2_t', W.Swin_V2_T_Weights, 96, [2, 2, 6, 2], [3, 6, 12, 24], 0.2, true);
export const swin_v2_s = swin('swin_v2_s', W.Swin_V2_S_Weights, 96, [2, 2, 18, 2], [3, 6, 12, 24], 0.3, true);
export const swin_v2_b = swin('swin_v2_b', W.Swin_V2_B_Weights, 128, [2, 2, 18, 2], [4, 8, 16, 32], 0.5, true);
