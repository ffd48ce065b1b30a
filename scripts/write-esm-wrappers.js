'use strict';
// ESM entry points for each public subpath: named exports are read from the
// compiled CommonJS module, so `import * as torch from 'torch-node'` gets
// exactly what `require('torch-node')` gets.
const fs = require('node:fs');
const path = require('node:path');

const RESERVED = new Set(['var', 'default', 'function', 'new', 'delete', 'in', 'class']);
const dist = path.join(__dirname, '..', 'dist');
const entries = {
  'index.mjs': '../index.js',
  'nn.mjs': '../nn/index.js',
  'nn-functional.mjs': '../nn/functional.js',
  'optim.mjs': '../optim/index.js',
  'torchvision.mjs': '../torchvision/index.js',
  'torchvision-models.mjs': '../torchvision/models/index.js',
  'torchvision-transforms.mjs': '../torchvision/transforms/index.js',
  'torchvision-io.mjs': '../torchvision/io.js',
  'torchvision-datasets.mjs': '../torchvision/datasets/index.js',
  'utils-data.mjs': '../utils/data/index.js',
};
fs.mkdirSync(path.join(dist, 'esm'), { recursive: true });
for (const [file, target] of Object.entries(entries)) {
  const abs = path.join(dist, 'esm', target);
  if (!fs.existsSync(abs)) continue; // subpath not built yet
  const names = Object.keys(require(abs)).filter((n) => n !== 'default' && n !== '__esModule');
  const body = [`import cjs from '${target}';`, 'export default cjs;'];
  const valid = names.filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
  if (valid.length) body.push(`export const { ${valid.filter((n) => !RESERVED.has(n)).join(', ')} } = cjs;`);
  for (const n of valid.filter((x) => RESERVED.has(x))) body.push(`const _${n} = cjs['${n}'];`, `export { _${n} as ${n} };`);
  fs.writeFileSync(path.join(dist, 'esm', file), body.join('\n') + '\n');
}

