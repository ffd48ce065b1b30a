'use strict';
// Arrays from users whose length is a lie (sparse, length 2^32-1, or a Proxy
// claiming it): lib/ used to walk them element by element for minutes or die of
// a V8 heap OOM (the fuzzer's open findings, issue 15). Each case now fails at
// once with a RangeError naming the function and argument. The cases run in a
// child process under a time limit, so a regression is a failure, not a hang.
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');
const SPARSE = '(() => { const a = []; a.length = 2 ** 32 - 1; return a; })()';
const PROXY = "new Proxy([], { get(t, k) { return k === 'length' ? 2 ** 32 - 1 : t[k]; } })";
const SCHED = "const o = new torch.optim.SGD([torch.zeros(1, { requires_grad: true })], { lr: 0.1 }); const s = new torch.optim.lr_scheduler.StepLR(o, 1);";
const PLATEAU = "const o = new torch.optim.SGD([torch.zeros(1, { requires_grad: true })], { lr: 0.1 }); const s = new torch.optim.lr_scheduler.ReduceLROnPlateau(o);";

const CASES = [
  [`${SCHED} s.base_lrs = ${SPARSE}; s.state_dict();`, /^state_dict\(\): base_lrs has length 4294967295/],
  [`${SCHED} s.base_lrs = ${PROXY}; s.state_dict();`, /^state_dict\(\): base_lrs has length 4294967295/],
  [`${PLATEAU} s.num_bad_epochs = ${SPARSE}; s.state_dict();`, /^state_dict\(\): num_bad_epochs has length 4294967295/],
  [`${SCHED} s.load_state_dict({ base_lrs: ${PROXY} });`, /^load_state_dict\(\): base_lrs has length 4294967295/],
  [`torch.jit.trace((x) => x, ${PROXY});`, /^trace\(\): example_inputs has length 4294967295/],
  [`torch.jit.trace((x) => x, ${SPARSE});`, /^trace\(\): example_inputs has length 4294967295/],
  [`new torch.nn.BatchNorm1d(2)._load_from_state_dict(new Map(), '', {}, true, ${PROXY}, [], []);`,
    /^_load_from_state_dict\(\): missing_keys has length 4294967295/],
  [`new torch.nn.BatchNorm1d(2)._load_from_state_dict(new Map(), '', {}, true, [], ${SPARSE}, []);`,
    /^_load_from_state_dict\(\): unexpected_keys has length 4294967295/],
  [`new torch.nn.Linear(1, 1)._load_from_state_dict(new Map(), '', {}, true, [], [], ${PROXY});`,
    /^_load_from_state_dict\(\): error_msgs has length 4294967295/],
  // An optimizer's params (the fuzzer: V8 heap OOM abort copying new Array(2 ** 31)).
  ['new torch.optim.Adagrad(new Array(2 ** 31));', /^Adagrad\(\): argument 'params' has length 2147483648/],
  [`new torch.optim.SGD(${SPARSE}, { lr: 0.1 });`, /^SGD\(\): argument 'params' has length 4294967295/],
  // torch.autograd.grad / backward walked their lists with map (the fuzzer: a hang, seeds 2-12).
  [`const x = torch.ones(2, { requires_grad: true }); torch.autograd.grad(x.sum(), ${SPARSE});`, /^grad\(\): argument 'inputs' has length 4294967295/],
  [`const x = torch.ones(2, { requires_grad: true }); torch.autograd.grad(${PROXY}, [x]);`, /^grad\(\): argument 'outputs' has length 4294967295/],
  [`const x = torch.ones(2, { requires_grad: true }); torch.autograd.grad(x.sum(), [x], { grad_outputs: ${SPARSE} });`,
    /^grad\(\): argument 'grad_outputs' has length 4294967295/],
  [`torch.autograd.backward(${SPARSE});`, /^backward\(\): argument 'tensors' has length 4294967295/],
];

describe('array-likes of a hostile length (lib/arraylike.ts)', function () {
  this.timeout(120000);

  it('each is a RangeError naming the function and the argument, before anything is walked', () => {
    const script = `const torch = require(${JSON.stringify(ROOT)});
      const out = [];
      for (const code of ${JSON.stringify(CASES.map((c) => c[0]))}) {
        const t0 = Date.now();
        try { new Function('torch', code)(torch); out.push({ ok: true }); }
        catch (e) { out.push({ name: e.name, message: e.message, ms: Date.now() - t0 }); }
      }
      process.stdout.write(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 90000 });
    assert.equal(r.signal, null, `killed by ${r.signal} (a hang or a crash):\n${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
    const results = JSON.parse(r.stdout);
    CASES.forEach(([code, message], i) => {
      assert.equal(results[i].name, 'RangeError', `${code}\n${JSON.stringify(results[i])}`);
      assert.match(results[i].message, message, code);
      assert.ok(results[i].ms < 5000, `${code}: ${results[i].ms} ms`);
    });
  });

  it('a Proxy that claims one length and then another is read once (no loop over the second)', () => {
    const { listOf } = require('../dist/arraylike');
    let reads = 0;
    const shifty = new Proxy([7], { get(t, k) { if (k === 'length') return reads++ ? 2 ** 32 - 1 : 1; return t[k]; } });
    assert.deepEqual(listOf(shifty, 'f(): xs'), [7]);
    assert.equal(reads, 1);
    assert.throws(() => listOf(new Proxy([], { get: (t, k) => (k === 'length' ? 2 ** 27 + 1 : t[k]) }), 'f(): xs'),
      { name: 'RangeError', message: /^f\(\): xs has length 134217729/ });
  });

  it('real lists of ordinary lengths still pass: state_dict round trip, trace, load_state_dict', () => {
    const torch = require('..');
    const o = new torch.optim.SGD([torch.zeros(1, { requires_grad: true })], { lr: 0.1 });
    const s = new torch.optim.lr_scheduler.StepLR(o, 1);
    const sd = s.state_dict();
    assert.deepEqual(sd.base_lrs, [0.1]);
    sd.base_lrs.push(1); // a copy, not the scheduler's own list
    assert.deepEqual(s.base_lrs, [0.1]);
    s.load_state_dict({ base_lrs: [0.5] });
    assert.deepEqual(s.base_lrs, [0.5]);
    const traced = torch.jit.trace((x) => x.mul(2), [torch.ones(2)]);
    assert.deepEqual(traced(torch.ones(2)).tolist(), [2, 2]);
    const lin = new torch.nn.Linear(1, 1);
    const missing = [];
    lin._load_from_state_dict(new Map(), '', {}, true, missing, [], []);
    assert.deepEqual(missing, ['weight', 'bias']);
  });
});
