// torch.optim.Adagrad, after torch/optim/adagrad.py (PyTorch 1.13, the single-tensor path),
// dense and sparse (COO) gradients.
import { native, Handle } from '../native';
import { Tensor, op } from '../tensor';
import { Optimizer, ParamsArg, ParamGroup, forEachGrad, isSparseGrad, numbersToTensors, scalarTensor, setdefaults } from './optimizer';
import { nonNegative } from './_check';
import { bind, Rest } from '../nn/common';

const { call } = native;
const H = {
  neg: op('neg'), add: op('add', 'Tensor'), add_: op('add_', 'Tensor'), addS_: op('add_', 'Scalar'), addcmul_: op('addcmul_'),
  addcdiv_: op('addcdiv_'), sqrt: op('sqrt'), sqrt_: op('sqrt_'), full_like: op('full_like'), item: op('item'),
  coalesce: op('coalesce'), indices: op('_indices'), values: op('_values'), pow: op('pow', 'Tensor_Scalar'), div: op('div', 'Tensor'),
  sparse_mask: op('sparse_mask'), sparse_coo: op('sparse_coo_tensor', 'indices_size'), empty_like: op('empty_like'),
};

export interface AdagradOptions {
  lr: number; lr_decay: number; eps: number; weight_decay: number; initial_accumulator_value: number;
  /** Accepted for PyTorch's layout; the single-tensor path is always used. */
  foreach: boolean | null;
  maximize: boolean;
}
export interface AdagradState { step?: Tensor; sum?: Tensor }

const numel = (h: Handle): number => native.shape(h).reduce((a, b) => a * b, 1);

/** adagrad.py's _make_sparse: a COO tensor shaped as `grad` (empty_like(grad) when there is nothing in it). */
function makeSparse(grad: Handle, indices: Handle, values: Handle, shape: number[]): Handle {
  if (numel(indices) === 0 || numel(values) === 0) return call(H.empty_like, grad, null, null, null, null, null);
  return call(H.sparse_coo, indices, values, shape, null, null, null, null);
}

/**
 * Adagrad (torch.optim.Adagrad): `new Adagrad(params, lr = 1e-2, lr_decay = 0, weight_decay = 0,
 * initial_accumulator_value = 0, eps = 1e-10, foreach = null, { maximize })`. Sparse gradients
 * (e.g. from a manually made `sparse_coo_tensor`) take PyTorch's sparse path.
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  constructor(params: ParamsArg<AdagradOptions>, ...args: Rest<[number, number, number, number, number, boolean | null], Partial<AdagradOptions>>) {
    const o = bind<AdagradOptions>('Adagrad.__init__', args,
      { lr: 1e-2, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10, foreach: null, maximize: false });
    nonNegative(o.lr, 'learning rate');
    nonNegative(o.lr_decay, 'lr_decay value');
    nonNegative(o.weight_decay, 'weight_decay value');
    nonNegative(o.initial_accumulator_value, 'initial_accumulator_value value');
    nonNegative(o.eps, 'epsilon value');
    const { lr, lr_decay, eps, weight_decay, initial_accumulator_value, foreach, maximize } = o;
    super(params, { lr, lr_decay, eps, weight_decay, initial_accumulator_value, foreach, maximize });
    // The state is made here, not on the first step (PyTorch does so, to allow share_memory()).
    for (const group of this.param_groups) for (const p of group.params) this._init(p, initial_accumulator_value);
  }

  private _init(p: Tensor, init: number): AdagradState {
    const state = this._state(p);
    state.step = this._own(scalarTensor(0));
    state.sum = this._own(call(H.full_like, p._h, init, null, null, null, null, null));
    return state;
  }

  protected override _setstate(): void {
    super._setstate();
    setdefaults(this.param_groups, { foreach: null, maximize: false });
    numbersToTensors(this.state, ['step']);
  }

  protected override _update_group(group: ParamGroup<AdagradOptions>): void {
    const { lr, weight_decay, lr_decay, eps, maximize } = group;
    forEachGrad(group, (p, g, tmp) => {
      // A parameter added by add_param_group has no state in PyTorch 1.13 (a KeyError there): made here.
      let state = this._state(p);
      if (state.sum === undefined) state = this._init(p, this.defaults.initial_accumulator_value);
      const step_t = (state.step as Tensor)._h, state_sum = (state.sum as Tensor)._h;
      call(H.addS_, step_t, 1, 1);
      const step = call(H.item, step_t) as number;
      let grad = maximize ? tmp(call(H.neg, g)) : g;
      const sparse = isSparseGrad(grad, p);
      if (weight_decay !== 0) {
        if (sparse) throw new Error('weight_decay option is not compatible with sparse gradients');
        grad = tmp(call(H.add, grad, p._h, weight_decay));
      }
      const clr = lr / (1 + (step - 1) * lr_decay);
      if (sparse) {
        grad = tmp(call(H.coalesce, grad)); // the update is non-linear so indices must be unique
        const indices = tmp(call(H.indices, grad)), values = tmp(call(H.values, grad));
        const shape = native.shape(grad) as number[];
        call(H.add_, state_sum, tmp(makeSparse(grad, indices, tmp(call(H.pow, values, 2)), shape)), 1);
        const std = tmp(call(H.sparse_mask, state_sum, grad));
        const std_values = tmp(call(H.values, std));
        call(H.sqrt_, std_values);
        call(H.addS_, std_values, eps, 1);
        call(H.add_, p._h, tmp(makeSparse(grad, indices, tmp(call(H.div, values, std_values)), shape)), -clr);
      } else {
        call(H.addcmul_, state_sum, grad, grad, 1);
        const std = tmp(call(H.sqrt, state_sum));
        call(H.addS_, std, eps, 1);
        call(H.addcdiv_, p._h, grad, std, -clr);
      }
    });
  }
}
