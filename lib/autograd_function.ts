// torch.autograd.Function: custom operations with a backward written in JS, run inside
// LibTorch's autograd graph. The graph node is native (autograd.cpp's JsFunctionNode, Python's
// PyNode); it holds the ctx below and calls ctx._run_backward when the engine reaches it.
//
// Threads: the node calls JS only on the JS thread (main or worker) whose env created it. A
// backward that reaches it on any other thread (a jit pool thread, a device thread) raises
// "<Name>Backward needs to run JS, but backward reached it on a thread that is not the JS
// thread that created it ..." from that backward call; nothing is marshalled.
import { native, Handle, FunctionHandle, NodeHandle } from './native';
import { Tensor, GradFn } from './tensor';
import { expect } from './guard';

function noGrad<T>(fn: () => T): T {
  const prev = native.is_grad_enabled();
  native.set_grad_enabled(false);
  try {
    return fn();
  } finally {
    native.set_grad_enabled(prev);
  }
}

const NONE: readonly Tensor[] = Object.freeze([]);

function tensorsArg(what: string, ts: unknown[]): Tensor[] {
  ts.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`${what}(): argument ${i} must be a Tensor, not ${t === null ? 'null' : typeof t}`);
  });
  return ts as Tensor[];
}

type FunctionClass = { name: string; forward(ctx: FunctionCtx, ...args: any[]): unknown; backward(ctx: FunctionCtx, ...grads: any[]): unknown };

/**
 * Python's ctx (a `<Name>Backward` object): what forward records for backward. After apply() it is
 * also the output's grad_fn (name(), next_functions, metadata, register_hook).
 */
export class FunctionCtx extends GradFn {
  /** For each forward argument: is it a Tensor that requires grad. */
  needs_input_grad: boolean[];
  /** @internal */ _to_save: (Tensor | null)[] | null = null;
  // mark_dirty/mark_non_differentiable replace these (never change them in place): one shared empty list
  /** @internal */ _dirty: readonly Tensor[] = NONE;
  /** @internal */ _non_differentiable: readonly Tensor[] = NONE;
  /** @internal */ _materialize_grads = true;
  /** @internal */ _fn: FunctionHandle | null = null;
  /** @internal */ readonly _cls: FunctionClass;
  /** @internal */ _nargs = 0;
  /** @internal Positions of the tensor arguments of forward (ascending). */
  _tensor_pos: number[];
  [key: string]: unknown;

  /** @internal apply() gives the argument lists it made, so that none is made twice. */
  constructor(cls: FunctionClass, needs_input_grad: boolean[] = [], tensor_pos: number[] = []) {
    expect.callable('FunctionCtx', 'cls', cls, 0);
    super();
    this._cls = cls;
    this.needs_input_grad = needs_input_grad;
    this._tensor_pos = tensor_pos;
  }

  save_for_backward(...tensors: (Tensor | null | undefined)[]): void {
    tensors.forEach((t, i) => {
      if (t !== null && t !== undefined && !(t instanceof Tensor)) {
        throw new TypeError(`save_for_backward can only save variables, but argument ${i} is of type ${typeof t}`);
      }
    });
    this._to_save = tensors.map((t) => t ?? null);
  }
  /** @internal Tensors for jvp (save_for_forward): what saved_tensors gives until apply() returns. */
  _saved_for_forward: (Tensor | null)[] | null = null;
  /** Saves tensors for jvp (forward-mode AD), where saved_tensors reads them. */
  save_for_forward(...tensors: (Tensor | null | undefined)[]): void {
    tensors.forEach((t) => {
      if (t !== null && t !== undefined && !(t instanceof Tensor)) {
        throw new TypeError('save_for_forward expects all arguments to be tensors; you should save non-tensors as attributes on ctx.');
      }
    });
    this._saved_for_forward = tensors.map((t) => t ?? null);
  }
  /** The tensors given to save_for_backward, as they are now (an error once the graph freed them); in jvp, those of save_for_forward. */
  get saved_tensors(): (Tensor | null)[] {
    if (this._saved_for_forward) return this._saved_for_forward.slice();
    if (!this._fn) return (this._to_save ?? []).slice();
    return native.function_saved_tensors(this._fn).map((h) => (h === null ? null : new Tensor(h)));
  }
  mark_dirty(...tensors: Tensor[]): void { this._dirty = tensorsArg('mark_dirty', tensors); }
  mark_non_differentiable(...tensors: Tensor[]): void { this._non_differentiable = tensorsArg('mark_non_differentiable', tensors); }
  set_materialize_grads(value: boolean): void {
    if (typeof value !== 'boolean') throw new TypeError(`set_materialize_grads(): value must be a boolean, not ${typeof value}`);
    this._materialize_grads = value;
  }
  name(): string { return nodeName(this._cls); }
  /** @internal */
  _node(): NodeHandle {
    const n = this._fn ? native.function_node(this._fn) : null;
    if (!n) throw new Error(`${this.name()}: this Function is not part of a graph (no input required grad, or the graph was freed)`);
    return n;
  }
  toString(): string { return `<${this.name()} object>`; }

