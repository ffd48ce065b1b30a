'use strict';
// torchvision.io through sharp (libvips: libjpeg-turbo, libspng) against torchvision 0.14, run at
// test time (scripts/io-reference.py with the reference Python when it has torchvision, else Debian's) on the committed test images
// (scripts/gen-transforms-fixtures.py and scripts/gen-io-images.py). Decoding must be bit-identical
// in every ImageReadMode, JPEG included: libvips and torchvision both decode with libjpeg-turbo's
// default IDCT and "fancy" chroma upsampling, and GRAY of a YCbCr JPEG is its Y plane (read through
// a copy of the file marked RGB-coded).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const torch = require('torch-node');
const io = require('torch-node/torchvision/io');

const ROOT = path.join(__dirname, '..');
const PYTHON = require('./support/fixtures').torchvisionPython();
const IMAGES = path.join(__dirname, 'fixtures', 'images');
const MODES = ['UNCHANGED', 'GRAY', 'GRAY_ALPHA', 'RGB', 'RGB_ALPHA'];

function reference(request) {
  const r = spawnSync(PYTHON, [path.join(ROOT, 'scripts', 'io-reference.py')], { input: JSON.stringify(request), maxBuffer: 256 << 20, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`io-reference.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** [number of samples that differ, max |diff|] between a uint8 CHW tensor and torchvision's answer. */
function diff(t, want) {
  assert.deepEqual(t.shape, want.shape);
  assert.equal(t.dtype, torch.uint8);
  const got = t.contiguous().typed_array(), exp = Buffer.from(want.b64, 'base64');
  let n = 0, max = 0;
  for (let i = 0; i < exp.length; i++) { const d = Math.abs(got[i] - exp[i]); if (d) { n++; if (d > max) max = d; } }
  return [n, max];
}

// Where torchvision 0.14 is not followed, on purpose (see lib/torchvision/io.ts).
const KNOWN = {
  // torchvision hands out the packed bytes of a <8-bit palette image read UNCHANGED (and
  // uninitialized memory after them); torch-node gives the unpacked palette indices
  'io_palette4bit.png/UNCHANGED': 'indices',
  // ... and, asked for alpha (the file has no tRNS), samples in a scrambled order (not even its
  // GRAY / RGB ones): torch-node gives GRAY / RGB plus an opaque alpha, as for 8-bit palettes
  'io_palette4bit.png/GRAY_ALPHA': 'alpha',
  'io_palette4bit.png/RGB_ALPHA': 'alpha',
};

describe('torchvision.io: bit-identical to torchvision 0.14 (libjpeg through the addon, sharp)', function () {
  this.timeout(120000);
  const files = fs.readdirSync(IMAGES).filter((f) => /\.(png|jpg)$/.test(f)).sort();
  let ref;
  before(() => {
    assert.equal(io.get_image_decoder(), 'libjpeg', 'the addon has libjpeg on this machine (JPEG), sharp loads (PNG)');
    assert.match(io.image_decoder_versions().vips, /^\d+\.\d+/);
    ref = reference({ decode: files.map((f) => path.join(IMAGES, f)) }).decode;
  });

  for (const decoder of ['libjpeg', 'sharp']) {
  it(`${decoder}: every test image in every ImageReadMode: the same samples, or torchvision's error`, () => {
    io.set_image_decoder(decoder);
    try {
    let compared = 0;
    for (const f of files) {
      for (const m of MODES) {
        const want = ref[path.join(IMAGES, f)][m];
        const known = KNOWN[`${f}/${m}`];
        if (known instanceof RegExp) { assert.throws(() => io.read_image(path.join(IMAGES, f), m), known); continue; }
        if (known === 'indices') {
          const t = io.read_image(path.join(IMAGES, f), m);
          assert.deepEqual(t.shape, want.shape);
          assert.ok(t.max().item() < 16, 'palette indices of a 4-bit image');
          continue;
        }
        if (known === 'alpha') {
          const t = io.read_image(path.join(IMAGES, f), m);
          const c = t.shape[0] - 1;
          const color = ref[path.join(IMAGES, f)][c === 1 ? 'GRAY' : 'RGB'];
          assert.deepEqual(diff(t.narrow(0, 0, c), color), [0, 0], `${f} ${m} color channels`);
          assert.deepEqual(t.index(c).unique().tolist(), [255]);
          continue;
        }
        if (want.error) {
          assert.throws(() => io.read_image(path.join(IMAGES, f), io.ImageReadMode[m]), (e) => e.message.includes(want.error), `${f} ${m}: ${want.error}`);
          continue;
        }
        const [n, max] = diff(io.read_image(path.join(IMAGES, f), io.ImageReadMode[m]), want);
        assert.equal(n, 0, `${f} ${m}: ${n} samples differ (max ${max})`);
        compared++;
      }
    }
    assert.ok(compared >= 80, `compared ${compared} decodes`);
    } finally { io.set_image_decoder('libjpeg'); }
  });
  }

  it('decode_image_async / read_image_async / decode_jpeg_async / decode_png_async give the same, several at once', async () => {
    const jobs = [];
    for (const f of files) {
      const p = path.join(IMAGES, f);
      for (const m of ['UNCHANGED', 'GRAY', 'RGB']) {
        const want = ref[p][m];
        if (want.error || KNOWN[`${f}/${m}`]) continue;
        const bytes = fs.readFileSync(p);
        const dec = f.endsWith('.png') ? io.decode_png_async : io.decode_jpeg_async;
        jobs.push(io.read_image_async(p, m).then((t) => [t, want, `${f} ${m} read_image_async`]));
        jobs.push(io.decode_image_async(io.read_file(p), { mode: m }).then((t) => [t, want, `${f} ${m} decode_image_async`]));
        jobs.push(dec(bytes, io.ImageReadMode[m]).then((t) => [t, want, `${f} ${m} ${dec.name}`]));
      }
    }
    for (const [t, want, label] of await Promise.all(jobs)) assert.deepEqual(diff(t, want), [0, 0], label);
    await assert.rejects(io.read_image_async(path.join(IMAGES, 'io_truncated.jpg')), /Image is incomplete or truncated/);
    await assert.rejects(io.decode_image_async(Buffer.from('GIF89a....')), /Unsupported image file/);
  });

  it('keyword arguments as Python (mode=, device=); misspelt keys are TypeErrors', () => {
    const p = path.join(IMAGES, 'io_noise420.jpg');
    const want = ref[p].GRAY;
    assert.deepEqual(diff(io.read_image(p, { mode: io.ImageReadMode.GRAY }), want), [0, 0]);
    assert.deepEqual(diff(io.decode_jpeg(io.read_file(p), { mode: 'GRAY', device: 'cpu' }), want), [0, 0]);
    assert.deepEqual(diff(io.decode_image(fs.readFileSync(p), 'GRAY'), want), [0, 0]);
    assert.throws(() => io.read_image(p, { mdoe: 'RGB' }), /read_image\(\) got an unexpected keyword argument 'mdoe'/);
    assert.throws(() => io.decode_jpeg(io.read_file(p), 'RGB', 'cpu', 3), /decode_jpeg\(\) takes 2 positional arguments but 3 were given/);
    assert.throws(() => io.read_image(p, 'CMYK'), /unknown ImageReadMode 'CMYK'/);
  });

  it('encode_jpeg: the pixels torchvision\'s encode_jpeg gives (libjpeg defaults, 4:2:0), gray and RGB, several qualities', () => {
    const rgb = io.read_image(path.join(IMAGES, 'io_noise444.jpg'), 'RGB');
    const gray = io.read_image(path.join(IMAGES, 'io_noise_gray.jpg'));
    const cases = [[rgb, 75], [rgb, 95], [rgb, 1], [gray, 75], [gray, 100]];
    const got = cases.map(([t, q]) => io.encode_jpeg(t, q));
    const want = reference({ encode: cases.map(([t, q]) => ({ raw: Buffer.from(t.contiguous().typed_array()).toString('base64'), shape: t.shape, quality: q })) }).encode;
    // Both files decoded by io.decode_jpeg, which the test above shows bit-identical to torchvision's.
    got.forEach((b, i) => {
      assert.equal(b.dtype, torch.uint8);
      assert.equal(b.dim(), 1);
      const theirs = io.decode_jpeg(Buffer.from(want[i].b64, 'base64')), ours = io.decode_jpeg(b);
      assert.deepEqual(ours.shape, theirs.shape);
      assert.ok(ours.equal(theirs), `encode_jpeg case ${i} (quality ${cases[i][1]}): other pixels than torchvision's encode_jpeg gives`);
    });
  });

  it('encode_png / write_png / write_jpeg / write_file / read_file round trips (PNG exactly, 1 and 3 channels)', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-io-'));
    const rgb = io.read_image(path.join(IMAGES, 'rgb.png'), 'RGB');
    const gray = io.read_image(path.join(IMAGES, 'gray.png'), 'GRAY');
    for (const [t, name] of [[rgb, 'rgb'], [gray, 'gray']]) {
      for (const level of [0, 6, 9]) {
        const file = path.join(tmp, `${name}${level}.png`);
        io.write_png(t, file, { compression_level: level });
        assert.ok(io.read_image(file).equal(t), `${name} level ${level}`);
        assert.ok(io.decode_png(io.encode_png(t, level)).equal(t));
      }
      io.write_jpeg(t, path.join(tmp, `${name}.jpg`), 90);
      assert.deepEqual(io.read_image(path.join(tmp, `${name}.jpg`)).shape, t.shape);
    }
    // a non-contiguous input (a permuted view) is encoded as the image it shows
    const t = rgb.permute(0, 2, 1);
    assert.ok(io.decode_png(io.encode_png(t)).equal(t));
    const bytes = io.read_file(path.join(tmp, 'rgb6.png'));
    io.write_file(path.join(tmp, 'copy.png'), bytes);
    assert.ok(fs.readFileSync(path.join(tmp, 'copy.png')).equals(fs.readFileSync(path.join(tmp, 'rgb6.png'))));
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('encode / write errors: torchvision\'s messages', () => {
    const u8 = (...s) => torch.zeros(s, { dtype: torch.uint8 });
    const cases = [
      [() => io.encode_jpeg(torch.zeros(3, 4, 4)), TypeError, 'Input tensor dtype should be uint8'],
      [() => io.encode_jpeg(u8(4, 4)), RangeError, 'Input data should be a 3-dimensional tensor'],
      [() => io.encode_jpeg(u8(2, 4, 4)), RangeError, 'The number of channels should be 1 or 3, got: 2'],
      [() => io.encode_png(u8(4, 4, 4)), RangeError, 'The number of channels should be 1 or 3, got: 4'],
      [() => io.encode_png(u8(3, 4, 4), 10), RangeError, 'Compression level should be between 0 and 9'],
      [() => io.encode_png(u8(3, 4, 4), -1), RangeError, 'Compression level should be between 0 and 9'],
      [() => io.encode_jpeg(u8(3, 4, 4), 0), RangeError, 'Image quality should be a positive number between 1 and 100'],
      [() => io.encode_jpeg(u8(3, 4, 4), 101), RangeError, 'Image quality should be a positive number between 1 and 100'],
      [() => io.encode_jpeg(u8(3, 4, 4), 7.5), TypeError, 'encode_jpeg(): quality must be an int'],
      [() => io.encode_jpeg(u8(3, 0, 4)), RangeError, 'Empty JPEG image (DNL not supported)'],
      [() => io.encode_jpeg(u8(3, 4, 4), { qualty: 3 }), TypeError, "encode_jpeg() got an unexpected keyword argument 'qualty'"],
      [() => io.write_file(path.join(os.tmpdir(), 'x.bin'), torch.zeros(3)), TypeError, 'Input tensor dtype should be uint8'],
      [() => io.write_file(path.join(os.tmpdir(), 'x.bin'), u8(3, 3)), RangeError, 'Input data should be a 1-dimensional tensor'],
      [() => io.write_png(u8(3, 4, 4), 5), TypeError, 'write_file(): filename must be a string'],
      [() => io.read_file(path.join(IMAGES, 'nope.png')), Error, 'ENOENT'],
    ];
    for (const [f, type, msg] of cases) assert.throws(f, (e) => e instanceof type && e.message.includes(msg), msg);
  });

  it('ImageFolder decodes through sharp, in DataLoader worker threads too', () => {
    const { ImageFolder } = require('torch-node/torchvision/datasets');
    const { DataLoader } = require('torch-node/utils/data');
    const transforms = require('torch-node/torchvision/transforms');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-io-'));
    const names = ['io_noise420.jpg', 'io_noise422.jpg', 'io_noise444.jpg', 'io_icc.jpg'];
    for (const [i, n] of names.entries()) {
      fs.mkdirSync(path.join(tmp, `c${i % 2}`), { recursive: true });
      fs.copyFileSync(path.join(IMAGES, n), path.join(tmp, `c${i % 2}`, n));
    }
    const ds = new ImageFolder(tmp, { transform: new transforms.PILToTensor() });
    const [img, label] = ds.__getitem__(0);
    assert.equal(label, 0);
    assert.deepEqual(diff(img, ref[path.join(IMAGES, 'io_noise420.jpg')].RGB), [0, 0]); // c0/io_noise420.jpg
    const loader = new DataLoader(ds, { batch_size: 2, num_workers: 2 });
    const seen = [];
    for (const [x, y] of loader) { assert.deepEqual(x.shape, [2, 3, 40, 48]); seen.push(...y.tolist()); }
    assert.deepEqual(seen, [0, 0, 1, 1]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});

describe('torchvision.io: the decoding thread', function () {
  this.timeout(120000);
  it('ending it fails the pending async decodes with a clear Error; the next decode starts a new one', async () => {
    const p = path.join(IMAGES, 'io_noise420.jpg');
    // a 12-megapixel JPEG: decoding it takes far longer than ending the thread does
    const big = io.encode_jpeg(torch.randint(0, 256, [3, 3000, 4000], { dtype: torch.uint8 }), 90);
    const pending = io.decode_image_async(big);
    const stopped = io._stop_image_decoder();
    await assert.rejects(pending, /the sharp decoding thread has ended unexpectedly/);
    await stopped;
    assert.deepEqual(io.read_image(p).shape, [3, 40, 48]);
    assert.deepEqual((await io.read_image_async(p)).shape, [3, 40, 48]);
  });
});

describe('torchvision.io without sharp', function () {
  this.timeout(120000);
  it('warns once and decodes with the JavaScript decoders when sharp cannot be loaded', () => {
    const hook = path.join(os.tmpdir(), `torch-node-nosharp-${process.pid}.js`);
    fs.writeFileSync(hook, `const M = require('module'); const r = M._resolveFilename;
M._resolveFilename = function (req, ...a) { if (req === 'sharp') throw new Error("Cannot find module 'sharp'"); return r.call(this, req, ...a); };`);
    const script = `const io = require('torch-node/torchvision/io');
const a = io.read_image(${JSON.stringify(path.join(IMAGES, 'rgb.png'))});
const b = io.read_image(${JSON.stringify(path.join(IMAGES, 'rgb420.jpg'))}, 'RGB');
console.log(io.get_image_decoder(), a.shape.join('x'), b.shape.join('x'), a.sum().item());`;
    const r = spawnSync(process.execPath, ['-r', hook, '-e', script], { cwd: ROOT, encoding: 'utf8' });
    fs.rmSync(hook, { force: true });
    assert.equal(r.status, 0, r.stderr);
    const sum = io.read_image(path.join(IMAGES, 'rgb.png')).sum().item();
    assert.equal(r.stdout.trim(), `libjpeg 3x30x40 3x30x40 ${sum}`); // JPEG: the addon's libjpeg; PNG: pngjs
    const warnings = r.stderr.split('\n').filter((l) => l.includes('sharp could not be loaded'));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0], /UserWarning: torchvision.io: sharp could not be loaded \(Cannot find module 'sharp'\); images are decoded by the JavaScript decoders/);
  });

  it("set_image_decoder('js') switches to pngjs / jpeg-js (PNG still exact); bad names are TypeErrors", () => {
    const p = path.join(IMAGES, 'rgba.png');
    const sharpT = io.read_image(p, 'GRAY_ALPHA');
    io.set_image_decoder('js');
    try {
      assert.equal(io.get_image_decoder(), 'js');
      assert.ok(io.read_image(p, 'GRAY_ALPHA').equal(sharpT));
    } finally { io.set_image_decoder('libjpeg'); }
    assert.equal(io.get_image_decoder(), 'libjpeg');
    assert.throws(() => io.set_image_decoder('pil'), TypeError);
    assert.match(io.image_decoder_versions().vips, /^\d+\.\d+/);
  });
});
