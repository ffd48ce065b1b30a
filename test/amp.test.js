'use strict';
// torch.cuda on a machine without CUDA, torch.autocast on the CPU and GradScaler, against
// scripts/gen-amp-fixtures.py (each LibTorch version's own Python: test/support/fixtures.js).
const assert = require('node:assert/strict');
const torch = require('torch-node');
const nn = require('torch-node/nn');
const C = require('./support/close');
const { loadFixture } = require('./support/fixtures');

const fx = loadFixture('amp.json');
const num = (v) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
const tensor = (values, shape) => torch.tensor(values.map(num), { dtype: torch.float32 }).reshape(shape);
const flat = (t) => Array.from(t.detach().double().reshape(-1).typed_array());

const cu = torch.cuda;
const JS = {
  'is_available()': () => cu.is_available(),
  'device_count()': () => cu.device_count(),
  'is_initialized()': () => cu.is_initialized(),
  'current_device()': () => cu.current_device(),
  'init()': () => cu.init(),
  'set_device(0)': () => cu.set_device(0),
  'set_device(-1)': () => cu.set_device(-1),
  "set_device('cuda:1')": () => cu.set_device('cuda:1'),
  "set_device('cpu')": () => cu.set_device('cpu'),
  'get_device_name()': () => cu.get_device_name(),
  'get_device_properties(0)': () => cu.get_device_properties(0),
  'get_device_capability()': () => cu.get_device_capability(),
  'synchronize()': () => cu.synchronize(),
  'manual_seed(1)': () => cu.manual_seed(1),
  'manual_seed_all(1)': () => cu.manual_seed_all(1),
  'seed()': () => cu.seed(),
  'initial_seed()': () => cu.initial_seed(),
  'empty_cache()': () => cu.empty_cache(),
  'memory_allocated()': () => cu.memory_allocated(),
  'max_memory_allocated()': () => cu.max_memory_allocated(),
  'memory_reserved()': () => cu.memory_reserved(),
  'max_memory_reserved()': () => cu.max_memory_reserved(),
  'memory_stats()': () => cu.memory_stats(),
  'reset_peak_memory_stats()': () => cu.reset_peak_memory_stats(),
  'mem_get_info()': () => cu.mem_get_info(),
  'torch.ones(2).cuda()': () => torch.ones(2).cuda(),
  "torch.ones(2).to('cuda')": () => torch.ones(2).to('cuda'),
  "torch.zeros(2, device='cuda')": () => torch.zeros(2, { device: 'cuda' }),
  'backends.cudnn.is_available()': () => torch.backends.cudnn.is_available(),
  'backends.cudnn.version()': () => torch.backends.cudnn.version(),
  'backends.cudnn.enabled': () => torch.backends.cudnn.enabled,
  'backends.cudnn.benchmark': () => torch.backends.cudnn.benchmark,
  'backends.cudnn.deterministic': () => torch.backends.cudnn.deterministic,
  'backends.cudnn.allow_tf32': () => torch.backends.cudnn.allow_tf32,
  'backends.cuda.matmul.allow_tf32': () => torch.backends.cuda.matmul.allow_tf32,
  'get_float32_matmul_precision()': () => torch.get_float32_matmul_precision(),
};
// Where a CPU-only PyTorch fails by accident of its Python bindings (torch._C has no
// _cuda_setDevice: AttributeError), torch-node gives the error its other calls give.
const ACCIDENTAL = new Set(['AttributeError', 'TypeError']);

