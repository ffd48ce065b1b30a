'use strict';
// The nn layers of issue 10 against PyTorch 1.13 (fixtures from scripts/gen-nn-layers2-fixtures.py):
// parameters right after torch.manual_seed(s) bit-identical, the printed form and state_dict keys
// Python's, and train/eval steps giving PyTorch's outputs, input and parameter gradients and buffers.
const assert = require('node:assert/strict');
const torch = require('torch-node');
const nn = require('torch-node/nn');
const { fixture, decode, decodeArg, assertExact, assertClose, errorClass } = require('./nn-helpers');

const fx = fixture('nn-layers2.json');

/** A recorded forward input: a tensor (a fresh leaf, with requires_grad as recorded) or a plain value. */
function input(enc) {
  if (enc.__tensor__) return decode(enc.__tensor__).requires_grad_(enc.grad);
  return decodeArg(enc.value);
}

function checkSteps(m, c) {
  for (const [i, step] of c.steps.entries()) {
    const what = `step ${i} (${step.mode})`;
    m.train(step.mode === 'train');
    const xs = step.inputs.map(input);
    torch.manual_seed(step.seed);
    const fwdKw = c.fwd_kwargs ? [decodeArg(c.fwd_kwargs)] : [];
    const out = m(...xs, ...fwdKw);
    const outs = Array.isArray(out) ? out : [out];
    assert.equal(outs.length, step.outputs.length, `${what}: number of outputs`);
    outs.forEach((o, j) => {
      if (o.dtype.is_floating_point) assertClose(o, step.outputs[j], `${what} output ${j}`, 1e-5, 1e-5);
      else assertExact(o, step.outputs[j], `${what} output ${j}`);
    });
    m.zero_grad();
    if (outs[0].requires_grad) outs[0].mul(decode(step.g)).sum().backward();
    step.input_grads.forEach((g, j) => {
      if (g !== null) assertClose(xs[j].grad, g, `${what} grad of input ${j}`, 1e-4, 1e-5);
    });
    const params = Object.fromEntries(m.named_parameters());
    assert.deepEqual(Object.keys(step.grads), Object.keys(params).filter((k) => params[k].grad !== null), `${what}: which params have grads`);
    for (const [k, g] of Object.entries(step.grads)) assertClose(params[k].grad, g, `${what} grad of ${k}`, 1e-4, 1e-5);
    const buffers = Object.fromEntries(m.named_buffers());
    assert.deepEqual(Object.keys(buffers), Object.keys(step.buffers));
    for (const [k, b] of Object.entries(step.buffers)) assertClose(buffers[k], b, `${what} buffer ${k}`);
  }
}

describe('nn layers (issue 10) match PyTorch', () => {
  for (const c of fx.cases) {
    describe(c.name, () => {
      let m;
      before(() => {
        torch.manual_seed(c.seed);
        m = new nn[c.cls](...decodeArg(c.args), decodeArg(c.kwargs));
      });
      it('parameters and buffers after manual_seed are bit-identical; state_dict keys', () => {
        const params = Object.fromEntries(m.named_parameters());
        assert.deepEqual(Object.keys(params), Object.keys(c.params));
        for (const [k, p] of Object.entries(c.params)) {
          assert.ok(params[k] instanceof nn.Parameter && params[k].requires_grad);
          assertExact(params[k], p, k);
        }
        const buffers = Object.fromEntries(m.named_buffers());
        assert.deepEqual(Object.keys(buffers), Object.keys(c.buffers));
        for (const [k, b] of Object.entries(c.buffers)) assertExact(buffers[k], b, k);
        assert.deepEqual(Object.keys(m.state_dict()), c.state_dict_keys);
      });
      it('prints as Python', () => assert.equal(String(m), c.repr));
      if (c.steps.length) it('forward, backward and buffers over the steps', () => checkSteps(m, c));
    });
  }

  describe('constructor errors are PyTorch\'s', () => {
    for (const e of fx.errors) {
      it(`${e.cls}(${JSON.stringify(e.args).slice(1, -1)}${Object.keys(e.kwargs).length ? `, ${JSON.stringify(e.kwargs)}` : ''})`, () => {
        assert.throws(() => new nn[e.cls](...decodeArg(e.args), decodeArg(e.kwargs)), (err) => {
          assert.equal(err.message, e.message);
          assert.ok(err instanceof errorClass(e.type));
          return true;
        });
      });
    }
  });
});
