// torch.optim.Optimizer: parameter groups, per-parameter state, zero_grad,
// state_dict / load_state_dict, written after torch/optim/optimizer.py
// (PyTorch 1.13), with PyTorch 2.x's zero_grad(set_to_none=True) default.
import { native, Handle, torchAtLeast } from '../native';
import { Tensor, op } from '../tensor';
import { keep } from '../memory';
import { get_default_dtype } from '../dtype';
import { bind, isOptions, py, typename, Rest } from '../nn/common';
import { warn } from '../warnings';
import { expect } from '../guard';
import { listOf } from '../arraylike';

const { call } = native;

/** Per-group options every optimizer has; each optimizer adds its own. */
export interface GroupOptions { lr?: number; [key: string]: unknown }

/** A parameter group as given by the user: `{ params, lr, ... }`. */
export type ParamGroupInput<O = GroupOptions> = Partial<O> & { params: Tensor | Iterable<Tensor>; [key: string]: unknown };

/** What an optimizer accepts: tensors, an iterable of them (e.g. `model.parameters()`), or parameter groups. */
export type ParamsArg<O = GroupOptions> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** A parameter group as the optimizer holds it: its parameters and every option (defaults filled in). */
export type ParamGroup<O = GroupOptions> = O & { params: Tensor[]; initial_lr?: number; [key: string]: unknown };

/** Optimizer.state_dict(): parameters are replaced by their index, in PyTorch's layout. */
export interface OptimizerStateDict {
  state: Record<number | string, Record<string, unknown>>;
  param_groups: Array<Record<string, unknown> & { params: number[] }>;
}

/** The value of a required option with no default (torch.optim.optimizer.required). */
export const required: unique symbol = Symbol.for('torch.optim.required');

// ---- the defaults' layout per LibTorch version -------------------------------------

/**
 * PyTorch 2.x's defaults of each optimizer, in its order (keys, and the values of the options
 * that 1.13 lacks): a 2.x state_dict's param_groups hold these keys in this order.
 */
const V2_DEFAULTS: Record<string, Array<[string, unknown]>> = {
  SGD: [['lr', 0], ['momentum', 0], ['dampening', 0], ['weight_decay', 0], ['nesterov', false], ['maximize', false],
    ['foreach', null], ['differentiable', false], ['fused', null]],
  Adam: [['lr', 0], ['betas', 0], ['eps', 0], ['weight_decay', 0], ['amsgrad', false], ['maximize', false], ['foreach', null],
    ['capturable', false], ['differentiable', false], ['fused', null], ['decoupled_weight_decay', false]],
  AdamW: [['lr', 0], ['betas', 0], ['eps', 0], ['weight_decay', 0], ['amsgrad', false], ['maximize', false], ['foreach', null],
    ['capturable', false], ['differentiable', false], ['fused', null], ['decoupled_weight_decay', true]],
  Adadelta: [['lr', 0], ['rho', 0], ['eps', 0], ['weight_decay', 0], ['maximize', false], ['capturable', false],
    ['foreach', null], ['differentiable', false]],
  Adagrad: [['lr', 0], ['lr_decay', 0], ['eps', 0], ['weight_decay', 0], ['initial_accumulator_value', 0], ['foreach', null],
    ['maximize', false], ['differentiable', false], ['fused', null]],
  Adamax: [['lr', 0], ['betas', 0], ['eps', 0], ['weight_decay', 0], ['foreach', null], ['maximize', false],
    ['differentiable', false], ['capturable', false]],
  ASGD: [['lr', 0], ['lambd', 0], ['alpha', 0], ['t0', 0], ['weight_decay', 0], ['foreach', null], ['maximize', false],
    ['differentiable', false], ['capturable', false]],
  NAdam: [['lr', 0], ['betas', 0], ['eps', 0], ['weight_decay', 0], ['momentum_decay', 0], ['decoupled_weight_decay', false],
    ['maximize', false], ['foreach', null], ['capturable', false], ['differentiable', false]],
  RAdam: [['lr', 0], ['betas', 0], ['eps', 0], ['weight_decay', 0], ['maximize', false], ['foreach', null], ['capturable', false],
    ['decoupled_weight_decay', false], ['differentiable', false]],
  RMSprop: [['lr', 0], ['momentum', 0], ['alpha', 0], ['eps', 0], ['centered', false], ['weight_decay', 0], ['capturable', false],
    ['foreach', null], ['maximize', false], ['differentiable', false]],
  Rprop: [['lr', 0], ['etas', 0], ['step_sizes', 0], ['foreach', null], ['maximize', false], ['differentiable', false],
    ['capturable', false]],
};