(cu.is_available() ? describe.skip : describe)('torch.cuda without CUDA: PyTorch\'s answers and errors', () => {
  it('every Python case has its JS counterpart', () => {
    assert.deepEqual(Object.keys(JS).sort(), Object.keys(fx.cuda_cpu).sort());
  });
  for (const [name, want] of Object.entries(fx.cuda_cpu)) {
    it(`${name}: ${want.error ? `${want.error}: ${want.message}` : JSON.stringify(want.value)}`, () => {
      if (!want.error) {
        const got = JS[name]();
        assert.deepEqual(got === undefined ? null : got, want.value);
        return;
      }
      assert.throws(JS[name], (e) => {
        assert.ok(e instanceof Error, 'an Error');
        assert.equal(e.message, ACCIDENTAL.has(want.error) ? 'Torch not compiled with CUDA enabled' : want.message);
        return true;
      });
    });
  }
  it('the backends flags are set and read back, and refuse non-booleans', () => {
    const b = torch.backends;
    const before = b.cudnn.benchmark;
    try {
      b.cudnn.benchmark = !before;
      assert.equal(b.cudnn.benchmark, !before);
      b.cuda.matmul.allow_tf32 = true;
      assert.equal(b.cuda.matmul.allow_tf32, true);
    } finally {
      b.cudnn.benchmark = before;
      b.cuda.matmul.allow_tf32 = fx.cuda_cpu['backends.cuda.matmul.allow_tf32'].value;
    }
    assert.throws(() => { b.cudnn.deterministic = 1; }, /deterministic must be bool/);
    assert.throws(() => { b.cudnn.nonsense = true; }, TypeError);
  });
});

describe('torch.autocast on the CPU (bfloat16) vs PyTorch', () => {
  const A = fx.autocast;
  const conv = new nn.Conv2d(3, 4, 3), lin = new nn.Linear(64, 5);
  torch.no_grad(() => {
    conv.weight.copy_(tensor(A.conv_weight, [4, 3, 3, 3]));
    conv.bias.copy_(tensor(A.conv_bias, [4]));
    lin.weight.copy_(tensor(A.linear_weight, [5, 64]));
    lin.bias.copy_(tensor(A.linear_bias, [5]));
  });
  const x = tensor(A.input, [2, 3, 6, 6]);

  it('each output has Python\'s dtype and values; the state is restored after', () => {
    let inside;
    const steps = torch.autocast('cpu', { dtype: torch.bfloat16 }, () => {
      inside = { enabled: torch.is_autocast_cpu_enabled(), dtype: String(torch.get_autocast_cpu_dtype()) };
      const y1 = conv(x), y2 = torch.relu(y1), y3 = lin(y2.flatten(1));
      const f = x.flatten(1).narrow(1, 0, 8);
      return { conv: y1, relu: y2, linear: y3, log_softmax: torch.log_softmax(y3, 1), float_add: y3.float().add(1), mm: torch.mm(f, f.t()) };
    });
    assert.deepEqual(inside, A.inside);
    for (const [name, want] of Object.entries(A.steps)) {
      const t = steps[name];
      assert.equal(String(t.dtype), want.dtype, `${name} dtype`);
      assert.deepEqual(t.shape, want.shape, `${name} shape`);
      // bfloat16 keeps 8 bits: oneDNN may round a last bit differently from Python's build.
      C.assertValues(flat(t), want.values.map(num), { rtol: 1.6e-2, atol: 1e-2, label: name });
    }
    assert.equal(torch.is_autocast_cpu_enabled(), A.after.enabled);
    assert.equal(String(torch.get_autocast_cpu_dtype()), A.after.dtype);
    assert.equal(String(lin(steps.relu.float().flatten(1)).dtype), A.after.linear_dtype);
  });

  it('torch.cpu.amp.autocast is the same; enabled: false and nesting restore the state', () => {
    const y = torch.cpu.amp.autocast({ dtype: torch.bfloat16 }, () => torch.cpu.amp.autocast({ enabled: false }, () => lin(x.flatten(1).narrow(1, 0, 64))));
    assert.equal(String(y.dtype), 'torch.float32');
    assert.equal(torch.is_autocast_cpu_enabled(), false);
  });

  it('bad arguments: TypeErrors naming them; the state survives a throwing function', () => {
    assert.throws(() => torch.autocast('cpu', { dtyp: torch.bfloat16 }, () => 1), /unexpected keyword argument 'dtyp'/);
    assert.throws(() => torch.autocast('cpu', { enabled: 1 }, () => 1), /'enabled' must be bool/);
    assert.throws(() => torch.autocast('tpu', () => 1), /unsupported autocast device_type 'tpu'/);
    assert.throws(() => torch.autocast('cpu', {}), /must be a function/);
    assert.throws(() => torch.autocast('cpu', () => { throw new RangeError('inner'); }), /inner/);
    assert.equal(torch.is_autocast_cpu_enabled(), false);
    assert.throws(() => torch.autocast('cpu', async () => 1), /Promise/);
    assert.equal(torch.is_autocast_cpu_enabled(), false);
  });
});

