'use strict';
// Op results, result dtypes (type promotion), broadcasting, in-place forms and
// gradients against PyTorch 1.13: fixtures from scripts/gen-core-fixtures.py.
const { loadFixture, runCase } = require('./core-helpers');

const { cases } = loadFixture('core-ops.json');

function group(name) {
  if (name.startsWith('inplace ')) return 'in-place forms return self';
  return name.split(' ')[0].replace(/^torch\./, '');
}

describe('core ops vs PyTorch (values, dtypes, gradients)', () => {
  const groups = new Map();
  for (const c of cases) {
    const g = group(c.name);
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g).push(c);
  }
  for (const [g, list] of groups) {
    describe(g, () => {
      for (const c of list) it(c.name + (c.grad ? ' (+grad)' : ''), () => runCase(c));
    });
  }
});
