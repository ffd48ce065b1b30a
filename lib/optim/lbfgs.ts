// torch.optim.LBFGS, after torch/optim/lbfgs.py (PyTorch 1.13), with its strong-Wolfe line search.
//
// lbfgs.py mixes Python floats and 0-dim tensors freely (`t = min(1., 1. / g.abs().sum()) * lr`
// is a tensor on the first iteration, a float after), and the result of each expression depends
// on which it is: float32 tensor arithmetic rounds where Python's float arithmetic does not. So
// the code below follows Python's operator semantics value by value (the `py*` helpers): number
// with number is float64 arithmetic, anything with a tensor is the ATen op Python's operator
// calls (`x / t` is `t.reciprocal() * x`, `x < t` is `t > x`), comparisons of tensors are read
// with item(), as Python's `if` does.
import { native, Handle } from '../native';
import { Tensor, op } from '../tensor';
import { keep } from '../memory';
import { Optimizer, ParamsArg, isSparseGrad } from './optimizer';
import { bind, Rest } from '../nn/common';

const { call } = native;
const H = {
  add: op('add', 'Tensor'), addS: op('add', 'Scalar'), sub: op('sub', 'Tensor'), subS: op('sub', 'Scalar'), rsub: op('rsub', 'Scalar'),
  mul: op('mul', 'Tensor'), mulS: op('mul', 'Scalar'), div: op('div', 'Tensor'), divS: op('div', 'Scalar'), reciprocal: op('reciprocal'),
  neg: op('neg'), abs: op('abs'), sqrt: op('sqrt'), pow: op('pow', 'Tensor_Scalar'), max: op('max'), sum: op('sum'), dot: op('dot'),
  gt: op('gt', 'Tensor'), ge: op('ge', 'Tensor'), lt: op('lt', 'Tensor'), le: op('le', 'Tensor'),
  gtS: op('gt', 'Scalar'), geS: op('ge', 'Scalar'), ltS: op('lt', 'Scalar'), leS: op('le', 'Scalar'),
  item: op('item'), clone: op('clone'), copy_: op('copy_'), add_: op('add_', 'Tensor'), cat: op('cat'), view: op('view'),
  reshape: op('reshape'), narrow: op('narrow'), zeros: op('zeros'), to_dense: op('to_dense'),
};

/** A Python number or a 0-dim tensor, as lbfgs.py's scalars are. */
type V = number | Tensor;

// Tensors made during one step(); those not kept in the state are released when it ends.
let made: Tensor[] = [];
function w(h: Handle): Tensor { const t = new Tensor(h); made.push(t); return t; }

const num = (v: V): number => (typeof v === 'number' ? v : call(H.item, v._h) as number);
function pyadd(a: V, b: V): V {
  if (typeof a === 'number') return typeof b === 'number' ? a + b : w(call(H.addS, b._h, a, 1));
  return w(typeof b === 'number' ? call(H.addS, a._h, b, 1) : call(H.add, a._h, b._h, 1));
}
function pysub(a: V, b: V): V {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : w(call(H.rsub, b._h, a, 1));
  return w(typeof b === 'number' ? call(H.subS, a._h, b, 1) : call(H.sub, a._h, b._h, 1));
}
function pymul(a: V, b: V): V {
  if (typeof a === 'number') return typeof b === 'number' ? a * b : w(call(H.mulS, b._h, a));
  return w(typeof b === 'number' ? call(H.mulS, a._h, b) : call(H.mul, a._h, b._h));
}
function pydiv(a: V, b: V): V {
  if (typeof a === 'number') return typeof b === 'number' ? a / b : w(call(H.mulS, w(call(H.reciprocal, b._h))._h, a));
  return w(typeof b === 'number' ? call(H.divS, a._h, b) : call(H.div, a._h, b._h));
}
const pyabs = (a: V): V => (typeof a === 'number' ? Math.abs(a) : w(call(H.abs, a._h)));
type Cmp = 'gt' | 'ge' | 'lt' | 'le';
const flip: Record<Cmp, Cmp> = { gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };
/** `a <op> b`, then Python's `bool()` of the result. */
function cmp(a: V, o: Cmp, b: V): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    return o === 'gt' ? a > b : o === 'ge' ? a >= b : o === 'lt' ? a < b : a <= b;
  }
  if (typeof a === 'number') return cmp(b, flip[o], a); // float.__gt__ gives way to Tensor.__lt__
  const r = w(typeof b === 'number' ? call(H[`${o}S`], a._h, b) : call(H[o], a._h, (b as Tensor)._h));
  return call(H.item, r._h) as boolean;
}
/** Python's builtin min(a, b) / max(a, b): the first unless the second compares below / above it. */
const pymin = (a: V, b: V): V => (cmp(b, 'lt', a) ? b : a);
const pymax = (a: V, b: V): V => (cmp(b, 'gt', a) ? b : a);
const pymaxList = (xs: V[]): V => xs.reduce((m, x) => pymax(m, x));
const pyminList = (xs: V[]): V => xs.reduce((m, x) => pymin(m, x));

