// nn.Embedding and nn.EmbeddingBag, as PyTorch 1.13's torch/nn/modules/sparse.py:
// N(0, 1) init from the default generator, the padding row zeroed, from_pretrained.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import { emptyParameter, Parameter } from '../parameter';
import * as F from '../functional';
import * as init from '../init';
import { no_grad } from '../../autograd';
import { bind, py, pyStrRepr, REQUIRED } from '../common';
import { torchAtLeast } from '../../native';
import { checkInt, checkTensor } from './_check';
import { FactoryArgs } from './linear';

/** Python's padding_idx checks: negative counts from the end. */
function paddingIdx(padding_idx: number | null, n: number, msg: string): number | null {
  if (padding_idx === null) return null;
  checkInt('Embedding', 'padding_idx', padding_idx);
  if (padding_idx > 0 && padding_idx >= n) throw new Error(msg);
  if (padding_idx < 0) {
    if (padding_idx < -n) throw new Error(msg);
    return n + padding_idx;
  }
  return padding_idx;
}

/** The given _weight, or a fresh one (then reset_parameters draws it). */
function weightOf(m: { weight: Parameter; reset_parameters(): void }, w: Tensor | null, shape: number[], factory: Partial<FactoryArgs>): void {
  if (w === null) {
    m.weight = emptyParameter(shape, factory);
    m.reset_parameters();
  } else {
    if (w.shape.length !== 2 || w.shape[0] !== shape[0] || w.shape[1] !== shape[1]) throw new Error('Shape of weight does not match num_embeddings and embedding_dim');
    m.weight = new Parameter(w);
  }
}

export interface EmbeddingArgs extends FactoryArgs {
  num_embeddings: number; embedding_dim: number; padding_idx: number | null; max_norm: number | null; norm_type: number;
  scale_grad_by_freq: boolean; sparse: boolean; _weight: Tensor | null;
}
const EMBEDDING_SPEC = {
  num_embeddings: REQUIRED, embedding_dim: REQUIRED, padding_idx: null, max_norm: null, norm_type: 2.0,
  scale_grad_by_freq: false, sparse: false, _weight: null, device: null, dtype: null,
};

/** A lookup table: row i of weight for index i. */
export class Embedding extends Module {
  declare num_embeddings: number;
  declare embedding_dim: number;
  declare padding_idx: number | null;
  declare max_norm: number | null;
  declare norm_type: number;
  declare scale_grad_by_freq: boolean;
  declare sparse: boolean;
  declare weight: Parameter;

  constructor(num_embeddings: number | Partial<EmbeddingArgs>, ...args: unknown[]) {
    super();
    const a = bind<EmbeddingArgs>('Embedding', [num_embeddings, ...args], EMBEDDING_SPEC as never);
    checkInt('Embedding', 'num_embeddings', a.num_embeddings);
    checkInt('Embedding', 'embedding_dim', a.embedding_dim);
    this.num_embeddings = a.num_embeddings;
    this.embedding_dim = a.embedding_dim;
    this.padding_idx = paddingIdx(a.padding_idx, a.num_embeddings, 'Padding_idx must be within num_embeddings');
    this.max_norm = a.max_norm;
    this.norm_type = a.norm_type;
    this.scale_grad_by_freq = a.scale_grad_by_freq;
    weightOf(this, a._weight, [a.num_embeddings, a.embedding_dim], a);
    this.sparse = a.sparse;
  }

  reset_parameters(): void {
    init.normal_(this.weight);
    this._fill_padding_idx_with_zero();
  }

  _fill_padding_idx_with_zero(): void {
    if (this.padding_idx !== null) no_grad(() => { this.weight.select(0, this.padding_idx!).fill_(0); });
  }

  forward(input: Tensor): Tensor {
    checkTensor('Embedding', 'input', input);
    return F.embedding(input, this.weight, this.padding_idx, this.max_norm, this.norm_type, this.scale_grad_by_freq, this.sparse);
  }

  extra_repr(): string {
    let s = `${this.num_embeddings}, ${this.embedding_dim}`;
    if (this.padding_idx !== null) s += `, padding_idx=${this.padding_idx}`;
    if (this.max_norm !== null) s += `, max_norm=${py(this.max_norm, { float: true })}`;
    if (this.norm_type !== 2) s += `, norm_type=${py(this.norm_type)}`;
    if (this.scale_grad_by_freq !== false) s += `, scale_grad_by_freq=${py(this.scale_grad_by_freq)}`;
    if (this.sparse !== false) s += ', sparse=True';
    return s;
  }

  /** Embedding.from_pretrained(embeddings, freeze = true, padding_idx = null, max_norm = null, norm_type = 2.0, scale_grad_by_freq = false, sparse = false) */
  static from_pretrained(embeddings: Tensor, ...args: unknown[]): Embedding {
    const a = bind<{ freeze: boolean; padding_idx: number | null; max_norm: number | null; norm_type: number; scale_grad_by_freq: boolean; sparse: boolean }>(
      'Embedding.from_pretrained', args, { freeze: true, padding_idx: null, max_norm: null, norm_type: 2.0, scale_grad_by_freq: false, sparse: false });
    checkTensor('Embedding.from_pretrained', 'embeddings', embeddings);
    if (embeddings.dim() !== 2) throw new Error('Embeddings parameter is expected to be 2-dimensional');
    const [rows, cols] = embeddings.shape;
    const { freeze, ...rest } = a;
    const e = new this({ num_embeddings: rows, embedding_dim: cols, _weight: embeddings, ...rest });
    e.weight.requires_grad = !freeze;
    return e;
  }
}

