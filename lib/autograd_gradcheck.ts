// torch.autograd.gradcheck / gradgradcheck: the analytical Jacobian (one backward per output
// element) against central finite differences, as PyTorch 1.13's slow mode computes them.
// Not run here: the batched-grad and forward-AD checks, and fast mode (their options must stay
// false: torch-node has no vmap, and gradcheck's forward-AD path is not written).
import { native } from './native';
import { set_grad_enabled } from './autograd';
import { Tensor, bindSimple } from './tensor';
import { stack, zeros, allclose, rand } from './generated/torch';
import { warn } from './warnings';
import { expect } from './guard';

type Func = (...inputs: any[]) => Tensor | Tensor[];

/** torch.autograd.gradcheck.GradcheckError (a RuntimeError in Python). */
export class GradcheckError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'GradcheckError';
  }
}

const COMMON = {
  eps: 1e-6, atol: 1e-5, rtol: 1e-3, raise_exception: true, check_sparse_nnz: false, nondet_tol: 0.0,
  check_undefined_grad: true, check_grad_dtypes: false, check_batched_grad: false, check_batched_forward_grad: false,
  check_forward_ad: false, check_backward_ad: true, fast_mode: false,
};

function keywordOnly<T extends object>(fn: string, rest: unknown[], spec: T, positional: number): T {
  const n = rest.filter((r) => r !== undefined).length;
  const last = rest[rest.length - 1];
  if (n > 1 || (n === 1 && (last === null || typeof last !== 'object' || Array.isArray(last) || last instanceof Tensor))) {
    throw new TypeError(`${fn}() takes ${positional} positional arguments but ${positional + n} were given`);
  }
  return bindSimple(fn, n ? [last] : [], spec);
}

const asArray = (x: unknown): unknown[] => (Array.isArray(x) ? x : [x]);
const differentiable = (out: unknown): Tensor[] => asArray(out).filter((o): o is Tensor => o instanceof Tensor && o.requires_grad);

function fmt(t: Tensor): string { return String(t); }

/**
 * gradcheck(func, inputs, { eps, atol, rtol, raise_exception, nondet_tol, ... }) -> true, or
 * false / a GradcheckError naming the output and input whose Jacobians differ.
 */