function cubic_interpolate(x1: V, f1: V, g1: V, x2: V, f2: V, g2: V, bounds?: [V, V]): V {
  // Compute bounds of interpolation area
  const [xmin_bound, xmax_bound] = bounds ?? (cmp(x1, 'le', x2) ? [x1, x2] : [x2, x1]);
  // Most common case: cubic interpolation of 2 points w/ function and derivative values for both.
  const d1 = pysub(pyadd(g1, g2), pydiv(pymul(3, pysub(f1, f2)), pysub(x1, x2)));
  const d2_square = pysub(typeof d1 === 'number' ? d1 ** 2 : w(call(H.pow, d1._h, 2)), pymul(g1, g2));
  if (cmp(d2_square, 'ge', 0)) {
    const d2 = typeof d2_square === 'number' ? Math.sqrt(d2_square) : w(call(H.sqrt, d2_square._h));
    const min_pos = cmp(x1, 'le', x2)
      ? pysub(x2, pymul(pysub(x2, x1), pydiv(pysub(pyadd(g2, d2), d1), pyadd(pysub(g2, g1), pymul(2, d2)))))
      : pysub(x1, pymul(pysub(x1, x2), pydiv(pysub(pyadd(g1, d2), d1), pyadd(pysub(g1, g2), pymul(2, d2)))));
    return pymin(pymax(min_pos, xmin_bound), xmax_bound);
  }
  return pydiv(pyadd(xmin_bound, xmax_bound), 2.);
}

type ObjFunc = (x: Tensor[], t: V, d: Tensor) => [number, Tensor];

