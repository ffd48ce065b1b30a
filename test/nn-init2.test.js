'use strict';
// nn.init's remaining initialisers (eye_, dirac_, orthogonal_, sparse_, trunc_normal_) against
// PyTorch run now (the addon's torch version's Python) after the same seeds: eye_, dirac_, sparse_ and trunc_normal_
// bit-exact (fills, normal_ and randperm draws); orthogonal_ through LAPACK's QR, to float tolerance.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const torch = require('torch-node');
const { init } = torch.nn;

const { referencePython: PYTHON } = require('./support/fixtures');
const flat = (t) => Array.from(t.contiguous().typed_array(), Number);

describe('nn.init: eye_, dirac_, orthogonal_, sparse_, trunc_normal_ (vs PyTorch)', function () {
  this.timeout(60000);
  let ref;
  before(function () {
    if (!fs.existsSync(PYTHON)) this.skip();
    ref = JSON.parse(execFileSync(PYTHON, ['-c', `
import json, torch
from torch.nn import init
def f(t): return t.flatten().tolist()
out = {}
out['eye'] = f(init.eye_(torch.empty(3, 5)))
out['dirac'] = f(init.dirac_(torch.empty(4, 2, 3, 3), 2))
out['dirac3'] = f(init.dirac_(torch.empty(3, 3, 5)))
torch.manual_seed(1); out['orth'] = f(init.orthogonal_(torch.empty(3, 5), gain=2))
torch.manual_seed(2); out['orth4'] = f(init.orthogonal_(torch.empty(6, 2, 2, 1)))
torch.manual_seed(3); out['sparse'] = f(init.sparse_(torch.empty(7, 4), 0.3, std=0.5))
torch.manual_seed(4); out['trunc'] = f(init.trunc_normal_(torch.empty(50), mean=0.5, std=2, a=-1, b=3))
out['after'] = torch.rand(2).tolist()
print(json.dumps(out))
`], { encoding: 'utf8' }));
  });

  it('eye_ and dirac_ fill as PyTorch', () => {
    assert.deepEqual(flat(init.eye_(torch.empty(3, 5))), ref.eye);
    assert.deepEqual(flat(init.dirac_(torch.empty(4, 2, 3, 3), 2)), ref.dirac);
    assert.deepEqual(flat(init.dirac_(torch.empty(3, 3, 5))), ref.dirac3);
  });
  it('orthogonal_, sparse_ and trunc_normal_ draw what PyTorch draws after the same seed', () => {
    torch.manual_seed(1);
    const o = flat(init.orthogonal_(torch.empty(3, 5), { gain: 2 }));
    o.forEach((v, i) => assert.ok(Math.abs(v - ref.orth[i]) < 1e-5, `orthogonal_[${i}]: ${v} vs ${ref.orth[i]}`));
    torch.manual_seed(2);
    const o4 = flat(init.orthogonal_(torch.empty(6, 2, 2, 1)));
    o4.forEach((v, i) => assert.ok(Math.abs(v - ref.orth4[i]) < 1e-5, `orthogonal_ 4-D [${i}]`));
    torch.manual_seed(3);
    assert.deepEqual(flat(init.sparse_(torch.empty(7, 4), 0.3, { std: 0.5 })), ref.sparse);
    torch.manual_seed(4);
    assert.deepEqual(flat(init.trunc_normal_(torch.empty(50), { mean: 0.5, std: 2, a: -1, b: 3 })), ref.trunc);
    assert.deepEqual(flat(torch.rand(2)), ref.after, 'the generator is left where PyTorch leaves it');
  });
  it("PyTorch's errors", () => {
    assert.throws(() => init.eye_(torch.empty(3)), /Only tensors with 2 dimensions are supported/);
    assert.throws(() => init.dirac_(torch.empty(3, 3)), /Only tensors with 3, 4, or 5 dimensions are supported/);
    assert.throws(() => init.dirac_(torch.empty(3, 3, 3), 2), /dim 0 must be divisible by groups/);
    assert.throws(() => init.orthogonal_(torch.empty(3)), /Only tensors with 2 or more dimensions are supported/);
    assert.throws(() => init.sparse_(torch.empty(3, 3, 3), 0.1), /Only tensors with 2 dimensions are supported/);
    assert.throws(() => init.sparse_(torch.empty(3, 3), { sparsty: 0.1 }), /unexpected keyword argument 'sparsty'/);
  });
});
