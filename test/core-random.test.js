'use strict';
// Seed parity: after torch.manual_seed(s), the random functions give PyTorch's
// values bit for bit (same LibTorch, same generator): fixtures from
// scripts/gen-core-fixtures.py (float32 values stored as the float64 of the float32).
// Bit for bit: verified under OpenBLAS Haswell/Sandybridge/native cores, ATEN_CPU_CAPABILITY
// avx2/avx512 and 1/2 threads; only ATen's default (pre-AVX2) kernels round randn/uniform_
// differently (Python too), where close.js turns `exact` into 64 ulps of the tensor's scale.
const assert = require('node:assert/strict');
const { torch, loadFixture, decodeArg, assertTensor } = require('./core-helpers');

const { cases } = loadFixture('core-random.json');

function invoke(call) {
  const self = call.self ? decodeArg(call.self) : null;
  const args = decodeArg(call.args);
  const kwargs = decodeArg(call.kwargs);
  const extra = Object.keys(kwargs).length ? [kwargs] : [];
  if (call.kind === 'fn') return torch[call.op](...args, ...extra);
  const r = self[call.op](...args, ...extra);
  assert.ok(r === self, `${call.op} returns self`);
  return r;
}

describe('core random streams: manual_seed parity with PyTorch', () => {
  for (const c of cases) {
    it(c.name, () => {
      // Inputs (tensors of means, zeros to fill) are made after seeding, as in the
      // generator: copying data into a tensor draws nothing from the generator.
      torch.manual_seed(c.seed);
      c.calls.forEach((call, i) => {
        assertTensor(invoke(call), c.outs[i], { exact: true, label: `call ${i} (${call.op})` });
      });
    });
  }

  it('manual_seed accepts a BigInt and initial_seed() gives it back', () => {
    torch.manual_seed(2n ** 40n + 7n);
    assert.equal(torch.initial_seed(), 2n ** 40n + 7n);
    const a = torch.randn(5).typed_array();
    torch.manual_seed(2 ** 40 + 7);
    assert.deepEqual(torch.randn(5).typed_array(), a);
  });

  it('the same seed twice gives the same stream; another seed another', () => {
    torch.manual_seed(3);
    const a = torch.rand(10).typed_array();
    torch.manual_seed(3);
    assert.deepEqual(torch.rand(10).typed_array(), a);
    torch.manual_seed(4);
    assert.notDeepEqual(torch.rand(10).typed_array(), a);
  });
});