function strong_wolfe(obj_func: ObjFunc, x: Tensor[], t: V, d: Tensor, f: number, g: Tensor, gtd: Tensor,
  c1 = 1e-4, c2 = 0.9, tolerance_change = 1e-9, max_ls = 25): [number, Tensor, V, number] {
  const d_norm = w(call(H.max, w(call(H.abs, d._h))._h));
  g = w(call(H.clone, g._h, null));
  // evaluate objective and gradient using initial step
  let [f_new, g_new] = obj_func(x, t, d);
  let ls_func_evals = 1;
  let gtd_new: Tensor = w(call(H.dot, g_new._h, d._h));
  const clone = (v: Tensor): Tensor => w(call(H.clone, v._h, null));

  // bracket an interval containing a point satisfying the Wolfe criteria
  let t_prev: V = 0, f_prev = f, g_prev = g, gtd_prev: Tensor = gtd;
  let done = false;
  let ls_iter = 0;
  let bracket: V[] = [], bracket_f: number[] = [], bracket_g: Tensor[] = [], bracket_gtd: Tensor[] = [];
  const armijo = (tt: V): V => pyadd(f, pymul(pymul(c1, tt), gtd)); // f + c1 * t * gtd
  while (ls_iter < max_ls) {
    // check conditions
    if (cmp(f_new, 'gt', armijo(t)) || (ls_iter > 1 && f_new >= f_prev)) {
      bracket = [t_prev, t]; bracket_f = [f_prev, f_new]; bracket_g = [g_prev, clone(g_new)]; bracket_gtd = [gtd_prev, gtd_new];
      break;
    }
    if (cmp(pyabs(gtd_new), 'le', pymul(-c2, gtd))) {
      bracket = [t]; bracket_f = [f_new]; bracket_g = [g_new];
      done = true;
      break;
    }
    if (cmp(gtd_new, 'ge', 0)) {
      bracket = [t_prev, t]; bracket_f = [f_prev, f_new]; bracket_g = [g_prev, clone(g_new)]; bracket_gtd = [gtd_prev, gtd_new];
      break;
    }
    // interpolate
    const min_step = pyadd(t, pymul(0.01, pysub(t, t_prev)));
    const max_step = pymul(t, 10);
    const tmp = t;
    t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, [min_step, max_step]);
    // next step
    t_prev = tmp; f_prev = f_new; g_prev = clone(g_new); gtd_prev = gtd_new;
    [f_new, g_new] = obj_func(x, t, d);
    ls_func_evals += 1;
    gtd_new = w(call(H.dot, g_new._h, d._h));
    ls_iter += 1;
  }
  // reached max number of iterations?
  if (ls_iter === max_ls) { bracket = [0, t]; bracket_f = [f, f_new]; bracket_g = [g, g_new]; }

  // zoom phase: we now have a point satisfying the criteria, or a bracket around it. We refine
  // the bracket until we find the exact point satisfying the criteria.
  let insuf_progress = false;
  // find high and low points in bracket
  let [low_pos, high_pos] = bracket_f[0] <= bracket_f[bracket_f.length - 1] ? [0, 1] : [1, 0];
  while (!done && ls_iter < max_ls) {
    // line-search bracket is so small
    if (cmp(pymul(pyabs(pysub(bracket[1], bracket[0])), d_norm), 'lt', tolerance_change)) break;
    // compute new trial value
    t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]);
    // test that we are making sufficient progress: in case `t` is so close to the boundary, we
    // mark that we are making insufficient progress, and if we have made insufficient progress
    // in the last step, or `t` is at one of the boundaries, we move `t` to a position
    // `0.1 * len(bracket)` away from the nearest boundary point.
    const bmax = pymaxList(bracket), bmin = pyminList(bracket);
    const eps = pymul(0.1, pysub(bmax, bmin));
    if (cmp(pymin(pysub(bmax, t), pysub(t, bmin)), 'lt', eps)) {
      // interpolation close to boundary
      if (insuf_progress || cmp(t, 'ge', bmax) || cmp(t, 'le', bmin)) {
        // evaluate at 0.1 away from boundary
        t = cmp(pyabs(pysub(t, bmax)), 'lt', pyabs(pysub(t, bmin))) ? pysub(bmax, eps) : pyadd(bmin, eps);
        insuf_progress = false;
      } else {
        insuf_progress = true;
      }
    } else {
      insuf_progress = false;
    }
    // Evaluate new point
    [f_new, g_new] = obj_func(x, t, d);
    ls_func_evals += 1;
    gtd_new = w(call(H.dot, g_new._h, d._h));
    ls_iter += 1;
    if (cmp(f_new, 'gt', armijo(t)) || f_new >= bracket_f[low_pos]) {
      // Armijo condition not satisfied or not lower than lowest point
      bracket[high_pos] = t; bracket_f[high_pos] = f_new; bracket_g[high_pos] = clone(g_new); bracket_gtd[high_pos] = gtd_new;
      [low_pos, high_pos] = bracket_f[0] <= bracket_f[1] ? [0, 1] : [1, 0];
    } else {
      if (cmp(pyabs(gtd_new), 'le', pymul(-c2, gtd))) {
        // Wolfe conditions satisfied
        done = true;
      } else if (cmp(pymul(gtd_new, pysub(bracket[high_pos], bracket[low_pos])), 'ge', 0)) {
        // old high becomes new low
        bracket[high_pos] = bracket[low_pos]; bracket_f[high_pos] = bracket_f[low_pos];
        bracket_g[high_pos] = bracket_g[low_pos]; bracket_gtd[high_pos] = bracket_gtd[low_pos];
      }
      // new point becomes new low
      bracket[low_pos] = t; bracket_f[low_pos] = f_new; bracket_g[low_pos] = clone(g_new); bracket_gtd[low_pos] = gtd_new;
    }
  }
  // return stuff
  return [bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals];
}

