'use strict';
// Pretrained weights (lib/torchvision/models, through lib/hub.ts and torch.load): a checkpoint that
// torchvision writes at test time (scripts/gen-torchvision-fixtures.py checkpoint, run by Debian's
// Python into a temporary TORCH_HOME as hub/checkpoints/resnet18-f37072fd.pth) loads through
// `weights` and through the legacy `pretrained: true`, and gives torchvision's outputs; a missing
// checkpoint that cannot be downloaded, or a corrupted one, gives a clear error. No traffic leaves
// 127.0.0.1.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const torch = require('torch-node');
const models = require('torch-node/torchvision/models');
const H = require('./torchvision-helpers');
const C = require('./support/close');

const FX = H.fixture();

describe('torchvision.models: pretrained weights from the torch.hub cache', function () {
  this.timeout(120000);
  let ck, savedEnv, savedHubDir = null, input;

  before(async () => {
    ck = await H.torchvisionCheckpoint();
    savedEnv = { TORCH_HOME: process.env.TORCH_HOME };
    process.env.TORCH_HOME = ck.home;
    const want = path.join(ck.home, 'hub');
    if (torch.hub.get_dir() !== want) { // someone called torch.hub.set_dir() in this process
      savedHubDir = torch.hub.get_dir();
      torch.hub.set_dir(want);
    }
    torch.manual_seed(ck.expected.input_seed);
    input = torch.randn(ck.expected.input_shape);
  });

  after(() => {
    if (savedEnv.TORCH_HOME === undefined) delete process.env.TORCH_HOME; else process.env.TORCH_HOME = savedEnv.TORCH_HOME;
    if (savedHubDir !== null) torch.hub.set_dir(savedHubDir);
  });

  function assertIsTheCheckpoint(model, what) {
    H.assertTensorRecord(model.fc.weight, ck.expected.fc_weight, `${what}: fc.weight`);
    assert.equal(Number(model.bn1.num_batches_tracked.item()), ck.expected.num_batches_tracked, `${what}: bn1.num_batches_tracked`);
    model.eval();
    // expected.json was computed by torchvision just now, on this CPU with this thread count (the
    // child inherits OMP_NUM_THREADS): the same kernels, so assert_close's float32 default
    // relative to each value and to the largest output (a few ulps) is all the room it gets.
    const out = ck.expected.output_eval.values;
    const tol = { rtol: C.ASSERT_CLOSE.float32.rtol, atol: C.ASSERT_CLOSE.float32.rtol * C.maxAbs(out) };
    torch.no_grad(() => H.assertClose(model(input), ck.expected.output_eval, `${what}: eval output`, tol));
  }

  it('the checkpoint is where torch.hub looks, and the weights say so', () => {
    const w = models.ResNet18_Weights.IMAGENET1K_V1;
    assert.equal(w.cache_path(), ck.file);
    assert.equal(w.is_cached(), true);
    assert.equal(models.ResNet34_Weights.IMAGENET1K_V1.is_cached(), false);
  });

  it('resnet18({ weights: ResNet18_Weights.IMAGENET1K_V1 }) loads torchvision\'s checkpoint and gives its outputs', () => {
    torch.manual_seed(999); // the random init is overwritten by the checkpoint
    assertIsTheCheckpoint(models.resnet18({ weights: models.ResNet18_Weights.IMAGENET1K_V1, progress: false }), 'weights');
  });

  it('resnet18({ pretrained: true }) loads the same checkpoint', () => {
    assertIsTheCheckpoint(models.resnet18({ pretrained: true }), 'pretrained');
  });

  it('weights by name, DEFAULT, and get_model load it too', () => {
    for (const [what, m] of [
      ["weights: 'DEFAULT'", () => models.resnet18({ weights: 'DEFAULT' })],
      ["weights: 'ResNet18_Weights.IMAGENET1K_V1'", () => models.resnet18({ weights: 'ResNet18_Weights.IMAGENET1K_V1' })],
      ["get_model('resnet18', { weights: get_weight(...) })", () => models.get_model('resnet18', { weights: models.get_weight('ResNet18_Weights.DEFAULT') })],
    ]) {
      H.assertTensorRecord(m().fc.weight, ck.expected.fc_weight, what);
    }
  });

  it('get_state_dict(): torchvision\'s keys; download() resolves at once to the cached file', async () => {
    const w = models.ResNet18_Weights.DEFAULT;
    const sd = w.get_state_dict(false);
    assert.deepEqual(Object.keys(sd), FX.models.resnet18.state_dict.map((r) => r.key));
    H.assertTensorRecord(sd['fc.weight'], ck.expected.fc_weight);
    for (const t of Object.values(sd)) t.dispose();
    assert.equal(await w.download({ progress: false }), ck.file);
    const sd2 = await w.get_state_dict_async({ progress: false });
    H.assertTensorRecord(sd2['fc.weight'], ck.expected.fc_weight);
  });

  describe('when the checkpoint is not there and cannot be downloaded', () => {
    let savedProxy;
    const PROXY_VARS = ['https_proxy', 'HTTPS_PROXY', 'no_proxy', 'NO_PROXY'];
    before(async () => {
      savedProxy = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
      for (const k of PROXY_VARS) delete process.env[k];
      process.env.https_proxy = `http://127.0.0.1:${await H.closedPort()}`;
    });
    after(() => {
      for (const k of PROXY_VARS) if (savedProxy[k] === undefined) delete process.env[k]; else process.env[k] = savedProxy[k];
    });

    const w = () => models.ResNet34_Weights.IMAGENET1K_V1;
    const where = () => path.join(ck.home, 'hub', 'checkpoints', 'resnet34-b627a593.pth');

    it('the builder throws a DownloadError naming the URL and the exact path to put the file at; nothing is left in the cache', () => {
      assert.throws(() => models.resnet34({ weights: w(), progress: false }), (e) => {
        assert.equal(e.name, 'DownloadError');
        assert.ok(e.message.includes('"https://download.pytorch.org/models/resnet34-b627a593.pth"'), e.message);
        assert.ok(e.message.includes(where()), e.message);
        return true;
      });
      assert.deepEqual(fs.readdirSync(path.dirname(where())), ['resnet18-f37072fd.pth']);
    });

    it('await weights.download() rejects the same way', async () => {
      await assert.rejects(w().download({ progress: false }), (e) => {
        assert.equal(e.name, 'DownloadError');
        assert.ok(e.message.includes(w().url) && e.message.includes(where()), e.message);
        return true;
      });
      assert.equal(fs.existsSync(where()), false);
    });

    it('a corrupted checkpoint in the cache gives a clear error, and the process lives on', () => {
      fs.writeFileSync(where(), 'not a checkpoint');
      try {
        assert.throws(() => models.resnet34({ weights: w() }), /torch\.load: .*resnet34-b627a593\.pth is not a file written by torch\.save/);
      } finally {
        fs.rmSync(where(), { force: true });
      }
    });
  });
});
