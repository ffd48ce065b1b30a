// torch.nn.utils.rnn: PackedSequence and the functions that make and unmake
// it, as PyTorch 1.13's torch/nn/utils/rnn.py, over ATen's
// _pack_padded_sequence / _pad_packed_sequence / pad_sequence.
import { inspect } from 'node:util';
import { Tensor } from '../../tensor';
import * as G from '../../generated/torch';
import { makeFunction } from '../../binder';
import { tensor } from '../../creation';
import { int64, int32, int16, int8, uint8, float64, float32, float16 } from '../../dtype';
import { bind, isOptions, Rest, typename } from '../common';
import { expect } from '../../guard';

const T = G as unknown as Record<string, (...a: unknown[]) => any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const nnPadSequence = makeFunction('nn', 'pad_sequence') as (...a: unknown[]) => Tensor;

/** The inverse of a permutation (null stays null). */
export function invert_permutation(permutation: Tensor | null): Tensor | null {
  if (permutation == null) return null;
  const out = T.empty_like(permutation);
  out.scatter_(0, permutation, T.arange(0, permutation.numel(), { device: permutation.device }));
  return out;
}

/**
 * A batch of variable-length sequences packed time step by time step: Python's
 * namedtuple (data, batch_sizes, sorted_indices, unsorted_indices); it
 * destructures as one (`const [data, batch_sizes] = packed`).
 */
export class PackedSequence {
  readonly data: Tensor;
  readonly batch_sizes: Tensor;
  readonly sorted_indices: Tensor | null;
  readonly unsorted_indices: Tensor | null;

  /** PackedSequence(data, batch_sizes = null, sorted_indices = null, unsorted_indices = null); data may be the pair [data, batch_sizes]. */
  constructor(data: Tensor | [Tensor, Tensor], batch_sizes: Tensor | null = null, sorted_indices: Tensor | null = null, unsorted_indices: Tensor | null = null) {
    if (Array.isArray(data)) {
      expect.tensor('PackedSequence', 'data[0]', data[0]);
      expect.optTensor('PackedSequence', 'data[1]', data[1]);
    } else expect.tensor('PackedSequence', 'data', data, 0);
    if (unsorted_indices == null) unsorted_indices = invert_permutation(sorted_indices ?? null);
    if (batch_sizes != null) {
      if (batch_sizes.device.type !== 'cpu') {
        throw new Error('batch_sizes should always be on CPU. Instances of PackedSequence should never be created manually. They should be instantiated by functions like pack_sequence and pack_padded_sequences in nn.utils.rnn. https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence');
      }
      this.data = data as Tensor;
      this.batch_sizes = batch_sizes;
    } else {
      if (!Array.isArray(data) || data.length !== 2) throw new TypeError('PackedSequence(): without batch_sizes, data must be the pair [data, batch_sizes]');
      [this.data, this.batch_sizes] = data;
    }
    this.sorted_indices = sorted_indices ?? null;
    this.unsorted_indices = unsorted_indices;
  }

  *[Symbol.iterator](): IterableIterator<Tensor | null> {
    yield this.data; yield this.batch_sizes; yield this.sorted_indices; yield this.unsorted_indices;
  }

  /** to(...) as Tensor.to: the same object when data does not change; batch_sizes stays on the CPU. */
  to(...args: unknown[]): PackedSequence {
    const data = (this.data.to as (...a: unknown[]) => Tensor)(...args);
    if (data === this.data) return this;
    const move = (t: Tensor | null) => (t === null ? null : t.to(data.device));
    return new PackedSequence(data, this.batch_sizes, move(this.sorted_indices), move(this.unsorted_indices));
  }
  cpu(): PackedSequence { return this.to({ device: 'cpu' }); }
  double(): PackedSequence { return this.to(float64); }
  float(): PackedSequence { return this.to(float32); }
  half(): PackedSequence { return this.to(float16); }
  long(): PackedSequence { return this.to(int64); }
  int(): PackedSequence { return this.to(int32); }
  short(): PackedSequence { return this.to(int16); }
  char(): PackedSequence { return this.to(int8); }
  byte(): PackedSequence { return this.to(uint8); }
  is_pinned(): boolean { return this.data.is_pinned(); }
  get is_cuda(): boolean { return this.data.is_cuda; }

  toString(): string {
    const f = (t: Tensor | null) => (t === null ? 'None' : String(t));
    return `PackedSequence(data=${f(this.data)}, batch_sizes=${f(this.batch_sizes)}, sorted_indices=${f(this.sorted_indices)}, unsorted_indices=${f(this.unsorted_indices)})`;
  }
  [inspect.custom](): string { return this.toString(); }
}

function lengthsTensor(lengths: Tensor | number[]): Tensor {
  if (lengths instanceof Tensor) return lengths.to(int64);
  if (!Array.isArray(lengths)) throw new TypeError(`pack_padded_sequence(): lengths must be a Tensor or a list of ints, not ${typename(lengths)}`);
  return tensor(lengths, { dtype: int64 });
}

