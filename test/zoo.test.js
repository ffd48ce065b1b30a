'use strict';
// torchvision.models, the CNN classifier zoo beyond ResNet (lib/torchvision/models): against
// torchvision's own values, recorded by scripts/gen-zoo-fixtures.py: after torch.manual_seed(s)
// every state_dict entry has torchvision's name, shape, dtype and values (bit-exact: init is RNG
// draws and elementwise scaling), the eval output on a seeded input is torchvision's (within a
// depth-scaled tolerance: convolutions sum in a CPU-chosen order), repr() prints torchvision's text,
// and every weights entry has torchvision's URL, metadata and transforms preset. Plus a state_dict
// saved by torchvision at test time (mobilenet_v3_small) loading through `weights` and `pretrained`.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const torch = require('torch-node');
const models = require('torch-node/torchvision/models');
const torchvision = require('torch-node/torchvision');
const H = require('./torchvision-helpers');
const C = require('./support/close');

// This LibTorch's values: test/fixtures/torch-<version>/zoo.json where its torchvision computed others.
const FX = require('./support/fixtures').loadFixture('zoo.json');
const GEN = path.join(H.ROOT, 'scripts', 'gen-zoo-fixtures.py');

/** The flat positions whose values the fixture records (scripts/gen-zoo-fixtures.py's flat_positions). */
const flatPositions = (n) => (n ? [...new Set([0, Math.floor(n / 3), n - 1])].sort((a, b) => a - b) : []);
const values = (t) => Array.from(t.detach().contiguous().reshape(-1).typed_array(), Number);

/**
 * Eval-output tolerance against the fixture (another CPU, maybe): accumulated() with depth = the
 * number of conv and linear layers, relative to the output's largest magnitude. Batch norm rescales
 * each layer, so each adds a few eps of its own scale; a wrong layer, argument or init moves the
 * output by O(10%), far above the bound (depth 50-150: 16 * 1.2e-7 * depth ~ 1e-4 .. 3e-4).
 */
function outputTol(depth, out) {
  return C.accumulated('float32', { depth, scale: C.maxAbs(out) });
}

describe('torchvision.models zoo: init, state_dict and outputs as torchvision', function () {
  this.timeout(300000);
  for (const c of FX.cases) {
    it(`${c.builder}(${JSON.stringify(c.kwargs)}) after manual_seed(${c.seed})`, () => {
      torch.manual_seed(c.seed);
      const model = models[c.builder](c.kwargs);
      const sd = model.state_dict();
      const keys = sd instanceof Map ? [...sd.keys()] : Object.keys(sd);
      assert.deepEqual(keys, c.state.map((s) => s[0]), 'state_dict keys (names and order)');
      const get = (k) => (sd instanceof Map ? sd.get(k) : sd[k]);
      for (const rec of c.state) {
        const [name, shape, dtype] = rec;
        const t = get(name);
        assert.deepEqual(t.shape, shape, `${name}: shape`);
        assert.equal(t.dtype.name, dtype, `${name}: dtype`);
        const flat = values(t);
        if (rec.length === 4) { // every element is rec[3]
          assert.ok(flat.every((v) => v === rec[3]), `${name}: every element ${rec[3]}`);
          continue;
        }
        const [, , , sum, vals] = rec;
        const at = flatPositions(flat.length);
        // float32 values are recorded as their shortest decimal form: Math.fround gives the exact float32 back.
        const want = dtype === 'float32' ? vals.map(Math.fround) : vals;
        assert.deepEqual(at.map((i) => flat[i]), want, `${name}: values at ${at} (bit-exact)`);
        // The float64 sum of identical float32 values: only the summation order may differ.
        C.assertNumber(Number(t.detach().double().sum().item()), sum, { rtol: 1e-12, atol: 1e-9, label: `${name}: sum` });
      }
      if (c.renormal.length) { // ViT's zero-initialised head, redrawn as the generator does
        torch.manual_seed(c.seed + 2);
        for (const k of c.renormal) torch.nn.init.normal_(get(k));
      }
      torch.manual_seed(c.seed + 1);
      const x = torch.randn(c.input_shape);
      model.eval();
      const y = torch.no_grad(() => model(x));
      assert.deepEqual(y.shape, c.output_shape, 'output shape');
      C.assertValues(values(y), c.output, { ...outputTol(c.depth, c.output), label: 'eval output', who: 'torchvision' });
    });
  }

  it('RegNet: every builder\'s BlockParams (stage depths, widths, group widths) as torchvision computes them', () => {
    const R = models.regnet;
    assert.deepEqual(Object.keys(R._REGNET_INIT).sort(), Object.keys(FX.regnet_params).sort());
    for (const [name, want] of Object.entries(FX.regnet_params)) {
      const p = R.BlockParams.from_init_params(R._REGNET_INIT[name]);
      const got = { depths: p.depths, widths: p.widths, group_widths: p.group_widths, bottleneck_multipliers: p.bottleneck_multipliers, strides: p.strides, se_ratio: p.se_ratio };
      assert.deepEqual(got, want, name);
    }
  });

  // Every other builder's default (1000-class) model, up to 45M parameters (bigger ones take
  // seconds to initialise each): its parameter count is its weights' num_params, so every stage's
  // widths, depths and groups are torchvision's.
  const inTable = new Set(FX.cases.map((c) => c.builder));
  for (const name of FX.list_models) {
    const W = FX.weights[name];
    if (!W || inTable.has(name)) continue;
    const n = W.entries[0].num_params;
    if (n > 45e6) continue;
    it(`${name}(): ${n} parameters, as ${W.enum}'s num_params`, () => {
      torch.manual_seed(0);
      let count = 0;
      for (const p of models[name]().parameters()) count += p.numel();
      assert.equal(count, n);
    });
  }

  it('repr() of small models is torchvision\'s', () => {
    for (const [name, text] of Object.entries(FX.reprs)) assert.equal(String(models[name]()), text, name);
  });
});

