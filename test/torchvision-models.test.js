'use strict';
// torchvision.models (lib/torchvision/models): against torchvision 0.14's own values, recorded by
// scripts/gen-torchvision-fixtures.py: after torch.manual_seed(s) every parameter and buffer
// bit-identical, state_dict() keys in torchvision's order, outputs in eval and train mode (against
// torchvision run at test time when it is installed, else the fixture, with CPU-to-CPU tolerances),
// the weights enums' metadata, the legacy `pretrained` warnings; and the API's own errors.
const assert = require('node:assert/strict');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const torch = require('torch-node');
const nn = require('torch-node/nn');
const models = require('torch-node/torchvision/models');
const torchvision = require('torch-node/torchvision');
const H = require('./torchvision-helpers');
const C = require('./support/close');

const FX = H.fixture();
const { referencePython, torchVersion } = require('./support/fixtures');
// The fixture is this LibTorch's torchvision's (test/fixtures/torch-2.13/ for 2.13) unless this version
// has none; torchvision run live is another torch's computation unless it is the reference Python.
const SAME_TORCH = FX.torch.startsWith(torchVersion) && H.SCRIPT_PYTHON === referencePython;

/**
 * torchvision's printed form as this torch's Python prints it: the structure is torchvision's; with
 * another torch than the fixture's, each leaf layer's line (a constructor call, "Conv2d(3, 64, ...)")
 * is what this torch's Python prints for that layer (2.13's BatchNorm adds bias=...).
 */
const LEAF = /^(\s*\([\w.-]+\): )(\w+\(.*\))$/;
let leafReprs = null; // every model's leaf lines, printed by this torch's Python in one run
function reprForThisTorch(repr) {
  if (FX.torch.startsWith(torchVersion)) return repr;
  if (!leafReprs) {
    const all = Object.values(FX.models).flatMap((r) => r.repr.split('\n').map((l) => LEAF.exec(l)?.[2]).filter(Boolean));
    const leaves = [...new Set(all)];
    const prog = 'import sys, json\nfrom torch.nn import *\nprint(json.dumps([repr(eval(s)) for s in json.load(sys.stdin)]))';
    const printed = JSON.parse(execFileSync(referencePython, ['-c', prog], { input: JSON.stringify(leaves), encoding: 'utf8', stdio: ['pipe', 'pipe', 'ignore'] }));
    leafReprs = new Map(leaves.map((l, i) => [l, printed[i]]));
  }
  return repr.split('\n').map((l) => { const m = LEAF.exec(l); return m ? m[1] + leafReprs.get(m[2]) : l; }).join('\n');
}

function build(rec) {
  const b = rec.build;
  if (b.builder) return models[b.builder](b.options);
  return new models.ResNet(models[b.block], b.layers, b.options);
}

/**
 * How close the outputs must be (test/support/close.js), for a reference computed live on this CPU
 * or for the committed fixture from another CPU.
 *  - live: same LibTorch, same CPU, same thread count (OMP_NUM_THREADS reaches the child): the same
 *    kernels in the same order, so the same bits are expected; assert_close's float32 default
 *    (1.3e-6, a few ulps) relative to each value and to the output's largest magnitude only absorbs
 *    noise that cannot come from a different computation.
 *  - fixture: the error grows with depth (every conv/linear layer rounds a sum of up to
 *    512*3*3 products in a CPU-chosen order; batch norm rescales each layer, so the per-layer
 *    error stays a few eps of the layer's scale): accumulated(depth = number of conv and linear
 *    layers), relative to the output's largest value (eval) or rms (train summaries). Measured
 *    across OpenBLAS Haswell/Sandybridge, ATen default/AVX2/AVX-512 and 1/2 threads: eval at most
 *    5.9e-6 * max|out| (ResNet-50; bound 1.0e-4), i.e. 17x headroom; a wrong layer or argument
 *    moves outputs by O(10%).
 *    Train mode normalises by the statistics of one image: in the last stage that is 2x2 values
 *    per channel, and (x - mean) / std over 4 values amplifies the input's rounding; measured up
 *    to 1.4e-3 * rms (ResNet-50), so train-mode results (and the running statistics it moves,
 *    and the eval pass that uses them) get factor 2048 (1.3e-2 * rms for ResNet-50, 9x headroom;
 *    still far below what a wrong momentum, eps or unbiased variance changes: >= 10%).
 */
