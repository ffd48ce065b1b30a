// nn.AdaptiveLogSoftmaxWithLoss (Grave et al., "Efficient softmax approximation for GPUs"),
// as Python's torch/nn/modules/adaptive.py: a head over the shortlist and one
// cluster token per tail cluster, each tail a two-layer projection.
import { Tensor } from '../../tensor';
import { cat } from '../../generated/torch';
import { Module } from '../module';
import * as F from '../functional';
import { bind, py, REQUIRED, Rest } from '../common';
import { scope } from '../../memory';
import { FactoryArgs, Linear } from './linear';
import { ModuleList, Sequential } from './container';
import { checkInt, checkTensor } from './_check';

export interface AdaptiveLogSoftmaxWithLossArgs extends FactoryArgs {
  in_features: number; n_classes: number; cutoffs: number[]; div_value: number; head_bias: boolean;
}
/** Python's _ASMoutput namedtuple: [output, loss], also by name. */
export type ASMOutput = [Tensor, Tensor] & { output: Tensor; loss: Tensor };

export class AdaptiveLogSoftmaxWithLoss extends Module {
  declare in_features: number;
  declare n_classes: number;
  declare cutoffs: number[];
  declare div_value: number;
  declare head_bias: boolean;
  declare shortlist_size: number;
  declare n_clusters: number;
  declare head_size: number;
  declare head: Linear;
  declare tail: ModuleList;

  constructor(in_features: number, n_classes: number, cutoffs: number[], ...args: Rest<[number, boolean], Partial<AdaptiveLogSoftmaxWithLossArgs>>) {
    super();
    const a = bind<AdaptiveLogSoftmaxWithLossArgs>('AdaptiveLogSoftmaxWithLoss', [in_features, n_classes, cutoffs, ...args],
      { in_features: REQUIRED, n_classes: REQUIRED, cutoffs: REQUIRED, div_value: 4.0, head_bias: false, device: null, dtype: null });
    checkInt('AdaptiveLogSoftmaxWithLoss', 'in_features', a.in_features);
    checkInt('AdaptiveLogSoftmaxWithLoss', 'n_classes', a.n_classes);
    const c = [...a.cutoffs];
    const sorted = [...c].sort((x, y) => x - y);
    if (c.some((v, i) => v !== sorted[i]) || Math.min(...c) <= 0 || Math.max(...c) > a.n_classes - 1 || new Set(c).size !== c.length ||
      c.some((v) => !Number.isInteger(v))) {
      throw new Error('cutoffs should be a sequence of unique, positive integers sorted in an increasing order, ' +
        'where each value is between 1 and n_classes-1');
    }
    const factory = { device: a.device, dtype: a.dtype };
    this.in_features = a.in_features;
    this.n_classes = a.n_classes;
    this.cutoffs = [...c, a.n_classes];
    this.div_value = a.div_value;
    this.head_bias = a.head_bias;
    this.shortlist_size = this.cutoffs[0];
    this.n_clusters = this.cutoffs.length - 1;
    this.head_size = this.shortlist_size + this.n_clusters;
    this.head = new Linear(a.in_features, this.head_size, { bias: a.head_bias, ...factory });
    this.tail = new ModuleList();
    for (let i = 0; i < this.n_clusters; i++) {
      const hsz = Math.floor(a.in_features / a.div_value ** (i + 1));
      const osz = this.cutoffs[i + 1] - this.cutoffs[i];
      this.tail.append(new Sequential(new Linear(a.in_features, hsz, { bias: false, ...factory }), new Linear(hsz, osz, { bias: false, ...factory })));
    }
  }

  reset_parameters(): void {
    this.head.reset_parameters();
    for (const seq of this.tail) for (const l of seq as Sequential) (l as Linear).reset_parameters();
  }

