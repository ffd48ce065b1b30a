// torch.nn.utils.parametrize, as PyTorch 1.13's parametrize.py: a parameter or
// buffer becomes the output of a chain of modules applied to `original`. As in
// Python, the module's class is swapped for a subclass `Parametrized<Class>`
// carrying a getter/setter for the tensor's name, and the chain lives in
// `module.parametrizations[name]` (a ParametrizationList), so the state_dict
// keys are Python's (`parametrizations.weight.original`).
import { Tensor } from '../../tensor';
import { Module } from '../module';
import { Parameter } from '../parameter';
import { ModuleList, ModuleDict } from '../modules/container';
import { no_grad } from '../../autograd';
import { keep } from '../../memory';
import { bind, pySize, Rest, typename } from '../common';

type Attrs = Record<string, unknown>;
type RightInverse = { right_inverse?: (v: Tensor) => Tensor | Tensor[] };

let cacheDepth = 0;
let cache = new Map<Module, Map<string, Tensor>>();

/** cached(fn): runs fn with parametrized tensors computed once per module and name (Python's `with cached():`). */
export function cached<T>(fn: () => T): T {
  cacheDepth++;
  try {
    return fn();
  } finally {
    cacheDepth--;
    if (!cacheDepth) cache = new Map();
  }
}

function registerParameterOrBuffer(module: Module, name: string, X: Tensor): void {
  if (X instanceof Parameter) module.register_parameter(name, X);
  else module.register_buffer(name, X);
}

const sameShape = (a: Tensor, b: Tensor): boolean => a.dim() === b.dim() && a.shape.every((d, i) => d === b.shape[i]);

/** The chain of parametrizations of one tensor; `original` (or original0, original1...) holds the unconstrained value. */
export class ParametrizationList extends ModuleList {
  declare unsafe: boolean;
  declare is_tensor: boolean;
  declare ntensors: number;
  declare original: Tensor;

  constructor(modules: Module[], original: Tensor, unsafe = false) {
    if (modules.length === 0) throw new Error('ParametrizationList requires one or more modules.');
    super(modules);
    this.unsafe = unsafe;
    const shape = original.shape, dt = original.dtype;
    const nw = no_grad((): Tensor | Tensor[] => {
      let v: Tensor | Tensor[] = original;
      for (const m of [...this].reverse()) {
        const ri = (m as unknown as RightInverse).right_inverse;
        if (typeof ri === 'function') v = ri.call(m, v as Tensor);
      }
      return v;
    });
    if (!(nw instanceof Tensor) && !Array.isArray(nw)) {
      throw new Error(`'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). Got ${typename(nw)}`);
    }
    this.is_tensor = nw instanceof Tensor;
    this.ntensors = nw instanceof Tensor ? 1 : nw.length;
    if (nw instanceof Tensor) {
      if (original.dtype !== nw.dtype) {
        throw new Error(`When \`right_inverse\` outputs one tensor, it may not change the dtype.\noriginal.dtype: torch.${original.dtype.name}\nright_inverse(original).dtype: torch.${nw.dtype.name}`);
      }
      if (nw !== original) { const n = nw; no_grad(() => original.set_(n)); }
      registerParameterOrBuffer(this, 'original', original);
    } else {
      nw.forEach((o, i) => {
        if (!(o instanceof Tensor)) throw new Error(`'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). Got element ${i} of the sequence with type ${typename(o)}.`);
        const oi = original instanceof Parameter ? new Parameter(o) : o;
        oi.requires_grad_(original.requires_grad);
        registerParameterOrBuffer(this, `original${i}`, oi);
      });
    }
    if (!this.unsafe) {
      const Z = this.forward();
      if (!(Z instanceof Tensor)) throw new Error(`A parametrization must return a tensor. Got ${typename(Z)}.`);
      if (Z.dtype !== dt) {
        throw new Error(`Registering a parametrization may not change the dtype of the tensor, unless \`unsafe\` flag is enabled.\nunparametrized dtype: torch.${dt.name}\nparametrized dtype: torch.${Z.dtype.name}`);
      }
      if (Z.dim() !== shape.length || Z.shape.some((d, i) => d !== shape[i])) {
        throw new Error(`Registering a parametrization may not change the shape of the tensor, unless \`unsafe\` flag is enabled.\nunparametrized shape: ${pySize(shape)}\nparametrized shape: ${pySize(Z.shape)}`);
      }
    }
  }

