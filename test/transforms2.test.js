'use strict';
// torchvision.transforms (0.14) beyond the tutorial's: each case of
// scripts/gen-transforms2-fixtures.py run on the same image after the same
// torch.manual_seed, compared with torchvision's output, and the next
// torch.rand(1) compared too (the transform drew as many numbers as torchvision's).
// uint8 results must be bit-identical; float results within 1e-6 (SIMD paths).
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const torch = require('torch-node');
const C = require('./support/close');
const { liveStats } = require('./support/gc');
const T = require('torch-node/torchvision/transforms');

const F = T.functional;
// This LibTorch's values: test/fixtures/torch-<version>/transforms2.json where its torchvision computed others.
const fx = require('./support/fixtures').loadFixture('transforms2.json');
const TYPED = { float32: Float32Array, float64: Float64Array, int64: BigInt64Array, uint8: Uint8Array };

function values(enc) {
  const raw = new Uint8Array(zlib.inflateSync(Buffer.from(enc.z64, 'base64')));
  const Ty = TYPED[enc.dtype];
  return new Ty(raw.buffer, 0, raw.byteLength / Ty.BYTES_PER_ELEMENT);
}
const input = (name) => torch.from_blob(values(fx.inputs[name]), fx.inputs[name].shape).clone();

function assertTensor(t, enc, label, atol = 1e-6) {
  assert.ok(t instanceof torch.Tensor, `${label}: a tensor`);
  assert.deepEqual(t.shape, enc.shape, `${label}: shape`);
  assert.equal(t.dtype.name, enc.dtype, `${label}: dtype`);
  const float = enc.dtype.startsWith('float');
  C.assertValues(t.contiguous().typed_array(), values(enc), { exact: !float, atol: float ? atol : 0, label, who: 'torchvision', dtype: enc.dtype });
}

/** The JSON argument forms of the generator, as torch-node values. */
function arg(v) {
  if (Array.isArray(v)) return v.map(arg);
  if (v && typeof v === 'object') {
    if ('interp' in v) return v.interp; // InterpolationMode values are their names
    if ('dtype' in v) return torch[v.dtype];
    if ('tensor' in v) return torch.tensor(v.tensor);
    if ('policy' in v) return v.policy; // AutoAugmentPolicy values are their names
    if ('T' in v) { const [name, a, k] = v.T; return new T[name](...a.map(arg), kwargs(k)); }
  }
  return v;
}
const kwargs = (k) => Object.fromEntries(Object.entries(k).map(([n, v]) => [n, arg(v)]));

// Float tolerances where torchvision's own float math is reordered by SIMD: none needed so far;
// per-case overrides go here with the measured reason.
const ATOL = {};

describe('torchvision.transforms (0.14): the rest of the classic API, against torchvision after manual_seed', () => {
  for (const c of fx.cases) {
    const label = `${c.kind === 'F' ? 'F.' : ''}${c.name}(${JSON.stringify(c.args).slice(1, -1).slice(0, 60)}${Object.keys(c.kwargs).length ? `, ${JSON.stringify(c.kwargs).slice(0, 60)}` : ''}) on ${c.input}`;
    it(label, () => {
      const img = input(c.input);
      torch.manual_seed(c.seed);
      const run = () => (c.kind === 'F' ? F[c.name](img, ...arg(c.args), kwargs(c.kwargs)) : new T[c.name](...arg(c.args), kwargs(c.kwargs))(img));
      if (c.out.error) {
        assert.throws(run, (e) => e.message.includes(c.out.error), c.out.error);
        assert.equal(torch.rand(1).item(), c.next_rand, `${label}: the generator is left where torchvision leaves it`);
        return;
      }
      const out = run();
      if (Array.isArray(c.out)) {
        assert.equal(out.length, c.out.length);
        c.out.forEach((e, i) => assertTensor(out[i], e, `${label}[${i}]`, ATOL[c.name]));
      } else {
        assertTensor(out, c.out, label, ATOL[c.name]);
      }
      assert.equal(torch.rand(1).item(), c.next_rand, `${label}: the generator is left where torchvision leaves it`);
    });
  }
});

