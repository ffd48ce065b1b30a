// torch.optim.lr_scheduler, after torch/optim/lr_scheduler.py (PyTorch 1.13):
// the chainable forms on step(), the closed forms on step(epoch).
import { Optimizer, V2 } from './optimizer';
import { Tensor } from '../tensor';
import { bind, py, typename, REQUIRED, Rest } from '../nn/common';
import { warn } from '../warnings';
import { listOf } from '../arraylike';
import { pow, cos, log } from './_math';
import { expect } from '../guard';

export const EPOCH_DEPRECATION_WARNING =
  'The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. ' +
  'Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from None, ' +
  'the closed form is used instead of the new chainable form, where available. Please open an issue if you are ' +
  'unable to replicate your use case: https://github.com/pytorch/pytorch/issues/new/choose.';

const GET_LR_WARNING = 'To get the last learning rate computed by the scheduler, please use `get_last_lr()`.';

type AnyOptimizer = Optimizer<object, object>;
type Group = { lr: number; initial_lr?: number; [k: string]: unknown };
type CountedStep = ((...args: unknown[]) => unknown) & { _with_counter?: boolean };

/** Options every scheduler takes. */
export interface SchedulerOptions { last_epoch?: number; verbose?: boolean }
/** The trailing (last_epoch = -1, verbose = false) of every scheduler's signature, after its own optional ones (`P`). */
type SchedulerRest<P extends unknown[], O> = Rest<[...P, number, boolean], O & SchedulerOptions>;
// 2.x's schedulers take no verbose (an unexpected keyword there, and one positional argument fewer)
const BASE = (V2 ? { last_epoch: -1 } : { last_epoch: -1, verbose: false }) as { last_epoch: number; verbose: boolean };
interface Bound { last_epoch: number; verbose: boolean }

/** Python's a % b for b > 0 (never negative). */
const pymod = (a: number, b: number): number => ((a % b) + b) % b;

/** `{:.4e}`, as Python formats it. */
function sci4(x: number): string {
  const [m, e] = x.toExponential(4).split('e');
  const n = Number(e);
  return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}

/**
 * Base class of the learning-rate schedulers (PyTorch's `_LRScheduler`, named
 * `LRScheduler` since 2.0). A subclass sets its own fields, then calls
 * `this._initial_step()` at the end of its constructor (Python's subclasses set
 * theirs before `super().__init__`, which JS does not allow).
 */
export abstract class LRScheduler {
  optimizer: AnyOptimizer;
  base_lrs: number[];
  last_epoch: number;
  /** 1.13 only (2.x has no verbose): absent from a 2.x scheduler's fields. */
  declare verbose: boolean;
  _step_count = 0;
  _get_lr_called_within_step = false;
  _last_lr: number[] = [];

