// torch.nn.utils.clip_grad_norm_ / clip_grad_value_ and parameters_to_vector /
// vector_to_parameters, as PyTorch 1.13's clip_grad.py and convert_parameters.py.
import { Tensor } from '../../tensor';
import * as G from '../../generated/torch';
import { no_grad } from '../../autograd';
import { tensor } from '../../creation';
import { bind, py, REQUIRED, Rest, typename } from '../common';
import { warn } from '../../warnings';

const T = G as unknown as Record<string, (...a: unknown[]) => any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A tensor or an iterable of tensors, as a list. */
function tensors(fn: string, parameters: Tensor | Iterable<Tensor>): Tensor[] {
  if (parameters instanceof Tensor) return [parameters];
  if (parameters == null || typeof (parameters as Iterable<Tensor>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${fn}(): parameters must be a Tensor or an iterable of Tensors, not ${typename(parameters)}`);
  }
  const list = [...parameters];
  for (const p of list) {
    if (!(p instanceof Tensor)) throw new TypeError(`${fn}(): parameters must be a Tensor or an iterable of Tensors, but an element is ${typename(p)}`);
  }
  return list;
}

interface ClipNormArgs { max_norm: number; norm_type: number | string; error_if_nonfinite: boolean; foreach: boolean | null }
const CLIP_SPEC = { max_norm: REQUIRED, norm_type: 2.0, error_if_nonfinite: false, foreach: null } as const;

/** Python's float() of norm_type: numbers, and the strings 'inf' / '-inf'. */
function normType(v: number | string): number {
  if (typeof v === 'number') return v;
  if (v === 'inf') return Infinity;
  if (v === '-inf') return -Infinity;
  throw new TypeError(`clip_grad_norm_(): norm_type must be a number, not ${typename(v)}`);
}

/**
 * clip_grad_norm_(parameters, max_norm, norm_type = 2.0, error_if_nonfinite = false, foreach = null):
 * scales the gradients in place so that their total norm is at most max_norm; returns the total
 * norm. `foreach` (a later PyTorch's fast-path switch) is accepted; the result is the same either way.
 */
export function clip_grad_norm_(parameters: Tensor | Iterable<Tensor>, ...args: Rest<[number, number | string, boolean, boolean | null], Partial<ClipNormArgs>>): Tensor {
  const a = bind<ClipNormArgs>('clip_grad_norm_', args, CLIP_SPEC as never);
  if (typeof a.max_norm !== 'number') throw new TypeError(`clip_grad_norm_(): max_norm must be a number, not ${typename(a.max_norm)}`);
  const p = normType(a.norm_type);
  const grads = tensors('clip_grad_norm_', parameters).map((t) => t.grad).filter((g): g is Tensor => g != null);
  if (grads.length === 0) return tensor(0.0);
  return no_grad(() => {
    const device = grads[0].device;
    let total: Tensor;
    if (p === Infinity) {
      const norms = grads.map((g) => g.detach().abs().max().to(device));
      total = norms.length === 1 ? norms[0] : T.stack(norms).max();
    } else {
      total = T.stack(grads.map((g) => g.detach().norm(p).to(device))).norm(p);
    }
    if (a.error_if_nonfinite && !Number.isFinite(Number(total.item()))) {
      throw new Error(`The total norm of order ${py(p, { float: true })} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``);
    }
    const coef = total.add(1e-6).reciprocal().mul(a.max_norm).clamp({ max: 1.0 });
    for (const g of grads) g.detach().mul_(coef.to(g.device));
    return total;
  });
}

/** The deprecated spelling: warns, then clip_grad_norm_. */
export function clip_grad_norm(parameters: Tensor | Iterable<Tensor>, ...args: Rest<[number, number | string, boolean, boolean | null], Partial<ClipNormArgs>>): Tensor {
  warn('torch.nn.utils.clip_grad_norm is now deprecated in favor of torch.nn.utils.clip_grad_norm_.');
  return clip_grad_norm_(parameters, ...args);
}

/** clip_grad_value_(parameters, clip_value): clamps every gradient into [-clip_value, clip_value], in place. */
export function clip_grad_value_(parameters: Tensor | Iterable<Tensor>, ...args: Rest<[number, boolean | null], { clip_value?: number; foreach?: boolean | null }>): void {
  const a = bind<{ clip_value: number; foreach: boolean | null }>('clip_grad_value_', args, { clip_value: REQUIRED, foreach: null } as never);
  if (typeof a.clip_value !== 'number') throw new TypeError(`clip_grad_value_(): clip_value must be a number, not ${typename(a.clip_value)}`);
  const v = a.clip_value;
  no_grad(() => {
    for (const t of tensors('clip_grad_value_', parameters)) if (t.grad != null) t.grad.clamp_({ min: -v, max: v });
  });
}

/** Python's _check_param_device: every parameter on one device. */
function checkDevice(param: Tensor, old: number | null): number {
  const dev = param.is_cuda ? param.get_device() : -1;
  if (old === null) return dev;
  if (dev !== old) throw new TypeError('Found two parameters on different devices, this is currently not supported.');
  return old;
}

/** parameters_to_vector(parameters): one flat tensor of all of them. */
export function parameters_to_vector(parameters: Iterable<Tensor>): Tensor {
  let dev: number | null = null;
  const vec: Tensor[] = [];
  for (const p of tensors('parameters_to_vector', parameters)) {
    dev = checkDevice(p, dev);
    vec.push(p.view(-1));
  }
  return T.cat(vec);
}

/** vector_to_parameters(vec, parameters): each parameter's data becomes its slice of vec (a view, as in Python). */
export function vector_to_parameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) throw new TypeError(`expected torch.Tensor, but got: ${typename(vec)}`);
  let dev: number | null = null;
  let pointer = 0;
  for (const p of tensors('vector_to_parameters', parameters)) {
    dev = checkDevice(p, dev);
    const n = p.numel();
    p.data = vec.narrow(0, pointer, n).view_as(p).detach();
    pointer += n;
  }
}
