'use strict';
// CUDA on a GPU (skipped only where torch.cuda.is_available() is false): every core op family on
// `cuda` vs the same on the CPU, memory back to its start after disposing, seeding, device
// properties vs Python, and an AMP training step (autocast float16 + GradScaler) vs Python on the
// same GPU. scripts/gpu-check.sh runs this file on a GPU machine.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const torch = require('torch-node');
const nn = require('torch-node/nn');
const C = require('./support/close');
const { referencePython } = require('./support/fixtures');

const GPU = torch.cuda.is_available();
const flat = (t) => Array.from(t.detach().cpu().double().reshape(-1).typed_array());
const python = (code, input) => JSON.parse(execFileSync(referencePython, ['-c', code], { input: JSON.stringify(input ?? null), maxBuffer: 64 << 20 }).toString());

(GPU ? describe : describe.skip)('CUDA on a GPU', function () {
  this.timeout(300000);

  // One op per family; inputs made on the CPU (same draws), then moved.
  const a = () => torch.randn(4, 5, { generator: new torch.Generator().manual_seed(1) });
  const b = () => torch.randn(4, 5, { generator: new torch.Generator().manual_seed(2) });
  const img = () => torch.randn(2, 3, 8, 8, { generator: new torch.Generator().manual_seed(3) });
  const w = () => torch.randn(4, 3, 3, 3, { generator: new torch.Generator().manual_seed(4) });
  const OPS = {
    'pointwise add/mul/exp/tanh': (d) => a().to(d).add(b().to(d)).mul(2).exp().tanh(),
    'reduction sum/mean/max/std': (d) => torch.stack([a().to(d).sum(), a().to(d).mean(), a().to(d).max(), a().to(d).std()]),
    'matmul': (d) => a().to(d).matmul(b().to(d).t()),
    'conv2d': (d) => nn.functional.conv2d(img().to(d), w().to(d), null, 1, 1),
    'max_pool2d + batch_norm': (d) => nn.functional.batch_norm(nn.functional.max_pool2d(img().to(d), 2), null, null, null, null, true),
    'softmax/log_softmax': (d) => torch.cat([a().to(d).softmax(1), a().to(d).log_softmax(0)]),
    'indexing/gather/scatter': (d) => a().to(d).index([torch.tensor([0n, 2n]).to(d)]).gather(1, torch.tensor([[1n], [3n]]).to(d)),
    'sort/topk/cumsum': (d) => torch.cat([a().to(d).sort(1).values, a().to(d).topk(2, 1).values, a().to(d).cumsum(1)], 1),
    'linalg inv': (d) => torch.linalg.inv(a().narrow(1, 0, 4).to(d).add(torch.eye(4).to(d).mul(4))),
    'autograd through a Linear': (d) => {
      const x = a().to(d).requires_grad_();
      x.matmul(b().to(d).t()).relu().sum().backward();
      return x.grad;
    },
  };
  for (const [name, f] of Object.entries(OPS)) {
    it(`${name}: cuda equals cpu`, () => {
      const g = f('cuda');
      assert.equal(g.device.type, 'cuda');
      C.assertValues(flat(g), flat(f('cpu')), { rtol: 1e-4, atol: 1e-5, label: name });
    });
  }

  it('device facts agree with Python on this GPU', () => {
    const py = python('import json, torch; p = torch.cuda.get_device_properties(0); print(json.dumps({"count": torch.cuda.device_count(), "name": p.name, "cap": list(torch.cuda.get_device_capability(0)), "total": p.total_memory}))');
    assert.equal(torch.cuda.device_count(), py.count);
    assert.equal(torch.cuda.get_device_name(0), py.name);
    assert.deepEqual(torch.cuda.get_device_capability(0), py.cap);
    assert.equal(torch.cuda.get_device_properties(0).total_memory, py.total);
    torch.cuda.set_device(0);
    assert.equal(torch.cuda.current_device(), 0);
  });

  it('torch.cuda.manual_seed: the same draws as Python\'s on the GPU', () => {
    torch.cuda.manual_seed(7);
    const got = flat(torch.randn(6, { device: 'cuda' }));
    const want = python('import json, torch; torch.cuda.manual_seed(7); print(json.dumps(torch.randn(6, device="cuda").double().tolist()))');
    C.assertValues(got, want, { exact: true, label: 'randn on cuda' });
    assert.equal(torch.cuda.initial_seed(), 7n);
  });

  it('memory returns to its starting point after disposing', () => {
    torch.cuda.synchronize();
    const start = torch.cuda.memory_allocated();
    const ts = [];
    for (let i = 0; i < 10; i++) ts.push(torch.ones(1024, 1024, { device: 'cuda' }));
    assert.ok(torch.cuda.memory_allocated() >= start + 10 * 4 * 1024 * 1024);
    assert.ok(torch.cuda.max_memory_allocated() >= torch.cuda.memory_allocated());
    for (const t of ts) t.dispose();
    torch.cuda.synchronize();
    assert.equal(torch.cuda.memory_allocated(), start);
    torch.cuda.empty_cache();
    torch.cuda.reset_peak_memory_stats();
  });

  it('an AMP training step (autocast float16 + GradScaler) equals Python\'s on the same GPU', () => {
    const W = Array.from({ length: 12 }, (_, i) => Math.sin(i + 1) / 4), X = Array.from({ length: 24 }, (_, i) => Math.cos(i) / 2);
    const code = `
import json, sys, torch
d = json.load(sys.stdin)
m = torch.nn.Linear(4, 3).cuda()
with torch.no_grad():
    m.weight.copy_(torch.tensor(d["W"]).reshape(3, 4)); m.bias.zero_()
opt = torch.optim.SGD(m.parameters(), lr=0.5)
s = torch.amp.GradScaler("cuda", init_scale=1024.0, growth_interval=2)
x = torch.tensor(d["X"]).reshape(6, 4).cuda()
out = []
for i in range(3):
    opt.zero_grad()
    with torch.autocast("cuda", dtype=torch.float16):
        y = m(x)
        loss = (y.float() ** 2).mean()
    s.scale(loss).backward(); s.step(opt); s.update()
    out.append({"dtype": str(y.dtype), "loss": loss.item(), "scale": s.get_scale(), "w": m.weight.detach().double().cpu().reshape(-1).tolist()})
print(json.dumps(out))`;
    const want = python(code, { W, X });
    const m = new nn.Linear(4, 3).cuda();
    torch.no_grad(() => { m.weight.copy_(torch.tensor(W).reshape(3, 4)); m.bias.zero_(); });
    const opt = new torch.optim.SGD(m.parameters(), { lr: 0.5 });
    const s = new torch.amp.GradScaler('cuda', { init_scale: 1024, growth_interval: 2 });
    const x = torch.tensor(X).reshape(6, 4).cuda();
    want.forEach((w, i) => {
      opt.zero_grad();
      const [y, loss] = torch.autocast('cuda', { dtype: torch.float16 }, () => { const y = m(x); return [y, y.float().pow(2).mean()]; });
      s.scale(loss).backward();
      s.step(opt);
      s.update();
      assert.equal(String(y.dtype), w.dtype);
      C.assertValues([loss.item()], [w.loss], { rtol: 1e-3, atol: 1e-5, label: `loss ${i}` });
      assert.equal(s.get_scale(), w.scale);
      C.assertValues(flat(m.weight), w.w, { rtol: 1e-3, atol: 1e-4, label: `weight ${i}` });
    });
  });

  it('torch.save of a CUDA tensor loads back on cuda, and on cpu with map_location', () => {
    const t = torch.arange(6, { dtype: torch.float32 }).cuda();
    const chunks = [];
    torch.save(t, { write: (d) => chunks.push(Buffer.from(d)) });
    const bytes = Buffer.concat(chunks);
    assert.equal(torch.load(bytes).device.type, 'cuda');
    assert.equal(torch.load(bytes, { map_location: 'cpu' }).device.type, 'cpu');
    assert.deepEqual(flat(torch.load(bytes, { map_location: (s) => s })), [0, 1, 2, 3, 4, 5]);
  });
});