export function gradcheck(func: Func, inputs: unknown, ...rest: unknown[]): boolean {
  expect.callable('gradcheck', 'func', func, 0);
  const o = keywordOnly('gradcheck', rest, { ...COMMON }, 2);
  for (const k of ['check_sparse_nnz', 'check_batched_grad', 'check_batched_forward_grad', 'check_forward_ad', 'fast_mode'] as const) {
    if (o[k]) throw new Error(`gradcheck(): ${k}=true is not supported by torch-node (no ${k === 'fast_mode' ? 'fast mode' : k === 'check_sparse_nnz' ? 'sparse gradients' : 'vmap / forward-mode AD'})`);
  }
  if (typeof func !== 'function') throw new TypeError('gradcheck(): func must be a function');
  const ins = asArray(inputs);
  const fail = (msg: string): boolean => {
    if (o.raise_exception) throw new GradcheckError(msg);
    return false;
  };
  let any = false;
  ins.forEach((x, idx) => {
    if (!(x instanceof Tensor) || !x.requires_grad) return;
    any = true;
    const d = x.dtype.name;
    if (d !== 'float64' && d !== 'complex128') {
      warn(`Input #${idx} requires gradient and is not a double precision floating point or complex. This check will likely fail if all the inputs are not of double precision floating point or complex. `);
    }
  });
  if (!any) throw new Error('gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True.');
  if (!o.check_backward_ad) return true;

  const diffIdx = ins.map((x, i) => (x instanceof Tensor && x.requires_grad ? i : -1)).filter((i) => i >= 0);
  const diffIns = diffIdx.map((i) => ins[i] as Tensor);
  // The finite differences write into the inputs (bumping their versions): the graph that the
  // analytical pass differentiates is recorded after them.
  let outTensors = set_grad_enabled(true, () => asArray(func(...ins)).map((t) => (t instanceof Tensor ? t : null)));

  // Numerical: d out_i / d x_j by central differences on each element of each input, no graph.
  const numerical = (): Tensor[][] => {
    const cols: Tensor[][][] = outTensors.map(() => diffIns.map(() => []));
    set_grad_enabled(true, () => {
      diffIns.forEach((x, j) => {
        const flat = x.detach().view(-1);
        for (let e = 0; e < flat.numel(); e++) {
          const orig = flat.select(0, e).item() as number;
          flat.select(0, e).fill_(orig - o.eps);
          const lo = asArray(func(...ins)).map((t) => (t instanceof Tensor ? t.detach().clone() : null));
          flat.select(0, e).fill_(orig + o.eps);
          const hi = asArray(func(...ins)).map((t) => (t instanceof Tensor ? t.detach().clone() : null));
          flat.select(0, e).fill_(orig);
          outTensors.forEach((out, i) => {
            if (!out) return;
            cols[i][j].push((hi[i] as Tensor).sub(lo[i] as Tensor).div(2 * o.eps).reshape(-1).to(out.dtype));
          });
        }
      });
    });
    // [input elements, output elements], as Python lays the Jacobian out
    return cols.map((perIn, i) => perIn.map((c, j) => (c.length ? stack(c, 0) : zeros([0, outTensors[i]?.numel() ?? 0], { dtype: diffIns[j].dtype }))));
  };
  // Analytical: one backward per output element.
  const analytical = (i: number): (Tensor | null)[] => {
    const out = outTensors[i] as Tensor;
    const rows: Tensor[][] = diffIns.map(() => []);
    let unused = false;
    for (let e = 0; e < out.numel(); e++) {
      const go = zeros(out.shape, { dtype: out.dtype }).view(-1);
      go.select(0, e).fill_(1);
      const gs = out.requires_grad
        ? native.autograd_grad([out._h], diffIns.map((x) => x._h), [go.view(out.shape)._h], true, false, true)
        : diffIns.map(() => null);
      gs.forEach((h, j) => {
        if (h === null) { unused = true; rows[j].push(zeros([diffIns[j].numel()], { dtype: out.dtype })); return; }
        const g = new Tensor(h);
        if (o.check_grad_dtypes && (g.dtype !== diffIns[j].dtype)) throw new GradcheckError('Gradient has dtype mismatch');
        const gs2 = g.shape, xs = diffIns[j].shape;
        if (gs2.length !== xs.length || gs2.some((d, k) => d !== xs[k])) throw new GradcheckError('Analytical gradient has incorrect size');
        rows[j].push(g.reshape(-1).to(out.dtype));
      });
    }
    void unused;
    return rows.map((r, j) => (r.length ? stack(r, 1) : zeros([diffIns[j].numel(), 0], { dtype: out.dtype })));
  };

  const num = numerical();
  outTensors = set_grad_enabled(true, () => asArray(func(...ins)).map((t) => (t instanceof Tensor ? t : null)));
  for (let i = 0; i < outTensors.length; i++) {
    const out = outTensors[i];
    if (!out) continue;
    if (!out.requires_grad) {
      // an output that does not require grad: its numerical Jacobian must be zero
      for (const n of num[i]) {
        if (n.numel() && !allclose(n, zeros(n.shape, { dtype: n.dtype }), { rtol: o.rtol, atol: o.atol })) {
          return fail(`Numerical gradient for function expected to be zero`);
        }
      }
      continue;
    }
    const a = set_grad_enabled(true, () => analytical(i));
    const again = set_grad_enabled(true, () => analytical(i));
    for (let j = 0; j < diffIns.length; j++) {
      const an = a[j] as Tensor, nu = num[i][j];
      if (!allclose(an, nu, { rtol: o.rtol, atol: o.atol })) {
        return fail(`Jacobian mismatch for output ${i} with respect to input ${diffIdx[j]},\nnumerical:${fmt(nu)}\nanalytical:${fmt(an)}\n`);
      }
      if (an.sub(again[j] as Tensor).abs().max().item() as number > o.nondet_tol) {
        return fail(`Backward is not reentrant, i.e., running backward with same input and grad_output multiple times gives different values, although analytical gradient matches numerical gradient.The tolerance for nondeterminism was ${o.nondet_tol}.`);
      }
    }
  }
  if (o.check_undefined_grad && !undefinedGradSupport(func, ins, diffIns, fail)) return false;
  return true;
}

/**
 * Python's _check_undefined_grad_support: backward must accept undefined output gradients (all at
 * once, then one at a time) and give undefined or zero input gradients for them.
 */
