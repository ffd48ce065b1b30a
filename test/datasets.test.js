'use strict';
// torchvision.datasets against torchvision 0.14: Debian's real Fashion-MNIST files read as
// torchvision reads them (test/fixtures/datasets.json, scripts/gen-data-fixtures.py), downloads
// from a local HTTP server with md5 checks, and ImageFolder compared with torchvision run on the
// same folder at test time.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const crypto = require('node:crypto');
const { spawn, spawnSync } = require('node:child_process');
const { PNG } = require('pngjs');
const torch = require('torch-node');
const { datasets, transforms } = require('torch-node/torchvision');
const { DataLoader } = torch.utils.data;
const { loadFixture } = require('./support/fixtures');
const F = loadFixture('datasets.json');

const PYTHON = require('./support/fixtures').torchvisionPython(); // torchvision's datasets
const FASHION = '/usr/share/datasets/fashion-mnist';
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tn-datasets-'));
const quietly = (fn) => {
  const log = console.log;
  const lines = [];
  console.log = (...a) => lines.push(a.join(' '));
  try { return [fn(), lines]; } finally { console.log = log; }
};

/** An IDX file as MNIST's: big-endian header, then the values. */
function idx(values, shape) {
  const head = Buffer.alloc(4 * (shape.length + 1));
  head.writeUInt32BE(0x0800 + shape.length, 0);
  shape.forEach((s, i) => head.writeUInt32BE(s, 4 * (i + 1)));
  return zlib.gzipSync(Buffer.concat([head, Buffer.from(values)]));
}

describe('torchvision.datasets: FashionMNIST on Debian\'s files', function () {
  this.timeout(120000);
  let root;
  before(function () {
    if (!fs.existsSync(FASHION) || !F.train) this.skip(); // scripts/setup.js installs dataset-fashion-mnist
    root = tmp();
    fs.mkdirSync(path.join(root, 'FashionMNIST', 'raw'), { recursive: true });
    for (const f of fs.readdirSync(FASHION)) fs.symlinkSync(path.join(FASHION, f), path.join(root, 'FashionMNIST', 'raw', f));
  });
  after(() => root && fs.rmSync(root, { recursive: true, force: true }));

  for (const split of ['train', 'test']) {
    it(`${split}: length, targets, ToTensor images and raw pixels equal torchvision's`, () => {
      const f = F[split];
      const d = new datasets.FashionMNIST(root, { train: split === 'train', transform: new transforms.ToTensor() });
      assert.equal(d.__len__(), f.len);
      assert.deepEqual(d.classes, f.classes);
      const counts = new Array(10).fill(0);
      for (const t of d.targets.typed_array()) counts[Number(t)]++;
      assert.deepEqual(counts, f.target_counts);
      f.indices.forEach((i, k) => {
        const [img, target] = d.__getitem__(i);
        assert.equal(target, f.targets[k]);
        assert.deepEqual(img.shape, f.shape);
        assert.equal(img.double().sum().item(), f.sums[k]);
        assert.deepEqual(Array.from(d.data.index(i).flatten().typed_array()).slice(300, 340), f.pixels[k]);
      });
    });
  }
  it('with 2 workers: the dataset is re-created in each, batches equal the single-thread ones', () => {
    const d = new datasets.FashionMNIST(root, { train: false, transform: new transforms.ToTensor() });
    const sub = new torch.utils.data.Subset(d, [...Array(64).keys()]);
    const one = [...new DataLoader(sub, { batch_size: 16 })];
    const two = [...new DataLoader(sub, { batch_size: 16, num_workers: 2 })];
    assert.equal(two.length, 4);
    two.forEach(([x, y], i) => { assert.ok(x.equal(one[i][0])); assert.ok(y.equal(one[i][1])); });
    assert.deepEqual(two[0][0].shape, [16, 1, 28, 28]);
  });
  it("Python's errors: no data, unknown keyword", () => {
    assert.throws(() => new datasets.MNIST(root), /^Error: Dataset not found. You can use download=True to download it$/);
    assert.throws(() => new datasets.FashionMNIST(root, { trian: false }), /unexpected keyword argument 'trian'/);
  });
});

