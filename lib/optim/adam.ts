// torch.optim.Adam, after torch/optim/adam.py (PyTorch 1.13, the single-tensor
// path, capturable=False): the same ATen calls with the same scalars, so the
// results equal Python's bit for bit.
import { native, Handle } from '../native';
import { Tensor, op } from '../tensor';
import { pow } from './_math';
import { Optimizer, ParamsArg, ParamGroup, forEachGrad, numbersToTensors, scalarTensor, setdefaults, V2 } from './optimizer';
import { checkBetas, nonNegative } from './_check';
import { bind, Rest } from '../nn/common';

const { call } = native;
const H = {
  neg: op('neg'), lerp_: op('lerp_', 'Scalar'), add: op('add', 'Tensor'), add_: op('add_', 'Tensor'), add_S_: op('add_', 'Scalar'),
  mul_: op('mul_', 'Scalar'), addcmul_: op('addcmul_'), addcdiv_: op('addcdiv_'), sqrt: op('sqrt'),
  div_: op('div_', 'Scalar'), maximum_out: op('maximum', 'out'), zeros_like: op('zeros_like'), item: op('item'),
};

export interface AdamState {
  step?: Tensor;
  exp_avg?: Tensor;
  exp_avg_sq?: Tensor;
  max_exp_avg_sq?: Tensor;
}

/** Options shared by Adam and AdamW. */
export interface AdamOptionsBase {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  amsgrad: boolean;
  maximize: boolean;
  /** Accepted for PyTorch's layout; the single-tensor path is always used. */
  foreach: boolean | null;
  /** Only false is supported (CUDA graph capture). */
  capturable: boolean;
}
export interface AdamOptions extends AdamOptionsBase {
  /** Only false is supported. */
  differentiable: boolean;
  /** Only false is supported. */
  fused: boolean | null;
  /** PyTorch 2.x only: decoupled (AdamW-style) weight decay. */
  decoupled_weight_decay?: boolean;
}

/** @internal PyTorch's checks on Adam's and AdamW's options, with its messages. */
export function checkAdamOptions(lr: number, betas: [number, number], eps: number, weight_decay: number): void {
  nonNegative(lr, 'learning rate');
  nonNegative(eps, 'epsilon value');
  checkBetas(betas);
  nonNegative(weight_decay, 'weight_decay value');
}

/**
 * @internal One Adam / AdamW step over a group: `decoupled` is AdamW's
 * decoupled weight decay (param *= 1 - lr * weight_decay), otherwise Adam's
 * L2 term (grad += weight_decay * param).
 */
export function adamUpdate(group: ParamGroup<AdamOptionsBase>, decoupled: boolean,
  stateOf: (p: Tensor) => AdamState, own: (h: Handle) => Tensor): void {
  const { lr, eps, weight_decay, amsgrad, maximize } = group;
  const [beta1, beta2] = group.betas;
  forEachGrad(group, (p, g, tmp) => {
    const state = stateOf(p);
    if (Object.keys(state).length === 0) {
      state.step = own(scalarTensor(0)); // torch.tensor(0.)
      state.exp_avg = own(call(H.zeros_like, p._h, null, null, null, null, null));
      state.exp_avg_sq = own(call(H.zeros_like, p._h, null, null, null, null, null));
      if (amsgrad) state.max_exp_avg_sq = own(call(H.zeros_like, p._h, null, null, null, null, null));
    }
    const exp_avg = (state.exp_avg as Tensor)._h, exp_avg_sq = (state.exp_avg_sq as Tensor)._h;
    const step_t = (state.step as Tensor)._h;
    let grad = maximize ? tmp(call(H.neg, g)) : g;

    call(H.add_S_, step_t, 1, 1); // step_t += 1
    if (decoupled) call(H.mul_, p._h, 1 - lr * weight_decay);
    else if (weight_decay !== 0) grad = tmp(call(H.add, grad, p._h, weight_decay));

    if (V2) call(H.lerp_, exp_avg, grad, 1 - beta1); // 2.x: exp_avg.lerp_(grad, 1 - beta1)
    else { call(H.mul_, exp_avg, beta1); call(H.add_, exp_avg, grad, 1 - beta1); }
    call(H.mul_, exp_avg_sq, beta2);
    call(H.addcmul_, exp_avg_sq, grad, grad, 1 - beta2);

    const step = call(H.item, step_t) as number;
    const bias_correction1 = 1 - pow(beta1, step); // libm's pow, as Python's `beta1 ** step`
    const bias_correction2 = 1 - pow(beta2, step);
    const step_size = lr / bias_correction1;
    const bias_correction2_sqrt = V2 ? pow(bias_correction2, 0.5) : Math.sqrt(bias_correction2); // 2.x: bc2 ** 0.5

    let sq = exp_avg_sq;
    if (amsgrad) {
      sq = (state.max_exp_avg_sq as Tensor)._h;
      call(H.maximum_out, sq, exp_avg_sq, sq);
    }
    // denom = (sq.sqrt() / bias_correction2_sqrt).add_(eps), dividing in place: the same
    // values as Python's out-of-place division, with one temporary instead of two.
    const denom: Handle = tmp(call(H.sqrt, sq));
    call(H.div_, denom, bias_correction2_sqrt);
    call(H.add_S_, denom, eps, 1);
    call(H.addcdiv_, p._h, exp_avg, denom, -step_size);
  }, decoupled ? 'AdamW does not support sparse gradients' : 'Adam does not support sparse gradients, please consider SparseAdam instead');
}

/**
 * Adam (torch.optim.Adam): `new Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999] })`, or
 * positionally `new Adam(params, lr, betas, eps, weight_decay, amsgrad)`.
 */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  constructor(params: ParamsArg<AdamOptions>, ...args: Rest<[number, [number, number], number, number, boolean], Partial<AdamOptions>>) {
    const { lr, betas, eps, weight_decay, amsgrad, foreach, maximize, capturable, differentiable, fused, decoupled_weight_decay } = bind<AdamOptions>('Adam.__init__', args, {
      lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false,
      foreach: null, maximize: false, capturable: false, differentiable: false, fused: V2 ? null : false,
      ...(V2 ? { decoupled_weight_decay: false } : {}),
    } as Required<AdamOptions>);
    checkAdamOptions(lr, betas, eps, weight_decay);
    if (capturable || differentiable || fused) {
      throw new Error('torch-node: Adam supports only capturable=false, differentiable=false and fused=false');
    }
    super(params, { lr, betas: [betas[0], betas[1]], eps, weight_decay, amsgrad, maximize, foreach, capturable, differentiable, fused,
      ...(V2 ? { decoupled_weight_decay } : {}) });
  }

  protected override _setstate(): void {
    super._setstate();
    setdefaults(this.param_groups, { amsgrad: false, maximize: false, foreach: null, capturable: false, differentiable: false, fused: false });
    numbersToTensors(this.state, ['step']);
  }

  protected override _update_group(group: ParamGroup<AdamOptions>): void {
    adamUpdate(group, V2 && group.decoupled_weight_decay === true, (p) => this._state(p), (h) => this._own(h));
  }
}