/** What 2.x's __setstate__ fills into groups that lack them (a state dict of an older version), per optimizer. */
const V2_SETSTATE: Record<string, Record<string, unknown>> = {
  SGD: { nesterov: false, maximize: false, foreach: null, differentiable: false, fused: false },
  Adam: { amsgrad: false, maximize: false, foreach: null, capturable: false, differentiable: false, decoupled_weight_decay: false, fused: null },
  Adadelta: { foreach: null, maximize: false, differentiable: false, capturable: false },
  Adagrad: { foreach: null, maximize: false, differentiable: false, fused: null },
  Adamax: { foreach: null, maximize: false, differentiable: false, capturable: false },
  ASGD: { foreach: null, maximize: false, differentiable: false, capturable: false },
  NAdam: { maximize: false, foreach: null, capturable: false, differentiable: false, decoupled_weight_decay: false },
  RAdam: { foreach: null, maximize: false, differentiable: false, decoupled_weight_decay: false, capturable: false },
  RMSprop: { momentum: 0, centered: false, foreach: null, maximize: false, differentiable: false, capturable: false },
  Rprop: { foreach: null, maximize: false, differentiable: false, capturable: false },
};
V2_SETSTATE.AdamW = V2_SETSTATE.Adam; // a subclass of Adam in 2.x (AdamW then sets decoupled_weight_decay = True)

/** @internal PyTorch 2.x stores some per-parameter values (`step`) as tensors where 1.13 kept numbers. */
export const V2 = torchAtLeast(2, 0);

/**
 * The defaults as the Python of the LibTorch the addon was built against lays them out: 1.13's
 * as given; 2.x's with its keys, in its order (options 1.13 lacks take 2.x's defaults).
 */
function layout<O extends object>(name: string, defaults: O): O {
  const keys = V2 ? V2_DEFAULTS[name] : undefined;
  if (keys === undefined) return defaults;
  const given = defaults as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, def] of keys) out[k] = k in given ? given[k] : def;
  for (const [k, v] of Object.entries(given)) if (!(k in out)) out[k] = v;
  return out as O;
}

// ---- copies of state, for load_state_dict ------------------------------------------

/** A copy of a tensor's data, outside autograd (Python's deepcopy of a state tensor). */
function detachedClone(t: Tensor): Tensor {
  const d = t.detach();
  try { return d.clone(); } finally { d.dispose(); }
}

/** A deep copy of plain data (arrays, plain objects); tensors are cloned. */
function deepcopy(v: unknown): unknown {
  if (v instanceof Tensor) return detachedClone(v);
  if (Array.isArray(v)) return v.map(deepcopy);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, deepcopy(x)]));
  if (isOptions(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = deepcopy(x);
    return o;
  }
  return v;
}

const H = {
  detach_: op('detach_'), requires_grad_: op('requires_grad_'), zero_: op('zero_'), full: op('full'),
  compatible: op('_has_compatible_shallow_copy_type'),
};

/**
 * Base class for all optimizers (torch.optim.Optimizer).
 *
 * `params` is an iterable of tensors (an array, a generator such as
 * `model.parameters()`) or of parameter groups `{ params, ...options }`;
 * options a group leaves out come from `defaults`.
 */
export class Optimizer<O extends object = GroupOptions, S extends object = Record<string, unknown>> {
  defaults: O;
  /** Per-parameter state (Python's defaultdict(dict) keyed by the parameter). */
  state: Map<Tensor, S>;
  param_groups: ParamGroup<O>[];
  /** @internal Counted by lr schedulers (see LRScheduler). */
  _step_count?: number;

  constructor(params: ParamsArg<O>, defaults: O) {
    this.defaults = layout(this._builtinName(), defaults);
    if (params instanceof Tensor || params === null || params === undefined ||
        typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new TypeError(`params argument given to the optimizer should be an iterable of Tensors or dicts, but got ${typename(params)}`);
    }
    this.state = new Map();
    this.param_groups = [];
    // An array is length-checked before it is walked (a sparse array of length 2**31 is not a list).
    let groups = Array.isArray(params) ? listOf(params, `${this.constructor.name}(): argument 'params'`) : [...(params as Iterable<unknown>)];
    if (groups.length === 0) throw new Error('optimizer got an empty parameter list');
    if (!isOptions(groups[0])) groups = [{ params: groups }];
    for (const g of groups) this.add_param_group(g as ParamGroupInput<O>);
  }

