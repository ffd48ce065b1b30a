'use strict';
// npm run fixtures: regenerates every reference fixture from real PyTorch
// (Debian's /usr/bin/python3 with python3-torch, the same LibTorch as the addon).
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const python = process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3';
const only = process.argv.slice(2);
for (const f of fs.readdirSync(__dirname).filter((n) => /^gen-.*\.py$/.test(n)).sort()) {
  if (only.length && !only.some((o) => f.includes(o))) continue;
  console.error(`fixtures: ${python} scripts/${f}`);
  const r = spawnSync(python, [path.join(__dirname, f)], { stdio: 'inherit', cwd: path.join(__dirname, '..') });
  if (r.status !== 0) process.exit(r.status || 1);
}
