// torch.nn.utils.weight_norm / remove_weight_norm and spectral_norm /
// remove_spectral_norm, as PyTorch 1.13's weight_norm.py and spectral_norm.py:
// the weight becomes a function of new parameters (g and v; or weight_orig with
// the power-iteration buffers u and v), recomputed by a forward pre-hook.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import { Parameter } from '../parameter';
import * as G from '../../generated/torch';
import { no_grad } from '../../autograd';
import { normalize } from '../functional';
import { bind, Rest, typename } from '../common';

const T = G as unknown as Record<string, (...a: unknown[]) => any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Attrs = Record<string, unknown>;

/** A forward pre-hook carrying the object Python registers as the hook itself (found again by remove_*). */
type NormHook = ((m: Module, inputs: unknown[]) => void) & { fn: WeightNorm | SpectralNorm };

function findHook<C extends WeightNorm | SpectralNorm>(module: Module, cls: new (...a: never[]) => C, name: string): [number, C] | null {
  for (const [id, hook] of module._forward_pre_hooks) {
    const fn = (hook as Partial<NormHook>).fn;
    if (fn instanceof cls && fn.name === name) return [id, fn as C];
  }
  return null;
}

function checkModule(fn: string, module: unknown): asserts module is Module {
  if (!(module instanceof Module)) throw new TypeError(`${fn}(): module must be a Module, not ${typename(module)}`);
}

function register(module: Module, fn: WeightNorm | SpectralNorm): void {
  const hook = ((m: Module) => fn.call(m)) as unknown as NormHook;
  hook.fn = fn;
  module.register_forward_pre_hook(hook);
}

export class WeightNorm {
  constructor(readonly name: string, readonly dim: number) {}

  compute_weight(module: Module): Tensor {
    const m = module as unknown as Attrs;
    return T._weight_norm(m[`${this.name}_v`], m[`${this.name}_g`], this.dim);
  }

  static apply(module: Module, name: string, dim: number | null): WeightNorm {
    if (findHook(module, WeightNorm, name)) throw new Error(`Cannot register two weight_norm hooks on the same parameter ${name}`);
    const fn = new WeightNorm(name, dim ?? -1);
    const weight = (module as unknown as Attrs)[name];
    if (!(weight instanceof Tensor)) throw new TypeError(`weight_norm(): module has no tensor '${name}'`);
    module._parameters.delete(name);
    module.register_parameter(`${name}_g`, new Parameter(no_grad(() => T.norm_except_dim(weight, 2, fn.dim))));
    module.register_parameter(`${name}_v`, new Parameter(weight.detach()));
    (module as unknown as Attrs)[name] = fn.compute_weight(module);
    register(module, fn);
    return fn;
  }

  remove(module: Module): void {
    const weight = this.compute_weight(module);
    delete (module as unknown as Attrs)[this.name];
    module._parameters.delete(`${this.name}_g`);
    module._parameters.delete(`${this.name}_v`);
    (module as unknown as Attrs)[this.name] = new Parameter(weight.detach());
  }

  call(module: Module): void { (module as unknown as Attrs)[this.name] = this.compute_weight(module); }
}

/** weight_norm(module, name = 'weight', dim = 0): w = g * v / ||v|| (the norm over every dimension but dim; dim = null: the whole tensor). */
export function weight_norm<M extends Module>(module: M, ...args: Rest<[string, number | null], { name?: string; dim?: number | null }>): M {
  const a = bind<{ name: string; dim: number | null }>('weight_norm', args, { name: 'weight', dim: 0 });
  checkModule('weight_norm', module);
  WeightNorm.apply(module, a.name, a.dim);
  return module;
}

/** remove_weight_norm(module, name = 'weight'): the weight is a plain Parameter again. */
export function remove_weight_norm<M extends Module>(module: M, ...args: Rest<[string], { name?: string }>): M {
  const { name } = bind<{ name: string }>('remove_weight_norm', args, { name: 'weight' });
  checkModule('remove_weight_norm', module);
  const found = findHook(module, WeightNorm, name);
  if (!found) throw new Error(`weight_norm of '${name}' not found in ${String(module)}`);
  found[1].remove(module);
  module._forward_pre_hooks.delete(found[0]);
  return module;
}

export class SpectralNorm {
  static _version = 1;
  readonly n_power_iterations: number;
  constructor(readonly name = 'weight', n_power_iterations = 1, readonly dim = 0, readonly eps = 1e-12) {
    if (n_power_iterations <= 0) {
      throw new Error(`Expected n_power_iterations to be positive, but got n_power_iterations=${n_power_iterations}`);
    }
    this.n_power_iterations = n_power_iterations;
  }

  reshape_weight_to_matrix(weight: Tensor): Tensor {
    let w = weight;
    if (this.dim !== 0) w = w.permute([this.dim, ...Array.from({ length: w.dim() }, (_, d) => d).filter((d) => d !== this.dim)]);
    return w.reshape([w.size(0), -1]);
  }