export interface LBFGSOptions {
  lr: number; max_iter: number; max_eval: number | null; tolerance_grad: number; tolerance_change: number;
  history_size: number; line_search_fn: 'strong_wolfe' | null;
}
/** LBFGS's state, kept on its first parameter (as PyTorch does). */
export interface LBFGSState {
  func_evals?: number; n_iter?: number; al?: Array<Tensor | null>;
  d?: Tensor; t?: V; old_dirs?: Tensor[]; old_stps?: Tensor[]; ro?: Tensor[]; H_diag?: V; prev_flat_grad?: Tensor | null; prev_loss?: number;
}

/**
 * L-BFGS (torch.optim.LBFGS): `new LBFGS(params, lr = 1, max_iter = 20, max_eval = null,
 * tolerance_grad = 1e-7, tolerance_change = 1e-9, history_size = 100, line_search_fn = null)`;
 * one parameter group only. `step(closure)` needs the closure (it re-evaluates the loss):
 * `opt.step(() => { opt.zero_grad(); const l = loss(); l.backward(); return l; })`.
 * Tensors the closure returns after the first call are released when step() ends.
 */
export class LBFGS extends Optimizer<LBFGSOptions, LBFGSState> {
  private _params: Tensor[];
  private _numel_cache: number | null = null;

  constructor(params: ParamsArg<LBFGSOptions>, ...args: Rest<[number, number, number | null, number, number, number, string | null], Partial<LBFGSOptions>>) {
    const o = bind<LBFGSOptions>('LBFGS.__init__', args, {
      lr: 1, max_iter: 20, max_eval: null, tolerance_grad: 1e-7, tolerance_change: 1e-9, history_size: 100, line_search_fn: null,
    });
    const max_eval = o.max_eval ?? Math.floor(o.max_iter * 5 / 4);
    const { lr, max_iter, tolerance_grad, tolerance_change, history_size, line_search_fn } = o;
    super(params, { lr, max_iter, max_eval, tolerance_grad, tolerance_change, history_size, line_search_fn });
    if (this.param_groups.length !== 1) throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
    this._params = this.param_groups[0].params;
  }

  private _numel(): number {
    if (this._numel_cache === null) this._numel_cache = this._params.reduce((n, p) => n + p.numel(), 0);
    return this._numel_cache;
  }

  private _gather_flat_grad(): Tensor {
    const views = this._params.map((p) => {
      const g = native.get_grad(p._h);
      if (g === null) return w(call(H.zeros, [p.numel()], p.dtype.code, null, null, null));
      w(g); // released with the step's other tensors
      if (isSparseGrad(g, p)) return w(call(H.view, w(call(H.to_dense, g, null))._h, [-1]));
      return w(call(H.view, g, [-1]));
    });
    return w(call(H.cat, views.map((v) => v._h), 0));
  }

  private _add_grad(step_size: V, update: Tensor): void {
    const alpha = num(step_size); // a 0-dim tensor as `alpha=` is read as its value
    let offset = 0;
    for (const p of this._params) {
      const numel = p.numel();
      const view = w(call(H.view, w(call(H.narrow, update._h, 0, offset, numel))._h, p.shape));
      call(H.add_, p._h, view._h, alpha);
      offset += numel;
    }
    if (offset !== this._numel()) throw new Error('AssertionError');
  }

  private _clone_param(): Tensor[] { return this._params.map((p) => w(call(H.clone, p._h, null))); }

  private _set_param(params_data: Tensor[]): void {
    this._params.forEach((p, i) => call(H.copy_, p._h, params_data[i]._h, false));
  }

  private _directional_evaluate(closure: () => unknown, x: Tensor[], t: V, d: Tensor): [number, Tensor] {
    this._add_grad(t, d);
    const loss = toFloat(closure());
    const flat_grad = this._gather_flat_grad();
    this._set_param(x);
    return [loss, flat_grad];
  }