  /** Optimizer.add_param_group: adds a group, filling its missing options from defaults. */
  add_param_group(param_group: ParamGroupInput<O>): void {
    if (!isOptions(param_group)) throw new TypeError('param group must be a dict');
    const ps = param_group.params as unknown;
    let list: unknown[];
    if (ps instanceof Tensor) list = [ps];
    else if (ps !== null && ps !== undefined && typeof (ps as Iterable<unknown>)[Symbol.iterator] === 'function' && typeof ps !== 'string') list = [...(ps as Iterable<unknown>)];
    else throw new TypeError(`'${typename(ps)}' object is not iterable`);
    const group: Record<string, unknown> = { ...param_group, params: list };

    for (const p of list) {
      if (!(p instanceof Tensor)) throw new TypeError(`optimizer can only optimize Tensors, but one of the params is ${typename(p)}`);
      if (!(this.defaults as Record<string, unknown>).differentiable && !(p.is_leaf || p.retains_grad)) {
        throw new Error("can't optimize a non-leaf Tensor");
      }
    }
    for (const [name, def] of Object.entries(this.defaults)) {
      if (def === required && !(name in group)) {
        throw new Error(`parameter group didn't specify a value of required optimization parameter ${name}`);
      }
      if (!(name in group)) group[name] = def;
    }
    const params = list as Tensor[];
    if (new Set(params).size !== params.length) {
      warn('optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; ' +
        'see github.com/pytorch/pytorch/issues/40967 for more information');
    }
    const seen = new Set<Tensor>();
    for (const g of this.param_groups) for (const p of g.params) seen.add(p);
    if (params.some((p) => seen.has(p))) throw new Error('some parameters appear in more than one parameter group');
    this.param_groups.push(group as ParamGroup<O>);
  }

  /**
   * Optimizer.zero_grad(set_to_none = true): sets the gradients to null (the default, as in
   * PyTorch 2.x; 1.13 defaulted to false), or to zero with `zero_grad(false)` / `{ set_to_none: false }`.
   */
  zero_grad(...args: Rest<[boolean], { set_to_none?: boolean }>): void {
    const { set_to_none } = bind<{ set_to_none: boolean }>('zero_grad', args, { set_to_none: true });
    for (const group of this.param_groups) {
      for (const p of group.params) {
        if (set_to_none) { native.set_grad(p._h, null); continue; }
        const g = native.get_grad(p._h);
        if (g === null) continue;
        try {
          if (native.grad_fn_name(g) !== null) call(H.detach_, g);
          else call(H.requires_grad_, g, false);
          call(H.zero_, g);
        } finally {
          native.dispose(g);
        }
      }
    }
  }

  /**
   * Performs one optimization step; returns what `closure` returned (the loss), if given.
   * Runs the closure with grad enabled, then `_update_group` on each group under no_grad
   * (what every `step` of PyTorch's optimizers does around its functional update).
   */
  step<L = unknown>(closure?: () => L): L | undefined {
    return runStep(closure, () => {
      for (const group of this.param_groups) this._update_group(group);
    }) as L | undefined;
  }

  /** @internal One group's update (PyTorch's `_single_tensor_<name>` over the group's parameters with a gradient). */
  protected _update_group(group: ParamGroup<O>): void {
    void group;
    throw new Error(`${this.constructor.name}.step() is not implemented`);
  }

  /** The per-parameter state, created empty on first use (Python's defaultdict). */
  protected _state(p: Tensor): S {
    let s = this.state.get(p);
    if (s === undefined) { s = {} as S; this.state.set(p, s); }
    return s;
  }

  /** Wraps a new handle as a state tensor that no scope releases. */
  protected _own(h: Handle): Tensor { return keep(new Tensor(h)); }

