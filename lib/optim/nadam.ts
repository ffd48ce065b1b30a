// torch.optim.NAdam, after torch/optim/nadam.py (PyTorch 1.13, the single-tensor path; 1.13 has no maximize here).
import { native } from '../native';
import { Tensor, op } from '../tensor';
import { pow } from './_math';
import { Optimizer, ParamsArg, ParamGroup, forEachGrad, numbersToTensors, scalarTensor, setdefaults, V2, keywordOnlyAfter } from './optimizer';
import { checkBetas, nonNegative } from './_check';
import { bind, Rest } from '../nn/common';

const { call } = native;
const H = {
  lerp_: op('lerp_', 'Scalar'), neg: op('neg'),
  add: op('add', 'Tensor'), add_: op('add_', 'Tensor'), addS_: op('add_', 'Scalar'), mul_: op('mul_', 'Scalar'), mul: op('mul', 'Scalar'),
  addcmul_: op('addcmul_'), addcdiv_: op('addcdiv_'), div: op('div', 'Scalar'), sqrt: op('sqrt'), zeros_like: op('zeros_like'), item: op('item'),
};

export interface NAdamOptions {
  lr: number; betas: [number, number]; eps: number; weight_decay: number; momentum_decay: number;
  /** Accepted for PyTorch's layout; the single-tensor path is always used. */
  foreach: boolean | null;
  /** PyTorch 2.x only: decoupled (AdamW-style) weight decay. */
  decoupled_weight_decay?: boolean;
  /** PyTorch 2.x only. */
  maximize?: boolean;
  /** PyTorch 2.x only; only false is supported. */
  capturable?: boolean;
  /** PyTorch 2.x only; only false is supported. */
  differentiable?: boolean;
}
export interface NAdamState { step?: Tensor; mu_product?: Tensor; exp_avg?: Tensor; exp_avg_sq?: Tensor }

/** Adam with Nesterov momentum (torch.optim.NAdam): `new NAdam(params, lr = 2e-3, betas = [0.9, 0.999], eps = 1e-8, weight_decay = 0, momentum_decay = 4e-3, foreach = null)`. */
export class NAdam extends Optimizer<NAdamOptions, NAdamState> {
  constructor(params: ParamsArg<NAdamOptions>, ...args: Rest<[number, [number, number], number, number, number, boolean | null], Partial<NAdamOptions>>) {
    // 2.x: decoupled_weight_decay after momentum_decay; maximize, capturable, differentiable (keyword-only there)
    if (V2) keywordOnlyAfter('NAdam.__init__', args, 7);
    const o = bind<NAdamOptions>('NAdam.__init__', args, (V2
      ? { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, momentum_decay: 4e-3, decoupled_weight_decay: false, foreach: null,
        maximize: false, capturable: false, differentiable: false }
      : { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, momentum_decay: 4e-3, foreach: null }) as Required<NAdamOptions>);
    nonNegative(o.lr, 'learning rate');
    nonNegative(o.eps, 'epsilon value');
    checkBetas(o.betas);
    nonNegative(o.weight_decay, 'weight_decay value');
    nonNegative(o.momentum_decay, 'momentum_decay value');
    if (o.capturable || o.differentiable) throw new Error('torch-node: NAdam supports only capturable=false and differentiable=false');
    const { lr, betas, eps, weight_decay, momentum_decay, foreach } = o;
    const v2 = V2 ? { decoupled_weight_decay: o.decoupled_weight_decay, maximize: o.maximize, capturable: o.capturable, differentiable: o.differentiable } : {};
    super(params, { lr, betas: [betas[0], betas[1]], eps, weight_decay, momentum_decay, foreach, ...v2 });
  }

  protected override _setstate(): void {
    super._setstate();
    setdefaults(this.param_groups, { foreach: null });
    numbersToTensors(this.state, ['step', 'mu_product']);
  }

  protected override _update_group(group: ParamGroup<NAdamOptions>): void {
    const { lr, eps, weight_decay, momentum_decay } = group;
    // 2.x's options (absent from 1.13's groups)
    const maximize = (group as Record<string, unknown>).maximize === true;
    const decoupled = (group as Record<string, unknown>).decoupled_weight_decay === true;
    const [beta1, beta2] = group.betas;
    forEachGrad(group, (p, g, tmp) => {
      const state = this._state(p);
      if (state.step === undefined) {
        state.step = this._own(scalarTensor(0));
        state.mu_product = this._own(scalarTensor(1));
        state.exp_avg = this._own(call(H.zeros_like, p._h, null, null, null, null, null));
        state.exp_avg_sq = this._own(call(H.zeros_like, p._h, null, null, null, null, null));
      }
      const step_t = state.step._h, mu_product = (state.mu_product as Tensor)._h;
      const exp_avg = (state.exp_avg as Tensor)._h, exp_avg_sq = (state.exp_avg_sq as Tensor)._h;
      call(H.addS_, step_t, 1, 1);
      const step = call(H.item, step_t) as number;
      const bias_correction2 = 1 - pow(beta2, step);
      let grad = maximize ? tmp(call(H.neg, g)) : g;
      if (weight_decay !== 0) {
        if (decoupled) call(H.mul_, p._h, 1 - lr * weight_decay);
        else grad = tmp(call(H.add, grad, p._h, weight_decay));
      }
      // the momentum cache mu^{t} and mu^{t+1}
      const mu = beta1 * (1. - 0.5 * pow(0.96, step * momentum_decay));
      const mu_next = beta1 * (1. - 0.5 * pow(0.96, (step + 1) * momentum_decay));
      // mu_product is a float32 tensor: its products round as PyTorch's do
      call(H.mul_, mu_product, mu);
      if (V2) {
        // 2.x: exp_avg.lerp_; mu_product_next = mu_product.item() * mu_next, a Python float
        call(H.lerp_, exp_avg, grad, 1 - beta1);
        call(H.mul_, exp_avg_sq, beta2);
        call(H.addcmul_, exp_avg_sq, grad, grad, 1 - beta2);
        const denom = tmp(call(H.sqrt, tmp(call(H.div, exp_avg_sq, bias_correction2))));
        call(H.addS_, denom, eps, 1);
        const mp = call(H.item, mu_product) as number;
        call(H.addcdiv_, p._h, grad, denom, -lr * (1.0 - mu) / (1.0 - mp));
        call(H.addcdiv_, p._h, exp_avg, denom, (-lr * mu_next) / (1.0 - mp * mu_next));
        return;
      }
      const mu_product_next = tmp(call(H.mul, tmp(call(H.mul, mu_product, mu)), mu_next));
      call(H.mul_, exp_avg, beta1);
      call(H.add_, exp_avg, grad, 1 - beta1);
      call(H.mul_, exp_avg_sq, beta2);
      call(H.addcmul_, exp_avg_sq, grad, grad, 1 - beta2);
      const denom = tmp(call(H.sqrt, tmp(call(H.div, exp_avg_sq, bias_correction2))));
      call(H.addS_, denom, eps, 1);
      call(H.addcdiv_, p._h, grad, denom, -lr * (1. - mu) / (1. - (call(H.item, mu_product) as number)));
      call(H.addcdiv_, p._h, exp_avg, denom, -lr * mu_next / (1. - (call(H.item, mu_product_next) as number)));
    }, 'NAdam does not support sparse gradients');
  }
}
