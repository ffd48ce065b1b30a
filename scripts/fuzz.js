#!/usr/bin/env node
'use strict';
// API fuzzer (issue 15, "Reliability under abuse"): calls every public function,
// method, getter, setter and constructor of the package with hostile values, and
// torch.load / the image decoders with mutated files, each case in a child
// process, and reports every case that kills the process.
//
//   node scripts/fuzz.js [--seed N] [--cases N] [--time S] [--timeout S]
//                        [--batch N] [--report FILE] [--filter REGEX] [--list] [--log FILE]
//
// Nothing here names an API: the targets are enumerated at run time from the
// package's "exports" subpaths (module functions, nested namespaces, classes,
// their static and instance methods, getters and setters, Tensor.prototype),
// so new API is fuzzed without edits. The same seed and case count give the
// same cases (for the same API); --time only cuts the run short.
//
// Each case is one line of JavaScript over the package's modules, run in a
// child that writes "S <i>" before it and "E <i> <class>" after it on fd 3, so
// that a process death is charged to the case in flight. Classes:
//   ok, error (a clean JS exception)              -- fine
//   crash (signal), abort (C++ terminate / V8 fatal error, SIGABRT), exit (the
//   library called process.exit), sanitizer (an ASan/UBSan report), hang
//   (no answer within --timeout)                  -- findings
// A finding is re-run alone, reduced (arguments dropped or simplified while it
// still dies the same way) and written to the JSON report with a one-line
// repro that runs from the repository root. Exit status 1 when there is one.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');

// Targets left out. The network is not the API's input (downloads); and some
// calls block until another process acts, by contract, as in PyTorch: a
// rendezvous (init_process_group, a TCPStore server waiting for its workers),
// a store's get/wait on a key nobody sets, a collective's wait. Their hang
// would be no finding. FileStore too: LibTorch's FileStore destructor spins
// forever on a file it did not write (Python 1.13 does the same), and cases
// share a working folder full of such files. The rest of torch.distributed
// is fuzzed. The zoo's builders of 300M-650M parameters (regnet_y_128gf, vit_h_14, vit_l_*) are slow by
// design: initialising 1.2-2.6 GB of weights takes longer than a case's timeout on a loaded 2-core machine.
const LEFT_OUT = /download|_from_url|distributed\.(init_process_group|new_group|barrier|monitored_barrier)$|distributed\.(TCPStore|FileStore)|Store#(get|wait|compare_set)$|Work#wait|models\.(regnet_y_128gf|vit_h_14|vit_l_16|vit_l_32)$/;

// ---- command line -------------------------------------------------------------
function parseArgs(argv) {
  const o = { seed: 1, cases: 2000, time: 0, timeout: 15, batch: 250, report: 'fuzz-report.json', filter: null,
    list: false, child: null, enumerate: false, selfTest: false, reduce: true, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], v = () => argv[++i];
    if (a === '--seed') o.seed = Number(v());
    else if (a === '--cases') o.cases = Number(v());
    else if (a === '--time') o.time = Number(v());
    else if (a === '--timeout') o.timeout = Number(v());
    else if (a === '--batch') o.batch = Number(v());
    else if (a === '--report') o.report = v();
    else if (a === '--filter') o.filter = new RegExp(v());
    else if (a === '--list') o.list = true;
    else if (a === '--log') o.log = v(); // every case, its code and its outcome, one JSON line each
    else if (a === '--no-reduce') o.reduce = false;
    else if (a === '--quiet') o.quiet = true;
    else if (a === '--self-test') o.selfTest = true; // cases that must die: checks the harness itself
    else if (a === '--child') o.child = v(); // internal: run the cases of this file
    else if (a === '--enumerate') o.enumerate = true; // internal: print the targets as JSON
    else if (a === '--help' || a === '-h') { console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 27).join('\n')); process.exit(0); }
    else throw new Error(`fuzz.js: unknown argument ${a}`);
  }
  return o;
}

// ---- deterministic randomness ---------------------------------------------------
// sfc32: small, fast, and the same stream on every platform.
function rng(seed) {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed >>> 0;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0; a = b ^ (b >>> 9); b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0; c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  const r = {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
  };
  return r;
}

// ---- the modules, as a repro line names them ------------------------------------
// Subpath of package.json "exports" -> the variable a case uses for it.
function moduleVars() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const alias = { '.': 'torch', './nn': 'nn', './nn/functional': 'F', './optim': 'optim', './torchvision': 'torchvision',
    './torchvision/models': 'models', './torchvision/transforms': 'transforms', './torchvision/io': 'io' };
  return Object.keys(pkg.exports).filter((s) => !s.endsWith('.json')).map((sub) => ({
    sub, spec: sub === '.' ? pkg.name : pkg.name + sub.slice(1),
    name: alias[sub] || sub.replace(/^\.\//, '').replace(/[^A-Za-z0-9]+/g, '_'),
  }));
}

// ---- hostile values -----------------------------------------------------------------
// Each is a self-contained JS expression (over `torch` and the module
// variables), so that a case is a plain line of JS. `t0` is a tensor that some
// values dispose while the call is converting its arguments.
const DTYPE_NAMES_FALLBACK = ['float32'];
function tensorValues(dtypes) {
  const v = [];
  for (const d of dtypes) v.push(`torch.ones([2, 3], { dtype: torch.${d} })`, `torch.zeros([], { dtype: torch.${d} })`);
  v.push('torch.tensor(3.5)', 'torch.zeros([0])', 'torch.zeros([0, 3])', 'torch.zeros([2, 0, 3])', 'torch.randn(3, 4).t()',
    'torch.randn(2, 3, { requires_grad: true })', '(() => { const t = torch.ones(2); t.dispose(); return t; })()',
    'torch.tensor([NaN, Infinity, -Infinity, -0])', 'torch.full([2], -(2n ** 63n), { dtype: torch.int64 })',
    'torch.full([2], -(2 ** 31), { dtype: torch.int32 })', 'torch.ones(1).expand([300, 300])', 'torch.randn(1, 3, 8, 8)',
    'torch.randn(2, 3, 4, 5, 6)', 'Object.create(torch.Tensor.prototype)', 'new Proxy(torch.ones(2), {})',
    'torch.arange(24).reshape([2, 3, 4])', 'torch.randn(4, 4).narrow(1, 1, 2)');
  return v;
}
const SCALARS = ['undefined', 'null', 'true', 'false', '0', '-0', '1', '-1', '2', '0.5', 'NaN', 'Infinity', '-Infinity',
  '2 ** 31', '2 ** 31 - 1', '-(2 ** 31)', '2 ** 32', '2 ** 53', '-(2 ** 53)', '2 ** 63', '2 ** 64', '1e308', '5e-324',
  '-1e9', '0n', '-1n', '2n ** 63n - 1n', '-(2n ** 63n)', '2n ** 63n', '2n ** 64n', '-(2n ** 64n)', '10n ** 100n'];
