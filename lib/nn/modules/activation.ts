// Elementwise activations and (log-)softmax.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import * as F from '../functional';
import { bind, py, pyStrRepr, Rest } from '../common';

/** max(0, x); with inplace, x itself is overwritten and returned. */
export class ReLU extends Module {
  declare inplace: boolean;
  constructor(...args: Rest<[boolean], { inplace?: boolean }>) {
    super();
    this.inplace = bind<{ inplace: boolean }>('ReLU', args, { inplace: false }).inplace;
  }
  forward(input: Tensor): Tensor { return F.relu(input, this.inplace); }
  extra_repr(): string { return this.inplace ? 'inplace=True' : ''; }
}

export class Sigmoid extends Module {
  forward(input: Tensor): Tensor { return F.sigmoid(input); }
}

export class Tanh extends Module {
  forward(input: Tensor): Tensor { return F.tanh(input); }
}

type Approximate = 'none' | 'tanh';
/** x * Phi(x); approximate 'tanh' uses the tanh approximation. */
export class GELU extends Module {
  declare approximate: Approximate;
  constructor(...args: Rest<[Approximate], { approximate?: Approximate }>) {
    super();
    this.approximate = bind<{ approximate: Approximate }>('GELU', args, { approximate: 'none' }).approximate;
  }
  forward(input: Tensor): Tensor { return F.gelu(input, { approximate: this.approximate }); }
  extra_repr(): string { return `approximate=${pyStrRepr(this.approximate)}`; }
}

/** Softmax along dim (null: PyTorch's deprecated implicit choice, with its warning). */
export class Softmax extends Module {
  declare dim: number | null;
  constructor(...args: Rest<[number | null], { dim?: number | null }>) {
    super();
    this.dim = bind<{ dim: number | null }>('Softmax', args, { dim: null }).dim;
  }
  forward(input: Tensor): Tensor { return F.softmax(input, this.dim); }
  extra_repr(): string { return `dim=${py(this.dim)}`; }
}

/** log(softmax(x)) along dim, computed stably. */
export class LogSoftmax extends Module {
  declare dim: number | null;
  constructor(...args: Rest<[number | null], { dim?: number | null }>) {
    super();
    this.dim = bind<{ dim: number | null }>('LogSoftmax', args, { dim: null }).dim;
  }
  forward(input: Tensor): Tensor { return F.log_softmax(input, this.dim); }
  extra_repr(): string { return `dim=${py(this.dim)}`; }
}
