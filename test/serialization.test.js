'use strict';
// torch.save / torch.load against real PyTorch 1.13, both ways:
//  - files written by Python (test/fixtures/serialization, from
//    scripts/gen-serialization-fixtures.py) load here with the values,
//    dtypes, strides and storage sharing Python sees; saved again here they
//    are byte for byte the file Python wrote;
//  - files written here load in Python (Debian's /usr/bin/python3, run at test
//    time) with torch.load(weights_only=True), with the same values, and
//    Python's own torch.save of what it loaded writes the very same bytes;
//  - corrupted, truncated and hostile files give a clear Error each, and the
//    process lives on.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const torch = require('../dist/index.js');
const { save, load, PARAMETER } = require('../dist/serialization.js');
const pickle = require('../dist/pickle.js');
const { native } = require('../dist/native.js');

const { fixturePath, loadFixture, referencePython, torchVersion } = require('./support/fixtures');
const expected = loadFixture('serialization/expected.json');
const GENERATOR = path.join(__dirname, '..', 'scripts', 'gen-serialization-fixtures.py');
const PYTHON = referencePython;
const PWNED = '/tmp/torch-node-serialization-pwned';
const fixture = (name) => fixturePath(`serialization/${name}.pt`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-ser-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

// ---- comparing JS values with Python's descriptions ------------------------------------------

const hex = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength).toString('hex');

function tensorFacts(t) {
  const [sid, nbytes, offset] = native.tensor_storage_info(t._h);
  const flat = t.detach().reshape(-1).contiguous();
  const bytes = t.numel() ? hex(flat.view(torch.uint8).typed_array()) : '';
  return {
    dtype: t.dtype.name, shape: t.shape, stride: t.stride(), storage_offset: offset,
    storage_numel: nbytes / t.dtype.itemsize, requires_grad: t.requires_grad,
    parameter: t[PARAMETER] === true || t.constructor.name === 'Parameter', bytes, device: t.device.toString(), sid, nbytes,
  };
}

/** Python's description of a dict key (str, bool, int, float, None, tuples of them). */
function keyDesc(k) {
  if (typeof k === 'string') return { $str: k };
  if (typeof k === 'boolean') return { $bool: k };
  if (typeof k === 'bigint' || (typeof k === 'number' && Number.isSafeInteger(k) && !Object.is(k, -0))) return { $int: String(k) };
  if (typeof k === 'number') return { $float: Number.isNaN(k) ? 'nan' : Object.is(k, -0) ? '-0.0' : String(k) };
  if (k === null) return { $none: true };
  if (pickle.isTuple(k)) return { $tuple: k.map(keyDesc) };
  return null;
}

function pyFloat(s) {
  return { nan: NaN, inf: Infinity, '-inf': -Infinity, '-0.0': -0 }[s] ?? Number(s);
}

/**
 * Asserts that the JS value `v` is what Python described as `d`. strict: the
 * JS value is the one that was saved (its numbers must have become the Python
 * int/float that save() promises, its objects dict vs OrderedDict); otherwise
 * it is what load() returned.
 */
