'use strict';
// The API fuzzer (scripts/fuzz.js, docs/reliability.md) as part of npm test:
// first that its harness sees each kind of process death and charges it to the
// right case, then a short seeded run over the whole public API that must
// crash, abort and hang nowhere. The long run is `npm run fuzz`.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const FUZZ = path.join(__dirname, '..', 'scripts', 'fuzz.js');
// Seed and size of the short run: a fixed case set (for a given API), about
// 20-60 s on the 2-core machine, by its load. --time is a safety net only.
const SEED = 1, CASES = 3000, TIME = 150;

// Open findings in lib/ code that is being rewritten, tolerated here so that
// npm test stays green meanwhile; each is narrow (class, target and the reason
// on stderr) so that nothing else hides behind it. Delete an entry when its fix
// lands: the run is then strict for it again.
const KNOWN = [];
// Internal errors (issue 15) still open on this seed, by the report's `target: message`; same rule.
const KNOWN_INTERNAL = [];
const isKnown = (f) => KNOWN.some((k) => (k.class instanceof RegExp ? k.class.test(f.class) : k.class === f.class) &&
  (!k.target || k.target.test(f.target)) && (!k.code || k.code.test(f.code)) && (!k.why || k.why.test(f.stderr_tail || '')));

function fuzz(args) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-test-'));
  const report = path.join(dir, 'report.json');
  try {
    const r = spawnSync(process.execPath, [FUZZ, ...args, '--report', report, '--quiet'], { encoding: 'utf8', timeout: 600000 });
    assert.equal(r.signal, null, `fuzz.js killed by ${r.signal}:\n${r.stderr}`);
    assert.ok(fs.existsSync(report), `fuzz.js wrote no report (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    return { status: r.status, report: JSON.parse(fs.readFileSync(report, 'utf8')) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('fuzz', function () {
  this.timeout(600000);

  it('the harness classifies a signal, an abort, a hang and an exit, each charged to its own case', () => {
    const { status, report } = fuzz(['--self-test', '--timeout', '2']);
    assert.equal(status, 1);
    assert.deepEqual(report.findings.map((f) => [f.id, f.class]), [[1, 'crash'], [3, 'abort'], [5, 'hang'], [6, 'exit']]);
    assert.deepEqual(report.counts, { ok: 3, error: 1, crash: 1, abort: 1, hang: 1, exit: 1 });
    assert.match(report.findings[0].repro, /^node --expose-gc -e "const torch = require\('torch-node'\); process\.kill/);
  });

  it(`a seeded run (seed ${SEED}, ${CASES} cases) over every public function, method and accessor: no crash, abort or hang`, () => {
    // No reduction: the repro lines are there either way. A 30 s hang limit: the largest model
    // builders are real work (convnext_large() initialises 198M parameters: 6.9 s here, as in
    // Python, 11 s on a machine at load 4, which a 10 s limit took for a hang).
    const { status, report } = fuzz(['--seed', String(SEED), '--cases', String(CASES), '--time', String(TIME), '--timeout', '30', '--no-reduce']);
    // Each death with its one-line repro and the line of stderr that says why.
    const why = (err) => (err || '').split('\n').find((l) => /Assertion|FATAL|Check failed|ERROR:|terminate called|runtime error/.test(l)) || '';
    const known = report.findings.filter(isKnown);
    if (known.length) console.log(`      (known, open: ${known.map((f) => `${f.class} in ${f.target}`).join('; ')})`);
    const lines = report.findings.filter((f) => !isKnown(f)).map((f) => `${f.class} in case ${f.id} (${f.target}): ${why(f.stderr_tail).trim()}\n  ${f.repro}`);
    if (lines.length) assert.fail(`the fuzzer found ${lines.length} process death(s):\n${lines.join('\n')}`);
    // Issue 15: no JS-internal error ("Cannot read properties of undefined") from a public
    // target; a private member (`_x`) or an instance whose own properties the fuzzer set to
    // hostile values need only not crash. Each with the case that raised it.
    const internal = report.internal_errors.filter((e) => e.public && !KNOWN_INTERNAL.some((k) => k.test(e.error)));
    if (internal.length) {
      assert.fail(`${internal.length} kind(s) of JS-internal error escaped the argument checks of public functions:\n` +
        internal.map((e) => `${e.error} (${e.count}x)\n  ${e.example}`).join('\n'));
    }
    assert.equal(status, known.length ? 1 : 0);
    // Not a vacuous pass: the API was found and most cases ran and reached it.
    assert.ok(report.targets > 300, `only ${report.targets} targets enumerated`);
    assert.ok(report.run >= CASES / 2, `only ${report.run} of ${CASES} cases ran in ${TIME} s`);
    assert.ok(report.counts.ok > report.run / 10, `too few cases succeeded: ${JSON.stringify(report.counts)}`);
  });
});