function outputTolerances(model, rec, live) {
  const out = rec.output_eval.values;
  if (live) {
    const t = { rtol: C.ASSERT_CLOSE.float32.rtol, atol: C.ASSERT_CLOSE.float32.rtol * C.maxAbs(out) };
    return { eval: t, train: { rtol: t.rtol, atol: C.ASSERT_CLOSE.float32.rtol * Math.sqrt(rec.output_train.sumsq / out.length) } };
  }
  let depth = 0;
  for (const m of model.modules()) if (m instanceof nn.Conv2d || m instanceof nn.Linear) depth++;
  const rmsTrain = Math.sqrt(rec.output_train.sumsq / rec.output_train.shape.reduce((a, b) => a * b, 1));
  return {
    eval: C.accumulated('float32', { depth, scale: C.maxAbs(out) }),
    train: C.accumulated('float32', { depth, scale: rmsTrain, factor: 2048 }),
  };
}

describe('torchvision.models: ResNet built as torchvision builds it', function () {
  this.timeout(60000);

  for (const [name, rec] of Object.entries(FX.models)) {
    describe(name, () => {
      let model, input;
      before(() => {
        torch.manual_seed(rec.seed);
        model = build(rec);
        // Drawn from the generator right after the model, as in the generator script.
        input = torch.randn(rec.input_shape);
      });

      it('state_dict(): torchvision\'s keys, in order, each entry bit-identical', () => {
        const sd = model.state_dict();
        assert.deepEqual(Object.keys(sd), rec.state_dict.map((r) => r.key));
        for (const r of rec.state_dict) H.assertTensorRecord(sd[r.key], r);
      });

      it('parameters, buffers and modules named as in torchvision; num_params; printed form', () => {
        assert.deepEqual([...model.named_parameters()].map(([n]) => n), rec.parameters);
        assert.deepEqual([...model.named_buffers()].map(([n]) => n), rec.buffers);
        assert.deepEqual([...model.named_modules()].map(([n]) => n), rec.modules);
        let n = 0;
        for (const p of model.parameters()) n += p.numel();
        assert.equal(n, rec.num_params);
        assert.equal(String(model), reprForThisTorch(rec.repr));
      });

      it('outputs: eval, then train (running statistics updated), then eval again', async function () {
        // The reference: torchvision run now on this CPU and thread count when Debian's Python is
        // here (H.liveOutputs), else the committed fixture. Why: these are deep stacks of
        // convolutions whose last bits depend on the CPU (OpenBLAS core kernels, oneDNN's ISA,
        // ATen's vector width, the thread split); a fixture holds its own CPU's rounding (ResNet-50
        // missed a 1e-5 check by 1.3e-5 on an AMD EPYC where Python agrees with torch-node).
        const ref = (await H.liveOutputs())?.[name] ?? rec;
        const live = ref !== rec;
        // same-bits tolerances only when the live torchvision runs on this very torch
        const tols = outputTolerances(model, rec, live && SAME_TORCH);
        torch.no_grad(() => {
          model.eval();
          H.assertClose(model(input), ref.output_eval, `eval output (${live ? 'live' : 'fixture'})`, tols.eval);
          model.train();
          H.assertSummary(model(input), ref.output_train, `train output (${live ? 'live' : 'fixture'})`, tols.train);
          const buffers = Object.fromEntries(model.named_buffers());
          for (const b of ref.buffers_after_train) {
            const v = H.values(buffers[b.key]);
            if (buffers[b.key].dtype === torch.int64) assert.equal(v.reduce((a, x) => a + x, 0), b.sum, b.key);  // num_batches_tracked
            else C.assertSummary(v, b, { ...tols.train, atol: tols.train.rtol * Math.sqrt(b.sumsq / b.numel), label: `${b.key} after a train pass`, who: 'torchvision' });
          }
          model.eval();
          H.assertSummary(model(input), ref.output_eval_after_train, 'eval output after the train pass', tols.train);
        });
      });
    });
  }

  it('resnet34, resnet101, resnet152: torchvision\'s state_dict layout and parameter count', function () {
    this.timeout(120000);
    for (const [name, rec] of Object.entries(FX.layouts)) {
      const m = models[name]();
      const sd = m.state_dict();
      const keys = Object.keys(sd);
      assert.equal(keys.length, rec.num_entries, name);
      assert.deepEqual(keys.slice(0, 5), rec.first_keys, name);
      assert.deepEqual(keys.slice(-5), rec.last_keys, name);
      const text = keys.map((k) => `${k} [${sd[k].shape.join(', ')}]\n`).join('');
      assert.equal(require('node:crypto').createHash('sha256').update(text).digest('hex'), rec.layout_sha256, `${name}: keys or shapes`);
      let n = 0;
      for (const p of m.parameters()) n += p.numel();
      assert.equal(n, rec.num_params, name);
      for (const t of Object.values(sd)) t.dispose();
      for (const t of [...m.parameters(), ...m.buffers()]) t.dispose(); // m is dropped: free its memory now
    }
  });

  it('the forward pass keeps autograd working: backward reaches conv1', () => {
    torch.manual_seed(0);
    const m = new models.ResNet(models.BasicBlock, [1, 1, 1, 1], { num_classes: 3 });
    const out = m(torch.randn(2, 3, 32, 32));
    out.sum().backward();
    assert.ok(m.conv1.weight.grad !== null);
    assert.ok(m.fc.weight.grad !== null);
  });
});