  /** @internal Called during apply() when an input is a dual tensor: the class's jvp(ctx, ...tangents). */
  _run_jvp(tangentHandles: (Handle | null)[]): (Handle | null)[] {
    const tangents: (Tensor | null)[] = new Array(this._nargs).fill(null);
    this._tensor_pos.forEach((pos, k) => { const h = tangentHandles[k]; tangents[pos] = h === null ? null : new Tensor(h); });
    const jvp = (this._cls as { jvp?: (ctx: FunctionCtx, ...t: (Tensor | null)[]) => unknown }).jvp;
    if (typeof jvp !== 'function') throw new Error('You must implement the jvp function for custom autograd.Function to use it with forward mode AD.');
    const r = jvp.call(this._cls, this, ...tangents);
    const rs = Array.isArray(r) ? r : [r];
    return rs.map((t, i) => {
      if (t === null || t === undefined) return null;
      if (!(t instanceof Tensor)) throw new TypeError(`jvp of ${this.name()} returned a ${typeof t} as tangent ${i}, expected a Tensor or null`);
      return t._h;
    });
  }

  /** @internal Called by the native node (through runBackward below): the class's backward, checked as Python checks its result. */
  _run_backward(gradHandles: (Handle | null)[]): (Handle | null)[] {
    const ng = gradHandles.length;
    const grads: (Tensor | null)[] = new Array(ng);
    for (let i = 0; i < ng; i++) { const h = gradHandles[i]; grads[i] = h === null ? null : new Tensor(h); }
    const cls = this._cls as FunctionClass & { vjp?: FunctionClass['backward'] };
    const hasBackward = cls.backward !== Function.backward, hasVjp = cls.vjp !== undefined && cls.vjp !== Function.vjp;
    if (hasBackward && hasVjp) throw new Error("Implementing both 'backward' and 'vjp' for a custom Function is not allowed. You should only implement one of them.");
    const r = hasVjp ? (cls.vjp as FunctionClass['backward']).call(cls, this, ...grads) : cls.backward(this, ...grads);
    const rs: unknown[] = Array.isArray(r) ? r : [r];
    const n = this._nargs;
    let extra = false;
    for (let i = n; i < rs.length; i++) if (rs[i] !== null && rs[i] !== undefined) extra = true;
    if (rs.length < n || extra) {
      throw new Error(`function ${this.name()} returned an incorrect number of gradients (expected ${n}, got ${rs.length})`);
    }
    // One pass over the arguments: _tensor_pos is ascending.
    const pos = this._tensor_pos;
    const out: (Handle | null)[] = new Array(pos.length);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const isTensorArg = k < pos.length && pos[k] === i;
      const g = rs[i];
      if (g !== null && g !== undefined) {
        if (!isTensorArg) {
          throw new Error(`function ${this.name()} returned a gradient different than None at position ${i + 1}, but the corresponding forward input was not a Variable`);
        }
        if (!(g instanceof Tensor)) throw new TypeError(`function ${this.name()} returned a ${typeof g} as gradient ${i + 1}, expected a Tensor or null`);
      }
      if (isTensorArg) out[k++] = g instanceof Tensor ? g._h : null;
    }
    return out;
  }
}

// The native node calls this one function (registered once per env) rather than looking
// `_run_backward` up on each ctx by name.
native.function_set_runner((ctx, grads) => (ctx as FunctionCtx)._run_backward(grads));

// `<Name>Backward` per class, made once: the node's name is passed on every apply().
const nodeNames = new WeakMap<object, string>();
function nodeName(cls: FunctionClass): string {
  let name = nodeNames.get(cls);
  if (name === undefined) { name = `${cls.name}Backward`; nodeNames.set(cls, name); }
  return name;
}

/**
 * torch.autograd.Function: subclass it with static forward(ctx, ...args) and static
 * backward(ctx, ...grads), and call `MyFn.apply(...args)`.
 */
