// nn.Linear and nn.Identity.
import { Tensor } from '../../tensor';
import { dtype } from '../../dtype';
import { DeviceLike } from '../../device';
import { Module } from '../module';
import { Parameter, emptyParameter } from '../parameter';
import * as F from '../functional';
import * as init from '../init';
import { bind, py, REQUIRED, Rest } from '../common';
import { checkInt } from './_check';

/** The factory keyword arguments every layer with parameters takes. */
export interface FactoryArgs { device: DeviceLike | null; dtype: dtype | null }

/** A placeholder that returns its input; takes (and ignores) any arguments, as Python's. */
export class Identity extends Module {
  constructor(..._args: unknown[]) { super(); }
  forward(input: Tensor): Tensor { return input; }
}

export interface LinearArgs extends FactoryArgs { in_features: number; out_features: number; bias: boolean }

/** y = x W^T + b, with W of shape [out_features, in_features]. */
export class Linear extends Module {
  declare in_features: number;
  declare out_features: number;
  declare weight: Parameter;
  declare bias: Parameter | null;

  constructor(in_features: number, out_features: number, ...args: Rest<[boolean], Partial<LinearArgs>>) {
    super();
    const a = bind<LinearArgs>('Linear', [in_features, out_features, ...args],
      { in_features: REQUIRED, out_features: REQUIRED, bias: true, device: null, dtype: null });
    checkInt('Linear', 'in_features', a.in_features);
    checkInt('Linear', 'out_features', a.out_features);
    this.in_features = a.in_features;
    this.out_features = a.out_features;
    this.weight = emptyParameter([a.out_features, a.in_features], a);
    if (a.bias) this.bias = emptyParameter([a.out_features], a);
    else this.register_parameter('bias', null);
    this.reset_parameters();
  }

  /** kaiming_uniform_(a = sqrt(5)) is U(-1/sqrt(in_features), 1/sqrt(in_features)); the bias draws from the same range. */
  reset_parameters(): void {
    init.kaiming_uniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const [fan_in] = init._calculate_fan_in_and_fan_out(this.weight);
      const bound = fan_in > 0 ? 1 / Math.sqrt(fan_in) : 0;
      init.uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor { return F.linear(input, this.weight, this.bias); }

  extra_repr(): string {
    return `in_features=${this.in_features}, out_features=${this.out_features}, bias=${py(this.bias !== null)}`;
  }
}
