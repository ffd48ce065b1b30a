'use strict';
// torchvision.datasets.CIFAR10 / CIFAR100 against torchvision 0.14 run at test time: Python writes
// small fake CIFAR folders and .tar.gz archives in the real format (CIFAR-10 as Python 2 wrote it:
// BINSTRING keys and array bytes; CIFAR-100 as Python 3's pickle protocol 2: _codecs.encode), then
// reads them with torchvision's own classes; the samples, classes, repr, download (with md5) and
// errors must be the same here.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { datasets, transforms } = require('torch-node/torchvision');
const PYTHON = require('./support/fixtures').torchvisionPython();

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tn-cifar-'));
const quietly = (fn) => {
  const log = console.log;
  const lines = [];
  console.log = (...a) => lines.push(a.join(' '));
  try { return [fn(), lines]; } finally { console.log = log; }
};

const GEN = String.raw`
import sys, os, json, pickle, struct, tarfile, hashlib, io, contextlib
import numpy as np
import torchvision
from torchvision.datasets import CIFAR10, CIFAR100
root, served, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.environ['no_proxy'] = '*'
md5 = lambda p: hashlib.md5(open(p, 'rb').read()).hexdigest()

class Py2Pickler(pickle._Pickler):
    # Python 2's cPickle: a str (here bytes) is a BINSTRING, read back with encoding='latin1' as str
    dispatch = pickle._Pickler.dispatch.copy()
    def save_bytes(self, obj):
        n = len(obj)
        self.write((pickle.SHORT_BINSTRING + bytes([n]) if n < 256 else pickle.BINSTRING + struct.pack('<i', n)) + obj)
        self.memoize(obj)
    dispatch[bytes] = save_bytes

rng = np.random.RandomState(0)
def py2(path, obj):
    with open(path, 'wb') as f: Py2Pickler(f, 2).dump(obj)
def py3(path, obj):
    with open(path, 'wb') as f: pickle.dump(obj, f, protocol=2)

out = {}
# CIFAR-10: five train batches of 2 images, a test batch of 3
c10 = os.path.join(root, 'cifar-10-batches-py'); os.makedirs(c10)
names10 = [b'airplane', b'automobile', b'bird', b'cat', b'deer', b'dog', b'frog', b'horse', b'ship', b'caf\xe9']
train10, k = [], 0
for i in range(1, 6):
    data = rng.randint(0, 256, (2, 3072)).astype(np.uint8)
    py2(os.path.join(c10, 'data_batch_%d' % i), {b'batch_label': b'training batch %d of 5' % i, b'labels': [(k + j) % 10 for j in range(2)],
        b'data': data, b'filenames': [b'img_%d.png' % j for j in range(2)]})
    k += 2
py2(os.path.join(c10, 'test_batch'), {b'batch_label': b'testing batch 1 of 1', b'labels': [9, 0, 4],
    b'data': rng.randint(0, 256, (3, 3072)).astype(np.uint8), b'filenames': [b'a', b'b', b'c']})
py2(os.path.join(c10, 'batches.meta'), {b'num_cases_per_batch': 2, b'label_names': names10, b'num_vis': 3072})
# CIFAR-100: one train file of 4 images, a test file of 2
c100 = os.path.join(root, 'cifar-100-python'); os.makedirs(c100)
py3(os.path.join(c100, 'train'), {'filenames': ['x'] * 4, 'batch_label': 'training batch 1 of 1', 'fine_labels': [5, 99, 0, 42],
    'coarse_labels': [1, 2, 3, 4], 'data': rng.randint(0, 256, (4, 3072)).astype(np.uint8)})
py3(os.path.join(c100, 'test'), {'filenames': ['y'] * 2, 'batch_label': 'testing batch 1 of 1', 'fine_labels': [7, 3],
    'coarse_labels': [0, 0], 'data': rng.randint(0, 256, (2, 3072)).astype(np.uint8)})
py3(os.path.join(c100, 'meta'), {'fine_label_names': ['c%02d' % i for i in range(100)], 'coarse_label_names': ['s%d' % i for i in range(20)]})

for cls, folder in ((CIFAR10, c10), (CIFAR100, c100)):
    name = cls.__name__
    tgz = os.path.join(served, cls.filename)
    with tarfile.open(tgz, 'w:gz') as t: t.add(folder, arcname=cls.base_folder)
    md5s = {f: md5(os.path.join(folder, f)) for f in os.listdir(folder)}
    fake = type('Fake' + name, (cls,), {
        'train_list': [[f, md5s[f]] for f, _ in cls.train_list], 'test_list': [[f, md5s[f]] for f, _ in cls.test_list],
        'meta': dict(cls.meta, md5=md5s[cls.meta['filename']]), 'url': 'http://127.0.0.1:%d/%s' % (port, cls.filename), 'tgz_md5': md5(tgz)})
    r = {'md5s': md5s, 'tgz_md5': md5(tgz)}
    for split in ('train', 'test'):
        d = fake(root, train=split == 'train')
        r[split] = {'len': len(d), 'repr': repr(d), 'targets': [d[i][1] for i in range(len(d))],
                    'pixels': [np.asarray(d[i][0]).reshape(-1).tolist() for i in range(len(d))], 'mode': d[0][0].mode, 'size': list(d[0][0].size)}
    r['classes'] = d.classes
    r['class_to_idx'] = d.class_to_idx
    try: fake(os.path.join(root, 'nothing'))
    except RuntimeError as e: r['missing'] = str(e)
    # download from the local server: right md5, then a wrong one
    dl = os.path.join(root, 'dl-' + name)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        r['downloaded_len'] = len(fake(dl, download=True))
        bad = type('Bad', (fake,), {'tgz_md5': '0' * 32})
        try: bad(os.path.join(root, 'dl-bad-' + name), download=True)
        except RuntimeError as e: r['bad_md5'] = str(e)
    out[name] = r
print(json.dumps(out))
`;

