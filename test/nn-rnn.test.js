'use strict';
// Recurrent, embedding and attention layers against PyTorch 1.13 (fixtures from
// scripts/gen-nn-rnn-fixtures.py): parameters after torch.manual_seed are bit-identical,
// String(module) is Python's repr, forward and backward over train/eval steps (dropout
// draws included) give PyTorch's outputs and gradients, packed sequences, a state_dict
// Python saved, and Python's errors for bad arguments.
const assert = require('node:assert/strict');
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { execFileSync } = require('node:child_process');
const torch = require('torch-node');
const nn = require('torch-node/nn');
const { fixture, decode, assertExact, assertClose, assertThrowsLike } = require('./nn-helpers');
const { fixturePath, referencePython } = require('./support/fixtures');

const fx = fixture('nn-rnn.json');
const { pack_sequence } = nn.utils.rnn;

/** A recorded forward/constructor argument: tensors, packed sequences (the grad leaf is the first sequence), tuples. */
function arg(v, leaves) {
  if (Array.isArray(v)) return v.map((x) => arg(x, leaves));
  if (v !== null && typeof v === 'object') {
    if (v.__tensor__) return decode(v.__tensor__);
    if (v.__dtype__) return torch[v.__dtype__];
    if (v.__fn__) return nn.functional[v.__fn__];
    if (v.__module__) return new nn[v.__module__]();
    if (v.__packed__) {
      const seqs = v.__packed__.sequences.map(decode);
      if (leaves && leaves.length === 0) leaves.push(seqs[0].requires_grad_(true));
      return pack_sequence(seqs, { enforce_sorted: v.__packed__.enforce_sorted });
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, arg(x, leaves)]));
  }
  return v;
}

function build(c) {
  const args = arg(c.args), kwargs = arg(c.kwargs);
  if (c.cls === 'TransformerEncoder' || c.cls === 'TransformerDecoder') {
    const Layer = nn[`${c.cls}Layer`];
    return new nn[c.cls](new Layer(...args[0], args[1]), ...args.slice(2), kwargs);
  }
  return new nn[c.cls](...args, kwargs);
}

/** Outputs in the generator's order: a PackedSequence as its data, null left out. */
function flatten(out) {
  if (out === null || out === undefined) return [];
  if (out instanceof nn.utils.rnn.PackedSequence) return [out.data];
  if (out instanceof torch.Tensor) return [out];
  return out.flatMap(flatten);
}

// Tolerances: each output is a few hundred multiply-adds deep at most (gates over <= 12 features,
// <= 5 steps, <= 2 layers; attention over <= 8 features); a wrong gate order, weight or mask moves
// values by 1e-2 or more.
const RTOL = 1e-4, ATOL = 1e-5;

describe('nn-rnn: layers match PyTorch', () => {
  for (const c of fx.modules) {
    describe(c.name, () => {
      let m;
      before(() => { torch.manual_seed(c.seed); m = build(c); });
      it('parameters after manual_seed are bit-identical', () => {
        const params = Object.fromEntries(m.named_parameters());
        assert.deepEqual(Object.keys(params), Object.keys(c.params));
        for (const [k, p] of Object.entries(c.params)) assertExact(params[k], p, k);
      });
      it('prints as Python', () => assert.equal(String(m), c.repr));
      if (c.steps.length) {
        it('forward and backward over the steps', () => {
          const rtol = c.rtol ?? RTOL;
          for (const [i, s] of c.steps.entries()) {
            const what = `step ${i} (${s.mode})`;
            m.train(s.mode === 'train');
            // The gradient leaf is the first float tensor argument (or a packed argument's first sequence), as in the generator.
            const leaves = s.input_grad ? [] : null;
            const args = [];
            s.args.forEach((a) => {
              // '__sameN__': the very tensor of argument N (self-attention's query is key is value).
              if (typeof a === 'string' && a.startsWith('__same')) { args.push(args[Number(a.slice(6, -2))]); return; }
              const v = arg(a, leaves);
              if (leaves && leaves.length === 0 && v instanceof torch.Tensor && v.is_floating_point()) leaves.push(v.requires_grad_(true));
              args.push(v);
            });
            const kw = arg(s.kw);
            torch.manual_seed(s.seed);
            const call = () => (Object.keys(kw).length ? m(...args, kw) : m(...args));
            // eval without grad: where Python takes its fused paths.
            const out = s.mode === 'eval_nograd' ? torch.no_grad(call) : call();
            const outs = flatten(out);
            assert.equal(outs.length, s.outputs.length, `${what}: number of outputs`);
            outs.forEach((o, j) => assertClose(o, s.outputs[j], `${what} output ${j}`, rtol, ATOL));
            if (s.mode === 'eval_nograd') continue;
            m.zero_grad();
            let loss = null;
            outs.forEach((o, j) => { const t = o.mul(decode(s.gs[j])).sum(); loss = loss === null ? t : loss.add(t); });
            loss.backward();
            if (s.input_grad) assertClose(leaves[0].grad, s.input_grad, `${what} input grad`, rtol, ATOL);
            const params = Object.fromEntries(m.named_parameters());
            assert.deepEqual(Object.keys(params).filter((k) => params[k].grad !== null), Object.keys(s.grads), `${what}: which params have grads`);
            for (const [k, g] of Object.entries(s.grads)) {
              const grad = params[k].grad;
              assertClose(m.sparse ? grad.to_dense() : grad, g, `${what} grad of ${k}`, rtol, ATOL);
            }
            for (const [k, p] of Object.entries(s.params_after ?? {})) assertClose(params[k], p, `${what} ${k} after the step`, rtol, ATOL);
          }
        });
      }
    });
  }
});

