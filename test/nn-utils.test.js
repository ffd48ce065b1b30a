'use strict';
// torch.nn.utils against PyTorch 1.13 (fixtures from scripts/gen-nn-rnn-fixtures.py):
// nn.utils.rnn's packing and padding (exact: they only move values), clip_grad_norm_ for
// several norm types, clip_grad_value_, parameters_to_vector / vector_to_parameters.
const assert = require('node:assert/strict');
const torch = require('torch-node');
const nn = require('torch-node/nn');
const { fixture, decode, assertExact, assertClose } = require('./nn-helpers');

const fx = fixture('nn-rnn.json');
const R = nn.utils.rnn;

describe('nn.utils.rnn matches PyTorch', () => {
  const u = fx.utils_rnn;
  for (const c of u.pack_padded) {
    it(`pack_padded_sequence lengths=${JSON.stringify(c.lengths)} batch_first=${c.batch_first} enforce_sorted=${c.enforce_sorted}, and back`, () => {
      const p = R.pack_padded_sequence(decode(c.input), c.lengths, c.batch_first, c.enforce_sorted);
      assert.ok(p instanceof R.PackedSequence);
      assertExact(p.data, c.data, 'data');
      assertExact(p.batch_sizes, c.batch_sizes, 'batch_sizes');
      for (const k of ['sorted_indices', 'unsorted_indices']) {
        if (c[k] === null) assert.equal(p[k], null, k); else assertExact(p[k], c[k], k);
      }
      const [data, batch_sizes] = p; // a namedtuple destructures
      assert.equal(data, p.data);
      assert.equal(batch_sizes, p.batch_sizes);
      const [padded, lengths] = R.pad_packed_sequence(p, { batch_first: c.batch_first, padding_value: -1.0, total_length: 6 });
      assertExact(padded, c.padded, 'padded');
      assertExact(lengths, c.padded_lengths, 'lengths');
    });
  }
  it('pad_sequence, pack_sequence, unpack_sequence', () => {
    const seqs = u.sequences.map(decode);
    assertExact(R.pad_sequence(seqs, true, 9.0), u.pad_sequence_batch_first, 'pad_sequence batch_first');
    assertExact(R.pad_sequence(seqs), u.pad_sequence, 'pad_sequence');
    const p = R.pack_sequence(seqs, { enforce_sorted: false });
    for (const k of ['data', 'batch_sizes', 'sorted_indices', 'unsorted_indices']) assertExact(p[k], u.pack_sequence[k], k);
    assert.equal(String(p), u.pack_sequence.repr);
    const back = R.unpack_sequence(p);
    assert.equal(back.length, u.unpacked.length);
    back.forEach((t, i) => assertExact(t, u.unpacked[i], `unpacked ${i}`));
    const unpadded = R.unpad_sequence(R.pad_sequence(seqs), [3, 1, 2]);
    unpadded.forEach((t, i) => assertExact(t, u.sequences[i], `unpad_sequence ${i}`));
  });
  it('errors are PyTorch\'s', () => {
    const seqs = u.sequences.map(decode);
    const p = R.pack_sequence(seqs, { enforce_sorted: false });
    assert.throws(() => R.pad_packed_sequence(p, { total_length: 2 }), (e) => e.message === u.total_length_error);
    assert.throws(() => R.pack_sequence(seqs), (e) => e.message === u.unsorted_error);
    assert.throws(() => R.pad_sequence(5), /pad_sequence: Expected iterable for input sequences/);
    assert.throws(() => R.pack_padded_sequence(torch.zeros(2, 1), [2], { batchfirst: true }), (e) => e instanceof TypeError && /batchfirst/.test(e.message));
  });
  it('PackedSequence.to and the dtype shorthands keep the indices', () => {
    const p = R.pack_sequence(u.sequences.map(decode), { enforce_sorted: false });
    assert.equal(p.to(torch.float32), p);
    const d = p.double();
    assert.equal(d.data.dtype, torch.float64);
    assert.equal(d.batch_sizes, p.batch_sizes);
    assertExact(d.unsorted_indices, u.pack_sequence.unsorted_indices, 'unsorted_indices');
  });
});

describe('nn.utils clip_grad_* and vectors match PyTorch', () => {
  const u = fx.utils;
  for (const c of u.clip_grad_norm) {
    it(`clip_grad_norm_ norm_type=${c.norm_type} max_norm=${c.max_norm}`, () => {
      const ps = c.params.map((p) => new nn.Parameter(decode(p)));
      c.grads.forEach((g, i) => { ps[i].grad = decode(g); });
      const total = nn.utils.clip_grad_norm_(ps, c.max_norm, c.norm_type);
      // A norm over <= 14 values, then one scale per element.
      assertClose(total, c.total, 'total norm', 1e-5, 1e-6);
      c.clipped.forEach((g, i) => assertClose(ps[i].grad, g, `clipped grad ${i}`, 1e-5, 1e-6));
      assert.equal(ps[2].grad, null);
    });
  }
  it('clip_grad_norm_ of no gradients is 0; error_if_nonfinite; foreach accepted', () => {
    assert.equal(nn.utils.clip_grad_norm_([new nn.Parameter(torch.zeros(2))], 1.0).item(), 0);
    const p = new nn.Parameter(torch.zeros(5));
    p.grad = torch.tensor([NaN, 1, 2, 3, 4]);
    assert.throws(() => nn.utils.clip_grad_norm_(p, 1.0, { error_if_nonfinite: true }), (e) => e.message === u.nonfinite_error);
    const q = new nn.Parameter(torch.zeros(2));
    q.grad = torch.tensor([3, 4]);
    assert.ok(Math.abs(nn.utils.clip_grad_norm_([q], 1.0, { foreach: true }).item() - 5) < 1e-6);
    assert.throws(() => nn.utils.clip_grad_norm_([q], 1.0, { norm: 2 }), (e) => e instanceof TypeError && /'norm'/.test(e.message));
  });
  it('clip_grad_value_', () => {
    const c = u.clip_grad_value;
    const p = new nn.Parameter(decode(c.param));
    p.grad = decode(c.grad);
    assert.equal(nn.utils.clip_grad_value_(p, c.clip_value), undefined);
    assertExact(p.grad, c.clipped, 'clipped');
  });
  it('parameters_to_vector and vector_to_parameters', () => {
    const ps = u.vectors.params.map(decode);
    assertExact(nn.utils.parameters_to_vector(ps), u.vectors.vec, 'vector');
    nn.utils.vector_to_parameters(decode(u.vectors.new), ps);
    ps.forEach((t, i) => assertExact(t, u.vec_after[i], `param ${i} after`));
    assert.throws(() => nn.utils.vector_to_parameters([1, 2], ps), (e) => e instanceof TypeError && e.message === 'expected torch.Tensor, but got: list');
  });
});
