// torch.nn.utils.parametrizations.orthogonal and spectral_norm, as PyTorch 1.13's
// parametrizations.py: modules registered through nn.utils.parametrize.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import * as G from '../../generated/torch';
import { makeNamespace } from '../../binder';
import { no_grad } from '../../autograd';
import { normalize } from '../functional';
import { bind, pySize, Rest } from '../common';
import { register_parametrization } from './parametrize';

const T = G as unknown as Record<string, (...a: unknown[]) => any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const linalg = makeNamespace<Record<string, (...a: unknown[]) => any>>('linalg'); // eslint-disable-line @typescript-eslint/no-explicit-any

const mT = (x: Tensor): Tensor => x.transpose(-2, -1);
const diag = (x: Tensor): Tensor => x.diagonal(0, -2, -1);

/** Q^T Q == I within 10 n eps of the dtype (float32: 2^-23, float64: 2^-52). */
function isOrthogonal(Q: Tensor): boolean {
  const [n, k] = [Q.size(-2), Q.size(-1)];
  const eps = 10.0 * n * (Q.dtype.name === 'float64' ? 2 ** -52 : 2 ** -23);
  return T.allclose(mT(Q).matmul(Q), T.eye(k, { dtype: Q.dtype, device: Q.device }), { atol: eps });
}

/** The Q of a QR decomposition with the signs fixed by R's diagonal (unique for full-rank A). */
function makeOrthogonal(A: Tensor): Tensor {
  const [X, tau] = T.geqrf(A) as Tensor[];
  const Q: Tensor = linalg.householder_product(X, tau);
  Q.mul_(diag(X).sgn().unsqueeze(-2));
  return Q;
}

type OrthMap = 'matrix_exp' | 'cayley' | 'householder';

export class _Orthogonal extends Module {
  declare shape: number[];
  declare orthogonal_map: OrthMap;
  declare base: Tensor | null;

  constructor(weight: Tensor, orthogonal_map: OrthMap, { use_trivialization = true } = {}) {
    super();
    this.shape = weight.shape;
    this.orthogonal_map = orthogonal_map;
    if (use_trivialization) this.register_buffer('base', null);
  }

  /** Python's hasattr(self, 'base'): the buffer is registered (even while None) with use_trivialization. */
  _has_base(): boolean { return this._buffers.has('base'); }

  forward(X: Tensor): Tensor {
    let [n, k] = [X.size(-2), X.size(-1)];
    const transposed = n < k;
    if (transposed) { X = mT(X); [n, k] = [k, n]; }
    let Q: Tensor;
    if (this.orthogonal_map === 'matrix_exp' || this.orthogonal_map === 'cayley') {
      X = X.tril();
      if (n !== k) X = T.cat([X, X.new_zeros([n, n - k]).expand([...X.shape.slice(0, -2), -1, -1])], -1);
      const A = X.sub(mT(X));
      if (this.orthogonal_map === 'matrix_exp') Q = T.matrix_exp(A);
      else {
        const Id = T.eye(n, { dtype: A.dtype, device: A.device });
        Q = linalg.solve(T.add(Id, A, { alpha: -0.5 }), T.add(Id, A, { alpha: 0.5 }));
      }
      if (n !== k) Q = Q.narrow(-1, 0, k);
    } else {
      const A = X.tril(-1);
      const tau = A.mul(A).sum(-2).add(1.0).reciprocal().mul(2.0);
      Q = linalg.householder_product(A, tau);
      Q = Q.mul(diag(X).int().unsqueeze(-2));
    }
    if (this._has_base()) Q = (this.base as Tensor).matmul(Q);
    if (transposed) Q = mT(Q);
    return Q;
  }

  right_inverse(Q: Tensor): Tensor {
    return no_grad(() => {
      if (Q.dim() !== this.shape.length || Q.shape.some((d, i) => d !== this.shape[i])) {
        throw new Error(`Expected a matrix or batch of matrices of shape ${pySize(this.shape)}. Got a tensor of shape ${pySize(Q.shape)}.`);
      }
      const Q_init = Q;
      let [n, k] = [Q.size(-2), Q.size(-1)];
      const transpose = n < k;
      if (transpose) { Q = mT(Q); [n, k] = [k, n]; }
      if (!this._has_base()) {
        if (this.orthogonal_map === 'cayley' || this.orthogonal_map === 'matrix_exp') {
          throw new Error('It is not possible to assign to the matrix exponential or the Cayley parametrizations when use_trivialization=False.');
        }
        const [A, tau] = T.geqrf(Q) as Tensor[];
        const d = diag(A);
        d.sign_();
        d.copy_(T.where(tau.eq(0.0), d.neg(), d));
        return transpose ? mT(A) : A;
      }
      if (n === k) Q = isOrthogonal(Q) ? Q.clone() : makeOrthogonal(Q);
      else {
        const N = T.randn([...Q.shape.slice(0, -2), n, n - k], { dtype: Q.dtype, device: Q.device });
        Q = makeOrthogonal(T.cat([Q, N], -1));
      }
      this.base = Q;
      const negId = T.zeros_like(Q_init);
      diag(negId).fill_(-1.0);
      return negId;
    });
  }
}