  /**
   * Optimizer.state_dict: `{ state: { 0: {...}, ... }, param_groups: [{ lr, ..., params: [0, 1] }] }`.
   * The state tensors are the optimizer's own (not copies), as in PyTorch.
   */
  state_dict(): OptimizerStateDict {
    const mapping = new Map<Tensor, number>();
    let start = 0;
    const param_groups = this.param_groups.map((group) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(group)) if (k !== 'params') packed[k] = Array.isArray(v) ? [...v] : v;
      group.params.forEach((p, i) => { if (!mapping.has(p)) mapping.set(p, start + i); });
      packed.params = group.params.map((p) => mapping.get(p) as number);
      start += group.params.length;
      return packed as Record<string, unknown> & { params: number[] };
    });
    const state: Record<number | string, Record<string, unknown>> = {};
    for (const [k, v] of this.state) {
      const key = k instanceof Tensor ? mapping.get(k) : (k as unknown as string);
      if (key === undefined) continue; // a parameter no longer in any group
      state[key] = { ...(v as Record<string, unknown>) };
    }
    return { state, param_groups };
  }

  /**
   * Optimizer.load_state_dict: takes a copy of the state (tensors cloned and
   * cast to their parameter's dtype and device, `step` excepted) and the
   * groups' options; the groups keep their current parameters.
   */
  load_state_dict(state_dict: OptimizerStateDict): void {
    expect.like('load_state_dict', 'state_dict', state_dict, 'dict', [], 0);
    const groups = this.param_groups;
    const saved = state_dict.param_groups;
    if (!Array.isArray(saved)) throw new RangeError("'param_groups'"); // Python's KeyError('param_groups')
    if (groups.length !== saved.length) throw new Error('loaded state dict has a different number of parameter groups');
    if (groups.some((g, i) => g.params.length !== saved[i].params.length)) {
      throw new Error("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
    }
    const idMap = new Map<number, Tensor>();
    saved.forEach((g, i) => g.params.forEach((id, j) => idMap.set(Number(id), groups[i].params[j])));

    const cast = (param: Tensor, value: unknown, key?: string): unknown => {
      if (value instanceof Tensor) {
        let t = detachedClone(value);
        if (key !== 'step') {
          const want = param.is_floating_point() ? param.dtype : t.dtype;
          const c = t.to(param.device, want);
          if (c !== t) { t.dispose(); t = c; }
        }
        return keep(t);
      }
      if (Array.isArray(value)) return value.map((v) => cast(param, v));
      if (isOptions(value)) {
        const o: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) o[k] = cast(param, v, k);
        return o;
      }
      return value;
    };
    const state = new Map<Tensor, S>();
    for (const [k, v] of Object.entries(state_dict.state)) {
      const param = idMap.get(Number(k));
      if (param !== undefined) state.set(param, cast(param, v) as S);
      else state.set(k as unknown as Tensor, keep(deepcopy(v)) as S);
    }
    const param_groups = groups.map((g, i) => {
      const ng = deepcopy(saved[i]) as Record<string, unknown>;
      ng.params = g.params;
      return ng as ParamGroup<O>;
    });
    this.state = state;
    this.param_groups = param_groups;
    this._setstate();
  }

  /** @internal Fills options that older state dicts lack (Python's __setstate__). */
  protected _setstate(): void {
    if (!('differentiable' in this.defaults)) (this.defaults as Record<string, unknown>).differentiable = false;
    const v2 = V2 ? V2_SETSTATE[this._builtinName()] : undefined;
    if (v2 !== undefined) setdefaults(this.param_groups as Array<Record<string, unknown>>, v2);
  }

  /** @internal The name of the torch.optim class this one is or extends ('' for none). */
  private _builtinName(): string {
    for (let c = this.constructor; c && c !== Optimizer; c = Object.getPrototypeOf(c)) {
      if (Object.prototype.hasOwnProperty.call(V2_DEFAULTS, c.name)) return c.name;
    }
    return '';
  }

  /** Python's repr(optimizer). */
  toString(): string {
    let s = `${this.constructor.name} (`;
    this.param_groups.forEach((group, i) => {
      s += `\nParameter Group ${i}\n`;
      for (const key of Object.keys(group).sort()) {
        if (key !== 'params') s += `    ${key}: ${py(group[key])}\n`;
      }
    });
    return s + ')';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string { return this.toString(); }
}

