// torch.optim.SparseAdam, after torch/optim/sparse_adam.py and _functional.sparse_adam (PyTorch 1.13):
// the lazy Adam for sparse (COO) gradients, e.g. of an embedding: only the rows present in the
// gradient have their moments and values updated.
import { native, Handle } from '../native';
import { Tensor, op } from '../tensor';
import { pow } from './_math';
import { Optimizer, ParamsArg, ParamGroup, ParamGroupInput, forEachGrad, isSparseGrad, setdefaults, V2 } from './optimizer';
import { checkBetas } from './_check';
import { bind, isOptions, py, Rest } from '../nn/common';

const { call } = native;
const H = {
  neg: op('neg'), add_: op('add_', 'Tensor'), addS_: op('add_', 'Scalar'), sub: op('sub', 'Tensor'), sub_: op('sub_', 'Tensor'),
  mul_: op('mul_', 'Scalar'), mulS: op('mul', 'Scalar'), div_: op('div_', 'Tensor'), sqrt_: op('sqrt_'), pow: op('pow', 'Tensor_Scalar'),
  coalesce: op('coalesce'), indices: op('_indices'), values: op('_values'), sparse_mask: op('sparse_mask'),
  sparse_coo: op('sparse_coo_tensor', 'indices_size'),
  zeros_like: op('zeros_like'), sparse_dim: op('sparse_dim'), nnz: op('_nnz'),
};

export interface SparseAdamOptions { lr: number; betas: [number, number]; eps: number; maximize: boolean }
export interface SparseAdamState { step?: number; exp_avg?: Tensor; exp_avg_sq?: Tensor }

/** A parameter that is itself sparse (SparseAdam wants dense parameters with sparse gradients). */
function isSparseParam(p: unknown): boolean {
  if (!(p instanceof Tensor)) return false;
  // only sparse tensors have a sparse_dim (1.13); 2.x gives dense ones sparse_dim() == 0, but still no _nnz
  try { call(V2 ? H.nnz : H.sparse_dim, p._h); return true; } catch { return false; }
}

