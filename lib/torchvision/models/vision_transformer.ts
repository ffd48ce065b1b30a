// torchvision.models.vision_transformer: ViT-B/16, B/32, L/16, L/32, H/14 ("An Image is Worth 16x16
// Words", https://arxiv.org/abs/2010.11929), as torchvision 0.14.
import { Tensor } from '../../tensor';
import * as nn from '../../nn';
import { zeros, empty } from '../../creation';
import { cat } from '../../generated/torch';
import { Rest, REQUIRED } from '../../nn/common';
import { bindArgs, makeBuilder, _ovewrite_named_param } from './_utils';
import { WeightsEnum } from './_api';
import { Conv2dNormActivation, MLP, callLayer, LayerFactory } from '../ops/misc';
import { trunc_normal_, zeros_, normal_, xavier_uniform_ } from '../../nn/init';
import * as W from './_zoo_weights';

/** One layer of a convolutional stem (https://arxiv.org/abs/2106.14881), as torchvision's ConvStemConfig namedtuple. */
export class ConvStemConfig {
  constructor(public out_channels: number, public kernel_size: number, public stride: number,
    public norm_layer: LayerFactory = nn.BatchNorm2d, public activation_layer: LayerFactory = nn.ReLU) {}
}

/** The transformer MLP: Linear to mlp_dim, GELU, Dropout, Linear back, Dropout (xavier-uniform weights, biases ~N(0, 1e-6)). */
export class MLPBlock extends MLP {
  constructor(in_dim: number, mlp_dim: number, dropout: number) {
    super(in_dim, [mlp_dim, in_dim], { activation_layer: nn.GELU, inplace: null, dropout });
    for (const m of this.modules()) {
      if (m instanceof nn.Linear) {
        xavier_uniform_(m.weight);
        if (m.bias !== null) normal_(m.bias, { std: 1e-6 });
      }
    }
  }
}

const layerNorm_eps6 = (n: number): nn.Module => new nn.LayerNorm(n, { eps: 1e-6 });

/** Pre-norm self-attention and MLP, each with a residual connection. */
export class EncoderBlock extends nn.Module {
  declare num_heads: number;
  declare ln_1: nn.Module;
  declare self_attention: nn.MultiheadAttention;
  declare dropout: nn.Dropout;
  declare ln_2: nn.Module;
  declare mlp: MLPBlock;

  constructor(num_heads: number, hidden_dim: number, mlp_dim: number, dropout: number, attention_dropout: number,
    norm_layer: LayerFactory = layerNorm_eps6) {
    super();
    this.num_heads = num_heads;
    // Attention block
    this.ln_1 = callLayer(norm_layer, hidden_dim);
    this.self_attention = new nn.MultiheadAttention(hidden_dim, num_heads, { dropout: attention_dropout, batch_first: true });
    this.dropout = new nn.Dropout(dropout);
    // MLP block
    this.ln_2 = callLayer(norm_layer, hidden_dim);
    this.mlp = new MLPBlock(hidden_dim, mlp_dim, dropout);
  }

  forward(input: Tensor): Tensor {
    if (input.dim() !== 3) throw new Error(`Expected (batch_size, seq_length, hidden_dim) got [${input.shape.join(', ')}]`);
    let x = this.ln_1(input);
    [x] = this.self_attention(x, x, x, { need_weights: false });
    x = this.dropout(x);
    x = x.add(input);
    const y = this.mlp(this.ln_2(x));
    return x.add(y);
  }
}

/** The transformer encoder: a learnt position embedding, num_layers EncoderBlocks, a final norm. */
export class Encoder extends nn.Module {
  declare pos_embedding: nn.Parameter;
  declare dropout: nn.Dropout;
  declare layers: nn.Sequential;
  declare ln: nn.Module;

  constructor(seq_length: number, num_layers: number, num_heads: number, hidden_dim: number, mlp_dim: number, dropout: number,
    attention_dropout: number, norm_layer: LayerFactory = layerNorm_eps6) {
    super();
    // batch first, as the attention layers are; the init is BERT's
    const pe = empty([1, seq_length, hidden_dim]);
    normal_(pe, { std: 0.02 });
    this.pos_embedding = new nn.Parameter(pe);
    pe.dispose();
    this.dropout = new nn.Dropout(dropout);
    const layers = new Map<string, nn.Module>();
    for (let i = 0; i < num_layers; i++) {
      layers.set(`encoder_layer_${i}`, new EncoderBlock(num_heads, hidden_dim, mlp_dim, dropout, attention_dropout, norm_layer));
    }
    this.layers = new nn.Sequential(layers);
    this.ln = callLayer(norm_layer, hidden_dim);
  }

  forward(input: Tensor): Tensor {
    if (input.dim() !== 3) throw new Error(`Expected (batch_size, seq_length, hidden_dim) got [${input.shape.join(', ')}]`);
    return this.ln(this.layers(this.dropout(input.add(this.pos_embedding))));
  }
}