const STRINGS = ["''", "'a'", "'...'", "'0:2'", "'::-1'", "'1:2:0'", "'\\u0000'", "'x'.repeat(100000)", "'float32'", "'cpu'",
  "'cuda'", "'cuda:99'", "'meta'", "'cpu:-1'", "'mean'", "'none'", "'__proto__'", "'constructor'", "'\\ud800'"];
const ARRAYS = ['[]', '[0]', '[-1]', '[-2, 3]', '[2 ** 31]', '[2 ** 62]', '[2 ** 31, 2 ** 31]', '[100000, 100000]',
  '[NaN]', '[1.5]', '[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]', '[1, [2]]', '[[1, 2], [3]]', '[-(2n ** 63n)]', '[2n ** 64n]',
  '[, ,]', '(() => { const a = []; a.length = 2 ** 32 - 1; return a; })()', 'new Array(2 ** 31)',
  'Object.assign([1, 2], { length: 9 })', "Object.defineProperty([1, 2], 0, { get() { throw new Error('getter'); } })",
  '(() => { const a = [1]; a.push(a); return a; })()',
  '(() => { let a = [1]; for (let i = 0; i < 100000; i++) a = [a]; return a; })()',
  "[undefined, null, 'a', {}]", '[torch.ones(2), torch.ones(3)]', '[torch.ones(2), 1]'];
const OBJECTS = ['{}', 'Object.create(null)', '{ length: 2 ** 53 }', '{ length: -1, 0: 1 }',
  "new Proxy({}, { get() { throw new Error('trap'); }, has() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); }, getOwnPropertyDescriptor() { throw new Error('trap'); } })",
  "new Proxy([], { get(t, k) { return k === 'length' ? 2 ** 32 - 1 : t[k]; } })",
  "{ valueOf() { throw new Error('valueOf'); }, toString() { throw new Error('toString'); } }",
  "{ [Symbol.toPrimitive]() { throw new Error('toPrimitive'); } }",
  "{ get dtype() { throw new Error('getter'); }, get dim() { throw new Error('getter'); } }",
  '{ then(r) { r(1); } }', "Symbol('s')", '() => 0', '() => { throw new Error("callback"); }', 'new Error("e")',
  'new Date(NaN)', '/x/', 'new Map([[1, 2]])', 'new Set([1])', 'globalThis', 'new WeakRef({})'];
const BUFFERS = ['new Float32Array(0)', 'new Float32Array([1, 2, 3])', 'new Float64Array([NaN])', 'new BigInt64Array(2)',
  'new Uint8Array(3)', 'new Uint16Array(2)', 'new Float32Array(new ArrayBuffer(9), 4, 1)', 'Buffer.from("abc")',
  'new ArrayBuffer(0)', 'new ArrayBuffer(7)', 'new SharedArrayBuffer(8)', 'new Float32Array(new SharedArrayBuffer(16))',
  'new ArrayBuffer(8, { maxByteLength: 64 })', 'new Float32Array(new ArrayBuffer(8, { maxByteLength: 64 }))',
  'new DataView(new ArrayBuffer(8))',
  '(() => { const u = new Float32Array(4); structuredClone(u.buffer, { transfer: [u.buffer] }); return u; })()',
  '(() => { const b = new ArrayBuffer(16); structuredClone(b, { transfer: [b] }); return b; })()'];
// Values that dispose t0 (the receiver, or an earlier argument) while the call
// reads them: the native side must not keep a reference it read before.
const DISPOSERS = ['{ valueOf() { t0.dispose(); return 1; } }', 'Object.defineProperty([0, 1], 0, { get() { t0.dispose(); return 0; } })',
  '{ get dtype() { t0.dispose(); return undefined; }, get dim() { t0.dispose(); return 0; }, get out() { t0.dispose(); return undefined; } }',
  'new Proxy({}, { get() { t0.dispose(); return undefined; } })', '(() => { t0.dispose(); return t0; })()'];
const PLAUSIBLE = ['torch.randn(2, 3)', 'torch.randn(1, 3, 8, 8)', 'torch.rand(3, 8, 8)', 'torch.randint(0, 3, [2])', '1', '2', '0',
  '-1', '0.5', 'true', '[2, 3]', '[1]', "'mean'", 'torch.float32', 'torch.int64', '{}'];
// Keyword names PyTorch functions take, for the trailing options object.
const KWARGS = ['dtype', 'device', 'requires_grad', 'dim', 'keepdim', 'out', 'generator', 'layout', 'memory_format', 'reduction',
  'weight', 'bias', 'stride', 'padding', 'dilation', 'groups', 'inplace', 'lr', 'momentum', 'weight_decay', 'size',
  'mode', 'antialias', 'map_location', 'weights_only', 'pretrained', 'weights', 'num_classes', 'ignore_index', 'label_smoothing',
  'alpha', 'beta', 'eps', 'p', 'training', 'rounding_mode', 'start', 'end', 'step', 'low', 'high', 'mean', 'std', 'min', 'max',
  'descending', 'stable', 'largest', 'sorted', 'pin_memory', 'non_blocking', 'copy', 'strict', 'retain_graph', 'create_graph'];

// ---- enumeration (runs in a child: loading the addon is the child's business) ----
function childPrelude(mods) {
  // The modules as globals named like the repro line names them.
  for (const m of mods) globalThis[m.name] = require(require.resolve(m.spec, { paths: [ROOT] }));
  globalThis.fs = fs;
}

