// nn.Dropout.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import * as F from '../functional';
import { bind, py, Rest } from '../common';

// p is a float in Python's signature: 1 prints as 1.0, as Python prints Dropout(p=1.0).
const FLOAT = { float: true };

export interface DropoutArgs { p: number; inplace: boolean }

/** Zeroes each element with probability p in training (scaling the rest by 1/(1-p)); the identity in eval. */
export class Dropout extends Module {
  declare p: number;
  declare inplace: boolean;
  constructor(...args: Rest<[number, boolean], Partial<DropoutArgs>>) {
    super();
    const a = bind<DropoutArgs>('Dropout', args, { p: 0.5, inplace: false });
    if (typeof a.p !== 'number') throw new TypeError(`Dropout: p must be a number, not ${typeof a.p}`);
    if (a.p < 0 || a.p > 1) throw new Error(`dropout probability has to be between 0 and 1, but got ${py(a.p)}`);
    this.p = a.p;
    this.inplace = a.inplace;
  }
  forward(input: Tensor): Tensor { return F.dropout(input, this.p, this.training, this.inplace); }
  extra_repr(): string { return `p=${py(this.p, FLOAT)}, inplace=${py(this.inplace)}`; }
}