export interface VisionTransformerOptions {
  dropout?: number;
  attention_dropout?: number;
  num_classes?: number;
  /** A pre-logits Linear of this size and Tanh before the head. Default: null, none. */
  representation_size?: number | null;
  /** Default: nn.LayerNorm with eps 1e-6. */
  norm_layer?: LayerFactory;
  /** A convolutional stem instead of the patchifying convolution. Default: null. */
  conv_stem_configs?: ConvStemConfig[] | null;
}

type ViTArgs = { image_size: number; patch_size: number; num_layers: number; num_heads: number; hidden_dim: number; mlp_dim: number }
  & Required<VisionTransformerOptions>;

export class VisionTransformer extends nn.Module {
  declare image_size: number;
  declare patch_size: number;
  declare hidden_dim: number;
  declare mlp_dim: number;
  declare attention_dropout: number;
  declare dropout: number;
  declare num_classes: number;
  declare representation_size: number | null;
  declare norm_layer: LayerFactory;
  declare conv_proj: nn.Module;
  declare class_token: nn.Parameter;
  declare encoder: Encoder;
  declare seq_length: number;
  declare heads: nn.Sequential;

  /**
   * `new VisionTransformer(image_size, patch_size, num_layers, num_heads, hidden_dim, mlp_dim, dropout = 0.0,
   * attention_dropout = 0.0, num_classes = 1000, representation_size = null, norm_layer = LayerNorm(eps=1e-6), conv_stem_configs = null)`.
   */
  constructor(...args: Rest<[number, number, number, number, number, number, number, number, number, number | null, LayerFactory, ConvStemConfig[] | null],
    VisionTransformerOptions & Partial<Pick<ViTArgs, 'image_size' | 'patch_size' | 'num_layers' | 'num_heads' | 'hidden_dim' | 'mlp_dim'>>>) {
    super();
    const a = bindArgs<ViTArgs>('VisionTransformer', args, {
      image_size: REQUIRED, patch_size: REQUIRED, num_layers: REQUIRED, num_heads: REQUIRED, hidden_dim: REQUIRED, mlp_dim: REQUIRED,
      dropout: 0.0, attention_dropout: 0.0, num_classes: 1000, representation_size: null, norm_layer: layerNorm_eps6, conv_stem_configs: null,
    });
    if (a.image_size % a.patch_size !== 0) throw new Error('Input shape indivisible by patch size!');
    this.image_size = a.image_size;
    this.patch_size = a.patch_size;
    this.hidden_dim = a.hidden_dim;
    this.mlp_dim = a.mlp_dim;
    this.attention_dropout = a.attention_dropout;
    this.dropout = a.dropout;
    this.num_classes = a.num_classes;
    this.representation_size = a.representation_size;
    this.norm_layer = a.norm_layer;

    let conv_last: nn.Conv2d | null = null;
    if (a.conv_stem_configs !== null) {
      const seq_proj = new nn.Sequential();
      let prev_channels = 3;
      a.conv_stem_configs.forEach((c, i) => {
        seq_proj.add_module(`conv_bn_relu_${i}`, new Conv2dNormActivation(prev_channels, c.out_channels, {
          kernel_size: c.kernel_size, stride: c.stride, norm_layer: c.norm_layer, activation_layer: c.activation_layer,
        }));
        prev_channels = c.out_channels;
      });
      conv_last = new nn.Conv2d(prev_channels, a.hidden_dim, { kernel_size: 1 });
      seq_proj.add_module('conv_last', conv_last);
      this.conv_proj = seq_proj;
    } else {
      this.conv_proj = new nn.Conv2d(3, a.hidden_dim, { kernel_size: a.patch_size, stride: a.patch_size });
    }
    let seq_length = Math.floor(a.image_size / a.patch_size) ** 2;
    // Add a class token
    const z = zeros([1, 1, a.hidden_dim]);
    this.class_token = new nn.Parameter(z);
    z.dispose();
    seq_length += 1;
    this.encoder = new Encoder(seq_length, a.num_layers, a.num_heads, a.hidden_dim, a.mlp_dim, a.dropout, a.attention_dropout, a.norm_layer);
    this.seq_length = seq_length;
    const heads = new Map<string, nn.Module>();
    let pre_logits: nn.Linear | null = null;
    if (a.representation_size === null) {
      heads.set('head', new nn.Linear(a.hidden_dim, a.num_classes));
    } else {
      pre_logits = new nn.Linear(a.hidden_dim, a.representation_size);
      heads.set('pre_logits', pre_logits);
      heads.set('act', new nn.Tanh());
      heads.set('head', new nn.Linear(a.representation_size, a.num_classes));
    }
    this.heads = new nn.Sequential(heads);

    if (this.conv_proj instanceof nn.Conv2d) {
      // Init the patchify stem
      const k = this.conv_proj.kernel_size as number[];
      const fan_in = this.conv_proj.in_channels * k[0] * k[1];
      trunc_normal_(this.conv_proj.weight, { std: Math.sqrt(1 / fan_in) });
      if (this.conv_proj.bias !== null) zeros_(this.conv_proj.bias);
    } else if (conv_last !== null) {
      // Init the last 1x1 conv of the conv stem
      normal_(conv_last.weight, { mean: 0.0, std: Math.sqrt(2.0 / conv_last.out_channels) });
      if (conv_last.bias !== null) zeros_(conv_last.bias);
    }
    if (pre_logits !== null) {
      trunc_normal_(pre_logits.weight, { std: Math.sqrt(1 / pre_logits.in_features) });
      zeros_(pre_logits.bias!);
    }
    const head = heads.get('head') as nn.Linear;
    zeros_(head.weight);
    zeros_(head.bias!);
  }

