// nn.RNNBase, RNN, LSTM, GRU and the cells RNNCell, LSTMCell, GRUCell: the
// same parameters (names, shapes, registration order, init draws) as PyTorch
// 1.13's torch/nn/modules/rnn.py, and forward through ATen's own fused ops
// (aten::lstm / gru / rnn_tanh / rnn_relu, the packed-data overloads for a
// PackedSequence, and the *_cell ops), so results are LibTorch's.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import { emptyParameter, Parameter } from '../parameter';
import * as init from '../init';
import * as G from '../../generated/torch';
import { bind, isOptions, py, REQUIRED, typename } from '../common';
import { torchAtLeast } from '../../native';
import { checkInt, checkTensor } from './_check';
import { warn } from '../../warnings';
import { PackedSequence } from '../utils/rnn';
import { FactoryArgs } from './linear';

const T = G as unknown as Record<string, (...a: unknown[]) => any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type RNNMode = 'LSTM' | 'GRU' | 'RNN_TANH' | 'RNN_RELU';
export interface RNNBaseArgs extends FactoryArgs {
  input_size: number; hidden_size: number; num_layers: number; bias: boolean; batch_first: boolean;
  dropout: number; bidirectional: boolean; proj_size: number;
}
const RNN_SPEC = {
  input_size: REQUIRED, hidden_size: REQUIRED, num_layers: 1, bias: true, batch_first: false,
  dropout: 0, bidirectional: false, proj_size: 0, device: null, dtype: null,
} as const;
const GATES: Record<RNNMode, number> = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 };
/** The fused ATen op of each mode (both overloads: padded input, packed data + batch_sizes). */
const IMPL: Record<RNNMode, string> = { LSTM: 'lstm', GRU: 'gru', RNN_TANH: 'rnn_tanh', RNN_RELU: 'rnn_relu' };

/** Python's tuple of ints, as the shape messages print them. */
const tuple = (s: number[]): string => py(s);
const list = (s: number[]): string => `[${s.join(', ')}]`;

type Hidden = Tensor | [Tensor, Tensor];

export class RNNBase extends Module {
  declare mode: RNNMode;
  declare input_size: number;
  declare hidden_size: number;
  declare num_layers: number;
  declare bias: boolean;
  declare batch_first: boolean;
  declare dropout: number;
  declare bidirectional: boolean;
  declare proj_size: number;
  declare _flat_weights_names: string[];
  declare _all_weights: string[][];

  constructor(mode: RNNMode, ...args: unknown[]) {
    super();
    const a = bind<RNNBaseArgs>(new.target.name, args, RNN_SPEC as never);
    const name = new.target.name;
    checkInt(name, 'input_size', a.input_size);
    checkInt(name, 'hidden_size', a.hidden_size);
    checkInt(name, 'num_layers', a.num_layers);
    checkInt(name, 'proj_size', a.proj_size);
    if (typeof a.dropout !== 'number' || !(a.dropout >= 0 && a.dropout <= 1)) {
      throw new Error('dropout should be a number in range [0, 1] representing the probability of an element being zeroed');
    }
    this.mode = mode;
    this.input_size = a.input_size;
    this.hidden_size = a.hidden_size;
    this.num_layers = a.num_layers;
    this.bias = a.bias;
    this.batch_first = a.batch_first;
    this.dropout = a.dropout;
    this.bidirectional = a.bidirectional;
    this.proj_size = a.proj_size;
    if (a.dropout > 0 && a.num_layers === 1) {
      warn('dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects ' +
        `num_layers greater than 1, but got dropout=${py(a.dropout, { float: true })} and num_layers=${a.num_layers}`);
    }
    if (a.proj_size < 0) throw new Error('proj_size should be a positive integer or zero to disable projections');
    if (a.proj_size >= a.hidden_size) throw new Error('proj_size has to be smaller than hidden_size');
    if (!(mode in GATES)) throw new Error(`Unrecognized RNN mode: ${mode}`);
    const gate = GATES[mode] * a.hidden_size;
    const dirs = a.bidirectional ? 2 : 1;
    const real = a.proj_size > 0 ? a.proj_size : a.hidden_size;
    this._flat_weights_names = [];
    this._all_weights = [];
    for (let layer = 0; layer < a.num_layers; layer++) {
      for (let dir = 0; dir < dirs; dir++) {
        const inSize = layer === 0 ? a.input_size : real * dirs;
        const sfx = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
        // Registration order is Python's: w_ih, w_hh, (b_ih, b_hh), (w_hr); init draws follow it.
        const shapes: Array<[string, number[]]> = [[`weight_ih${sfx}`, [gate, inSize]], [`weight_hh${sfx}`, [gate, real]]];
        if (a.bias) shapes.push([`bias_ih${sfx}`, [gate]], [`bias_hh${sfx}`, [gate]]);
        if (a.proj_size > 0) shapes.push([`weight_hr${sfx}`, [a.proj_size, a.hidden_size]]);
        for (const [n, s] of shapes) this.register_parameter(n, emptyParameter(s, a));
        const names = shapes.map(([n]) => n);
        this._flat_weights_names.push(...names);
        this._all_weights.push(names);
      }
    }
    this.reset_parameters();
  }

