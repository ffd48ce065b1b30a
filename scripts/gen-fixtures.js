'use strict';
// npm run fixtures [-- [--python PY] [NAME...]]: regenerates the reference
// fixtures from real PyTorch, once per reference Python (one per LibTorch
// version CI tests against). NAME picks generators (scripts/gen-*NAME*.py).
//
//  - Debian's /usr/bin/python3 (python3-torch, the LibTorch of `npm test`)
//    writes test/fixtures/<name>, the base set.
//  - Every other Python (PyTorch 2.13's venv in CI, see scripts/test-libtorch.js;
//    more with TORCH_NODE_REFERENCE_PYTHONS=py1:py2) writes into a scratch
//    folder; what differs from the base set goes to test/fixtures/torch-<major.minor>/<name>,
//    which test/support/fixtures.js reads instead of the base file when the addon
//    was built against that version. Files equal to the base are dropped there.
//
// A Python without torchvision skips what needs it: those tests use the base
// values (and their tolerances) on every version.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync, execFileSync } = require('node:child_process');
const { isDeepStrictEqual } = require('node:util');

const ROOT = path.join(__dirname, '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');
const BASE_PYTHON = '/usr/bin/python3';
const OTHER_PYTHONS = (process.env.TORCH_NODE_REFERENCE_PYTHONS || '/opt/torch213/bin/python').split(':').filter(Boolean);

const args = process.argv.slice(2);
let pythons = [BASE_PYTHON, ...OTHER_PYTHONS];
const at = args.indexOf('--python');
if (at >= 0) {
  pythons = [args[at + 1]];
  args.splice(at, 2);
}
const only = args;

function torchVersion(python) {
  try {
    return execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}
const minor = (v) => /^(\d+\.\d+)/.exec(v)[1];

/** Runs the chosen generators with `python`, writing into `outDir`. */
// The generators that write sources (lib/), not expected values, run with the base Python only.
const SOURCE_GENERATORS = ['gen-bindings.py', 'gen-imagenet-categories.py', 'gen-zoo-weights.py'];

function generate(python, outDir, base) {
  for (const f of fs.readdirSync(__dirname).filter((n) => /^gen-.*\.py$/.test(n) && (base || !SOURCE_GENERATORS.includes(n))).sort()) {
    if (only.length && !only.some((o) => f.includes(o))) continue;
    console.error(`fixtures: ${python} scripts/${f}`);
    const before = base ? null : snapshot();
    const r = spawnSync(python, [path.join(__dirname, f)], {
      stdio: ['ignore', 'inherit', 'pipe'], cwd: ROOT, env: { ...process.env, TORCH_NODE_FIXTURE_DIR: outDir },
    });
    if (before) reclaim(before, outDir, f);
    const stderr = r.stderr.toString();
    if (r.status !== 0 && /ModuleNotFoundError: No module named '(torchvision|numpy|PIL)'/.test(stderr)) {
      // (not torch's own "Failed to initialize NumPy: No module named 'numpy'" warning)
      console.error(`fixtures: ${f}: ${/ModuleNotFoundError: No module named '(\w+)'/.exec(stderr)[1]} missing for ${python}; what needs it keeps the base values`);
      continue;
    }
    process.stderr.write(stderr);
    // The others still run and are kept: the exit status says that one failed.
    if (r.status !== 0) failures.push(`${f} with ${python}`);
  }
}
const failures = [];

// A generator that writes into test/fixtures whatever TORCH_NODE_FIXTURE_DIR says (one not yet
// using fixture_dir()): what it wrote there goes to the scratch folder, and the base files are
// put back as they were.
function snapshot() {
  const m = new Map();
  for (const rel of files(FIXTURES)) if (!/^torch-/.test(rel)) m.set(rel, fs.readFileSync(path.join(FIXTURES, rel)));
  return m;
}
function reclaim(before, outDir, generator) {
  for (const rel of files(FIXTURES)) {
    if (/^torch-/.test(rel)) continue;
    const file = path.join(FIXTURES, rel), now = fs.readFileSync(file), was = before.get(rel);
    if (was && was.equals(now)) continue;
    console.error(`fixtures: ${generator} wrote test/fixtures/${rel} itself (use fixture_dir() from scripts/fixture_json.py); kept as this version's, base restored`);
    fs.mkdirSync(path.dirname(path.join(outDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(outDir, rel), now);
    if (was) fs.writeFileSync(file, was);
    else fs.rmSync(file);
  }
}

function sameContent(a, b) {
  const x = fs.readFileSync(a), y = fs.readFileSync(b);
  if (x.equals(y)) return true;
  if (!a.endsWith('.json')) return false;
  try { return isDeepStrictEqual(JSON.parse(x), JSON.parse(y)); } catch { return false; }
}

function* files(dir, rel = '') {
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) yield* files(dir, r);
    else yield r;
  }
}

const baseVersion = torchVersion(BASE_PYTHON);
for (const python of pythons) {
  const version = torchVersion(python);
  if (!version) {
    console.error(`fixtures: ${python}: no torch there, skipped`);
    continue;
  }
  if (python === BASE_PYTHON || (baseVersion && minor(version) === minor(baseVersion))) {
    generate(python, FIXTURES, true);
    continue;
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'torch-node-fixtures-'));
  const own = path.join(FIXTURES, `torch-${minor(version)}`);
  try {
    generate(python, scratch, false);
    let kept = 0, same = 0;
    for (const rel of files(scratch)) {
      const target = path.join(own, rel), base = path.join(FIXTURES, rel);
      if (fs.existsSync(base) && sameContent(path.join(scratch, rel), base)) {
        fs.rmSync(target, { force: true });
        same++;
      } else {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(path.join(scratch, rel), target);
        kept++;
      }
    }
    console.error(`fixtures: torch ${version}: ${kept} file(s) differ from the base set, in ${path.relative(ROOT, own)}; ${same} equal`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
if (failures.length) {
  console.error(`fixtures: failed: ${failures.join(', ')}`);
  process.exit(1);
}
