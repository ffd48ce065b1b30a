// torch.optim.ASGD, after torch/optim/asgd.py (PyTorch 1.13, the single-tensor path).
import { native } from '../native';
import { Tensor, op } from '../tensor';
import { pow } from './_math';
import { Optimizer, ParamsArg, ParamGroup, forEachGrad, numbersToTensors, scalarTensor, setdefaults } from './optimizer';
import { nonNegative } from './_check';
import { bind, Rest } from '../nn/common';

const { call } = native;
const H = {
  neg: op('neg'), add: op('add', 'Tensor'), add_: op('add_', 'Tensor'), addS_: op('add_', 'Scalar'), mul_: op('mul_', 'Scalar'),
  sub: op('sub', 'Tensor'), mul: op('mul', 'Tensor'), copy_: op('copy_'), zeros_like: op('zeros_like'), item: op('item'),
};

export interface ASGDOptions {
  lr: number; lambd: number; alpha: number; t0: number; weight_decay: number;
  /** Accepted for PyTorch's layout; the single-tensor path is always used. */
  foreach: boolean | null;
  maximize: boolean;
}
export interface ASGDState { step?: Tensor; eta?: Tensor; mu?: Tensor; ax?: Tensor }

/** Averaged SGD (torch.optim.ASGD): `new ASGD(params, lr = 1e-2, lambd = 1e-4, alpha = 0.75, t0 = 1e6, weight_decay = 0, foreach = null, maximize = false)`. */
export class ASGD extends Optimizer<ASGDOptions, ASGDState> {
  constructor(params: ParamsArg<ASGDOptions>, ...args: Rest<[number, number, number, number, number, boolean | null, boolean], Partial<ASGDOptions>>) {
    const o = bind<ASGDOptions>('ASGD.__init__', args, { lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weight_decay: 0, foreach: null, maximize: false });
    nonNegative(o.lr, 'learning rate');
    nonNegative(o.weight_decay, 'weight_decay value');
    const { lr, lambd, alpha, t0, weight_decay, foreach, maximize } = o;
    super(params, { lr, lambd, alpha, t0, weight_decay, foreach, maximize });
  }

  protected override _setstate(): void {
    super._setstate();
    setdefaults(this.param_groups, { foreach: null, maximize: false });
    numbersToTensors(this.state, ['step', 'eta', 'mu']);
  }

  protected override _update_group(group: ParamGroup<ASGDOptions>): void {
    const { lr, lambd, alpha, t0, weight_decay, maximize } = group;
    forEachGrad(group, (p, g, tmp) => {
      const state = this._state(p);
      if (state.step === undefined) {
        state.step = this._own(scalarTensor(0));
        state.eta = this._own(scalarTensor(lr));
        state.mu = this._own(scalarTensor(1));
        state.ax = this._own(call(H.zeros_like, p._h, null, null, null, null, null));
      }
      const step_t = state.step._h, eta = (state.eta as Tensor)._h, mu = (state.mu as Tensor)._h, ax = (state.ax as Tensor)._h;
      let grad = maximize ? tmp(call(H.neg, g)) : g;
      call(H.addS_, step_t, 1, 1);
      const step = call(H.item, step_t) as number;
      if (weight_decay !== 0) grad = tmp(call(H.add, grad, p._h, weight_decay));
      const eta_v = call(H.item, eta) as number; // eta is float32: its value, not lr's
      call(H.mul_, p._h, 1 - lambd * eta_v); // decay term
      call(H.add_, p._h, grad, -eta_v); // update parameter
      // averaging
      if (call(H.item, mu) !== 1) call(H.add_, ax, tmp(call(H.mul, tmp(call(H.sub, p._h, ax, 1)), mu)), 1);
      else call(H.copy_, ax, p._h, false);
      // eta.copy_(torch.tensor(x)): x rounded to the default dtype first, even where eta is
      // float64 (load_state_dict casts eta and mu to a float64 parameter's dtype)
      call(H.copy_, eta, tmp(scalarTensor(lr / pow(1 + lambd * lr * step, alpha))), false); // math.pow: libm's
      call(H.copy_, mu, tmp(scalarTensor(1 / Math.max(1, step - t0))), false);
    }, 'ASGD does not support sparse gradients');
  }
}