describe('nn-rnn: F.multi_head_attention_forward called directly', () => {
  for (const c of fx.functional_mha) {
    it(c.name, () => {
      if (c.error) {
        assertThrowsLike(() => nn.functional.multi_head_attention_forward(...arg(c.args), arg(c.kw)), c.error);
        return;
      }
      const [o, w] = nn.functional.multi_head_attention_forward(...arg(c.args), arg(c.kw));
      assertClose(o, c.output, 'output', RTOL, ATOL);
      assertClose(w, c.weights, 'weights', RTOL, ATOL);
    });
  }
});

describe('nn-rnn: errors are PyTorch\'s', () => {
  for (const c of fx.errors) {
    it(c.name, () => {
      const expected = { message: c.message, type: c.type };
      if (c.forward === null) {
        assertThrowsLike(() => build(c), expected);
      } else {
        torch.manual_seed(0);
        const m = build(c);
        assertThrowsLike(() => m(...arg(c.forward)), expected);
      }
    });
  }
  it('an unknown keyword is a TypeError naming it', () => {
    assert.throws(() => new nn.LSTM(4, 5, { hidden_sise: 3 }), (e) => e instanceof TypeError && /hidden_sise/.test(e.message));
    assert.throws(() => new nn.Embedding(4, 5, { padding: 1 }), (e) => e instanceof TypeError && /padding/.test(e.message));
    assert.throws(() => new nn.GRUCell(4, 5, { biass: true }), (e) => e instanceof TypeError && /biass/.test(e.message));
  });
  it('a non-integer size and a non-tensor input are clear errors', () => {
    assert.throws(() => new nn.LSTM(4.5, 3), (e) => e instanceof TypeError && /LSTM: input_size must be an integer/.test(e.message));
    assert.throws(() => new nn.GRU(4, 3)([1, 2]), (e) => e instanceof TypeError && /GRU\.forward\(\): argument 'input' must be a Tensor/.test(e.message));
    assert.throws(() => new nn.LSTM(4, 3)(torch.randn(2, 1, 4), torch.randn(1, 1, 3)), (e) => e instanceof TypeError && /LSTM\.forward\(\): hx must be a tuple/.test(e.message));
  });
});

describe('nn-rnn: a state_dict saved by Python', () => {
  it('loads into an LSTM and gives Python\'s eval output', () => {
    const s = fx.state;
    torch.manual_seed(123);
    const m = new nn.LSTM(3, 4, { num_layers: 2, bidirectional: true });
    const sd = torch.load(fixturePath(s.file));
    assert.deepEqual(Object.keys(sd), s.keys);
    m.load_state_dict(sd);
    assert.deepEqual(Object.keys(m.state_dict()), s.keys);
    m.eval();
    const [y, [h, c]] = m(decode(s.input));
    assertClose(y, s.output, 'output', RTOL, ATOL);
    assertClose(h, s.h, 'h_n', RTOL, ATOL);
    assertClose(c, s.c, 'c_n', RTOL, ATOL);
  });
});

