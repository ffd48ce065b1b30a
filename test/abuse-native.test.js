'use strict';
// Inputs that used to kill the process inside the addon or a LibTorch kernel
// (issue "Reliability under abuse"). Each runs in a child process, so that a
// regression shows as a failed test, not a dead test run.
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');

function run(body) {
  const code = `const torch = require(${JSON.stringify(require.resolve('torch-node'))});\n` +
    `const out = (v) => process.stdout.write(JSON.stringify(v) + '\\n');\n${body}`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 60000 });
  assert.equal(r.signal, null, `killed by ${r.signal}:\n${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

describe('abuse: native', () => {
  it('integer division overflow (INT_MIN / -1) is an Error or, for remainders, 0; never SIGFPE', () => {
    const results = run(`
      const I32 = { dtype: torch.int32 }, I64 = { dtype: torch.int64 };
      const min32 = () => torch.full([2], -(2 ** 31), I32), min64 = () => torch.full([2], -(2n ** 63n), I64);
      const cases = {
        floor_divide32: () => min32().floor_divide(-1),
        div_floor32: () => min32().div(-1, { rounding_mode: 'floor' }),
        div_trunc64_tensor: () => min64().div(torch.full([2], -1, I64), { rounding_mode: 'trunc' }),
        div_inplace64: () => min64().div_(-1, { rounding_mode: 'floor' }),
        remainder32: () => min32().remainder(-1),
        remainder64_tensor: () => min64().remainder(torch.full([2], -1, I64)),
        fmod32: () => min32().fmod(-1),
        fmod_inplace64: () => min64().fmod_(torch.full([2], -1, I64)),
        promoted_to_int64: () => min32().floor_divide(torch.full([2], -1, I64)),
        true_division: () => min32().div(-1),
      };
      for (const [name, f] of Object.entries(cases)) {
        try { out([name, 'ok', f().tolist().map(String)]); } catch (e) { out([name, e.constructor.name, e.message]); }
      }`);
    const by = Object.fromEntries(results.map(([n, ...r]) => [n, r]));
    for (const n of ['floor_divide32', 'div_floor32', 'div_trunc64_tensor', 'div_inplace64']) {
      assert.equal(by[n][0], 'Error', n);
      assert.match(by[n][1], /integer overflow: the smallest int(32|64) value divided by -1/, n);
    }
    // Python's own integers: (-2**31) % -1 == 0 and math.fmod(-2**31, -1) == 0.
    for (const n of ['remainder32', 'remainder64_tensor', 'fmod32', 'fmod_inplace64']) assert.deepEqual(by[n], ['ok', ['0', '0']], n);
    assert.deepEqual(by.promoted_to_int64, ['ok', ['2147483648', '2147483648']]);
    assert.deepEqual(by.true_division, ['ok', ['2147483648', '2147483648']]);
  });

  it('remainder and floor division by -1 elsewhere in a tensor keep their values', () => {
    const [[r, q]] = run(`
      const x = torch.tensor([7, -7, 7], { dtype: torch.int32 }), y = torch.tensor([-1, 2, -3], { dtype: torch.int32 });
      out([x.remainder(y).tolist(), x.floor_divide(y).tolist()]);`);
    assert.deepEqual(r, [0, 1, -2]); // Python: [7 % -1, -7 % 2, 7 % -3]
    assert.deepEqual(q, [-7, -4, -3]); // Python: [7 // -1, -7 // 2, 7 // -3]
  });

  it('a frombuffer tensor survives its ArrayBuffer being transferred (structuredClone, postMessage)', () => {
    const [[sum, seen, afterPost]] = run(`
      const ab = new ArrayBuffer(64);
      const t = torch.frombuffer(ab, { dtype: torch.float32 });
      const moved = structuredClone(ab, { transfer: [ab] });
      t.fill_(2);
      const { port1 } = new MessageChannel();
      const ab2 = new ArrayBuffer(16); const t2 = torch.frombuffer(ab2, { dtype: torch.float32 });
      port1.postMessage(ab2, [ab2]); port1.close();
      t2.fill_(3);
      out([t.sum().item(), new Float32Array(moved)[0], t2.sum().item()]);`);
    assert.equal(sum, 32); // the memory moved with the buffer; the tensor still shares it
    assert.equal(seen, 2);
    assert.equal(afterPost, 12);
  });

  it('a resizable ArrayBuffer is refused by frombuffer (it could shrink under the tensor)', () => {
    const [[name, msg]] = run(`
      const ab = new ArrayBuffer(4096, { maxByteLength: 8192 });
      try { torch.frombuffer(ab, { dtype: torch.float32 }); out(['none']); } catch (e) { out([e.constructor.name, e.message]); }`);
    assert.equal(name, 'TypeError');
    assert.match(msg, /resizable ArrayBuffer/);
  });

  it('typed_array() of an expanded tensor larger than any TypedArray is a RangeError, not a V8 abort', () => {
    const [[name, msg]] = run(`
      try { torch.zeros([1], { dtype: torch.uint8 }).expand(5e9).typed_array(); out(['none']); } catch (e) { out([e.constructor.name, e.message]); }`);
    assert.equal(name, 'RangeError');
    assert.match(msg, /exceed the largest TypedArray/);
  });

  it('integral numbers up to 2^63 act as Python ints (int64 stays int64)', () => {
    const [[dtype, value]] = run(`
      const r = torch.ones(1, { dtype: torch.int64 }).add(2 ** 53);
      out([String(r.dtype), String(r.typed_array()[0])]);`);
    assert.equal(dtype, 'torch.int64');
    assert.equal(value, '9007199254740993');
  });

  it('an allocation larger than memory is a clean Error with PyTorch\'s message', () => {
    const [[name, msg]] = run(`
      try { torch.zeros([2 ** 40]); out(['none']); } catch (e) { out([e.constructor.name, e.message]); }`);
    assert.equal(name, 'Error');
    assert.match(msg, /DefaultCPUAllocator: can't allocate memory/); // Python 1.13 says the same
  });

  it('torch.tensor refuses values its dtype cannot hold, with Python\'s messages (never a silent wrap)', () => {
    const torch = require('torch-node');
    // Python 1.13: RuntimeError "value cannot be converted to type uint8 without overflow", etc.
    assert.throws(() => torch.tensor([300], { dtype: torch.uint8 }), { message: 'value cannot be converted to type uint8 without overflow' });
    for (const v of [1e20, NaN, Infinity]) {
      assert.throws(() => torch.tensor([v], { dtype: torch.int64 }), { message: 'value cannot be converted to type int64 without overflow' });
    }
    assert.throws(() => torch.tensor([2n ** 64n + 5n]), { message: 'Overflow when unpacking long' });
    assert.equal(torch.tensor([2n ** 63n], { dtype: torch.float32 }).item(), 9223372036854775808); // through double, as Python
    assert.deepEqual(torch.tensor([255, -128.5], { dtype: torch.int16 }).tolist(), [255, -128]); // truncation is not overflow
  });

  it('tolist() of an expanded tensor larger than the JS heap is a RangeError, not a V8 abort', () => {
    const [[name, msg]] = run(`
      try { torch.zeros([1]).expand(1.4e8).tolist(); out(['none']); } catch (e) { out([e.constructor.name, e.message]); }`);
    assert.equal(name, 'RangeError');
    assert.match(msg, /tolist\(\): 140000000 elements need about/);
  });

  it('messages never walk an attacker-sized length (a Proxy claiming 2^32-1 items): a TypeError at once', () => {
    const [[name, msg]] = run(`
      const nn = require(${JSON.stringify(require.resolve('torch-node/nn'))});
      const huge = new Proxy([], { get: (t, k) => (k === 'length' ? 2 ** 32 - 1 : t[k]) });
      try { nn.init.calculate_gain(huge); out(['none']); } catch (e) { out([e.constructor.name, e.message]); }`);
    assert.equal(name, 'TypeError');
    assert.match(msg, /calculate_gain\(\): nonlinearity must be a str/);
  });
});