describe('torchvision.datasets: download', function () {
  this.timeout(60000);
  let server, port, served;
  before(async () => {
    served = tmp();
    // the server runs in another process: a download blocks this one until the file is there
    server = spawn(process.execPath, ['-e', `
      const http = require('node:http'), fs = require('node:fs'), path = require('node:path');
      const s = http.createServer((req, res) => {
        const f = path.join(${JSON.stringify(served)}, path.basename(req.url));
        if (!fs.existsSync(f)) { res.statusCode = 404; return res.end(); }
        res.setHeader('content-length', fs.statSync(f).size); fs.createReadStream(f).pipe(res);
      }).listen(0, '127.0.0.1', () => console.log(s.address().port));`], { stdio: ['ignore', 'pipe', 'inherit'] });
    port = await new Promise((resolve) => server.stdout.once('data', (b) => resolve(Number(String(b).trim()))));
  });
  after(() => { server?.kill(); fs.rmSync(served, { recursive: true, force: true }); });

  function files(n) {
    const images = Array.from({ length: n * 28 * 28 }, (_, i) => (i * 7) % 256);
    const labels = Array.from({ length: n }, (_, i) => (i * 3) % 10);
    const out = {
      'train-images-idx3-ubyte.gz': idx(images, [n, 28, 28]), 'train-labels-idx1-ubyte.gz': idx(labels, [n]),
      't10k-images-idx3-ubyte.gz': idx(images.slice(0, 784), [1, 28, 28]), 't10k-labels-idx1-ubyte.gz': idx(labels.slice(0, 1), [1]),
    };
    for (const [name, b] of Object.entries(out)) fs.writeFileSync(path.join(served, name), b);
    return { labels, resources: Object.entries(out).map(([name, b]) => [name, crypto.createHash('md5').update(b).digest('hex')]) };
  }

  it('download=True: first mirror down, second serves; md5 checked; extracted into <root>/<Class>/raw', () => {
    const { labels, resources } = files(5);
    class LocalMNIST extends datasets.MNIST {}
    LocalMNIST.mirrors = [`http://127.0.0.1:1/`, `http://127.0.0.1:${port}/`];
    LocalMNIST.resources = resources;
    const root = tmp();
    const [d, lines] = quietly(() => new LocalMNIST(root, { download: true }));
    assert.ok(lines.some((l) => l.startsWith('Failed to download (trying next):')));
    assert.ok(fs.existsSync(path.join(root, 'LocalMNIST', 'raw', 'train-images-idx3-ubyte')));
    assert.equal(d.__len__(), 5);
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => d.__getitem__(i)[1]), labels);
    const [img] = d.__getitem__(1);
    assert.deepEqual([img.width, img.height, img.channels, img.data[0]], [28, 28, 1, (784 * 7) % 256]);
    // present: nothing downloaded again
    const [, again] = quietly(() => new LocalMNIST(root, { download: true, train: false }));
    assert.deepEqual(again, []);
    fs.rmSync(root, { recursive: true, force: true });
  });
  it('a wrong md5 fails with torchvision\'s message; no mirror left: Error downloading', () => {
    const { resources } = files(2);
    class Corrupt extends datasets.MNIST {}
    Corrupt.mirrors = [`http://127.0.0.1:${port}/`];
    Corrupt.resources = resources.map(([n]) => [n, '0'.repeat(32)]);
    const root = tmp();
    assert.throws(() => quietly(() => new Corrupt(root, { download: true })), /^Error: File not found or corrupted\.$/);
    Corrupt.mirrors = [`http://127.0.0.1:${port}/missing/`];
    Corrupt.resources = [['nothing.gz', '0'.repeat(32)]];
    assert.throws(() => quietly(() => new Corrupt(root, { download: true })), /^Error: Error downloading nothing.gz$/);
    fs.rmSync(root, { recursive: true, force: true });
  });
});