export interface EmbeddingBagArgs extends FactoryArgs {
  num_embeddings: number; embedding_dim: number; max_norm: number | null; norm_type: number; scale_grad_by_freq: boolean;
  mode: 'sum' | 'mean' | 'max'; sparse: boolean; _weight: Tensor | null; include_last_offset: boolean; padding_idx: number | null;
}
const BAG_SPEC = {
  num_embeddings: REQUIRED, embedding_dim: REQUIRED, max_norm: null, norm_type: 2.0, scale_grad_by_freq: false,
  mode: 'mean', sparse: false, _weight: null, include_last_offset: false, padding_idx: null, device: null, dtype: null,
};

/** Sums, means or maxima of bags of embeddings, without materialising the embeddings. */
export class EmbeddingBag extends Module {
  declare num_embeddings: number;
  declare embedding_dim: number;
  declare max_norm: number | null;
  declare norm_type: number;
  declare scale_grad_by_freq: boolean;
  declare mode: 'sum' | 'mean' | 'max';
  declare sparse: boolean;
  declare include_last_offset: boolean;
  declare padding_idx: number | null;
  declare weight: Parameter;

  constructor(num_embeddings: number | Partial<EmbeddingBagArgs>, ...args: unknown[]) {
    super();
    const a = bind<EmbeddingBagArgs>('EmbeddingBag', [num_embeddings, ...args], BAG_SPEC as never);
    checkInt('EmbeddingBag', 'num_embeddings', a.num_embeddings);
    checkInt('EmbeddingBag', 'embedding_dim', a.embedding_dim);
    this.num_embeddings = a.num_embeddings;
    this.embedding_dim = a.embedding_dim;
    this.max_norm = a.max_norm;
    this.norm_type = a.norm_type;
    this.scale_grad_by_freq = a.scale_grad_by_freq;
    this.padding_idx = paddingIdx(a.padding_idx, a.num_embeddings, 'padding_idx must be within num_embeddings');
    weightOf(this, a._weight, [a.num_embeddings, a.embedding_dim], a);
    this.mode = a.mode;
    this.sparse = a.sparse;
    this.include_last_offset = a.include_last_offset;
  }

  reset_parameters(): void {
    init.normal_(this.weight);
    if (this.padding_idx !== null) no_grad(() => { this.weight.select(0, this.padding_idx!).fill_(0); });
  }

  forward(input: Tensor, offsets: Tensor | null = null, per_sample_weights: Tensor | null = null): Tensor {
    return F.embedding_bag(input, this.weight, offsets, this.max_norm, this.norm_type, this.scale_grad_by_freq, this.mode,
      this.sparse, per_sample_weights, this.include_last_offset, this.padding_idx);
  }

  extra_repr(): string {
    let s = `${this.num_embeddings}, ${this.embedding_dim}`;
    if (this.max_norm !== null) s += `, max_norm=${py(this.max_norm, { float: true })}`;
    if (this.norm_type !== 2) s += `, norm_type=${py(this.norm_type)}`;
    if (this.scale_grad_by_freq !== false) s += `, scale_grad_by_freq=${py(this.scale_grad_by_freq)}`;
    s += `, mode=${torchAtLeast(2, 13) ? pyStrRepr(this.mode) : this.mode}`; // 2.x quotes it
    if (this.padding_idx !== null) s += `, padding_idx=${this.padding_idx}`;
    return s;
  }

  /** EmbeddingBag.from_pretrained(embeddings, freeze = true, max_norm, norm_type, scale_grad_by_freq, mode = 'mean', sparse, include_last_offset, padding_idx) */
  static from_pretrained(embeddings: Tensor, ...args: unknown[]): EmbeddingBag {
    const a = bind<{ freeze: boolean; max_norm: number | null; norm_type: number; scale_grad_by_freq: boolean; mode: string; sparse: boolean; include_last_offset: boolean; padding_idx: number | null }>(
      'EmbeddingBag.from_pretrained', args,
      { freeze: true, max_norm: null, norm_type: 2.0, scale_grad_by_freq: false, mode: 'mean', sparse: false, include_last_offset: false, padding_idx: null });
    checkTensor('EmbeddingBag.from_pretrained', 'embeddings', embeddings);
    if (embeddings.dim() !== 2) throw new Error('Embeddings parameter is expected to be 2-dimensional');
    const [rows, cols] = embeddings.shape;
    const { freeze, ...rest } = a;
    const e = new this({ num_embeddings: rows, embedding_dim: cols, _weight: embeddings, ...rest } as Partial<EmbeddingBagArgs>);
    e.weight.requires_grad = !freeze;
    return e;
  }
}