function matches(d, v, where = 'value', ctx = { groups: new Map(), sids: new Map(), strict: false }) {
  const at = (k) => `${where}${k}`;
  const [tag] = Object.keys(d).filter((k) => k.startsWith('$'));
  switch (tag) {
    case '$none': assert.equal(v, null, where); return;
    case '$bool': assert.equal(v, d.$bool, where); return;
    case '$str': assert.equal(v, d.$str, where); return;
    case '$int':
      if (typeof v === 'bigint') assert.equal(v, BigInt(d.$int), where);
      else {
        assert.equal(typeof v, 'number', `${where}: expected an int, got ${typeof v}`);
        assert.equal(BigInt(v), BigInt(d.$int), where);
        assert.ok(Number.isSafeInteger(v), `${where}: ints beyond 2^53 must load as BigInt`);
      }
      return;
    case '$float': {
      assert.equal(typeof v, 'number', where);
      assert.ok(Object.is(v, pyFloat(d.$float)), `${where}: ${v} vs ${d.$float}`);
      if (ctx.strict) assert.ok(!(Number.isSafeInteger(v) && !Object.is(v, -0)), `${where}: saved an integral number as float`);
      return;
    }
    case '$dtype': assert.ok(v instanceof torch.dtype, where); assert.equal(v.name, d.$dtype, where); return;
    case '$device': assert.ok(v instanceof torch.device, where); assert.equal(v.toString(), d.$device, where); return;
    case '$bytes': assert.ok(Buffer.isBuffer(v), where); assert.equal(v.toString('hex'), d.$bytes, where); return;
    case '$list': case '$tuple': {
      assert.ok(Array.isArray(v), `${where}: expected an array`);
      assert.equal(pickle.isTuple(v), tag === '$tuple', `${where}: tuple vs list`);
      assert.equal(v.length, d[tag].length, `${where}: length`);
      d[tag].forEach((x, i) => matches(x, v[i], at(`[${i}]`), { ...ctx, metadata: false }));
      return;
    }
    case '$dict': case '$odict': {
      const ordered = tag === '$odict';
      let entries;
      if (v instanceof Map) {
        assert.equal(pickle.isMarkedDict(v), !ordered, `${where}: Map marked as dict vs OrderedDict`);
        entries = [...v.entries()];
      } else {
        assert.ok(pickle.isPlainObject(v), `${where}: expected a plain object or a Map`);
        const meta = Object.getOwnPropertyDescriptor(v, '_metadata');
        if (ctx.strict && ctx.metadata) {
          assert.ok(ordered, `${where}: a state dict's _metadata saves as an OrderedDict`);
        } else if (!ctx.strict || !(meta && !meta.enumerable)) {
          assert.equal(pickle.isMarkedOrdered(v), ordered, `${where}: object marked as OrderedDict vs dict`);
        } else {
          assert.ok(ordered, `${where}: a state dict saves as an OrderedDict`);
        }
        entries = Object.keys(v).map((k) => [k, v[k]]);
        // a plain object lists integer-like keys first: compare as a set there
      }
      assert.equal(entries.length, d[tag].length, `${where}: number of items`);
      const byKey = new Map(d[tag].map(([k, x]) => [JSON.stringify(k), x]));
      for (const [k, x] of entries) {
        const kd = keyDesc(k);
        assert.ok(kd && byKey.has(JSON.stringify(kd)), `${where}: unexpected key ${String(k)}`);
        matches(byKey.get(JSON.stringify(kd)), x, at(`[${JSON.stringify(String(k))}]`), { ...ctx, metadata: false });
      }
      if (v instanceof Map || !pickle.isPlainObject(v) || entries.every(([k]) => !/^(0|[1-9]\d*)$/.test(k))) {
        // order is kept where JS can keep it
        assert.deepEqual(entries.map(([k]) => JSON.stringify(keyDesc(k))), d[tag].map(([k]) => JSON.stringify(k)), `${where}: key order`);
      }
      if (d.metadata) matches(d.metadata, v._metadata, at('._metadata'), { ...ctx, metadata: true });
      return;
    }
    case '$tensor': {
      assert.ok(v instanceof torch.Tensor, `${where}: expected a Tensor`);
      const e = d.$tensor, f = tensorFacts(v);
      for (const k of ['dtype', 'shape', 'stride', 'storage_offset', 'storage_numel', 'requires_grad', 'parameter', 'bytes', 'device']) {
        assert.deepEqual(f[k], e[k], `${where}.${k}`);
      }
      // storage sharing: Python's groups and ours are the same partition
      // (empty storages: one group per tensor on either side)
      const sid = f.nbytes === 0 ? Symbol('empty') : f.sid;
      if (ctx.groups.has(e.group)) assert.equal(ctx.groups.get(e.group), sid, `${where}: storage shared as in Python`);
      else {
        assert.ok(!ctx.sids.has(sid), `${where}: shares a storage it does not share in Python`);
        ctx.groups.set(e.group, sid);
        ctx.sids.set(sid, e.group);
      }
      return;
    }
    default: throw new Error(`unknown description ${JSON.stringify(d).slice(0, 80)}`);
  }
}

// ---- building archives by hand (for hostile files) -----------------------------------------------

/** A zip laid out as torch.save's (archive/data.pkl, archive/data/N, archive/version), with any pickle. */
function archive(pkl, storages = {}) {
  const w = native.zip_open_writer(null);
  native.zip_write_record(w, 'data.pkl', pkl);
  for (const [k, bytes] of Object.entries(storages)) native.zip_write_record(w, `data/${k}`, bytes);
  return native.zip_finish_writer(w);
}

const { PyGlobal, PyTuple, PyReduce, PyPersistentId, PyStr } = pickle;
const OD = new PyGlobal('collections', 'OrderedDict');
/** The pickle of a tensor as torch.save writes it, with any metadata (for out-of-bounds cases). */
function tensorPickle({ storage = 'FloatStorage', key = '0', location = 'cpu', numel = 4, offset = 0, size = [4], stride = [1], rg = false } = {}) {
  return pickle.dumps(new PyReduce(new PyGlobal('torch._utils', '_rebuild_tensor_v2'), new PyTuple([
    new PyPersistentId(new PyTuple([new PyStr('storage'), new PyGlobal('torch', storage), key, location, numel])),
    offset, new PyTuple(size), new PyTuple(stride), rg, new PyReduce(OD, new PyTuple([])),
  ])));
}
const f32 = (...xs) => new Uint8Array(new Float32Array(xs).buffer);
const bytes = (...xs) => Uint8Array.from(xs);

