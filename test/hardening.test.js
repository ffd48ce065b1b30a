'use strict';
// Issue 15, "Reliability under abuse": each hostile input of the issue that
// reaches lib/dtype.ts, lib/device.ts, lib/pickle.ts, lib/serialization.ts,
// lib/torchvision/io.ts, lib/nn/module.ts or lib/nn/modules/* gives a clean
// error (PyTorch's message where PyTorch has one: test/fixtures/hardening.json,
// from scripts/gen-hardening-fixtures.py run with Debian's /usr/bin/python3),
// and where a crash was possible the case runs in a child process that must
// exit 0.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { spawnSync, execFileSync } = require('node:child_process');

const torch = require('../dist/index.js');
const nn = require('../dist/nn/index.js');
const io = require('../dist/torchvision/io.js');
const pickle = require('../dist/pickle.js');
const { save, load } = require('../dist/serialization.js');
const { native } = require('../dist/native.js');
const { liveStats } = require('./support/gc.js');

const { loadFixture } = require('./support/fixtures');
const ref = loadFixture('hardening.json');
const ROOT = path.join(__dirname, '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-hardening-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs `body` in a child process (torch, nn, io loaded); returns its stdout lines; it must exit 0. */
function child(body) {
  const prog = `const torch = require(${JSON.stringify(path.join(ROOT, 'dist/index.js'))});
const nn = require(${JSON.stringify(path.join(ROOT, 'dist/nn/index.js'))});
const io = require(${JSON.stringify(path.join(ROOT, 'dist/torchvision/io.js'))});
const attempt = (f) => { try { f(); console.log('no error'); } catch (e) { console.log(e.name + ': ' + e.message.split('\\n')[0]); } };
${body}`;
  const r = spawnSync(process.execPath, ['-e', prog], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.signal, null, `the child was killed by ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 0, `the child exited with ${r.status}: ${r.stderr}`);
  return r.stdout.trim().split('\n');
}
const fdCount = () => fs.readdirSync('/proc/self/fd').length;

// ---- dtype and device -------------------------------------------------------------------------

describe('hardening: dtypes and devices cannot be forged', () => {
  it('new torch.dtype(...) is refused as Python refuses torch.dtype()', () => {
    assert.equal(ref.dtype_new.type, 'TypeError');
    assert.throws(() => new torch.dtype('undefined', 18, 0, true, true), (e) => e instanceof TypeError && e.message === ref.dtype_new.message);
    assert.throws(() => Reflect.construct(torch.dtype, [Symbol('x'), 'x', 6, 4, true, true]), TypeError);
  });

  it('view(forged dtype) (itemsize 0: SIGFPE before) is a clean error in a child process', () => {
    const out = child(`
const forged = Object.create(torch.dtype.prototype);
Object.assign(forged, { name: 'undefined', code: 18, itemsize: 0, is_floating_point: true, is_signed: true });
attempt(() => torch.zeros(2).view(forged));
const swapped = Object.setPrototypeOf({ name: 'x', code: 18, itemsize: 0 }, torch.dtype.prototype);
attempt(() => torch.zeros(2).view(swapped));
attempt(() => torch.zeros(2, { dtype: forged }));
attempt(() => { 'use strict'; torch.float32.itemsize = 0; });
console.log(String(torch.zeros(2).view(torch.int32).dtype), torch.float32.itemsize);`);
    assert.equal(out.length, 5);
    for (const line of out.slice(0, 4)) assert.match(line, /^TypeError: /);
    for (const line of out) assert.doesNotMatch(line, /Cannot read properties|no error/);
    assert.equal(out[4], 'torch.int32 4');
  });

  it('the library\'s dtypes: instanceof, frozen, lookups by name', () => {
    for (const n of ['float32', 'float', 'int64', 'long', 'bool', 'uint8', 'bfloat16']) assert.ok(torch[n] instanceof torch.dtype, n);
    assert.ok(Object.isFrozen(torch.float32));
    assert.ok(!(Object.create(torch.dtype.prototype) instanceof torch.dtype));
    assert.equal(torch.zeros(1).dtype, torch.float32);
  });

  it('torch.device checks its type and index with PyTorch\'s messages', () => {
    for (const [key, r] of Object.entries(ref.device)) {
      const args = key.split(',').map((a, i) => (i === 1 ? Number(a) : a));
      if (r.ok) {
        const d = new torch.device(...args);
        assert.equal(String(d), r.str, key);
        assert.equal(require('node:util').inspect(d), r.repr, key);
      } else {
        assert.throws(() => new torch.device(...args), (e) => e.message === r.message, key);
      }
    }
    // Python wraps an index beyond c10::DeviceIndex (int8): 300 -> 44; here it is an error
    assert.throws(() => new torch.device('cuda', 300), (e) => e instanceof RangeError && /at most 127/.test(e.message));
    assert.throws(() => new torch.device('cuda:1000'), RangeError);
    assert.throws(() => new torch.device('cpu', 1.5), (e) => e instanceof TypeError && /argument 'index' must be int/.test(e.message));
    assert.throws(() => new torch.device(5), (e) => e instanceof TypeError && /argument 'type' must be str/.test(e.message));
    const forged = Object.create(torch.device.prototype);
    assert.ok(!(forged instanceof torch.device));
    assert.ok(new torch.device('cpu') instanceof torch.device && torch.zeros(1).device instanceof torch.device);
    assert.ok(Object.isFrozen(new torch.device('cpu')));
    assert.throws(() => torch.zeros(1).to(Object.assign(Object.create(torch.device.prototype), { type: 'cuda', index: 99 })), TypeError);
  });
});

// ---- pickle ----------------------------------------------------------------------------------

describe('hardening: pickle strings and integers', () => {
  it('a lone surrogate is written as Python writes it (UTF-8, surrogatepass) and read back unchanged', () => {
    for (const { text_utf16: cps, pickle: hex } of ref.surrogates) {
      const s = String.fromCodePoint(...cps);
      assert.equal(Buffer.from(pickle.dumps(s)).toString('hex'), hex, JSON.stringify(s));
      assert.equal(pickle.loads(Buffer.from(hex, 'hex'), {}), s);
    }
  });

  it('a file Python saved with a lone surrogate loads exactly, and saves back to the same bytes', () => {
    const v = load(Buffer.from(ref.surrogate_saved, 'hex'));
    assert.equal(v.s, 'a\ud800b');
    const out = path.join(tmp, 'sur.pt');
    save({ s: v.s, x: 'a\udfff' }, out);
    assert.equal(load(out).s, 'a\ud800b');
    assert.equal(load(out).x, 'a\udfff');
  });

  it('a string that is not UTF-8 is an error with Python\'s wording', () => {
    assert.throws(() => pickle.loads(Buffer.from('8002580100000080' + '2e', 'hex'), {}),
      /not valid UTF-8: 'utf-8' codec can't decode byte 0x80 in position 0: invalid start byte/);
  });

  it('torch.load of a 1 MiB LONG4 integer takes linear time (a hang before) with Python\'s value', () => {
    const big = (1n << BigInt(8 * ref.long4.nbytes - 1)) - 12345n;
    const pkl = pickle.dumps(big);
    assert.equal(Buffer.from(pkl.subarray(2, 3)).toString('hex'), ref.long4.opcode);
    const w = native.zip_open_writer(null);
    native.zip_write_record(w, 'data.pkl', pkl);
    const file = native.zip_finish_writer(w);
    const t0 = Date.now();
    const v = load(file);
    const ms = Date.now() - t0;
    assert.equal(typeof v, 'bigint');
    assert.equal(Number(v % 1000000007n), ref.long4.mod_1e9_7);
    assert.equal(v.toString(2).length, ref.long4.bit_length);
    assert.ok(ms < 3000, `took ${ms} ms`);
  });

  it('an integer beyond the cap is refused, naming the cap', () => {
    const n = pickle.MAX_LONG_BYTES + 1;
    const b = Buffer.alloc(2 + 5 + n + 1);
    b[0] = 0x80; b[1] = 2; b[2] = 0x8b; b.writeInt32LE(n, 3); b[b.length - 1] = 0x2e;
    assert.throws(() => pickle.loads(b, {}), new RegExp(`exceeds torch-node's limit of ${pickle.MAX_LONG_BYTES} bytes`));
  });
});