/** @internal Runs the closure with grad enabled, then `update` under no_grad (what the step decorators do). */
export function runStep(closure: (() => unknown) | undefined, update: () => void): unknown {
  let loss: unknown;
  const prev = native.is_grad_enabled();
  try {
    if (closure !== undefined && closure !== null) {
      native.set_grad_enabled(true);
      loss = closure();
    }
    native.set_grad_enabled(false);
    update();
  } finally {
    native.set_grad_enabled(prev);
  }
  return loss;
}


// ---- what the optimizers' updates share ----------------------------------------------

/**
 * @internal Calls `update(p, grad, tmp)` for each parameter of `group` that has a gradient
 * (Python's `if p.grad is not None`), in order. `tmp(h)` registers a temporary handle and
 * returns it; temporaries and the gradient handles are released after each parameter.
 * With `sparseError` (PyTorch's message), a sparse gradient is refused before any update,
 * as PyTorch's step() does while it gathers the gradients.
 */
export function forEachGrad(group: { params: Tensor[] }, update: (p: Tensor, grad: Handle, tmp: (h: Handle) => Handle) => void,
  sparseError?: string): void {
  const work: Array<[Tensor, Handle]> = [];
  for (const p of group.params) {
    const g = native.get_grad(p._h);
    if (g !== null) work.push([p, g]);
  }
  try {
    if (sparseError !== undefined && work.some(([p, g]) => isSparseGrad(g, p))) {
      throw new Error(sparseError);
    }
    for (const [p, g] of work) {
      const temps: Handle[] = [];
      try {
        update(p, g, (h) => { temps.push(h); return h; });
      } finally {
        for (const t of temps) native.dispose(t);
      }
    }
  } finally {
    for (const [, g] of work) native.dispose(g);
  }
}

/**
 * @internal `grad.is_sparse`, for a gradient of the dense parameter `p`. There is no layout
 * query below the Tensor class, so this asks ATen whether the two tensors' dispatch keys are
 * compatible (a sparse COO gradient's are not a dense parameter's), which never throws.
 */
export function isSparseGrad(grad: Handle, p: Tensor): boolean {
  return !(call(H.compatible, grad, p._h) as boolean);
}

/** @internal `torch.tensor(v)`: a 0-dim tensor of the default dtype, on the CPU. */
export function scalarTensor(v: number): Handle {
  return call(H.full, [], v, get_default_dtype().code, null, null, null);
}

/** @internal Python's `group.setdefault(key, value)` for each key, in a __setstate__. */
export function setdefaults(groups: Array<Record<string, unknown>>, defaults: Record<string, unknown>): void {
  for (const g of groups) for (const [k, v] of Object.entries(defaults)) if (!(k in g)) g[k] = v;
}

/**
 * @internal State dicts from before 1.12 hold `step` (ASGD also `eta`, `mu`; NAdam
 * `mu_product`) as numbers: each becomes a 0-dim tensor, as the optimizers' __setstate__ do
 * (checking the first state only, as they do).
 */
export function numbersToTensors(state: Map<unknown, object>, keys: string[]): void {
  const values = [...state.values()] as Array<Record<string, unknown>>;
  for (const key of keys) {
    if (values.length === 0 || values[0][key] instanceof Tensor) continue;
    for (const s of values) s[key] = keep(new Tensor(scalarTensor(Number(s[key]))));
  }
}

const addS_ = op('add_', 'Scalar');

/**
 * @internal Python's check of a signature whose options after the first `max` (params included) are
 * keyword-only (`*`), which `bind` does not know: more positional arguments are a TypeError.
 */
export function keywordOnlyAfter(fn: string, args: readonly unknown[], max: number): void {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  if (n > 0 && isOptions(args[n - 1])) n--;
  if (n + 1 > max) throw new TypeError(`${fn}() takes from 2 to ${max + 1} positional arguments but ${n + 2} were given`);
}

/**
 * @internal A new `step` entry for the optimizers whose 1.13 kept it as a number (Adadelta,
 * RMSprop, Rprop): 0, or on 2.x `torch.tensor(0.)` as 2.x's _init_group makes it.
 */
export function newStep(own: (h: Handle) => Tensor): number | Tensor {
  return V2 ? own(scalarTensor(0)) : 0;
}

/** @internal `state.step += 1` on a number or a 0-dim tensor. */
export function bumpStep(state: { step?: number | Tensor }): void {
  const s = state.step;
  if (s instanceof Tensor) call(addS_, s._h, 1, 1);
  else state.step = (s as number) + 1;
}
