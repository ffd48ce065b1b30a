'use strict';
// The package as users import it: CommonJS and ESM, every public subpath, and the types.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const SUBPATHS = ['torch-node', 'torch-node/nn', 'torch-node/nn/functional', 'torch-node/optim', 'torch-node/torchvision/models'];

describe('package', () => {
  it('require() works for every public subpath', () => {
    for (const p of SUBPATHS) assert.equal(typeof require(p), 'object', p);
    assert.equal(require('torch-node').ones(2).sum().item(), 2);
  });

  it('ESM import works for every public subpath, with the same named exports', () => {
    const code = `
      import * as torch from 'torch-node';
      import { Linear } from 'torch-node/nn';
      import * as F from 'torch-node/nn/functional';
      import { SGD } from 'torch-node/optim';
      import { resnet18 } from 'torch-node/torchvision/models';
      const lin = new Linear(2, 1);
      console.log(JSON.stringify({ sum: torch.ones(3).sum().item(), relu: F.relu(torch.tensor([-1, 2])).tolist(),
        sgd: typeof SGD, resnet: typeof resnet18, var: typeof torch.var, out: lin(torch.ones(1, 2)).shape }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' }));
    assert.deepEqual(out, { sum: 3, relu: [0, 2], sgd: 'function', resnet: 'function', var: 'function', out: [1, 1] });
  });

  it('types ship with the package: a typed program compiles, a mistyped one does not', function () {
    this.timeout(120000);
    const dir = fs.mkdtempSync(path.join(root, '.types-test-'));
    try {
      const good = `
        import * as torch from 'torch-node';
        import * as nn from 'torch-node/nn';
        const x: torch.Tensor = torch.randn(2, 3, { requires_grad: true });
        const y: torch.Tensor = x.mul(2).sum(1, { keepdim: true });
        const n: number = y.shape[0];
        const lin = new nn.Linear(3, 1);
        const out: torch.Tensor = lin(x);
        const [v, i] = x.max(1);
        torch.no_grad(() => v.add_(i));
        export { n, out };`;
      const bad = `
        import * as torch from 'torch-node';
        const x = torch.randn(2, 3);
        const s: string = x.sum();
        export { s };`;
      const tsconfig = { compilerOptions: { strict: true, noEmit: true, module: 'node16', moduleResolution: 'node16', target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'], types: ['node'], skipLibCheck: false } };
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ ...tsconfig, files: ['good.ts'] }));
      fs.writeFileSync(path.join(dir, 'good.ts'), good);
      fs.writeFileSync(path.join(dir, 'bad.ts'), bad);
      const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' });
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ ...tsconfig, files: ['bad.ts'] }));
      assert.throws(() => execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' }),
        (e) => /Type 'Tensor' is not assignable to type 'string'/.test(e.stdout));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