describe('torchvision.datasets: EMNIST', function () {
  this.timeout(60000);
  it("torchvision's classes per split; download of the zip, its gzip folder extracted, then read", async () => {
    assert.deepEqual(datasets.EMNIST.classes_split_dict, F.emnist_classes);
    const served = tmp();
    const images = Array.from({ length: 2 * 784 }, (_, i) => i % 251);
    const { zipSync } = require('fflate');
    const zip = Buffer.from(zipSync({ gzip: {
      'emnist-digits-train-images-idx3-ubyte.gz': new Uint8Array(idx(images, [2, 28, 28])),
      'emnist-digits-train-labels-idx1-ubyte.gz': new Uint8Array(idx([7, 3], [2])),
      'emnist-letters-test-labels-idx1-ubyte.gz': new Uint8Array(idx([1], [1])),
    } }));
    fs.writeFileSync(path.join(served, 'gzip.zip'), zip);
    const server = spawn(process.execPath, ['-e', `
      const fs = require('node:fs');
      const s = require('node:http').createServer((q, r) => r.end(fs.readFileSync(${JSON.stringify(path.join(served, 'gzip.zip'))})))
        .listen(0, '127.0.0.1', () => console.log(s.address().port));`], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = await new Promise((resolve) => server.stdout.once('data', (b) => resolve(Number(String(b).trim()))));
      class LocalEMNIST extends datasets.EMNIST {}
      LocalEMNIST.url = `http://127.0.0.1:${port}/gzip.zip`;
      LocalEMNIST.md5 = crypto.createHash('md5').update(zip).digest('hex');
      const root = tmp();
      const [d] = quietly(() => new LocalEMNIST(root, 'digits', { download: true }));
      assert.equal(d.__len__(), 2);
      assert.deepEqual(d.classes, F.emnist_classes.digits);
      assert.equal(d.__getitem__(1)[1], 3);
      assert.deepEqual(Array.from(d.__getitem__(1)[0].data.slice(0, 3)), [784 % 251, 785 % 251, 786 % 251]);
      assert.ok(!fs.existsSync(path.join(root, 'LocalEMNIST', 'raw', 'gzip')));
      assert.throws(() => new LocalEMNIST(root, 'letter'), /^RangeError: Unknown value 'letter' for argument split. Valid values are \{'byclass', 'bymerge', 'balanced', 'letters', 'digits', 'mnist'\}.$/);
      fs.rmSync(root, { recursive: true, force: true });
    } finally { server.kill(); fs.rmSync(served, { recursive: true, force: true }); }
  });
});