  /** Sets `original` so that the chain gives `value` (every parametrization must have right_inverse). */
  right_inverse(value: Tensor): void {
    no_grad(() => {
      let v: Tensor | Tensor[] = value;
      for (const m of [...this].reverse()) {
        const ri = (m as unknown as RightInverse).right_inverse;
        if (typeof ri !== 'function') throw new Error(`parametrization ${m._get_name()} does not implement right_inverse.`);
        v = ri.call(m, v as Tensor);
      }
      if (this.is_tensor) {
        if (!(v instanceof Tensor)) throw new Error(`\`right_inverse\` should return a tensor. Got ${typename(v)}`);
        if (v.dtype !== this.original.dtype) throw new Error(`The tensor returned by \`right_inverse\` has dtype torch.${v.dtype.name} while \`original\` has dtype torch.${this.original.dtype.name}`);
        this.original.set_(v);
      } else {
        if (!Array.isArray(v)) throw new Error(`'right_inverse' must return a sequence of tensors. Got ${typename(v)}.`);
        if (v.length !== this.ntensors) throw new Error(`'right_inverse' must return a sequence of tensors of length ${this.ntensors}. Got a sequence of lenght ${v.length}.`);
        v.forEach((t, i) => (this as unknown as Record<string, Tensor>)[`original${i}`].set_(t));
      }
    });
  }

  forward(): Tensor {
    const self = this as unknown as Record<string, Tensor> & ModuleList;
    const mods = [...this] as Array<(...a: unknown[]) => Tensor>;
    let x = this.is_tensor ? mods[0](self.original) : mods[0](...Array.from({ length: this.ntensors }, (_, i) => self[`original${i}`]));
    for (const m of mods.slice(1)) x = m(x);
    return x;
  }
}

/** Python's _inject_new_class: the module's class becomes a fresh subclass `Parametrized<Class>`. */
function injectNewClass(module: Module): void {
  const cls = module.constructor as new (...a: unknown[]) => Module;
  const name = `Parametrized${cls.name}`;
  const sub = { [name]: class extends cls {} }[name];
  Object.setPrototypeOf(module, sub.prototype);
}

function injectProperty(module: Module, tensor_name: string): void {
  Object.defineProperty(Object.getPrototypeOf(module), tensor_name, {
    configurable: true,
    enumerable: false,
    get(this: Module): Tensor {
      const p = (this as unknown as { parametrizations: ModuleDict }).parametrizations.get(tensor_name) as unknown as () => Tensor;
      if (!cacheDepth) return p();
      let m = cache.get(this);
      if (!m) cache.set(this, m = new Map());
      let t = m.get(tensor_name);
      if (t === undefined) m.set(tensor_name, t = keep(p()));
      return t;
    },
    set(this: Module, value: Tensor) {
      ((this as unknown as { parametrizations: ModuleDict }).parametrizations.get(tensor_name) as unknown as ParametrizationList).right_inverse(value);
    },
  });
}

/** is_parametrized(module, tensor_name = null) */
export function is_parametrized(module: Module, tensor_name: string | null = null): boolean {
  const p = (module as unknown as Attrs).parametrizations;
  if (!(p instanceof ModuleDict)) return false;
  return tensor_name === null ? p.length > 0 : p.has(tensor_name);
}

