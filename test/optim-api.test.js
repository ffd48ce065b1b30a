'use strict';
// torch.optim's Optimizer API (param groups, zero_grad, step, state, state_dict)
// and its memory behaviour: a step adds no tensors.
const assert = require('node:assert/strict');
const { liveStats } = require('./support/gc');
const torch = require('torch-node');
const optim = require('torch-node/optim');

const { referencePython } = require('./support/fixtures');

const param = (...shape) => torch.randn(shape).requires_grad_();

/**
 * What the PyTorch of the addon's LibTorch version says (its Python, asked at test time): the
 * layouts differ between versions (2.x has more options, and no SGD state without momentum).
 */
function fromPython(code) {
  const out = require('node:child_process').execFileSync(referencePython,
    ['-c', `import json, warnings\nwarnings.simplefilter('ignore')\nimport torch\n${code}`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out);
}
const live = () => liveStats(torch).tensors;

describe('torch.optim.Optimizer', function () {
  before(() => torch.manual_seed(0));

  describe('parameters and groups', function () {
    it('takes an array, a generator (model.parameters()) or a Set of tensors, in order', function () {
      const a = param(2), b = param(3);
      function* parameters() { yield a; yield b; }
      for (const ps of [[a, b], parameters(), new Set([a, b])]) {
        const opt = new optim.SGD(ps, { lr: 0.1 });
        assert.equal(opt.param_groups.length, 1);
        assert.equal(opt.param_groups[0].params.length, 2);
        assert.equal(opt.param_groups[0].params[0], a);
        assert.equal(opt.param_groups[0].params[1], b);
      }
    });

    it('fills each group\'s missing options from the defaults, in PyTorch\'s key order', function () {
      const a = param(2), b = param(3);
      const opt = new optim.SGD([{ params: [a] }, { params: b, lr: 0.5, nesterov: true }], { lr: 0.1, momentum: 0.9 });
      const want = fromPython(`a = torch.zeros(2, requires_grad=True); b = torch.zeros(3, requires_grad=True)
opt = torch.optim.SGD([{'params': [a]}, {'params': b, 'lr': 0.5, 'nesterov': True}], lr=0.1, momentum=0.9)
print(json.dumps({'keys': list(opt.param_groups[0].keys()), 'sgd': opt.defaults,
  'adam': torch.optim.Adam([a]).defaults, 'adamw': torch.optim.AdamW([a]).defaults}))`);
      assert.deepEqual(Object.keys(opt.param_groups[0]), want.keys);
      assert.equal(opt.param_groups[0].lr, 0.1);
      assert.equal(opt.param_groups[1].lr, 0.5);
      assert.equal(opt.param_groups[1].momentum, 0.9);
      assert.equal(opt.param_groups[1].nesterov, true);
      assert.deepEqual(opt.param_groups[1].params, [b]); // a lone tensor becomes a list
      assert.deepEqual(opt.defaults, want.sgd);
      assert.deepEqual(Object.keys(opt.defaults), Object.keys(want.sgd));
      for (const [name, Cls] of [['adam', optim.Adam], ['adamw', optim.AdamW]]) {
        const d = new Cls([a]).defaults;
        assert.deepEqual(d, want[name], name);
        assert.deepEqual(Object.keys(d), Object.keys(want[name]), `${name}: key order`);
      }
      assert.equal(new optim.SGD([a], 0.3).defaults.lr, 0.3); // lr positionally, as SGD(params, 0.3)
    });

    it('add_param_group adds a group with the defaults; a parameter may be in one group only', function () {
      const a = param(2), b = param(3);
      const opt = new optim.Adam([a], { lr: 0.01 });
      opt.add_param_group({ params: [b], betas: [0.5, 0.6] });
      assert.equal(opt.param_groups.length, 2);
      assert.equal(opt.param_groups[1].lr, 0.01);
      assert.deepEqual(opt.param_groups[1].betas, [0.5, 0.6]);
      assert.throws(() => opt.add_param_group({ params: [param(1), a] }), { message: 'some parameters appear in more than one parameter group' });
      assert.equal(opt.param_groups.length, 2);
    });
  });

  describe('constructors: positional arguments, options, unknown keys (every optimizer)', function () {
    // [name, positional arguments after params, the same as options]
    const cases = [
      ['Adadelta', [0.5, 0.8, 1e-5, 0.1, null], { lr: 0.5, rho: 0.8, eps: 1e-5, weight_decay: 0.1, foreach: null }],
      ['Adagrad', [0.1, 0.01, 0.1, 0.5, 1e-9], { lr: 0.1, lr_decay: 0.01, weight_decay: 0.1, initial_accumulator_value: 0.5, eps: 1e-9 }],
      ['Adamax', [0.01, [0.8, 0.9], 1e-6, 0.1], { lr: 0.01, betas: [0.8, 0.9], eps: 1e-6, weight_decay: 0.1 }],
      ['ASGD', [0.05, 0.01, 0.5, 3, 0.1, null, true], { lr: 0.05, lambd: 0.01, alpha: 0.5, t0: 3, weight_decay: 0.1, foreach: null, maximize: true }],
      ['NAdam', [0.01, [0.8, 0.9], 1e-6, 0.1, 0.01], { lr: 0.01, betas: [0.8, 0.9], eps: 1e-6, weight_decay: 0.1, momentum_decay: 0.01 }],
      ['RAdam', [0.01, [0.8, 0.9], 1e-6, 0.1], { lr: 0.01, betas: [0.8, 0.9], eps: 1e-6, weight_decay: 0.1 }],
      ['RMSprop', [0.01, 0.9, 1e-6, 0.1, 0.5, true, null, true], { lr: 0.01, alpha: 0.9, eps: 1e-6, weight_decay: 0.1, momentum: 0.5, centered: true, maximize: true }],
      ['Rprop', [0.01, [0.4, 1.1], [1e-5, 10], null, true], { lr: 0.01, etas: [0.4, 1.1], step_sizes: [1e-5, 10], maximize: true }],
      ['LBFGS', [0.5, 10, 12, 1e-5, 1e-8, 7, 'strong_wolfe'], { lr: 0.5, max_iter: 10, max_eval: 12, tolerance_grad: 1e-5, tolerance_change: 1e-8, history_size: 7, line_search_fn: 'strong_wolfe' }],
      ['SparseAdam', [0.01, [0.8, 0.9], 1e-6], { lr: 0.01, betas: [0.8, 0.9], eps: 1e-6 }],
    ];
    for (const [name, positional, options] of cases) {
      it(`${name}: positional = options; an unknown key is a TypeError naming it`, function () {
        const a = new optim[name]([param(2)], ...positional), b = new optim[name]([param(2)], options);
        assert.deepEqual(a.defaults, b.defaults);
        for (const [k, v] of Object.entries(options)) assert.deepEqual(a.param_groups[0][k], v, k);
        assert.throws(() => new optim[name]([param(2)], { lr: 0.1, momentun: 0.9 }), { name: 'TypeError', message: `${name}.__init__() got an unexpected keyword argument 'momentun'` });
        assert.throws(() => new optim[name]([param(2)], ...positional, 1, 2, 3, 4), { name: 'TypeError' });
      });
    }
    it("LBFGS: max_eval defaults to max_iter * 5 // 4; step() needs a closure", function () {
      assert.equal(new optim.LBFGS([param(2)], { max_iter: 7 }).defaults.max_eval, 8);
      assert.throws(() => new optim.LBFGS([param(2)]).step(), { name: 'TypeError' });
    });
    it('LBFGS: state_dict / load_state_dict mid-run continues exactly as an uninterrupted run', function () {
      const x = torch.randn(8, 4), y = torch.randn(8, 3);
      const run = (w, b, opt) => () => { opt.zero_grad(); const l = x.mm(w).add(b).sub(y).pow(2).mean().add(w.pow(4).sum()); l.backward(); return l; };
      const make = () => { const w = torch.randn([4, 3]).mul(0.3).requires_grad_(), b = torch.zeros(3, { requires_grad: true });
        return [w, b, new optim.LBFGS([w, b], { history_size: 3, max_iter: 5, line_search_fn: 'strong_wolfe' })]; };
      torch.manual_seed(5);
      const [w1, b1, o1] = make();
      for (let i = 0; i < 2; i++) o1.step(run(w1, b1, o1));
      const sd = o1.state_dict();
      const w2 = w1.detach().clone().requires_grad_(), b2 = b1.detach().clone().requires_grad_();
      const o2 = new optim.LBFGS([w2, b2], { history_size: 3, max_iter: 5, line_search_fn: 'strong_wolfe' });
      o2.load_state_dict(sd);
      assert.deepEqual(Object.keys(o2.state.get(w2)), ['func_evals', 'n_iter', 'al', 'd', 't', 'old_dirs', 'old_stps', 'ro', 'H_diag', 'prev_flat_grad', 'prev_loss']);
      for (let i = 0; i < 3; i++) { o1.step(run(w1, b1, o1)); o2.step(run(w2, b2, o2)); }
      assert.deepEqual(w2.tolist(), w1.tolist());
      assert.deepEqual(b2.tolist(), b1.tolist());
      assert.equal(o2.state.get(w2).func_evals, o1.state.get(w1).func_evals);
    });

    it('Adagrad: state made at construction (step 0, sum = initial_accumulator_value), and for add_param_group', function () {
      const a = param(3), b = param(2);
      const opt = new optim.Adagrad([a], { initial_accumulator_value: 0.25 });
      assert.equal(opt.state.get(a).step.item(), 0);
      assert.deepEqual(opt.state.get(a).sum.tolist(), [0.25, 0.25, 0.25]);
      opt.add_param_group({ params: [b], lr: 0.5 });
      a.grad = torch.ones(3); b.grad = torch.ones(2);
      opt.step();
      assert.deepEqual(opt.state.get(b).sum.tolist(), [1.25, 1.25]);
    });
  });

  describe('zero_grad', function () {
    it('sets .grad to null by default (PyTorch 2.x; 1.13 zeroed)', function () {
      const a = param(3);
      a.sum().backward();
      const opt = new optim.SGD([a], { lr: 0.1 });
      opt.zero_grad();
      assert.equal(a.grad, null);
    });
    it('{ set_to_none: false } zeroes the gradient in place, detached', function () {
      const a = param(3);
      a.sum().backward();
      const g = a.grad;
      new optim.SGD([a], { lr: 0.1 }).zero_grad({ set_to_none: false });
      assert.deepEqual(a.grad.tolist(), [0, 0, 0]);
      assert.deepEqual(g.tolist(), [0, 0, 0]); // the same tensor
      assert.equal(a.grad.requires_grad, false);
    });
  });

  describe('step', function () {
    it('returns the closure\'s loss; the closure runs with grad, the update without, grad mode restored', function () {
      const a = param(3);
      const opt = new optim.SGD([a], { lr: 0.1, momentum: 0.9 });
      let enabled = null;
      const loss = torch.no_grad(() => opt.step(() => {
        enabled = torch.is_grad_enabled();
        opt.zero_grad();
        const l = a.pow(2).sum();
        l.backward();
        return l;
      }));
      assert.equal(enabled, true);
      assert.ok(loss instanceof torch.Tensor);
      assert.equal(torch.is_grad_enabled(), true);
      assert.equal(a.is_leaf, true);
      assert.equal(a.grad_fn, null);
      assert.equal(opt.step(), undefined);
    });

    it('skips parameters without a gradient; state is a Map keyed by the parameter', function () {
      const a = param(3), b = param(2);
      const opt = new optim.SGD([a, b], { lr: 0.1, momentum: 0.9 });
      const before = b.tolist();
      a.grad = torch.ones(3);
      opt.step();
      assert.deepEqual(b.tolist(), before);
      assert.ok(opt.state instanceof Map);
      assert.equal(opt.state.has(b), false);
      const buf = opt.state.get(a).momentum_buffer;
      assert.ok(buf instanceof torch.Tensor);
      // the first buffer is a copy of the gradient, not the gradient itself
      a.grad.fill_(5);
      assert.deepEqual(buf.tolist(), [1, 1, 1]);
      assert.equal(buf.requires_grad, false);
    });

    it('momentum 0: the state PyTorch\'s state_dict shows (1.13: a null momentum_buffer; 2.x: none)', function () {
      const a = param(3);
      const opt = new optim.SGD([a], { lr: 0.1 });
      a.grad = torch.ones(3);
      opt.step();
      const want = fromPython(`a = torch.zeros(3, requires_grad=True); opt = torch.optim.SGD([a], lr=0.1)
a.grad = torch.ones(3); opt.step(); print(json.dumps(opt.state_dict()['state']))`);
      assert.deepEqual(opt.state_dict().state, want);
    });
  });

  describe('state_dict / load_state_dict', function () {
    it('loads a state dict with string keys (as from JSON) and casts tensors to the parameter\'s dtype', function () {
      const a = param(3);
      const opt = new optim.Adam([a], { lr: 0.1 });
      const sd = {
        state: { '0': { step: torch.tensor(2), exp_avg: torch.ones(3, { dtype: torch.float64 }), exp_avg_sq: torch.ones(3, { dtype: torch.float64 }) } },
        param_groups: [{ lr: 0.5, betas: [0.8, 0.9], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, foreach: null, capturable: false, differentiable: false, fused: false, params: [0] }],
      };
      opt.load_state_dict(sd);
      const s = opt.state.get(a);
      assert.equal(s.exp_avg.dtype, torch.float32);
      assert.equal(s.step.dtype, torch.float32); // step is not cast (it was float32 already here)
      assert.notEqual(s.exp_avg, sd.state['0'].exp_avg);
      assert.equal(opt.param_groups[0].lr, 0.5);
      assert.equal(opt.param_groups[0].params[0], a);
      assert.notEqual(opt.param_groups[0].betas, sd.param_groups[0].betas); // a copy
      a.grad = torch.ones(3);
      opt.step();
      assert.equal(s.step.item(), 3);
    });
  });

  describe('state dicts of PyTorch < 1.12 (numbers where tensors are now)', function () {
    it("Adam, Adamax, ASGD, NAdam, RAdam: step, eta, mu and mu_product become tensors, as each __setstate__ does", function () {
      for (const [name, extra] of [['Adamax', {}], ['ASGD', { eta: 0.01, mu: 1 }], ['NAdam', { mu_product: 0.5 }], ['RAdam', {}], ['Adam', {}]]) {
        const a = param(3);
        a.grad = torch.ones(3);
        const src = new optim[name]([a]);
        src.step();
        const sd = src.state_dict();
        for (const [k, v] of Object.entries({ step: 1, ...extra })) sd.state[0][k] = v;
        const opt = new optim[name]([a]);
        opt.load_state_dict(sd);
        for (const k of Object.keys({ step: 1, ...extra })) {
          const t = opt.state.get(a)[k];
          assert.ok(t instanceof torch.Tensor, `${name}: ${k}`);
          assert.equal(t.dtype, torch.float32);
          assert.equal(t.item(), Math.fround({ step: 1, ...extra }[k])); // torch.tensor(x): float32
        }
        opt.step();
        assert.equal(opt.state.get(a).step.item(), 2);
      }
    });
  });

  describe('memory: a step adds no tensors', function () {
    const configs = [
      ['SGD', { lr: 0.1 }],
      ['SGD', { lr: 0.1, momentum: 0.9 }],
      ['SGD', { lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 1e-4, maximize: true }],
      ['SGD', { lr: 0.1, momentum: 0.9, dampening: 0.1, weight_decay: 1e-4 }],
      ['Adam', { lr: 0.01 }],
      ['Adam', { lr: 0.01, amsgrad: true, weight_decay: 0.1, maximize: true }],
      ['AdamW', { lr: 0.01 }],
      ['AdamW', { lr: 0.01, amsgrad: true, maximize: true }],
      ['Adadelta', { weight_decay: 0.1, maximize: true }],
      ['Adagrad', { lr_decay: 0.1, weight_decay: 0.1, maximize: true }],
      ['Adamax', { weight_decay: 0.1, maximize: true }],
      ['ASGD', { weight_decay: 0.1, maximize: true, t0: 5 }],
      ['NAdam', { weight_decay: 0.1 }],
      ['RAdam', { weight_decay: 0.1 }],
      ['RMSprop', { centered: true, momentum: 0.9, weight_decay: 0.1, maximize: true }],
      ['Rprop', { maximize: true }],
    ];
    for (const [name, opts] of configs) {
      it(`${name} ${JSON.stringify(opts)}`, function () {
        const ps = [param(64, 32), param(32), param(3, 3, 3, 8)];
        for (const p of ps) p.grad = torch.randn(p.shape);
        const opt = new optim[name](ps, opts);
        opt.step(); // creates the state
        const n = live(), bytes = liveStats(torch).bytes;
        for (let i = 0; i < 20; i++) opt.step();
        opt.zero_grad({ set_to_none: false });
        assert.equal(live(), n, 'live tensors after 20 steps');
        assert.equal(liveStats(torch).bytes, bytes);
        opt.zero_grad();
        assert.equal(live(), n, 'live tensors after zero_grad()');
      });
    }

    it('LBFGS (strong_wolfe, full history): a step adds no tensors beyond its state, inside a user scope or not', function () {
      const x = torch.randn(8, 4), y = torch.randn(8, 3);
      const w = param(4, 3), b = param(3);
      const opt = new optim.LBFGS([w, b], { history_size: 2, max_iter: 4, line_search_fn: 'strong_wolfe' });
      const closure = () => { opt.zero_grad(); const l = x.mm(w).add(b).sub(y).pow(2).mean().add(w.pow(4).sum()); l.backward(); return l; };
      // live tensors but those of the state (whose count varies: t and H_diag are numbers or tensors)
      const stateCount = () => new Set(Object.values(opt.state.get(w)).flatMap((v) => (Array.isArray(v) ? v : [v]))
        .filter((v) => v instanceof torch.Tensor)).size;
      for (let i = 0; i < 3; i++) opt.step(closure).dispose(); // fills the history
      opt.zero_grad();
      const n = live() - stateCount();
      for (let i = 0; i < 5; i++) opt.step(closure).dispose();
      torch.scope(() => opt.step(closure));
      opt.zero_grad();
      assert.equal(live() - stateCount(), n);
      assert.ok(opt.state.get(w).old_dirs.every((t) => !t.is_disposed));
    });

    it('state created inside a user scope() survives the scope; the scope releases nothing of the optimizer', function () {
      const a = param(4);
      const opt = new optim.Adam([a], { lr: 0.01, amsgrad: true });
      const n = live();
      torch.scope(() => {
        a.grad = torch.ones(4);
        opt.step();
      });
      const s = opt.state.get(a);
      for (const k of ['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq']) assert.equal(s[k].is_disposed, false, k);
      assert.equal(live(), n + 4); // the four state tensors
      torch.scope(() => { a.grad = torch.ones(4); opt.step(); });
      assert.equal(live(), n + 4);
    });

    it('load_state_dict adds exactly the loaded state tensors (no stray copies)', function () {
      const ps = [param(5), param(2, 3)];
      for (const p of ps) p.grad = torch.randn(p.shape);
      const a = new optim.Adam(ps, { lr: 0.01, amsgrad: true });
      a.step();
      const sd = a.state_dict();
      const b = new optim.Adam(ps.map((p) => p.detach().clone().requires_grad_()), { lr: 0.01, amsgrad: true });
      const n = live();
      b.load_state_dict(sd);
      assert.equal(live(), n + 2 * 4);
    });

    it('schedulers add no tensors', function () {
      const opt = new optim.SGD([param(2)], { lr: 0.1 });
      const s = new optim.lr_scheduler.CosineAnnealingLR(opt, 10);
      const n = live();
      for (let i = 0; i < 30; i++) { opt.step(); s.step(); }
      assert.equal(live(), n);
    });
  });
});
