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

describe('nn.utils weight_norm, spectral_norm, functional_call, fusion, skip_init match PyTorch', () => {
  const u = fx.norms;
  const params = (m) => Object.fromEntries(m.named_parameters());
  for (const key of ['weight_norm', 'weight_norm_dim1', 'weight_norm_dimNone']) {
    it(`${key}: parameters, forward, backward, remove`, () => {
      const c = u[key];
      torch.manual_seed(80);
      const m = nn.utils.weight_norm(new nn.Linear(4, 3), { dim: c.dim });
      assert.deepEqual(Object.keys(params(m)), c.names);
      // g is a norm (a reduction): close; v is the weight itself: exact.
      for (const [k, p] of Object.entries(c.params)) assertClose(params(m)[k], p, k, 1e-6, 1e-7);
      assertExact(params(m).weight_v, c.params.weight_v, 'weight_v');
      assert.equal(String(m), c.repr);
      const y = m(decode(c.input));
      assertClose(y, c.output, 'output');
      y.mul(decode(c.g)).sum().backward();
      for (const [k, g] of Object.entries(c.grads)) assertClose(params(m)[k].grad, g, `grad of ${k}`, 1e-5, 1e-6);
      nn.utils.remove_weight_norm(m);
      assert.deepEqual(Object.keys(params(m)), Object.keys(c.after_remove));
      for (const [k, p] of Object.entries(c.after_remove)) assertClose(params(m)[k], p, `${k} after remove`, 1e-6, 1e-7);
      assert.equal(m._forward_pre_hooks.size, 0);
    });
  }
  it('spectral_norm: u and v drawn as PyTorch draws them, power iteration in training, remove', () => {
    const c = u.spectral_norm;
    torch.manual_seed(81);
    const m = nn.utils.spectral_norm(new nn.Linear(5, 4));
    assert.deepEqual(Object.keys(params(m)), c.names);
    assert.deepEqual(Object.keys(m.state_dict()), c.state_keys);
    assert.deepEqual(m.state_dict()._metadata[''], c.metadata);
    for (const [k, b] of Object.entries(c.buffers)) assertClose(Object.fromEntries(m.named_buffers())[k], b, k, 1e-6, 1e-7);
    for (const [i, s] of c.steps.entries()) {
      m.train(s.mode === 'train');
      const y = m(decode(s.input));
      assertClose(y, s.output, `step ${i} output`, 1e-5, 1e-6);
      m.zero_grad();
      y.mul(decode(s.g)).sum().backward();
      for (const [k, g] of Object.entries(s.grads)) assertClose(params(m)[k].grad, g, `step ${i} grad of ${k}`, 1e-4, 1e-5);
      for (const [k, b] of Object.entries(s.buffers)) assertClose(Object.fromEntries(m.named_buffers())[k], b, `step ${i} ${k}`, 1e-5, 1e-6);
    }
    nn.utils.remove_spectral_norm(m);
    assert.deepEqual(m.state_dict()._metadata[''], { version: 1 });
    for (const [k, p] of Object.entries(c.after_remove)) assertClose(params(m)[k], p, `${k} after remove`, 1e-5, 1e-6);
    assert.equal(m.weight instanceof nn.Parameter, true);
    assert.deepEqual([...m.named_buffers()], []);
  });
  it('errors', () => {
    assert.throws(() => nn.utils.remove_weight_norm(new nn.Linear(2, 2)), (e) => e.message === u.remove_error);
    assert.throws(() => nn.utils.spectral_norm(new nn.Linear(2, 2), { n_power_iterations: 0 }), (e) => e.message === u.power_error);
    const m = nn.utils.weight_norm(new nn.Linear(2, 2));
    assert.throws(() => nn.utils.weight_norm(m), /Cannot register two weight_norm hooks on the same parameter weight/);
  });
  it('stateless.functional_call uses the given tensors and restores the module', () => {
    const c = u.functional_call;
    torch.manual_seed(82);
    const lin = new nn.Linear(3, 2);
    const x = decode(c.input);
    assertClose(nn.utils.stateless.functional_call(lin, { weight: decode(c.weight), bias: decode(c.bias) }, [x]), c.output, 'output');
    assertClose(lin(x), c.own, 'own parameters afterwards');
    assert.ok(lin.weight instanceof nn.Parameter);
  });
  it('fusion.fuse_conv_bn_eval', () => {
    const c = u.fuse;
    torch.manual_seed(c.conv_seed);
    const conv = new nn.Conv2d(2, 3, 3), bn = new nn.BatchNorm2d(3);
    bn.load_state_dict(Object.fromEntries(Object.entries(c.bn).map(([k, v]) => [k, decode(v)])), { strict: false });
    conv.eval(); bn.eval();
    const fused = nn.utils.fusion.fuse_conv_bn_eval(conv, bn);
    assert.notEqual(fused, conv);
    assertClose(fused.weight, c.weight, 'fused weight');
    assertClose(fused.bias, c.bias, 'fused bias');
    assertClose(fused(decode(c.input)), c.output, 'fused output', 1e-5, 1e-5);
    conv.train();
    assert.throws(() => nn.utils.fusion.fuse_conv_bn_eval(conv, bn), /Fusion only for eval!/);
  });
  it('skip_init consumes no random numbers', () => {
    torch.manual_seed(84);
    const m = nn.utils.skip_init(nn.Linear, 30, 40);
    assert.deepEqual(m.weight.shape, [40, 30]);
    assertExact(torch.rand(3), u.skip_init_next_rand, 'next draws');
    assert.throws(() => nn.utils.skip_init(Object), /Expected a Module/);
  });
});