/** SparseAdam (torch.optim.SparseAdam): `new SparseAdam(params, lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, { maximize })`. */
export class SparseAdam extends Optimizer<SparseAdamOptions, SparseAdamState> {
  constructor(params: ParamsArg<SparseAdamOptions>, ...args: Rest<[number, [number, number], number], Partial<SparseAdamOptions>>) {
    const o = bind<SparseAdamOptions>('SparseAdam.__init__', args, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, maximize: false });
    if (!(0.0 < o.lr)) throw new RangeError(`Invalid learning rate: ${py(o.lr)}`);
    if (!(0.0 < o.eps)) throw new RangeError(`Invalid epsilon value: ${py(o.eps)}`);
    checkBetas(o.betas);
    const list = params !== null && params !== undefined && typeof (params as Iterable<unknown>)[Symbol.iterator] === 'function' && !(params instanceof Tensor)
      ? [...(params as Iterable<unknown>)] : params;
    if (!V2 && Array.isArray(list)) {
      const sparse_params: unknown[] = [];
      list.forEach((param, index) => {
        if (isOptions(param)) {
          const ps = (param as ParamGroupInput).params;
          [...(ps instanceof Tensor ? [ps] : (ps ?? []) as Iterable<Tensor>)].forEach((d, d_index) => {
            if (isSparseParam(d)) sparse_params.push([index, d_index]);
          });
        } else if (isSparseParam(param)) sparse_params.push(index);
      });
      if (sparse_params.length) {
        throw new RangeError(`Sparse params at indices ${py(sparse_params, { list: true })}: SparseAdam requires dense parameter tensors`);
      }
    }
    const { lr, betas, eps, maximize } = o;
    super(list as ParamsArg<SparseAdamOptions>, { lr, betas: [betas[0], betas[1]], eps, maximize });
    if (V2) {
      // 2.x checks the groups once made: [group, index] pairs
      const sparse_params: number[][] = [], complex_params: number[][] = [];
      this.param_groups.forEach((g, index) => g.params.forEach((d, d_index) => {
        if (isSparseParam(d)) sparse_params.push([index, d_index]);
        if (d.is_complex()) complex_params.push([index, d_index]);
      }));
      if (sparse_params.length) {
        throw new RangeError(`Sparse params at indices ${py(sparse_params, { list: true })}: SparseAdam requires dense parameter tensors`);
      }
      if (complex_params.length) {
        throw new RangeError(`Complex params at indices ${py(complex_params, { list: true })}: SparseAdam does not support complex parameters`);
      }
    }
  }

  protected override _setstate(): void {
    super._setstate();
    setdefaults(this.param_groups, { maximize: false });
  }

  protected override _update_group(group: ParamGroup<SparseAdamOptions>): void {
    const { lr, eps } = group;
    const [beta1, beta2] = group.betas;
    const maximize = group.maximize ?? false;
    for (const p of group.params) {
      const g = native.get_grad(p._h);
      if (g === null) continue;
      try {
        if (!isSparseGrad(g, p)) throw new Error('SparseAdam does not support dense gradients, please consider Adam instead');
      } finally {
        native.dispose(g);
      }
    }
    forEachGrad(group, (p, g, tmp) => {
      const state = this._state(p);
      if (state.step === undefined) {
        state.step = 0;
        state.exp_avg = this._own(call(H.zeros_like, p._h, null, null, null, null, null));
        state.exp_avg_sq = this._own(call(H.zeros_like, p._h, null, null, null, null, null));
      }
      state.step += 1;
      const step = state.step;
      const exp_avg = (state.exp_avg as Tensor)._h, exp_avg_sq = (state.exp_avg_sq as Tensor)._h;
      let grad = maximize ? tmp(call(H.neg, g)) : g;
      grad = tmp(call(H.coalesce, grad)); // the update is non-linear so indices must be unique
      const grad_indices = tmp(call(H.indices, grad)), grad_values = tmp(call(H.values, grad));
      const size = native.shape(grad);
      const make_sparse = (values: Handle): Handle => {
        // grad.new().resize_as_(grad): an empty sparse tensor of grad's shape
        if (native.shape(grad_indices).length === 0 || native.shape(values).length === 0) return call(H.zeros_like, grad, null, null, null, null, null);
        return call(H.sparse_coo, grad_indices, values, size, null, null, null, null);
      };
      // Decay the first and second moment running average coefficient
      //      old <- b * old + (1 - b) * new
      // <==> old += (1 - b) * (new - old)
      const old_exp_avg_values = tmp(call(H.values, tmp(call(H.sparse_mask, exp_avg, grad))));
      const exp_avg_update_values = tmp(call(H.sub, grad_values, old_exp_avg_values, 1));
      call(H.mul_, exp_avg_update_values, 1 - beta1);
      call(H.add_, exp_avg, tmp(make_sparse(exp_avg_update_values)), 1);
      const old_exp_avg_sq_values = tmp(call(H.values, tmp(call(H.sparse_mask, exp_avg_sq, grad))));
      const exp_avg_sq_update_values = tmp(call(H.pow, grad_values, 2));
      call(H.sub_, exp_avg_sq_update_values, old_exp_avg_sq_values, 1);
      call(H.mul_, exp_avg_sq_update_values, 1 - beta2);
      call(H.add_, exp_avg_sq, tmp(make_sparse(exp_avg_sq_update_values)), 1);
      // Dense addition again is intended, avoiding another sparse_mask
      const numer = exp_avg_update_values;
      call(H.add_, numer, old_exp_avg_values, 1);
      call(H.add_, exp_avg_sq_update_values, old_exp_avg_sq_values, 1);
      const denom = exp_avg_sq_update_values;
      call(H.sqrt_, denom);
      call(H.addS_, denom, eps, 1);
      const bias_correction1 = 1 - pow(beta1, step);
      const bias_correction2 = 1 - pow(beta2, step);
      const step_size = lr * Math.sqrt(bias_correction2) / bias_correction1;
      call(H.div_, numer, denom);
      call(H.add_, p._h, tmp(make_sparse(tmp(call(H.mulS, numer, -step_size)))), 1);
    });
  }
}
