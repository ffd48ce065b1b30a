// torch.optim.Adamax, after torch/optim/adamax.py (PyTorch 1.13, the single-tensor path).
import { native } from '../native';
import { Tensor, op } from '../tensor';
import { pow } from './_math';
import { Optimizer, ParamsArg, ParamGroup, forEachGrad, numbersToTensors, scalarTensor, setdefaults, V2 } from './optimizer';
import { checkBetas, nonNegative } from './_check';
import { bind, Rest } from '../nn/common';

const { call } = native;
const H = {
  neg: op('neg'), lerp_: op('lerp_', 'Scalar'), add: op('add', 'Tensor'), add_: op('add_', 'Tensor'), addS_: op('add_', 'Scalar'), mul_: op('mul_', 'Scalar'),
  abs: op('abs'), unsqueeze: op('unsqueeze'), unsqueeze_: op('unsqueeze_'), cat: op('cat'), amax_out: op('amax', 'out'),
  addcdiv_: op('addcdiv_'), zeros_like: op('zeros_like'), item: op('item'),
};

export interface AdamaxOptions {
  lr: number; betas: [number, number]; eps: number; weight_decay: number;
  /** Accepted for PyTorch's layout; the single-tensor path is always used. */
  foreach: boolean | null;
  maximize: boolean;
}
export interface AdamaxState { step?: Tensor; exp_avg?: Tensor; exp_inf?: Tensor }

/** Adamax, Adam with the infinity norm (torch.optim.Adamax): `new Adamax(params, lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weight_decay = 0, foreach = null, { maximize })`. */
export class Adamax extends Optimizer<AdamaxOptions, AdamaxState> {
  constructor(params: ParamsArg<AdamaxOptions>, ...args: Rest<[number, [number, number], number, number, boolean | null], Partial<AdamaxOptions>>) {
    const o = bind<AdamaxOptions>('Adamax.__init__', args, { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, foreach: null, maximize: false });
    nonNegative(o.lr, 'learning rate');
    nonNegative(o.eps, 'epsilon value');
    checkBetas(o.betas);
    nonNegative(o.weight_decay, 'weight_decay value');
    const { lr, betas, eps, weight_decay, foreach, maximize } = o;
    super(params, { lr, betas: [betas[0], betas[1]], eps, weight_decay, foreach, maximize });
  }

  protected override _setstate(): void {
    super._setstate();
    setdefaults(this.param_groups, { foreach: null, maximize: false });
    numbersToTensors(this.state, ['step']);
  }

  protected override _update_group(group: ParamGroup<AdamaxOptions>): void {
    const { lr, eps, weight_decay, maximize } = group;
    const [beta1, beta2] = group.betas;
    forEachGrad(group, (p, g, tmp) => {
      const state = this._state(p);
      if (state.step === undefined) {
        state.step = this._own(scalarTensor(0));
        state.exp_avg = this._own(call(H.zeros_like, p._h, null, null, null, null, null));
        state.exp_inf = this._own(call(H.zeros_like, p._h, null, null, null, null, null));
      }
      const exp_avg = (state.exp_avg as Tensor)._h, exp_inf = (state.exp_inf as Tensor)._h, step_t = state.step._h;
      let grad = maximize ? tmp(call(H.neg, g)) : g;
      call(H.addS_, step_t, 1, 1);
      const step = call(H.item, step_t) as number;
      if (weight_decay !== 0) grad = tmp(call(H.add, grad, p._h, weight_decay));
      // Update biased first moment estimate.
      if (V2) call(H.lerp_, exp_avg, grad, 1 - beta1); // 2.x: exp_avg.lerp_(grad, 1 - beta1)
      else { call(H.mul_, exp_avg, beta1); call(H.add_, exp_avg, grad, 1 - beta1); }
      // Update the exponentially weighted infinity norm: max(beta2 * exp_inf, |grad| + eps), through cat + amax as PyTorch.
      call(H.mul_, exp_inf, beta2);
      const a = tmp(call(H.unsqueeze, exp_inf, 0));
      const b = tmp(call(H.abs, grad));
      call(H.addS_, b, eps, 1);
      call(H.unsqueeze_, b, 0);
      const norm_buf = tmp(call(H.cat, [a, b], 0));
      call(H.amax_out, norm_buf, [0], false, exp_inf);
      const bias_correction = 1 - pow(beta1, step);
      const clr = lr / bias_correction;
      call(H.addcdiv_, p._h, exp_avg, exp_inf, -clr);
    }, 'Adamax does not support sparse gradients');
  }
}