  constructor(optimizer: AnyOptimizer, last_epoch = -1, verbose = false) {
    if (!(optimizer instanceof Optimizer)) {
      throw new TypeError(`${typename(optimizer)} is not an Optimizer`);
    }
    this.optimizer = optimizer;
    const groups = optimizer.param_groups as unknown as Group[];
    if (last_epoch === -1) {
      for (const g of groups) if (!('initial_lr' in g)) g.initial_lr = g.lr;
    } else {
      groups.forEach((g, i) => {
        if (!('initial_lr' in g)) {
          throw new Error(V2
            ? `param 'initial_lr' is not specified in param_groups[${i}] when resuming scheduler with last_epoch >= 0.\n` +
              'This typically happens when:\n' +
              "1. You're trying to resume training from a checkpoint but haven't properly loaded the optimizer state\n" +
              "2. You're using last_epoch >= 0 for a fresh training run (not recommended)"
            : `param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
        }
      });
    }
    this.base_lrs = groups.map((g) => g.initial_lr as number);
    this.last_epoch = last_epoch;

    // Count optimizer.step() calls, to warn when the scheduler steps first (pytorch#20124).
    const step = optimizer.step as CountedStep;
    if (!step._with_counter) {
      const counted: CountedStep = function (this: AnyOptimizer, ...args: unknown[]) {
        optimizer._step_count = (optimizer._step_count ?? 0) + 1;
        return step.apply(optimizer, args as [never]);
      };
      counted._with_counter = true;
      optimizer.step = counted as AnyOptimizer['step'];
    }
    if (V2) this._is_initial = false; // 2.x: set while the initial step runs
    else this.verbose = verbose;
  }

  /** @internal 2.x: true during the initial step (Python's _initial_mode); absent on 1.13. */
  declare _is_initial: boolean;

  /** @internal Resets the step counts and performs the first step (epoch 0); SequentialLR calls it on its first scheduler. */
  _initial_step(): void {
    this.optimizer._step_count = 0;
    this._step_count = 0;
    if (!V2) { this.step(); return; }
    this._is_initial = true;
    try { this.step(); } finally { this._is_initial = false; }
  }

  /** The learning rates of the chainable form at `last_epoch`. */
  abstract get_lr(): number[];
  /** The closed form, used by step(epoch) where a scheduler has one. */
  protected _get_closed_form_lr?(): number[];

  /** The learning rates the last step() set, one per parameter group. */
  get_last_lr(): number[] { return this._last_lr; }

  protected get groups(): Group[] { return this.optimizer.param_groups as unknown as Group[]; }

  protected _warn_get_lr(): void {
    if (!this._get_lr_called_within_step) warn(GET_LR_WARNING);
  }

  print_lr(is_verbose: boolean, group: number, lr: number, epoch?: number): void {
    if (!is_verbose) return;
    if (epoch === undefined) console.log(`Adjusting learning rate of group ${group} to ${sci4(lr)}.`);
    else {
      const e = Number.isInteger(epoch) ? String(epoch).padStart(5, '0') : epoch.toFixed(2);
      console.log(`Epoch ${e}: adjusting learning rate of group ${group} to ${sci4(lr)}.`);
    }
  }

  /** Advances one epoch (or, deprecated, jumps to `epoch` using the closed form) and sets each group's lr. */
  step(epoch?: number): void {
    if (this._step_count === 1) {
      if (!(this.optimizer.step as CountedStep)._with_counter) {
        warn('Seems like `optimizer.step()` has been overridden after learning rate scheduler initialization. ' +
          'Please, make sure to call `optimizer.step()` before `lr_scheduler.step()`. See more details at ' +
          'https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate');
      } else if ((this.optimizer._step_count ?? 0) < 1) {
        warn('Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should ' +
          'call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will ' +
          'result in PyTorch skipping the first value of the learning rate schedule. See more details at ' +
          'https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate');
      }
    }
    this._step_count += 1;
    let values: number[];
    this._get_lr_called_within_step = true;
    try {
      if (epoch === undefined || epoch === null) {
        this.last_epoch += 1;
        values = this.get_lr();
      } else {
        warn(EPOCH_DEPRECATION_WARNING);
        this.last_epoch = epoch;
        values = this._get_closed_form_lr ? this._get_closed_form_lr() : this.get_lr();
      }
    } finally {
      this._get_lr_called_within_step = false;
    }
    const groups = this.groups;
    for (let i = 0; i < Math.min(groups.length, values.length); i++) {
      groups[i].lr = values[i];
      this.print_lr(this.verbose, i, values[i], epoch ?? undefined);
    }
    this._last_lr = groups.map((g) => g.lr);
  }

  /**
   * Every field but the optimizer (Python: `self.__dict__` without 'optimizer'); functions (a
   * CyclicLR's scale function, OneCycleLR's anneal_func) are null: they cannot be saved.
   */
  state_dict(): Record<string, unknown> {
    return fieldsOf(this, ['optimizer']);
  }

  /** Restores the fields of a state_dict(); a null where this scheduler holds a function keeps the function. */
  load_state_dict(state_dict: Record<string, unknown>): void {
    loadFields(this, state_dict, ['optimizer']);
  }
}

/** @internal A copy of an object's fields but `except`, functions as null (Python's `__dict__` in a state_dict). */
function fieldsOf(o: object, except: string[]): Record<string, unknown> {
  const sd: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (!except.includes(k)) sd[k] = typeof v === 'function' ? null : copy(v, `state_dict(): ${k}`);
  }
  return sd;
}

/** @internal `self.__dict__.update(state_dict)`, leaving functions the state has none for. */
function loadFields(o: object, state_dict: Record<string, unknown>, except: string[]): void {
  if (state_dict === undefined) throw new TypeError(`${o.constructor.name}.load_state_dict() missing 1 required positional argument: 'state_dict'`);
  expect.like(`${o.constructor.name}.load_state_dict`, 'state_dict', state_dict, 'dict', [], 0);
  const self = o as Record<string, unknown>;
  for (const [k, v] of Object.entries(state_dict)) {
    if (except.includes(k) || (typeof self[k] === 'function' && typeof v !== 'function')) continue;
    self[k] = copy(v, `load_state_dict(): ${k}`);
  }
}

/** A deep copy of lists and plain objects; a list's length is checked first (listOf: fields are anyone's to set). */
const copy = (v: unknown, what: string): unknown => (Array.isArray(v) ? listOf(v, what).map((x) => copy(x, what))
  : v instanceof Map ? new Map(v)
    : isPlainObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, copy(x, `${what}.${k}`)])) : v);
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype;

/** PyTorch 1.13's name for the base class. */
export { LRScheduler as _LRScheduler };

type LrLambda = (epoch: number) => number;

/** One lr_lambda per group: the one given for every group, or a list as long as param_groups. */
function lambdasFor(optimizer: AnyOptimizer, lr_lambda: LrLambda | LrLambda[]): LrLambda[] {
  const n = optimizer instanceof Optimizer ? optimizer.param_groups.length : 0;
  if (!Array.isArray(lr_lambda)) return Array.from({ length: n }, () => lr_lambda);
  if (optimizer instanceof Optimizer && lr_lambda.length !== n) throw new RangeError(`Expected ${n} lr_lambdas, but got ${lr_lambda.length}`);
  return [...lr_lambda];
}

/**
 * LambdaLR's and MultiplicativeLR's shared constructor, `(optimizer, lr_lambda, last_epoch = -1,
 * verbose = false)`, and their state dicts: the lambdas left out (null), as Python leaves out plain functions.
 */
abstract class LambdaScheduler extends LRScheduler {
  lr_lambdas: LrLambda[];

  constructor(optimizer: AnyOptimizer, lr_lambda: LrLambda | LrLambda[], args: unknown[], name: string) {
    const a = bind<Bound & { lr_lambda: LrLambda | LrLambda[] }>(`${name}.__init__`, [lr_lambda, ...args], { lr_lambda: REQUIRED, ...BASE });
    const lambdas = lambdasFor(optimizer, a.lr_lambda);
    super(optimizer, a.last_epoch, a.verbose);
    this.lr_lambdas = lambdas;
    this._initial_step();
  }

  override state_dict(): Record<string, unknown> {
    const sd = super.state_dict();
    sd.lr_lambdas = this.lr_lambdas.map(() => null);
    return sd;
  }

  override load_state_dict(state_dict: Record<string, unknown>): void {
    const { lr_lambdas, ...rest } = state_dict;
    void lr_lambdas;
    super.load_state_dict(rest);
  }
}

/** lr = base_lr * lr_lambda(epoch) (torch.optim.lr_scheduler.LambdaLR); one function, or one per group. */
export class LambdaLR extends LambdaScheduler {
  declare lr_lambdas: LrLambda[];

  /** `new LambdaLR(opt, lr_lambda, last_epoch = -1, verbose = false)`, or `new LambdaLR(opt, lr_lambda, { last_epoch })`. */
  constructor(optimizer: AnyOptimizer, lr_lambda: LrLambda | LrLambda[], ...args: Rest<[number, boolean], SchedulerOptions>) {
    super(optimizer, lr_lambda, args, 'LambdaLR');
  }

  get_lr(): number[] {
    this._warn_get_lr();
    return this.base_lrs.map((base_lr, i) => base_lr * this.lr_lambdas[i](this.last_epoch));
  }
}

/** Decays each group's lr by gamma every step_size epochs (torch.optim.lr_scheduler.StepLR). */
export class StepLR extends LRScheduler {
  step_size: number;
  gamma: number;

  /**
   * `new StepLR(opt, step_size, gamma = 0.1, last_epoch = -1, verbose = false)`; keywords as a
   * trailing options object: `new StepLR(opt, 30, { gamma: 0.1 })`, `new StepLR(opt, { step_size: 30 })`.
   */
  constructor(optimizer: AnyOptimizer, options: { step_size: number; gamma?: number } & SchedulerOptions);
  constructor(optimizer: AnyOptimizer, step_size: number, ...args: SchedulerRest<[number], { gamma?: number }>);
  constructor(optimizer: AnyOptimizer, ...args: unknown[]) {
    const a = bind<Bound & { step_size: number; gamma: number }>('StepLR.__init__', args, { step_size: REQUIRED, gamma: 0.1, ...BASE });
    super(optimizer, a.last_epoch, a.verbose);
    this.step_size = a.step_size;
    this.gamma = a.gamma;
    this._initial_step();
  }

  get_lr(): number[] {
    this._warn_get_lr();
    if (this.last_epoch === 0 || pymod(this.last_epoch, this.step_size) !== 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override _get_closed_form_lr(): number[] {
    return this.base_lrs.map((base_lr) => base_lr * pow(this.gamma, Math.floor(this.last_epoch / this.step_size)));
  }
}

/** Decays each group's lr by gamma at each milestone (torch.optim.lr_scheduler.MultiStepLR). */
export class MultiStepLR extends LRScheduler {
  /** milestone -> how many times it was given (Python's Counter). */
  milestones: Map<number, number>;
  gamma: number;

  /** `new MultiStepLR(opt, milestones, gamma = 0.1, last_epoch = -1, verbose = false)`, e.g. `new MultiStepLR(opt, [30, 80], { gamma: 0.1 })`. */
  constructor(optimizer: AnyOptimizer, options: { milestones: Iterable<number>; gamma?: number } & SchedulerOptions);
  constructor(optimizer: AnyOptimizer, milestones: Iterable<number>, ...args: SchedulerRest<[number], { gamma?: number }>);
  constructor(optimizer: AnyOptimizer, ...args: unknown[]) {
    const a = bind<Bound & { milestones: Iterable<number>; gamma: number }>('MultiStepLR.__init__', args, { milestones: REQUIRED, gamma: 0.1, ...BASE });
    super(optimizer, a.last_epoch, a.verbose);
    this.milestones = new Map();
    for (const m of a.milestones) this.milestones.set(m, (this.milestones.get(m) ?? 0) + 1);
    this.gamma = a.gamma;
    this._initial_step();
  }

  get_lr(): number[] {
    this._warn_get_lr();
    const n = this.milestones.get(this.last_epoch);
    if (n === undefined) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * pow(this.gamma, n));
  }

  protected override _get_closed_form_lr(): number[] {
    const sorted: number[] = [];
    for (const [m, n] of this.milestones) for (let i = 0; i < n; i++) sorted.push(m);
    sorted.sort((a, b) => a - b);
    const passed = sorted.filter((m) => m <= this.last_epoch).length; // bisect_right
    return this.base_lrs.map((base_lr) => base_lr * pow(this.gamma, passed));
  }
}

/** Cosine annealing from each group's initial lr to eta_min over T_max epochs (torch.optim.lr_scheduler.CosineAnnealingLR). */
export class CosineAnnealingLR extends LRScheduler {
  T_max: number;
  eta_min: number;

  /** `new CosineAnnealingLR(opt, T_max, eta_min = 0, last_epoch = -1, verbose = false)`, e.g. `new CosineAnnealingLR(opt, 200, { eta_min: 1e-5 })`. */
  constructor(optimizer: AnyOptimizer, options: { T_max: number; eta_min?: number } & SchedulerOptions);
  constructor(optimizer: AnyOptimizer, T_max: number, ...args: SchedulerRest<[number], { eta_min?: number }>);
  constructor(optimizer: AnyOptimizer, ...args: unknown[]) {
    const a = bind<Bound & { T_max: number; eta_min: number }>('CosineAnnealingLR.__init__', args, { T_max: REQUIRED, eta_min: 0, ...BASE });
    super(optimizer, a.last_epoch, a.verbose);
    this.T_max = a.T_max;
    this.eta_min = a.eta_min;
    this._initial_step();
  }

  get_lr(): number[] {
    this._warn_get_lr();
    const { last_epoch, T_max, eta_min } = this;
    if (last_epoch === 0) return this.groups.map((g) => g.lr);
    if (this._step_count === 1 && last_epoch > 0) {
      return this.base_lrs.map((base_lr) => eta_min + (base_lr - eta_min) * (1 + cos(last_epoch * Math.PI / T_max)) / 2);
    }
    if (pymod(last_epoch - 1 - T_max, 2 * T_max) === 0) {
      return this.groups.map((g, i) => g.lr + (this.base_lrs[i] - eta_min) * (1 - cos(Math.PI / T_max)) / 2);
    }
    return this.groups.map((g) => (1 + cos(Math.PI * last_epoch / T_max)) /
      (1 + cos(Math.PI * (last_epoch - 1) / T_max)) * (g.lr - eta_min) + eta_min);
  }

  protected override _get_closed_form_lr(): number[] {
    return this.base_lrs.map((base_lr) => this.eta_min + (base_lr - this.eta_min) * (1 + cos(Math.PI * this.last_epoch / this.T_max)) / 2);
  }
}

/** lr *= lr_lambda(epoch) each epoch after the first (torch.optim.lr_scheduler.MultiplicativeLR); one function, or one per group. */
export class MultiplicativeLR extends LambdaScheduler {
  declare lr_lambdas: LrLambda[];

  /** `new MultiplicativeLR(opt, lr_lambda, last_epoch = -1, verbose = false)`. */
  constructor(optimizer: AnyOptimizer, lr_lambda: LrLambda | LrLambda[], ...args: Rest<[number, boolean], SchedulerOptions>) {
    super(optimizer, lr_lambda, args, 'MultiplicativeLR');
  }

  get_lr(): number[] {
    this._warn_get_lr();
    if (this.last_epoch > 0) return this.groups.map((g, i) => g.lr * this.lr_lambdas[i](this.last_epoch));
    return this.groups.map((g) => g.lr);
  }
}

/** Multiplies the lr by a constant factor until total_iters epochs have passed (torch.optim.lr_scheduler.ConstantLR). */
export class ConstantLR extends LRScheduler {
  factor: number;
  total_iters: number;

  /** `new ConstantLR(opt, factor = 1/3, total_iters = 5, last_epoch = -1, verbose = false)`. */
  constructor(optimizer: AnyOptimizer, ...args: SchedulerRest<[number, number], { factor?: number; total_iters?: number }>) {
    const a = bind<Bound & { factor: number; total_iters: number }>('ConstantLR.__init__', args, { factor: 1.0 / 3, total_iters: 5, ...BASE });
    if (a.factor > 1.0 || a.factor < 0) throw new RangeError('Constant multiplicative factor expected to be between 0 and 1.');
    super(optimizer, a.last_epoch, a.verbose);
    this.factor = a.factor;
    this.total_iters = a.total_iters;
    this._initial_step();
  }

  get_lr(): number[] {
    this._warn_get_lr();
    if (this.last_epoch === 0) return this.groups.map((g) => g.lr * this.factor);
    if (this.last_epoch > this.total_iters || this.last_epoch !== this.total_iters) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1.0 / this.factor));
  }

  protected override _get_closed_form_lr(): number[] {
    return this.base_lrs.map((base_lr) => base_lr * (this.factor + (this.last_epoch >= this.total_iters ? 1 : 0) * (1 - this.factor)));
  }
}

/** Changes the lr linearly from start_factor to end_factor times over total_iters epochs (torch.optim.lr_scheduler.LinearLR). */
export class LinearLR extends LRScheduler {
  start_factor: number;
  end_factor: number;
  total_iters: number;

  /** `new LinearLR(opt, start_factor = 1/3, end_factor = 1.0, total_iters = 5, last_epoch = -1, verbose = false)`. */
  constructor(optimizer: AnyOptimizer, ...args: SchedulerRest<[number, number, number], { start_factor?: number; end_factor?: number; total_iters?: number }>) {
    const a = bind<Bound & { start_factor: number; end_factor: number; total_iters: number }>('LinearLR.__init__', args,
      { start_factor: 1.0 / 3, end_factor: 1.0, total_iters: 5, ...BASE });
    if (V2 ? a.start_factor > 1.0 || a.start_factor <= 0 : a.start_factor > 1.0 || a.start_factor < 0) {
      throw new RangeError(V2 ? 'Starting multiplicative factor expected to be greater than 0 and less or equal to 1.'
        : 'Starting multiplicative factor expected to be between 0 and 1.');
    }
    if (a.end_factor > 1.0 || a.end_factor < 0) throw new RangeError('Ending multiplicative factor expected to be between 0 and 1.');
    super(optimizer, a.last_epoch, a.verbose);
    this.start_factor = a.start_factor;
    this.end_factor = a.end_factor;
    this.total_iters = a.total_iters;
    this._initial_step();
  }

  get_lr(): number[] {
    this._warn_get_lr();
    const { start_factor: s, end_factor: e, total_iters: n, last_epoch } = this;
    if (last_epoch === 0) return this.groups.map((g) => g.lr * s);
    if (last_epoch > n) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * (1. + (e - s) / (n * s + (last_epoch - 1) * (e - s))));
  }

  protected override _get_closed_form_lr(): number[] {
    const { start_factor: s, end_factor: e, total_iters: n } = this;
    return this.base_lrs.map((base_lr) => base_lr * (s + (e - s) * Math.min(n, this.last_epoch) / n));
  }
}

/** Decays the lr by gamma every epoch (torch.optim.lr_scheduler.ExponentialLR). */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  /** `new ExponentialLR(opt, gamma, last_epoch = -1, verbose = false)`. */
  constructor(optimizer: AnyOptimizer, ...args: SchedulerRest<[number], { gamma?: number }>) {
    const a = bind<Bound & { gamma: number }>('ExponentialLR.__init__', args, { gamma: REQUIRED, ...BASE });
    super(optimizer, a.last_epoch, a.verbose);
    this.gamma = a.gamma;
    this._initial_step();
  }

  get_lr(): number[] {
    this._warn_get_lr();
    if (this.last_epoch === 0) return this.groups.map((g) => g.lr);
    return this.groups.map((g) => g.lr * this.gamma);
  }

  protected override _get_closed_form_lr(): number[] {
    return this.base_lrs.map((base_lr) => base_lr * pow(this.gamma, this.last_epoch));
  }
}

/** Decays the lr polynomially to 0 over total_iters epochs (torch.optim.lr_scheduler.PolynomialLR). */
export class PolynomialLR extends LRScheduler {
  total_iters: number;
  power: number;

  /** `new PolynomialLR(opt, total_iters = 5, power = 1.0, last_epoch = -1, verbose = false)`. */
  constructor(optimizer: AnyOptimizer, ...args: SchedulerRest<[number, number], { total_iters?: number; power?: number }>) {
    const a = bind<Bound & { total_iters: number; power: number }>('PolynomialLR.__init__', args, { total_iters: 5, power: 1.0, ...BASE });
    super(optimizer, a.last_epoch, a.verbose);
    this.total_iters = a.total_iters;
    this.power = a.power;
    this._initial_step();
  }

  get_lr(): number[] {
    this._warn_get_lr();
    const { last_epoch, total_iters } = this;
    if (last_epoch === 0 || last_epoch > total_iters) return this.groups.map((g) => g.lr);
    const decay_factor = pow((1.0 - last_epoch / total_iters) / (1.0 - (last_epoch - 1) / total_iters), this.power);
    return this.groups.map((g) => g.lr * decay_factor);
  }

  protected override _get_closed_form_lr(): number[] {
    return this.base_lrs.map((base_lr) => base_lr * pow(1.0 - Math.min(this.total_iters, this.last_epoch) / this.total_iters, this.power));
  }
}

/**
 * Cosine annealing with warm restarts every T_i epochs, T_i growing by T_mult
 * (torch.optim.lr_scheduler.CosineAnnealingWarmRestarts). step(epoch) takes fractional epochs
 * (e.g. `epoch + i / iters` within an epoch), as in Python.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  T_0: number;
  T_i: number;
  T_mult: number;
  eta_min: number;
  T_cur: number;

  /** `new CosineAnnealingWarmRestarts(opt, T_0, T_mult = 1, eta_min = 0, last_epoch = -1, verbose = false)`. */
  constructor(optimizer: AnyOptimizer, ...args: SchedulerRest<[number, number, number], { T_0?: number; T_mult?: number; eta_min?: number }>) {
    const a = bind<Bound & { T_0: number; T_mult: number; eta_min: number }>('CosineAnnealingWarmRestarts.__init__', args,
      { T_0: REQUIRED, T_mult: 1, eta_min: 0, ...BASE });
    if (a.T_0 <= 0 || !Number.isInteger(a.T_0)) throw new RangeError(`Expected positive integer T_0, but got ${py(a.T_0)}`);
    if (a.T_mult < 1 || !Number.isInteger(a.T_mult)) throw new RangeError(`Expected integer T_mult >= 1, but got ${py(a.T_mult)}`);
    super(optimizer, a.last_epoch, a.verbose);
    this.T_0 = a.T_0;
    this.T_i = a.T_0;
    this.T_mult = a.T_mult;
    this.eta_min = a.eta_min;
    this.T_cur = a.last_epoch;
    this._initial_step();
  }

  get_lr(): number[] {
    this._warn_get_lr();
    return this.base_lrs.map((base_lr) => this.eta_min + (base_lr - this.eta_min) * (1 + cos(Math.PI * this.T_cur / this.T_i)) / 2);
  }

  /** Its own step (as Python's): no deprecation warning for `epoch`, and `_step_count` is not counted. */
  override step(epoch?: number): void {
    if ((epoch === undefined || epoch === null) && this.last_epoch < 0) epoch = 0;
    if (epoch === undefined || epoch === null) {
      epoch = this.last_epoch + 1;
      this.T_cur = this.T_cur + 1;
      if (this.T_cur >= this.T_i) {
        this.T_cur = this.T_cur - this.T_i;
        this.T_i = this.T_i * this.T_mult;
      }
    } else {
      if (epoch < 0) throw new RangeError(`Expected non-negative epoch, but got ${py(epoch)}`);
      if (epoch >= this.T_0) {
        if (this.T_mult === 1) {
          this.T_cur = epoch % this.T_0;
        } else {
          // int(math.log(x, T_mult)): CPython divides libm's logs
          const n = Math.trunc(log(epoch / this.T_0 * (this.T_mult - 1) + 1) / log(this.T_mult));
          this.T_cur = epoch - this.T_0 * (this.T_mult ** n - 1) / (this.T_mult - 1);
          this.T_i = this.T_0 * this.T_mult ** n;
        }
      } else {
        this.T_i = this.T_0;
        this.T_cur = epoch;
      }
    }
    this.last_epoch = Math.floor(epoch);
    this._get_lr_called_within_step = true;
    let values: number[];
    try { values = this.get_lr(); } finally { this._get_lr_called_within_step = false; }
    this.groups.forEach((g, i) => {
      g.lr = values[i];
      this.print_lr(this.verbose, i, values[i], epoch);
    });
    this._last_lr = this.groups.map((g) => g.lr);
  }
}

/** Python's bisect.bisect_right on a sorted array. */
function bisect_right(a: number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < a[mid]) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/**
 * Runs schedulers one after another, switching at each milestone (torch.optim.lr_scheduler.SequentialLR):
 * `new SequentialLR(opt, [warmup, main], [5])`.
 */
export class SequentialLR extends LRScheduler {
  _schedulers: LRScheduler[];
  _milestones: number[];

  /** `new SequentialLR(opt, schedulers, milestones, last_epoch = -1, verbose = false)`. */
  constructor(optimizer: AnyOptimizer, ...args: unknown[]) {
    const a = bind<Bound & { schedulers: LRScheduler[]; milestones: number[] }>('SequentialLR.__init__', args,
      { schedulers: REQUIRED, milestones: REQUIRED, ...BASE });
    const schedulers = [...expect.iterable<LRScheduler>('SequentialLR', 'schedulers', a.schedulers, 1)], { milestones } = a;
    if (V2) checkSameOptimizer('SequentialLR', optimizer, schedulers);
    for (let i = 0; i < schedulers.length; i++) {
      if (schedulers[i].optimizer !== optimizer) {
        throw new RangeError('Sequential Schedulers expects all schedulers to belong to the same optimizer, but ' +
          `got schedulers at index ${i} to be different than the optimizer passed in.`);
      }
      if (schedulers[i].optimizer !== schedulers[0].optimizer) {
        throw new RangeError('Sequential Schedulers expects all schedulers to belong to the same optimizer, but ' +
          `got schedulers at index 0 and ${i} to be different.`);
      }
    }
    if (milestones.length !== schedulers.length - 1) {
      throw new RangeError('Sequential Schedulers expects number of schedulers provided to be one more than the number of ' +
        `milestone points, but got number of schedulers ${schedulers.length} and the number of milestones to be equal to ${milestones.length}`);
    }
    // Python does not run the base __init__ here: its side effects (initial_lr, the step
    // counter) are already done by the schedulers given, so running it changes nothing.
    super(optimizer);
    this._schedulers = [...schedulers];
    this._milestones = [...milestones];
    this.last_epoch = a.last_epoch + 1;
    // Reset learning rates back to initial values, and "undo" the step the schedulers made.
    for (const g of this.groups) g.lr = g.initial_lr as number;
    for (const s of this._schedulers) s.last_epoch -= 1;
    // Perform the initial step for only the first scheduler
    this._schedulers[0]._initial_step();
    this._last_lr = this._schedulers[0].get_last_lr();
  }

  get_lr(): number[] { throw new Error('SequentialLR has no get_lr(): use get_last_lr()'); }

  override step(): void {
    this.last_epoch += 1;
    const idx = bisect_right(this._milestones, this.last_epoch);
    const scheduler = this._schedulers[idx];
    if (idx > 0 && this._milestones[idx - 1] === this.last_epoch) scheduler.step(0);
    else scheduler.step();
    this._last_lr = scheduler.get_last_lr();
  }

  /** Python's layout: `_milestones`, `last_epoch`, `_last_lr`, and each scheduler's state_dict in `_schedulers`. */
  override state_dict(): Record<string, unknown> {
    return { _milestones: [...this._milestones], last_epoch: this.last_epoch, _last_lr: [...this._last_lr],
      _schedulers: this._schedulers.map((s) => s.state_dict()) };
  }

  override load_state_dict(state_dict: Record<string, unknown>): void {
    const { _schedulers, ...rest } = state_dict;
    loadFields(this, rest, ['optimizer']);
    (_schedulers as Array<Record<string, unknown>>).forEach((sd, i) => this._schedulers[i].load_state_dict(sd));
  }
}

/** 2.x's check that every scheduler of a SequentialLR / ChainedScheduler is on `optimizer`, with its messages. */
function checkSameOptimizer(name: string, optimizer: AnyOptimizer, schedulers: LRScheduler[]): void {
  if (schedulers.length < 1) throw new RangeError(`${name} expects at least one scheduler, but got no scheduler.`);
  schedulers.forEach((scheduler, i) => {
    if (!(scheduler as { optimizer?: unknown } | null)?.optimizer) {
      throw new TypeError(`${name} at index ${i} should have \`optimizer\` as its attribute.`);
    }
    if ((scheduler as unknown) instanceof ReduceLROnPlateau) {
      throw new RangeError(`${name} does not support \`ReduceLROnPlateau\` scheduler as it requires additional kwargs to be ` +
        `specified when calling \`step\`, but got one at index ${i} in the given schedulers sequence.`);
    }
    if (optimizer !== scheduler.optimizer) {
      throw new RangeError(`${name} expects all schedulers to belong to the same optimizer, but got scheduler ` +
        `${scheduler.constructor.name} at index ${i} has ${String(scheduler.optimizer)}, which is different from ${optimizer.constructor.name}.`);
    }
  });
}

/** Steps several schedulers together, each on the lr the previous one set (torch.optim.lr_scheduler.ChainedScheduler). */
export class ChainedScheduler extends LRScheduler {
  _schedulers: LRScheduler[];

  /** `new ChainedScheduler([s1, s2])`. */
  constructor(...args: unknown[]) {
    const bound = bind<{ schedulers: LRScheduler[]; optimizer: AnyOptimizer | null }>('ChainedScheduler.__init__', args,
      (V2 ? { schedulers: REQUIRED, optimizer: null } : { schedulers: REQUIRED }) as { schedulers: typeof REQUIRED; optimizer: null });
    const schedulers = [...expect.iterable<LRScheduler>('ChainedScheduler', 'schedulers', bound.schedulers, 0)], { optimizer } = bound;
    if (V2) checkSameOptimizer('ChainedScheduler', optimizer ?? schedulers[0].optimizer, schedulers);
    for (let i = 1; i < schedulers.length; i++) {
      if (schedulers[i].optimizer !== schedulers[0].optimizer) {
        throw new RangeError('ChainedScheduler expects all schedulers to belong to the same optimizer, but ' +
          `got schedulers at index 0 and ${i} to be different`);
      }
    }
    super(schedulers[0].optimizer); // (Python skips the base __init__; see SequentialLR)
    this._schedulers = [...schedulers];
    this._last_lr = this._schedulers[this._schedulers.length - 1].optimizer.param_groups.map((g) => (g as unknown as Group).lr);
  }

  get_lr(): number[] { throw new Error('ChainedScheduler has no get_lr(): use get_last_lr()'); }

  override step(): void {
    for (const s of this._schedulers) s.step();
    this._last_lr = this._schedulers[this._schedulers.length - 1].optimizer.param_groups.map((g) => (g as unknown as Group).lr);
  }

  /** Python's layout: `_last_lr` and each scheduler's state_dict in `_schedulers`. */
  override state_dict(): Record<string, unknown> {
    return { _last_lr: [...this._last_lr], _schedulers: this._schedulers.map((s) => s.state_dict()) };
  }

  override load_state_dict(state_dict: Record<string, unknown>): void {
    const { _schedulers, ...rest } = state_dict;
    loadFields(this, rest, ['optimizer']);
    (_schedulers as Array<Record<string, unknown>>).forEach((sd, i) => this._schedulers[i].load_state_dict(sd));
  }
}

/** _format_param of OneCycleLR and CyclicLR: one value per group, from one value or a list of them. */
function formatParam<T>(name: string, optimizer: AnyOptimizer, param: T | T[]): T[] {
  const n = optimizer.param_groups.length;
  if (Array.isArray(param)) {
    if (param.length !== n) {
      throw new RangeError(V2 ? `${name} must have the same length as optimizer.param_groups. ${name} has ${param.length} values, param_groups has ${n}.`
        : `expected ${n} values for ${name}, got ${param.length}`);
    }
    return param;
  }
  return Array.from({ length: n }, () => param);
}

function checkOptimizer(optimizer: unknown): void {
  if (!(optimizer instanceof Optimizer)) throw new TypeError(`${typename(optimizer)} is not an Optimizer`);
}

const hasOption = (optimizer: AnyOptimizer, key: string): boolean => key in (optimizer.defaults as object);

interface Phase { end_step: number; start_lr: string; end_lr: string; start_momentum: string; end_momentum: string }
type Anneal = (start: number, end: number, pct: number) => number;

export interface OneCycleLROptions extends SchedulerOptions {
  max_lr?: number | number[]; total_steps?: number | null; epochs?: number | null; steps_per_epoch?: number | null;
  pct_start?: number; anneal_strategy?: 'cos' | 'linear'; cycle_momentum?: boolean;
  base_momentum?: number | number[]; max_momentum?: number | number[]; div_factor?: number; final_div_factor?: number; three_phase?: boolean;
}

/**
 * The 1cycle policy (torch.optim.lr_scheduler.OneCycleLR): the lr goes up to max_lr and down to
 * a minimum, momentum (Adam's beta1) the other way; step it after every batch:
 * `new OneCycleLR(opt, 0.1, { epochs: 10, steps_per_epoch: 100 })`.
 */
export class OneCycleLR extends LRScheduler {
  total_steps: number;
  _schedule_phases: Phase[];
  /** 1.13: the annealing function; 2.x keeps its name in `_anneal_func_type` instead. */
  declare anneal_func: Anneal;
  declare _anneal_func_type: 'cos' | 'linear';
  cycle_momentum: boolean;
  declare use_beta1?: boolean;

  /**
   * `new OneCycleLR(opt, max_lr, total_steps = null, epochs = null, steps_per_epoch = null, pct_start = 0.3,
   * anneal_strategy = 'cos', cycle_momentum = true, base_momentum = 0.85, max_momentum = 0.95, div_factor = 25,
   * final_div_factor = 1e4, three_phase = false, last_epoch = -1, verbose = false)`.
   */
  constructor(optimizer: AnyOptimizer, ...args: unknown[]) {
    checkOptimizer(optimizer);
    const a = bind<Required<OneCycleLROptions> & Bound>('OneCycleLR.__init__', args, {
      max_lr: REQUIRED, total_steps: null, epochs: null, steps_per_epoch: null, pct_start: 0.3, anneal_strategy: 'cos',
      cycle_momentum: true, base_momentum: 0.85, max_momentum: 0.95, div_factor: 25., final_div_factor: 1e4, three_phase: false, ...BASE,
    });
    // Validate total_steps
    let total_steps: number;
    const positiveInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v > 0;
    if (a.total_steps === null && a.epochs === null && a.steps_per_epoch === null) {
      throw new RangeError('You must define either total_steps OR (epochs AND steps_per_epoch)');
    } else if (a.total_steps !== null) {
      if (!positiveInt(a.total_steps)) throw new RangeError(`Expected positive integer total_steps, but got ${py(a.total_steps)}`);
      total_steps = a.total_steps;
    } else {
      if (!positiveInt(a.epochs)) throw new RangeError(`Expected positive integer epochs, but got ${py(a.epochs)}`);
      if (!positiveInt(a.steps_per_epoch)) throw new RangeError(`Expected positive integer steps_per_epoch, but got ${py(a.steps_per_epoch)}`);
      total_steps = (a.epochs as number) * (a.steps_per_epoch as number);
    }
    const { pct_start } = a;
    const phases: Phase[] = a.three_phase ? [
      { end_step: pct_start * total_steps - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
      { end_step: 2 * pct_start * total_steps - 2, start_lr: 'max_lr', end_lr: 'initial_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
      { end_step: total_steps - 1, start_lr: 'initial_lr', end_lr: 'min_lr', start_momentum: 'max_momentum', end_momentum: 'max_momentum' },
    ] : [
      { end_step: pct_start * total_steps - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
      { end_step: total_steps - 1, start_lr: 'max_lr', end_lr: 'min_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
    ];
    // Validate pct_start (a JS number cannot say whether it was a float, which Python also requires)
    if (pct_start < 0 || pct_start > 1 || typeof pct_start !== 'number') {
      throw new RangeError(`Expected float between 0 and 1 pct_start, but got ${py(pct_start)}`);
    }
    // Validate anneal_strategy
    if (a.anneal_strategy !== 'cos' && a.anneal_strategy !== 'linear') {
      throw new RangeError(`anneal_strategy must ${V2 ? 'be' : 'by'} one of 'cos' or 'linear', instead got ${a.anneal_strategy}`);
    }
    // Initialize learning rate variables
    const max_lrs = formatParam('max_lr', optimizer, a.max_lr);
    const groups = optimizer.param_groups as unknown as Group[];
    if (a.last_epoch === -1) {
      groups.forEach((group, idx) => {
        group.initial_lr = max_lrs[idx] / a.div_factor;
        group.max_lr = max_lrs[idx];
        group.min_lr = group.initial_lr / a.final_div_factor;
      });
    }
    // Initialize momentum variables
    let use_beta1: boolean | undefined;
    if (a.cycle_momentum) {
      if (!hasOption(optimizer, 'momentum') && !hasOption(optimizer, 'betas')) {
        throw new RangeError(`optimizer must support momentum${V2 ? ' or beta1' : ''} with \`cycle_momentum\` option enabled`);
      }
      use_beta1 = hasOption(optimizer, 'betas');
      const max_momentums = formatParam('max_momentum', optimizer, a.max_momentum);
      const base_momentums = formatParam('base_momentum', optimizer, a.base_momentum);
      if (a.last_epoch === -1) {
        groups.forEach((group, i) => {
          if (use_beta1) group.betas = [max_momentums[i], ...(group.betas as number[]).slice(1)];
          else group.momentum = max_momentums[i];
          group.max_momentum = max_momentums[i];
          group.base_momentum = base_momentums[i];
        });
      }
    }
    super(optimizer, a.last_epoch, a.verbose);
    this.total_steps = total_steps;
    this._schedule_phases = phases;
    if (V2) this._anneal_func_type = a.anneal_strategy;
    else this.anneal_func = a.anneal_strategy === 'cos' ? OneCycleLR._annealing_cos : OneCycleLR._annealing_linear;
    this.cycle_momentum = a.cycle_momentum;
    if (use_beta1 !== undefined) this.use_beta1 = use_beta1;
    this._initial_step();
  }

  /** Cosine anneal from `start` to `end` as pct goes from 0.0 to 1.0. */
  static _annealing_cos(start: number, end: number, pct: number): number {
    const cos_out = cos(Math.PI * pct) + 1;
    return end + (start - end) / 2.0 * cos_out;
  }

  /** Linearly anneal from `start` to `end` as pct goes from 0.0 to 1.0. */
  static _annealing_linear(start: number, end: number, pct: number): number {
    return (end - start) * pct + start;
  }

  get_lr(): number[] {
    this._warn_get_lr();
    const step_num = this.last_epoch;
    if (step_num > this.total_steps) {
      throw new RangeError(`Tried to step ${V2 ? step_num : step_num + 1} times. The specified number of total steps is ${this.total_steps}`);
    }
    const anneal: Anneal = this.anneal_func ?? (this._anneal_func_type === 'linear' ? OneCycleLR._annealing_linear : OneCycleLR._annealing_cos);
    return this.groups.map((group) => {
      let start_step = 0;
      let computed_lr = NaN, computed_momentum = NaN;
      const phases = this._schedule_phases;
      for (let i = 0; i < phases.length; i++) {
        const phase = phases[i];
        const end_step = phase.end_step;
        if (step_num <= end_step || i === phases.length - 1) {
          const pct = (step_num - start_step) / (end_step - start_step);
          computed_lr = anneal(group[phase.start_lr] as number, group[phase.end_lr] as number, pct);
          if (this.cycle_momentum) computed_momentum = anneal(group[phase.start_momentum] as number, group[phase.end_momentum] as number, pct);
          break;
        }
        start_step = phase.end_step;
      }
      if (this.cycle_momentum) {
        if (this.use_beta1) group.betas = [computed_momentum, ...(group.betas as number[]).slice(1)];
        else group.momentum = computed_momentum;
      }
      return computed_lr;
    });
  }
}

export interface CyclicLROptions extends SchedulerOptions {
  base_lr?: number | number[]; max_lr?: number | number[]; step_size_up?: number; step_size_down?: number | null;
  mode?: 'triangular' | 'triangular2' | 'exp_range'; gamma?: number; scale_fn?: ((x: number) => number) | null;
  scale_mode?: 'cycle' | 'iterations'; cycle_momentum?: boolean; base_momentum?: number | number[]; max_momentum?: number | number[];
}

/**
 * Cyclical learning rates (torch.optim.lr_scheduler.CyclicLR), momentum cycling the other way;
 * step it after every batch: `new CyclicLR(opt, 0.001, 0.1, { step_size_up: 2000 })`.
 */
export class CyclicLR extends LRScheduler {
  max_lrs: number[];
  total_size: number;
  step_ratio: number;
  mode: string;
  gamma: number;
  _scale_fn_custom: ((x: number) => number) | null;
  _scale_fn_ref: ((x: number) => number) | null;
  scale_mode: string;
  cycle_momentum: boolean;
  /** 2.x: Adam-like optimizers cycle betas[0]. */
  declare use_beta1?: boolean;
  declare base_momentums?: number[];
  declare max_momentums?: number[];

  /**
   * `new CyclicLR(opt, base_lr, max_lr, step_size_up = 2000, step_size_down = null, mode = 'triangular', gamma = 1.0,
   * scale_fn = null, scale_mode = 'cycle', cycle_momentum = true, base_momentum = 0.8, max_momentum = 0.9, last_epoch = -1, verbose = false)`.
   */
  constructor(optimizer: AnyOptimizer, ...args: unknown[]) {
    checkOptimizer(optimizer);
    const a = bind<Required<CyclicLROptions> & Bound>('CyclicLR.__init__', args, {
      base_lr: REQUIRED, max_lr: REQUIRED, step_size_up: 2000, step_size_down: null, mode: 'triangular', gamma: 1., scale_fn: null,
      scale_mode: 'cycle', cycle_momentum: true, base_momentum: 0.8, max_momentum: 0.9, ...BASE,
    });
    const base_lrs = formatParam('base_lr', optimizer, a.base_lr);
    const groups = optimizer.param_groups as unknown as Group[];
    if (a.last_epoch === -1) groups.forEach((group, i) => { group.lr = base_lrs[i]; });
    const max_lrs = formatParam('max_lr', optimizer, a.max_lr);
    const step_size_up = a.step_size_up;
    const step_size_down = a.step_size_down ?? step_size_up;
    const total_size = step_size_up + step_size_down;
    if (!['triangular', 'triangular2', 'exp_range'].includes(a.mode) && a.scale_fn === null) {
      throw new RangeError('mode is invalid and scale_fn is None');
    }
    let base_momentums: number[] | undefined, max_momentums: number[] | undefined;
    let use_beta1: boolean | undefined;
    if (a.cycle_momentum && V2) {
      // 2.x: momentum or beta1; the groups start at max_momentum and record both bounds
      if (!hasOption(optimizer, 'momentum') && !hasOption(optimizer, 'betas')) {
        throw new RangeError('optimizer must support momentum or beta1 with `cycle_momentum` option enabled');
      }
      use_beta1 = hasOption(optimizer, 'betas');
      base_momentums = formatParam('base_momentum', optimizer, a.base_momentum);
      max_momentums = formatParam('max_momentum', optimizer, a.max_momentum);
      if (a.last_epoch === -1) {
        groups.forEach((group, i) => {
          const m = (max_momentums as number[])[i];
          if (use_beta1) group.betas = [m, ...(group.betas as number[]).slice(1)];
          else group.momentum = m;
          group.max_momentum = m;
          group.base_momentum = (base_momentums as number[])[i];
        });
      }
    } else if (a.cycle_momentum) {
      if (!hasOption(optimizer, 'momentum')) throw new RangeError('optimizer must support momentum with `cycle_momentum` option enabled');
      const bm = formatParam('base_momentum', optimizer, a.base_momentum);
      if (a.last_epoch === -1) groups.forEach((group, i) => { group.momentum = bm[i]; });
      base_momentums = groups.map((g) => g.momentum as number);
      max_momentums = formatParam('max_momentum', optimizer, a.max_momentum);
    }
    super(optimizer, a.last_epoch, a.verbose);
    this.max_lrs = max_lrs;
    this.total_size = total_size;
    this.step_ratio = step_size_up / total_size;
    this.mode = a.mode;
    this.gamma = a.gamma;
    if (a.scale_fn === null) {
      this._scale_fn_custom = null;
      this._scale_fn_ref = { triangular: this._triangular_scale_fn, triangular2: this._triangular2_scale_fn,
        exp_range: this._exp_range_scale_fn }[a.mode as 'triangular'].bind(this);
      this.scale_mode = a.mode === 'exp_range' ? 'iterations' : 'cycle';
    } else {
      this._scale_fn_custom = a.scale_fn;
      this._scale_fn_ref = null;
      this.scale_mode = a.scale_mode;
    }
    this.cycle_momentum = a.cycle_momentum;
    if (use_beta1 !== undefined) this.use_beta1 = use_beta1;
    if (base_momentums !== undefined) { this.base_momentums = base_momentums; this.max_momentums = max_momentums; }
    this._initial_step();
    this.base_lrs = base_lrs;
  }

  /** 2.x leaves out `_scale_fn_ref` (a weak method that cannot be pickled). */
  override state_dict(): Record<string, unknown> {
    const sd = super.state_dict();
    if (V2) delete sd._scale_fn_ref;
    return sd;
  }

  scale_fn(x: number): number {
    if (this._scale_fn_custom !== null) return this._scale_fn_custom(x);
    return (this._scale_fn_ref ?? { triangular: this._triangular_scale_fn, triangular2: this._triangular2_scale_fn,
      exp_range: this._exp_range_scale_fn }[this.mode as 'triangular']).call(this, x);
  }

  private _triangular_scale_fn(x: number): number { void x; return 1.; }
  private _triangular2_scale_fn(x: number): number { return 1 / pow(2., x - 1); }
  private _exp_range_scale_fn(x: number): number { return pow(this.gamma, x); }

  /** The lr of each group at `last_epoch` (batches, here); sets the momentum too when cycling it. */
  get_lr(): number[] {
    this._warn_get_lr();
    const cycle = Math.floor(1 + this.last_epoch / this.total_size);
    const x = 1. + this.last_epoch / this.total_size - cycle;
    const scale_factor = x <= this.step_ratio ? x / this.step_ratio : (x - 1) / (this.step_ratio - 1);
    const at = this.scale_mode === 'cycle' ? cycle : this.last_epoch;
    const lrs = this.base_lrs.map((base_lr, i) => {
      const base_height = (this.max_lrs[i] - base_lr) * scale_factor;
      return base_lr + base_height * this.scale_fn(at);
    });
    if (this.cycle_momentum) {
      const momentums = (this.base_momentums as number[]).map((base_momentum, i) => {
        const max_momentum = (this.max_momentums as number[])[i];
        const base_height = (max_momentum - base_momentum) * scale_factor;
        return max_momentum - base_height * this.scale_fn(at);
      });
      this.groups.forEach((g, i) => {
        if (this.use_beta1) g.betas = [momentums[i], ...(g.betas as number[]).slice(1)];
        else g.momentum = momentums[i];
      });
    }
    return lrs;
  }
}

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max'; factor?: number; patience?: number; threshold?: number; threshold_mode?: 'rel' | 'abs';
  cooldown?: number; min_lr?: number | number[]; eps?: number; verbose?: boolean;
}

/**
 * Reduces the lr when a metric has stopped improving (torch.optim.lr_scheduler.ReduceLROnPlateau):
 * `const s = new ReduceLROnPlateau(opt, 'min', { patience: 5 }); ... s.step(val_loss)`.
 */
export class ReduceLROnPlateau {
  factor: number;
  optimizer: AnyOptimizer;
  min_lrs: number[];
  patience: number;
  /** 1.13 only (2.x has no verbose). */
  declare verbose: boolean;
  /** 2.x only: the min_lr given as one number (null for a list), to extend min_lrs to new groups. */
  declare default_min_lr: number | null;
  cooldown: number;
  cooldown_counter = 0;
  mode: 'min' | 'max';
  threshold: number;
  threshold_mode: 'rel' | 'abs';
  best: number = Infinity;
  num_bad_epochs = 0;
  mode_worse: number = Infinity;
  eps: number;
  last_epoch = 0;
  _last_lr: number[];

  /** `new ReduceLROnPlateau(opt, mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, threshold_mode = 'rel', cooldown = 0, min_lr = 0, eps = 1e-8, verbose = false)`. */
  constructor(optimizer: AnyOptimizer, ...args: unknown[]) {
    const a = bind<Required<ReduceLROnPlateauOptions>>('ReduceLROnPlateau.__init__', args, {
      mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, threshold_mode: 'rel', cooldown: 0, min_lr: 0, eps: 1e-8,
      ...(V2 ? {} : { verbose: false }),
    } as Required<ReduceLROnPlateauOptions>);
    if (a.factor >= 1.0) throw new RangeError('Factor should be < 1.0.');
    this.factor = a.factor;
    checkOptimizer(optimizer);
    this.optimizer = optimizer;
    const n = optimizer.param_groups.length;
    if (Array.isArray(a.min_lr)) {
      if (a.min_lr.length !== n) throw new RangeError(`expected ${n} min_lrs, got ${a.min_lr.length}`);
      if (V2) this.default_min_lr = null;
      this.min_lrs = [...a.min_lr];
    } else {
      if (V2) this.default_min_lr = a.min_lr;
      this.min_lrs = Array.from({ length: n }, () => a.min_lr as number);
    }
    this.patience = a.patience;
    if (!V2) this.verbose = a.verbose;
    this.cooldown = a.cooldown;
    this.mode = a.mode;
    this.threshold = a.threshold;
    this.threshold_mode = a.threshold_mode;
    this.eps = a.eps;
    this._init_is_better(a.mode, a.threshold, a.threshold_mode);
    this._reset();
    // (PyTorch 2.x's get_last_lr(); 1.13 sets _last_lr on the first step only)
    this._last_lr = this.groups.map((g) => g.lr);
  }

  private get groups(): Group[] { return this.optimizer.param_groups as unknown as Group[]; }

  /** Resets num_bad_epochs counter and cooldown counter. */
  private _reset(): void {
    this.best = this.mode_worse;
    this.cooldown_counter = 0;
    this.num_bad_epochs = 0;
  }

  /** The learning rates after the last step(). */
  get_last_lr(): number[] { return this._last_lr; }

  /** One epoch's metric (a number, or a one-element tensor as Python's float(metrics)). */
  step(metrics: number | Tensor, epoch?: number): void {
    const current = metrics instanceof Tensor ? metrics.item() as number : Number(metrics);
    if (epoch === undefined || epoch === null) epoch = this.last_epoch + 1;
    else warn(EPOCH_DEPRECATION_WARNING);
    this.last_epoch = epoch;
    if (this.is_better(current, this.best)) {
      this.best = current;
      this.num_bad_epochs = 0;
    } else {
      this.num_bad_epochs += 1;
    }
    if (this.in_cooldown) {
      this.cooldown_counter -= 1;
      this.num_bad_epochs = 0; // ignore any bad epochs in cooldown
    }
    if (this.num_bad_epochs > this.patience) {
      this._reduce_lr(epoch);
      this.cooldown_counter = this.cooldown;
      this.num_bad_epochs = 0;
    }
    this._last_lr = this.groups.map((g) => g.lr);
  }

  private _reduce_lr(epoch: number): void {
    if (V2 && this.groups.length !== this.min_lrs.length) {
      if (this.default_min_lr === null) {
        throw new Error(`The number of param groups in the \`optimizer\` (${this.groups.length}) differs from when \`ReduceLROnPlateau\` ` +
          `was initialized (${this.min_lrs.length}), usually due to a new param group being added to the optimizer. Please modify ` +
          'the `min_lrs` field to match the length of the `optimizer` param groups.');
      }
      this.min_lrs = Array.from({ length: this.groups.length }, () => this.default_min_lr as number);
    }
    this.groups.forEach((param_group, i) => {
      const old_lr = Number(param_group.lr);
      const floor = this.min_lrs[i], reduced = old_lr * this.factor;
      const new_lr = floor > reduced ? floor : reduced; // Python's max(a, b)
      if (old_lr - new_lr > this.eps) {
        param_group.lr = new_lr;
        if (this.verbose) {
          const epoch_str = Number.isInteger(epoch) ? String(epoch).padStart(5, '0') : epoch.toFixed(2);
          console.log(`Epoch ${epoch_str}: reducing learning rate of group ${i} to ${sci4(new_lr)}.`);
        }
      }
    });
  }

  get in_cooldown(): boolean { return this.cooldown_counter > 0; }

  is_better(a: number, best: number): boolean {
    if (this.mode === 'min' && this.threshold_mode === 'rel') return a < best * (1. - this.threshold);
    if (this.mode === 'min' && this.threshold_mode === 'abs') return a < best - this.threshold;
    if (this.mode === 'max' && this.threshold_mode === 'rel') return a > best * (this.threshold + 1.);
    return a > best + this.threshold; // mode == 'max' and epsilon_mode == 'abs'
  }

  private _init_is_better(mode: string, threshold: number, threshold_mode: string): void {
    if (mode !== 'min' && mode !== 'max') throw new RangeError(`mode ${mode} is unknown!`);
    if (threshold_mode !== 'rel' && threshold_mode !== 'abs') throw new RangeError(`threshold mode ${threshold_mode} is unknown!`);
    this.mode_worse = mode === 'min' ? Infinity : -Infinity;
    this.mode = mode;
    this.threshold = threshold;
    this.threshold_mode = threshold_mode;
  }

  /** Every field but the optimizer, as Python's. */
  state_dict(): Record<string, unknown> { return fieldsOf(this, ['optimizer']); }

  load_state_dict(state_dict: Record<string, unknown>): void {
    loadFields(this, state_dict, ['optimizer']);
    this._init_is_better(this.mode, this.threshold, this.threshold_mode);
  }
}