export class Function {
  static forward(_ctx: FunctionCtx, ..._args: any[]): any {
    throw new Error('You must implement the forward function for custom autograd.Function.');
  }
  static backward(_ctx: FunctionCtx, ..._grads: any[]): any {
    throw new Error('You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.');
  }
  /** Another name for backward (define one of the two). */
  static vjp(ctx: FunctionCtx, ...grads: any[]): any { return Function.backward(ctx, ...grads); }
  /** Forward-mode AD: the output tangents from the input tangents (null for non-tensor arguments). */
  static jvp(_ctx: FunctionCtx, ..._tangents: any[]): any {
    throw new Error('You must implement the jvp function for custom autograd.Function to use it with forward mode AD.');
  }
  /** Runs forward without recording it and records one node for it whose backward is this class's. */
  static apply(this: FunctionClass, ...args: any[]): any {
    const cls = this;
    if (cls.forward === Function.forward) throw new Error('You must implement the forward function for custom autograd.Function.');
    const n = args.length;
    const pos: number[] = [], inputs: Handle[] = [], needs: boolean[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const a = args[i];
      if (a instanceof Tensor) {
        pos.push(i);
        inputs.push(a._h);
        needs[i] = a.requires_grad;
      } else {
        needs[i] = false;
      }
    }
    const ctx = new FunctionCtx(cls, needs, pos);
    ctx._nargs = n;
    // forward runs with both grad modes off, as Python's: its outputs get their history (and
    // forward-mode tangents, through jvp) from the node below only
    const modes = native.function_forward_begin();
    let out: unknown;
    try {
      out = cls.forward(ctx, ...args);
    } finally {
      native.function_forward_end(modes);
    }
    const isArray = Array.isArray(out);
    const outs: unknown[] = isArray ? out as unknown[] : [out];
    const nout = outs.length;
    const handles: (Handle | null)[] = new Array(nout);  // function_apply writes new outputs' handles over these
    for (let i = 0; i < nout; i++) { const o = outs[i]; handles[i] = o instanceof Tensor ? o._h : null; }
    const toSave = ctx._to_save;
    let saveHandles: (Handle | null)[] | null = null;
    if (toSave) {
      saveHandles = new Array(toSave.length);
      for (let i = 0; i < toSave.length; i++) { const t = toSave[i]; saveHandles[i] = t ? t._h : null; }
    }
    ctx._fn = native.function_apply(ctx, nodeName(cls), inputs, handles, saveHandles,
      ctx._dirty.length ? ctx._dirty.map((t) => t._h) : null,
      ctx._non_differentiable.length ? ctx._non_differentiable.map((t) => t._h) : null, ctx._materialize_grads);
    ctx._saved_for_forward = null;  // jvp (if any) ran inside function_apply
    if (toSave) ctx._to_save = null;  // the node holds them now (or, with no graph, saved_tensors reads them back)
    if (!isArray) return output(outs[0], handles[0]);
    const results: unknown[] = new Array(nout);
    for (let i = 0; i < nout; i++) results[i] = output(outs[i], handles[i]);
    return results;
  }
}

// What apply() returns for forward's output o: o itself where the node took that very tensor
// (its handle is still there), a new Tensor for an alias (an input returned as is), else o.
function output(o: unknown, h: Handle | null): unknown {
  if (!(o instanceof Tensor)) return o;
  return h === o._h ? o : new Tensor(h as Handle);
}

const ONCE_MSG = 'trying to differentiate twice a function that was marked with @once_differentiable';

/**
 * Python's @once_differentiable for a backward: it runs without recording a graph, and its
 * results, where an input requires grad, raise if differentiated again.
 * `static backward = once_differentiable((ctx, g) => ...)`.
 */
export function once_differentiable<F extends (ctx: FunctionCtx, ...args: any[]) => any>(fn: F): F {
  if (typeof fn !== 'function') throw new TypeError('once_differentiable(): argument must be a function');
  const wrapped = function (this: unknown, ctx: FunctionCtx, ...args: any[]) {
    const out = noGrad(() => fn.call(this, ctx, ...args));
    if (!native.is_grad_enabled()) return out;
    if (!args.some((a) => a instanceof Tensor && a.requires_grad)) return out;
    const outs: unknown[] = Array.isArray(out) ? out : [out];
    const hs = native.delayed_error(outs.map((o) => (o instanceof Tensor ? o._h : null)), ONCE_MSG);
    const res = hs.map((h) => (h === null ? null : new Tensor(h)));
    return Array.isArray(out) ? res : res[0];
  };
  return wrapped as unknown as F;
}
