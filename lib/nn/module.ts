// torch.nn.Module: the base class of every layer and model.
//
// A Module instance is a Proxy around a function object, so that it can be
// called like Python's `model(x)`, and so that assigning a Module, a
// Parameter or a buffer to one of its properties registers it as Python's
// `Module.__setattr__` does. Parameters, buffers and children live in
// `_parameters`, `_buffers` and `_modules` (ordered Maps, as Python's
// OrderedDicts), never as own properties; the Proxy's `get` finds them there,
// after the prototype chain, as Python's `__getattr__` is tried after normal
// attribute lookup.
import { inspect } from 'node:util';
import { native, torchAtLeast } from '../native';
import { Tensor, op } from '../tensor';
import { dtype } from '../dtype';
import { DeviceLike, device } from '../device';
import { scope, keep } from '../memory';
import { no_grad } from '../autograd';
import { Parameter } from './parameter';
import { BackwardHook, FullBackwardHook } from './backward_hook';
import { bind, isOptions, pySize, pyStrRepr, typename, Rest } from './common';
import { checkedList } from '../arraylike';
import { pyTypeName } from '../binder';
import { expect } from '../guard';

const SET_DATA = op('set_data'), COMPATIBLE = op('_has_compatible_shallow_copy_type');

/** The Proxy of a module's target: `this` for forward() and methods. */
const SELF = Symbol('torch-node.nn.Module.self');
/** Sequential and ModuleList answer `m[i]` (negative too) through this hook: index -> key in _modules. */
export const INDEX_KEY = Symbol('torch-node.nn.Module.indexKey');
/** ...and `delete m[i]` through this one. */
export const DELETE_INDEX = Symbol('torch-node.nn.Module.deleteIndex');
const INT = /^-?\d+$/;