  /** The weights in the flat order the fused op takes; read at each call, so reassigned parameters are used (Python keeps a list in sync through __setattr__). */
  get _flat_weights(): Array<Tensor | null> {
    const self = this as unknown as Record<string, Tensor | null>;
    return this._flat_weights_names.map((n) => (n in this ? self[n] : null));
  }

  get all_weights(): Parameter[][] {
    const self = this as unknown as Record<string, Parameter>;
    return this._all_weights.map((ws) => ws.map((w) => self[w]));
  }

  /** A no-op on the CPU, as in PyTorch (it only repacks weights for cuDNN). */
  flatten_parameters(): void {}

  reset_parameters(): void {
    const stdv = this.hidden_size > 0 ? 1.0 / Math.sqrt(this.hidden_size) : 0;
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  check_input(input: Tensor, batch_sizes: Tensor | null): void {
    const expected = batch_sizes !== null ? 2 : 3;
    if (input.dim() !== expected) throw new Error(`input must have ${expected} dimensions, got ${input.dim()}`);
    if (this.input_size !== input.size(-1)) {
      throw new Error(`input.size(-1) must be equal to input_size. Expected ${this.input_size}, got ${input.size(-1)}`);
    }
  }

  get_expected_hidden_size(input: Tensor, batch_sizes: Tensor | null): number[] {
    const mini = batch_sizes !== null ? Number(batch_sizes.select(0, 0).item())
      : input.size(this.batch_first ? 0 : 1);
    return [this.num_layers * (this.bidirectional ? 2 : 1), mini, this.proj_size > 0 ? this.proj_size : this.hidden_size];
  }

  check_hidden_size(hx: Tensor, expected: number[], msg = 'Expected hidden size'): void {
    if (!(hx instanceof Tensor)) throw new TypeError(`${this._get_name()}.forward(): hx must be a Tensor, not ${typename(hx)}`);
    const s = hx.shape;
    if (s.length !== expected.length || s.some((d, i) => d !== expected[i])) throw new Error(`${msg} ${tuple(expected)}, got ${list(s)}`);
  }

  check_forward_args(input: Tensor, hidden: Hidden, batch_sizes: Tensor | null): void {
    this.check_input(input, batch_sizes);
    this.check_hidden_size(hidden as Tensor, this.get_expected_hidden_size(input, batch_sizes));
  }

  permute_hidden(hx: Hidden, permutation: Tensor | null): Hidden {
    if (permutation === null) return hx;
    return Array.isArray(hx) ? [hx[0].index_select(1, permutation), hx[1].index_select(1, permutation)] : hx.index_select(1, permutation);
  }

  /**
   * The shared forward of RNN, LSTM and GRU (Python writes it out three times):
   * unbatched inputs get a batch dimension, a PackedSequence goes through the
   * op's packed-data overload, a missing hx is zeros.
   */
  protected _run(input: Tensor | PackedSequence, hx: Hidden | null | undefined): [Tensor | PackedSequence, Hidden] {
    hx = hxArg(this._get_name(), input, hx);
    const lstm = this.mode === 'LSTM';
    const packed = input instanceof PackedSequence;
    let data: Tensor, batch_sizes: Tensor | null = null, sorted: Tensor | null = null, unsorted: Tensor | null = null;
    let batched = true;
    const batchDim = this.batch_first ? 0 : 1;
    let maxBatch: number;
    if (packed) {
      ({ data, batch_sizes, sorted_indices: sorted, unsorted_indices: unsorted } = input);
      maxBatch = Number(batch_sizes!.select(0, 0).item());
    } else {
      checkTensor(this._get_name(), 'input', input);
      data = input;
      // 2.x names the class for an input that is neither batched nor unbatched (1.13: check_input's rank message).
      if (torchAtLeast(2, 13) && data.dim() !== 2 && data.dim() !== 3) {
        throw new Error(`${this._get_name()}: Expected input to be 2D or 3D, got ${data.dim()}D ${this.mode === 'LSTM' || this.mode === 'GRU' ? '' : 'tensor '}instead`);
      }
      batched = data.dim() === 3;
      if (!batched) data = data.unsqueeze(batchDim);
      if (hx != null && !lstm) {
        checkTensor(this._get_name(), 'hx', hx);
        const hd = (hx as Tensor).dim();
        if (!batched && hd !== 2) throw new Error(`For unbatched 2-D input, hx should also be 2-D but got ${hd}-D tensor`);
        if (batched && hd !== 3) throw new Error(`For batched 3-D input, hx should also be 3-D but got ${hd}-D tensor`);
        if (!batched) hx = (hx as Tensor).unsqueeze(1);
      }
      maxBatch = data.size(this.batch_first ? 0 : 1);
    }
    const dirs = this.bidirectional ? 2 : 1;
    const opts = { dtype: data.dtype, device: data.device };
    if (hx == null) {
      const real = this.proj_size > 0 ? this.proj_size : this.hidden_size;
      const h0 = T.zeros([this.num_layers * dirs, maxBatch, real], opts);
      hx = lstm ? [h0, T.zeros([this.num_layers * dirs, maxBatch, this.hidden_size], opts)] : h0;
    } else {
      if (lstm) {
        if (!Array.isArray(hx) || hx.length !== 2) throw new TypeError(`LSTM.forward(): hx must be a tuple (h_0, c_0) of Tensors, not ${typename(hx)}`);
        checkTensor('LSTM', 'hx[0]', hx[0]);
        checkTensor('LSTM', 'hx[1]', hx[1]);
        if (!packed) {
          const [d0, d1] = [hx[0].dim(), hx[1].dim()];
          if (batched && (d0 !== 3 || d1 !== 3)) throw new Error(`For batched 3-D input, hx and cx should also be 3-D but got (${d0}-D, ${d1}-D) tensors`);
          if (!batched) {
            if (d0 !== 2 || d1 !== 2) throw new Error(`For unbatched 2-D input, hx and cx should also be 2-D but got (${d0}-D, ${d1}-D) tensors`);
            hx = [hx[0].unsqueeze(1), hx[1].unsqueeze(1)];
          }
        }
      } else if (packed) {
        checkTensor(this._get_name(), 'hx', hx);
      }
      hx = this.permute_hidden(hx, sorted);
    }
    this.check_forward_args(data, hx as Hidden, batch_sizes);
    const w = this._flat_weights;
    const fn = T[IMPL[this.mode]];
    const result: Tensor[] = batch_sizes === null
      ? fn(data, hx, w, this.bias, this.num_layers, this.dropout, this.training, this.bidirectional, this.batch_first)
      : fn(data, batch_sizes, hx, w, this.bias, this.num_layers, this.dropout, this.training, this.bidirectional);
    let output: Tensor | PackedSequence = result[0];
    let hidden: Hidden = lstm ? [result[1], result[2]] : result[1];
    if (packed) {
      output = new PackedSequence(output, batch_sizes, sorted, unsorted);
    } else if (!batched) {
      output = output.squeeze(batchDim);
      hidden = Array.isArray(hidden) ? [hidden[0].squeeze(1), hidden[1].squeeze(1)] : hidden.squeeze(1);
    }
    return [output, this.permute_hidden(hidden, unsorted)];
  }

  extra_repr(): string {
    let s = `${this.input_size}, ${this.hidden_size}`;
    if (this.proj_size !== 0) s += `, proj_size=${this.proj_size}`;
    if (this.num_layers !== 1) s += `, num_layers=${this.num_layers}`;
    if (this.bias !== true) s += `, bias=${py(this.bias)}`;
    if (this.batch_first !== false) s += `, batch_first=${py(this.batch_first)}`;
    if (this.dropout !== 0) s += `, dropout=${py(this.dropout, { float: true })}`;
    if (this.bidirectional !== false) s += `, bidirectional=${py(this.bidirectional)}`;
    return s;
  }
}

/** RNN(...) and GRU(...) take RNNBase's arguments, but not proj_size (only LSTM projects). */
function noProj(args: unknown[]): void {
  const last = args[args.length - 1];
  if (isOptions(last) && 'proj_size' in last) {
    throw new Error('proj_size argument is only supported for LSTM, not RNN or GRU');
  }
}

type RNNOptions = Partial<RNNBaseArgs>;

/** Elman RNN, h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu: `{ nonlinearity: 'relu' }`). */
/** (model(x) types as the Tensor overload, the last one; a PackedSequence call gives a PackedSequence output.) */
export class RNN extends RNNBase {
  declare nonlinearity: 'tanh' | 'relu';
  constructor(input_size: number | (RNNOptions & { nonlinearity?: 'tanh' | 'relu' }), ...args: unknown[]) {
    const all = [input_size, ...args];
    noProj(all);
    // nonlinearity is keyword-only (Python pops it from **kwargs).
    let nonlinearity: unknown = 'tanh';
    const last = all[all.length - 1];
    if (isOptions(last) && 'nonlinearity' in last) {
      const { nonlinearity: nl, ...rest } = last as { nonlinearity: unknown };
      nonlinearity = nl;
      all[all.length - 1] = rest;
    }
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') throw new Error(`Unknown nonlinearity '${String(nonlinearity)}'${torchAtLeast(2, 13) ? ". Select from 'tanh' or 'relu'." : ''}`);
    super(nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', ...all);
    this.nonlinearity = nonlinearity;
  }
  forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  forward(input: Tensor | PackedSequence, hx: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    return this._run(input, hx) as [Tensor | PackedSequence, Tensor];
  }
}

/** Long short-term memory; `proj_size > 0` adds the projection h_t = W_hr h_t. */
export class LSTM extends RNNBase {
  constructor(input_size: number | RNNOptions, ...args: unknown[]) { super('LSTM', input_size, ...args); }