describe('torchvision.transforms: arguments and errors as torchvision', () => {
  const img = () => input('u8');
  it('constructor checks with torchvision\'s messages', () => {
    const cases = [
      [() => new T.ColorJitter(-1), /If brightness is a single number, it must be non negative./],
      [() => new T.ColorJitter(0, 0, 0, [0.2, 0.6]), /hue values should be between \(-0.5, 0.5\)/],
      [() => new T.RandomRotation(-3), /If degrees is a single number, it must be positive./],
      [() => new T.RandomRotation([1, 2, 3]), /degrees should be a sequence of length 2./],
      [() => new T.RandomAffine(0, [0.2, 1.5]), /translation values should be between 0 and 1/],
      [() => new T.RandomAffine(0, null, [0, 1]), /scale values should be positive/],
      [() => new T.RandomAffine(0, { shear: [1, 2, 3] }), /shear should be a sequence of length 2 or 4./],
      [() => new T.GaussianBlur(4), /Kernel size value should be an odd and positive number./],
      [() => new T.GaussianBlur(3, [2, 1]), /sigma values should be positive and of the form \(min, max\)./],
      [() => new T.RandomErasing({ value: 'noise' }), /If value is str, it should be 'random'/],
      [() => new T.RandomErasing({ p: 2 }), /Random erasing probability should be between 0 and 1/],
      [() => new T.RandomErasing({ scale: [0.5, 2] }), /Scale should be between 0 and 1/],
      [() => new T.Pad([1, 2, 3]), /Padding must be an int or a 1, 2, or 4 element tuple, not a 3 element tuple/],
      [() => new T.Pad(1, { padding_mode: 'wrap' }), /Padding mode should be either constant, edge, reflect or symmetric/],
      [() => new T.Lambda(3), /Argument lambd should be callable/],
      [() => new T.RandomPosterize(), /missing required argument: 'bits'/],
      [() => new T.RandomCrop(10, { pading: 2 }), /RandomCrop\(\) got an unexpected keyword argument 'pading'/],
      [() => new T.LinearTransformation(torch.zeros(3, 4), torch.zeros(3)), /transformation_matrix should be square. Got \(3, 4\) rectangular matrix./],
    ];
    for (const [f, re] of cases) assert.throws(f, re);
  });
  it('functional checks with torchvision\'s messages', () => {
    const cases = [
      [() => F.adjust_brightness(img(), -1), /brightness_factor \(-1\) is not non-negative./],
      [() => F.adjust_hue(img(), 0.7), /hue_factor \(0.7\) is not in \[-0.5, 0.5\]./],
      [() => F.posterize(input('f32'), 2), /Only torch.uint8 image tensors are supported, but found torch.float32/],
      [() => F.equalize(input('f32')), /Only torch.uint8 image tensors are supported/],
      [() => F.solarize(img(), 300), /Threshold should be less than bound of img./],
      [() => F.rgb_to_grayscale(torch.zeros([2, 4, 4])), /permitted channel values are \[1, 3\], but found 2/],
      [() => F.rgb_to_grayscale(img(), 2), /num_output_channels should be either 1 or 3/],
      [() => F.gaussian_blur(img(), 4), /kernel_size should have odd and positive integers/],
      [() => F.rotate(img(), 10, 'bicubic'), /Interpolation mode 'bicubic' is unsupported with Tensor input/],
      [() => F.affine(img(), 0, [0, 0], 0, 0), /Argument scale should be positive/],
      [() => F.affine(img(), 0, [0], 1, 0), /Argument translate should be a sequence of length 2/],
      [() => F.rotate(img(), 10, { fill: [1, 2] }), /The number of elements in 'fill' cannot broadcast to match the number of channels of the image \(2 != 3\)/],
      [() => F.five_crop(img(), 30), /Requested crop size \(30, 30\) is bigger than input size \(23, 29\)/],
      [() => F.elastic_transform(img(), torch.zeros(1, 2, 2, 2)), /Argument displacement shape should be \[1, 23, 29, 2\]/],
    ];
    for (const [f, re] of cases) assert.throws(f, re);
  });
  it('printed forms: torchvision\'s reprs', () => {
    for (const r of fx.reprs) assert.equal(String(new T[r.name](...arg(r.args), kwargs(r.kwargs))), r.repr, r.name);
  });
  it('functional parameters by position or by keyword, as Python; unknown keywords are TypeErrors', () => {
    const x = img();
    assert.ok(F.adjust_brightness(x, { brightness_factor: 1.7 }).equal(F.adjust_brightness(x, 1.7)));
    assert.ok(F.posterize({ img: x, bits: 3 }).equal(F.posterize(x, 3)));
    assert.ok(F.rotate(x, 30, { interpolation: 'bilinear', expand: true }).equal(F.rotate(x, 30, 'bilinear', true)));
    assert.ok(F.pad(x, 2, { padding_mode: 'reflect' }).equal(F.pad(x, 2, 0, 'reflect')));
    assert.throws(() => F.adjust_hue(x, { hue: 0.1 }), /adjust_hue\(\) got an unexpected keyword argument 'hue'/);
    assert.throws(() => F.solarize(x), /solarize\(\) missing required argument: 'threshold'/);
    assert.throws(() => F.rotate(x, 30, { fil: 0 }), /rotate\(\) got an unexpected keyword argument 'fil'/);
  });
  it('RandomOrder applies every transform once; RandomChoice one, following p; Lambda calls through', () => {
    const calls = [];
    const mk = (k) => (x) => { calls.push(k); return x + 1; };
    const order = new T.RandomOrder([mk('a'), mk('b'), mk('c')]);
    const seen = new Set();
    for (let i = 0; i < 60; i++) { calls.length = 0; assert.equal(order(0), 3); assert.deepEqual([...calls].sort(), ['a', 'b', 'c']); seen.add(calls.join('')); }
    assert.ok(seen.size > 1, 'several orders');
    const choice = new T.RandomChoice([mk('x'), mk('y')], [0, 1]);
    calls.length = 0;
    for (let i = 0; i < 20; i++) choice(0);
    assert.deepEqual([...new Set(calls)], ['y']);
    assert.equal(new T.Lambda((x) => x * 2)(21), 42);
  });
  it('Compose of the new transforms runs in a scope: only the result stays alive', () => {
    const pipeline = new T.Compose([new T.RandomCrop(20), new T.ColorJitter(0.3, 0.3, 0.3, 0.05), new T.RandomRotation(10), new T.GaussianBlur(3), new T.ConvertImageDtype(torch.float32), new T.RandomErasing()]);
    const x = input('u8');
    torch.manual_seed(0);
    pipeline(x).dispose(); // warm-up
    const before = liveStats(torch).tensors;
    const y = pipeline(x);
    assert.deepEqual(y.shape, [3, 20, 20]);
    assert.equal(liveStats(torch).tensors, before + 1, 'the result only');
    y.dispose();
  });
});