function assertLoadError(source, pattern, opts) {
  assert.throws(() => load(source, opts), (e) => {
    assert.ok(e instanceof Error, 'an Error');
    if (pattern) assert.match(e.message, pattern);
    assert.ok(!/frame #\d/.test(e.message), 'no C++ backtrace in the message');
    return true;
  });
}

// ---- Python -> JS -----------------------------------------------------------------------------------

describe('serialization: torch.load reads files written by PyTorch 1.13', () => {
  for (const name of Object.keys(expected.files)) {
    it(`${name}.pt: values, dtypes, strides and storage sharing as Python loads them`, () => {
      const v = load(fixture(name));
      if (expected.files[name].$sizes) {
        for (const [k, n] of Object.entries(expected.files[name].$sizes)) {
          const x = v[k];
          assert.equal(x instanceof Map ? x.size : Array.isArray(x) ? x.length : Object.keys(x).length, n, k);
        }
        assert.equal(v.d1001.get(1000), -1000);
        assert.equal(v.l1001[1000], 1000);
        assert.equal(v.od1001.k999, 999);
        return;
      }
      matches(expected.files[name], v);
    });
  }

  for (const name of ['dtypes', 'state_dict', 'state_dict_sequential', 'views', 'slice_only', 'scalar', 'param', 'empty', 'batching']) {
    it(`${name}.pt saved again here is byte for byte the file Python wrote`, () => {
      const out = path.join(tmp, `${name}.pt`);   // same base name: same archive folder
      save(load(fixture(name)), out);
      assert.ok(fs.readFileSync(out).equals(fs.readFileSync(fixture(name))), `${name}.pt differs`);
    });
  }

  it('views of one storage stay views of one storage (an in-place change shows through all)', () => {
    const v = load(fixture('views'));
    v.base.index_put_([0], 100);
    assert.equal(v.matrix.index(0, 0).item(), 100);
    assert.equal(v.transposed.index(0, 0).item(), 100);
    assert.equal(v.strided.index(0).item(), 100);
    v.small.index_put_([1], -1);
    assert.deepEqual(v.expanded.tolist(), [[1, -1], [1, -1], [1, -1]]);
    assert.equal(v.other.index(0).item(), 1);
  });

  it('a state dict loads as a plain object with _metadata, as nn.Module.state_dict() makes it', () => {
    const sd = load(fixture('state_dict'));
    assert.deepEqual(Object.keys(sd), ['conv.weight', 'conv.bias', 'bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked', 'fc.weight', 'fc.bias']);
    assert.equal(Object.getOwnPropertyDescriptor(sd, '_metadata').enumerable, false);
    assert.deepEqual(sd._metadata, { '': { version: 1 }, conv: { version: 1 }, bn: { version: 2 }, fc: { version: 1 } });
    assert.equal(sd['bn.num_batches_tracked'].dtype, torch.int64);
  });

  it('Parameters and requires_grad come back as saved', () => {
    const v = load(fixture('param'));
    assert.equal(v.p.requires_grad, true);
    assert.equal(v.p[PARAMETER], true);
    assert.equal(v.frozen.requires_grad, false);
    assert.equal(v.g.requires_grad, true);
    assert.equal(v.g.is_leaf, true);
  });

  it('map_location: a device, a device object, a mapping, a function', () => {
    const ref = load(fixture('scalar'));
    for (const ml of ['cpu', torch.device ? new torch.device('cpu') : 'cpu', { cpu: 'cpu' }, (s) => s, () => 'cpu', () => null]) {
      const t = load(fixture('scalar'), { map_location: ml });
      assert.equal(t.item(), ref.item());
      assert.equal(t.device.toString(), 'cpu');
    }
    assert.equal(load(fixture('scalar'), 'cpu').item(), 3.5);   // map_location as the second argument
    const seen = [];
    load(fixture('views'), { map_location: (storage, loc) => { seen.push([storage.dtype.name, storage.shape, loc]); return storage; } });
    assert.deepEqual(seen, [['float32', [12], 'cpu'], ['float32', [2], 'cpu'], ['float32', [2], 'cpu']]);
  });

  it('storages saved on CUDA: Python\'s error without CUDA, map_location moves them', () => {
    const file = archive(tensorPickle({ location: 'cuda:0' }), { 0: f32(1, 2, 3, 4) });
    if (!torch.cuda.is_available()) {
      assertLoadError(file, /Attempting to deserialize object on a CUDA device but torch.cuda.is_available\(\) is False/);
    }
    for (const ml of ['cpu', { 'cuda:0': 'cpu' }, (s, loc) => (loc.startsWith('cuda') ? 'cpu' : null)]) {
      const t = load(file, { map_location: ml });
      assert.equal(t.device.toString(), 'cpu');
      assert.deepEqual(t.tolist(), [1, 2, 3, 4]);
    }
    assertLoadError(archive(tensorPickle({ location: 'tpu' }), { 0: f32(1, 2, 3, 4) }), /don't know how to restore data location 'tpu'/);
  });

  it('bytes in memory (a Buffer, a Uint8Array, an ArrayBuffer) load like a file', () => {
    const buf = fs.readFileSync(fixture('views'));
    for (const src of [buf, new Uint8Array(buf), buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)]) {
      matches(expected.files.views, load(src));
    }
  });

  it('loading releases its internal storage tensors and keeps no extra handles', () => {
    global.gc?.();
    const before = torch.memory_stats().tensors;
    const v = load(fixture('views'));
    // (a GC during the test can only lower the counts)
    assert.ok(torch.memory_stats().tensors - before <= Object.keys(v).length);
    for (const t of Object.values(v)) t.dispose();
    assert.ok(torch.memory_stats().tensors <= before);
  });
});

describe('serialization: with nn modules', () => {
  let nn = null;
  before(function () {
    try { nn = require('../dist/nn/index.js'); } catch { nn = null; }
    if (!nn?.Sequential || !nn?.BatchNorm1d) this.skip();
  });
  const build = () => {
    torch.manual_seed(1);   // as the generator builds it
    return new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2)));
  };

  it('torch.save(model.state_dict()) here is byte for byte Python\'s torch.save of the same model', function () {
    // The init's random draws are the same bits on every AVX2/AVX-512 CPU, not under ATen's
    // default kernels (test/support/close.js): there the bytes cannot match Python's file.
    if (require('./support/close').DEFAULT_KERNELS) this.skip();
    const out = path.join(tmp, 'state_dict_sequential.pt');
    save(build().state_dict(), out);
    assert.ok(fs.readFileSync(out).equals(fs.readFileSync(fixture('state_dict_sequential'))));
  });

  it('model.load_state_dict(torch.load(p)) with a file Python wrote', () => {
    const model = build();
    for (const p of model.parameters()) torch.no_grad(() => p.zero_());
    const r = model.load_state_dict(load(fixture('state_dict_sequential')));
    assert.deepEqual([...r.missing_keys, ...r.unexpected_keys], []);
    const sd = model.state_dict();
    const want = new Map(expected.files.state_dict_sequential.$odict.map(([k, d]) => [k.$str, d.$tensor.bytes]));
    assert.deepEqual(Object.keys(sd), [...want.keys()]);
    for (const [k, t] of Object.entries(sd)) assert.equal(tensorFacts(t).bytes, want.get(k), k);
  });
});

