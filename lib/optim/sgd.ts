// torch.optim.SGD, after torch/optim/sgd.py (PyTorch 1.13, the single-tensor path).
import { native } from '../native';
import { Tensor, op } from '../tensor';
import { Optimizer, ParamsArg, ParamGroup, forEachGrad, required, setdefaults, V2 } from './optimizer';
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
      { lr: V2 ? 1e-3 : required, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false, foreach: null, differentiable: false });
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
    setdefaults(this.param_groups, { nesterov: false, maximize: false, foreach: null, differentiable: false });
  }

  protected override _update_group(group: ParamGroup<SGDOptions>): void {
    const { weight_decay, momentum, dampening, nesterov, maximize } = group;
    const lr = group.lr as number;
    forEachGrad(group, (p, g, tmp) => {
      let d_p = maximize ? tmp(call(H.neg, g)) : g;
      if (weight_decay !== 0) d_p = tmp(call(H.add, d_p, p._h, weight_decay));
      if (momentum !== 0) {
        const state = this._state(p);
        let buf = state.momentum_buffer;
        if (buf === undefined || buf === null) {
          buf = this._own(call(H.detach, tmp(call(H.clone, d_p, null))));
        } else {
          call(H.mul_, buf._h, momentum);
          call(H.add_, buf._h, d_p, 1 - dampening);
        }
        state.momentum_buffer = buf;
        if (nesterov) d_p = tmp(call(H.add, d_p, buf._h, momentum));
        else d_p = buf._h;
      } else if (!V2) {
        // 1.13 records momentum_buffer = None; 2.x keeps no state without momentum
        const state = this._state(p);
        state.momentum_buffer = state.momentum_buffer ?? null;
      }
      call(H.add_, p._h, d_p, -lr);
    });
  }
}