interface PackArgs { batch_first: boolean; enforce_sorted: boolean }
/** pack_padded_sequence(input, lengths, batch_first = false, enforce_sorted = true) */
export function pack_padded_sequence(input: Tensor, lengths: Tensor | number[], ...args: Rest<[boolean, boolean], Partial<PackArgs>>): PackedSequence {
  const a = bind<PackArgs>('pack_padded_sequence', args, { batch_first: false, enforce_sorted: true });
  let len = lengthsTensor(lengths);
  let sorted: Tensor | null = null;
  if (!a.enforce_sorted) {
    const [l, idx] = T.sort(len, { descending: true }) as Tensor[];
    len = l;
    sorted = idx.to(input.device);
    input = input.index_select(a.batch_first ? 0 : 1, sorted);
  }
  const [data, batch_sizes] = T._pack_padded_sequence(input, len, a.batch_first) as Tensor[];
  return new PackedSequence(data, batch_sizes, sorted, null);
}

interface PadPackedArgs { batch_first: boolean; padding_value: number; total_length: number | null }
/** pad_packed_sequence(sequence, batch_first = false, padding_value = 0.0, total_length = null) -> [padded, lengths] */
export function pad_packed_sequence(sequence: PackedSequence, ...args: Rest<[boolean, number, number | null], Partial<PadPackedArgs>>): [Tensor, Tensor] {
  const a = bind<PadPackedArgs>('pad_packed_sequence', args, { batch_first: false, padding_value: 0.0, total_length: null });
  if (!(sequence instanceof PackedSequence)) throw new TypeError(`pad_packed_sequence(): sequence must be a PackedSequence, not ${typename(sequence)}`);
  let maxLen = sequence.batch_sizes.size(0);
  if (a.total_length !== null) {
    if (a.total_length < maxLen) {
      throw new Error(`Expected total_length to be at least the length of the longest sequence in input, but got total_length=${a.total_length} and max sequence length being ${maxLen}`);
    }
    maxLen = a.total_length;
  }
  const [padded, lengths] = T._pad_packed_sequence(sequence.data, sequence.batch_sizes, a.batch_first, a.padding_value, maxLen) as Tensor[];
  const un = sequence.unsorted_indices;
  if (un !== null) return [padded.index_select(a.batch_first ? 0 : 1, un), lengths.index_select(0, un.cpu())];
  return [padded, lengths];
}

interface PadArgs { batch_first: boolean; padding_value: number }
/** pad_sequence(sequences, batch_first = false, padding_value = 0.0): a list of [L_i, *] tensors as one [L, B, *] (or [B, L, *]). */
export function pad_sequence(sequences: Iterable<Tensor> | Tensor, ...args: Rest<[boolean, number], Partial<PadArgs>>): Tensor {
  const a = bind<PadArgs>('pad_sequence', args, { batch_first: false, padding_value: 0.0 });
  if (sequences == null || typeof (sequences as Iterable<Tensor>)[Symbol.iterator] !== 'function' || isOptions(sequences)) {
    throw new Error(`pad_sequence: Expected iterable for input sequences, but got arg of type: <class '${typename(sequences)}'>`);
  }
  const seqs = sequences instanceof Tensor ? sequences.unbind(0) : [...sequences];
  return nnPadSequence(seqs, a.batch_first, a.padding_value);
}

/** unpad_sequence(padded_sequences, lengths, batch_first = false): the list pad_sequence was given. Like Python, transposes padded_sequences in place when not batch_first. */
export function unpad_sequence(padded_sequences: Tensor, lengths: Tensor | number[], ...args: Rest<[boolean], { batch_first?: boolean }>): Tensor[] {
  const { batch_first } = bind<{ batch_first: boolean }>('unpad_sequence', args, { batch_first: false });
  if (!batch_first) padded_sequences.transpose_(0, 1);
  const len = lengths instanceof Tensor ? (lengths.tolist() as number[]) : lengths;
  const n = Math.min(padded_sequences.size(0), len.length);
  const out: Tensor[] = [];
  for (let i = 0; i < n; i++) out.push(padded_sequences.select(0, i).narrow(0, 0, Number(len[i])));
  return out;
}

/** pack_sequence(sequences, enforce_sorted = true) */
export function pack_sequence(sequences: Tensor[], ...args: Rest<[boolean], { enforce_sorted?: boolean }>): PackedSequence {
  const { enforce_sorted } = bind<{ enforce_sorted: boolean }>('pack_sequence', args, { enforce_sorted: true });
  const lengths = [...sequences].map((v) => v.size(0));
  return pack_padded_sequence(pad_sequence(sequences), lengths, { enforce_sorted });
}

/** unpack_sequence(packed_sequences): the list of tensors pack_sequence was given. */
export function unpack_sequence(packed_sequences: PackedSequence): Tensor[] {
  const [padded, lengths] = pad_packed_sequence(packed_sequences, { batch_first: true });
  return unpad_sequence(padded, lengths, { batch_first: true });
}
