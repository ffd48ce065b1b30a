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

// apply_/map_/map2_ take a callable, which a JSON fixture cannot carry: the same
// expressions run in Python at test time (elementwise, so exact on any CPU).
describe('apply_, map_, map2_: a JS callable per element, as Python\'s', () => {
  const torch = require('..');
  const assert = require('node:assert');
  const { execFileSync } = require('node:child_process');
  const py = (src) => JSON.parse(execFileSync(process.env.TORCH_NODE_REFERENCE_PYTHON || '/usr/bin/python3', ['-c', src], { encoding: 'utf8' }));
  // [name, JS: make and call, Python: make and call]
  const rows = [
    ['apply_ float', () => { const t = torch.tensor([[1.5, -2.0], [3.25, 4.0]]); return [t, t.apply_((x) => x * 10 - 1)]; },
      't = torch.tensor([[1.5, -2.0], [3.25, 4.0]]); r = t.apply_(lambda x: x * 10 - 1)'],
    ['apply_ int64 truncates', () => { const t = torch.tensor([7, -7, 9], { dtype: torch.int64 }); return [t, t.apply_((x) => x / 2)]; },
      't = torch.tensor([7, -7, 9]); r = t.apply_(lambda x: int(x / 2))'],
    ['map_ broadcasts other', () => { const t = torch.tensor([[1, 2], [3, 4]]); return [t, t.map_(torch.tensor([10, 20]), (a, b) => a * b + 1)]; },
      't = torch.tensor([[1., 2.], [3., 4.]]); r = t.map_(torch.tensor([10., 20.]), lambda a, b: a * b + 1)'],
    ['map2_', () => { const t = torch.tensor([[1, 2], [3, 4]]); return [t, t.map2_(torch.tensor([1, 2]), torch.tensor(3), (a, b, c) => a * b - c)]; },
      't = torch.tensor([[1., 2.], [3., 4.]]); r = t.map2_(torch.tensor([1., 2.]), torch.tensor(3.), lambda a, b, c: a * b - c)'],
  ];
  const expected = py(`import torch, json\nout = []\n${rows.map(([, , src]) => `${src}\nout.append([t.tolist(), r is t])`).join('\n')}\nprint(json.dumps(out))`);
  rows.forEach(([name, run], i) => it(name, () => {
    const [t, r] = run();
    assert.deepStrictEqual(t.tolist(), expected[i][0]);
    assert.strictEqual(r === t, expected[i][1]);
  }));
});
