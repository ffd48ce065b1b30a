// torch.autograd, and the grad-mode functions (torch.no_grad, ...).
import { native } from './native';
import { Tensor, checkGradOutputs } from './tensor';
import { stack } from './generated/torch';
import { warn } from './warnings';
import { expect } from './guard';
import { listOf } from './arraylike';

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

// A list's length is read once and checked before anything walks it (a sparse array or a Proxy
// claiming 2^32-1 elements hung grad() in map).
const asList = (t: Tensor | Tensor[], what: string): Tensor[] => (Array.isArray(t) ? listOf<Tensor>(t, what) : [t]);

/**
 * torch.autograd.grad: the gradients of outputs with respect to inputs (null for unused inputs with
 * allow_unused). is_grads_batched: each grad_output has a leading batch dimension and the results
 * are stacked along it (computed one batch entry at a time: no vmap here).
 */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], opts: {
  grad_outputs?: Tensor | (Tensor | null)[] | null; retain_graph?: boolean | null; create_graph?: boolean; allow_unused?: boolean; is_grads_batched?: boolean;
} = {}): (Tensor | null)[] {
  for (const k of Object.keys(opts)) {
    if (!['grad_outputs', 'retain_graph', 'create_graph', 'allow_unused', 'is_grads_batched'].includes(k)) throw new TypeError(`grad() got an unexpected keyword argument '${k}'`);
  }
  const goList = opts.grad_outputs == null ? null : Array.isArray(opts.grad_outputs)
    ? listOf<Tensor | null>(opts.grad_outputs, "grad(): argument 'grad_outputs'") : [opts.grad_outputs];
  const outs = asList(outputs, "grad(): argument 'outputs'");
  const create = opts.create_graph ?? false;
  const retain = opts.retain_graph ?? (create ? true : null);
  const run = (go: (Tensor | null)[] | null, keep: boolean | null) => native.autograd_grad(outs.map((t) => t._h), asList(inputs, "grad(): argument 'inputs'").map((t) => t._h),
    go ? go.map((g) => (g ? g._h : null)) : null, keep, create, opts.allow_unused ?? false).map((h) => (h === null ? null : new Tensor(h)));
  if (!opts.is_grads_batched) {
    if (goList) checkGradOutputs(outs, goList);
    return run(goList, retain);
  }
  if (!goList) throw new Error('grad(): is_grads_batched=True needs grad_outputs');
  const batch = goList.find((g) => g)?.shape[0] ?? 0;
  goList.forEach((g, i) => {
    if (!g) return;
    const a = g.shape.slice(1), b = outs[i].shape;
    if (a.length !== b.length || a.some((d, k) => d !== b[k]) || g.shape[0] !== batch) {
      throw new Error(`If \`is_grads_batched=True\`, we interpret the first dimension of each grad_output as the batch dimension. The sizes of the remaining dimensions are expected to match the shape of corresponding output, but a mismatch was detected: grad_output[${i}] has a shape of torch.Size([${a.join(', ')}]) and output[${i}] has a shape of torch.Size([${b.join(', ')}]). If you only want some tensors in \`grad_output\` to be considered batched, consider using vmap.`);
    }
  });
  const per: (Tensor | null)[][] = [];
  for (let b = 0; b < batch; b++) per.push(run(goList.map((g) => (g ? g.select(0, b) : null)), b < batch - 1 ? true : retain));
  return asList(inputs, "grad(): argument 'inputs'").map((_, j) => (per.length && per[0][j] !== null ? stack(per.map((r) => r[j] as Tensor), 0) : null));
}

/** torch.autograd.backward(tensors, grad_tensors, { retain_graph, create_graph, inputs }). */
export function backward(tensors: Tensor | Tensor[], grad_tensors?: Tensor | (Tensor | null)[] | null, opts: { retain_graph?: boolean; create_graph?: boolean; inputs?: Tensor[] } = {}): void {
  const ts = asList(tensors, "backward(): argument 'tensors'");
  ts.forEach((t, i) => expect.tensor('backward', `tensors[${i}]`, t));
  const gs = grad_tensors == null ? [] : Array.isArray(grad_tensors) ? grad_tensors : [grad_tensors];
  ts.forEach((t, i) => t.backward(gs[i] ?? null, {
    retain_graph: i < ts.length - 1 ? true : opts.retain_graph, create_graph: opts.create_graph, inputs: opts.inputs,
  }));
}

export { Function, FunctionCtx, once_differentiable } from './autograd_function';
export * as functional from './autograd_functional';
export { gradcheck, gradgradcheck, GradcheckError } from './autograd_gradcheck';

/** Python's `with torch.inference_mode(mode):` is `torch.inference_mode(mode, () => { ... })` (mode defaults to true). */
export function inference_mode<T>(fn: () => T): T;
export function inference_mode<T>(mode: boolean, fn: () => T): T;
export function inference_mode<T>(a: boolean | (() => T), b?: () => T): T {
  const [mode, fn] = typeof a === 'function' ? [true, a] : [a, b];
  if (typeof mode !== 'boolean') throw new TypeError('inference_mode(): mode must be a boolean');
  if (typeof fn !== 'function') throw new TypeError('inference_mode(): expected a function to run');
  const depth = native.inference_mode_enter(mode);
  try {
    return fn();
  } finally {
    native.inference_mode_exit(depth);
  }
}
export function is_inference_mode_enabled(): boolean { return native.is_inference_mode_enabled(); }

function withAnomaly<T>(mode: boolean, checkNan: boolean, fn: () => T): T {
  const prev = native.context('anomaly_enabled') as boolean, prevNan = native.context('anomaly_check_nan') as boolean;
  native.set_anomaly(mode, checkNan);
  try {
    return fn();
  } finally {
    native.set_anomaly(prev, prevNan);
  }
}

/**
 * Python's `with torch.autograd.detect_anomaly(check_nan=True):` is
 * `torch.autograd.detect_anomaly(() => { ... })` or `detect_anomaly(check_nan, () => { ... })`:
 * backward errors name the forward op that made the failing node; NaN results raise.
 */
export function detect_anomaly<T>(fn: () => T): T;
export function detect_anomaly<T>(check_nan: boolean, fn: () => T): T;
export function detect_anomaly<T>(a: boolean | (() => T), b?: () => T): T {
  const [checkNan, fn] = typeof a === 'function' ? [true, a] : [a, b];
  if (typeof checkNan !== 'boolean') throw new TypeError('detect_anomaly(): check_nan must be a boolean');
  if (typeof fn !== 'function') throw new TypeError('detect_anomaly(): expected a function to run');
  warn('Anomaly Detection has been enabled. This mode will increase the runtime and should only be enabled for debugging.');
  return withAnomaly(true, checkNan, fn);
}

/** set_detect_anomaly(mode, check_nan=true): around fn when given one, else from now on. */
export function set_detect_anomaly(mode: boolean, check_nan?: boolean): void;
export function set_detect_anomaly<T>(mode: boolean, fn: () => T): T;
export function set_detect_anomaly<T>(mode: boolean, check_nan: boolean, fn: () => T): T;
export function set_detect_anomaly<T>(mode: boolean, b?: boolean | (() => T), c?: () => T): T | void {
  const checkNan = typeof b === 'boolean' ? b : true;
  const fn = typeof b === 'function' ? b : c;
  if (typeof mode !== 'boolean') throw new TypeError('set_detect_anomaly(): mode must be a boolean');
  if (fn === undefined) { native.set_anomaly(mode, checkNan); return; }
  return withAnomaly(mode, checkNan, fn);
}
export * as forward_ad from './autograd_forward_ad';
