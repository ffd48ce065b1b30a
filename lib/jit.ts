// torch.jit: TorchScript modules saved by Python's torch.jit.save (or here),
// loaded through LibTorch's own loader (native/jit.cpp). A ScriptModule is an
// nn.Module, as Python's RecursiveScriptModule is: callable, with its
// parameters (sharing storage with the TorchScript object, so an optimizer
// fine-tunes it), buffers and submodules registered under Python's names, and
// every TorchScript method callable by name (`m.encode(x)`), with arguments
// converted by the method's own schema.
import { native, Handle, JitModuleHandle } from './native';
import { Tensor } from './tensor';
import { dtype } from './dtype';
import { DeviceLike, deviceString } from './device';
import { Module } from './nn/module';
import { Parameter } from './nn/parameter';
import { isOptions } from './nn/common';
import { no_grad } from './autograd';
import { warn, Warning } from './warnings';
import { listOf } from './arraylike';
import { expect } from './guard';

/** torch.jit.TracerWarning: a trace that may not generalise. */
export class TracerWarning extends Warning {}

/** What a TorchScript method takes and returns, as JS values. */
export type ScriptValue =
  | Tensor | number | boolean | string | null
  | ScriptValue[] | { [key: string]: ScriptValue } | Map<ScriptValue, ScriptValue>;

interface MethodInfo { name: string; schema: string; args: string[]; takesDict: boolean[] }

/** Native results hold tensor handles: each becomes a Tensor, through arrays, objects and Maps. */
function fromNative(v: unknown): ScriptValue {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object') return v as ScriptValue;
  if (native.is_tensor(v)) return new Tensor(v as Handle);
  if (Array.isArray(v)) return v.map(fromNative);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [fromNative(k), fromNative(x)]));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromNative(x)]));
}

/** JS arguments as the addon takes them: tensors become handles, through arrays, objects and Maps. */
function toNative(v: unknown): unknown {
  if (v instanceof Tensor) return v._h;
  if (Array.isArray(v)) return v.map(toNative);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [toNative(k), toNative(x)]));
  if (isOptions(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toNative(x)]));
  return v;
}

/** Python's call syntax for a method: a trailing plain object is its keyword arguments unless that position takes a dict. */
function splitCall(method: MethodInfo, args: unknown[]): [unknown[], Record<string, unknown>] {
  const last = args[args.length - 1];
  if (args.length && isOptions(last) && (args.length > method.args.length || !method.takesDict[args.length - 1])) {
    return [args.slice(0, -1), last];
  }
  return [args, {}];
}

const SCRIPT_HANDLE = Symbol('torch-node.jit.handle');

/** torch.jit.ScriptModule: a TorchScript module (see torch.jit.load). */
export class ScriptModule extends Module {
  declare private [SCRIPT_HANDLE]: JitModuleHandle;
  declare private _methods: Map<string, MethodInfo>;
  declare readonly original_name: string;

  /** @internal Made by torch.jit.load or by a parent ScriptModule. */
  constructor(handle: JitModuleHandle) {
    super();
    Object.defineProperty(this, SCRIPT_HANDLE, { value: handle });
    Object.defineProperty(this, 'original_name', { value: native.jit_type_name(handle), enumerable: true });
    const methods = new Map<string, MethodInfo>();
    for (const [name, schema, args, takesDict] of native.jit_methods(handle)) methods.set(name, { name, schema, args, takesDict });
    Object.defineProperty(this, '_methods', { value: methods });
    this._syncTensors();
    for (const [name, child] of native.jit_named_children(handle)) this.register_module(name, new ScriptModule(child));
    this.training = native.jit_train(handle, null);
    // Every TorchScript method but forward (a class method here) as a property, as Python's.
    for (const name of methods.keys()) {
      if (name === 'forward') continue;
      Object.defineProperty(this, name, {
        value: (...args: unknown[]) => this._callMethod(name, args), enumerable: false, configurable: true,
      });
    }
  }

  /** The TorchScript object's own parameters and buffers, as Parameters and Tensors sharing their storage. */
  private _syncTensors(): void {
    const h = this[SCRIPT_HANDLE];
    for (const [name, t] of native.jit_named_tensors(h, 'parameters', false)) {
      // The same tensor as the TorchScript module's (not a copy, not an alias): its .grad is the one backward fills.
      this.register_parameter(name, Reflect.construct(Tensor, [t], Parameter) as Parameter);
    }
    for (const [name, t] of native.jit_named_tensors(h, 'buffers', false)) this.register_buffer(name, new Tensor(t));
  }

  private _callMethod(name: string, args: unknown[]): ScriptValue {
    const method = this._methods.get(name);
    if (!method) throw new TypeError(`the ScriptModule has no method '${name}'`);
    const [positional, keywords] = splitCall(method, args);
    return fromNative(native.jit_call(this[SCRIPT_HANDLE], name, toNative(positional), toNative(keywords)));
  }

  forward(...args: unknown[]): any { // eslint-disable-line @typescript-eslint/no-explicit-any
    return this._callMethod('forward', args);
  }