function identifierAccess(base, key) {
  if (typeof key === 'symbol') {
    const well = Object.getOwnPropertyNames(Symbol).find((n) => Symbol[n] === key);
    if (well) return `${base}[Symbol.${well}]`;
    const reg = Symbol.keyFor(key);
    return reg === undefined ? null : `${base}[Symbol.for(${JSON.stringify(reg)})]`;
  }
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

const isClass = (f) => typeof f === 'function' && /^class\b/.test(Function.prototype.toString.call(f));

// Constructor argument lists tried in order; the first that constructs is the
// "recipe" for the instance whose methods are fuzzed.
const PARAM = '[torch.randn(4, 4, { requires_grad: true })]';
const OPT = `new optim.SGD(${PARAM}, { lr: 0.1 })`;
const RECIPES = [[], ['4'], ['4', '4'], ['3', '4', '3'], ['4', '4', '3'], [PARAM], [PARAM, '{ lr: 0.1 }'], [OPT], [OPT, '2'],
  [OPT, '[1, 2]'], [OPT, '() => 1'], ['new nn.Linear(4, 4)'], ['[4, 4]'], ['[0.5, 0.5, 0.5]', '[0.2, 0.2, 0.2]'], ['4', '{}'],
  ['models.BasicBlock', '[1, 1, 1, 1]'], ["'IMAGENET1K_V1'"]];

function enumerate(mods) {
  childPrelude(mods);
  const torch = globalThis.torch;
  const targets = [], members = new Map();
  // Methods, getters and setters along the prototype chain, up to Object /
  // Function (and Tensor.prototype for Tensor subclasses: those are fuzzed on
  // every kind of tensor). A member is one target per prototype that defines
  // it (Module#state_dict, not once per module class), with every class that
  // inherits it as a possible receiver.
  const addMembers = (proto, recv, cls) => {
    for (let p = proto; p && p !== Object.prototype && p !== Function.prototype && (p !== torch.Tensor.prototype || recv === 'TENSOR'); p = Object.getPrototypeOf(p)) {
      const owner = p === proto ? cls : (Object.hasOwn(p, 'constructor') && p.constructor.name) || cls;
      for (const key of Reflect.ownKeys(p)) {
        if (key === 'constructor') continue;
        const d = Object.getOwnPropertyDescriptor(p, key);
        const access = identifierAccess('RECV', key);
        if (!access) continue;
        if (members.has(p) && members.get(p).has(key)) { for (const t of members.get(p).get(key)) if (!t.recvs.includes(recv)) t.recvs.push(recv); continue; }
        const keyCode = access.startsWith('RECV.') ? JSON.stringify(key) : access.slice(5, -1);
        const id = `${owner}#${typeof key === 'symbol' ? key.toString() : key}`;
        const made = [];
        if (typeof d.value === 'function') made.push({ id, kind: 'method', recvs: [recv], access, keyCode, length: d.value.length });
        if (d.get) made.push({ id: id + ' (get)', kind: 'get', recvs: [recv], access, keyCode });
        if (d.set) made.push({ id: id + ' (set)', kind: 'set', recvs: [recv], access, keyCode });
        if (!members.has(p)) members.set(p, new Map());
        members.get(p).set(key, made);
        targets.push(...made);
      }
    }
  };
  // Breadth first, so that a function is named by its shortest path (nn.Linear, not torch.nn.Linear).
  const visited = new Set();
  const queue = mods.map((m) => [globalThis[m.name], m.name, 0]);
  while (queue.length) {
    const [obj, expr, depth] = queue.shift();
    if (visited.has(obj) || depth > 3) continue;
    visited.add(obj);
    for (const key of Object.keys(obj)) {
      let v;
      try { v = obj[key]; } catch { continue; } // compiled re-exports are getters; one that throws is not API
      const e = identifierAccess(expr, key);
      if (typeof v === 'function') {
        if (visited.has(v)) continue;
        visited.add(v);
        if (isClass(v)) {
          targets.push({ id: `new ${e}`, kind: 'construct', callee: e, length: v.length });
          for (const s of Object.getOwnPropertyNames(v)) {
            const sd = Object.getOwnPropertyDescriptor(v, s);
            if (typeof sd.value === 'function' && !['length', 'name', 'prototype'].includes(s)) targets.push({ id: `${e}.${s}`, kind: 'call', callee: identifierAccess(e, s), length: sd.value.length });
          }
          if (v === torch.Tensor) continue; // Tensor.prototype: below, on every kind of tensor
          const recipe = findRecipe(e);
          if (!recipe) continue;
          addMembers(v.prototype, recipe, e);
          // The instance's own data properties: assigned hostile values, then a method runs.
          let inst = null;
          try { inst = (0, eval)(recipe); } catch { /* it constructed in findRecipe */ }
          if (inst && (typeof inst === 'object' || typeof inst === 'function')) {
            const own = Object.keys(inst).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k)).slice(0, 12);
            if (own.length && methodNames(inst).length) targets.push({ id: `${e} own props`, kind: 'assign', recvs: [recipe], props: own, methods: methodNames(inst).slice(0, 30) });
          }
          if (typeof inst === 'function') targets.push({ id: `${e} instance()`, kind: 'call', callee: `(${recipe})`, length: 1 });
        } else {
          targets.push({ id: e, kind: 'call', callee: e, length: v.length });
          queue.push([v, e, depth + 1]); // static members of a function
        }
      } else if (v && typeof v === 'object' && !ArrayBuffer.isView(v) && Object.getPrototypeOf(v) === Object.prototype) {
        queue.push([v, e, depth + 1]); // a namespace (torch.autograd, nn.init, ...)
      }
    }
  }
  const dtypes = Object.keys(torch).filter((k) => torch.dtype && torch[k] instanceof torch.dtype && torch[k] === torch[torch[k].name]);
  addMembers(torch.Tensor.prototype, 'TENSOR', 'Tensor');
  targets.push({ id: 'Tensor own props', kind: 'assign', recvs: ['TENSOR'], props: Object.keys(torch.ones(1)), methods: methodNames(torch.ones(1)).slice(0, 80) });
  return { targets, dtypes: dtypes.length ? dtypes : DTYPE_NAMES_FALLBACK, files: sampleFiles() };
}

function methodNames(inst) {
  const names = new Set();
  for (let p = Object.getPrototypeOf(inst); p && p !== Object.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p))
    for (const k of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, k);
      if (k !== 'constructor' && typeof d.value === 'function' && /^[A-Za-z_$][\w$]*$/.test(k)) names.add(k);
    }
  return [...names].sort();
}

function findRecipe(expr) {
  for (const args of RECIPES) {
    const code = `new ${expr}(${args.join(', ')})`;
    try {
      const inst = (0, eval)(code);
      if (inst !== null && inst !== undefined) return code;
    } catch { /* next */ }
  }
  return null;
}

// Valid files to mutate: a torch.save output, PNGs and a JPEG (the packages'
// own encoders, so nothing is read from disk).
function sampleFiles() {
  const torch = globalThis.torch, out = {};
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-sample-'));
  try {
    const f = path.join(tmp, 'x.pt');
    const lin = globalThis.nn && globalThis.nn.Linear ? new globalThis.nn.Linear(3, 2) : null;
    torch.save({ w: torch.randn(3, 4), i: torch.arange(5), b: torch.tensor([true, false]), n: 7, s: 'x', l: [1.5, null],
      ...(lin ? { sd: lin.state_dict() } : {}), view: torch.randn(4, 4).t() }, f);
    out.pt = fs.readFileSync(f).toString('base64');
  } finally { fs.rmSync(tmp, { recursive: true, force: true }); }
  const { PNG } = require(require.resolve('pngjs', { paths: [ROOT] }));
  const png = (w, h, colorType, bitDepth) => {
    const p = new PNG({ width: w, height: h, colorType, inputColorType: 6, bitDepth, inputHasAlpha: true });
    for (let i = 0; i < p.data.length; i++) p.data[i] = (i * 37) & 255;
    return PNG.sync.write(p, { colorType, bitDepth, inputColorType: 6, inputHasAlpha: true }).toString('base64');
  };
  out.png_rgba = png(4, 3, 6, 8);
  out.png_rgb = png(5, 2, 2, 8);
  out.png_gray = png(3, 3, 0, 8);
  const jpeg = require(require.resolve('jpeg-js', { paths: [ROOT] }));
  const raw = Buffer.alloc(16 * 8 * 4);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 13) & 255;
  out.jpeg = jpeg.encode({ data: raw, width: 16, height: 8 }, 80).data.toString('base64');
  return out;
}

