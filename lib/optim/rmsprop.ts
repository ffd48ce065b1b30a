// torch.optim.RMSprop, after torch/optim/rmsprop.py (PyTorch 1.13, the single-tensor path).
import { native } from '../native';
import { Tensor, op } from '../tensor';
import { Optimizer, ParamsArg, ParamGroup, forEachGrad, setdefaults, newStep, bumpStep, numbersToTensors, V2 } from './optimizer';
import { nonNegative } from './_check';
import { bind, Rest } from '../nn/common';

const { call } = native;
const H = {
  neg: op('neg'), add: op('add', 'Tensor'), add_: op('add_', 'Tensor'), addS_: op('add_', 'Scalar'), mul_: op('mul_', 'Scalar'),
  addcmul_: op('addcmul_'), addcmul: op('addcmul'), addcdiv_: op('addcdiv_'), sqrt: op('sqrt'), sqrt_: op('sqrt_'), zeros_like: op('zeros_like'),
  lerp_: op('lerp_', 'Scalar'),
};

export interface RMSpropOptions {
  lr: number; momentum: number; alpha: number; eps: number; centered: boolean; weight_decay: number;
  /** Accepted for PyTorch's layout; the single-tensor path is always used. */
  foreach: boolean | null;
  maximize: boolean;
  /** Only false is supported (the step runs under no_grad). */
  differentiable: boolean;
}
export interface RMSpropState { step?: number | Tensor; square_avg?: Tensor; momentum_buffer?: Tensor; grad_avg?: Tensor }

/**
 * RMSprop (torch.optim.RMSprop): `new RMSprop(params, lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0,
 * momentum = 0, centered = false, foreach = null, maximize = false, differentiable = false)`.
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: ParamsArg<RMSpropOptions>,
    ...args: Rest<[number, number, number, number, number, boolean, boolean | null, boolean, boolean], Partial<RMSpropOptions>>) {
    const o = bind<RMSpropOptions>('RMSprop.__init__', args, {
      lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false, foreach: null, maximize: false, differentiable: false,
    });
    nonNegative(o.lr, 'learning rate');
    nonNegative(o.eps, 'epsilon value');
    nonNegative(o.momentum, 'momentum value');
    nonNegative(o.weight_decay, 'weight_decay value');
    nonNegative(o.alpha, 'alpha value');
    if (o.differentiable) throw new Error('torch-node: RMSprop with differentiable=true is not supported');
    const { lr, momentum, alpha, eps, centered, weight_decay, foreach, maximize, differentiable } = o;
    super(params, { lr, momentum, alpha, eps, centered, weight_decay, foreach, maximize, differentiable });
  }

  protected override _setstate(): void {
    super._setstate();
    setdefaults(this.param_groups, { momentum: 0, centered: false, foreach: null, maximize: false, differentiable: false });
    if (V2) numbersToTensors(this.state, ['step']);
  }

  protected override _update_group(group: ParamGroup<RMSpropOptions>): void {
    const { lr, alpha, eps, weight_decay, momentum, centered, maximize } = group;
    forEachGrad(group, (p, g, tmp) => {
      const state = this._state(p);
      const zeros = () => this._own(call(H.zeros_like, p._h, null, null, null, null, null));
      if (state.step === undefined) {
        state.step = newStep((h) => this._own(h));
        state.square_avg = zeros();
        if (momentum > 0) state.momentum_buffer = zeros();
        if (centered) state.grad_avg = zeros();
      }
      bumpStep(state);
      const square_avg = (state.square_avg as Tensor)._h;
      let grad = maximize ? tmp(call(H.neg, g)) : g;
      if (weight_decay !== 0) grad = tmp(call(H.add, grad, p._h, weight_decay));
      call(H.mul_, square_avg, alpha);
      call(H.addcmul_, square_avg, grad, grad, 1 - alpha);
      let avg;
      if (centered) {
        const grad_avg = (state.grad_avg as Tensor)._h;
        if (V2) call(H.lerp_, grad_avg, grad, 1 - alpha); // 2.x: grad_avg.lerp_(grad, 1 - alpha)
        else { call(H.mul_, grad_avg, alpha); call(H.add_, grad_avg, grad, 1 - alpha); }
        avg = tmp(call(H.addcmul, square_avg, grad_avg, grad_avg, -1));
        call(H.sqrt_, avg);
      } else {
        avg = tmp(call(H.sqrt, square_avg));
      }
      call(H.addS_, avg, eps, 1);
      if (momentum > 0) {
        const buf = (state.momentum_buffer as Tensor)._h;
        call(H.mul_, buf, momentum);
        call(H.addcdiv_, buf, grad, avg, 1);
        call(H.add_, p._h, buf, -lr);
      } else {
        call(H.addcdiv_, p._h, grad, avg, -lr);
      }
    }, 'RMSprop does not support sparse gradients');
  }
}