  /**
   * Runs a method on torch-node's native worker pool (not the JS thread, not
   * libuv's pool) under the caller's grad mode, and settles with its result.
   * Arguments as for the method itself; `{ signal }` among the keywords (when
   * the method has no argument named signal) cancels a call that has not started.
   */
  call_async(name: string, ...args: unknown[]): Promise<ScriptValue> {
    try {
      return this._callAsync(name, args);
    } catch (e) {
      return Promise.reject(e); // bad arguments reject, as every other failure does
    }
  }

  private _callAsync(name: string, args: unknown[]): Promise<ScriptValue> {
    const method = this._methods.get(name);
    if (!method) throw new TypeError(`the ScriptModule has no method '${name}'`);
    const [positional, keywords] = splitCall(method, args);
    let signal: AbortSignal | undefined;
    if (!method.args.includes('signal') && keywords.signal instanceof AbortSignal) {
      signal = keywords.signal;
      delete keywords.signal;
    }
    if (signal?.aborted) return Promise.reject(signal.reason ?? Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }));
    const [promise, job] = native.jit_call_async(this[SCRIPT_HANDLE], name, toNative(positional), toNative(keywords));
    if (signal) {
      const onAbort = () => native.jit_cancel(job);
      signal.addEventListener('abort', onAbort, { once: true });
      promise.finally(() => signal?.removeEventListener('abort', onAbort)).catch(() => undefined);
    }
    return promise.then(fromNative);
  }

  /** forward() off the JS thread: `await model.forward_async(x)`. */
  forward_async(...args: unknown[]): Promise<ScriptValue> { return this.call_async('forward', ...args); }

  train(mode = true): this {
    native.jit_train(this[SCRIPT_HANDLE], mode);
    return super.train(mode);
  }

  /** `to(device)`, `to(dtype)`, `to(device, dtype)` or `to({ device, dtype, non_blocking })`: converts in place, as Python's. */
  to(...args: unknown[]): this {
    let device: DeviceLike | null = null, type: dtype | null = null, non_blocking = false;
    const opts = isOptions(args[args.length - 1]) ? args.pop() as { device?: DeviceLike; dtype?: dtype; non_blocking?: boolean } : {};
    for (const a of args) {
      if (a instanceof dtype) type = a;
      else if (a !== null && a !== undefined) device = a as DeviceLike;
    }
    for (const key of Object.keys(opts)) {
      if (!['device', 'dtype', 'non_blocking'].includes(key)) throw new TypeError(`to() got an unexpected keyword argument '${key}'`);
    }
    device = opts.device ?? device;
    type = opts.dtype ?? type;
    non_blocking = opts.non_blocking ?? non_blocking;
    native.jit_to(this[SCRIPT_HANDLE], device === null ? null : deviceString(device), type === null ? null : type.code, non_blocking);
    for (const m of this.modules()) if (m instanceof ScriptModule) m._syncTensors();
    return this;
  }
  cuda(index?: number): this { return this.to(index === undefined ? 'cuda' : `cuda:${index}`); }
  cpu(): this { return this.to('cpu'); }

  /** torch.jit.save(this, f): a path, or nothing for the archive's bytes. */
  save(f?: string): Buffer | undefined { return native.jit_save(this[SCRIPT_HANDLE], f ?? null); }

  /** The forward method's TorchScript source, as Python's `.code`. */
  get code(): string { return native.jit_code(this[SCRIPT_HANDLE], 'forward'); }
  /** The forward method's graph, as Python's `.graph` prints it. */
  get graph(): string { return native.jit_graph(this[SCRIPT_HANDLE], 'forward'); }

  /** @internal For torch.jit.freeze / optimize_for_inference. */
  _frozen(optimize: boolean): ScriptModule { return new ScriptModule(native.jit_freeze(this[SCRIPT_HANDLE], optimize)); }

  _get_name(): string { return 'RecursiveScriptModule'; }
  extra_repr(): string { return `original_name=${this.original_name}`; }
}

export interface JitLoadOptions {
  /** Where the tensors go: a device (string or torch.device). */
  map_location?: DeviceLike | null;
}

/** torch.jit.load(f, { map_location }): f is a path or the archive's bytes. */
export function load(f: string | Uint8Array | ArrayBuffer, options: JitLoadOptions = {}): ScriptModule {
  for (const key of Object.keys(options)) {
    if (key !== 'map_location') throw new TypeError(`load() got an unexpected keyword argument '${key}'`);
  }
  const loc = options.map_location ?? null;
  return new ScriptModule(native.jit_load(f, loc === null ? null : deviceString(loc)));
}

/** torch.jit.save(m, f). */
export function save(m: ScriptModule, f: string): void {
  if (!(m instanceof ScriptModule)) throw new TypeError('torch.jit.save() expects a ScriptModule (from torch.jit.load)');
  m.save(f);
}

/** torch.jit.freeze(m): a copy with parameters and attributes inlined as constants (m must be in eval mode). */
export function freeze(m: ScriptModule): ScriptModule {
  expect.instance('freeze', 'mod', m, ScriptModule, 0);
  if (m.training) throw new Error('Freezing is currently only implemented for modules in eval mode. Please call .eval() on your module before freezing.');
  return m._frozen(false);
}

