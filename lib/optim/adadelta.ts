// torch.optim.Adadelta, after torch/optim/adadelta.py (PyTorch 1.13, the single-tensor path).
import { native } from '../native';
import { Tensor, op } from '../tensor';
import { Optimizer, ParamsArg, ParamGroup, forEachGrad, setdefaults, newStep, bumpStep, numbersToTensors, V2 } from './optimizer';
import { nonNegative } from './_check';
import { bind, py, Rest } from '../nn/common';

const { call } = native;
const H = {
  neg: op('neg'), add: op('add', 'Tensor'), add_: op('add_', 'Tensor'), addS: op('add', 'Scalar'), mul_: op('mul_', 'Scalar'),
  mulT_: op('mul_', 'Tensor'), div_: op('div_', 'Tensor'), sqrt_: op('sqrt_'), addcmul_: op('addcmul_'), zeros_like: op('zeros_like'),
};

export interface AdadeltaOptions {
  lr: number; rho: number; eps: number; weight_decay: number;
  /** Accepted for PyTorch's layout; the single-tensor path is always used. */
  foreach: boolean | null;
  maximize: boolean;
}
export interface AdadeltaState { step?: number | Tensor; square_avg?: Tensor; acc_delta?: Tensor }

/** Adadelta (torch.optim.Adadelta): `new Adadelta(params, lr = 1.0, rho = 0.9, eps = 1e-6, weight_decay = 0, foreach = null, { maximize })`. */
export class Adadelta extends Optimizer<AdadeltaOptions, AdadeltaState> {
  constructor(params: ParamsArg<AdadeltaOptions>, ...args: Rest<[number, number, number, number, boolean | null], Partial<AdadeltaOptions>>) {
    const o = bind<AdadeltaOptions>('Adadelta.__init__', args, { lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0, foreach: null, maximize: false });
    nonNegative(o.lr, 'learning rate');
    if (!(0.0 <= o.rho && o.rho <= 1.0)) throw new RangeError(`Invalid rho value: ${py(o.rho)}`);
    nonNegative(o.eps, 'epsilon value');
    nonNegative(o.weight_decay, 'weight_decay value');
    const { lr, rho, eps, weight_decay, maximize, foreach } = o;
    super(params, { lr, rho, eps, weight_decay, maximize, foreach });
  }

  protected override _setstate(): void {
    super._setstate();
    setdefaults(this.param_groups, { foreach: null, maximize: false });
    if (V2) numbersToTensors(this.state, ['step']);
  }

  protected override _update_group(group: ParamGroup<AdadeltaOptions>): void {
    const { lr, rho, eps, weight_decay, maximize } = group;
    forEachGrad(group, (p, g, tmp) => {
      const state = this._state(p);
      if (state.step === undefined) {
        state.step = newStep((h) => this._own(h));
        state.square_avg = this._own(call(H.zeros_like, p._h, null, null, null, null, null));
        state.acc_delta = this._own(call(H.zeros_like, p._h, null, null, null, null, null));
      }
      bumpStep(state);
      const square_avg = (state.square_avg as Tensor)._h, acc_delta = (state.acc_delta as Tensor)._h;
      let grad = maximize ? tmp(call(H.neg, g)) : g;
      if (weight_decay !== 0) grad = tmp(call(H.add, grad, p._h, weight_decay));
      call(H.mul_, square_avg, rho);
      call(H.addcmul_, square_avg, grad, grad, 1 - rho);
      const std = tmp(call(H.addS, square_avg, eps, 1));
      call(H.sqrt_, std);
      const delta = tmp(call(H.addS, acc_delta, eps, 1));
      call(H.sqrt_, delta);
      call(H.div_, delta, std);
      call(H.mulT_, delta, grad);
      call(H.mul_, acc_delta, rho);
      call(H.addcmul_, acc_delta, delta, delta, 1 - rho);
      call(H.add_, p._h, delta, -lr);
    }, 'Adadelta does not support sparse gradients');
  }
}
