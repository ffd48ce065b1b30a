// torch.nn.utils.stateless.functional_call, fusion.fuse_conv_bn_eval /
// fuse_conv_bn_weights / fuse_linear_bn_eval, and skip_init, as PyTorch 1.13's.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import { Parameter } from '../parameter';
import * as G from '../../generated/torch';
import { typename } from '../common';
import { _deepcopy_module } from '../modules/transformer';
import { Conv2d, ConvTranspose2d } from '../modules/conv';
import type { memory_format } from '../../memory_format';

const T = G as unknown as Record<string, (...a: unknown[]) => any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * functional_call(module, parameters_and_buffers, args, kwargs = null): calls module with the given
 * tensors standing in for its parameters and buffers (by state_dict name), then puts the originals back.
 */
export function functional_call(module: Module, parameters_and_buffers: Record<string, Tensor> | Map<string, Tensor>,
  args: unknown, kwargs: Record<string, unknown> | null = null): unknown {
  if (!(module instanceof Module)) throw new TypeError(`functional_call(): module must be a Module, not ${typename(module)}`);
  const entries = parameters_and_buffers instanceof Map ? [...parameters_and_buffers] : Object.entries(parameters_and_buffers ?? {});
  const restore: Array<() => void> = [];
  try {
    for (const [key, t] of entries) {
      if (!(t instanceof Tensor)) throw new TypeError(`functional_call(): '${key}' must be a Tensor, not ${typename(t)}`);
      const parts = key.split('.');
      const owner = module.get_submodule(parts.slice(0, -1).join('.'));
      const name = parts[parts.length - 1];
      const where = owner._parameters.has(name) ? owner._parameters as Map<string, Tensor | null>
        : owner._buffers.has(name) ? owner._buffers : null;
      if (where === null) throw new Error(`${owner._get_name()} has no parameter or buffer \`${name}\``);
      const orig = where.get(name) ?? null;
      where.set(name, t);
      restore.push(() => where.set(name, orig));
    }
    const list = Array.isArray(args) ? args : [args];
    const call = module as unknown as (...a: unknown[]) => unknown;
    return kwargs && Object.keys(kwargs).length ? call(...list, kwargs) : call(...list);
  } finally {
    for (const r of restore.reverse()) r();
  }
}

interface BN { running_mean: Tensor; running_var: Tensor; eps: number; weight: Tensor | null; bias: Tensor | null; training: boolean }

/** fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose = false) -> [weight, bias] Parameters. */
export function fuse_conv_bn_weights(conv_w: Tensor, conv_b: Tensor | null, bn_rm: Tensor, bn_rv: Tensor, bn_eps: number,
  bn_w: Tensor | null, bn_b: Tensor | null, transpose = false): [Parameter, Parameter] {
  const b = conv_b ?? T.zeros_like(bn_rm);
  const w = bn_w ?? T.ones_like(bn_rm);
  const bb = bn_b ?? T.zeros_like(bn_rm);
  const rsqrt = bn_rv.add(bn_eps).rsqrt();
  const rest = Array(conv_w.dim() - 2).fill(1);
  const shape = transpose ? [1, -1, ...rest] : [-1, 1, ...rest];
  const fw = conv_w.mul(w.mul(rsqrt).reshape(shape));
  const fb = b.sub(bn_rm).mul(rsqrt).mul(w).add(bb);
  return [new Parameter(fw), new Parameter(fb)];
}

/** fuse_conv_bn_eval(conv, bn, transpose = false): a copy of conv computing conv then bn (both in eval). */
export function fuse_conv_bn_eval<M extends Module>(conv: M, bn: Module, transpose = false): M {
  if (conv.training || bn.training) throw new Error('Fusion only for eval!');
  const fused = _deepcopy_module(conv);
  const f = fused as unknown as { weight: Tensor; bias: Tensor | null };
  const n = bn as unknown as BN;
  [f.weight, f.bias] = fuse_conv_bn_weights(f.weight, f.bias, n.running_mean, n.running_var, n.eps, n.weight, n.bias, transpose);
  return fused;
}

/** fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b) -> [weight, bias] Parameters. */
export function fuse_linear_bn_weights(linear_w: Tensor, linear_b: Tensor | null, bn_rm: Tensor, bn_rv: Tensor, bn_eps: number,
  bn_w: Tensor, bn_b: Tensor): [Parameter, Parameter] {
  const b = linear_b ?? T.zeros_like(bn_rm);
  const scale = bn_w.mul(bn_rv.add(bn_eps).rsqrt());
  return [new Parameter(linear_w.mul(scale.unsqueeze(-1))), new Parameter(b.sub(bn_rm).mul(scale).add(bn_b))];
}

/** fuse_linear_bn_eval(linear, bn) */
export function fuse_linear_bn_eval<M extends Module>(linear: M, bn: Module): M {
  if (linear.training || bn.training) throw new Error('Fusion only for eval!');
  const fused = _deepcopy_module(linear);
  const f = fused as unknown as { weight: Tensor; bias: Tensor | null };
  const n = bn as unknown as BN;
  [f.weight, f.bias] = fuse_linear_bn_weights(f.weight, f.bias, n.running_mean, n.running_var, n.eps, n.weight!, n.bias!);
  return fused;
}

/**
 * skip_init(module_cls, ...args): the module without its initialisation. Python builds it on the
 * meta device and allocates empty storage; torch-node has no meta device, so it builds the module
 * with the default generator's state saved and restored around the constructor: no random
 * numbers are consumed (the point of skip_init for reproducibility), and the parameter values
 * are unspecified, as Python's uninitialised memory. A `device` keyword is honoured.
 */
export function skip_init<M extends Module>(module_cls: new (...a: any[]) => M, ...args: unknown[]): M { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (typeof module_cls !== 'function' || !(module_cls.prototype instanceof Module)) {
    throw new Error(`Expected a Module; got ${typename(module_cls)}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const torch = require('../../index') as { get_rng_state(): Tensor; set_rng_state(s: Tensor): void };
  const state = torch.get_rng_state();
  try {
    return new module_cls(...args);
  } finally {
    torch.set_rng_state(state);
  }
}


/**
 * convert_conv2d_weight_memory_format(module, memory_format): the weight of every Conv2d and
 * ConvTranspose2d in the tree re-laid in memory_format (e.g. torch.channels_last), in place.
 */
export function convert_conv2d_weight_memory_format<M extends Module>(module: M, memory_format: memory_format): M {
  if (!(module instanceof Module)) throw new TypeError(`convert_conv2d_weight_memory_format(): module must be a Module, not ${typename(module)}`);
  if (module instanceof Conv2d || module instanceof ConvTranspose2d) {
    const weight = module.weight as Tensor;
    const data = weight.detach().clone().contiguous({ memory_format });
    weight.data = data.resize_(data.size(), { memory_format });
    data.dispose();
  }
  for (const child of module.children()) convert_conv2d_weight_memory_format(child, memory_format);
  return module;
}
