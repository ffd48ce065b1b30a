// TEMPORARY: parameter-free nn modules (and nn.init.trunc_normal_) the zoo needs that lib/nn does
// not have yet. They are being written in lib/nn in parallel; the integrator switches the models to
// nn's classes and deletes this file. Each is PyTorch's module of the same name, on nn.functional,
// with the same constructor arguments and printed form, so the switch changes nothing visible.
import { Tensor } from '../../tensor';
import { Module } from '../../nn/module';
import * as F from '../../nn/functional';
import { no_grad } from '../../autograd';
import { bind, Rest } from '../../nn/common';
import { tensor } from '../../creation';
import { float64 } from '../../dtype';
import { scope } from '../../memory';

type InplaceArgs = Rest<[boolean], { inplace?: boolean }>;

/** An elementwise activation whose only argument is `inplace`, printed as `Name(inplace=True)` when set. */
export abstract class _InplaceActivation extends Module {
  declare inplace: boolean;
  constructor(...args: InplaceArgs) {
    super();
    this.inplace = bind<{ inplace: boolean }>(this.constructor.name, args, { inplace: false }).inplace;
  }
  abstract f(x: Tensor, inplace: boolean): Tensor;
  forward(input: Tensor): Tensor { return this.f(input, this.inplace); }
  extra_repr(): string { return this.inplace ? 'inplace=True' : ''; }
}

/** nn.ReLU6: min(max(0, x), 6). */
export class ReLU6 extends _InplaceActivation { f(x: Tensor, inplace: boolean): Tensor { return F.relu6(x, inplace); } }
/** nn.Hardswish: x * relu6(x + 3) / 6. PyTorch prints it without `inplace`. */
export class Hardswish extends _InplaceActivation {
  f(x: Tensor, inplace: boolean): Tensor { return F.hardswish(x, inplace); }
  extra_repr(): string { return ''; }
}
/** nn.Hardsigmoid: relu6(x + 3) / 6. PyTorch prints it without `inplace`. */
export class Hardsigmoid extends _InplaceActivation {
  f(x: Tensor, inplace: boolean): Tensor { return F.hardsigmoid(x, inplace); }
  extra_repr(): string { return ''; }
}
/** nn.SiLU: x * sigmoid(x). */
export class SiLU extends _InplaceActivation { f(x: Tensor, inplace: boolean): Tensor { return F.silu(x, inplace); } }

/**
 * nn.init.trunc_normal_(tensor, mean, std, a, b): PyTorch's inverse-CDF method (uniform draws
 * mapped through erfinv), so the values are PyTorch's bit for bit after the same seed.
 */
export function trunc_normal_(tensor: Tensor, mean = 0, std = 1, a = -2, b = 2): Tensor {
  const norm_cdf = (x: number) => (1 + erf(x / Math.SQRT2)) / 2;
  return no_grad(() => {
    const l = norm_cdf((a - mean) / std);
    const u = norm_cdf((b - mean) / std);
    tensor.uniform_(2 * l - 1, 2 * u - 1);
    tensor.erfinv_();
    tensor.mul_(std * Math.sqrt(2));
    tensor.add_(mean);
    tensor.clamp_(a, b);
    return tensor;
  });
}

/**
 * math.erf as PyTorch's trunc_normal_ calls it (Python's math.erf is glibc's erf). ATen's float64 erf
 * equals it at the bounds the zoo uses (|x| > 6: exactly +-1) and at 1172 of 1200 points of
 * [-6, 6) measured; elsewhere it may differ in the last bit, and then so may the uniform_ bounds.
 */
function erf(x: number): number {
  return scope(() => Number(tensor([x], { dtype: float64 }).erf().item()));
}