// ---- load_state_dict ---------------------------------------------------------------------------

describe('hardening: load_state_dict shape checks are PyTorch 1.13\'s', () => {
  class M extends nn.Module { constructor() { super(); this.register_buffer('b', torch.tensor(1)); } }
  for (const [key, r] of Object.entries(ref.load_0d)) {
    it(`a tensor of shape [${key}] into a 0-d buffer: ${r.ok ? 'loaded as Python does (1-d input indexed [0])' : r.type}`, () => {
      const shape = key.split(',').map(Number);
      const n = shape.reduce((a, b) => a * b, 1);
      const input = torch.tensor(Array.from({ length: n }, (_, i) => 5 + i)).reshape(shape);
      const m = new M();
      if (r.ok) {
        m.load_state_dict({ b: input });
        assert.deepEqual(m.b.shape, r.shape);
        assert.equal(m.b.item(), r.value);
      } else {
        assert.throws(() => m.load_state_dict({ b: input }), (e) => e.message === r.message);
      }
    });
  }
  it('a shape mismatch is PyTorch\'s message', () => {
    class L extends nn.Module { constructor() { super(); this.fc = new nn.Linear(2, 3); } }
    assert.throws(() => new L().load_state_dict({ 'fc.weight': torch.zeros(3, 3), 'fc.bias': torch.zeros(3) }),
      (e) => e.message === ref.load_mismatch.message);
  });
});