// ---- file mutations ----------------------------------------------------------------
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
function crc32(buf) { let c = 0xffffffff; for (const b of buf) c = CRC_TABLE[(c ^ b) & 255] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; }
const U32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 65536, 1 << 24];
const U16 = [0, 1, 0x7fff, 0x8000, 0xffff];

function indexesOf(buf, sig) { const r = []; for (let i = buf.indexOf(sig); i >= 0; i = buf.indexOf(sig, i + 1)) r.push(i); return r; }

function mutateGeneric(r, b) {
  const k = r.int(4);
  if (k === 0) return { data: b.subarray(0, r.int(b.length)), how: 'truncated' };
  if (k === 1) {
    const c = Buffer.from(b); const n = 1 + r.int(8);
    for (let i = 0; i < n; i++) { const p = r.int(c.length * 8); c[p >> 3] ^= 1 << (p & 7); }
    return { data: c, how: `${n} bit flips` };
  }
  if (k === 2) {
    const c = Buffer.from(b); const n = 1 + r.int(4);
    for (let i = 0; i < n; i++) c[r.int(c.length)] = r.pick([0, 0xff, 0x7f, 0x80]);
    return { data: c, how: `${n} bytes set` };
  }
  const c = Buffer.alloc(r.int(512)); for (let i = 0; i < c.length; i++) c[i] = r.int(256);
  return { data: c, how: 'random bytes' };
}

// ZIP (torch.save): the size, offset and count fields of the local headers,
// central directory and end records, and bit flips inside the pickle.
function mutateZip(r, b) {
  if (r.chance(0.35)) return mutateGeneric(r, b);
  const c = Buffer.from(b);
  const fields = [];
  for (const p of indexesOf(c, Buffer.from('PK\x03\x04', 'latin1'))) fields.push([p + 18, 4], [p + 22, 4], [p + 26, 2], [p + 28, 2]);
  for (const p of indexesOf(c, Buffer.from('PK\x01\x02', 'latin1'))) fields.push([p + 20, 4], [p + 24, 4], [p + 28, 2], [p + 30, 2], [p + 42, 4]);
  for (const p of indexesOf(c, Buffer.from('PK\x05\x06', 'latin1'))) fields.push([p + 8, 2], [p + 10, 2], [p + 12, 4], [p + 16, 4]);
  for (const p of indexesOf(c, Buffer.from('PK\x06\x06', 'latin1'))) fields.push([p + 24, 8], [p + 32, 8], [p + 40, 8], [p + 48, 8]);
  const pkl = c.indexOf('data.pkl');
  if (pkl >= 0 && r.chance(0.3)) {
    // Integers of the pickle (BININT1 K, BININT2 M, BININT J): storage sizes,
    // offsets, shapes and strides, which the reader hands to the addon. The
    // opcodes are found by byte, not parsed: some hits are other bytes.
    const start = pkl + 8, end = Math.min(c.length, start + 600);
    const at = [];
    for (let i = start; i < end - 4; i++) if (c[i] === 0x4b || c[i] === 0x4d || c[i] === 0x4a) at.push(i);
    if (at.length) {
      const i = r.pick(at);
      const v = r.pick([0, 1, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0x40000000, 0x10000]);
      if (c[i] === 0x4b) c[i + 1] = v & 0xff;
      else if (c[i] === 0x4d) c.writeUInt16LE(v & 0xffff, i + 1);
      else c.writeUInt32LE(v >>> 0, i + 1);
      return { data: c, how: `pickle int at ${i - start} = ${v}` };
    }
  }
  if (fields.length === 0 || (pkl >= 0 && r.chance(0.3))) {
    // The pickle record follows its local header name (stored, not deflated).
    const start = pkl >= 0 ? pkl + 8 : 0, end = Math.min(c.length, start + 600);
    const n = 1 + r.int(3);
    for (let i = 0; i < n; i++) c[start + r.int(end - start)] = r.pick([0, 0xff, 0x7f, 0x80, r.int(256)]);
    return { data: c, how: `${n} pickle bytes set` };
  }
  const [off, size] = r.pick(fields);
  const v = r.pick(size === 2 ? U16 : U32);
  if (size === 2) c.writeUInt16LE(v, off);
  else if (size === 4) c.writeUInt32LE(v >>> 0, off);
  else c.writeBigUInt64LE(r.pick([0n, 0xffffffffn, 0x7fffffffffffffffn, 0xffffffffffffffffn]), off);
  return { data: c, how: `zip field at ${off} = ${v}` };
}

// PNG: IHDR fields with the CRC recomputed (so that the decoder believes
// them), chunk lengths, and IDAT cut short.
function mutatePng(r, b) {
  if (r.chance(0.3)) return mutateGeneric(r, b);
  const c = Buffer.from(b);
  const fixIhdrCrc = () => c.writeUInt32BE(crc32(c.subarray(12, 29)), 29);
  const k = r.int(5);
  if (k === 0) {
    const w = r.pick([...U32, 2147483647]), h = r.pick([1, 0, 2147483647, 0xffffffff, 65536]);
    c.writeUInt32BE(w >>> 0, 16); c.writeUInt32BE(h >>> 0, 20); fixIhdrCrc();
    return { data: c, how: `IHDR ${w}x${h}` };
  }
  if (k === 1) {
    const depth = r.pick([0, 1, 2, 4, 8, 16, 3, 255]), color = r.pick([0, 1, 2, 3, 4, 6, 7, 255]);
    c[24] = depth; c[25] = color; fixIhdrCrc();
    return { data: c, how: `IHDR depth ${depth} color ${color}` };
  }
  if (k === 2) { c[26] = r.pick([1, 2, 255]); c[27] = r.pick([0, 1, 255]); c[28] = r.pick([0, 1, 2]); fixIhdrCrc(); return { data: c, how: 'IHDR compression/filter/interlace' }; }
  const idat = c.indexOf('IDAT');
  if (k === 3 && idat > 4) { c.writeUInt32BE(r.pick(U32) >>> 0, idat - 4); return { data: c, how: 'IDAT length' }; }
  const w = r.pick([2147483647, 65535, 100000]);
  c.writeUInt32BE(w, 16); c.writeUInt32BE(1, 20); fixIhdrCrc();
  return { data: idat > 4 ? c.subarray(0, idat + 4 + r.int(20)) : c, how: `IHDR ${w}x1, IDAT cut` };
}