/** orthogonal(module, name = 'weight', orthogonal_map = null, { use_trivialization = true }) */
export function orthogonal<M extends Module>(module: M, ...args: Rest<[string, OrthMap | null], { name?: string; orthogonal_map?: OrthMap | null; use_trivialization?: boolean }>): M {
  const a = bind<{ name: string; orthogonal_map: OrthMap | null; use_trivialization: boolean }>('orthogonal', args,
    { name: 'weight', orthogonal_map: null, use_trivialization: true });
  const weight = (module as unknown as Record<string, unknown>)[a.name];
  if (!(weight instanceof Tensor)) throw new Error(`Module '${String(module)}' has no parameter or buffer with name '${a.name}'`);
  if (weight.dim() < 2) throw new Error(`Expected a matrix or batch of matrices. Got a tensor of ${weight.dim()} dimensions.`);
  const map = a.orthogonal_map ?? (weight.size(-2) === weight.size(-1) ? 'matrix_exp' : 'householder');
  if (!['matrix_exp', 'cayley', 'householder'].includes(map)) {
    throw new Error(`orthogonal_map has to be one of "matrix_exp", "cayley", "householder". Got: ${String(map)}`);
  }
  register_parametrization(module, a.name, new _Orthogonal(weight, map, { use_trivialization: a.use_trivialization }), { unsafe: true });
  return module;
}

export class _SpectralNorm extends Module {
  declare dim: number;
  declare eps: number;
  declare n_power_iterations: number;
  declare _u: Tensor;
  declare _v: Tensor;

  constructor(weight: Tensor, n_power_iterations = 1, dim = 0, eps = 1e-12) {
    super();
    const ndim = weight.dim();
    if (dim >= ndim || dim < -ndim) throw new RangeError(`Dimension out of range (expected to be in range of [-${ndim}, ${ndim - 1}] but got ${dim})`);
    if (n_power_iterations <= 0) throw new Error(`Expected n_power_iterations to be positive, but got n_power_iterations=${n_power_iterations}`);
    this.dim = dim >= 0 ? dim : dim + ndim;
    this.eps = eps;
    if (ndim > 1) {
      this.n_power_iterations = n_power_iterations;
      const wm = this._reshape_weight_to_matrix(weight);
      const [h, w] = wm.shape;
      const [u, v] = no_grad(() => [wm.new_empty([h]).normal_(0, 1), wm.new_empty([w]).normal_(0, 1)]);
      this.register_buffer('_u', normalize(u, { dim: 0, eps: this.eps }));
      this.register_buffer('_v', normalize(v, { dim: 0, eps: this.eps }));
      this._power_method(wm, 15);
    }
  }

  _reshape_weight_to_matrix(weight: Tensor): Tensor {
    if (this.dim !== 0) weight = weight.permute([this.dim, ...Array.from({ length: weight.dim() }, (_, d) => d).filter((d) => d !== this.dim)]);
    return weight.flatten(1);
  }

  _power_method(wm: Tensor, n: number): void {
    no_grad(() => {
      for (let i = 0; i < n; i++) {
        normalize(T.mv(wm, this._v), { dim: 0, eps: this.eps, out: this._u });
        normalize(T.mv(wm.t(), this._u), { dim: 0, eps: this.eps, out: this._v });
      }
    });
  }

  forward(weight: Tensor): Tensor {
    if (weight.dim() === 1) return normalize(weight, { dim: 0, eps: this.eps });
    const wm = this._reshape_weight_to_matrix(weight);
    if (this.training) this._power_method(wm, this.n_power_iterations);
    const u = this._u.clone(), v = this._v.clone();
    const sigma = T.dot(u, T.mv(wm, v));
    return weight.div(sigma);
  }

  right_inverse(value: Tensor): Tensor { return value; }
}

/** parametrizations.spectral_norm(module, name = 'weight', n_power_iterations = 1, eps = 1e-12, dim = null) */
export function spectral_norm<M extends Module>(module: M, ...args: Rest<[string, number, number, number | null], { name?: string; n_power_iterations?: number; eps?: number; dim?: number | null }>): M {
  const a = bind<{ name: string; n_power_iterations: number; eps: number; dim: number | null }>('spectral_norm', args,
    { name: 'weight', n_power_iterations: 1, eps: 1e-12, dim: null });
  const weight = (module as unknown as Record<string, unknown>)[a.name];
  if (!(weight instanceof Tensor)) throw new Error(`Module '${String(module)}' has no parameter or buffer with name '${a.name}'`);
  const dim = a.dim ?? (/^ConvTranspose[123]d$/.test(module.constructor.name) ? 1 : 0);
  register_parametrization(module, a.name, new _SpectralNorm(weight, a.n_power_iterations, dim, a.eps));
  return module;
}