// ---- torch.save to a full disk -------------------------------------------------------------------

describe('hardening: torch.save to a full disk', () => {
  it('a small object to /dev/full is an Error (it reported success), and no descriptor is left open', function () {
    if (!fs.existsSync('/dev/full')) this.skip();
    assert.throws(() => save(torch.ones(1), '/dev/full'), /torch.save: writing \/dev\/full failed: .*No space left on device/);
    const before = fdCount();
    for (let i = 0; i < 300; i++) {
      assert.throws(() => save(i % 2 ? { x: torch.zeros(1 << 14) } : torch.ones(1), '/dev/full'), /torch.save/);
    }
    assert.ok(fdCount() - before < 5, `${fdCount() - before} descriptors leaked`);
  });

  it('a full tmpfs: an Error each time, no file and no descriptor left behind', function () {
    const dir = path.join(tmp, 'tmpfs');
    fs.mkdirSync(dir);
    try { execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' }); } catch { this.skip(); }
    try {
      const before = fdCount();
      for (let i = 0; i < 100; i++) {
        assert.throws(() => save({ x: torch.zeros(1 << 15) }, path.join(dir, 'a.pt')), /torch.save: .*(failed|could not be written)/);
      }
      // nearly full: a small archive whose last buffered bytes only fail when the file is closed
      fs.writeFileSync(path.join(dir, 'filler'), Buffer.alloc(60 * 1024));
      for (let i = 0; i < 20; i++) {
        assert.throws(() => save({ x: torch.zeros(1000 + i) }, path.join(dir, 'a.pt')), /torch.save: .*(failed|could not be written)/);
      }
      fs.unlinkSync(path.join(dir, 'filler'));
      assert.ok(fdCount() - before < 5, `${fdCount() - before} descriptors leaked`);
      assert.deepEqual(fs.readdirSync(dir), []);
      save(torch.ones(3), path.join(dir, 'b.pt'));
      assert.deepEqual([...load(path.join(dir, 'b.pt')).typed_array()], [1, 1, 1]);
    } finally {
      try { execFileSync('umount', [dir]); } catch { execFileSync('umount', ['-l', dir]); }
    }
  });
});

// ---- zip bombs ---------------------------------------------------------------------------------

/** A zip by hand (records may be deflated, which LibTorch's writer never does): [name, bytes, deflate]. */
function zip(entries) {
  const locals = [], centrals = [];
  let offset = 0;
  for (const [name, data, deflate] of entries) {
    const body = deflate ? zlib.deflateRawSync(data, { level: 9 }) : data;
    const n = Buffer.from(name);
    const crc = zlib.crc32(data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0); lh.writeUInt16LE(20, 4); lh.writeUInt16LE(deflate ? 8 : 0, 8);
    lh.writeUInt32LE(crc, 14); lh.writeUInt32LE(body.length, 18); lh.writeUInt32LE(data.length, 22); lh.writeUInt16LE(n.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0); ch.writeUInt16LE(20, 4); ch.writeUInt16LE(20, 6); ch.writeUInt16LE(deflate ? 8 : 0, 10);
    ch.writeUInt32LE(crc, 16); ch.writeUInt32LE(body.length, 20); ch.writeUInt32LE(data.length, 24); ch.writeUInt16LE(n.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, n, body);
    centrals.push(ch, n);
    offset += 30 + n.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
const { PyGlobal, PyTuple, PyReduce, PyPersistentId, PyStr } = pickle;
function tensorPickle(numel, size) {
  return pickle.dumps(new PyReduce(new PyGlobal('torch._utils', '_rebuild_tensor_v2'), new PyTuple([
    new PyPersistentId(new PyTuple([new PyStr('storage'), new PyGlobal('torch', 'FloatStorage'), '0', 'cpu', numel])),
    0, new PyTuple([size]), new PyTuple([1]), false, new PyReduce(new PyGlobal('collections', 'OrderedDict'), new PyTuple([])),
  ])));
}
const MB64 = 64 << 20;

describe('hardening: storage sizes against record sizes', () => {
  it('a 16 MiB stored record behind a 4-element storage: only 16 bytes are read, as memory_stats() says', () => {
    const file = zip([['archive/data.pkl', Buffer.from(tensorPickle(4, 4))], ['archive/data/0', Buffer.alloc(16 << 20, 0)],
      ['archive/version', Buffer.from('3\n')]]);
    const before = liveStats(torch).bytes;
    const t = load(file);
    assert.deepEqual(t.shape, [4]);
    assert.equal(liveStats(torch).bytes - before, 16);
    const [, nbytes] = native.tensor_storage_info(t._h);
    assert.equal(nbytes, 16);
    t.dispose();
  });

  it('a zip bomb (a 64 MiB record deflated to 64 KiB behind a 4-element storage) is refused before inflating', () => {
    const file = zip([['archive/data.pkl', Buffer.from(tensorPickle(4, 4))], ['archive/data/0', Buffer.alloc(MB64, 0), true],
      ['archive/version', Buffer.from('3\n')]]);
    assert.ok(file.length < 200000, `the bomb is ${file.length} bytes`);
    const rss0 = process.memoryUsage().rss;
    assert.throws(() => load(file), /storage record 'data\/0' is compressed and inflates to 67108864 bytes, but the pickle says its storage has 4 elements of 4 bytes \(16 bytes\): refusing to inflate it/);
    assert.ok(process.memoryUsage().rss - rss0 < 32e6, 'nothing of the record\'s size was allocated');
  });

  it('a declared storage larger than its record is refused', () => {
    const file = zip([['archive/data.pkl', Buffer.from(tensorPickle(1 << 20, 4))], ['archive/data/0', Buffer.alloc(16), true],
      ['archive/version', Buffer.from('3\n')]]);
    assert.throws(() => load(file), /holds 16 bytes, but the pickle says it has 1048576 elements/);
  });

  it('a tensor viewing 4 elements of a 64 MiB storage loads the whole storage (as PyTorch) and memory_stats() counts it', () => {
    const file = zip([['archive/data.pkl', Buffer.from(tensorPickle(MB64 / 4, 4))], ['archive/data/0', Buffer.alloc(MB64, 0), true],
      ['archive/version', Buffer.from('3\n')]]);
    const before = liveStats(torch).bytes;
    const t = load(file);
    assert.deepEqual(t.shape, [4]);
    assert.equal(native.tensor_storage_info(t._h)[1], MB64);
    assert.equal(liveStats(torch).bytes - before, MB64);
    t.dispose();
    assert.equal(liveStats(torch).bytes, before);
  });
});

describe('hardening: failed loads leak nothing', () => {
  const many = (prefix, extra = []) => zip([...Array.from({ length: 20000 }, (_, i) => [`${prefix}f${i}`, Buffer.alloc(0)]), ...extra]);
  const cases = [
    ['the first record is not in a folder', many(''), /file in archive is not in a subdirectory: f0/],
    ['no version record', many('archive/'), /Expected hasRecord\("version"\) to be true, but got false/],
    ['a version that is not a number', many('archive/', [['archive/version', Buffer.from('x\n')]]), /Couldn't parse the version x\n as Long Long/],
    ['a version too new', many('archive/', [['archive/version', Buffer.from('99\n')]]), /version 99, but the maximum supported version for reading is 10/],
  ];
  for (const [what, file, re] of cases) {
    it(`a 20,000-entry zip with ${what}: a clear Error, and 150 of them do not grow RSS (1.4 MB each before)`, () => {
      assert.throws(() => load(file), (e) => /not a readable PyTorch zip archive/.test(e.message) && re.test(e.message));
      const p = path.join(tmp, 'corrupt.pt');
      fs.writeFileSync(p, file);
      assert.throws(() => load(p), re);
      for (let i = 0; i < 10; i++) assert.throws(() => load(file));
      // Under scripts/sanitize.sh, ASan's quarantine holds what was freed: RSS tells nothing.
      if (process.env.TORCH_NODE_UNDER_SANITIZER) return;
      const rss0 = process.memoryUsage().rss;
      for (let i = 0; i < 150; i++) assert.throws(() => load(i % 2 ? file : p));
      const grown = process.memoryUsage().rss - rss0;
      assert.ok(grown < 60e6, `RSS grew by ${(grown / 1e6).toFixed(0)} MB`);
    });
  }
});

// ---- images ------------------------------------------------------------------------------------

function crc32(buf) { return zlib.crc32(buf); }
function chunk(type, data) {
  const b = Buffer.alloc(12 + data.length);
  b.writeUInt32BE(data.length, 0); b.write(type, 4, 'latin1'); data.copy(b, 8);
  b.writeUInt32BE(crc32(b.subarray(4, 8 + data.length)), 8 + data.length);
  return b;
}
function png(w, h, { depth = 8, colorType = 0, idat = zlib.deflateSync(Buffer.alloc(2)) } = {}) {
  const ih = Buffer.alloc(13);
  ih.writeUInt32BE(w, 0); ih.writeUInt32BE(h, 4); ih[8] = depth; ih[9] = colorType;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ih), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}
const jpegSOF = (w, h) => Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, h >> 8, h & 255, w >> 8, w & 255, 1, 1, 0x11, 0, 0xff, 0xd9]);

describe('hardening: image headers are checked before anything is allocated', () => {
  it('decode_png of a 2147483647x1 header (a zlib abort before) is an Error in a child process', () => {
    const file = path.join(tmp, 'huge.png');
    fs.writeFileSync(file, png(2147483647, 1));
    const out = child(`const b = require('fs').readFileSync(${JSON.stringify(file)});
attempt(() => io.decode_png(b)); attempt(() => io.decode_image(b)); attempt(() => io.read_image(${JSON.stringify(file)}));`);
    for (const line of out) assert.equal(line, 'Error: decode_png: Image width exceeds user limit in IHDR (2147483647 > 1000000)');
  });

  it('libpng\'s IHDR checks, the pixel cap and a too-short IDAT, with clear messages', () => {
    const cases = [
      [png(0, 1), /Image width is zero in IHDR/], [png(1, 0), /Image height is zero in IHDR/],
      [png(0x80000000, 1), /Invalid image width in IHDR/], [png(1, 1000001), /Image height exceeds user limit in IHDR/],
      [png(1, 1, { depth: 3 }), /Invalid bit depth in IHDR/], [png(1, 1, { colorType: 5 }), /Invalid color type in IHDR/],
      [png(1, 1, { depth: 4, colorType: 2 }), /Invalid color type\/bit depth combination in IHDR/],
      [png(20000, 20000), new RegExp(`more than torch-node decodes \\(MAX_IMAGE_PIXELS = ${io.MAX_IMAGE_PIXELS}\\)`)],
      [png(10000, 10000), /Not enough image data: the IDAT chunks hold \d+ bytes, which cannot inflate to the 100010000 bytes of a 10000x10000 image/],
    ];
    for (const [b, re] of cases) assert.throws(() => io.decode_png(b), (e) => e instanceof Error && re.test(e.message), String(re));
    assert.deepEqual(io.decode_png(png(1, 1)).shape, [1, 1, 1]);
  });

  it('decode_jpeg: an empty or huge frame is refused before decoding, a corrupt stream is a clear Error', () => {
    const out = child(`attempt(() => io.decode_jpeg(Buffer.from(${JSON.stringify([...jpegSOF(65535, 65535)])})));
attempt(() => io.decode_jpeg(Buffer.from(${JSON.stringify([...jpegSOF(0, 10)])})));
attempt(() => io.decode_jpeg(Buffer.from(${JSON.stringify([...jpegSOF(16, 16)])})));`);
    assert.match(out[0], /^Error: decode_jpeg: the image is 65535x65535 \(4294836225 pixels\), more than torch-node decodes/);
    assert.equal(out[1], 'Error: decode_jpeg: Empty JPEG image (DNL not supported)');
    // libjpeg's message, as torchvision 0.14's decode_jpeg gives it
    assert.equal(out[2], 'Error: decode_jpeg: Invalid JPEG file structure: missing SOS marker');
  });
});

// ---- module hyper-parameters ---------------------------------------------------------------------

describe('hardening: module hyper-parameters are checked before a kernel sees them', () => {
  it('conv.groups = 2**53 (SIGFPE before, in Python too) and 2**32: RangeError in a child process', () => {
    // PyTorch 1.13 itself dies of this one; 2.x refuses it with a RuntimeError
    const py = ref.hparams['conv groups=2**53'];
    assert.ok(py.crash === true || (py.type === 'RuntimeError' && /^Given groups=9007199254740992/.test(py.message)), JSON.stringify(py));
    const out = child(`const x = torch.randn(1, 2, 5, 5);
for (const g of [2 ** 53, 2 ** 32, 2 ** 31]) { const c = new nn.Conv2d(2, 2, 3); c.groups = g; attempt(() => c(x)); }
for (const [k, v] of [['stride', [2 ** 32, 1]], ['dilation', [2 ** 32, 1]], ['padding', [2 ** 53, 0]]]) { const c = new nn.Conv2d(2, 2, 3); c[k] = v; attempt(() => c(x)); }
for (const [k, v] of [['kernel_size', 2 ** 32], ['stride', 2 ** 32 + 1], ['padding', 2 ** 62]]) { const p = new nn.AvgPool2d(2); p[k] = v; attempt(() => p(x)); }
const p = new nn.AvgPool2d(2, { divisor_override: 2 ** 32 }); attempt(() => p(x));
const a = new nn.AdaptiveAvgPool2d(2 ** 32); attempt(() => a(x));`);
    assert.equal(out.length, 11);
    assert.equal(out[0], 'RangeError: Conv2d: groups = 9007199254740992 is out of range (LibTorch\'s kernels take at most 2147483647)');
    for (const line of out) assert.match(line, /^RangeError: (Conv2d|AvgPool2d|AdaptiveAvgPool2d): \w+ = \d+ is out of range/);
  });

  it('values PyTorch checks give PyTorch\'s messages', () => {
    const x = torch.randn(1, 2, 5, 5);
    const run = {
      'conv groups=0': () => { const c = new nn.Conv2d(2, 2, 3); c.groups = 0; c(x); },
      'conv groups=3': () => { const c = new nn.Conv2d(2, 2, 3); c.groups = 3; c(x); },
      'conv stride=0': () => { const c = new nn.Conv2d(2, 2, 3); c.stride = [0, 1]; c(x); },
      'conv padding=-1': () => { const c = new nn.Conv2d(2, 2, 3); c.padding = [-1, 0]; c(x); },
      'conv dilation=0': () => { const c = new nn.Conv2d(2, 2, 3); c.dilation = [0, 1]; c(x); },
      'maxpool stride=0': () => { const p = new nn.MaxPool2d(2); p.stride = 0; p(x); },
      'avgpool divisor=0': () => new nn.AvgPool2d(2, { divisor_override: 0 })(x),
      'Conv2d groups=0': () => new nn.Conv2d(2, 2, 3, { groups: 0 }),
      'Conv2d groups=3': () => new nn.Conv2d(2, 2, 3, { groups: 3 }),
    };
    for (const [name, fn] of Object.entries(run)) {
      const r = ref.hparams[name];
      assert.throws(fn, (e) => e.message === r.message, name);
    }
  });

  it('bad hyper-parameter types are TypeErrors naming the layer and the argument', () => {
    const x = torch.randn(1, 2, 5, 5);
    const cases = [
      [() => { const p = new nn.MaxPool2d(2); p.kernel_size = null; p(x); }, /^MaxPool2d: kernel_size must be an int or a tuple of 2 ints, not null$/],
      [() => { const c = new nn.Conv2d(2, 2, 3); c.stride = undefined; c(x); }, /^Conv2d: stride must be an int or a tuple of 2 ints, not undefined$/],
      [() => { const c = new nn.Conv2d(2, 2, 3); c.groups = '2'; c(x); }, /^Conv2d: groups must be an integer, not string$/],
      [() => new nn.Conv2d(2, 2, null), /^Conv2d: kernel_size must be an int or a tuple of 2 ints, not null$/],
      [() => new nn.Linear(1.5, 2), /^Linear: in_features must be an integer, not 1.5$/],
      [() => new nn.BatchNorm2d('4'), /^BatchNorm2d: num_features must be an integer, not string$/],
      [() => { const a = new nn.AdaptiveAvgPool2d(2); a.output_size = {}; a(x); }, /^AdaptiveAvgPool2d: output_size must be an int or a tuple of 2 ints/],
      [() => io.decode_png(5), /^decode_png\(\): input must be/],
      [() => torch.zeros(1).to(5), /device/],
      [() => new nn.Linear(2, 3).apply(5), /^apply\(\): argument 'fn' must be callable, not int$/],
      [() => new nn.Linear(2, 3).get_submodule(5), /^get_submodule\(\): argument 'target' must be str, not int$/],
      [() => new nn.Dropout('a'), /^Dropout: p must be a number, not string$/],
      [() => save(torch.ones(1), path.join(tmp, 'o.pt'), null), /^torch.save: argument 'opts' must be an options object, not null$/],
      [() => load(path.join(tmp, 'o.pt'), 5), /^torch.load: the second argument must be map_location or an options object, not number$/],
      [() => pickle.loads(5, {}), /^pickle.loads\(\): data must be a Uint8Array or Buffer, not number$/],
      [() => pickle.loads(Buffer.from('80024e2e', 'hex'), null), /^pickle.loads\(\): hooks must be an object, not None$/],
      [() => new torch.device(null), /^device\(\): argument 'type' must be str or torch.device, not None$/],
      [() => new nn.BatchNorm2d(2)(5), /^BatchNorm2d.forward\(\): argument 'input' must be a Tensor, not number$/],
      [() => new nn.Flatten()(null), /^Flatten.forward\(\): argument 'input' must be a Tensor, not null$/],
      [() => new nn.MSELoss()(torch.ones(1)), /^MSELoss.forward\(\): argument 'target' must be a Tensor, not undefined$/],
      [() => [...new nn.Linear(2, 3).named_modules(5)], /^named_modules\(\): argument 'memo' must be a Set or null, not int$/],
      [() => new nn.Linear(2, 3).state_dict(null), /^state_dict\(\): the argument must be an options object/],
    ];
    for (const [fn, re] of cases) assert.throws(fn, (e) => e instanceof TypeError && re.test(e.message), String(re));
  });
});
