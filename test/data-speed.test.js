'use strict';
// The per-sample data path (ToTensor, Normalize, FashionMNIST[i], default_collate) against
// torchvision 0.14, bit for bit: every step is elementwise (a cast, x / 255, (x - mean) / std).
// Fixtures: scripts/gen-dataspeed-fixtures.py. These paths were rewritten for speed (one copy into
// the tensor, mean/std built straight from typed arrays): the values must not move.
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const torch = require('torch-node');
const T = require('torch-node/torchvision/transforms');
const F = T.functional;
const { FashionMNIST } = require('torch-node/torchvision/datasets');
const { default_collate, DataLoader, TensorDataset } = require('torch-node/utils/data');

const fx = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'dataspeed.json'), 'utf8'));
const idxHead = (magic, dims) => {
  const b = Buffer.alloc(4 * (dims.length + 1));
  b.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => b.writeUInt32BE(d, 4 * (i + 1)));
  return b;
};
/** A FashionMNIST root in a temporary folder: images [n, 28, 28] and labels as IDX files. */
function fashionRoot(images, labels) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tn-dataspeed-'));
  const raw = path.join(root, 'FashionMNIST', 'raw');
  fs.mkdirSync(raw, { recursive: true });
  for (const split of ['train', 't10k']) {
    fs.writeFileSync(path.join(raw, `${split}-images-idx3-ubyte`), Buffer.concat([idxHead(0x803, [labels.length, 28, 28]), Buffer.from(images)]));
    fs.writeFileSync(path.join(raw, `${split}-labels-idx1-ubyte`), Buffer.concat([idxHead(0x801, [labels.length]), Buffer.from(labels)]));
  }
  return root;
}
const vals = (t) => Array.from(t.contiguous().typed_array());
const image = (c) => ({ data: Uint8Array.from(c.data), width: c.width, height: c.height, channels: c.channels });