describe('torchvision.datasets: CIFAR10 / CIFAR100 against torchvision on the same files', function () {
  this.timeout(120000);
  let root, served, server, port, P;
  before(async function () {
    root = tmp(); served = tmp();
    server = spawn(process.execPath, ['-e', `
      const http = require('node:http'), fs = require('node:fs'), path = require('node:path');
      const s = http.createServer((req, res) => {
        const f = path.join(${JSON.stringify(served)}, path.basename(req.url));
        if (!fs.existsSync(f)) { res.statusCode = 404; return res.end(); }
        res.setHeader('content-length', fs.statSync(f).size); fs.createReadStream(f).pipe(res);
      }).listen(0, '127.0.0.1', () => console.log(s.address().port));`], { stdio: ['ignore', 'pipe', 'inherit'] });
    port = await new Promise((resolve) => server.stdout.once('data', (b) => resolve(Number(String(b).trim()))));
    // async: the Python side downloads from the server in this process's event loop's child
    const py = spawn(PYTHON, ['-c', GEN, root, served, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let so = '', se = '';
    py.stdout.on('data', (b) => { so += b; });
    py.stderr.on('data', (b) => { se += b; });
    const rc = await new Promise((resolve) => py.on('close', resolve));
    if (rc !== 0) throw new Error(`torchvision failed:\n${se}`);
    P = JSON.parse(so);
  });
  after(() => {
    server?.kill();
    for (const d of [root, served]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  /** The dataset class with the fake files' md5s and the local server's URL, as the Python side made it. */
  function fake(Base) {
    const r = P[Base.name];
    const F = { [`Fake${Base.name}`]: class extends Base {} }[`Fake${Base.name}`];
    F.train_list = Base.train_list.map(([f]) => [f, r.md5s[f]]);
    F.test_list = Base.test_list.map(([f]) => [f, r.md5s[f]]);
    F.meta = { ...Base.meta, md5: r.md5s[Base.meta.filename] };
    F.url = `http://127.0.0.1:${port}/${Base.filename}`;
    F.tgz_md5 = r.tgz_md5;
    return F;
  }

  for (const Base of [datasets.CIFAR10, datasets.CIFAR100]) {
    describe(Base.name, () => {
      it('torchvision 0.14\'s folders, URLs and md5s', () => {
        const py = spawnSync(PYTHON, ['-c', `import json; from torchvision.datasets import ${Base.name} as C
print(json.dumps([C.base_folder, C.url, C.filename, C.tgz_md5, C.train_list, C.test_list, C.meta]))`], { encoding: 'utf8' });
        assert.equal(py.status, 0, py.stderr);
        assert.deepEqual(JSON.parse(py.stdout), [Base.base_folder, Base.url, Base.filename, Base.tgz_md5, Base.train_list, Base.test_list, Base.meta]);
      });
      for (const split of ['train', 'test']) {
        it(`${split}: len, every sample's pixels (HWC RGB) and target, classes, repr equal torchvision's`, () => {
          const F = fake(Base);
          const want = P[Base.name][split];
          const d = new F(root, { train: split === 'train' });
          assert.equal(d.__len__(), want.len);
          assert.deepEqual(d.data.shape, [want.len, 32, 32, 3]);
          assert.deepEqual(d.classes, P[Base.name].classes);
          if (Base === datasets.CIFAR10) assert.equal(d.classes[9], 'caf\u00e9'); // a Python 2 str read as latin1
          assert.deepEqual(d.class_to_idx, P[Base.name].class_to_idx);
          assert.equal(want.mode, 'RGB');
          for (let i = 0; i < want.len; i++) {
            const [img, target] = d.__getitem__(i);
            assert.equal(target, want.targets[i]);
            assert.deepEqual([img.width, img.height, img.channels], [...want.size, 3]);
            assert.deepEqual(Array.from(img.data), want.pixels[i]);
          }
          assert.deepEqual(d.__getitem__(-1)[1], want.targets[want.len - 1]);
          assert.equal(String(d), want.repr);
          assert.equal(d.extra_repr(), `Split: ${split === 'train' ? 'Train' : 'Test'}`);
        });
      }
      it('transform / target_transform are applied; ToTensor gives torchvision\'s CHW floats', () => {
        const F = fake(Base);
        const want = P[Base.name].test;
        const d = new F(root, false, new transforms.ToTensor(), (t) => t + 1000);
        const [x, t] = d.__getitem__(0);
        assert.deepEqual(x.shape, [3, 32, 32]);
        assert.equal(t, want.targets[0] + 1000);
        const hwc = want.pixels[0];
        // ToTensor: CHW, /255
        assert.equal(x.index(1).index(2).index(5).item(), Math.fround(hwc[(2 * 32 + 5) * 3 + 1] / 255));
      });
      it('missing files: torchvision\'s message; unknown keyword: TypeError', () => {
        assert.equal(P[Base.name].missing, 'Dataset not found or corrupted. You can use download=True to download it');
        assert.equal(P[Base.name].bad_md5, 'File not found or corrupted.');
        assert.throws(() => new (fake(Base))(path.join(root, 'nothing')), (e) => e.message === P[Base.name].missing);
        assert.throws(() => new (fake(Base))(root, { trian: false }), /unexpected keyword argument 'trian'/);
        // a corrupted batch (md5 differs) is "not found or corrupted" as well
        const G = fake(Base);
        G.test_list = [[Base.test_list[0][0], '0'.repeat(32)]];
        assert.throws(() => new G(root), (e) => e.message === P[Base.name].missing);
      });
      it('download=True: the .tar.gz from a local server, md5 checked, extracted, read; then not again', () => {
        const F = fake(Base);
        const dl = tmp();
        const [d, lines] = quietly(() => new F(dl, { download: true }));
        assert.ok(lines.some((l) => l.startsWith(`Downloading ${F.url}`)));
        assert.ok(fs.existsSync(path.join(dl, Base.filename)));
        assert.equal(d.__len__(), P[Base.name].downloaded_len);
        const [, again] = quietly(() => new F(dl, { download: true }));
        assert.deepEqual(again, ['Files already downloaded and verified']);
        fs.rmSync(dl, { recursive: true, force: true });
      });
      it('a wrong md5 for the archive fails as torchvision does', () => {
        const F = fake(Base);
        F.tgz_md5 = '0'.repeat(32);
        const dl = tmp();
        assert.throws(() => quietly(() => new F(dl, { download: true })), (e) => e.message === P[Base.name].bad_md5);
        assert.equal(fs.existsSync(path.join(dl, Base.base_folder)), false);
        fs.rmSync(dl, { recursive: true, force: true });
      });
    });
  }

  it('with 2 DataLoader workers: batches equal the single-thread ones', () => {
    const torch = require('torch-node');
    const d = new (fake(datasets.CIFAR10))(root, { transform: new transforms.ToTensor() });
    // workers re-create a dataset from its class in torchvision.datasets and its properties
    Object.setPrototypeOf(d, datasets.CIFAR10.prototype);
    const one = [...new torch.utils.data.DataLoader(d, { batch_size: 4 })];
    const two = [...new torch.utils.data.DataLoader(d, { batch_size: 4, num_workers: 2 })];
    assert.equal(two.length, 3);
    two.forEach(([x, y], i) => { assert.ok(x.equal(one[i][0])); assert.ok(y.equal(one[i][1])); });
    assert.deepEqual(two[0][0].shape, [4, 3, 32, 32]);
    assert.deepEqual(Array.from(one[0][1].typed_array(), Number), P.CIFAR10.train.targets.slice(0, 4));
  });

  it('the unpickler runs nothing: a batch naming another global is refused', () => {
    const F = fake(datasets.CIFAR10);
    const bad = tmp();
    fs.mkdirSync(path.join(bad, F.base_folder));
    const evil = Buffer.from('\x80\x02cos\nsystem\nq\x00X\x04\x00\x00\x00trueq\x01\x85q\x02Rq\x03.', 'latin1');
    fs.writeFileSync(path.join(bad, F.base_folder, 'test_batch'), evil);
    const md5 = require('node:crypto').createHash('md5').update(evil).digest('hex');
    for (const [f] of F.train_list) fs.copyFileSync(path.join(root, F.base_folder, f), path.join(bad, F.base_folder, f));
    F.test_list = [['test_batch', md5]];
    assert.throws(() => new F(bad, { train: false }), /UnpicklingError: global 'os.system' is forbidden/);
    fs.rmSync(bad, { recursive: true, force: true });
  });

  it('extract_archive: Python-written tar (PAX and GNU long names, gzipped or not); a member outside the folder is refused', () => {
    const { extract_archive } = datasets.utils;
    const dir = tmp();
    const long = `${'d'.repeat(120)}/${'f'.repeat(130)}.bin`;
    const py = spawnSync(PYTHON, ['-c', `import tarfile, io, sys
d = sys.argv[1]
def add(t, name, data):
    i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
for fmt, ext in ((tarfile.PAX_FORMAT, 'tar.gz'), (tarfile.GNU_FORMAT, 'tar')):
    with tarfile.open(d + '/a_%d.' % fmt + ext, 'w:gz' if ext == 'tar.gz' else 'w', format=fmt) as t:
        add(t, 'top/small.txt', b'hello'); add(t, 'top/' + sys.argv[2], bytes(range(256)) * 5)
with tarfile.open(d + '/evil.tar', 'w') as t: add(t, '../escape.txt', b'x')`, dir, long], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    for (const f of fs.readdirSync(dir).filter((f) => f.startsWith('a_'))) {
      const out = path.join(dir, `out-${f}`);
      assert.equal(extract_archive(path.join(dir, f), out), out);
      assert.equal(fs.readFileSync(path.join(out, 'top', 'small.txt'), 'utf8'), 'hello');
      assert.deepEqual(fs.readFileSync(path.join(out, 'top', long)), Buffer.from(Array.from({ length: 1280 }, (_, i) => i % 256)));
    }
    assert.throws(() => extract_archive(path.join(dir, 'evil.tar'), path.join(dir, 'x')), /unsafe path in .*evil.tar: \.\.\/escape.txt/);
    assert.equal(fs.existsSync(path.join(dir, 'escape.txt')), false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an array whose bytes do not match its shape is refused', () => {
    const { loadsNumpy } = require('../dist/pickle_numpy');
    const py = spawnSync(PYTHON, ['-c', `import pickle, sys, numpy as np
sys.stdout.buffer.write(pickle.dumps({'data': np.arange(6, dtype=np.uint8).reshape(2, 3)}, protocol=2))`]);
    assert.equal(py.status, 0, String(py.stderr));
    const good = loadsNumpy(py.stdout);
    // a Python 2 str (BINSTRING) is read as ISO-8859-1: bytes 0x80-0x9f are U+0080-U+009F, not windows-1252
    const b2 = Buffer.from([0x80, 2, 0x55, 3, 0x80, 0x9f, 0xff, 0x2e]); // PROTO 2, SHORT_BINSTRING 3 bytes, STOP
    assert.equal(loadsNumpy(b2), '\u0080\u009f\u00ff');
    assert.deepEqual([good.data.shape, Array.from(good.data.data)], [[2, 3], [0, 1, 2, 3, 4, 5]]);
    // the 6 data bytes are a BINUNICODE of length 6 ('\\x00\\x01...'): claim shape (2, 4) instead
    const s = Buffer.from(py.stdout);
    const at = s.indexOf(Buffer.from([0x4b, 2, 0x4b, 3, 0x86])); // BININT1 2, BININT1 3, TUPLE2
    assert.ok(at > 0);
    s[at + 3] = 4;
    assert.throws(() => loadsNumpy(s), /numpy array: 6 bytes for shape \(2, 4\) of uint8 \(expected 8\)/);
  });
});
