// torch.optim.RAdam, after torch/optim/radam.py (PyTorch 1.13, the single-tensor path; 1.13 has no maximize here).
import { native } from '../native';
import { Tensor, op } from '../tensor';
import { pow } from './_math';
import { Optimizer, ParamsArg, ParamGroup, forEachGrad, numbersToTensors, scalarTensor, setdefaults, V2, keywordOnlyAfter } from './optimizer';
import { checkBetas, nonNegative } from './_check';
import { bind, Rest } from '../nn/common';

const { call } = native;
const H = {
  lerp_: op('lerp_', 'Scalar'), neg: op('neg'),
  add: op('add', 'Tensor'), add_: op('add_', 'Tensor'), addS_: op('add_', 'Scalar'), mul_: op('mul_', 'Scalar'), mulS: op('mul', 'Scalar'),
  mul: op('mul', 'Tensor'), addcmul_: op('addcmul_'), div: op('div', 'Scalar'), sqrt: op('sqrt'), reciprocal: op('reciprocal'),
  zeros_like: op('zeros_like'), item: op('item'),
};

export interface RAdamOptions {
  lr: number; betas: [number, number]; eps: number; weight_decay: number;
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
export interface RAdamState { step?: Tensor; exp_avg?: Tensor; exp_avg_sq?: Tensor }

/** Rectified Adam (torch.optim.RAdam): `new RAdam(params, lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weight_decay = 0, foreach = null)`. */
export class RAdam extends Optimizer<RAdamOptions, RAdamState> {
  constructor(params: ParamsArg<RAdamOptions>, ...args: Rest<[number, [number, number], number, number, boolean | null], Partial<RAdamOptions>>) {
    // 2.x: decoupled_weight_decay after weight_decay; maximize, capturable, differentiable (keyword-only there)
    if (V2) keywordOnlyAfter('RAdam.__init__', args, 6);
    const o = bind<RAdamOptions>('RAdam.__init__', args, (V2
      ? { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, decoupled_weight_decay: false, foreach: null,
        maximize: false, capturable: false, differentiable: false }
      : { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, foreach: null }) as Required<RAdamOptions>);
    nonNegative(o.lr, 'learning rate');
    nonNegative(o.eps, 'epsilon value');
    checkBetas(o.betas);
    nonNegative(o.weight_decay, 'weight_decay value');
    if (o.capturable || o.differentiable) throw new Error('torch-node: RAdam supports only capturable=false and differentiable=false');
    const { lr, betas, eps, weight_decay, foreach } = o;
    const v2 = V2 ? { decoupled_weight_decay: o.decoupled_weight_decay, maximize: o.maximize, capturable: o.capturable, differentiable: o.differentiable } : {};
    super(params, { lr, betas: [betas[0], betas[1]], eps, weight_decay, foreach, ...v2 });
  }

  protected override _setstate(): void {
    super._setstate();
    setdefaults(this.param_groups, { foreach: null });
    numbersToTensors(this.state, ['step']);
  }

  protected override _update_group(group: ParamGroup<RAdamOptions>): void {
    const { lr, eps, weight_decay } = group;
    // 2.x's options (absent from 1.13's groups)
    const maximize = (group as Record<string, unknown>).maximize === true;
    const decoupled = (group as Record<string, unknown>).decoupled_weight_decay === true;
    const sqrt = V2 ? (x: number) => pow(x, 0.5) : Math.sqrt; // 2.x: x ** 0.5
    const [beta1, beta2] = group.betas;
    forEachGrad(group, (p, g, tmp) => {
      const state = this._state(p);
      if (state.step === undefined) {
        state.step = this._own(scalarTensor(0));
        state.exp_avg = this._own(call(H.zeros_like, p._h, null, null, null, null, null));
        state.exp_avg_sq = this._own(call(H.zeros_like, p._h, null, null, null, null, null));
      }
      const step_t = state.step._h, exp_avg = (state.exp_avg as Tensor)._h, exp_avg_sq = (state.exp_avg_sq as Tensor)._h;
      call(H.addS_, step_t, 1, 1);
      const step = call(H.item, step_t) as number;
      const bias_correction1 = 1 - pow(beta1, step);
      const bias_correction2 = 1 - pow(beta2, step);
      let grad = maximize ? tmp(call(H.neg, g)) : g;
      if (weight_decay !== 0) {
        if (decoupled) call(H.mul_, p._h, 1 - lr * weight_decay);
        else grad = tmp(call(H.add, grad, p._h, weight_decay));
      }
      if (V2) call(H.lerp_, exp_avg, grad, 1 - beta1); // 2.x: exp_avg.lerp_(grad, 1 - beta1)
      else { call(H.mul_, exp_avg, beta1); call(H.add_, exp_avg, grad, 1 - beta1); }
      call(H.mul_, exp_avg_sq, beta2);
      call(H.addcmul_, exp_avg_sq, grad, grad, 1 - beta2);
      // correcting bias for the first moving moment
      const bias_corrected_exp_avg = tmp(call(H.div, exp_avg, bias_correction1));
      // maximum length of the approximated SMA, and its length at this step
      const rho_inf = 2 / (1 - beta2) - 1;
      const rho_t = rho_inf - 2 * step * pow(beta2, step) / bias_correction2;
      let update = tmp(call(H.mulS, bias_corrected_exp_avg, lr));
      if (rho_t > 5.) {
        // the variance rectification term
        const rect = sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t));
        // math.sqrt(bc2) / tensor: Python's Tensor.__rtruediv__ is tensor.reciprocal() * number
        const denom = tmp(call(H.sqrt, exp_avg_sq));
        call(H.addS_, denom, eps, 1);
        const adaptive_lr = tmp(call(H.mulS, tmp(call(H.reciprocal, denom)), sqrt(bias_correction2)));
        update = tmp(call(H.mulS, tmp(call(H.mul, update, adaptive_lr)), rect));
      }
      call(H.add_, p._h, update, -1.0);
    }, 'RAdam does not support sparse gradients');
  }
}