// ---- JS -> Python -------------------------------------------------------------------------------------

function pythonHasTorch() {
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60000 });
    return true;
  } catch {
    return false;
  }
}

describe('serialization: files written by torch.save here load in PyTorch 1.13', function () {
  this.timeout(120000);
  const cases = {};
  let report;

  before(function () {
    if (!pythonHasTorch()) {
      console.log(`      (skipped: ${PYTHON} cannot import torch; run npm run setup)`);
      this.skip();
    }
    const { tensor } = torch;
    const base = torch.arange(12, { dtype: torch.float32 });
    const small = tensor([1, 2]);
    const weight = torch.randn(3, 2);
    const stateDict = { 'fc.weight': weight, 'fc.bias': torch.zeros(3), 'bn.running_mean': torch.ones(3), 'bn.num_batches_tracked': tensor(7n) };
    Object.defineProperty(stateDict, '_metadata', { value: { '': { version: 1 }, fc: { version: 1 }, bn: { version: 2 } }, enumerable: false });
    const param = torch.randn(2, 2).requires_grad_(true);
    Object.defineProperty(param, PARAMETER, { value: true });
    cases.js_dtypes = {
      float32: tensor([0, -0, 1.5, Infinity, -Infinity, NaN, 1e-40, 3.4e38], { dtype: torch.float32 }).reshape(2, 4),
      float64: tensor([Math.PI, -1e-310, Number.MAX_VALUE, NaN], { dtype: torch.float64 }),
      float16: tensor([0, 1, 65504, 6e-8, -2.5, Infinity], { dtype: torch.float16 }),
      bfloat16: tensor([1, -1.5, 3e38, NaN], { dtype: torch.bfloat16 }),
      int8: tensor([-128, 127, 0], { dtype: torch.int8 }),
      uint8: tensor([0, 255, 128], { dtype: torch.uint8 }),
      int16: tensor([-32768, 32767], { dtype: torch.int16 }),
      int32: tensor([-(2 ** 31), 2 ** 31 - 1], { dtype: torch.int32 }),
      int64: tensor([-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n]),
      bool: tensor([[true, false], [false, true]]),
      scalar: tensor(2.5),
      empty: torch.zeros(0, 3),
    };
    cases.js_state_dict = stateDict;
    cases.js_views = {
      base, slice: base.narrow(0, 2, 6), matrix: base.view(3, 4), transposed: base.view(3, 4).t(),
      strided: base.index('::3'), expanded: small.expand(3, 2), small, other: torch.ones(2),
    };
    cases.js_params = { p: param, g: torch.ones(2).requires_grad_(true), plain: torch.ones(1) };
    cases.js_scalar = tensor(3.5);
    cases.js_containers = {
      epoch: 5, lr: 0.001, big: 2n ** 70n, neg: -(2n ** 40n), unsafe: 1e300, negzero: -0,
      ints: [0, 255, 256, 65535, 65536, -1, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER],
      name: 'résumé ✓ 😀', flags: [true, false, null], tuple: pickle.tuple([1, 'x', [2]]),
      nested: { a: { b: [{ c: torch.arange(3) }] } }, ordered: new Map([['z', 1], ['a', 2]]),
      int_keys: pickle.markDict(new Map([[0, 'zero'], [1, 'one']])), dtype: torch.float16,
      device: new torch.device('cpu'), repeated: ['version', 'version', 'other'],
      raw: Buffer.from([0, 1, 127, 128, 255]), no_bytes: Buffer.alloc(0), tuple_key: new Map([[pickle.tuple([1, 'a']), 'x']]),
      batch: Array.from({ length: 1001 }, (_, i) => i), many: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, `v${i}`])),
    };
    const files = [];
    for (const [name, obj] of Object.entries(cases)) {
      const file = path.join(tmp, `${name}.pt`);
      save(obj, file);
      files.push(file);
    }
    // torch.save into a file object: the archive folder is "archive", as Python's
    const chunks = [];
    save(cases.js_views, { write: (b) => chunks.push(Buffer.from(b)) });
    fs.writeFileSync(path.join(tmp, 'js_buffer.pt'), Buffer.concat(chunks));
    files.push(path.join(tmp, 'js_buffer.pt'));
    cases.js_buffer = cases.js_views;
    report = JSON.parse(execFileSync(PYTHON, [GENERATOR, '--describe', ...files], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 110000 }));
  });

  const names = ['js_dtypes', 'js_state_dict', 'js_views', 'js_params', 'js_scalar', 'js_containers', 'js_buffer'];
  for (const name of names) {
    it(`${name}: Python loads it and finds what was saved`, () => {
      const r = report[path.join(tmp, `${name}.pt`)];
      matches(r.value, cases[name], 'value', { groups: new Map(), sids: new Map(), strict: true });
      const folder = name === 'js_buffer' ? 'archive' : name;
      const storages = r.records.filter((n) => n.startsWith(`${folder}/data/`)).length;
      // 2.x's torch.save adds byteorder (2.1), .format_version and .storage_alignment (2.7), and its
      // writer .data/serialization_id
      const extra = torchVersion.startsWith('1.') ? [] : ['.data/serialization_id', '.format_version', '.storage_alignment', 'byteorder'];
      assert.deepEqual(r.records, [`${folder}/data.pkl`, ...Array.from({ length: storages }, (_, i) => `${folder}/data/${i}`),
        `${folder}/version`, ...extra.map((n) => `${folder}/${n}`)].sort());
    });
    it(`${name}: Python's torch.save of what it loaded writes the very same bytes`, () => {
      const r = report[path.join(tmp, `${name}.pt`)];
      // into a file object the folder is "archive", Python's re-save is to a path: same records then
      assert.equal(name === 'js_buffer' ? r.same_records : r.identical, true);
    });
  }

  for (const name of ['js_dtypes', 'js_state_dict', 'js_views', 'js_params', 'js_scalar', 'js_buffer']) {
    it(`${name}: loads with torch.load(weights_only=True)`, () => {
      const r = report[path.join(tmp, `${name}.pt`)];
      assert.equal(r.weights_only, true, r.weights_only_error);
    });
  }
  it('js_containers: floats are BINFLOAT, which PyTorch 1.13\'s weights_only unpickler cannot read; 2.x reads them but refuses the empty bytes (bytes(), as Python pickles b\'\'); Python reads it without', () => {
    const r = report[path.join(tmp, 'js_containers.pt')];
    assert.equal(r.weights_only, false);
    if (torchVersion.startsWith('1.')) {
      assert.match(r.weights_only_error, /Unsupported operand 71/);   // 71 = BINFLOAT
    } else {
      assert.match(r.weights_only_error, /Unsupported global: GLOBAL bytes was not an allowed global/);
    }
  });
});