describe('GradScaler: scale, unscale_, step, update vs PyTorch', () => {
  const G = fx.grad_scaler;
  it(`a run with inf gradients on steps ${G.inf_steps} (reference: ${G.reference})`, () => {
    const model = new nn.Linear(3, 2);
    torch.no_grad(() => {
      model.weight.copy_(tensor(G.weight, [2, 3]));
      model.bias.copy_(tensor(G.bias, [2]));
    });
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const scaler = new torch.amp.GradScaler('cpu', G.options);
    const xs = tensor(G.xs, [6, 4, 3]), ys = tensor(G.ys, [6, 4, 2]);
    G.steps.forEach((want, i) => {
      opt.zero_grad();
      const loss = nn.functional.mse_loss(model(xs.select(0, i)), ys.select(0, i));
      scaler.scale(loss).backward();
      if (G.inf_steps.includes(i)) torch.no_grad(() => model.weight.grad.index_put_([0, 0], torch.tensor(Infinity)));
      scaler.step(opt);
      scaler.update();
      C.assertValues([loss.item()], [want.loss], { rtol: 1e-5, atol: 1e-6, label: `loss ${i}` });
      assert.equal(scaler.get_scale(), want.scale, `scale after step ${i}`);
      assert.equal(scaler._get_growth_tracker(), want.tracker, `growth tracker after step ${i}`);
      C.assertValues(flat(model.weight), want.weight.map(num), { rtol: 1e-5, atol: 1e-6, label: `weight ${i}` });
      C.assertValues(flat(model.bias), want.bias.map(num), { rtol: 1e-5, atol: 1e-6, label: `bias ${i}` });
    });
  });

  it('PyTorch\'s errors for calls out of order', () => {
    const model = new nn.Linear(3, 2);
    const opt = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    const scaler = new torch.amp.GradScaler('cpu');
    assert.throws(() => scaler.unscale_(opt), /Attempted unscale_ but _scale is None/);
    scaler.scale(model(torch.ones(1, 3)).sum()).backward();
    scaler.unscale_(opt);
    assert.throws(() => scaler.unscale_(opt), /unscale_\(\) has already been called on this optimizer since the last update\(\)/);
    scaler.step(opt);
    assert.throws(() => scaler.step(opt), /step\(\) has already been called since the last update\(\)/);
    scaler.update();
    assert.throws(() => scaler.update(), /No inf checks were recorded prior to update/);
    assert.throws(() => new torch.amp.GradScaler('cpu', { init_scal: 1 }), /unexpected keyword argument 'init_scal'/);
    assert.throws(() => new torch.amp.GradScaler('cpu', { growth_factor: 0.5 }), /The growth factor must be > 1.0/);
  });

  (cu.is_available() ? it.skip : it)('torch.cuda.amp.GradScaler without CUDA disables itself, as Python\'s', () => {
    const scaler = new torch.cuda.amp.GradScaler();
    assert.equal(scaler.is_enabled(), false);
    assert.equal(scaler.get_scale(), 1.0);
    const loss = torch.tensor(2.5);
    assert.equal(scaler.scale(loss), loss);
  });
});