describe('torchvision.datasets: ImageFolder and DatasetFolder', function () {
  this.timeout(60000);
  let root;
  before(() => {
    root = tmp();
    const png = (file, w, h, seed) => {
      const p = new PNG({ width: w, height: h });
      for (let i = 0; i < p.data.length; i++) p.data[i] = (i * seed + 11) % 256;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, PNG.sync.write(p));
    };
    png(path.join(root, 'dog', 'b.png'), 4, 3, 3);
    png(path.join(root, 'dog', 'A.PNG'), 2, 2, 5);
    png(path.join(root, 'dog', 'sub', 'c.png'), 3, 3, 7);
    png(path.join(root, 'cat', 'x.png'), 5, 2, 9);
    fs.writeFileSync(path.join(root, 'cat', 'notes.txt'), 'not an image');
    fs.writeFileSync(path.join(root, 'README'), 'a file at the top is no class');
  });
  after(() => root && fs.rmSync(root, { recursive: true, force: true }));

  it("classes, samples and images equal torchvision's on the same folder", function () {
    const py = spawnSync(PYTHON, ['-c', `
import json, sys
from torchvision import datasets, transforms
d = datasets.ImageFolder(sys.argv[1], transform=transforms.ToTensor())
print(json.dumps({'classes': d.classes, 'class_to_idx': d.class_to_idx, 'samples': [[p[len(sys.argv[1]):], t] for p, t in d.samples],
  'sums': [d[i][0].double().sum().item() for i in range(len(d))], 'shapes': [list(d[i][0].shape) for i in range(len(d))]}))`, root], { encoding: 'utf8' });
    if (py.status !== 0) this.skip();
    const want = JSON.parse(py.stdout);
    const d = new datasets.ImageFolder(root, { transform: new transforms.ToTensor() });
    assert.deepEqual(d.classes, want.classes);
    assert.deepEqual(d.class_to_idx, want.class_to_idx);
    assert.deepEqual(d.samples.map(([p, t]) => [p.slice(root.length), t]), want.samples);
    assert.deepEqual(d.imgs, d.samples);
    for (let i = 0; i < d.__len__(); i++) {
      const [x, t] = d.__getitem__(i);
      assert.equal(t, want.samples[i][1]);
      assert.deepEqual(x.shape, want.shapes[i]);
      assert.ok(Math.abs(x.double().sum().item() - want.sums[i]) < 1e-9);
    }
  });
  it('DatasetFolder: a loader and extensions or is_valid_file; the errors of torchvision', () => {
    const d = new datasets.DatasetFolder(root, (p) => fs.readFileSync(p, 'latin1').slice(0, 6), { is_valid_file: (p) => /\.(txt|png)$/.test(p) });
    assert.deepEqual(d.__getitem__(0), ['not an', 0]);
    assert.deepEqual(d.__getitem__(2), ['\x89PNG\r\n', 1]);
    assert.deepEqual(d.targets, [0, 0, 1, 1]); // A.PNG fails this is_valid_file (IMG_EXTENSIONS compare lowercased)
    assert.throws(() => new datasets.DatasetFolder(root, (p) => p, { extensions: '.txt' }),
      /^Error: Found no valid file for the classes dog. Supported extensions are: .txt$/);
    assert.throws(() => new datasets.DatasetFolder(root, (p) => p, { extensions: ['.txt'], is_valid_file: () => true }),
      /Both extensions and is_valid_file cannot be None or not None at the same time/);
    assert.throws(() => new datasets.DatasetFolder(root, (p) => p, { extensions: ['.jpg'] }),
      /^Error: Found no valid file for the classes cat, dog. Supported extensions are: .jpg$/);
    assert.throws(() => new datasets.ImageFolder(path.join(root, 'cat')), /Couldn't find any class folder/);
    const odd = new datasets.ImageFolder(root, { is_valid_file: (p) => p.endsWith('b.png') || p.endsWith('x.png') });
    assert.deepEqual(odd.targets, [0, 1]);
  });
  it('ImageFolder with workers: the default loader and ToTensor cross by reference', () => {
    const d = new datasets.ImageFolder(root, { transform: new transforms.Compose([new transforms.ToTensor()]) });
    const one = [...new DataLoader(d, { batch_size: null })];
    const two = [...new DataLoader(d, { batch_size: null, num_workers: 2 })];
    two.forEach(([x, y], i) => { assert.ok(x.equal(one[i][0])); assert.equal(y, one[i][1]); });
  });
});

describe('torchvision.datasets: FakeData', () => {
  it("torchvision's images and targets for the same index and offset; the global stream untouched", () => {
    const f = F.fakedata;
    torch.manual_seed(0);
    const d = new datasets.FakeData({ size: 6, image_size: [3, 10, 12], num_classes: 7, random_offset: 3 });
    for (let i = 0; i < 6; i++) {
      const [img, target] = d.__getitem__(i);
      assert.equal(target, f.targets[i]);
      assert.deepEqual([img.width, img.height, img.channels], [...f.size, 3]);
      assert.deepEqual(Array.from(img.data), f.pixels[i].flat());
    }
    const after = Array.from(torch.rand(3).typed_array());
    torch.manual_seed(0);
    assert.deepEqual(after, Array.from(torch.rand(3).typed_array()));
    assert.throws(() => d.__getitem__(6), /^RangeError: FakeData index out of range$/);
    assert.equal(String(d), 'Dataset FakeData\n    Number of datapoints: 6');
  });
});