function undefinedGradSupport(func: Func, ins: unknown[], diffIns: Tensor[], fail: (msg: string) => boolean): boolean {
  const note = '. Please look at "Notes about undefined output gradients" in "tools/autograd/derivatives.yaml"';
  const bcWarn = () => warn('Backwards compatibility: New undefined gradient support checking feature is enabled by default, but it may break existing callers of this function. If this is true for you, you can call this function with "check_undefined_grad=False" to disable the feature');
  const undef = (t: Tensor) => new Tensor(native.undefined_grad(t._h));
  const check = (outs: Tensor[]): boolean => {
    let hs: (ReturnType<typeof native.autograd_grad>);
    try {
      hs = native.autograd_grad(outs.map((t) => t._h), diffIns.map((t) => t._h), outs.map((t) => zeros(t.shape, { dtype: t.dtype })._h), null, false, true);
    } catch (e) {
      if (e instanceof TypeError || e instanceof RangeError) throw e;  // Python catches RuntimeError only
      bcWarn();
      return fail(`Expected backward function to handle undefined output grads${note}`);
    }
    for (const h of hs) {
      if (h !== null && !new Tensor(h).eq(0).all().item()) {
        bcWarn();
        return fail(`Expected all input grads to be undefined or zero when all output grads are undefined or zero${note}`);
      }
    }
    return true;
  };
  const run = () => set_grad_enabled(true, () => differentiable(func(...ins)));
  const sets = [run().map(undef)];
  if (sets[0].length > 1) {
    for (let k = 0; k < sets[0].length; k++) sets.push(run().map((o, i) => (i === k ? undef(o) : o)));
  }
  return sets.every(check);
}

/**
 * gradgradcheck(func, inputs, grad_outputs=null, { eps, atol, rtol, raise_exception, ... }): gradcheck
 * of the gradients (created with create_graph) with respect to inputs and grad_outputs; random
 * grad_outputs in [-1, 1) when none are given.
 */
export function gradgradcheck(func: Func, inputs: unknown, ...rest: unknown[]): boolean {
  expect.callable('gradgradcheck', 'func', func, 0);
  let gradOutputs: unknown = null;
  if (rest.length && (rest[0] === null || rest[0] instanceof Tensor || Array.isArray(rest[0]))) gradOutputs = rest.shift();
  const o = keywordOnly('gradgradcheck', rest, { ...COMMON, grad_outputs: null as unknown, gen_non_contig_grad_outputs: false, check_fwd_over_rev: false, check_rev_over_rev: true }, 3);
  if (o.grad_outputs !== null && o.grad_outputs !== undefined) gradOutputs = o.grad_outputs;
  if (o.check_fwd_over_rev) throw new Error('gradgradcheck(): check_fwd_over_rev=true needs forward-mode AD, which torch-node does not have');
  const ins = asArray(inputs);
  let gos: Tensor[];
  if (gradOutputs === null || gradOutputs === undefined) {
    const outs = set_grad_enabled(true, () => differentiable(func(...ins)));
    gos = outs.map((x) => {
      const dtype = x.dtype.is_floating_point ? x.dtype : undefined;
      let g = rand(x.shape, { dtype }).mul(2).sub(1);
      if (o.gen_non_contig_grad_outputs) g = rand([...x.shape, 2], { dtype }).mul(2).sub(1).select(-1, 0);
      return g.requires_grad_(true);
    });
  } else {
    gos = asArray(gradOutputs) as Tensor[];
  }
  const n = gos.length;
  const newFunc = (...args: unknown[]): Tensor[] => {
    const inputArgs = args.slice(0, args.length - n);
    const go = args.slice(args.length - n) as Tensor[];
    const outputs = differentiable(func(...inputArgs));
    const diffIns = inputArgs.filter((x): x is Tensor => x instanceof Tensor && x.requires_grad);
    const r = native.autograd_grad(outputs.map((t) => t._h), diffIns.map((t) => t._h), go.map((g) => g._h), true, true, true);
    return r.filter((h) => h !== null).map((h) => new Tensor(h as never));
  };
  const { grad_outputs: _g, gen_non_contig_grad_outputs: _n, check_fwd_over_rev: _f, check_rev_over_rev: _r, ...common } = o;
  void _g; void _n; void _f; void _r;
  return gradcheck(newFunc, [...ins, ...gos], common);
}