type Hook = (...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

/** torch.utils.hooks.RemovableHandle: `handle.remove()` unregisters the hook. */
export class RemovableHandle {
  private static next_id = 0;
  readonly id = RemovableHandle.next_id++;
  constructor(private readonly hooks: Map<number, Hook>) {
    if (!(hooks instanceof Map)) throw new TypeError("RemovableHandle.__init__() missing 1 required positional argument: 'hooks_dict'");
  }
  remove(): void { this.hooks.delete(this.id); }
}

/** What load_state_dict returns (Python's _IncompatibleKeys). */
export class IncompatibleKeys {
  constructor(readonly missing_keys: string[], readonly unexpected_keys: string[]) {
    if (missing_keys === undefined || unexpected_keys === undefined) {
      throw new TypeError("IncompatibleKeys.__new__() missing 2 required positional arguments: 'missing_keys' and 'unexpected_keys'");
    }
    expect.iterable('IncompatibleKeys', 'missing_keys', missing_keys, 0);
    expect.iterable('IncompatibleKeys', 'unexpected_keys', unexpected_keys, 1);
  }
  toString(): string {
    if (!this.missing_keys.length && !this.unexpected_keys.length) return '<All keys matched successfully>';
    const list = (ks: string[]) => `[${ks.map(pyStrRepr).join(', ')}]`;
    return `_IncompatibleKeys(missing_keys=${list(this.missing_keys)}, unexpected_keys=${list(this.unexpected_keys)})`;
  }
  [inspect.custom](): string { return this.toString(); }
  /** A namedtuple in Python: `const [missing, unexpected] = model.load_state_dict(sd, { strict: false })`. */
  *[Symbol.iterator](): IterableIterator<string[]> { yield this.missing_keys; yield this.unexpected_keys; }
}

/**
 * A state dict: keys in PyTorch's order (`fc.weight`, `bn.running_mean`,
 * ...). `_metadata` (not enumerable, as in Python) carries each module's
 * `_version`, which BatchNorm's loader reads.
 */
export type StateDict = Record<string, Tensor> & { _metadata?: Record<string, { version?: number }> };

/** Python's `_addindent`: indents every line but the first. */
export function addIndent(s: string, n: number): string {
  const lines = s.split('\n');
  if (lines.length === 1) return s;
  return [lines[0], ...lines.slice(1).map((l) => ' '.repeat(n) + l)].join('\n');
}

function lookup(t: Module, name: string): { v: unknown } | null {
  if (t._parameters.has(name)) return { v: t._parameters.get(name) };
  if (t._buffers.has(name)) return { v: t._buffers.get(name) };
  if (t._modules.has(name)) return { v: t._modules.get(name) };
  return null;
}

/** Python's Module.__setattr__ (`m` is the Proxy, `t` its target). */
function setattr(m: Module, t: Module, name: string, value: unknown): boolean {
  const removeFrom = (...where: Array<'own' | Map<string, unknown> | Set<string>>) => {
    for (const w of where) if (w === 'own') Reflect.deleteProperty(t, name); else w.delete(name);
  };
  if (value instanceof Parameter) {
    removeFrom('own', t._buffers, t._modules, t._non_persistent_buffers_set);
    m.register_parameter(name, value);
  } else if (t._parameters.has(name)) {
    if (value != null) throw new TypeError(`cannot assign '${typename(value)}' as parameter '${name}' (torch.nn.Parameter or None expected)`);
    m.register_parameter(name, null);
  } else if (value instanceof Module) {
    removeFrom('own', t._parameters, t._buffers, t._non_persistent_buffers_set);
    t._modules.set(name, value);
  } else if (t._modules.has(name)) {
    if (value != null) throw new TypeError(`cannot assign '${typename(value)}' as child module '${name}' (torch.nn.Module or None expected)`);
    t._modules.set(name, null);
  } else if (t._buffers.has(name)) {
    if (value != null && !(value instanceof Tensor)) throw new TypeError(`cannot assign '${typename(value)}' as buffer '${name}' (torch.Tensor or None expected)`);
    t._buffers.set(name, keep((value ?? null) as Tensor | null));
  } else {
    // A plain attribute. A tensor stored on a module outlives the call that made it.
    return Reflect.set(t, name, keep(value));
  }
  return true;
}

/** A target as the handler sees it: containers add the index hooks. */
type Target = Module & { [INDEX_KEY]?: (index: number) => string; [DELETE_INDEX]?: (index: number) => void };

const handler: ProxyHandler<Target> = {
  apply(t, _this, args) { return t._call_impl.apply(t[SELF], args); },
  get(t, p, receiver) {
    if (typeof p === 'string') {
      if (t[INDEX_KEY] && INT.test(p)) return t._modules.get(t[INDEX_KEY](Number(p)));
      if (!(p in t)) {
        const found = lookup(t, p);
        if (found) return found.v;
      }
    }
    return Reflect.get(t, p, receiver);
  },
  set(t, p, value, receiver) {
    if (typeof p !== 'string') return Reflect.set(t, p, value, receiver);
    if (t[INDEX_KEY] && INT.test(p)) return setattr(t[SELF], t, t[INDEX_KEY](Number(p)), value);
    // A setter on the class (or a read-only property) keeps its own behaviour.
    if (p in t && !Object.prototype.hasOwnProperty.call(t, p)) {
      let o: object | null = Object.getPrototypeOf(t);
      while (o && !Object.prototype.hasOwnProperty.call(o, p)) o = Object.getPrototypeOf(o);
      const d = o && Object.getOwnPropertyDescriptor(o, p);
      if (d && (d.set || d.get)) return Reflect.set(t, p, value, receiver);
    }
    return setattr(t[SELF], t, p, value);
  },
  defineProperty(t, p, desc) {
    // Class fields (`fc = new nn.Linear(2, 3)`) arrive here rather than in `set`.
    if (typeof p === 'string' && 'value' in desc && desc.writable && desc.enumerable && desc.configurable) {
      // A field declared without initializer must not wipe what a base class registered.
      if (desc.value === undefined && lookup(t, p)) return true;
      return setattr(t[SELF], t, p, desc.value);
    }
    return Reflect.defineProperty(t, p, desc);
  },
  // As Python's hasattr: by name (a container's '0' is the key '0', not position 0).
  has(t, p) {
    return Reflect.has(t, p) || (typeof p === 'string' && lookup(t, p) !== null);
  },
  deleteProperty(t, p) {
    if (typeof p === 'string') {
      if (t[DELETE_INDEX] && INT.test(p)) { t[DELETE_INDEX](Number(p)); return true; }
      if (t._parameters.delete(p)) return true;
      if (t._buffers.delete(p)) { t._non_persistent_buffers_set.delete(p); return true; }
      if (t._modules.delete(p)) return true;
    }
    return Reflect.deleteProperty(t, p);
  },
};

// `model(x)` has the type of `model.forward(x)`: the call signature follows
// each subclass's own forward through the polymorphic `this` type.
export interface Module {
  (...args: Parameters<this['forward']>): ReturnType<this['forward']>;
}

export class Module {
  /** Bumped when a module's state_dict layout changes; saved in `_metadata` (BatchNorm is 2). */
  static _version = 1;

  declare training: boolean;
  declare _parameters: Map<string, Parameter | null>;
  declare _buffers: Map<string, Tensor | null>;
  declare _non_persistent_buffers_set: Set<string>;
  declare _modules: Map<string, Module | null>;
  declare _forward_hooks: Map<number, Hook>;
  declare _forward_pre_hooks: Map<number, Hook>;
  declare _backward_hooks: Map<number, FullBackwardHook>;
  /** @internal */ declare [SELF]: Module;

  constructor() {
    // The call target: never run itself, the Proxy's `apply` runs _call_impl.
    const target = (() => undefined) as unknown as Module;
    Reflect.deleteProperty(target, 'length');
    Reflect.deleteProperty(target, 'name');
    Object.setPrototypeOf(target, new.target.prototype);
    const internal = (name: string | symbol, value: unknown) =>
      Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
    internal('_parameters', new Map());
    internal('_buffers', new Map());
    internal('_non_persistent_buffers_set', new Set());
    internal('_modules', new Map());
    internal('_forward_hooks', new Map());
    internal('_forward_pre_hooks', new Map());
    internal('_backward_hooks', new Map());
    Object.defineProperty(target, 'training', { value: true, writable: true, configurable: true, enumerable: true });
    const proxy = new Proxy(target as Target, handler);
    internal(SELF, proxy);
    return proxy;
  }

  /**
   * Pickle's protocol, for DataLoader worker threads (utils/data/_transport.ts):
   * Python pickles a module as its __dict__ (parameters, buffers, submodules,
   * attributes) and restores it without calling __init__. Hooks do not cross.
   */
  static __new__<T extends Module>(cls: new (...args: never[]) => T): T {
    if (typeof cls !== 'function') throw new TypeError(`object.__new__(X): X is not a type object (${pyTypeName(cls)})`);
    return Reflect.construct(Module, [], cls) as T;
  }
  __getstate__(): Record<string, unknown> {
    return {
      attrs: Object.fromEntries(Object.keys(this).map((k) => [k, (this as unknown as Record<string, unknown>)[k]])),
      parameters: [...this._parameters].map(([k, p]) => [k, p, p ? p.requires_grad : false]),
      buffers: [...this._buffers],
      non_persistent: [...this._non_persistent_buffers_set],
      modules: [...this._modules],
    };
  }
  __setstate__(state: { attrs: Record<string, unknown>; parameters: [string, Tensor | null, boolean][];
    buffers: [string, Tensor | null][]; non_persistent: string[]; modules: [string, Module | null][] }): void {
    for (const k of ['parameters', 'buffers', 'non_persistent', 'modules'] as const) expect.iterable('__setstate__', `state.${k}`, state?.[k]);
    for (const [k, t, requires_grad] of state.parameters) this._parameters.set(k, t && keep(new Parameter(t, requires_grad)));
    for (const [k, t] of state.buffers) this._buffers.set(k, t && keep(t));
    for (const k of state.non_persistent) this._non_persistent_buffers_set.add(k);
    for (const [k, m] of state.modules) this._modules.set(k, m);
    for (const [k, v] of Object.entries(state.attrs)) (this as unknown as Record<string, unknown>)[k] = v;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  forward(..._args: any[]): any {
    throw new Error(`Module [${this._get_name()}] is missing the required "forward" function`);
  }

  /**
   * Python's `Module.__call__`: pre-hooks, forward, hooks. forward runs in a
   * scope, so every tensor it creates is released when it returns, except
   * what it returns or stores on a module (the autograd graph keeps in C++
   * what backward needs).
   */
  _call_impl(...input: unknown[]): unknown {
    for (const hook of this._forward_pre_hooks.values()) {
      const r = hook(this, input);
      if (r != null) input = Array.isArray(r) ? r : [r];
    }
    const bwHook = this._backward_hooks.size ? new BackwardHook(this, [...this._backward_hooks.values()]) : null;
    if (bwHook) input = bwHook.setupInputHook(input);
    let result = scope(() => this.forward(...input));
    for (const hook of this._forward_hooks.values()) {
      const r = hook(this, input, result);
      if (r != null) result = r;
    }
    if (bwHook) result = bwHook.setupOutputHook(result);
    return result;
  }

  // ---- registration --------------------------------------------------------------

  register_buffer(name: string, tensor: Tensor | null, persistent = true): void {
    if (typeof name !== 'string') throw new TypeError(`buffer name should be a string. Got ${typename(name)}`);
    if (name.includes('.')) throw new Error('buffer name can\'t contain "."');
    if (name === '') throw new Error('buffer name can\'t be empty string ""');
    if (name in this && !this._buffers.has(name)) throw new Error(`attribute '${name}' already exists`);
    if (tensor != null && !(tensor instanceof Tensor)) {
      throw new TypeError(`cannot assign '${typename(tensor)}' object to buffer '${name}' (torch Tensor or None required)`);
    }
    this._buffers.set(name, keep(tensor ?? null));
    if (persistent) this._non_persistent_buffers_set.delete(name);
    else this._non_persistent_buffers_set.add(name);
  }

  register_parameter(name: string, param: Parameter | null): void {
    if (typeof name !== 'string') throw new TypeError(`parameter name should be a string. Got ${typename(name)}`);
    if (name.includes('.')) throw new Error('parameter name can\'t contain "."');
    if (name === '') throw new Error('parameter name can\'t be empty string ""');
    if (name in this && !this._parameters.has(name)) throw new Error(`attribute '${name}' already exists`);
    if (param == null) { this._parameters.set(name, null); return; }
    if (!(param instanceof Parameter)) {
      throw new TypeError(`cannot assign '${typename(param)}' object to parameter '${name}' (torch.nn.Parameter or None required)`);
    }
    if (param.grad_fn) {
      throw new Error(`Cannot assign non-leaf Tensor to parameter '${name}'. Model parameters must be created explicitly. ` +
        `To express '${name}' as a function of another Tensor, compute the value in the forward() method.`);
    }
    this._parameters.set(name, keep(param));
  }

  add_module(name: string, module: Module | null): void {
    if (module != null && !(module instanceof Module)) throw new TypeError(`${typename(module)} is not a Module subclass`);
    if (typeof name !== 'string') throw new TypeError(`module name should be a string. Got ${typename(name)}`);
    if (name in this && !this._modules.has(name)) throw new Error(`attribute '${name}' already exists`);
    if (name.includes('.')) throw new Error(`module name can't contain ".", got: ${name}`);
    if (name === '') throw new Error('module name can\'t be empty string ""');
    this._modules.set(name, module ?? null);
  }
  register_module(name: string, module: Module | null): void { this.add_module(name, module); }

  get_submodule(target: string): Module {
    if (typeof target !== 'string') throw new TypeError(`get_submodule(): argument 'target' must be str, not ${typename(target)}`);
    if (target === '') return this;
    let mod: Module = this;
    for (const item of target.split('.')) {
      if (!(item in mod)) throw new Error(`${mod._get_name()} has no attribute \`${item}\``);
      const next = (mod as unknown as Record<string, unknown>)[item];
      if (!(next instanceof Module)) throw new Error(`\`${item}\` is not an nn.Module`);
      mod = next;
    }
    return mod;
  }

  register_forward_pre_hook(hook: (module: this, input: unknown[]) => unknown): RemovableHandle {
    const handle = new RemovableHandle(this._forward_pre_hooks);
    this._forward_pre_hooks.set(handle.id, hook as Hook);
    return handle;
  }

  /**
   * hook(module, grad_input, grad_output) runs when the gradients with respect to the module's
   * inputs are computed; an array it returns replaces grad_input.
   */
  register_full_backward_hook(hook: (module: this, grad_input: (Tensor | null)[], grad_output: (Tensor | null)[]) => (Tensor | null)[] | null | undefined | void): RemovableHandle {
    if (typeof hook !== 'function') throw new TypeError(`register_full_backward_hook(): hook must be a function, not ${typename(hook)}`);
    const handle = new RemovableHandle(this._backward_hooks as Map<number, Hook>);
    this._backward_hooks.set(handle.id, hook as FullBackwardHook);
    return handle;
  }

  register_forward_hook(hook: (module: this, input: unknown[], output: ReturnType<this['forward']>) => unknown): RemovableHandle {
    const handle = new RemovableHandle(this._forward_hooks);
    this._forward_hooks.set(handle.id, hook as Hook);
    return handle;
  }

  // ---- iteration (generators, as Python's) ---------------------------------------------

  *named_modules(memo: Set<Module> | null = null, prefix = '', remove_duplicate = true): Generator<[string, Module]> {
    if (memo !== null && memo !== undefined && !(memo instanceof Set)) throw new TypeError(`named_modules(): argument 'memo' must be a Set or null, not ${typename(memo)}`);
    if (typeof prefix !== 'string') throw new TypeError(`named_modules(): argument 'prefix' must be str, not ${typename(prefix)}`);
    memo ??= new Set();
    if (memo.has(this)) return;
    if (remove_duplicate) memo.add(this);
    yield [prefix, this];
    for (const [name, module] of this._modules) {
      if (module === null) continue;
      yield* module.named_modules(memo, prefix + (prefix ? '.' : '') + name, remove_duplicate);
    }
  }
  *modules(): Generator<Module> { for (const [, m] of this.named_modules()) yield m; }

  *named_children(): Generator<[string, Module]> {
    const memo = new Set<Module>();
    for (const [name, module] of this._modules) {
      if (module !== null && !memo.has(module)) { memo.add(module); yield [name, module]; }
    }
  }
  *children(): Generator<Module> { for (const [, m] of this.named_children()) yield m; }

  /** Python's _named_members: each tensor once, even when shared by several modules. */
  private *_named_members<T>(members: (m: Module) => Map<string, T | null>, prefix: string, recurse: boolean): Generator<[string, T]> {
    const memo = new Set<T>();
    const modules: Iterable<[string, Module]> = recurse ? this.named_modules(null, prefix) : [[prefix, this]];
    for (const [modulePrefix, module] of modules) {
      for (const [k, v] of members(module)) {
        if (v === null || memo.has(v)) continue;
        memo.add(v);
        yield [modulePrefix + (modulePrefix ? '.' : '') + k, v];
      }
    }
  }
  /** named_parameters(prefix = '', recurse = true), or named_parameters({ prefix, recurse }). */
  named_parameters(...args: Rest<[string, boolean], { prefix?: string; recurse?: boolean }>): Generator<[string, Parameter]> {
    const a = bind<{ prefix: string; recurse: boolean }>('named_parameters', args, { prefix: '', recurse: true });
    return this._named_members((m) => m._parameters, a.prefix, a.recurse);
  }
  *parameters(...args: Rest<[boolean], { recurse?: boolean }>): Generator<Parameter> {
    const { recurse } = bind<{ recurse: boolean }>('parameters', args, { recurse: true });
    for (const [, p] of this.named_parameters('', recurse)) yield p;
  }
  named_buffers(...args: Rest<[string, boolean], { prefix?: string; recurse?: boolean }>): Generator<[string, Tensor]> {
    const a = bind<{ prefix: string; recurse: boolean }>('named_buffers', args, { prefix: '', recurse: true });
    return this._named_members((m) => m._buffers, a.prefix, a.recurse);
  }
  *buffers(...args: Rest<[boolean], { recurse?: boolean }>): Generator<Tensor> {
    const { recurse } = bind<{ recurse: boolean }>('buffers', args, { recurse: true });
    for (const [, b] of this.named_buffers('', recurse)) yield b;
  }

  // ---- modes and gradients ---------------------------------------------------

  train(modeOrOpts: boolean | { mode?: boolean } = true): this {
    const mode = bind<{ mode: boolean }>('train', [modeOrOpts], { mode: true }).mode;
    if (typeof mode !== 'boolean') throw new Error('training mode is expected to be boolean');
    this.training = mode;
    for (const m of this.children()) m.train(mode);
    return this;
  }
  eval(): this { return this.train(false); }

  requires_grad_(requires_grad = true): this {
    for (const p of this.parameters()) p.requires_grad_(requires_grad);
    return this;
  }

  /** zero_grad(set_to_none = true): true is PyTorch 2.x's default (1.13's was false). */
  zero_grad(...args: Rest<[boolean], { set_to_none?: boolean }>): void {
    const { set_to_none } = bind<{ set_to_none: boolean }>('zero_grad', args, { set_to_none: true });
    for (const p of this.parameters()) {
      const g = p.grad;
      if (g === null) continue;
      if (set_to_none) p.grad = null;
      else {
        if (g.grad_fn) g.detach_(); else g.requires_grad_(false);
        g.zero_();
      }
    }
  }

  apply(fn: (module: Module) => void): this {
    if (typeof fn !== 'function') throw new TypeError(`apply(): argument 'fn' must be callable, not ${typename(fn)}`);
    for (const m of this.children()) m.apply(fn);
    fn(this);
    return this;
  }

  // ---- devices and dtypes -------------------------------------------------------

  /**
   * Python's `_apply`: converts every parameter, gradient and buffer with fn.
   * Parameters keep their identity (the new data is swapped in, as Python's
   * `param.data = ...`), so an optimizer made before `to()` still holds them.
   */
  _apply(fn: (t: Tensor) => Tensor): this {
    for (const m of this.children()) m._apply(fn);
    const swapIn = (t: Tensor, applied: Tensor): boolean => {
      if (applied === t) return true;
      if (!native.call(COMPATIBLE, t._h, applied._h)) return false;
      native.call(SET_DATA, t._h, applied._h);
      applied.dispose();
      return true;
    };
    for (const [key, param] of this._parameters) {
      if (param === null) continue;
      const applied = no_grad(() => fn(param));
      let out = param;
      if (!swapIn(param, applied)) {
        out = new Parameter(applied, param.requires_grad);
        applied.dispose(); // out is its own alias of the data
        this._parameters.set(key, keep(out));
      }
      const grad = param.grad;
      if (grad !== null) {
        const gradApplied = no_grad(() => fn(grad));
        if (!(out === param && swapIn(grad, gradApplied))) {
          out.grad = gradApplied.requires_grad_(grad.requires_grad); // now out.grad's own wrapper
        }
      }
    }
    for (const [key, buf] of this._buffers) {
      if (buf !== null) this._buffers.set(key, keep(fn(buf)));
    }
    return this;
  }

  /**
   * to(device), to(dtype), to(device, dtype), to(tensor), or
   * to({ device, dtype, non_blocking }). Only floating-point parameters and
   * buffers change dtype, as in PyTorch.
   */
  to(...args: [dtype] | [DeviceLike | null, (dtype | null)?, boolean?] | [Tensor, boolean?] | [{ device?: DeviceLike; dtype?: dtype; non_blocking?: boolean }]): this {
    let dev: DeviceLike | null = null, d: dtype | null = null, non_blocking = false;
    const [a, b, c] = args as unknown[];
    if (a instanceof dtype) d = a;
    else if (a instanceof Tensor) { dev = a.device; d = a.dtype; non_blocking = (b as boolean) ?? false; }
    else if (isOptions(a)) ({ device: dev = null, dtype: d = null, non_blocking = false } = a as { device?: DeviceLike; dtype?: dtype; non_blocking?: boolean });
    else { dev = (a as DeviceLike) ?? null; d = (b as dtype) ?? null; non_blocking = (c as boolean) ?? false; }
    if (d !== null && !d.is_floating_point) {
      throw new TypeError(`nn.Module.to only accepts floating point or complex dtypes, but got desired dtype=${d}`);
    }
    const devStr = dev === null ? null : new device(dev as DeviceLike).toString();
    return this._apply((t) => {
      const want = t.is_floating_point() ? d : null;
      if (devStr === null) return want === null ? t : t.to(want, { non_blocking });
      return want === null ? t.to(devStr, { non_blocking }) : t.to(devStr, want, { non_blocking });
    });
  }
  cuda(index?: number): this { return this._apply((t) => t.cuda(index)); }
  cpu(): this { return this._apply((t) => t.cpu()); }
  float(): this { return this._apply((t) => (t.is_floating_point() ? t.float() : t)); }
  double(): this { return this._apply((t) => (t.is_floating_point() ? t.double() : t)); }
  half(): this { return this._apply((t) => (t.is_floating_point() ? t.half() : t)); }
  bfloat16(): this { return this._apply((t) => (t.is_floating_point() ? t.bfloat16() : t)); }

  // ---- state dict ------------------------------------------------------------------

  /** This module's own parameters and persistent buffers (not its children's). */
  _save_to_state_dict(destination: StateDict, prefix: string, keep_vars: boolean): void {
    for (const [name, param] of this._parameters) {
      if (param !== null) destination[prefix + name] = keep_vars ? param : param.detach();
    }
    for (const [name, buf] of this._buffers) {
      if (buf !== null && !this._non_persistent_buffers_set.has(name)) destination[prefix + name] = keep_vars ? buf : buf.detach();
    }
  }

  /** state_dict({ destination, prefix, keep_vars }): detached tensors under PyTorch's keys. */
  state_dict(opts: { destination?: StateDict; prefix?: string; keep_vars?: boolean } = {}): StateDict {
    if (opts === null || typeof opts !== 'object') throw new TypeError(`state_dict(): the argument must be an options object ({ destination, prefix, keep_vars }), not ${typename(opts)}`);
    if (opts.prefix !== undefined && typeof opts.prefix !== 'string') throw new TypeError(`state_dict(): argument 'prefix' must be str, not ${typename(opts.prefix)}`);
    const prefix = opts.prefix ?? '', keep_vars = opts.keep_vars ?? false;
    let destination = opts.destination;
    if (destination === undefined) {
      destination = {} as StateDict;
      Object.defineProperty(destination, '_metadata', { value: {}, enumerable: false, writable: true, configurable: true });
    }
    if (destination._metadata) destination._metadata[prefix.slice(0, -1)] = { version: (this.constructor as typeof Module)._version };
    this._save_to_state_dict(destination, prefix, keep_vars);
    for (const [name, module] of this._modules) {
      if (module !== null) module.state_dict({ destination, prefix: `${prefix}${name}.`, keep_vars });
    }
    return destination;
  }

  /**
   * Copies this module's own entries from state_dict (Python's
   * _load_from_state_dict; subclasses override it for older layouts).
   */
  _load_from_state_dict(state_dict: Map<string, unknown>, prefix: string, _local_metadata: { version?: number },
    _strict: boolean, missing_keys: string[], unexpected_keys: string[], error_msgs: string[]): void {
    // The lists this appends to are the caller's: pushing onto one whose length is 2^32-1 is a JS-internal error.
    checkedList(missing_keys, '_load_from_state_dict(): missing_keys');
    checkedList(unexpected_keys, '_load_from_state_dict(): unexpected_keys');
    checkedList(error_msgs, '_load_from_state_dict(): error_msgs');
    const local = new Map<string, Tensor>();
    for (const [k, v] of this._parameters) if (v !== null) local.set(k, v);
    for (const [k, v] of this._buffers) if (v !== null && !this._non_persistent_buffers_set.has(k)) local.set(k, v);
    for (const [name, param] of local) {
      const key = prefix + name;
      if (!state_dict.has(key)) { missing_keys.push(key); continue; }
      const input = state_dict.get(key);
      if (!(input instanceof Tensor)) {
        error_msgs.push(`While copying the parameter named "${key}", expected torch.Tensor or Tensor-like object from checkpoint but received <class '${typename(input)}'>`);
        continue;
      }
      // Loading a 1-dim tensor from 0.3.* into a 0-dim one, as PyTorch allows
      // (2.13's Python only when it has one element; other sizes are a size mismatch).
      const src = param.dim() === 0 && input.dim() === 1 && (!torchAtLeast(2, 13) || input.shape[0] === 1) ? input.index(0) : input;
      try {
        if (src.shape.join() !== param.shape.join() || src.dim() !== param.dim()) {
          error_msgs.push(`size mismatch for ${key}: copying a param with shape ${pySize(src.shape)} from checkpoint, the shape in current model is ${pySize(param.shape)}.`);
          continue;
        }
        no_grad(() => param.copy_(src));
      } catch (e) {
        error_msgs.push(`While copying the parameter named "${key}", whose dimensions in the model are ${pySize(param.shape)} and ` +
          `whose dimensions in the checkpoint are ${pySize(src.shape)}, an exception occurred : (${pyStrRepr((e as Error).message)},).`);
      } finally {
        if (src !== input) src.dispose();
      }
    }
    for (const key of state_dict.keys()) {
      if (!key.startsWith(prefix)) continue;
      const inputName = key.slice(prefix.length).split('.', 1)[0];
      if (!this._modules.has(inputName) && !local.has(inputName)) unexpected_keys.push(key);
    }
  }

  /**
   * load_state_dict(state_dict, strict = true), or load_state_dict(sd, { strict }).
   * Accepts a state dict object (as state_dict() returns) or a Map. Shape
   * mismatches always throw; missing and unexpected keys throw under strict.
   */
  load_state_dict(state_dict: Record<string, unknown> | Map<string, unknown>, ...args: Rest<[boolean], { strict?: boolean }>): IncompatibleKeys {
    const { strict } = bind<{ strict: boolean }>('load_state_dict', args, { strict: true });
    if (state_dict === null || typeof state_dict !== 'object') {
      throw new TypeError(`Expected state_dict to be dict-like, got ${typename(state_dict)}.`);
    }
    const metadata = (state_dict as StateDict)._metadata;
    const all = state_dict instanceof Map ? new Map(state_dict) : new Map(Object.entries(state_dict));
    const missing_keys: string[] = [], unexpected_keys: string[] = [], error_msgs: string[] = [];
    const load = (module: Module, local: Map<string, unknown>, prefix: string): void => {
      const local_metadata = metadata?.[prefix.slice(0, -1)] ?? {};
      module._load_from_state_dict(local, prefix, local_metadata, true, missing_keys, unexpected_keys, error_msgs);
      for (const [name, child] of module._modules) {
        if (child === null) continue;
        const childPrefix = `${prefix}${name}.`;
        load(child, new Map([...local].filter(([k]) => k.startsWith(childPrefix))), childPrefix);
      }
    };
    load(this, all, '');
    if (strict) {
      const quoted = (ks: string[]) => ks.map((k) => `"${k}"`).join(', ');
      if (unexpected_keys.length) error_msgs.unshift(`Unexpected key(s) in state_dict: ${quoted(unexpected_keys)}. `);
      if (missing_keys.length) error_msgs.unshift(`Missing key(s) in state_dict: ${quoted(missing_keys)}. `);
    }
    if (error_msgs.length) {
      throw new Error(`Error(s) in loading state_dict for ${this._get_name()}:\n\t${error_msgs.join('\n\t')}`);
    }
    return new IncompatibleKeys(missing_keys, unexpected_keys);
  }

  // ---- printing --------------------------------------------------------------------

  _get_name(): string { return this.constructor.name; }
  /** The text between the parentheses of this module's printed form (one line or several). */
  extra_repr(): string { return ''; }

  /** Python's print(model). */
  toString(): string {
    const extra = this.extra_repr();
    const extraLines = extra ? extra.split('\n') : [];
    const childLines = [...this._modules].map(([key, m]) => `(${key}): ${addIndent(m === null ? 'None' : m.toString(), 2)}`);
    const lines = [...extraLines, ...childLines];
    let s = `${this._get_name()}(`;
    if (lines.length) {
      s += extraLines.length === 1 && !childLines.length ? extraLines[0] : `\n  ${lines.join('\n  ')}\n`;
    }
    return `${s})`;
  }
  [inspect.custom](): string { return this.toString(); }
}
