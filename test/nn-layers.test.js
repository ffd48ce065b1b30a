'use strict';
// Every layer against PyTorch 1.13 (fixtures from scripts/gen-nn-fixtures.py):
// parameters right after torch.manual_seed(s) are bit-identical, the printed
// form is Python's, and a sequence of train/eval steps gives PyTorch's
// outputs, gradients and (BatchNorm) running statistics.
const assert = require('node:assert/strict');
const torch = require('torch-node');
const nn = require('torch-node/nn');
const { fixture, decode, decodeArg, assertExact, assertClose } = require('./nn-helpers');
const { torchVersion } = require('./support/fixtures');

const fx = fixture('nn-layers.json');

/** Runs the recorded steps on m and checks each against PyTorch. */
function checkSteps(m, steps) {
  for (const [i, step] of steps.entries()) {
    const what = `step ${i} (${step.mode})`;
    m.train(step.mode === 'train');
    const x = decode(step.input).requires_grad_(step.input_grad !== null);
    torch.manual_seed(step.seed);
    const out = m(x);
    // Dropout masks and pooling picks are exact; arithmetic within float32 rounding.
    assertClose(out, step.output, `${what} output`);
    m.zero_grad();
    out.mul(decode(step.g)).sum().backward();
    if (step.input_grad) assertClose(x.grad, step.input_grad, `${what} input grad`);
    const params = Object.fromEntries(m.named_parameters());
    assert.deepEqual(Object.keys(step.grads), Object.keys(params).filter((k) => params[k].grad !== null), `${what}: which params have grads`);
    for (const [k, g] of Object.entries(step.grads)) assertClose(params[k].grad, g, `${what} grad of ${k}`, 1e-5, 1e-5);
    const buffers = Object.fromEntries(m.named_buffers());
    assert.deepEqual(Object.keys(buffers), Object.keys(step.buffers));
    for (const [k, b] of Object.entries(step.buffers)) assertClose(buffers[k], b, `${what} buffer ${k}`);
  }
}

describe('nn layers match PyTorch', () => {
  // No thread pinning: the fixture was made with 1 thread, and the tolerances of checkSteps hold at
  // any thread count (run the suite with TORCH_NODE_TEST_THREADS=2 to see).

  for (const c of fx.layers) {
    describe(c.name, () => {
      let m;
      before(() => {
        torch.manual_seed(c.seed);
        m = new nn[c.cls](...decodeArg(c.args), decodeArg(c.kwargs));
      });
      it('parameters after manual_seed are bit-identical', () => {
        const params = Object.fromEntries(m.named_parameters());
        assert.deepEqual(Object.keys(params), Object.keys(c.params));
        for (const [k, p] of Object.entries(c.params)) {
          assert.ok(params[k] instanceof nn.Parameter && params[k].requires_grad);
          assertExact(params[k], p, k);
        }
        const buffers = Object.fromEntries(m.named_buffers());
        assert.deepEqual(Object.keys(buffers), Object.keys(c.buffers));
        for (const [k, b] of Object.entries(c.buffers)) assertExact(buffers[k], b, k);
      });
      it('prints as Python', () => assert.equal(String(m), c.repr));
      if (c.steps.length) it('forward, backward and buffers over the steps', () => checkSteps(m, c.steps));
    });
  }

  describe(fx.sequential.name, () => {
    const c = fx.sequential;
    let m;
    before(() => {
      torch.manual_seed(c.seed);
      m = new nn.Sequential(new nn.Conv2d(2, 4, 3, { padding: 1 }), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),
        new nn.Flatten(), new nn.Linear(16, 5), new nn.Dropout(0.2), new nn.LogSoftmax({ dim: 1 }));
    });
    it('draws each layer\'s parameters in turn, as Python', () => {
      const params = Object.fromEntries(m.named_parameters());
      assert.deepEqual(Object.keys(params), Object.keys(c.params));
      for (const [k, p] of Object.entries(c.params)) assertExact(params[k], p, k);
    });
    it('prints as Python', () => assert.equal(String(m), c.repr));
    it('train and eval steps', () => checkSteps(m, c.steps));
  });
});

describe('nn layers: behaviour', () => {
  it('ReLU(inplace) overwrites and returns its input', () => {
    const x = torch.tensor([-1, 2, -3]);
    const y = new nn.ReLU(true)(x);
    assert.equal(y, x);
    assert.deepEqual(x.tolist(), [0, 2, 0]);
    const z = torch.tensor([-1, 5]);
    assert.equal(new nn.ReLU({ inplace: true })(z), z);
  });

  it('Dropout in eval and p = 0 hands back its input', () => {
    const x = torch.randn(3);
    const d = new nn.Dropout(0.5).eval();
    assert.equal(d(x), x);
    assert.equal(new nn.Dropout(0)(x), x);
  });

  it('MaxPool2d with return_indices gives [output, indices], as F.max_pool2d_with_indices', () => {
    const x = torch.arange(16, { dtype: torch.float32 }).reshape(1, 1, 4, 4);
    const [out, idx] = new nn.MaxPool2d(2, { return_indices: true })(x);
    assert.deepEqual(out.tolist(), [[[[5, 7], [13, 15]]]]);
    assert.deepEqual(idx.tolist(), [[[[5, 7], [13, 15]]]]);
    const [o2, i2] = nn.functional.max_pool2d_with_indices(x, 2);
    assert.ok(o2.equal(out) && i2.equal(idx));
  });

  it('BatchNorm running stats are updated in place (same tensors)', () => {
    const bn = new nn.BatchNorm2d(2);
    const rm = bn.running_mean, nbt = bn.num_batches_tracked;
    bn(torch.randn(3, 2, 2, 2));
    assert.equal(bn.running_mean, rm);
    assert.equal(nbt.item(), 1);
    assert.equal(bn.num_batches_tracked, nbt);
  });

  it('layers accept positional arguments, an options object, or both, as Python binds them', () => {
    const a = new nn.Conv2d(3, 4, 3, 2, 1);
    const b = new nn.Conv2d(3, 4, 3, { stride: 2, padding: 1 });
    const c = new nn.Conv2d(3, 4, 3, 2, { padding: 1, bias: false });
    assert.equal(String(a), String(b));
    assert.equal(String(c), 'Conv2d(3, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)');
    assert.throws(() => new nn.Linear(2, 3, true, { bias: false }), { name: 'TypeError', message: "Linear() got multiple values for argument 'bias'" });
    assert.throws(() => new nn.Linear(2, 3, { bais: false }), { name: 'TypeError', message: "Linear() got an unexpected keyword argument 'bais'" });
    assert.throws(() => new nn.Linear(2), { name: 'TypeError', message: "Linear() missing required argument: 'out_features'" });
    // 2.13's Python adds bias= (1.13's has none)
    const bias = torchVersion === '1.13' ? '' : 'bias=False, ';
    assert.equal(new nn.BatchNorm1d(3, 1e-3, null, false).extra_repr(), `3, eps=0.001, momentum=None, affine=False, ${bias}track_running_stats=True`);
  });

  it('Linear keeps in_features and out_features (the transfer-learning pattern)', () => {
    const l = new nn.Linear(512, 1000, { dtype: torch.float64 });
    assert.equal(l.in_features, 512);
    assert.equal(l.out_features, 1000);
    assert.equal(l.weight.dtype, torch.float64);
  });
});