describe('torchvision.ops used by the zoo', () => {
  it('stochastic_depth in training drops rows / the batch as torchvision after the same seed', () => {
    const { stochastic_depth, StochasticDepth } = torchvision.ops;
    for (const r of FX.stochastic_depth) {
      torch.manual_seed(r.seed);
      const x = torch.randn(6, 3);
      // bernoulli_ draws and one multiply (and a division by 1 - p) per element: bit-exact.
      assert.deepEqual(values(stochastic_depth(x, r.p, r.mode, true)), r.output, `p=${r.p}, mode=${r.mode}`);
    }
    const x = torch.randn(2, 3);
    assert.equal(stochastic_depth(x, 0.5, 'row', false), x, 'eval: the input itself');
    assert.throws(() => stochastic_depth(x, 1.5, 'row'), { message: 'drop probability has to be between 0 and 1, but got 1.5' });
    assert.throws(() => stochastic_depth(x, 0.5, 'col'), { message: "mode has to be either 'batch' or 'row', but got col" });
    assert.equal(String(new StochasticDepth(0, 'row')), 'StochasticDepth(p=0.0, mode=row)');
  });

  it('nn.init.trunc_normal_ draws what PyTorch\'s draws after the same seed', function () {
    this.timeout(60000);
    const { trunc_normal_ } = torch.nn.init;
    // The fixture's cases, drawn now by the addon's torch version's Python (no torchvision needed;
    // 2.x's trunc_normal_ is another algorithm than 1.13's): elementwise draws, bit-exact.
    const script = [
      'import json, sys, torch',
      'out = []',
      'for r in json.loads(sys.argv[1]):',
      '    torch.manual_seed(r["seed"])',
      '    out.append(torch.nn.init.trunc_normal_(torch.empty(64), r["mean"], r["std"], r["a"], r["b"]).tolist())',
      'print(json.dumps(out))',
    ].join('\n');
    const cases = FX.trunc_normal.map(({ seed, mean, std, a, b }) => ({ seed, mean, std, a, b }));
    const want = JSON.parse(require('node:child_process').execFileSync(require('./support/fixtures').referencePython,
      ['-c', script, JSON.stringify(cases)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    FX.trunc_normal.forEach((r, i) => {
      torch.manual_seed(r.seed);
      assert.deepEqual(values(trunc_normal_(torch.empty(64), r.mean, r.std, r.a, r.b)), want[i], `std=${r.std}, mean=${r.mean}`);
    });
  });

  it('MLP and Permute: layers as torchvision.ops builds them; arguments by position or by name', () => {
    const { MLP, Permute } = torchvision.ops;
    const m = new MLP(4, [8, 2], torch.nn.LayerNorm, torch.nn.GELU, null, false, 0.1);
    // LayerNorm's line as this torch prints it (2.x adds bias=True)
    const layerNorm = require('node:child_process').execFileSync(require('./support/fixtures').referencePython,
      ['-c', 'import torch; print(torch.nn.LayerNorm(8))'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    assert.equal(String(m), `MLP(\n  (0): Linear(in_features=4, out_features=8, bias=False)\n  (1): ${layerNorm}\n` +
      '  (2): GELU(approximate=\'none\')\n  (3): Dropout(p=0.1, inplace=False)\n  (4): Linear(in_features=8, out_features=2, bias=False)\n  (5): Dropout(p=0.1, inplace=False)\n)');
    assert.equal(String(new MLP(4, [2], { inplace: true })), 'MLP(\n  (0): Linear(in_features=4, out_features=2, bias=True)\n  (1): Dropout(p=0.0, inplace=True)\n)');
    assert.throws(() => new MLP(4, [2], { dropuot: 0.1 }), { name: 'TypeError', message: /unexpected keyword argument 'dropuot'/ });
    assert.deepEqual(new Permute([0, 2, 3, 1])(torch.zeros(1, 2, 3, 4)).shape, [1, 3, 4, 2]);
  });

  it('Conv2dNormActivation: padding, bias and layers as torchvision; ConvNormActivation warns', () => {
    const { Conv2dNormActivation, ConvNormActivation } = torchvision.ops;
    const m = new Conv2dNormActivation(4, 8, { kernel_size: 5, dilation: 2, norm_layer: null });
    assert.equal(String(m), 'Conv2dNormActivation(\n  (0): Conv2d(4, 8, kernel_size=(5, 5), stride=(1, 1), padding=(4, 4), dilation=(2, 2))\n  (1): ReLU(inplace=True)\n)');
    assert.equal(m.out_channels, 8);
    const log = torch.warnings.catch_warnings(() => new ConvNormActivation(2, 2), { record: true, action: 'always' });
    assert.ok(log.some((w) => String(w.message).includes("Don't use ConvNormActivation directly")));
    assert.throws(() => new Conv2dNormActivation(2, 2, { kernel: 3 }), { name: 'TypeError', message: /unexpected keyword argument 'kernel'/ });
  });
});

describe('torchvision.models zoo: builders\' own behaviour', () => {
  it('GoogLeNet and Inception v3 in training return their namedtuples (logits first), in eval the logits', () => {
    torch.manual_seed(0);
    const g = models.googlenet({ num_classes: 5, init_weights: true });
    const out = g(torch.randn(2, 3, 64, 64));
    assert.equal(out.length, 3);
    assert.equal(out[0], out.logits);
    assert.deepEqual([out.logits.shape, out.aux_logits2.shape, out.aux_logits1.shape], [[2, 5], [2, 5], [2, 5]]);
    g.eval();
    assert.deepEqual(g(torch.randn(1, 3, 64, 64)).shape, [1, 5]);
    const i = models.inception_v3({ num_classes: 5, init_weights: true, aux_logits: true });
    const o = i(torch.randn(2, 3, 299, 299)); // the aux head needs the 17x17 map of a 299x299 input
    assert.deepEqual([o.logits.shape, o.aux_logits.shape], [[2, 5], [2, 5]]);
  });

  it('ConvNeXt, ViT and Swin refuse what torchvision refuses, with its messages', () => {
    const { convnext, vision_transformer: vt } = models;
    assert.throws(() => new convnext.ConvNeXt([]), { message: 'The block_setting should not be empty' });
    assert.throws(() => new convnext.ConvNeXt([1, 2]), { name: 'TypeError', message: 'The block_setting should be List[CNBlockConfig]' });
    assert.equal(String(new convnext.CNBlockConfig(96, null, 3)), 'CNBlockConfig(input_channels=96, out_channels=None, num_layers=3)');
    assert.throws(() => new vt.VisionTransformer(30, 16, 1, 2, 8, 16), { message: 'Input shape indivisible by patch size!' });
    torch.manual_seed(0);
    const v = new vt.VisionTransformer({ image_size: 32, patch_size: 16, num_layers: 1, num_heads: 2, hidden_dim: 8, mlp_dim: 16, num_classes: 3 });
    assert.deepEqual(v(torch.randn(2, 3, 32, 32)).shape, [2, 3]);
    assert.throws(() => v(torch.randn(1, 3, 48, 32)), { message: 'Wrong image height! Expected 32 but got 48!' });
    assert.throws(() => models.swin_t({ window_size: [4, 4] }),
      { name: 'TypeError', message: "torchvision.models.swin_transformer._swin_transformer() got multiple values for keyword argument 'window_size'" });
    assert.throws(() => models.swin_v2_t({ block: models.swin_transformer.SwinTransformerBlock }), { name: 'TypeError', message: /multiple values for keyword argument 'block'/ });
    assert.throws(() => models.vit_b_16({ patch_size: 8 }),
      { name: 'TypeError', message: "torchvision.models.vision_transformer._vision_transformer() got multiple values for keyword argument 'patch_size'" });
    // torchvision's ConvNeXt swallows unknown keywords (**kwargs); here, as everywhere in torch-node, they are a TypeError
    assert.throws(() => models.convnext_tiny({ bogus: 1 }), { name: 'TypeError', message: "convnext_tiny() got an unexpected keyword argument 'bogus'" });
  });

  it('regnet_y_128gf({ pretrained: true }) is weights None, with torchvision\'s warning (it had no legacy weights)', () => {
    // Stops before building the 644M-parameter model: an unexpected option is checked first.
    const log = torch.warnings.catch_warnings(() => assert.throws(() => models.regnet_y_128gf({ pretrained: true, bogus: 1 }),
      { name: 'TypeError', message: "regnet_y_128gf() got an unexpected keyword argument 'bogus'" }), { record: true, action: 'always' });
    const msgs = log.map((w) => String(w.message)).join('\n');
    assert.match(msgs, /The current behavior is equivalent to passing `weights=None`\. You can also use `weights=NoneType\.DEFAULT`/);
  });
});

describe('torchvision.models zoo: weights enums as torchvision', () => {
  for (const [builder, rec] of Object.entries(FX.weights)) {
    it(`${rec.enum} (${builder})`, () => {
      const W = models[rec.enum];
      assert.ok(W, `models.${rec.enum} is exported`);
      assert.deepEqual(W.members().map((e) => e.name), rec.entries.map((e) => e.name), 'entries');
      assert.equal(W.DEFAULT.name, rec.default, 'DEFAULT');
      for (const e of rec.entries) {
        const w = W[e.name];
        const what = `${rec.enum}.${e.name}`;
        assert.equal(w.url, e.url, `${what}.url`);
        assert.equal(w.meta.num_params, e.num_params, `${what} num_params`);
        assert.equal(w.meta.categories === null ? null : w.meta.categories.length, e.categories, `${what} categories`);
        assert.deepEqual([...w.meta.min_size], e.min_size, `${what} min_size`);
        assert.equal(w.meta.recipe, e.recipe, `${what} recipe`);
        // NaN (VGG-16 IMAGENET1K_FEATURES' accuracies) is "nan" in the JSON fixture.
        const metrics = JSON.parse(JSON.stringify(w.meta._metrics, (k, v) => (Number.isNaN(v) ? 'nan' : v)));
        assert.deepEqual(metrics, e.metrics, `${what} _metrics`);
        const t = w.transforms();
        assert.deepEqual(t.crop_size, [e.crop_size], `${what} crop_size`);
        assert.deepEqual(t.resize_size, [e.resize_size], `${what} resize_size`);
        assert.equal(t.interpolation, e.interpolation, `${what} interpolation`);
        assert.deepEqual(t.mean, e.mean, `${what} mean`);
        assert.deepEqual(t.std, e.std, `${what} std`);
      }
      assert.equal(models.get_model_weights(builder), W, `get_model_weights('${builder}')`);
      assert.equal(typeof models[builder], 'function', `models.${builder}`);
    });
  }

  it('list_models() is torchvision\'s', () => {
    const later = /^maxvit/; // torchvision 0.15's
    assert.deepEqual(models.list_models(), FX.list_models.filter((n) => !later.test(n)));
  });

  it('an unknown option is a TypeError naming it; num_classes must match the weights', () => {
    assert.throws(() => models.mobilenet_v2({ num_clases: 10 }), { name: 'TypeError', message: "mobilenet_v2() got an unexpected keyword argument 'num_clases'" });
    assert.throws(() => models.alexnet({ weights: models.VGG11_Weights.DEFAULT }),
      { name: 'TypeError', message: /expected AlexNet_Weights but received VGG11_Weights/ });
    assert.throws(() => models.squeezenet1_1({ weights: 'DEFAULT', num_classes: 10 }),
      { message: "The parameter 'num_classes' expected value 1000 but got 10 instead." });
    assert.throws(() => models.resnext50_32x4d({ groups: 16 }), { message: "The parameter 'groups' expected value 32 but got 16 instead." });
  });
});

describe('torchvision.models zoo: checkpoints saved by torchvision, loaded through the builders', function () {
  this.timeout(300000);
  let home, expected, saved;

  before(async () => {
    home = H.tmpdir('zoo-hub');
    const r = await H.run(H.SCRIPT_PYTHON, [GEN, 'checkpoint', home]);
    if (r.code !== 0) throw new Error(`${GEN} checkpoint failed (${r.code}):\n${r.stderr}`);
    expected = JSON.parse(fs.readFileSync(path.join(home, 'expected.json'), 'utf8'));
    saved = { TORCH_HOME: process.env.TORCH_HOME, dir: torch.hub.get_dir() };
    process.env.TORCH_HOME = home;
    torch.hub.set_dir(path.join(home, 'hub'));
  });

  after(() => {
    if (saved.TORCH_HOME === undefined) delete process.env.TORCH_HOME; else process.env.TORCH_HOME = saved.TORCH_HOME;
    torch.hub.set_dir(saved.dir);
    fs.rmSync(home, { recursive: true, force: true });
  });

  function check(model, e, what) {
    const sd = model.state_dict();
    assert.deepEqual(sd instanceof Map ? [...sd.keys()] : Object.keys(sd), e.loaded_keys, `${what}: state_dict keys`);
    torch.manual_seed(e.input_seed);
    const x = torch.randn(e.input_shape);
    model.eval();
    // Computed by torchvision just now on this CPU: the same kernels, so a few ulps of room only.
    const tol = { rtol: C.ASSERT_CLOSE.float32.rtol, atol: C.ASSERT_CLOSE.float32.rtol * C.maxAbs(e.output) };
    C.assertValues(values(torch.no_grad(() => model(x))), e.output, { ...tol, label: what, who: 'torchvision' });
  }

  it('mobilenet_v3_small: torch.load + load_state_dict, weights: DEFAULT, and the legacy pretrained: true (with its warnings)', () => {
    const e = expected.mobilenet_v3_small;
    const model = models.mobilenet_v3_small();
    model.load_state_dict(torch.load(e.checkpoint));
    check(model, e, 'load_state_dict');
    check(models.mobilenet_v3_small({ weights: models.MobileNet_V3_Small_Weights.DEFAULT, progress: false }), e, 'weights');
    const log = torch.warnings.catch_warnings(() => check(models.mobilenet_v3_small({ pretrained: true }), e, 'pretrained'), { record: true, action: 'always' });
    const msgs = log.map((w) => String(w.message));
    assert.ok(msgs.some((m) => m.includes("The parameter 'pretrained' is deprecated since 0.13")), msgs.join('\n'));
    assert.ok(msgs.some((m) => m.includes('`weights=MobileNet_V3_Small_Weights.IMAGENET1K_V1`')), msgs.join('\n'));
  });

  it('densenet121: a checkpoint with the old layer names (norm.1) loads, renamed as torchvision does', () => {
    const e = expected.densenet121;
    assert.ok(e.keys.some((k) => /denselayer1\.norm\.1\.weight$/.test(k)), 'the checkpoint has the old names');
    check(models.densenet121({ weights: 'DEFAULT' }), e, 'densenet121 weights');
  });

  it('googlenet: with weights, transform_input on and the untrained auxiliary heads dropped (kept, with a warning, on request)', () => {
    const e = expected.googlenet;
    const g = models.googlenet({ weights: models.GoogLeNet_Weights.DEFAULT });
    assert.equal(g.transform_input, true);
    assert.equal(g.aux_logits, false);
    assert.equal(g.aux1, null);
    check(g, e, 'googlenet weights');
    const log = torch.warnings.catch_warnings(() => models.googlenet({ weights: 'DEFAULT', aux_logits: true }), { record: true, action: 'always' });
    assert.ok(log.some((w) => String(w.message).includes('auxiliary heads in the pretrained googlenet model are NOT pretrained')));
  });

  it('vit_b_32: a checkpoint with the MLP names of before torchvision 0.13 (linear_1, linear_2) loads; image_size from the weights', () => {
    const e = expected.vit_b_32;
    assert.ok(e.keys.some((k) => /mlp\.linear_1\.weight$/.test(k)), 'the checkpoint has the old names');
    const m = models.vit_b_32({ weights: models.ViT_B_32_Weights.DEFAULT });
    assert.equal(m.image_size, 224);
    check(m, e, 'vit_b_32 weights');
    assert.throws(() => models.vit_b_32({ weights: 'DEFAULT', image_size: 64 }), { message: "The parameter 'image_size' expected value 224 but got 64 instead." });
  });
});