  compute_weight(module: Module, do_power_iteration: boolean): Tensor {
    const m = module as unknown as Attrs;
    const weight = m[`${this.name}_orig`] as Tensor;
    let u = m[`${this.name}_u`] as Tensor, v = m[`${this.name}_v`] as Tensor;
    const wm = this.reshape_weight_to_matrix(weight);
    if (do_power_iteration) {
      no_grad(() => {
        // In place into the buffers, as Python's normalize(..., out=v).
        for (let i = 0; i < this.n_power_iterations; i++) {
          v = normalize(T.mv(wm.t(), u), { dim: 0, eps: this.eps, out: v });
          u = normalize(T.mv(wm, v), { dim: 0, eps: this.eps, out: u });
        }
        u = u.clone();
        v = v.clone();
      });
    }
    const sigma = T.dot(u, T.mv(wm, v));
    return weight.div(sigma);
  }

  static apply(module: Module, name: string, n_power_iterations: number, dim: number, eps: number): SpectralNorm {
    if (findHook(module, SpectralNorm, name)) throw new Error(`Cannot register two spectral_norm hooks on the same parameter ${name}`);
    const fn = new SpectralNorm(name, n_power_iterations, dim, eps);
    const weight = module._parameters.get(name);
    if (weight == null) throw new Error(`\`SpectralNorm\` cannot be applied as parameter \`${name}\` is None`);
    const [u, v] = no_grad(() => {
      const [h, w] = fn.reshape_weight_to_matrix(weight).shape;
      const uu = normalize(weight.new_empty([h]).normal_(0, 1), { dim: 0, eps: fn.eps });
      const vv = normalize(weight.new_empty([w]).normal_(0, 1), { dim: 0, eps: fn.eps });
      return [uu, vv];
    });
    module._parameters.delete(name);
    module.register_parameter(`${name}_orig`, weight);
    (module as unknown as Attrs)[name] = weight.detach();
    module.register_buffer(`${name}_u`, u);
    module.register_buffer(`${name}_v`, v);
    register(module, fn);
    recordVersions(module);
    return fn;
  }

  remove(module: Module): void {
    const weight = no_grad(() => this.compute_weight(module, false));
    const m = module as unknown as Attrs;
    for (const k of [this.name, `${this.name}_u`, `${this.name}_v`, `${this.name}_orig`]) delete m[k];
    module.register_parameter(this.name, new Parameter(weight.detach()));
  }

  call(module: Module): void { (module as unknown as Attrs)[this.name] = this.compute_weight(module, module.training); }
}

/**
 * spectral_norm(module, name = 'weight', n_power_iterations = 1, eps = 1e-12, dim = null): the weight
 * divided by its largest singular value, estimated by power iteration (one step per training forward).
 */
export function spectral_norm<M extends Module>(module: M, ...args: Rest<[string, number, number, number | null], { name?: string; n_power_iterations?: number; eps?: number; dim?: number | null }>): M {
  const a = bind<{ name: string; n_power_iterations: number; eps: number; dim: number | null }>('spectral_norm', args,
    { name: 'weight', n_power_iterations: 1, eps: 1e-12, dim: null });
  checkModule('spectral_norm', module);
  const transposed = /^ConvTranspose[123]d$/.test(module.constructor.name);
  SpectralNorm.apply(module, a.name, a.n_power_iterations, a.dim ?? (transposed ? 1 : 0), a.eps);
  return module;
}

/** remove_spectral_norm(module, name = 'weight') */
export function remove_spectral_norm<M extends Module>(module: M, ...args: Rest<[string], { name?: string }>): M {
  const { name } = bind<{ name: string }>('remove_spectral_norm', args, { name: 'weight' });
  checkModule('remove_spectral_norm', module);
  const found = findHook(module, SpectralNorm, name);
  if (!found) throw new Error(`spectral_norm of '${name}' not found in ${String(module)}`);
  found[1].remove(module);
  module._forward_pre_hooks.delete(found[0]);
  recordVersions(module);
  return module;
}

const SAVE = '_save_to_state_dict';
/**
 * Python's SpectralNormStateDictHook: state_dict() records `{'weight.version': 1}` under
 * `_metadata[prefix]['spectral_norm']`. Done by an own `_save_to_state_dict` on the module that
 * lists the spectral norms present at save time; removed with the last one.
 */
function recordVersions(module: Module): void {
  const own = Object.prototype.hasOwnProperty.call(module, SAVE);
  const names = () => [...module._forward_pre_hooks.values()]
    .map((h) => (h as Partial<NormHook>).fn).filter((f): f is SpectralNorm => f instanceof SpectralNorm).map((f) => f.name);
  if (names().length === 0) {
    if (own) delete (module as unknown as Attrs)[SAVE];
    return;
  }
  if (own) return;
  const base = Object.getPrototypeOf(module)[SAVE] as Module['_save_to_state_dict'];
  Object.defineProperty(module, SAVE, {
    configurable: true, writable: true, enumerable: false,
    value(this: Module, destination: Parameters<Module['_save_to_state_dict']>[0], prefix: string, keep_vars: boolean) {
      base.call(this, destination, prefix, keep_vars);
      const meta = destination._metadata?.[prefix.slice(0, -1)] as Record<string, unknown> | undefined;
      if (!meta) return;
      const sn = (meta.spectral_norm ??= {}) as Record<string, number>;
      for (const n of names()) {
        if (`${n}.version` in sn) throw new Error(`Unexpected key in metadata['spectral_norm']: ${n}.version`);
        sn[`${n}.version`] = SpectralNorm._version;
      }
    },
  });
}