  _process_input(x: Tensor): Tensor {
    const [n, , h, w] = x.shape;
    const p = this.patch_size;
    if (h !== this.image_size) throw new Error(`Wrong image height! Expected ${this.image_size} but got ${h}!`);
    if (w !== this.image_size) throw new Error(`Wrong image width! Expected ${this.image_size} but got ${w}!`);
    const n_h = Math.floor(h / p), n_w = Math.floor(w / p);
    // (n, c, h, w) -> (n, hidden_dim, n_h, n_w) -> (n, hidden_dim, n_h * n_w) -> (n, n_h * n_w, hidden_dim): (N, S, E) for the attention
    return this.conv_proj(x).reshape([n, this.hidden_dim, n_h * n_w]).permute([0, 2, 1]);
  }

  forward(x: Tensor): Tensor {
    x = this._process_input(x);
    const n = x.shape[0];
    // the class token, once per batch element
    const batch_class_token = this.class_token.expand([n, -1, -1]);
    x = cat([batch_class_token, x], 1);
    x = this.encoder(x);
    // the class token's output is the classifier's input
    x = x.select(1, 0);
    return this.heads(x);
  }
}

/** Checkpoints saved before torchvision 0.13 name the MLP's Linears linear_1/linear_2 (now 0 and 3). */
const OLD_MLP_KEY = /^(.*\.mlp\.)linear_([12])\.(weight|bias)$/;

function loadViT(model: VisionTransformer, weights: WeightsEnum, progress: boolean): void {
  const state_dict = weights.get_state_dict({ progress });
  const renamed: Record<string, Tensor> = {};
  for (const [key, t] of Object.entries(state_dict)) {
    const res = OLD_MLP_KEY.exec(key);
    renamed[res ? `${res[1]}${3 * (Number(res[2]) - 1)}.${res[3]}` : key] = t;
  }
  try {
    model.load_state_dict(renamed);
  } finally {
    for (const t of Object.values(renamed)) if (t instanceof Tensor) t.dispose();
  }
}

const FIXED = ['patch_size', 'num_layers', 'num_heads', 'hidden_dim', 'mlp_dim'];

type ViTBuilderOptions = VisionTransformerOptions & { image_size?: number };

function vit(arch: string, enumClass: Parameters<typeof makeBuilder>[1], legacy: string | null,
  patch_size: number, num_layers: number, num_heads: number, hidden_dim: number, mlp_dim: number) {
  return makeBuilder(arch, enumClass, legacy,
    [...FIXED, 'image_size', 'dropout', 'attention_dropout', 'num_classes', 'representation_size', 'norm_layer', 'conv_stem_configs'],
    (w, kwargs: ViTBuilderOptions & Record<string, unknown>) => {
      // what the builder fixes, given again: Python's duplicate keyword
      for (const k of FIXED) if (k in kwargs) throw new TypeError(`torchvision.models.vision_transformer._vision_transformer() got multiple values for keyword argument '${k}'`);
      if (w !== null) {
        const [mh, mw] = w.meta.min_size as readonly number[];
        if (mh !== mw) throw new Error('AssertionError: the weights\' min_size is not square');
        _ovewrite_named_param(kwargs, 'image_size', mh);
      }
      const { image_size = 224, ...rest } = kwargs;
      return new VisionTransformer({ image_size, patch_size, num_layers, num_heads, hidden_dim, mlp_dim, ...rest });
    }, loadViT);
}

/** ViT-B/16. Options: image_size (224), dropout, attention_dropout, num_classes, representation_size, norm_layer, conv_stem_configs. */
export const vit_b_16 = vit('vit_b_16', W.ViT_B_16_Weights, 'IMAGENET1K_V1', 16, 12, 12, 768, 3072);
export const vit_b_32 = vit('vit_b_32', W.ViT_B_32_Weights, 'IMAGENET1K_V1', 32, 12, 12, 768, 3072);
export const vit_l_16 = vit('vit_l_16', W.ViT_L_16_Weights, 'IMAGENET1K_V1', 16, 24, 16, 1024, 4096);
export const vit_l_32 = vit('vit_l_32', W.ViT_L_32_Weights, 'IMAGENET1K_V1', 32, 24, 16, 1024, 4096);
/** ViT-H/14 (its only weights are SWAG's; `pretrained: true` is weights None, as torchvision). */
export const vit_h_14 = vit('vit_h_14', W.ViT_H_14_Weights, null, 14, 32, 16, 1280, 5120);