  forward(input_: Tensor, target_: Tensor): ASMOutput {
    checkTensor('AdaptiveLogSoftmaxWithLoss', 'input_', input_);
    checkTensor('AdaptiveLogSoftmaxWithLoss', 'target_', target_);
    const targDim = target_.dim();
    if (targDim === 1) {
      if (input_.size(0) !== target_.size(0)) throw new Error('Input and target should have the same size in the batch dimension.');
      if (input_.dim() !== 2) throw new Error(`1D target tensor expects 2D input tensors, but found inputs with size torch.Size([${input_.shape.join(', ')}])`);
    } else if (targDim === 0) {
      if (input_.dim() !== 1) throw new Error(`0D target tensor expects 1D input tensors, but found inputs with size torch.Size([${input_.shape.join(', ')}])`);
    } else throw new Error('0D or 1D target tensor expected, multi-target not supported');
    const batched = targDim > 0;
    const [output, loss] = scope(() => {
      const input = batched ? input_ : input_.unsqueeze(0);
      const target = batched ? target_ : target_.unsqueeze(0);
      let usedRows = 0;
      const batchSize = target.size(0);
      let output = input.new_zeros(batchSize);
      const gatherInds = target.new_empty(batchSize);
      const cutoffValues = [0, ...this.cutoffs];
      for (let i = 0; i < cutoffValues.length - 1; i++) {
        const low = cutoffValues[i], high = cutoffValues[i + 1];
        const mask = target.ge(low).logical_and(target.lt(high));
        const rows = mask.nonzero().squeeze();
        if (rows.numel() === 0) continue;
        if (i === 0) {
          gatherInds.index_copy_(0, rows, target.masked_select(mask));
        } else {
          const relative = target.masked_select(mask).sub(low);
          const clusterOutput = (this.tail.at(i - 1) as Sequential)(input.index_select(0, rows));
          gatherInds.index_fill_(0, rows, this.shortlist_size + i - 1);
          const local = F.log_softmax(clusterOutput, 1).gather(1, relative.unsqueeze(1));
          output = output.index_copy(0, rows, local.squeeze(1));
        }
        usedRows += rows.numel();
      }
      if (usedRows !== batchSize) {
        throw new Error(`Target values should be in [0, ${this.n_classes - 1}], but values in range [${py(target.min().item())}, ${py(target.max().item())}] were found. `);
      }
      const headLogprob = F.log_softmax(this.head(input), 1);
      output = output.add(headLogprob.gather(1, gatherInds.unsqueeze(1)).squeeze());
      const loss = output.neg().mean();
      return [batched ? output : output.squeeze(0), loss] as [Tensor, Tensor];
    });
    return Object.assign([output, loss], { output, loss }) as ASMOutput;
  }

  /** The log-probabilities of every class: the shortlist's from the head, each cluster's plus its head token's. */
  _get_full_log_prob(input: Tensor, headOutput: Tensor): Tensor {
    return scope(() => {
      const head = F.log_softmax(headOutput, 1);
      const parts = [head.narrow(1, 0, this.shortlist_size)];
      for (let i = 0; i < this.n_clusters; i++) {
        const cluster = F.log_softmax((this.tail.at(i) as Sequential)(input), 1);
        parts.push(cluster.add(head.select(1, this.shortlist_size + i).unsqueeze(1)));
      }
      return cat(parts, 1);
    });
  }

  log_prob(input: Tensor): Tensor {
    return scope(() => this._get_full_log_prob(input, this.head(input)));
  }

  predict(input: Tensor): Tensor {
    return scope(() => {
      const headOutput = this.head(input);
      const output = headOutput.argmax(1);
      const notIn = output.ge(this.shortlist_size);
      if (!notIn.any().item()) return output;
      if (notIn.all().item()) return this._get_full_log_prob(input, headOutput).argmax(1);
      const rows = notIn.nonzero().squeeze(1);
      const lp = this._get_full_log_prob(input.index_select(0, rows), headOutput.index_select(0, rows));
      return output.index_copy(0, rows, lp.argmax(1));
    });
  }
}