// JPEG: the frame header (SOF) dimensions, component count and sampling,
// and segment lengths.
function mutateJpeg(r, b) {
  if (r.chance(0.3)) return mutateGeneric(r, b);
  const c = Buffer.from(b);
  const sof = [0xc0, 0xc1, 0xc2].map((m) => c.indexOf(Buffer.from([0xff, m]))).find((i) => i >= 0);
  const k = r.int(4);
  if (sof !== undefined && k === 0) { const h = r.pick(U16), w = r.pick(U16); c.writeUInt16BE(h, sof + 5); c.writeUInt16BE(w, sof + 7); return { data: c, how: `SOF ${w}x${h}` }; }
  if (sof !== undefined && k === 1) { const n = r.pick([0, 2, 4, 255]); c[sof + 9] = n; return { data: c, how: `SOF ${n} components` }; }
  if (sof !== undefined && k === 2) { const s = r.pick([0, 0x44, 0xff, 0x14]); c[sof + 11] = s; return { data: c, how: `SOF sampling ${s}` }; }
  const markers = indexesOf(c, Buffer.from([0xff])).filter((i) => c[i + 1] >= 0xc0 && c[i + 1] !== 0xd8 && c[i + 1] !== 0xd9 && c[i + 1] < 0xff);
  if (!markers.length) return mutateGeneric(r, b);
  const m = r.pick(markers);
  c.writeUInt16BE(r.pick(U16), m + 2);
  return { data: c, how: `segment 0x${c[m + 1].toString(16)} length` };
}

// A JS error from inside the library rather than from its argument checks.
const INTERNAL = /Cannot read properties|is not a function|is not iterable|Cannot convert|Maximum call stack|is not a constructor|Cannot (set|destructure|create) propert|is not defined|Invalid array length|Reduce of empty array/;
/**
 * Public API: no member of the target's path is private (`_x`; Python's dunders such as
 * `__len__` are public), and not an 'own props' case (hostile values planted in an instance).
 */