// ---- round trips here ------------------------------------------------------------------------------------

describe('serialization: save and load here', () => {
  it('round-trips values of every kind', () => {
    const obj = {
      t: torch.arange(6).view(2, 3), m: new Map([[1, 'a'], ['b', 2]]), big: 2n ** 64n, x: 1.25, s: 'ü', n: null, b: true,
      tup: pickle.tuple([1, 2]), list: [[], {}, [1, [2, [3]]]], d: torch.int32,
    };
    const chunks = [];
    save(obj, { write: (b) => chunks.push(b) });
    const v = load(Buffer.concat(chunks));
    assert.deepEqual(v.t.tolist(), [[0, 1, 2], [3, 4, 5]]);
    assert.deepEqual([...v.m], [[1, 'a'], ['b', 2]]);
    assert.equal(pickle.isMarkedDict(v.m), false);
    assert.equal(v.big, 2n ** 64n);
    assert.equal(v.x, 1.25);
    assert.equal(v.s, 'ü');
    assert.equal(v.n, null);
    assert.equal(v.b, true);
    assert.ok(pickle.isTuple(v.tup));
    assert.deepEqual(v.list, [[], {}, [1, [2, [3]]]]);
    assert.equal(v.d, torch.int32);
  });

  it('a list or dict that contains itself round-trips', () => {
    const a = [1];
    a.push(a);
    const o = { name: 'o' };
    o.self = o;
    const file = path.join(tmp, 'cycle.pt');
    save({ a, o }, file);
    const v = load(file);
    assert.equal(v.a[1], v.a);
    assert.equal(v.o.self, v.o);
  });

  it('refuses what it cannot save, with a TypeError naming it', () => {
    for (const bad of [() => 1, Symbol('s'), new Date(0), new (class Foo {})(), new Set([1]), new Float32Array(2), new Map([[[1], 2]])]) {
      assert.throws(() => save({ x: bad }, path.join(tmp, 'bad.pt')), TypeError);
    }
    assert.throws(() => save(torch.ones(1), path.join(tmp, 'p4.pt'), { pickle_protocol: 4 }), /protocol 2 only/);
    const t = torch.ones(2);
    t.dispose();
    assert.throws(() => save(t, path.join(tmp, 'disposed.pt')), /disposed/);
    const f = torch.ones(2);
    assert.throws(() => save([f, f.view(torch.int32)], path.join(tmp, 'mixed.pt')), /view the same data as different types/);
  });

  it('a path it cannot write, or a full disk, is an Error and leaves no file', () => {
    assert.throws(() => save(torch.ones(1), path.join(tmp, 'no', 'such', 'dir', 'x.pt')), /Parent directory .* does not exist/);
    if (fs.existsSync('/dev/full')) {
      assert.throws(() => save({ x: torch.zeros(1 << 20) }, '/dev/full'), /torch.save: writing \/dev\/full failed: .*write/);
      assert.ok(fs.existsSync('/dev/full'), '/dev/full is left alone');
      // the writer that failed is unusable: a new save works
      save(torch.ones(1), path.join(tmp, 'after-full.pt'));
      assert.equal(load(path.join(tmp, 'after-full.pt')).item(), 1);
    }
  });
});

