// TEMPORARY: parameter-free nn modules (and nn.init.trunc_normal_) the zoo needs that lib/nn does
// not have yet. They are being written in lib/nn in parallel; the integrator switches the models to
// nn's classes and deletes this file. Each is PyTorch's module of the same name, on nn.functional,
// with the same constructor arguments and printed form, so the switch changes nothing visible.
import { Tensor } from '../../tensor';
import { Module } from '../../nn/module';
import * as F from '../../nn/functional';
import { no_grad } from '../../autograd';
import { bind, Rest } from '../../nn/common';

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

/** Python's math.erf (double precision; the bounds it feeds are rounded the same way by uniform_). */
function erf(x: number): number {
  // Abramowitz-Stegun is not exact enough; use the series / continued fraction as in Cephes.
  const ax = Math.abs(x);
  if (ax < 2.2) {
    // Taylor series: erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
    let sum = 0, term = ax, n = 0;
    while (Math.abs(term) > 1e-17 * Math.abs(sum) || n < 3) {
      sum += term / (2 * n + 1);
      n++;
      term *= -ax * ax / n;
      if (n > 200) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc by continued fraction (Lentz) for larger |x|
  const tiny = 1e-300;
  let f = ax, C = ax, D = 0;
  for (let i = 1; i < 300; i++) {
    const an = i / 2;
    D = ax + an * D; D = D === 0 ? tiny : D; D = 1 / D;
    C = ax + an / C; C = C === 0 ? tiny : C;
    const delta = C * D; f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return Math.sign(x) * (1 - erfc);
}