describe('nn-rnn: a Transformer state_dict saved by Python, and ours read by Python', function () {
  this.timeout(120000);
  it('loads into a Transformer and gives Python\'s eval output', () => {
    const s = fx.state.transformer;
    torch.manual_seed(1);
    const t = new nn.Transformer({ d_model: 8, nhead: 2, num_encoder_layers: 1, num_decoder_layers: 1, dim_feedforward: 16 });
    const sd = torch.load(fixturePath(s.file));
    assert.deepEqual(Object.keys(sd), s.keys);
    assert.deepEqual(Object.keys(t.state_dict()), s.keys);
    t.load_state_dict(sd);
    t.eval();
    assertClose(t(decode(s.src), decode(s.tgt)), s.output, 'output', RTOL, ATOL);
  });
  it('an LSTM and a GRU saved here load in the reference PyTorch and give the same outputs there', function () {
    const PYTHON = referencePython;
    try { execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60000 }); } catch { this.skip(); }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nn-rnn-'));
    torch.manual_seed(3);
    const lstm = new nn.LSTM(3, 4, { num_layers: 2, proj_size: 2, bidirectional: true }).eval();
    const gru = new nn.GRU(3, 4, { batch_first: true }).eval();
    const x = torch.randn(5, 2, 3);
    torch.save(lstm.state_dict(), path.join(dir, 'lstm.pth'));
    torch.save(gru.state_dict(), path.join(dir, 'gru.pth'));
    torch.save(x, path.join(dir, 'x.pth'));
    const script = [
      'import sys, json, torch',
      'd = sys.argv[1]',
      'x = torch.load(d + "/x.pth")',
      'l = torch.nn.LSTM(3, 4, num_layers=2, proj_size=2, bidirectional=True).eval(); l.load_state_dict(torch.load(d + "/lstm.pth"))',
      'g = torch.nn.GRU(3, 4, batch_first=True).eval(); g.load_state_dict(torch.load(d + "/gru.pth"))',
      'with torch.no_grad():',
      '    a = l(x)[0]; b = g(x)[0]',
      'print(json.dumps({"lstm": a.reshape(-1).tolist(), "gru": b.reshape(-1).tolist(), "ls": list(a.shape), "gs": list(b.shape)}))',
    ].join('\n');
    const r = JSON.parse(execFileSync(PYTHON, ['-c', script, dir], { encoding: 'utf8', timeout: 110000 }));
    fs.rmSync(dir, { recursive: true, force: true });
    const [a] = torch.no_grad(() => lstm(x)), [b] = torch.no_grad(() => gru(x));
    assertClose(a, { shape: r.ls, dtype: 'float32', values: r.lstm }, 'LSTM output in Python', RTOL, ATOL);
    assertClose(b, { shape: r.gs, dtype: 'float32', values: r.gru }, 'GRU output in Python', RTOL, ATOL);
  });
});

describe('nn-rnn: Embedding.from_pretrained and EmbeddingBag.from_pretrained', () => {
  it('wrap the given weights, frozen by default', () => {
    const w = torch.arange(12, { dtype: torch.float32 }).reshape(4, 3);
    const e = nn.Embedding.from_pretrained(w, { padding_idx: 1 });
    assert.equal(e.weight.requires_grad, false);
    assert.equal(String(e), 'Embedding(4, 3, padding_idx=1)');
    assert.deepEqual(e(torch.tensor([2], { dtype: torch.int64 })).tolist(), [[6, 7, 8]]);
    const b = nn.EmbeddingBag.from_pretrained(w, false, { mode: 'sum' });
    assert.equal(b.weight.requires_grad, true);
    assert.deepEqual(b(torch.tensor([[0, 3]], { dtype: torch.int64 })).tolist(), [[9, 11, 13]]);
    assert.throws(() => nn.Embedding.from_pretrained(torch.zeros(3)), /Embeddings parameter is expected to be 2-dimensional/);
  });
  it('a sparse Embedding gives a sparse gradient', () => {
    const e = new nn.Embedding(5, 2, { sparse: true });
    e(torch.tensor([1, 3], { dtype: torch.int64 })).sum().backward();
    // The core's is_sparse/layout getters report strided for every tensor; _nnz() exists only on a sparse (COO) tensor.
    assert.equal(e.weight.grad._nnz(), 2);
    assert.throws(() => torch.zeros(2)._nnz());
    assert.deepEqual(e.weight.grad.to_dense().tolist(), [[0, 0], [1, 1], [0, 0], [1, 1], [0, 0]]);
  });
});