// ---- corrupted, truncated, hostile ------------------------------------------------------------------------

describe('serialization: corrupted, truncated and hostile files are clear errors', () => {
  beforeEach(() => fs.rmSync(PWNED, { force: true }));

  for (const [name, words] of Object.entries(expected.errors)) {
    it(`${name}: refused with an Error saying why`, () => {
      const file = fs.existsSync(fixture(name)) ? fixture(name) : fixturePath(`serialization/${name}.zip`);
      assert.throws(() => load(file), (e) => {
        for (const w of words) assert.ok(e.message.includes(w), `"${e.message}" should mention "${w}"`);
        return true;
      });
      assert.ok(!fs.existsSync(PWNED), 'nothing from the file ran');
    });
  }

  it('other globals an attacker would use are refused by name', () => {
    for (const [mod, name] of [['builtins', 'getattr'], ['os', 'system'], ['subprocess', 'Popen'], ['torch', 'load'], ['torch._utils', '_rebuild_device_tensor_from_numpy'], ['collections', 'defaultdict']]) {
      const pkl = pickle.dumps(new PyReduce(new PyGlobal(mod, name), new PyTuple(['x'])));
      assertLoadError(archive(pkl), new RegExp(`refusing the global '${mod}\\.${name}'`));
    }
  });

  it('truncated files: an Error at every cut', () => {
    const full = fs.readFileSync(fixture('state_dict'));
    const cuts = [0, 1, 4, 30, 100, full.length >> 1, full.length - 100, full.length - 22, full.length - 1];
    for (const n of cuts) {
      const file = path.join(tmp, `cut-${n}.pt`);
      fs.writeFileSync(file, full.subarray(0, n));
      assertLoadError(file, /torch.load/);
    }
  });

  it('flipped bytes anywhere: each load either works or throws an Error, and the process lives', function () {
    this.timeout(120000);
    const full = fs.readFileSync(fixture('views'));
    let failed = 0, loaded = 0;
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < full.length; i += 3) {
      for (const flip of [0xff, 1 + Math.floor(rand() * 254)]) {
        const b = Buffer.from(full);
        b[i] ^= flip;
        try {
          torch.scope(() => load(b));
          loaded++;
        } catch (e) {
          assert.ok(e instanceof Error, `byte ${i}: ${e}`);
          assert.ok(!/frame #\d/.test(e.message), `byte ${i}: C++ backtrace in "${e.message}"`);
          failed++;
        }
      }
    }
    assert.ok(failed > 0 && loaded > 0, `${failed} failed, ${loaded} loaded`);
  });

  it('not a zip at all: empty, random, a directory, a missing file', () => {
    const empty = path.join(tmp, 'empty.pt');
    fs.writeFileSync(empty, '');
    assertLoadError(empty, /is empty/);
    const random = path.join(tmp, 'random.pt');
    fs.writeFileSync(random, Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff)));
    assertLoadError(random, /not a file written by torch.save/);
    assertLoadError(tmp, /EISDIR|directory/);
    assertLoadError(path.join(tmp, 'missing.pt'), /ENOENT/);
    assertLoadError(Buffer.from('PK\x03\x04 not really'), /not a readable PyTorch zip archive/);
  });

  it('sizes from the file are never trusted', () => {
    // storage record shorter than the pickle says
    assertLoadError(archive(tensorPickle({ numel: 1000 }), { 0: f32(1, 2, 3, 4) }), /holds 16 bytes, but the pickle says it has 1000 elements/);
    // tensor beyond its storage, by size, stride or offset
    assertLoadError(archive(tensorPickle({ size: [5] }), { 0: f32(1, 2, 3, 4) }), /needs 5 elements, but its storage has 4/);
    assertLoadError(archive(tensorPickle({ size: [2, 2], stride: [3, 1] }), { 0: f32(1, 2, 3, 4) }), /needs 5 elements/);
    assertLoadError(archive(tensorPickle({ offset: 4, size: [1] }), { 0: f32(1, 2, 3, 4) }), /storage offset 4/);
    assertLoadError(archive(tensorPickle({ offset: -1 }), { 0: f32(1, 2, 3, 4) }), /negative/);
    assertLoadError(archive(tensorPickle({ stride: [-1], offset: 3 }), { 0: f32(1, 2, 3, 4) }), /negative/);
    assertLoadError(archive(tensorPickle({ size: [2 ** 40, 2 ** 40], stride: [1, 1] }), { 0: f32(1, 2, 3, 4) }), /overflows/);
    assertLoadError(archive(tensorPickle({ size: [2, 2], stride: [1] }), { 0: f32(1, 2, 3, 4) }), /2 sizes but 1 strides/);
    assertLoadError(archive(tensorPickle({ numel: -1 }), { 0: f32(1, 2, 3, 4) }), /storage id must be/);
    assertLoadError(archive(tensorPickle({ key: '9' }), { 0: f32(1, 2, 3, 4) }), /refers to storage 'data\/9'/);
    assertLoadError(archive(tensorPickle({ storage: 'LongStorage', rg: true }), { 0: f32(1, 2, 3, 4, 5, 6, 7, 8) }), /floating point/);
    // within bounds it loads, sharing the record's memory
    assert.deepEqual(load(archive(tensorPickle({ size: [2], stride: [2], offset: 1 }), { 0: f32(1, 2, 3, 4) })).tolist(), [2, 4]);
    // a zero-size tensor may sit at the end of its storage
    assert.deepEqual(load(archive(tensorPickle({ size: [0], offset: 4 }), { 0: f32(1, 2, 3, 4) })).shape, [0]);
  });

  it('bool storages with bytes other than 0 and 1 read as true', () => {
    const t = load(archive(tensorPickle({ storage: 'BoolStorage', numel: 3, size: [3] }), { 0: bytes(0, 2, 255) }));
    assert.deepEqual(t.tolist(), [false, true, true]);
    assert.deepEqual([...t.view(torch.uint8).typed_array()], [0, 1, 1]);
  });

  it('malformed pickles: a clear Error each', () => {
    const P = (...ops) => Buffer.from([0x80, 0x02, ...ops]);
    const cases = [
      [P(0x2e), /stack underflow/],                                   // STOP on an empty stack
      [P(0x4e), /ended without a STOP/],                              // NONE, no STOP
      [P(0x58, 0xff, 0xff, 0xff, 0xff, 0x41), /truncated/],           // BINUNICODE of 4 GiB
      [P(0x68, 0x07, 0x2e), /memo key 7 not found/],                  // BINGET of nothing
      [P(0x74, 0x2e), /MARK missing/],                                // TUPLE without MARK
      [P(0x49, 0x31, 0x0a, 0x2e), /unsupported pickle opcode INT/],   // protocol 0 int
      [P(0xff, 0x2e), /unsupported pickle opcode 0xff/],
      [P(0x4e, 0x4e, 0x4e, 0x73, 0x2e), /SETITEM on a None/],         // SETITEM on None
      [P(0x29, 0x4e, 0x61, 0x2e), /APPEND on a tuple/],
      [P(0x5d, 0x7d, 0x62, 0x2e), /BUILD .* only allowed on an OrderedDict/],
      [P(0x7d, 0x5d, 0x4e, 0x73, 0x2e), /unhashable type: 'list'/],
      [P(0x4e, 0x51, 0x2e), /only persistent ids of storages/],       // BINPERSID None
      [P(0x58, 0x03, 0, 0, 0, 0xff, 0xfe, 0xfd, 0x2e), /not valid UTF-8/],
      [P(0x63, ...Buffer.from('torch\nFloatStorage'), 0x2e), /truncated/],  // GLOBAL without newline
      [P(0x63, ...Buffer.from('torch\nFloatStorage\n'), 0x29, 0x52, 0x2e), /cannot be called/],
    ];
    for (const [pkl, re] of cases) assertLoadError(archive(pkl), re);
  });

  it('deeply nested and huge-memo pickles load without recursion', () => {
    const depth = 100000;
    const ops = [0x80, 0x02];
    for (let i = 0; i < depth; i++) ops.push(0x5d);   // EMPTY_LIST
    for (let i = 1; i < depth; i++) ops.push(0x61);   // APPEND
    ops.push(0x2e);
    let v = load(archive(Buffer.from(ops)));
    let d = 1;
    while (v.length) { v = v[0]; d++; }
    assert.equal(d, depth);
    // LONG_BINPUT / LONG_BINGET with a 4-byte index
    assert.equal(load(archive(Buffer.from([0x80, 0x02, 0x4b, 0x2a, 0x72, 0xff, 0xff, 0xff, 0xff, 0x30, 0x6a, 0xff, 0xff, 0xff, 0xff, 0x2e]))), 42);
  });

  it('a failed load disposes every tensor it made', () => {
    // a good tensor, then a reference to a missing storage
    const pkl = pickle.dumps([
      new PyReduce(new PyGlobal('torch._utils', '_rebuild_tensor_v2'), new PyTuple([
        new PyPersistentId(new PyTuple([new PyStr('storage'), new PyGlobal('torch', 'FloatStorage'), '0', 'cpu', 4])),
        0, new PyTuple([4]), new PyTuple([1]), false, new PyReduce(OD, new PyTuple([])),
      ])),
      new PyReduce(new PyGlobal('os', 'system'), new PyTuple(['true'])),
    ]);
    global.gc?.();
    const before = torch.memory_stats().tensors;
    assertLoadError(archive(pkl, { 0: f32(1, 2, 3, 4) }), /os\.system/);
    assert.ok(torch.memory_stats().tensors <= before);
  });

  it('the native handles cannot be mixed up', () => {
    const r = native.zip_open_reader(fs.readFileSync(fixture('scalar')));
    assert.throws(() => native.todata(r), TypeError);
    assert.throws(() => native.zip_records(torch.ones(1)._h), /handle made by the addon/);
    assert.throws(() => native.zip_records({}), /handle made by the addon/);
    native.zip_close_reader(r);
    assert.throws(() => native.zip_records(r), /closed/);
    const w = native.zip_open_writer(null);
    assert.throws(() => native.zip_write_record(w, 'version', new Uint8Array(1)), /invalid record name/);
    assert.throws(() => native.zip_write_record(w, '../x', new Uint8Array(1)), /invalid record name/);
    native.zip_write_record(w, 'data.pkl', new Uint8Array(1));
    assert.throws(() => native.zip_write_record(w, 'data.pkl', new Uint8Array(1)), /already written/);
    native.zip_abort_writer(w);
    assert.throws(() => native.zip_finish_writer(w), /closed/);
  });
});