function isPublicTarget(target) {
  if (/ own props$/.test(target)) return false;
  return !target.split(/[.#]/).some((seg) => /^_/.test(seg) && !/^__\w+__$/.test(seg));
}

// ---- case generation ----------------------------------------------------------------
function generate(o, info, workDir) {
  let r; // one generator per case, below
  const tensors = tensorValues(info.dtypes);
  const hostile = [...SCALARS, ...STRINGS, ...ARRAYS, ...OBJECTS, ...BUFFERS, ...tensors,
    ...info.dtypes.map((d) => `torch.${d}`), '{ name: "float32", code: 99 }', '{ code: -1 }'];
  const value = (withT0) => {
    if (withT0 && r.chance(0.25)) return r.pick(DISPOSERS);
    if (r.chance(0.3)) return r.pick(PLAUSIBLE);
    if (r.chance(0.25)) return r.pick(tensors);
    return r.pick(hostile);
  };
  const options = (withT0) => {
    const keys = new Set(); const n = 1 + r.int(3);
    for (let i = 0; i < n; i++) keys.add(r.pick(KWARGS));
    return `{ ${[...keys].map((k) => `${k}: ${value(withT0)}`).join(', ')} }`;
  };
  const argList = (length, withT0) => {
    const n = r.chance(0.5) ? length : r.int(length + 3);
    const args = [];
    // Most functions take a tensor first: half the time give one, so that the
    // call gets past its first argument check to the rest.
    for (let i = 0; i < n; i++) args.push(i === 0 && r.chance(0.5) ? r.pick(tensors) : value(withT0));
    if (r.chance(0.3)) args.push(options(withT0));
    return args;
  };
  // Wrappers that make the conversion or the lifetime of the arguments the attack.
  const frame = (call, withT0, t0) => {
    if (!withT0) return r.chance(0.1) ? `(() => { const r = ${call}; gc(); return r; })()` : call;
    const after = r.chance(0.3) ? 't0.dispose(); gc(); ' : '';
    return `(() => { const t0 = ${t0}; const r = ${call}; ${after}return r; })()`;
  };
  // Left out by name, and as receivers of what they inherit (Store#num_keys on a FileStore).
  let targets = info.targets.filter((t) => !LEFT_OUT.test(t.id))
    .map((t) => (t.recvs ? { ...t, recvs: t.recvs.filter((rv) => !LEFT_OUT.test(rv)) } : t))
    .filter((t) => !t.recvs || t.recvs.length);
  if (o.filter) targets = targets.filter((t) => o.filter.test(t.id));
  const fileTargets = targets.filter((t) => (t.kind === 'call') && (/^torch\.load$/.test(t.id) || /^io\.(decode_|read_)/.test(t.id)));
  const inputsDir = path.join(workDir, 'inputs');
  fs.mkdirSync(inputsDir, { recursive: true });
  const cases = [];
  for (let i = 0; i < o.cases; i++) {
    r = rng((o.seed * 1000003 + i) >>> 0); // case i is the same whatever --cases is
    if (fileTargets.length && r.chance(0.15)) { cases.push(fileCase(r, i, fileTargets, info, inputsDir)); continue; }
    const t = r.pick(targets);
    const withT0 = r.chance(0.15);
    const t0 = r.pick(tensors.slice(0, 8).concat(['torch.randn(2, 3)', 'torch.randn(1, 3, 8, 8)']));
    // The receiver: an instance recipe, or for Tensor members any kind of tensor,
    // t0 (which an argument may dispose), or now and then not a tensor at all.
    const recv = t.recvs ? r.pick(t.recvs) : null;
    let rv = recv, foreign = false;
    if (recv === 'TENSOR') {
      if (withT0) rv = 't0';
      else if (r.chance(0.9)) rv = `(${r.pick(tensors)})`;
      else { rv = r.pick(['{}', 'null', '1', 'torch.ones(2).shape']); foreign = true; }
    } else if (rv) rv = `(${rv})`;
    const args = () => argList(t.length || 0, withT0).join(', ');
    let code;
    if (t.kind === 'call') code = `${t.callee}(${args()})`;
    else if (t.kind === 'construct') code = `new ${t.callee}(${args()})`;
    else if (foreign && t.kind === 'method') code = `torch.Tensor.prototype[${t.keyCode}].call(${rv}${(a => a ? ', ' + a : '')(args())})`;
    else if (foreign && t.kind === 'get') code = `Reflect.get(torch.Tensor.prototype, ${t.keyCode}, ${rv})`;
    else if (foreign && t.kind === 'set') code = `Reflect.set(torch.Tensor.prototype, ${t.keyCode}, ${value(withT0)}, ${rv})`;
    else if (t.kind === 'method') code = `${t.access.replace('RECV', rv)}(${args()})`;
    else if (t.kind === 'get') code = t.access.replace('RECV', rv);
    else if (t.kind === 'set') code = `(${t.access.replace('RECV', rv)} = ${value(withT0)})`;
    else { // assign: an own property set to a hostile value, then a method of the instance runs
      const obj = recv === 'TENSOR' ? (withT0 ? 't0' : r.pick(tensors.slice(0, 6))) : recv;
      code = `(() => { const o = ${obj}; o.${r.pick(t.props)} = ${value(withT0)}; return o.${r.pick(t.methods)}(${argList(1, withT0).join(', ')}); })()`;
    }
    cases.push({ id: i, target: t.id, code: frame(code, withT0, t0) });
  }
  return cases;
}

// A JS string literal in single quotes (a repro line then needs no shell escaping).
const jsString = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fileCase(r, i, fileTargets, info, inputsDir) {
  const t = r.pick(fileTargets);
  const isLoad = t.id === 'torch.load';
  const srcName = isLoad ? 'pt' : r.pick(['png_rgba', 'png_rgb', 'png_gray', 'jpeg', 'jpeg', 'png_rgba']);
  const src = Buffer.from(info.files[srcName], 'base64');
  const m = isLoad ? mutateZip(r, src) : srcName === 'jpeg' ? mutateJpeg(r, src) : mutatePng(r, src);
  const file = path.join(inputsDir, `case-${i}.${isLoad ? 'pt' : srcName === 'jpeg' ? 'jpg' : 'png'}`);
  fs.writeFileSync(file, m.data);
  const rel = jsString(file);
  let arg;
  if (/read_/.test(t.id)) arg = rel;
  else if (isLoad) arg = r.pick([rel, `fs.readFileSync(${rel})`, `new Uint8Array(fs.readFileSync(${rel}))`]);
  else arg = r.pick([`fs.readFileSync(${rel})`, `io.read_file(${rel})`]);
  const extra = isLoad ? r.pick(['', ", { weights_only: true }", ", { map_location: 'cpu' }"]) : r.pick(['', ', io.ImageReadMode.RGB', ', io.ImageReadMode.GRAY', ', 7']);
  return { id: i, target: `${t.id} (${m.how})`, code: `${t.callee}(${arg}${extra})`, file };
}

// ---- child: run cases, announce each on fd 3 -------------------------------------------
async function runChild(file) {
  const { mods, cases, start, timeoutMs, deadline } = JSON.parse(fs.readFileSync(file, 'utf8'));
  const say = (s) => fs.writeSync(3, s + '\n');
  try { childPrelude(mods); } catch (e) { say(`X ${JSON.stringify(String(e && e.stack))}`); process.exit(0); }
  process.on('unhandledRejection', () => {}); // a rejected promise a case left behind is not a finding
  if (!globalThis.gc) globalThis.gc = () => {};
  const names = mods.map((m) => m.name);
  for (let i = start; i < start + cases.length && !(deadline && Date.now() > deadline); i++) {
    const c = cases[i - start];
    say(`S ${i}`);
    let cls = 'ok', msg = '';
    try {
      const f = new Function(...names, 'fs', `return (${c.code});`);
      let res = f(...names.map((n) => globalThis[n]), fs);
      if (res && typeof res.then === 'function') {
        // Awaited, with the case's time: an async op must settle or it is a hang.
        // The timer is not unref'd: a thenable that never settles (a Future nobody completes)
        // is then an error after the timeout, not an empty event loop that ends the child.
        // A third of the case's time, so that the parent's hang watch (the whole timeout) never fires first.
        let timer;
        res = await Promise.race([Promise.resolve(res), new Promise((_, rej) => {
          timer = setTimeout(() => rej(new Error('fuzz: promise did not settle')), Math.max(1000, Math.floor(timeoutMs / 3)));
        })])
          .finally(() => clearTimeout(timer));
      }
    } catch (e) {
      cls = 'error';
      try { msg = `${e && e.constructor ? e.constructor.name : typeof e}: ${String(e && e.message).slice(0, 200)}`; } catch { msg = 'unprintable'; }
    }
    say(`E ${i} ${cls} ${JSON.stringify(msg)}`);
    if (i % 25 === 24) globalThis.gc(); // weak callbacks of what the cases dropped run here, inside this batch
  }
  say('D');
  process.exit(0);
}

// ---- driver ------------------------------------------------------------------------------
function childEnv(workDir) {
  // One intra-op thread: the fuzzer shares small machines, and results do not depend on it.
  return { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', TORCH_HOME: path.join(workDir, 'torch-home'),
    NODE_OPTIONS: '', NODE_NO_WARNINGS: '1' };
}

// A child with its address space bounded (so that a huge allocation fails as
// bad_alloc instead of waking the OOM killer) and a small JS heap (so that a
// runaway JS allocation is a quick V8 fatal error, not minutes of GC). A
// sanitizer build needs terabytes of shadow address space: no bound then.
function spawnChild(args, workDir) {
  const nodeArgs = ['--expose-gc', '--max-old-space-size=1024', __filename, ...args];
  const sanitized = /asan|sanitizer/i.test(process.env.LD_PRELOAD || '');
  const useUlimit = process.platform === 'linux' && !sanitized;
  const cmd = useUlimit ? '/bin/sh' : process.execPath;
  const argv = useUlimit ? ['-c', 'ulimit -v 8388608 && exec "$0" "$@"', process.execPath, ...nodeArgs] : nodeArgs;
  return spawn(cmd, argv, { cwd: path.join(workDir, 'cwd'), env: childEnv(workDir), stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
}

function classifyDeath(code, signal, stderr) {
  if (/ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer|UndefinedBehaviorSanitizer/.test(stderr)) return 'sanitizer';
  if (signal === 'SIGABRT' || code === 134 || /FATAL ERROR:|Fatal error in|Check failed|terminate called/.test(stderr)) return 'abort';
  if (signal) return 'crash';
  return 'exit';
}

// Runs cases[from..to) in one child until it exits. Returns the results, the
// index to go on from, and `dead` when the child died: the case in flight (or,
// dying between cases, the last one that finished) with its class.
function runBatch(mods, cases, from, to, o, workDir, deadline = 0) {
  return new Promise((resolve) => {
    const file = path.join(workDir, `batch-${from}.json`);
    fs.writeFileSync(file, JSON.stringify({ mods, cases: cases.slice(from, to), start: from, timeoutMs: o.timeout * 1000, deadline }));
    const child = spawnChild(['--child', file], workDir);
    const results = new Map();
    let current = null, last = null, done = false, buf = '', stderr = '', hung = false, setupError = null, timer = null, stacks = null;
    const onHang = () => {
      hung = true;
      stacks = nativeStacks(child.pid); // what it was doing: a loop, a lock, a syscall
      child.kill('SIGKILL');
    };
    const arm = (s) => { clearTimeout(timer); timer = setTimeout(onHang, s * 1000); };
    arm(o.timeout + 60); // loading the addon (slow under a sanitizer) comes first
    child.stdout.on('data', () => {}); // library output (warnings, prints) is not the protocol
    child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-20000); });
    child.stdio[3].on('data', (d) => {
      buf += d;
      for (let nl; (nl = buf.indexOf('\n')) >= 0;) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line[0] === 'S') { current = Number(line.slice(2)); arm(o.timeout); }
        else if (line[0] === 'E') {
          const m = /^E (\d+) (\w+) (.*)$/.exec(line);
          results.set(Number(m[1]), { cls: m[2], msg: JSON.parse(m[3]) });
          last = Number(m[1]);
          current = null;
          arm(o.timeout); // the GC between cases runs here
        } else if (line[0] === 'D') done = true;
        else if (line[0] === 'X') setupError = JSON.parse(line.slice(2));
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      fs.rmSync(file, { force: true });
      const next = last === null ? from : last + 1;
      if (setupError) return resolve({ results, setupError });
      if (done && !hung && code === 0) return resolve({ results, next, dead: null });
      const index = current ?? last;
      if (index === null) return resolve({ results, setupError: `the child died before its first case (${signal || 'exit ' + code}):\n${stderr.slice(-3000)}` });
      const cls = hung ? 'hang' : classifyDeath(code, signal, stderr);
      resolve({ results, next: index + 1, dead: { index, cls, signal, code, between_cases: current === null, stderr: stderr.slice(-3000), stacks } });
    });
  });
}