describe('torchvision.utils.make_grid / save_image against torchvision 0.14', () => {
  const { utils } = require('torch-node/torchvision');
  const io = require('torch-node/torchvision/io');
  const os = require('node:os');
  const batch = () => torch.from_blob(values(fx.grid_input), fx.grid_input.shape).clone();
  const inputs = {
    batch: () => batch(), list3: () => [0, 1, 2].map((i) => batch().select(0, i)), one: () => batch().select(0, 0),
    gray: () => batch().select(0, 0).narrow(0, 0, 1), gray_batch: () => batch().narrow(0, 0, 5).narrow(1, 0, 1),
  };
  for (const c of fx.grid) {
    it(`make_grid(${c.input}, ${JSON.stringify(c.kwargs)})`, () => {
      const x = inputs[c.input]();
      const before = Array.isArray(x) ? null : x.clone();
      assertTensor(utils.make_grid(x, c.kwargs), c.out, c.input);
      if (before) assert.ok(x.equal(before), 'the input is not modified (normalize works on a copy)');
    });
  }
  it('save_image writes the pixels torchvision\'s save_image writes (PNG exactly; JPEG as libjpeg decodes both files)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-grid-'));
    utils.save_image(batch(), path.join(dir, 'grid.png'), { nrow: 4 });
    assert.ok(io.read_image(path.join(dir, 'grid.png')).equal(io.decode_png(Buffer.from(fx.save_png, 'base64'))));
    utils.save_image(batch(), path.join(dir, 'g.out'), { format: 'jpeg', normalize: true });
    const ours = io.read_image(path.join(dir, 'g.out')), theirs = io.decode_jpeg(Buffer.from(fx.save_jpeg, 'base64'));
    assert.deepEqual(ours.shape, theirs.shape);
    const d = ours.to(torch.int32).sub(theirs.to(torch.int32)).abs();
    assert.equal(d.max().item(), 0, `JPEG pixels differ from PIL's by up to ${d.max().item()}`);
    assert.throws(() => utils.save_image(batch(), path.join(dir, 'x.gif')), /unknown file extension: .gif/);
    assert.throws(() => utils.make_grid([batch(), 3]), /tensor or list of tensors expected, got a list containing number/);
    assert.throws(() => utils.make_grid(batch(), { nrows: 2 }), /make_grid\(\) got an unexpected keyword argument 'nrows'/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