  get_expected_cell_size(input: Tensor, batch_sizes: Tensor | null): number[] {
    const [l, n] = this.get_expected_hidden_size(input, batch_sizes);
    return [l, n, this.hidden_size];
  }

  check_forward_args(input: Tensor, hidden: Hidden, batch_sizes: Tensor | null): void {
    this.check_input(input, batch_sizes);
    const [h, c] = hidden as [Tensor, Tensor];
    this.check_hidden_size(h, this.get_expected_hidden_size(input, batch_sizes), 'Expected hidden[0] size');
    this.check_hidden_size(c, this.get_expected_cell_size(input, batch_sizes), 'Expected hidden[1] size');
  }

  forward(input: PackedSequence, hx?: [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  forward(input: Tensor | PackedSequence, hx: [Tensor, Tensor] | null = null): [Tensor | PackedSequence, [Tensor, Tensor]] {
    return this._run(input, hx) as [Tensor | PackedSequence, [Tensor, Tensor]];
  }
}

/** Gated recurrent unit. */
export class GRU extends RNNBase {
  constructor(input_size: number | RNNOptions, ...args: unknown[]) {
    noProj([input_size, ...args]);
    super('GRU', input_size, ...args);
  }
  forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  forward(input: Tensor | PackedSequence, hx: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    return this._run(input, hx) as [Tensor | PackedSequence, Tensor];
  }
}

/** `forward(input, { hx })`: hx by keyword too, as Python's `forward(input, hx=None)` takes it. */
function hxArg<H>(layer: string, input: unknown, hx: H): H {
  if (!isOptions(hx)) return hx;
  return bind<{ input: unknown; hx: H | null }>(`${layer}.forward`, [input, hx], { input: REQUIRED, hx: null }).hx as H;
}

// ---- cells ---------------------------------------------------------------------------

interface CellArgs extends FactoryArgs { input_size: number; hidden_size: number; bias: boolean; nonlinearity: string }

export class RNNCellBase extends Module {
  declare input_size: number;
  declare hidden_size: number;
  declare bias: boolean;
  declare weight_ih: Parameter;
  declare weight_hh: Parameter;
  declare bias_ih: Parameter | null;
  declare bias_hh: Parameter | null;

  constructor(input_size: number, hidden_size: number, bias: boolean, num_chunks: number, factory: Partial<FactoryArgs> = {}) {
    super();
    const name = new.target.name;
    checkInt(name, 'input_size', input_size);
    checkInt(name, 'hidden_size', hidden_size);
    this.input_size = input_size;
    this.hidden_size = hidden_size;
    this.bias = bias;
    this.weight_ih = emptyParameter([num_chunks * hidden_size, input_size], factory);
    this.weight_hh = emptyParameter([num_chunks * hidden_size, hidden_size], factory);
    if (bias) {
      this.bias_ih = emptyParameter([num_chunks * hidden_size], factory);
      this.bias_hh = emptyParameter([num_chunks * hidden_size], factory);
    } else {
      this.register_parameter('bias_ih', null);
      this.register_parameter('bias_hh', null);
    }
    this.reset_parameters();
  }

  reset_parameters(): void {
    const stdv = this.hidden_size > 0 ? 1.0 / Math.sqrt(this.hidden_size) : 0;
    for (const w of this.parameters()) init.uniform_(w, -stdv, stdv);
  }

  extra_repr(): string {
    let s = `${this.input_size}, ${this.hidden_size}`;
    if (this.bias !== true) s += `, bias=${py(this.bias)}`;
    const nl = (this as unknown as { nonlinearity?: string }).nonlinearity;
    if (nl !== undefined && nl !== 'tanh') s += `, nonlinearity=${nl}`;
    return s;
  }

  /** Python's assert on the input rank, then the unbatched case as a batch of one. */
  protected _batch(input: Tensor): [Tensor, boolean] {
    const name = this._get_name();
    checkTensor(name, 'input', input);
    if (input.dim() !== 1 && input.dim() !== 2) throw new Error(torchAtLeast(2, 13) ? `${name}: Expected input to be 1D or 2D, got ${input.dim()}D instead` : `${name}: Expected input to be 1-D or 2-D but received ${input.dim()}-D tensor`);
    const batched = input.dim() === 2;
    return [batched ? input : input.unsqueeze(0), batched];
  }
  protected _zeros(input: Tensor): Tensor {
    return T.zeros([input.size(0), this.hidden_size], { dtype: input.dtype, device: input.device });
  }
}

function cellArgs(name: string, args: unknown[], withNonlinearity: boolean): CellArgs {
  const spec: Record<string, unknown> = { input_size: REQUIRED, hidden_size: REQUIRED, bias: true };
  if (withNonlinearity) spec.nonlinearity = 'tanh';
  spec.device = null;
  spec.dtype = null;
  return bind<CellArgs>(name, args, spec as never);
}

/** One step of an Elman RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu). */
export class RNNCell extends RNNCellBase {
  declare nonlinearity: string;
  constructor(input_size: number | Partial<CellArgs>, ...args: unknown[]) {
    const a = cellArgs('RNNCell', [input_size, ...args], true);
    super(a.input_size, a.hidden_size, a.bias, 1, a);
    this.nonlinearity = a.nonlinearity;
  }
  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    hx = hxArg(this._get_name(), input, hx);
    const [x, batched] = this._batch(input);
    const h = hx == null ? this._zeros(x) : batched ? hx : hx.unsqueeze(0);
    let ret: Tensor;
    if (this.nonlinearity === 'tanh') ret = T.rnn_tanh_cell(x, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    else if (this.nonlinearity === 'relu') ret = T.rnn_relu_cell(x, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    else throw new Error(`Unknown nonlinearity: ${this.nonlinearity}`);
    return batched ? ret : ret.squeeze(0);
  }
}

/** One LSTM step: (h', c') from x and (h, c). */
export class LSTMCell extends RNNCellBase {
  constructor(input_size: number | Partial<CellArgs>, ...args: unknown[]) {
    const a = cellArgs('LSTMCell', [input_size, ...args], false);
    super(a.input_size, a.hidden_size, a.bias, 4, a);
  }
  forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    hx = hxArg(this._get_name(), input, hx);
    const [x, batched] = this._batch(input);
    let state: [Tensor, Tensor];
    if (hx == null) { const z = this._zeros(x); state = [z, z]; } else state = batched ? hx : [hx[0].unsqueeze(0), hx[1].unsqueeze(0)];
    const [h, c] = T.lstm_cell(x, state, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh) as Tensor[];
    return batched ? [h, c] : [h.squeeze(0), c.squeeze(0)];
  }
}

/** One GRU step. */
export class GRUCell extends RNNCellBase {
  constructor(input_size: number | Partial<CellArgs>, ...args: unknown[]) {
    const a = cellArgs('GRUCell', [input_size, ...args], false);
    super(a.input_size, a.hidden_size, a.bias, 3, a);
  }
  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    hx = hxArg(this._get_name(), input, hx);
    const [x, batched] = this._batch(input);
    const h = hx == null ? this._zeros(x) : batched ? hx : hx.unsqueeze(0);
    const ret: Tensor = T.gru_cell(x, h, this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
    return batched ? ret : ret.squeeze(0);
  }
}