describe('data path bit for bit (ToTensor, Normalize, FashionMNIST, collate)', () => {
  afterEach(() => torch.set_default_dtype(torch.float32));

  for (const dname of ['float32', 'float64']) {
    it(`ToTensor then Normalize under default dtype ${dname}`, () => {
      torch.set_default_dtype(torch[dname]);
      for (const c of fx.to_tensor) {
        const label = `${c.height}x${c.width}x${c.channels}`;
        const x = new T.ToTensor()(image(c));
        assert.equal(x.dtype, torch[dname], label);
        assert.deepEqual(x.shape, c[dname].shape, label);
        assert.deepEqual(vals(x), c[dname].to_tensor, label);
        const y = new T.Normalize(c.mean, c.std)(x);
        assert.deepEqual(vals(y), c[dname].normalize, label);
        assert.deepEqual(vals(x), c[dname].to_tensor, `${label}: out of place leaves the input`);
        // a Buffer view into a larger allocation, and a Uint8ClampedArray, give the same tensor
        const big = Buffer.alloc(c.data.length + 16, 7);
        big.set(c.data, 8);
        assert.deepEqual(vals(F.to_tensor({ ...image(c), data: big.subarray(8, 8 + c.data.length) })), c[dname].to_tensor, label);
        assert.deepEqual(vals(F.to_tensor({ ...image(c), data: Uint8ClampedArray.from(c.data) })), c[dname].to_tensor, label);
      }
    });
  }

  it('Normalize in place on float64 returns the input, changed', () => {
    for (const c of fx.to_tensor) {
      const x = F.to_tensor(image(c)).double();
      const out = new T.Normalize(c.mean, c.std, { inplace: true })(x);
      assert.equal(out, x);
      assert.deepEqual(vals(x), c.inplace_float64);
    }
  });

  it('std that is zero after the cast: PyTorch\'s error in float32, none in float64; a bad shape leaves nothing alive', () => {
    assert.throws(() => F.normalize(torch.zeros(1, 2, 2), [0.5], [1e-50]), { message: fx.normalize_errors.float32_tiny_std });
    assert.throws(() => F.normalize(torch.zeros(3, 2, 2), [0.5, 0.5, 0.5], [1, 0, 1]), { message: fx.normalize_errors.float32_tiny_std });
    assert.deepEqual(vals(F.normalize(torch.full([1, 1, 2], 0.25, { dtype: torch.float64 }), [0.5], [1e-50])), fx.normalize_errors.float64_tiny_std);
    const x = torch.zeros(1, 2, 2);
    const before = torch.memory_stats().tensors;
    assert.throws(() => F.normalize(x, [0.1, 0.2, 0.3], [1, 1, 1]), /doesn't match the broadcast shape|output with shape/);
    assert.equal(torch.memory_stats().tensors, before);
  });

  it('FashionMNIST[i] through Compose([ToTensor, Normalize]) and default_collate of the samples', () => {
    const f = fx.fashion, n = f.labels.length;
    const root = fashionRoot(f.images, f.labels);
    try {
      const ds = new FashionMNIST(root, { train: true, transform: new T.Compose([new T.ToTensor(), new T.Normalize(f.mean, f.std)]) });
      const samples = [];
      for (let i = 0; i < n; i++) {
        const [x, y] = ds.__getitem__(i);
        assert.deepEqual(x.shape, f.samples[i].shape);
        assert.deepEqual(vals(x), f.samples[i].values, `sample ${i}`);
        assert.equal(y, f.samples[i].target);
        samples.push([x, y]);
      }
      const [last] = ds.__getitem__(-1);
      assert.deepEqual(vals(last), f.samples[n - 1].values);
      assert.throws(() => ds.__getitem__(n), /index 3 is out of bounds for dimension 0 with size 3/);
      const [xb, yb] = default_collate(samples);
      assert.deepEqual(xb.shape, f.collate.x_shape);
      assert.deepEqual(vals(xb), f.collate.x);
      assert.equal(`torch.${yb.dtype.name}`, f.collate.y_dtype);
      assert.deepEqual(Array.from(yb.typed_array(), Number), f.collate.y);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('DataLoader workers terminated in the middle of native calls (a loop left early) do not abort the process', function () {
    this.timeout(300000);
    const n = 4096;
    const images = new Uint8Array(n * 784).map((_, i) => (i * 37) & 255);
    const root = fashionRoot(images, new Uint8Array(n).map((_, i) => i % 10));
    try {
      const r = spawnSync(process.execPath, [path.join(__dirname, 'support', 'loader-break.js'), root], { encoding: 'utf8', timeout: 280000 });
      assert.equal(r.signal, null, `killed by ${r.signal}: ${r.stderr}`);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'ok');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('a worker\'s batch is moved to the main thread, not copied: its buffers are transferable (detached once posted)', () => {
    const { encode, decode } = require('../dist/utils/data/_transport');
    const { MessageChannel, receiveMessageOnPort } = require('node:worker_threads');
    const batch = [torch.randn(4, 3, 8, 8), torch.arange(4), torch.randn(2, 2).half()];
    const transfer = [];
    const msg = encode(batch, transfer);
    assert.equal(transfer.length, 3);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(msg, transfer);
    assert.ok(transfer.every((b) => b.byteLength === 0), 'every buffer detached by the transfer');
    const got = decode(receiveMessageOnPort(port2).message);
    port1.close();
    got.forEach((t, i) => { assert.equal(t.dtype, batch[i].dtype); assert.deepEqual(vals(t), vals(batch[i])); });
  });
  it('dataset tensors reach the workers through shared memory with their values (non-contiguous, float16, int64)', () => {
    // 300 x 40 float64 (96 KB), a transposed (non-contiguous) float32, float16 and int64: all over
    // the 64 KB from which the dataset goes to the workers in one SharedArrayBuffer
    const a = torch.randn(300, 40, { dtype: torch.float64 });
    const b = torch.randn(80, 300).t();
    const c = torch.randn(300, 120).half();
    const y = torch.arange(300).mul(1000000007);
    const ds = new TensorDataset(a, b, c, y);
    const loader = new DataLoader(ds, { batch_size: 64, num_workers: 2 });
    let start = 0;
    for (const [xa, xb, xc, yy] of loader) {
      const n = yy.shape[0];
      const rows = (t) => vals(t.narrow(0, start, n));
      assert.deepEqual(vals(xa), rows(a));
      assert.deepEqual(vals(xb), rows(b));
      assert.equal(xc.dtype, torch.float16);
      assert.deepEqual(vals(xc), rows(c));
      assert.deepEqual(vals(yy), rows(y));
      start += n;
    }
    assert.equal(start, 300);
  });
});
