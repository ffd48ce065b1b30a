'use strict';
// memory_format on Tensor.contiguous / is_contiguous and nn.utils.convert_conv2d_weight_memory_format,
// against PyTorch run now (the addon's torch version's Python): strides and contiguity flags are layout facts, exact.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const torch = require('torch-node');
const { nn } = torch;

const { referencePython: PYTHON } = require('./support/fixtures');
const SHAPES = [[2, 3, 4, 5], [1, 3, 1, 1], [2, 1, 4, 4], [2, 3, 2, 4, 5]];

describe('memory_format: contiguous, is_contiguous, convert_conv2d_weight_memory_format (vs PyTorch)', function () {
  this.timeout(60000);
  let ref;
  before(function () {
    if (!fs.existsSync(PYTHON)) this.skip();
    ref = JSON.parse(execFileSync(PYTHON, ['-c', `
import json, torch, torch.nn as nn
out = []
for s in ${JSON.stringify(SHAPES)}:
    fmt = torch.channels_last if len(s) == 4 else torch.channels_last_3d
    t = torch.zeros(s).contiguous(memory_format=fmt)
    out.append({'stride': list(t.stride()), 'cl': t.is_contiguous(memory_format=fmt), 'c': t.is_contiguous(),
                'back': list(t.contiguous().stride())})
m = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Sequential(nn.ConvTranspose2d(4, 2, 2)), nn.Linear(5, 2))
nn.utils.convert_conv2d_weight_memory_format(m, torch.channels_last)
print(json.dumps({'shapes': out, 'conv': list(m[0].weight.stride()), 'convt': list(m[2][0].weight.stride()), 'linear': list(m[3].weight.stride())}))
`], { encoding: 'utf8' }));
  });

  it('contiguous({ memory_format }) lays out as PyTorch; is_contiguous(format) reads it back', () => {
    SHAPES.forEach((s, i) => {
      const fmt = s.length === 4 ? torch.channels_last : torch.channels_last_3d;
      const t = torch.zeros(s).contiguous({ memory_format: fmt });
      assert.deepEqual(t.stride(), ref.shapes[i].stride, `${s}`);
      assert.equal(t.is_contiguous(fmt), ref.shapes[i].cl, `${s} is_contiguous(${fmt})`);
      assert.equal(t.is_contiguous({ memory_format: fmt }), ref.shapes[i].cl);
      assert.equal(t.is_contiguous(), ref.shapes[i].c, `${s} is_contiguous()`);
      assert.deepEqual(t.contiguous().stride(), ref.shapes[i].back);
      assert.deepEqual(torch.zeros(s).contiguous(fmt).stride(), ref.shapes[i].stride, 'positional');
    });
  });
  it('nn.utils.convert_conv2d_weight_memory_format re-lays every Conv2d/ConvTranspose2d weight, and nothing else', () => {
    const m = new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.ReLU(), new nn.Sequential(new nn.ConvTranspose2d(4, 2, 2)), new nn.Linear(5, 2));
    const x = torch.randn(1, 3, 6, 6);
    const before = m(x.clone()).detach();
    assert.equal(nn.utils.convert_conv2d_weight_memory_format(m, torch.channels_last), m);
    assert.deepEqual(m[0].weight.stride(), ref.conv);
    assert.deepEqual(m[2][0].weight.stride(), ref.convt);
    assert.deepEqual(m[3].weight.stride(), ref.linear);
    assert.ok(m[0].weight instanceof nn.Parameter && m[0].weight.requires_grad);
    assert.ok(torch.allclose(m(x), before, { atol: 1e-6 }));
  });
  it('bad memory formats are errors naming the argument', () => {
    assert.throws(() => torch.zeros(2).contiguous('channels_last'), /contiguous\(\): argument 'memory_format' must be torch.memory_format/);
    assert.throws(() => torch.zeros(2).contiguous({ memroy_format: torch.channels_last }), /contiguous\(\) got an unexpected keyword argument 'memroy_format'/);
    assert.throws(() => torch.zeros(2).is_contiguous(torch.preserve_format), /unsupported memory format/);
  });
});