/** register_parametrization(module, tensor_name, parametrization, { unsafe = false }) */
export function register_parametrization<M extends Module>(module: M, tensor_name: string, parametrization: Module, ...args: Rest<[], { unsafe?: boolean }>): M {
  const { unsafe } = bind<{ unsafe: boolean }>('register_parametrization', args, { unsafe: false });
  if (!(module instanceof Module)) throw new TypeError(`register_parametrization(): module must be a Module, not ${typename(module)}`);
  if (!(parametrization instanceof Module)) throw new TypeError(`register_parametrization(): parametrization must be a Module, not ${typename(parametrization)}`);
  parametrization.train(module.training);
  const m = module as unknown as Attrs;
  if (is_parametrized(module, tensor_name)) {
    if (!unsafe) {
      const Y = m[tensor_name] as Tensor;
      const X = (parametrization as unknown as (t: Tensor) => Tensor)(Y);
      if (!(X instanceof Tensor)) throw new Error(`A parametrization must return a tensor. Got ${typename(X)}.`);
      if (X.dtype !== Y.dtype) throw new Error(`Registering a parametrization may not change the dtype of the tensor, unless the \`unsafe\` flag is enabled.\nmodule.${tensor_name}.dtype: torch.${Y.dtype.name}\nparametrization(module.${tensor_name}).dtype: torch.${X.dtype.name}`);
      if (!sameShape(X, Y)) throw new Error(`Registering a parametrization may not change the shape of the tensor, unless the \`unsafe\` flag is enabled.\nmodule.${tensor_name}.shape: ${pySize(Y.shape)}\nparametrization(module.${tensor_name}).shape: ${pySize(X.shape)}`);
    }
    const list = (m.parametrizations as ModuleDict).get(tensor_name) as unknown as ParametrizationList;
    list.append(parametrization);
    list.unsafe = list.unsafe || unsafe;
  } else if (module._buffers.has(tensor_name) || module._parameters.has(tensor_name)) {
    const original = m[tensor_name] as Tensor;
    const list = new ParametrizationList([parametrization], original, unsafe);
    delete m[tensor_name];
    if (!is_parametrized(module)) {
      injectNewClass(module);
      m.parametrizations = new ModuleDict();
    }
    injectProperty(module, tensor_name);
    (m.parametrizations as ModuleDict).set(tensor_name, list);
  } else {
    throw new Error(`Module '${String(module)}' does not have a parameter, a buffer, or a parametrized element with name '${tensor_name}'`);
  }
  return module;
}

/** remove_parametrizations(module, tensor_name, leave_parametrized = true) */
export function remove_parametrizations<M extends Module>(module: M, tensor_name: string, ...args: Rest<[boolean], { leave_parametrized?: boolean }>): M {
  const { leave_parametrized } = bind<{ leave_parametrized: boolean }>('remove_parametrizations', args, { leave_parametrized: true });
  if (!is_parametrized(module, tensor_name)) throw new Error(`Module ${String(module)} does not have a parametrization on ${tensor_name}`);
  const m = module as unknown as Attrs;
  const dict = m.parametrizations as ModuleDict;
  const list = dict.get(tensor_name) as unknown as ParametrizationList;
  let original: Tensor;
  if (list.is_tensor) {
    original = list.original;
    if (leave_parametrized) {
      const t = no_grad(() => m[tensor_name] as Tensor);
      no_grad(() => original.set_(t));
    }
  } else if (leave_parametrized) {
    const t = m[tensor_name] as Tensor;
    original = t.requires_grad ? new Parameter(t) : t;
  } else {
    throw new Error('Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is parametrized in terms of a sequence of tensors.');
  }
  delete (Object.getPrototypeOf(module) as Attrs)[tensor_name];
  dict.delete(tensor_name);
  registerParameterOrBuffer(module, tensor_name, original);
  if (!is_parametrized(module)) {
    delete m.parametrizations;
    Object.setPrototypeOf(module, Object.getPrototypeOf(Object.getPrototypeOf(module)));
  }
  return module;
}

/** type_before_parametrizations(module): the class the module had before any parametrization. */
export function type_before_parametrizations(module: Module): Function { // eslint-disable-line @typescript-eslint/ban-types
  return is_parametrized(module) ? Object.getPrototypeOf(Object.getPrototypeOf(module)).constructor : module.constructor;
}

/**
 * transfer_parametrizations_and_params(from_module, to_module, tensor_name = null): registers
 * from_module's parametrizations (all, or tensor_name's) on to_module, sharing their originals.
 */
export function transfer_parametrizations_and_params<M extends Module>(from_module: Module, to_module: M, tensor_name: string | null = null): M {
  if (!is_parametrized(from_module)) return to_module;
  const from = from_module as unknown as Attrs, to = to_module as unknown as Attrs;
  const fromDict = from.parametrizations as ModuleDict;
  for (const name of tensor_name === null ? fromDict.keys() : [tensor_name]) {
    if (!(name in to_module)) to[name] = new Parameter(from[name] as Tensor);
    const fromList = fromDict.get(name) as unknown as ParametrizationList & Attrs;
    for (const f of fromList) register_parametrization(to_module, name, f);
    const toList = (to.parametrizations as ModuleDict).get(name) as unknown as Attrs;
    if ('original' in fromList) toList.original = fromList.original;
    else for (let i = 0; `original${i}` in fromList; i++) toList[`original${i}`] = fromList[`original${i}`];
  }
  return to_module;
}
