'use strict';
// torch.warnings (lib/warnings.ts): Python's warnings module. Printed at the call, in Python's
// format, once per call site (child processes, stdout and stderr into one file to see the order);
// silenced by NODE_NO_WARNINGS / --no-warnings; the filter API, in process.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..');
const warnings = require('../dist/warnings.js');
const { UserWarning, DeprecationWarning, RuntimeWarning, Warning } = warnings;

/** Runs `source` as a script file (`.js` or `.mjs`); stdout and stderr go to one file, in order. */
function runScript(source, { ext = '.js', env = {}, args = [] } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-warnings-'));
  try {
    const script = path.join(dir, `script${ext}`);
    fs.writeFileSync(script, source);
    const outFile = path.join(dir, 'out.txt');
    const fd = fs.openSync(outFile, 'w');
    let r;
    try {
      const childEnv = { ...process.env, ...env };
      for (const k of ['NODE_NO_WARNINGS', 'NODE_OPTIONS']) if (!(k in env)) delete childEnv[k];
      r = spawnSync(process.execPath, [...args, script], { stdio: ['ignore', fd, fd], env: childEnv, timeout: 60000 });
    } finally {
      fs.closeSync(fd);
    }
    assert.equal(r.status, 0, fs.readFileSync(outFile, 'utf8'));
    return { script, out: fs.readFileSync(outFile, 'utf8'), lineOf: (marker) => source.split('\n').findIndex((l) => l.includes(marker)) + 1 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const PRETRAINED = "UserWarning: The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, please use 'weights' instead.";
const WEIGHTS = "UserWarning: Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 and may be removed in the future. " +
  'The current behavior is equivalent to passing `weights=None`.';

describe('torch.warnings: printed at the call, as Python prints', function () {
  this.timeout(120000);

  const SCRIPT = `
const torch = require(${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))});
const models = require(${JSON.stringify(path.join(ROOT, 'dist', 'torchvision', 'models', 'index.js'))});
console.log('start');
for (let i = 0; i < 3; i++) {
  models.resnet18({ pretrained: false }); // SITE-A
  console.log('after ' + i);
}
models.resnet18({ pretrained: false }); // SITE-B
torch.warnings.warn('direct', torch.warnings.DeprecationWarning); // SITE-C
console.log('end');
`;

  it('torchvision\'s pretrained warnings: before the next output, at the user\'s line, once per call site', () => {
    const { script, out, lineOf } = runScript(SCRIPT);
    const at = (marker, text) => [`${script}:${lineOf(marker)}: ${text}`, `  ${SCRIPT.split('\n')[lineOf(marker) - 1].trim()}`];
    assert.deepEqual(out.trimEnd().split('\n'), [
      'start',
      ...at('SITE-A', PRETRAINED), ...at('SITE-A', WEIGHTS),
      'after 0', 'after 1', 'after 2',
      ...at('SITE-B', PRETRAINED), ...at('SITE-B', WEIGHTS),
      // A DeprecationWarning shows when the main script itself triggers it (Python's __main__).
      ...at('SITE-C', 'DeprecationWarning: direct'),
      'end',
    ]);
  });

  it("LibTorch's own warnings (TORCH_WARN) are UserWarnings at the call, once per call site; 'error' throws them", () => {
    const source = `
const torch = require(${JSON.stringify(path.join(ROOT, 'dist', 'index.js'))});
const y = torch.ones(2, { requires_grad: true }).mul(2);
for (let i = 0; i < 2; i++) console.log('grad ' + y.grad); // SITE-A
torch.warnings.filterwarnings('error');
try { y.grad; } catch (e) { console.log('thrown ' + e.constructor.name); }
console.log('end');
`;
    const { script, out, lineOf } = runScript(source);
    const lines = out.trimEnd().split('\n');
    // Python 1.13 prints this message for a non-leaf .grad (torch/_tensor.py defers to the C++ TORCH_WARN).
    assert.match(lines[0], new RegExp(`^${script.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${lineOf('SITE-A')}: UserWarning: The \\.grad attribute of a Tensor that is not a leaf Tensor is being accessed`));
    assert.deepEqual(lines.slice(2), ['grad null', 'grad null', 'thrown UserWarning', 'end']);
  });

  it('NODE_NO_WARNINGS=1, --no-warnings and NODE_OPTIONS=--no-warnings print nothing', () => {
    const quiet = ['start', 'after 0', 'after 1', 'after 2', 'end'];
    assert.deepEqual(runScript(SCRIPT, { env: { NODE_NO_WARNINGS: '1' } }).out.trimEnd().split('\n'), quiet);
    // The flags, on a script that loads no LibTorch (quicker).
    const light = `const warnings = require(${JSON.stringify(path.join(ROOT, 'dist', 'warnings.js'))});\n` +
      "console.log('start');\nfor (let i = 0; i < 3; i++) { warnings.warn('w'); console.log('after ' + i); }\nconsole.log('end');\n";
    assert.match(runScript(light).out, /^start\n.*:3: UserWarning: w\n/);
    for (const opts of [{ args: ['--no-warnings'] }, { env: { NODE_OPTIONS: '--no-warnings' } }]) {
      assert.deepEqual(runScript(light, opts).out.trimEnd().split('\n'), quiet, JSON.stringify(opts));
    }
  });

  it('an ES module: the location is the file\'s path', () => {
    const src = `import * as torch from ${JSON.stringify(path.join(ROOT, 'dist', 'esm', 'index.mjs'))};\n` +
      "torch.warnings.warn('from esm');\nconsole.log('end');\n";
    const { script, out } = runScript(src, { ext: '.mjs' });
    assert.equal(out, `${script}:2: UserWarning: from esm\n  torch.warnings.warn('from esm');\nend\n`);
  });
});

describe('torch.warnings: the filter API', () => {
  // Every test runs inside catch_warnings, so the filters are the defaults again after it.
  const record = (fn, opts = {}) => warnings.catch_warnings(fn, { record: true, ...opts });
  const texts = (log) => log.map((w) => `${w.category.name}: ${w.message}`);
  /** The line of this file that ends with `marker`. */
  const lineOf = (marker) => fs.readFileSync(__filename, 'utf8').split('\n').findIndex((l) => l.trimEnd().endsWith(marker)) + 1;

  it('records where the warning was issued: the file, the line, the source line', () => {
    const log = record(() => {
      warnings.warn('hello'); // RECORDED
    });
    assert.equal(log.length, 1);
    const [w] = log;
    assert.ok(w.message instanceof UserWarning && w.message instanceof Error);
    assert.equal(String(w.message), 'hello');
    assert.equal(w.category, UserWarning);
    assert.equal(w.filename, __filename);
    assert.equal(w.lineno, lineOf('// RECORDED'));
    assert.equal(w.line, "warnings.warn('hello'); // RECORDED");
  });

  it('default: once per call site; always: every time; once: once in all; module: once per file', () => {
    const twoSites = () => {
      for (let i = 0; i < 3; i++) warnings.warn('same text');
      for (let i = 0; i < 3; i++) warnings.warn('same text');
    };
    assert.equal(record(twoSites).length, 2);
    assert.equal(record(twoSites, { action: 'always' }).length, 6);
    assert.equal(record(twoSites, { action: 'once' }).length, 1);
    assert.equal(record(twoSites, { action: 'module' }).length, 1);
    assert.equal(record(twoSites, { action: 'ignore' }).length, 0);
  });

  it('error: the warning is thrown, an instance of its category', () => {
    record(() => {
      warnings.simplefilter('error', { category: RuntimeWarning });
      assert.throws(() => warnings.warn('bad', RuntimeWarning), (e) => e instanceof RuntimeWarning && e.name === 'RuntimeWarning' && e.message === 'bad');
      warnings.warn('fine'); // a UserWarning is not a RuntimeWarning
    });
  });

  it('filterwarnings: message is matched at the start, case-insensitively; category by subclass; lineno; first match wins', () => {
    class MyWarning extends UserWarning {}
    const log = record(() => {
      warnings.filterwarnings('ignore', { message: 'the PARAMETER' });
      warnings.filterwarnings('ignore', { category: MyWarning });
      warnings.warn('The parameter x is deprecated');
      warnings.warn('See: the parameter'); // not at the start
      warnings.warn('mine', MyWarning);
      warnings.warn(new MyWarning('mine too'));
      warnings.warn('a runtime one', RuntimeWarning);
    });
    assert.deepEqual(texts(log), ['UserWarning: See: the parameter', 'RuntimeWarning: a runtime one']);

    const byLine = record(() => {
      warnings.filterwarnings('ignore', { lineno: lineOf('// LINENO-TARGET') });
      warnings.warn('kept');
      warnings.warn('dropped'); // LINENO-TARGET
    });
    assert.deepEqual(texts(byLine), ['UserWarning: kept']);

    // append puts a filter after the others: the earlier 'always' wins over it.
    const appended = record(() => {
      warnings.simplefilter('always');
      warnings.simplefilter('ignore', { append: true });
      warnings.warn('x'); warnings.warn('x');
    });
    assert.equal(appended.length, 2);
  });

  it('the same filter added twice is moved, not duplicated; bad arguments are refused', () => {
    record(() => {
      const n = warnings.filters.length;
      warnings.simplefilter('ignore', { category: RuntimeWarning });
      warnings.simplefilter('always');
      warnings.simplefilter('ignore', { category: RuntimeWarning });
      assert.equal(warnings.filters.length, n + 2);
      assert.equal(warnings.filters[0].action, 'ignore');
      assert.throws(() => warnings.simplefilter('sometimes'), /invalid action: "sometimes"/);
      assert.throws(() => warnings.warn('x', Error), { name: 'TypeError', message: "category must be a Warning subclass, not 'Error'" });
      assert.throws(() => warnings.filterwarnings('ignore', { lineno: -1 }), /lineno must be an int >= 0/);
    });
  });

  it('module is the call site\'s file (a regular expression matched at the start)', () => {
    const log = record(() => {
      warnings.filterwarnings('ignore', { module: '.*warnings\\.test\\.js$' });
      warnings.warn('from this file');
    });
    assert.equal(log.length, 0);
  });

  it('the package\'s warning classes are the filters\' own: a DeprecationWarning warned from a module through torch.warnings is ignored', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-warnings-mod-'));
    try {
      const mod = path.join(dir, 'mod.js');
      fs.writeFileSync(mod, "module.exports = (w) => w.warn('deprecated in a module', w.DeprecationWarning);\n");
      const { out } = runScript(`const torch = require(${JSON.stringify(path.join(__dirname, '..'))});
require(${JSON.stringify(mod)})(torch.warnings);
torch.warnings.warn('deprecated in main', torch.warnings.DeprecationWarning);
console.log('end');`);
      assert.doesNotMatch(out, /deprecated in a module/);
      assert.match(out, /DeprecationWarning: deprecated in main/);
    } finally { fs.rmSync(dir, { recursive: true, force: true }); }
  });

  it('DeprecationWarning: ignored outside the main script by default, shown after resetwarnings', () => {
    assert.equal(record(() => warnings.warn('old', DeprecationWarning)).length, 0);
    const log = record(() => {
      warnings.resetwarnings();
      assert.equal(warnings.filters.length, 0);
      warnings.warn('old', DeprecationWarning);
    });
    assert.deepEqual(texts(log), ['DeprecationWarning: old']);
    assert.ok(warnings.filters.some((f) => f.action === 'ignore' && f.category === DeprecationWarning), 'the defaults are back');
  });

  it('stacklevel: 2 is the caller of the function that warns', () => {
    function deprecatedHelper() { warnings.warn('use something else', UserWarning, 2); }
    const log = record(() => {
      deprecatedHelper(); // CALLER-LINE
    });
    assert.equal(log[0].line, 'deprecatedHelper(); // CALLER-LINE');
    const viaOptions = record(() => {
      (function () { warnings.warn('w', { stacklevel: 2 }); })(); // CALLER-2
    });
    assert.match(viaOptions[0].line, /CALLER-2$/);
  });

  it('torch-node\'s own warnings point at the code that called torch-node', () => {
    const hub = require('../dist/hub.js');
    const saved = process.env.TORCH_HUB;
    process.env.TORCH_HUB = '/nowhere';
    try {
      const log = record(() => {
        hub.get_dir(); // HUB-CALL
      });
      assert.deepEqual(texts(log), ['UserWarning: TORCH_HUB is deprecated, please use env TORCH_HOME instead']);
      assert.equal(log[0].filename, __filename);
      assert.equal(log[0].line, 'hub.get_dir(); // HUB-CALL');
    } finally {
      if (saved === undefined) delete process.env.TORCH_HUB;
      else process.env.TORCH_HUB = saved;
    }
  });

  it('catch_warnings restores the filters and the printing after an error, and after an async fn', async () => {
    const before = warnings.filters.slice();
    assert.throws(() => warnings.catch_warnings(() => {
      warnings.simplefilter('error');
      throw new Error('boom');
    }), /boom/);
    assert.deepEqual(warnings.filters, before);
    const log = await warnings.catch_warnings(async () => {
      await new Promise((r) => setImmediate(r));
      warnings.warn('later');
    }, { record: true });
    assert.deepEqual(texts(log), ['UserWarning: later']);
    assert.deepEqual(warnings.filters, before);
    // Without record, catch_warnings returns what fn returns.
    assert.equal(warnings.catch_warnings(() => 42), 42);
  });

  it('formatwarning is Python\'s format', () => {
    assert.equal(warnings.formatwarning('msg', UserWarning, '/a/b.js', 3, '  x = 1  '), '/a/b.js:3: UserWarning: msg\n  x = 1\n');
    assert.equal(warnings.formatwarning('msg', RuntimeWarning, '<unknown>', 0), '<unknown>:0: RuntimeWarning: msg\n');
    assert.ok(new UserWarning('m') instanceof Warning);
  });
});