// The native stacks of a hung child's threads, when gdb is there (else null).
function nativeStacks(pid) {
  const r = spawnSync('gdb', ['-p', String(pid), '-batch', '-nx', '-ex', 'thread apply all bt 25'], { encoding: 'utf8', timeout: 60000 });
  if (r.error || !r.stdout) return null;
  const threads = r.stdout.split(/^(?=Thread )/m).filter((t) => t.startsWith('Thread '));
  const main = threads.findIndex((t) => t.includes(`LWP ${pid})`)); // the JS thread first
  if (main > 0) threads.unshift(...threads.splice(main, 1));
  return threads.map((t) => t.split('\n').filter((l) => /^(Thread|#)/.test(l)).join('\n')).join('\n').slice(0, 12000);
}

const short = (s, n = 160) => (s.length > n ? s.slice(0, n - 3) + '...' : s);

function reproLine(mods, c) {
  const used = mods.filter((m) => new RegExp(`(^|[^\\w.$])${m.name.replace(/\$/g, '\\$')}\\b`).test(c.code));
  if (!used.some((m) => m.name === 'torch')) used.unshift(mods.find((m) => m.name === 'torch'));
  const req = used.map((m) => `const ${m.name} = require('${m.spec}');`).join(' ');
  const fsReq = /\bfs\./.test(c.code) ? " const fs = require('fs');" : '';
  const code = `${req}${fsReq} ${c.code.replace(/; $/, ';')};`.replace(/;;$/, ';');
  return `node --expose-gc -e ${shellQuote(code)}`;
}
// Double quotes when nothing in the code is special to the shell there (the
// usual case: the cases quote strings with '), single quotes otherwise.
function shellQuote(s) { return /["$`\\!]/.test(s) ? `'${s.replace(/'/g, `'\\''`)}'` : `"${s}"`; }

// Re-runs one case alone; returns its class ('ok'/'error' when it does not die alone).
async function runAlone(mods, c, o, workDir) {
  const { results, dead } = await runBatch(mods, [c], 0, 1, o, workDir);
  if (dead) return dead.cls;
  return results.get(0) ? results.get(0).cls : 'exit';
}

// Argument-level reduction of a call: drop arguments from the end, then
// replace each with a plain value, keeping each step that still dies the same way.
async function reduce(mods, c, cls, o, workDir, deadline) {
  const split = (s) => { // top-level comma split of an argument list
    const out = []; let depth = 0, q = null, cur = '';
    for (let i = 0; i < s.length; i++) {
      const ch = s[i];
      if (q) { cur += ch; if (ch === '\\') { cur += s[++i]; } else if (ch === q) q = null; continue; }
      if (ch === "'" || ch === '"' || ch === '`') { q = ch; cur += ch; continue; }
      if ('([{'.includes(ch)) depth++;
      if (')]}'.includes(ch)) depth--;
      if (ch === ',' && depth === 0) { out.push(cur.trim()); cur = ''; continue; }
      cur += ch;
    }
    if (cur.trim()) out.push(cur.trim());
    return out;
  };
  // The call whose closing paren ends the code: scan back to its opening one
  // (a paren inside a string may mislead it; every candidate is re-run anyway).
  if (!c.code.endsWith(')')) return c;
  let open = -1;
  for (let i = c.code.length - 1, depth = 0; i >= 0; i--) {
    if (c.code[i] === ')') depth++;
    else if (c.code[i] === '(' && --depth === 0) { open = i; break; }
  }
  if (open <= 0) return c;
  const m = [c.code, c.code.slice(0, open), c.code.slice(open + 1, -1)];
  let best = split(m[2]);
  const build = (args) => ({ ...c, code: `${m[1]}(${args.join(', ')})` });
  const tries = [];
  for (let n = best.length - 1; n >= 0; n--) tries.push((a) => a.length > n ? a.slice(0, n) : null);
  for (let i = 0; i < best.length; i++) for (const plain of ['undefined', '1', 'torch.ones(2)']) tries.push((a) => i < a.length && a[i] !== plain ? a.map((x, j) => (j === i ? plain : x)) : null);
  for (const t of tries) {
    if (Date.now() > deadline) break;
    const cand = t(best);
    if (!cand) continue;
    if (await runAlone(mods, build(cand), o, workDir) === cls) best = cand;
  }
  return build(best);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.child) return runChild(o.child);
  const mods = moduleVars();
  if (o.enumerate) { process.stdout.write(JSON.stringify(enumerate(mods))); return; }

  const t0 = Date.now();
  const log = o.quiet ? () => {} : (s) => console.log(s);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-fuzz-'));
  fs.mkdirSync(path.join(workDir, 'cwd'));
  let cases, targetsCount = 0;
  if (o.selfTest) {
    // Each class of death once, between cases that must pass: the harness's own test.
    cases = ['torch.ones(2).add(1)', "process.kill(process.pid, 'SIGSEGV')", 'torch.ones(1).sum()', 'process.abort()',
      "torch.tensor('x')", '(() => { for (;;); })()', 'process.exit(3)', 'torch.zeros(3)'].map((code, id) => ({ id, target: 'self-test', code }));
  } else {
    const en = spawnSync(process.execPath, [__filename, '--enumerate'], { cwd: ROOT, env: childEnv(workDir), encoding: 'utf8', maxBuffer: 1 << 28 });
    if (en.status !== 0) throw new Error(`fuzz.js: enumerating the API failed:\n${en.stderr}`);
    const info = JSON.parse(en.stdout);
    targetsCount = info.targets.length;
    if (o.list) { for (const t of info.targets) console.log(`${t.kind.padEnd(9)} ${t.id}`); return; }
    cases = generate(o, info, workDir);
  }
  log(`fuzz: seed ${o.seed}, ${cases.length} cases${targetsCount ? ` over ${targetsCount} targets` : ''}, timeout ${o.timeout} s, work dir ${workDir}`);

  const counts = {}, findings = [], internal = new Map();
  let from = 0, stoppedAt = null;
  while (from < cases.length) {
    if (o.time && (Date.now() - t0) / 1000 > o.time) { stoppedAt = from; break; }
    const to = Math.min(cases.length, from + o.batch);
    const b = await runBatch(mods, cases, from, to, o, workDir, o.time ? t0 + o.time * 1000 : 0);
    if (b.setupError) throw new Error(`fuzz.js: the child could not load the package:\n${b.setupError}`);
    for (const [i, res] of b.results) {
      if (o.log) fs.appendFileSync(o.log, JSON.stringify({ id: i, target: cases[i].target, code: cases[i].code, ...res }) + '\n');
      counts[res.cls] = (counts[res.cls] || 0) + 1;
      // JS errors from inside the library rather than its argument checks: reported, not findings.
      if (res.cls === 'error' && INTERNAL.test(res.msg)) {
        const target = cases[i].target.split(' (')[0];
        const k = `${target}: ${res.msg.replace(/\d+/g, 'N').slice(0, 120)}`;
        const e = internal.get(k) || { count: 0, error: k, target, public: isPublicTarget(target), example: cases[i].code };
        e.count++;
        internal.set(k, e);
      }
    }
    if (b.dead) {
      const c = cases[b.dead.index];
      counts[b.dead.cls] = (counts[b.dead.cls] || 0) + 1;
      findings.push({ case: c, ...b.dead });
      log(`fuzz: case ${c.id} ${b.dead.cls.toUpperCase()} (${b.dead.signal || 'exit ' + b.dead.code}) ${c.target}\n      ${short(c.code, 300)}`);
    }
    from = b.next;
    if (!o.quiet && !b.dead) process.stdout.write(`fuzz: ${from}/${cases.length} cases, ${Math.round((Date.now() - t0) / 1000)} s\r`);
  }
  if (!o.quiet) process.stdout.write('\n');

  // Each finding alone, reduced, with its repro line.
  const reportDir = path.resolve(path.dirname(o.report));
  const reduceDeadline = Date.now() + (o.time ? Math.max(20, o.time * 0.3) : 300) * 1000;
  for (const f of findings) {
    f.alone = o.selfTest ? f.cls : await runAlone(mods, f.case, o, workDir);
    if (f.alone !== f.cls) {
      // Not alone: again after the 25 cases before it, in one child. A death
      // that needs them is state left behind (a finding); a hang that does not
      // come back either was the machine's load: reported as slow, not a finding.
      const first = Math.max(0, f.case.id - 25);
      const again = await runBatch(mods, cases, first, f.case.id + 1, o, workDir);
      f.withContext = again.dead && again.dead.index === f.case.id ? again.dead.cls : 'no';
      if (f.cls === 'hang' && f.withContext !== 'hang') f.slow = true;
    }
    f.reduced = f.alone === f.cls && o.reduce && !o.selfTest ? await reduce(mods, f.case, f.cls, o, workDir, reduceDeadline) : f.case;
    if (f.case.file) {
      // Keep the input beside the report and point the repro at it; a small
      // input is written by the repro line itself, so that it stands alone.
      const keep = path.join(reportDir, 'fuzz-inputs', path.basename(f.case.file));
      fs.mkdirSync(path.dirname(keep), { recursive: true });
      fs.copyFileSync(f.case.file, keep);
      const data = fs.readFileSync(keep);
      const rel = path.relative(ROOT, keep);
      const shown = data.length <= 1024 ? path.join(os.tmpdir(), path.basename(keep)) : rel.startsWith('..') ? keep : rel;
      const write = data.length <= 1024 ? `fs.writeFileSync(${jsString(shown)}, Buffer.from('${data.toString('hex')}', 'hex')); ` : '';
      f.reduced = { ...f.reduced, code: write + f.reduced.code.split(jsString(f.case.file)).join(jsString(shown)) };
    }
    f.repro = reproLine(mods, f.reduced);
    if (f.alone !== f.cls) f.repro += `   # dies only after earlier cases: node scripts/fuzz.js --seed ${o.seed} --cases ${f.case.id + 1}`;
  }
  const slow = findings.filter((f) => f.slow);
  for (const f of slow) { counts.hang--; counts.slow = (counts.slow || 0) + 1; }
  if (counts.hang === 0) delete counts.hang;
  const seconds = Math.round((Date.now() - t0) / 100) / 10;
  const report = {
    seed: o.seed, cases: cases.length, run: stoppedAt ?? cases.length, seconds, targets: targetsCount, counts,
    findings: findings.filter((f) => !f.slow).map((f) => ({ id: f.case.id, class: f.cls, signal: f.signal, exit_code: f.code, between_cases: f.between_cases, target: f.case.target,
      reproduces_alone: f.alone === f.cls, with_the_25_cases_before: f.withContext, repro: f.repro, code: f.case.code, stderr_tail: f.stderr,
      ...(f.stacks ? { hang_stacks: f.stacks } : {}) })),
    slow: slow.map((f) => ({ id: f.case.id, target: f.case.target, code: f.case.code, hang_stacks: f.stacks,
      note: `over ${o.timeout} s once; not again alone or after the cases before it` })),
    // Each kind with its count, one case that raised it, and whether the target is public API
    // (test/fuzz.test.js fails on those): a private member (`_x`) or an own-property case only must not crash.
    internal_errors: [...internal.values()].sort((a, b) => b.count - a.count),
  };
  fs.writeFileSync(o.report, JSON.stringify(report, null, 2) + '\n');
  fs.rmSync(workDir, { recursive: true, force: true });
  log(`fuzz: ${report.run} of ${cases.length} cases in ${seconds} s: ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}` +
    `${stoppedAt !== null ? ` (stopped by --time ${o.time})` : ''}; report ${o.report}`);
  for (const f of report.findings) log(`FINDING ${f.class} case ${f.id} ${f.target}\n  ${f.repro}`);
  process.exitCode = report.findings.length ? 1 : 0;
}

main().catch((e) => { console.error(e && e.stack || e); process.exit(2); });