/** torch.jit.optimize_for_inference(m): freezes, then runs LibTorch's inference passes. */
export function optimize_for_inference(m: ScriptModule): ScriptModule {
  expect.instance('optimize_for_inference', 'mod', m, ScriptModule, 0);
  if (m.training) m.eval();
  return m._frozen(true);
}

/** Sets the size of the native pool that runs call_async/forward_async (before its first use); returns it. */
export function set_async_threads(n: number): number { return native.jit_async_threads(n); }
export function get_async_threads(): number { return native.jit_async_threads(null); }

export interface TraceOptions {
  /** Runs the trace on the example inputs and warns (TracerWarning) when its outputs differ from the eager ones. */
  check_trace?: boolean;
  /** Relative tolerance of that check (Python's default 1e-5). */
  check_tolerance?: number;
  /** Refuse mutable containers as outputs, as Python's strict tracing does. */
  strict?: boolean;
  _force_outplace?: boolean;
}

type Traceable = Module | ((...inputs: Tensor[]) => Tensor | Tensor[]);
interface ModuleSpec { name: string; params: [string, Handle][]; buffers: [string, Handle][]; children: [string, ModuleSpec][] }

/** The module tree as native/jit.cpp mirrors it: the same parameter and buffer tensors, by name. */
function moduleSpec(m: Module): ModuleSpec {
  const own = <T>(map: Map<string, T | null>) => [...map].filter((e): e is [string, T] => e[1] !== null);
  const inner = m as unknown as { _parameters: Map<string, Tensor | null>; _buffers: Map<string, Tensor | null>; _modules: Map<string, Module | null> };
  return {
    name: m._get_name(),
    params: own(inner._parameters).map(([n, p]) => [n, p._h]),
    buffers: own(inner._buffers).map(([n, b]) => [n, b._h]),
    children: own(inner._modules).map(([n, c]) => [n, moduleSpec(c)]),
  };
}

/**
 * torch.jit.trace(func, example_inputs): runs func (an nn.Module or a function of
 * tensors) once on the example inputs and records every op through LibTorch's
 * tracer, giving a ScriptModule that torch.jit.save writes and Python's
 * torch.jit.load runs. As in Python, control flow and JS values are frozen at
 * their values during the trace: a branch taken, a loop's count, `t.item()`,
 * a shape read into a JS number all become constants. A module's parameters
 * and buffers stay the module's own tensors (shared, not copied).
 */
export function trace(func: Traceable, example_inputs: Tensor | Tensor[], options: TraceOptions = {}): ScriptModule {
  for (const key of Object.keys(options)) {
    if (!['check_trace', 'check_tolerance', 'strict', '_force_outplace'].includes(key)) throw new TypeError(`trace() got an unexpected keyword argument '${key}'`);
  }
  const inputs = example_inputs instanceof Tensor ? [example_inputs]
    : Array.isArray(example_inputs) ? listOf(example_inputs, 'trace(): example_inputs') : null;
  if (!inputs || !inputs.every((t) => t instanceof Tensor)) throw new TypeError('trace(): example_inputs must be a Tensor or an array of Tensors');
  const spec: ModuleSpec = func instanceof Module ? moduleSpec(func)
    : typeof func === 'function' ? { name: func.name || 'TracedFunction', params: [], buffers: [], children: [] }
      : (() => { throw new TypeError('trace(): func must be an nn.Module or a function'); })();
  const run = (...handles: Handle[]) => toNative((func as (...xs: Tensor[]) => unknown)(...handles.map((h) => new Tensor(h))));
  const traced = new ScriptModule(native.jit_trace(spec, run, inputs.map((t) => t._h), options.strict ?? true, options._force_outplace ?? false));
  if (func instanceof Module) traced.train(func.training);
  if (options.check_trace ?? true) checkTrace(func, traced, inputs, options.check_tolerance ?? 1e-5);
  return traced;
}

/** Python's check_trace, on outputs: the trace run again on the inputs must give what func gives. */
function checkTrace(func: Traceable, traced: ScriptModule, inputs: Tensor[], rtol: number): void {
  const flat = (v: unknown): Tensor[] => (v instanceof Tensor ? [v] : Array.isArray(v) ? v.flatMap(flat) : []);
  no_grad(() => {
    const eager = flat((func as (...xs: Tensor[]) => unknown)(...inputs)), again = flat(traced(...inputs));
    eager.forEach((e, i) => {
      const t = again[i];
      const close = t !== undefined && e.shape.join() === t.shape.join() &&
        (e.numel() === 0 || e.sub(t).abs().le(e.abs().mul(rtol).add(1e-5)).all().item());
      if (!close) {
        warn(`Output nr ${i + 1}. of the traced function does not match the corresponding output of the Python function. ` +
          'Detailed error:\nthe traced function gives a different value (control flow or a JS value that depends on the input?)',
        TracerWarning);
      }
    });
  });
}
