// torch.optim.lr_scheduler, after torch/optim/lr_scheduler.py (PyTorch 1.13):
// the chainable forms on step(), the closed forms on step(epoch).
import { Optimizer } from './optimizer';
import { bind, typename, REQUIRED, Rest } from '../nn/common';
import { warn } from '../warnings';
import { pow, cos } from './_math';

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
const BASE = { last_epoch: -1, verbose: false };
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
  verbose: boolean;
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
        if (!('initial_lr' in g)) throw new Error(`param 'initial_lr' is not specified in param_groups[${i}] when resuming an optimizer`);
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
    this.verbose = verbose;
  }

  /** Resets the step counts and performs the first step (epoch 0). */
  protected _initial_step(): void {
    this.optimizer._step_count = 0;
    this._step_count = 0;
    this.step();
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

  /** Every field but the optimizer (Python: `self.__dict__` without 'optimizer'). */
  state_dict(): Record<string, unknown> {
    const sd: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(this)) if (k !== 'optimizer') sd[k] = Array.isArray(v) ? [...v] : v instanceof Map ? new Map(v) : v;
    return sd;
  }

  load_state_dict(state_dict: Record<string, unknown>): void {
    for (const [k, v] of Object.entries(state_dict)) {
      if (k !== 'optimizer') (this as unknown as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v instanceof Map ? new Map(v) : v;
    }
  }
}

/** PyTorch 1.13's name for the base class. */
export { LRScheduler as _LRScheduler };

type LrLambda = (epoch: number) => number;

/** lr = base_lr * lr_lambda(epoch) (torch.optim.lr_scheduler.LambdaLR); one function, or one per group. */
export class LambdaLR extends LRScheduler {
  lr_lambdas: LrLambda[];

  /** `new LambdaLR(opt, lr_lambda, last_epoch = -1, verbose = false)`, or `new LambdaLR(opt, lr_lambda, { last_epoch })`. */
  constructor(optimizer: AnyOptimizer, lr_lambda: LrLambda | LrLambda[], ...args: Rest<[number, boolean], SchedulerOptions>) {
    const a = bind<Bound & { lr_lambda: LrLambda | LrLambda[] }>('LambdaLR.__init__', [lr_lambda, ...args], { lr_lambda: REQUIRED, ...BASE });
    const n = optimizer instanceof Optimizer ? optimizer.param_groups.length : 0;
    if (Array.isArray(a.lr_lambda) && optimizer instanceof Optimizer && a.lr_lambda.length !== n) {
      throw new RangeError(`Expected ${n} lr_lambdas, but got ${a.lr_lambda.length}`);
    }
    const lambdas = Array.isArray(a.lr_lambda) ? [...a.lr_lambda] : Array.from({ length: n }, () => a.lr_lambda as LrLambda);
    super(optimizer, a.last_epoch, a.verbose);
    this.lr_lambdas = lambdas;
    this._initial_step();
  }

  get_lr(): number[] {
    this._warn_get_lr();
    return this.base_lrs.map((base_lr, i) => base_lr * this.lr_lambdas[i](this.last_epoch));
  }

  /** The lambdas are left out (null), as Python leaves out plain functions. */
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