describe('torchvision.models: weights enums', () => {
  const W = FX.weights;

  it('each entry\'s url, num_params, min_size, recipe, metrics and categories are torchvision\'s', () => {
    for (const [cls, entries] of Object.entries(W)) {
      const E = models[cls];
      const names = E.members().map((m) => m.name);
      assert.deepEqual(names, Object.keys(entries).filter((k) => k !== 'DEFAULT'), cls);
      assert.equal(E.DEFAULT, E[entries.DEFAULT], `${cls}.DEFAULT`);
      assert.equal(E.DEFAULT.name, entries.DEFAULT);
      for (const m of E.members()) {
        const want = entries[m.name];
        assert.equal(m.url, want.url);
        assert.equal(m.meta.num_params, want.num_params);
        assert.deepEqual([...m.meta.min_size], want.min_size);
        assert.equal(m.meta.recipe, want.recipe);
        assert.deepEqual(m.meta._metrics, want._metrics);
        assert.equal(m.meta.categories.length, want.num_categories);
        assert.equal(String(m.transforms()), want.transforms, `${m}.transforms()`);
        assert.equal(String(m), `${cls}.${m.name}`);
      }
    }
  });

  it('the 1,000 ImageNet categories are torchvision\'s, in order', () => {
    const cats = models.ResNet18_Weights.IMAGENET1K_V1.meta.categories;
    assert.equal(cats.length, 1000);
    assert.equal(cats[0], 'tench');
    assert.equal(require('node:crypto').createHash('sha256').update(cats.join('\n')).digest('hex'), FX.categories_sha256);
    assert.equal(models.ResNet50_Weights.IMAGENET1K_V2.meta.categories, cats);
  });

  it('transforms(): the ImageClassification preset gives torchvision\'s output for an image tensor', () => {
    for (const p of FX.presets) {
      const w = models.get_weight(p.weights);
      torch.manual_seed(p.seed);
      const img = torch.randint(0, 256, p.image_shape, { dtype: torch.uint8 });
      // Antialiased bilinear resize (a weighted sum of a few taps per pass, vectorised by
      // ATEN_CPU_CAPABILITY), then normalize: 16 terms is more taps than either pass has.
      H.assertSummary(w.transforms()(img), p.output, `${p.weights}.transforms()`, C.accumulated('float32', { terms: 16 }));
    }
  });

  it('from_str, verify, get_weight, and their errors (torchvision\'s messages)', () => {
    const E = models.ResNet50_Weights;
    assert.equal(E.from_str('IMAGENET1K_V1'), E.IMAGENET1K_V1);
    assert.equal(E.from_str('DEFAULT'), E.IMAGENET1K_V2);
    assert.throws(() => E.from_str('V3'), { message: "Unknown value 'V3' for ResNet50_Weights." });
    assert.equal(E.verify(null), null);
    assert.equal(E.verify('ResNet50_Weights.IMAGENET1K_V1'), E.IMAGENET1K_V1);
    assert.equal(E.verify('DEFAULT'), E.IMAGENET1K_V2);
    assert.throws(() => E.verify(models.ResNet18_Weights.DEFAULT),
      { name: 'TypeError', message: 'Invalid Weight class provided; expected ResNet50_Weights but received ResNet18_Weights.' });
    assert.equal(models.get_weight('ResNet101_Weights.IMAGENET1K_V2'), models.ResNet101_Weights.IMAGENET1K_V2);
    assert.throws(() => models.get_weight('ResNet101_Weights'), { message: "Invalid weight name provided: 'ResNet101_Weights'." });
    assert.throws(() => models.get_weight('Foo_Weights.X'), { message: "The weight enum 'Foo_Weights' for the specific method couldn't be retrieved." });
    assert.equal(require('node:util').inspect(E.DEFAULT), 'ResNet50_Weights.IMAGENET1K_V2');
    assert.equal(JSON.stringify({ w: E.DEFAULT }), '{"w":"ResNet50_Weights.IMAGENET1K_V2"}');
  });

  it('cache_path() is the torch.hub checkpoint path of the URL\'s file name', () => {
    const w = models.ResNet18_Weights.IMAGENET1K_V1;
    assert.equal(w.cache_path(), path.join(torch.hub.get_dir(), 'checkpoints', 'resnet18-f37072fd.pth'));
    assert.equal(w.cache_path({ model_dir: '/x/y' }), path.join('/x/y', 'resnet18-f37072fd.pth'));
  });
});

