// torch.autograd, and the grad-mode functions (torch.no_grad, ...).
import { native } from './native';
import { Tensor, checkGradOutputs } from './tensor';

function withGradMode<T>(mode: boolean, fn: () => T): T {
  const prev = native.is_grad_enabled();
  native.set_grad_enabled(mode);
  try {
    return fn();
  } finally {
    native.set_grad_enabled(prev);
  }
}

/** Python's `with torch.no_grad():` is `torch.no_grad(() => { ... })`; returns fn's result. */
export function no_grad<T>(fn: () => T): T { return withGradMode(false, fn); }
export function enable_grad<T>(fn: () => T): T { return withGradMode(true, fn); }
/** set_grad_enabled(mode) sets the mode; set_grad_enabled(mode, fn) sets it around fn only. */
export function set_grad_enabled(mode: boolean): void;
export function set_grad_enabled<T>(mode: boolean, fn: () => T): T;
export function set_grad_enabled<T>(mode: boolean, fn?: () => T): T | void {
  if (typeof mode !== 'boolean') throw new TypeError('set_grad_enabled(): mode must be a boolean');
  if (fn) return withGradMode(mode, fn);
  native.set_grad_enabled(mode);
}
export function is_grad_enabled(): boolean { return native.is_grad_enabled(); }

const asList = (t: Tensor | Tensor[]): Tensor[] => (Array.isArray(t) ? t : [t]);

/** torch.autograd.grad: the gradients of outputs with respect to inputs (null for unused inputs with allow_unused). */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: {
  grad_outputs?: Tensor | (Tensor | null)[] | null; retain_graph?: boolean; create_graph?: boolean; allow_unused?: boolean;
} = {}): (Tensor | null)[] {
  const goList = opts.grad_outputs == null ? null : Array.isArray(opts.grad_outputs) ? opts.grad_outputs : [opts.grad_outputs];
  if (goList) checkGradOutputs(asList(outputs), goList);
  const go = goList ? goList.map((g) => (g ? g._h : null)) : null;
  const create = opts.create_graph ?? false;
  const r = native.autograd_grad(asList(outputs).map((t) => t._h), asList(inputs).map((t) => t._h), go,
    opts.retain_graph ?? (create ? true : null), create, opts.allow_unused ?? false);
  return r.map((h) => (h === null ? null : new Tensor(h)));
}

/** torch.autograd.backward(tensors, grad_tensors, { retain_graph, create_graph, inputs }). */
export function backward(tensors: Tensor | Tensor[], grad_tensors?: Tensor | (Tensor | null)[] | null, opts: { retain_graph?: boolean; create_graph?: boolean; inputs?: Tensor[] } = {}): void {
  const ts = asList(tensors);
  const gs = grad_tensors == null ? [] : Array.isArray(grad_tensors) ? grad_tensors : [grad_tensors];
  ts.forEach((t, i) => t.backward(gs[i] ?? null, {
    retain_graph: i < ts.length - 1 ? true : opts.retain_graph, create_graph: opts.create_graph, inputs: opts.inputs,
  }));
}

export { Function, FunctionCtx, once_differentiable } from './autograd_function';
export * as functional from './autograd_functional';
export { gradcheck, gradgradcheck, GradcheckError } from './autograd_gradcheck';
