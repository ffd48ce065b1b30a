// nn.Flatten.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import { bind, Rest } from '../common';
import { checkTensor } from './_check';

export interface FlattenArgs { start_dim: number; end_dim: number }

/** Flattens dims start_dim..end_dim (by default all but the batch dimension). */
export class Flatten extends Module {
  declare start_dim: number;
  declare end_dim: number;
  constructor(...args: Rest<[number, number], Partial<FlattenArgs>>) {
    super();
    const a = bind<FlattenArgs>('Flatten', args, { start_dim: 1, end_dim: -1 });
    this.start_dim = a.start_dim;
    this.end_dim = a.end_dim;
  }
  forward(input: Tensor): Tensor {
    checkTensor('Flatten', 'input', input);
    return input.flatten(this.start_dim, this.end_dim);
  }
  extra_repr(): string { return `start_dim=${this.start_dim}, end_dim=${this.end_dim}`; }
}