describe('torchvision.models: registry and builders', () => {
  it('list_models, get_model_builder, get_model_weights, get_model', () => {
    // The rest of the zoo's names are checked against torchvision's list in test/zoo.test.js.
    const names = models.list_models();
    assert.deepEqual(names, [...names].sort());
    for (const n of ['resnet101', 'resnet152', 'resnet18', 'resnet34', 'resnet50']) assert.ok(names.includes(n), n);
    assert.equal(models.get_model_builder('ResNet18'), models.resnet18);
    assert.throws(() => models.get_model_builder('no_such_model'), { message: 'Unknown model no_such_model' });
    assert.equal(models.get_model_weights('resnet50'), models.ResNet50_Weights);
    assert.equal(models.get_model_weights(models.resnet152), models.ResNet152_Weights);
    torch.manual_seed(3);
    const a = models.get_model('resnet18', { num_classes: 4 });
    torch.manual_seed(3);
    const b = models.resnet18({ num_classes: 4 });
    assert.ok(a instanceof models.ResNet);
    assert.deepEqual(a.fc.weight.shape, [4, 512]);
    assert.ok(torch.equal(a.fc.weight, b.fc.weight));
  });

  it('the package entry torch-node/torchvision exports models, transforms and io', () => {
    assert.equal(torchvision.models.resnet18, models.resnet18);
    assert.equal(typeof torchvision.transforms.Compose, 'function');
    assert.equal(typeof torchvision.io.read_image, 'function');
  });

  it('builder errors: unknown options, num_classes against the weights, bad ResNet and block arguments', () => {
    assert.throws(() => models.resnet18({ num_class: 3 }), { name: 'TypeError', message: "resnet18() got an unexpected keyword argument 'num_class'" });
    assert.throws(() => models.resnet18({ weights: models.ResNet18_Weights.DEFAULT, num_classes: 10 }),
      { message: "The parameter 'num_classes' expected value 1000 but got 10 instead." });
    assert.throws(() => models.resnet18({ weights: models.ResNet34_Weights.DEFAULT }),
      { message: 'Invalid Weight class provided; expected ResNet18_Weights but received ResNet34_Weights.' });
    assert.throws(() => new models.ResNet(models.BasicBlock, [1, 1, 1, 1], { replace_stride_with_dilation: [true] }),
      { message: 'replace_stride_with_dilation should be None or a 3-element tuple, got [True]' });
    assert.throws(() => models.resnet18({ groups: 2 }), { message: 'BasicBlock only supports groups=1 and base_width=64' });
    assert.throws(() => models.resnet34({ replace_stride_with_dilation: [false, false, true] }), { message: 'Dilation > 1 not supported in BasicBlock' });
  });

  it('norm_layer: a Module class or a function; the init loop leaves other norm layers alone', () => {
    class MyNorm extends nn.BatchNorm2d {}
    torch.manual_seed(0);
    const a = new models.ResNet(models.BasicBlock, [1, 1, 1, 1], { norm_layer: MyNorm, num_classes: 2 });
    assert.ok(a.bn1 instanceof MyNorm);
    const calls = [];
    const b = new models.ResNet(models.Bottleneck, [1, 1, 1, 1], { norm_layer: (n) => { calls.push(n); return new nn.BatchNorm2d(n, { eps: 1e-3 }); }, num_classes: 2 });
    assert.equal(b.bn1.eps, 1e-3);
    assert.deepEqual(calls.slice(0, 5), [64, 256, 64, 64, 256]);
    const c = new models.ResNet(models.BasicBlock, [1, 1, 1, 1], { norm_layer: () => new nn.Identity(), num_classes: 2 });
    assert.ok(c.bn1 instanceof nn.Identity);
    const out = c(torch.randn(1, 3, 32, 32));
    assert.deepEqual(out.shape, [1, 2]);
  });

  it('blocks: positional arguments as torchvision, or an options object', () => {
    torch.manual_seed(0);
    const ds = new nn.Sequential(models.conv1x1(64, 256, 2), new nn.BatchNorm2d(256));
    const b = new models.Bottleneck(64, 64, 2, ds, 1, 64, 1, nn.BatchNorm2d);
    assert.equal(b.downsample, ds);
    assert.deepEqual(b.conv2.stride, [2, 2]);
    const c = new models.Bottleneck(256, 64, { groups: 4, base_width: 32, dilation: 2 });
    assert.deepEqual(c.conv2.weight.shape, [128, 32, 3, 3]);
    assert.deepEqual(c.conv2.dilation, [2, 2]);
    assert.equal(models.BasicBlock.expansion, 1);
    assert.equal(models.Bottleneck.expansion, 4);
    assert.deepEqual(b(torch.randn(1, 64, 8, 8)).shape, [1, 256, 4, 4]);
  });
});

