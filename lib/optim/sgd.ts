// torch.optim.SGD, after torch/optim/sgd.py (PyTorch 1.13, the single-tensor path).
import { native, Handle } from '../native';
import { Tensor, op } from '../tensor';
import { Optimizer, ParamsArg, ParamGroup, required, runStep } from './optimizer';
import { bind, py, Rest } from '../nn/common';

const { call } = native;
const H = {
  neg: op('neg'), add: op('add', 'Tensor'), add_: op('add_', 'Tensor'), mul_: op('mul_', 'Scalar'),
  clone: op('clone'), detach: op('detach'),
};

export interface SGDOptions {
  lr: number | typeof required;
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
  maximize: boolean;
  /** Accepted for PyTorch's layout; the single-tensor path is always used. */
  foreach: boolean | null;
  /** Only false is supported (the step runs under no_grad). */
  differentiable: boolean;
}
export interface SGDState { momentum_buffer?: Tensor | null }

/**
 * Stochastic gradient descent, optionally with momentum (torch.optim.SGD):
 * `new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 })`, or positionally
 * `new SGD(params, lr, momentum, dampening, weight_decay, nesterov)`.
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: ParamsArg<SGDOptions>, ...args: Rest<[number, number, number, number, boolean], Partial<SGDOptions>>) {
    const { lr, momentum, dampening, weight_decay, nesterov, maximize, foreach, differentiable } = bind<SGDOptions>('SGD.__init__', args,
      { lr: required, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false, foreach: null, differentiable: false });
    if (lr !== required && (lr as number) < 0.0) throw new RangeError(`Invalid learning rate: ${py(lr)}`);
    if (momentum < 0.0) throw new RangeError(`Invalid momentum value: ${py(momentum)}`);
    if (weight_decay < 0.0) throw new RangeError(`Invalid weight_decay value: ${py(weight_decay)}`);
    if (differentiable) throw new Error('torch-node: SGD with differentiable=true is not supported');
    const defaults: SGDOptions = { lr, momentum, dampening, weight_decay, nesterov, maximize, foreach, differentiable };
    if (nesterov && (momentum <= 0 || dampening !== 0)) throw new RangeError('Nesterov momentum requires a momentum and zero dampening');
    super(params, defaults);
  }

  protected override _setstate(): void {
    super._setstate();
    for (const g of this.param_groups) {
      g.nesterov ??= false; g.maximize ??= false;
      if (g.foreach === undefined) g.foreach = null;
      g.differentiable ??= false;
    }
  }

  override step<L = unknown>(closure?: () => L): L | undefined {
    return runStep(closure, () => {
      for (const group of this.param_groups) this._update(group);
    }) as L | undefined;
  }

  private _update(group: ParamGroup<SGDOptions>): void {
    const { weight_decay, momentum, dampening, nesterov, maximize } = group;
    const lr = group.lr as number;
    for (const p of group.params) {
      const g = native.get_grad(p._h);
      if (g === null) continue;
      const temps: Handle[] = [g];
      try {
        let d_p = g;
        if (maximize) temps.push(d_p = call(H.neg, d_p));
        if (weight_decay !== 0) temps.push(d_p = call(H.add, d_p, p._h, weight_decay));
        const state = this._state(p);
        if (momentum !== 0) {
          let buf = state.momentum_buffer;
          if (buf === undefined || buf === null) {
            const c: Handle = call(H.clone, d_p, null);
            temps.push(c);
            buf = this._own(call(H.detach, c));
          } else {
            call(H.mul_, buf._h, momentum);
            call(H.add_, buf._h, d_p, 1 - dampening);
          }
          state.momentum_buffer = buf;
          if (nesterov) temps.push(d_p = call(H.add, d_p, buf._h, momentum));
          else d_p = buf._h;
        } else {
          state.momentum_buffer = state.momentum_buffer ?? null;
        }
        call(H.add_, p._h, d_p, -lr);
      } finally {
        for (const t of temps) native.dispose(t);
      }
    }
  }
}
