// torch.optim.Rprop, after torch/optim/rprop.py (PyTorch 1.13, the single-tensor path).
import { native } from '../native';
import { Tensor, op } from '../tensor';
import { Optimizer, ParamsArg, ParamGroup, forEachGrad, setdefaults, newStep, bumpStep, numbersToTensors, V2 } from './optimizer';
import { nonNegative } from './_check';
import { bind, py, Rest } from '../nn/common';

const { call } = native;
const H = {
  neg: op('neg'), mul: op('mul', 'Tensor'), mul_: op('mul_', 'Tensor'), sign: op('sign'), gt: op('gt', 'Scalar'), lt: op('lt', 'Scalar'),
  eq: op('eq', 'Scalar'), masked_fill_: op('masked_fill_', 'Scalar'), clamp_: op('clamp_'), clone: op('clone'), addcmul_: op('addcmul_'),
  copy_: op('copy_'), zeros_like: op('zeros_like'), full_like: op('full_like'),
};

export interface RpropOptions {
  lr: number; etas: [number, number]; step_sizes: [number, number];
  /** Accepted for PyTorch's layout; the single-tensor path is always used. */
  foreach: boolean | null;
  maximize: boolean;
}
export interface RpropState { step?: number | Tensor; prev?: Tensor; step_size?: Tensor }

/** Resilient backpropagation (torch.optim.Rprop): `new Rprop(params, lr = 1e-2, etas = [0.5, 1.2], step_sizes = [1e-6, 50], foreach = null, maximize = false)`. */
export class Rprop extends Optimizer<RpropOptions, RpropState> {
  constructor(params: ParamsArg<RpropOptions>, ...args: Rest<[number, [number, number], [number, number], boolean | null, boolean], Partial<RpropOptions>>) {
    const o = bind<RpropOptions>('Rprop.__init__', args, { lr: 1e-2, etas: [0.5, 1.2], step_sizes: [1e-6, 50], foreach: null, maximize: false });
    nonNegative(o.lr, 'learning rate');
    const [etaminus, etaplus] = o.etas;
    if (!(0.0 < etaminus && etaminus < 1.0 && 1.0 < etaplus)) throw new RangeError(`Invalid eta values: ${py(etaminus)}, ${py(etaplus)}`);
    const { lr, etas, step_sizes, foreach, maximize } = o;
    super(params, { lr, etas: [etas[0], etas[1]], step_sizes: [step_sizes[0], step_sizes[1]], foreach, maximize });
  }

  protected override _setstate(): void {
    super._setstate();
    setdefaults(this.param_groups, { foreach: null, maximize: false });
    if (V2) numbersToTensors(this.state, ['step']);
  }

  protected override _update_group(group: ParamGroup<RpropOptions>): void {
    const [etaminus, etaplus] = group.etas;
    const [step_size_min, step_size_max] = group.step_sizes;
    const { lr, maximize } = group;
    forEachGrad(group, (p, g, tmp) => {
      const state = this._state(p);
      if (state.step === undefined) {
        state.step = newStep((h) => this._own(h));
        state.prev = this._own(call(H.zeros_like, p._h, null, null, null, null, null));
        // grad.new().resize_as_(grad).fill_(lr): the gradient's dtype
        state.step_size = this._own(call(H.full_like, g, lr, null, null, null, null, null));
      }
      bumpStep(state);
      const prev = (state.prev as Tensor)._h, step_size = (state.step_size as Tensor)._h;
      const grad0 = maximize ? tmp(call(H.neg, g)) : g;
      const sign = tmp(call(H.sign, tmp(call(H.mul, grad0, prev))));
      // sign[sign.gt(0)] = etaplus etc.: assignments through a mask, i.e. masked_fill_
      call(H.masked_fill_, sign, tmp(call(H.gt, sign, 0)), etaplus);
      call(H.masked_fill_, sign, tmp(call(H.lt, sign, 0)), etaminus);
      call(H.masked_fill_, sign, tmp(call(H.eq, sign, 0)), 1);
      // update stepsizes with step size updates
      call(H.mul_, step_size, sign);
      call(H.clamp_, step_size, step_size_min, step_size_max);
      // for dir<0, dfdx=0; for dir>=0 dfdx=dfdx
      const grad = tmp(call(H.clone, grad0, null));
      call(H.masked_fill_, grad, tmp(call(H.eq, sign, etaminus)), 0);
      // update parameters
      call(H.addcmul_, p._h, tmp(call(H.sign, grad)), step_size, -1);
      call(H.copy_, prev, grad, false);
    }, 'Rprop does not support sparse gradients');
  }
}
