'use strict';
// torch.jit: TorchScript modules written by Python (scripted and traced, at
// test time by scripts/reference/jit_models.py with the same LibTorch) load
// here and give Python's outputs; methods, arguments of every kind, async
// calls off the JS thread, cancellation, fine-tuning.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const torch = require('torch-node');

// jit_models.py builds torchvision's models too (through scripts/fixture_json.py's import_torchvision).
const PYTHON = require('./support/fixtures').torchvisionScriptPython();
// Python's outputs are bit-exact when that Python's torch is the addon's LibTorch; with another
// version's (a reference Python without a torchvision) kernels differ in the last float32 bits.
const PY_TOL = PYTHON === require('./support/fixtures').referencePython ? 0 : 1e-5;
const GENERATOR = path.join(__dirname, '..', 'scripts', 'reference', 'jit_models.py');

function maxDiff(a, b) { return torch.no_grad(() => a.sub(b).abs().max().item()); }

describe('torch.jit', function () {
  this.timeout(120000);
  let dir, exp;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-jit-'));
    execFileSync(PYTHON, [GENERATOR, dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    exp = torch.load(path.join(dir, 'expected.pt'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name) => path.join(dir, name);

  it('a scripted module with dicts, lists, tuples and optional arguments gives Python\'s outputs', () => {
    const m = torch.jit.load(file('structured.pt'));
    const r = m(exp.structured_x);
    assert.ok(r.y instanceof torch.Tensor);
    assert.ok(maxDiff(r.y, exp.structured_y) <= PY_TOL);
    assert.equal(r.n.item(), 0);
    assert.ok(maxDiff(m(exp.structured_x, { extra: exp.structured_extra, scale: 0.5 }).y, exp.structured_y_kw) <= PY_TOL);
    assert.ok(maxDiff(m.forward(exp.structured_x, exp.structured_extra, 0.5).y, exp.structured_y_kw) <= PY_TOL);
    assert.equal(m(exp.structured_x, { names: ['a', 'b', 'c'] }).n.item(), 3);
  });

  it('every method is callable by name, with its own schema', () => {
    const m = torch.jit.load(file('structured.pt'));
    const e = m.encode([exp.structured_x, exp.structured_x], { a: 3, b: -1 });
    assert.equal(e.length, 2);
    assert.ok(maxDiff(e[0], exp.structured_encode[0]) <= PY_TOL);
    assert.ok(maxDiff(e[1], exp.structured_encode[1]) <= PY_TOL);
    assert.equal(m.count([1, 2, 3]), 6);
    // Dict[int, Tensor]: a Map both ways (a plain object's keys are strings).
    const byIndex = m.by_index(new Map([[1, torch.ones(2)], [5, torch.full([2], 3)]]));
    assert.ok(byIndex instanceof Map);
    assert.deepEqual([...byIndex.keys()], [2, 6]);
    assert.deepEqual(byIndex.get(6).tolist(), [6, 6]);
  });

  it('binds arguments as Python: unknown keys, missing and mistyped arguments are TypeErrors naming them', () => {
    const m = torch.jit.load(file('structured.pt'));
    assert.throws(() => m(exp.structured_x, { bogus: 1 }), { name: 'TypeError', message: "forward() got an unexpected keyword argument 'bogus'" });
    assert.throws(() => m(), { name: 'TypeError', message: "forward() missing required argument: 'x'" });
    assert.throws(() => m('x'), { name: 'TypeError', message: /forward\(\): argument 'x' must be a Tensor, not string/ });
    assert.throws(() => m.count([1, 'two']), { name: 'TypeError', message: /count\(\): argument 'xs'\[1\] must be an integer/ });
    assert.throws(() => m.encode([exp.structured_x], { a: 1, b: 2 }), { name: 'TypeError', message: /tuple/ });
    assert.throws(() => m(exp.structured_x, exp.structured_extra, 1, ['a'], 5), { name: 'TypeError', message: /takes 4 positional arguments but 5 were given/ });
  });

  it('parameters, buffers and submodules under Python\'s names; printing as Python\'s', () => {
    const m = torch.jit.load(file('structured.pt'));
    assert.deepEqual([...m.named_parameters()].map(([n]) => n), ['proj.weight', 'proj.bias']);
    assert.ok([...m.parameters()].every((p) => p instanceof torch.nn.Parameter && p.requires_grad));
    assert.deepEqual([...m.named_buffers()].map(([n]) => n), ['offset']);
    assert.deepEqual(Object.keys(m.state_dict()), ['offset', 'proj.weight', 'proj.bias']);
    assert.equal(String(m), 'RecursiveScriptModule(\n  original_name=Structured\n  (proj): RecursiveScriptModule(original_name=Linear)\n)');
    assert.match(m.code, /^def forward\(self,\n {4}x: Tensor,/);
    assert.match(m.graph, /^graph\(%self/);
  });

  it('torchvision ResNet-18, scripted and traced by Python, gives Python\'s outputs', () => {
    for (const [name, key] of [['resnet18_scripted.pt', 'resnet_scripted'], ['resnet18_traced.pt', 'resnet_traced']]) {
      const net = torch.jit.load(file(name));
      net.eval();
      const out = torch.no_grad(() => net(exp.resnet_input));
      assert.deepEqual(out.shape, [2, 10]);
      assert.ok(maxDiff(out, exp[key]) <= 1e-5, `${name}: ${maxDiff(out, exp[key])}`); // same LibTorch, same machine
    }
  });

  it('loads from bytes, saves to bytes and to a file, round trip', () => {
    const m = torch.jit.load(fs.readFileSync(file('structured.pt')));
    const bytes = m.save();
    const again = torch.jit.load(bytes);
    assert.ok(maxDiff(again(exp.structured_x).y, exp.structured_y) <= PY_TOL);
    torch.jit.save(again, file('again.pt'));
    assert.ok(maxDiff(torch.jit.load(file('again.pt'))(exp.structured_x).y, exp.structured_y) <= PY_TOL);
    assert.throws(() => torch.load(file('structured.pt')), /TorchScript archive .* torch\.jit\.load/);
    assert.throws(() => torch.jit.load(file('missing.pt')), Error);
    assert.throws(() => torch.jit.load(Buffer.from('not a zip')), Error);
    assert.throws(() => torch.jit.load(file('structured.pt'), { map_locaton: 'cpu' }), /unexpected keyword argument 'map_locaton'/);
  });

  it('train() and eval() reach the TorchScript module (batch norm changes behaviour)', () => {
    const net = torch.jit.load(file('resnet18_scripted.pt'));
    net.eval();
    assert.equal(net.training, false);
    assert.equal(net.bn1.training, false);
    const evalOut = torch.no_grad(() => net(exp.resnet_input));
    net.train();
    assert.equal(net.layer1.training, true);
    const trainOut = torch.no_grad(() => net(exp.resnet_input));
    assert.ok(maxDiff(evalOut, trainOut) > 1e-3);
  });

  it('freeze and optimize_for_inference keep the outputs', () => {
    const net = torch.jit.load(file('resnet18_scripted.pt')).eval();
    const frozen = torch.jit.freeze(net);
    assert.ok(maxDiff(torch.no_grad(() => frozen(exp.resnet_input)), exp.resnet_scripted) <= 1e-5);
    assert.throws(() => torch.jit.freeze(torch.jit.load(file('structured.pt')).train()), /eval mode/);
  });

  it('fine-tuning a loaded module matches Python doing the same', () => {
    const net = torch.jit.load(file('resnet18_scripted.pt'));
    net.train();
    for (const p of net.parameters()) p.requires_grad = false;
    net.fc.weight.requires_grad = true;
    net.fc.bias.requires_grad = true;
    const opt = new torch.optim.SGD([net.fc.weight, net.fc.bias], { lr: 0.1, momentum: 0.9 });
    const losses = [];
    for (let i = 0; i < 3; i++) {
      opt.zero_grad();
      const loss = torch.nn.functional.cross_entropy(net(exp.resnet_input), exp.finetune_labels);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    const want = exp.finetune_losses.tolist();
    losses.forEach((l, i) => assert.ok(Math.abs(l - want[i]) <= 1e-5 * Math.max(1, Math.abs(want[i])), `step ${i}: ${l} vs ${want[i]}`));
    assert.ok(maxDiff(net.fc.weight, exp.finetune_fc_weight) <= 1e-5);
  });

  it('forward_async runs off the JS thread and gives the same result; many calls are matched to their requests', async () => {
    const net = torch.jit.load(file('resnet18_scripted.pt')).eval();
    const sync = torch.no_grad(() => net(exp.resnet_input));
    let ticks = 0;
    const timer = setInterval(() => { ticks++; }, 1);
    const out = await torch.no_grad(() => net.forward_async(exp.resnet_input));
    clearInterval(timer);
    assert.equal(maxDiff(out, sync), 0);
    assert.ok(ticks > 0, 'the event loop ran while the forward was computed');
    const m = torch.jit.load(file('structured.pt'));
    const inputs = Array.from({ length: 12 }, (_, i) => torch.full([2, 4], i));
    const results = await Promise.all(inputs.map((x) => m.forward_async(x)));
    results.forEach((r, i) => assert.equal(maxDiff(r.y, m(inputs[i]).y), 0));
    assert.equal(await m.call_async('count', [4, 5]), 9);
    await assert.rejects(m.forward_async('x'), { name: 'TypeError' });
    await assert.rejects(m.call_async('nope'), /no method 'nope'/);
  });

  it('async calls run under the caller\'s grad mode', async () => {
    const m = torch.jit.load(file('structured.pt'));
    assert.equal(m.grad_enabled(), true);
    assert.equal(torch.no_grad(() => m.grad_enabled()), false);
    assert.equal(await m.call_async('grad_enabled'), true);
    assert.equal(await torch.no_grad(() => m.call_async('grad_enabled')), false);
  });

  it('an AbortSignal cancels a call that has not started; inputs stay alive until completion', async () => {
    assert.equal(torch.jit.set_async_threads(torch.jit.get_async_threads()), torch.jit.get_async_threads()); // fixed once started
    assert.throws(() => torch.jit.set_async_threads(torch.jit.get_async_threads() + 1), /already started/);
    const net = torch.jit.load(file('resnet18_scripted.pt')).eval();
    const big = torch.randn(8, 3, 64, 64);
    const first = torch.no_grad(() => net.forward_async(big)); // occupies the pool's thread(s)
    const others = Array.from({ length: 2 * torch.jit.get_async_threads() }, () => torch.no_grad(() => net.forward_async(big)));
    const controller = new AbortController();
    const cancelled = torch.no_grad(() => net.forward_async(exp.resnet_input, { signal: controller.signal }));
    controller.abort();
    big.dispose(); // the queued calls hold their own references
    await assert.rejects(cancelled, { name: 'AbortError' });
    for (const r of [await first, ...(await Promise.all(others))]) assert.deepEqual(r.shape, [8, 10]);
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(net.forward_async(exp.resnet_input, { signal: pre.signal }), { name: 'AbortError' });
  });

  it('a disposed input is a clear error, sync and async', async () => {
    const m = torch.jit.load(file('structured.pt'));
    const x = torch.randn(2, 4);
    x.dispose();
    assert.throws(() => m(x), /disposed/);
    await assert.rejects(m.forward_async(x), /disposed/);
  });

  it('examples/serve.ts classifies an uploaded image with the loaded model, batched, off the JS thread', async () => {
    const ROOT = path.join(__dirname, '..');
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'examples', 'tsconfig.json')]);
    const { spawn } = require('node:child_process');
    const port = 18000 + (process.pid % 1000);
    const child = spawn(process.execPath, [path.join(ROOT, 'build', 'examples', 'serve.js'), file('resnet18_scripted.pt'), '--port', String(port)],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise((resolve, reject) => { child.stdout.once('data', resolve); child.once('exit', reject); });
      const image = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'images', 'rgb444.jpg'));
      const replies = await Promise.all([1, 2, 3].map(() => fetch(`http://127.0.0.1:${port}/classify`, { method: 'POST', body: image }).then((r) => r.json())));
      // The same model and preprocessing here, in process.
      const { ResNet18_Weights } = require('torch-node/torchvision/models');
      const { decode_image, ImageReadMode } = require('torch-node/torchvision/io');
      const net = torch.jit.load(file('resnet18_scripted.pt')).eval();
      const logits = torch.no_grad(() => net(ResNet18_Weights.IMAGENET1K_V1.transforms()(decode_image(image, ImageReadMode.RGB)).unsqueeze(0)));
      const { values, indices } = logits.softmax(1).topk(5, 1);
      const categories = ResNet18_Weights.IMAGENET1K_V1.meta.categories;
      for (const reply of replies) {
        assert.deepEqual(reply.top5.map((c) => c.category), indices.tolist()[0].map((i) => categories[i]));
        reply.top5.forEach((c, k) => assert.ok(Math.abs(c.probability - values.tolist()[0][k]) < 1e-5));
      }
      const bad = await fetch(`http://127.0.0.1:${port}/classify`, { method: 'POST', body: Buffer.from('not an image') });
      assert.equal(bad.status, 400);
    } finally {
      child.kill();
    }
  });

  it('torch.jit.trace of a TypeScript module and function: the same outputs here and in Python\'s torch.jit.load', () => {
    const nn = require('torch-node/nn');
    const models = require('torch-node/torchvision/models');
    torch.manual_seed(0);
    const seq = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
    const x = torch.randn(3, 4);
    const tseq = torch.jit.trace(seq, x);
    assert.equal(maxDiff(tseq(x), seq(x)), 0);
    assert.deepEqual([...tseq.named_parameters()].map(([n]) => n), ['0.weight', '0.bias', '2.weight', '2.bias']);
    // The traced module holds the very same parameters: training the eager module changes the trace too.
    torch.no_grad(() => seq[0].weight.mul_(2));
    assert.equal(maxDiff(tseq(x), seq(x)), 0);
    const fn = torch.jit.trace((a, b) => a.mul(b).sub(b), [x, x]);
    const net = models.resnet18({ num_classes: 10 }).eval();
    const img = torch.randn(1, 3, 64, 64);
    const tnet = torch.jit.trace(net, img);
    for (const [name, m] of [['seq.pt', tseq], ['fn.pt', fn], ['net.pt', tnet]]) torch.jit.save(m, file(name));
    const ours = torch.no_grad(() => ({ x, img, seq: seq(x), fn: x.mul(x).sub(x), net: net(img) }));
    torch.save(ours, file('traced_io.pt'));
    const py = `
import sys, torch
d = torch.load(sys.argv[1] + '/traced_io.pt')
with torch.no_grad():
    out = {'seq': torch.jit.load(sys.argv[1] + '/seq.pt')(d['x']), 'fn': torch.jit.load(sys.argv[1] + '/fn.pt')(d['x'], d['x']),
           'net': torch.jit.load(sys.argv[1] + '/net.pt')(d['img'])}
torch.save(out, sys.argv[1] + '/python_out.pt')`;
    execFileSync(PYTHON, ['-c', py, dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    const theirs = torch.load(file('python_out.pt'));
    for (const k of ['seq', 'fn', 'net']) assert.ok(maxDiff(theirs[k], ours[k]) <= 1e-6, `${k}: ${maxDiff(theirs[k], ours[k])}`);
    // Control flow freezes at the branch taken, and check_trace says so, as Python's does.
    const branchy = (t) => (t.sum().item() > 0 ? t.mul(2) : t.neg());
    const rec = torch.warnings.catch_warnings(() => torch.jit.trace(branchy, torch.ones(2)), { record: true });
    assert.equal(rec.length, 0);
    const frozen = torch.jit.trace(branchy, torch.ones(2));
    assert.deepEqual(frozen(torch.full([2], -1)).tolist(), [-2, -2]); // the traced branch, not the eager one
    assert.throws(() => torch.jit.trace(seq, x, { chek_trace: false }), /unexpected keyword argument 'chek_trace'/);
  });
});