describe('Transformer.generate_square_subsequent_mask', () => {
  it('is Python\'s', () => assertExact(nn.Transformer.generate_square_subsequent_mask(4), fx.square_mask, 'mask'));
});

describe('nn.utils.parametrize matches PyTorch', () => {
  const c = fx.parametrize;
  const P = nn.utils.parametrize;
  class Symmetric extends nn.Module {
    forward(X) { return X.triu().add(X.triu(1).transpose(0, 1)); }
    right_inverse(A) { return A.triu(); }
  }
  class Scale extends nn.Module {
    forward(X) { return X.mul(2.0); }
    right_inverse(Y) { return Y.div(2.0); }
  }
  it('register, forward, backward, set through right_inverse, cached, remove', () => {
    torch.manual_seed(90);
    const m = new nn.Linear(3, 3);
    assertExact(m.weight, c.w0, 'weight before');
    P.register_parametrization(m, 'weight', new Symmetric());
    P.register_parametrization(m, 'weight', new Scale());
    assert.equal(P.is_parametrized(m), true);
    assert.equal(P.is_parametrized(m, 'weight'), true);
    assert.equal(P.is_parametrized(m, 'bias'), false);
    assert.equal(m.constructor.name, 'ParametrizedLinear');
    assert.ok(m instanceof nn.Linear);
    assert.equal(P.type_before_parametrizations(m), nn.Linear);
    assert.equal(String(m), c.repr);
    assert.deepEqual(Object.keys(m.state_dict()), c.state_keys);
    assert.deepEqual([...m.named_parameters()].map(([k]) => k), c.names);
    assertExact(m.parametrizations.get('weight').original, c.original, 'original');
    assertExact(m.weight, c.weight, 'weight');
    const y = m(decode(c.input));
    assertClose(y, c.output, 'output');
    y.sum().backward();
    assertClose(m.parametrizations.get('weight').original.grad, c.original_grad, 'grad of original');
    P.cached(() => assert.equal(m.weight, m.weight));
    assert.notEqual(m.weight, m.weight);
    torch.no_grad(() => { m.weight = decode(c.set_target); });
    assertClose(m.parametrizations.get('weight').original, c.original_after_set, 'original after setting weight', 1e-6, 1e-7);
    P.remove_parametrizations(m, 'weight');
    assert.equal(m.constructor.name, 'Linear');
    assert.equal(P.is_parametrized(m), false);
    for (const [k, v] of Object.entries(c.after_remove)) assertClose(Object.fromEntries(m.named_parameters())[k], v, `${k} after remove`, 1e-6, 1e-7);
    assert.ok(m.weight instanceof nn.Parameter);
    assert.equal(String(m), c.repr_after);
  });
  it('transfer_parametrizations_and_params shares the original', () => {
    torch.manual_seed(90);
    const a = new nn.Linear(3, 3), b = new nn.Linear(3, 3);
    P.register_parametrization(a, 'weight', new Symmetric());
    P.transfer_parametrizations_and_params(a, b);
    assert.equal(b.constructor.name, 'ParametrizedLinear');
    assert.equal(b.parametrizations.get('weight').original, a.parametrizations.get('weight').original);
    assert.deepEqual(b.weight.tolist(), a.weight.tolist());
  });
  it('errors', () => {
    assert.throws(() => P.register_parametrization(new nn.Linear(2, 2), 'nope', new Symmetric()), (e) => e.message === c.missing_error);
    assert.throws(() => P.remove_parametrizations(new nn.Linear(2, 2), 'weight'), /does not have a parametrization on weight/);
  });
});

describe('nn.utils.parametrizations match PyTorch', () => {
  // Init draws (Linear, then u/v or the completing randn) are PyTorch's; the maps (matrix_exp, QR,
  // solve, power iteration) go through LAPACK: close, at a few float32 ulps of O(1) entries.
  for (const c of fx.parametrizations) {
    it(c.name, () => {
      torch.manual_seed(95);
      const m = new nn.Linear(...c.shape);
      if (c.spectral) nn.utils.parametrizations.spectral_norm(m); else nn.utils.parametrizations.orthogonal(m, c.kw);
      assert.equal(String(m), c.repr);
      const sd = m.state_dict();
      assert.deepEqual(Object.keys(sd), Object.keys(c.state));
      for (const [k, v] of Object.entries(c.state)) assertClose(sd[k], v, k, 1e-4, 1e-5);
      for (const [i, s] of c.steps.entries()) {
        m.train(s.mode === 'train');
        const y = m(decode(s.input));
        assertClose(y, s.output, `step ${i} output`, 1e-4, 1e-5);
        assertClose(m.weight, s.weight, `step ${i} weight`, 1e-4, 1e-5);
        m.zero_grad();
        y.sum().backward();
        const params = Object.fromEntries(m.named_parameters());
        for (const [k, g] of Object.entries(s.grads)) assertClose(params[k].grad, g, `step ${i} grad of ${k}`, 1e-3, 1e-4);
        const buffers = Object.fromEntries(m.named_buffers());
        for (const [k, b] of Object.entries(s.buffers)) assertClose(buffers[k], b, `step ${i} ${k}`, 1e-4, 1e-5);
      }
    });
  }
});
