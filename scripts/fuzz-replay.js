'use strict';
// Re-runs the example case of each JS-internal error in fuzz reports (scripts/fuzz.js --report)
// against the current build and prints the kinds that are still internal:
//   node --expose-gc scripts/fuzz-replay.js fuzz-report.json... [--all]   (--all: private targets too)
// A quick check of fixes for issue 15 without re-running the fuzzer.
const path = require('path'); const fs = require('fs');
const ROOT = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const alias = { '.': 'torch', './nn': 'nn', './nn/functional': 'F', './optim': 'optim', './torchvision': 'torchvision', './torchvision/models': 'models', './torchvision/transforms': 'transforms', './torchvision/io': 'io' };
for (const sub of Object.keys(pkg.exports).filter((s) => !s.endsWith('.json'))) {
  const name = alias[sub] || sub.replace(/^\.\//, '').replace(/[^A-Za-z0-9]+/g, '_');
  globalThis[name] = require(require.resolve(sub === '.' ? pkg.name : pkg.name + sub.slice(1), { paths: [ROOT] }));
}
globalThis.gc = globalThis.gc || (() => {});
const INTERNAL = /Cannot read properties|is not a function|is not iterable|Cannot convert|Maximum call stack|is not a constructor|Cannot (set|destructure|create) propert|is not defined|Invalid array length|Reduce of empty array/;
const all = process.argv.includes('--all');
let bad = 0, n = 0; const seen = new Set();
for (const f of process.argv.slice(2).filter((a) => !a.startsWith('--'))) {
  for (const e of JSON.parse(fs.readFileSync(f, 'utf8')).internal_errors) {
    if (!e.public && !all) continue;
    if (seen.has(e.error)) continue; seen.add(e.error); n++;
    let msg = 'OK';
    try { const r = (0, eval)(e.example); if (r && typeof r.then === 'function') r.catch(() => {}); } catch (x) { msg = x && x.message || String(x); }
    if (INTERNAL.test(msg)) { bad++; console.log(`${e.target}\n   ${msg.split('\n')[0].slice(0, 150)}\n   ${e.example.slice(0, 300)}`); }
  }
}
console.log(`${bad} of ${n} kinds still internal`);
process.exit(0);