  /** Performs one optimization step (up to max_iter iterations); returns the closure's first loss. */
  override step<L = unknown>(closure?: () => L): L | undefined {
    if (typeof closure !== 'function') throw new TypeError("step() missing 1 required positional argument: 'closure'");
    const prevGrad = native.is_grad_enabled();
    const outer = made;
    made = [];
    // The closure runs with grad enabled, the rest under no_grad (Python's decorators).
    const evaluate = (): L => {
      native.set_grad_enabled(true);
      try { return closure(); } finally { native.set_grad_enabled(false); }
    };
    let state: LBFGSState | undefined;
    const before = stateTensors(this.state.get(this._params[0]));
    try {
      native.set_grad_enabled(false);
      const group = this.param_groups[0];
      const { lr, max_iter, tolerance_grad, tolerance_change, line_search_fn, history_size } = group;
      const max_eval = group.max_eval as number;
      // NOTE: LBFGS has only global state, but we register it as state for the first param,
      // because this helps with casting in load_state_dict
      state = this._state(this._params[0]);
      state.func_evals ??= 0;
      state.n_iter ??= 0;

      // evaluate initial f(x) and df/dx
      const orig_loss = evaluate();
      let loss = toFloat(orig_loss);
      let current_evals = 1;
      state.func_evals += 1;
      let flat_grad = this._gather_flat_grad();
      let opt_cond = cmp(w(call(H.max, w(call(H.abs, flat_grad._h))._h)), 'le', tolerance_grad);
      // optimal condition
      if (opt_cond) return orig_loss;

      // tensors cached in state (for tracing)
      let d = state.d, t = state.t;
      let old_dirs = state.old_dirs, old_stps = state.old_stps, ro = state.ro, H_diag = state.H_diag;
      let prev_flat_grad = state.prev_flat_grad ?? null, prev_loss = state.prev_loss;

      let n_iter = 0;
      // optimize for a max of max_iter iterations
      while (n_iter < max_iter) {
        // keep track of nb of iterations
        n_iter += 1;
        state.n_iter += 1;

        // compute gradient descent direction
        if (state.n_iter === 1) {
          d = w(call(H.neg, flat_grad._h));
          old_dirs = []; old_stps = []; ro = [];
          H_diag = 1;
        } else {
          old_dirs = old_dirs as Tensor[]; old_stps = old_stps as Tensor[]; ro = ro as Tensor[];
          // do lbfgs update (update memory)
          const y = w(call(H.sub, flat_grad._h, (prev_flat_grad as Tensor)._h, 1));
          const s = pymul(d as Tensor, t as V) as Tensor;
          const ys = w(call(H.dot, y._h, s._h)); // y*s
          if (cmp(ys, 'gt', 1e-10)) {
            // updating memory
            if (old_dirs.length === history_size) {
              // shift history by one (limited-memory)
              old_dirs.shift(); old_stps.shift(); ro.shift();
            }
            // store new direction/step
            old_dirs.push(y); old_stps.push(s); ro.push(pydiv(1., ys) as Tensor);
            // update scale of initial Hessian approximation
            H_diag = pydiv(ys, w(call(H.dot, y._h, y._h))); // (y*y)
          }
          // compute the approximate (L-BFGS) inverse Hessian multiplied by the gradient
          const num_old = old_dirs.length;
          if (state.al === undefined) state.al = new Array(history_size).fill(null);
          const al = state.al;
          // iteration in L-BFGS loop collapsed to use just one buffer
          const q = w(call(H.neg, flat_grad._h));
          for (let i = num_old - 1; i > -1; i--) {
            al[i] = pymul(w(call(H.dot, old_stps[i]._h, q._h)), ro[i]) as Tensor;
            call(H.add_, q._h, old_dirs[i]._h, -num(al[i] as Tensor));
          }
          // multiply by initial Hessian; r/d is the final direction
          const r = pymul(q, H_diag as V) as Tensor;
          d = r;
          for (let i = 0; i < num_old; i++) {
            const be_i = pymul(w(call(H.dot, old_dirs[i]._h, r._h)), ro[i]);
            call(H.add_, r._h, old_stps[i]._h, num(pysub(al[i] as Tensor, be_i)));
          }
        }
        if (prev_flat_grad === null) prev_flat_grad = w(call(H.clone, flat_grad._h, null));
        else call(H.copy_, prev_flat_grad._h, flat_grad._h, false);
        prev_loss = loss;

        // compute step length: reset initial guess for step size
        if (state.n_iter === 1) t = pymul(pymin(1., pydiv(1., w(call(H.sum, w(call(H.abs, flat_grad._h))._h, null)))), lr);
        else t = lr;

        // directional derivative
        const gtd = w(call(H.dot, flat_grad._h, (d as Tensor)._h)); // g * d
        // directional derivative is below tolerance
        if (cmp(gtd, 'gt', -tolerance_change)) break;

        // optional line search: user function
        let ls_func_evals = 0;
        if (line_search_fn !== null && line_search_fn !== undefined) {
          // perform line search, using user function
          if (line_search_fn !== 'strong_wolfe') throw new Error("only 'strong_wolfe' is supported");
          const x_init = this._clone_param();
          const obj_func: ObjFunc = (x, tt, dd) => this._directional_evaluate(evaluate, x, tt, dd);
          [loss, flat_grad, t, ls_func_evals] = strong_wolfe(obj_func, x_init, t, d as Tensor, loss, flat_grad, gtd);
          this._add_grad(t, d as Tensor);
          opt_cond = cmp(w(call(H.max, w(call(H.abs, flat_grad._h))._h)), 'le', tolerance_grad);
        } else {
          // no line search, simply move with fixed-step
          this._add_grad(t, d as Tensor);
          if (n_iter !== max_iter) {
            // re-evaluate function only if not in last iteration: in a stochastic setting there
            // is no use re-evaluating that function here
            loss = toFloat(evaluate());
            flat_grad = this._gather_flat_grad();
            opt_cond = cmp(w(call(H.max, w(call(H.abs, flat_grad._h))._h)), 'le', tolerance_grad);
            ls_func_evals = 1;
          }
        }
        // update func eval
        current_evals += ls_func_evals;
        state.func_evals += ls_func_evals;

        // check conditions
        if (n_iter === max_iter) break;
        if (current_evals >= max_eval) break;
        // optimal condition
        if (opt_cond) break;
        // lack of progress
        if (cmp(w(call(H.max, w(call(H.abs, (pymul(d as Tensor, t as V) as Tensor)._h))._h)), 'le', tolerance_change)) break;
        if (Math.abs(loss - (prev_loss as number)) < tolerance_change) break;
      }
      state.d = d; state.t = t;
      state.old_dirs = old_dirs; state.old_stps = old_stps; state.ro = ro; state.H_diag = H_diag;
      state.prev_flat_grad = prev_flat_grad; state.prev_loss = prev_loss;
      return orig_loss;
    } finally {
      native.set_grad_enabled(prevGrad);
      // Release what this step made and what the state no longer holds (directions shifted out
      // of the history, the last step's d...); keep the state out of any user scope.
      const kept = stateTensors(state);
      if (state !== undefined) keep(state);
      for (const t of made) if (!kept.has(t)) t.dispose();
      for (const t of before) if (!kept.has(t)) t.dispose();
      made = outer;
    }
  }
}

/** The tensors an LBFGS state holds (directly, or in its lists). */
function stateTensors(state: LBFGSState | undefined): Set<Tensor> {
  const out = new Set<Tensor>();
  for (const v of Object.values(state ?? {})) {
    if (v instanceof Tensor) out.add(v);
    else if (Array.isArray(v)) for (const x of v) if (x instanceof Tensor) out.add(x);
  }
  return out;
}

/** Python's float(loss): a tensor's value, or a number. */
function toFloat(v: unknown): number {
  if (v instanceof Tensor) return call(H.item, v._h) as number;
  return Number(v);
}