describe('torchvision.models: the legacy interface warns as torchvision does', function () {
  this.timeout(60000);
  it('pretrained and positional (weights, progress): torchvision\'s warnings, each once per call site', async () => {
    // In a child process, every call from one line (so each warning shows once), recorded by
    // torch.warnings; the pretrained calls need an empty TORCH_HOME and a network that fails at
    // once (as when the generator recorded them).
    const home = H.tmpdir('legacy');
    try {
      const script = `
        const torch = require('torch-node');
        const models = require('torch-node/torchvision/models');
        const calls = ${JSON.stringify(FX.legacy_warnings.map((c) => [c.builder, c.args, c.kwargs]))};
        const out = [];
        torch.warnings.catch_warnings((seen) => {
          for (const [builder, args, kwargs] of calls) {
            const n = seen.length;
            let failed = false, error = null;
            try { models[builder](...args, ...(Object.keys(kwargs).length ? [kwargs] : [])); }
            catch (e) { failed = true; error = e.name; }
            out.push({ failed, error, warnings: seen.slice(n).map((w) => w.category.name + ': ' + w.message) });
          }
        }, { record: true });
        console.log(JSON.stringify(out));`;
      const r = await H.run(process.execPath, ['-e', script], { cwd: H.ROOT, env: await H.offlineEnv({ TORCH_HOME: home }) });
      assert.equal(r.code, 0, r.stderr);
      const got = JSON.parse(r.stdout.trim().split('\n').pop());
      const shown = new Set();
      FX.legacy_warnings.forEach((c, i) => {
        const want = c.warnings.filter((w) => !shown.has(w));
        want.forEach((w) => shown.add(w));
        assert.deepEqual(got[i].warnings, want, `${c.builder}(${JSON.stringify(c.args)}, ${JSON.stringify(c.kwargs)})`);
        assert.equal(got[i].failed, c.download_failed, `${c.builder}: download failed`);
        if (got[i].failed) assert.equal(got[i].error, 'DownloadError');
      });
    } finally {
      require('node:fs').rmSync(home, { recursive: true, force: true });
    }
  });
});
