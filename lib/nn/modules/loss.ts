// Loss modules: each holds its options (weights as buffers, as Python's
// _WeightedLoss does, so they follow to() and appear in state_dict) and calls
// its F.* form.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import * as F from '../functional';
import { bind, Rest } from '../common';
import { checkTensor } from './_check';

type Reduction = F.Reduction;
interface LossArgs { size_average: boolean | null; reduce: boolean | null; reduction: Reduction }

/** Python's _Loss: the reduction, from the deprecated size_average/reduce pair when given. */
export abstract class _Loss extends Module {
  declare reduction: Reduction;
  constructor(a: LossArgs) {
    super();
    this.reduction = a.size_average !== null || a.reduce !== null ? F.legacyReduction(a.size_average, a.reduce) : a.reduction;
  }
  abstract forward(input: Tensor, target: Tensor): Tensor;
}

/** Python's _WeightedLoss: a per-class weight buffer. */
export abstract class _WeightedLoss extends _Loss {
  declare weight: Tensor | null;
  constructor(a: LossArgs & { weight: Tensor | null }) {
    super(a);
    this.register_buffer('weight', a.weight);
  }
}

const LEGACY = { size_average: null, reduce: null, reduction: 'mean' } as const;
type LegacyRest = Rest<[boolean | null, boolean | null, Reduction], Partial<LossArgs>>;

/** mean |input - target| */
export class L1Loss extends _Loss {
  constructor(...args: LegacyRest) { super(bind<LossArgs>('L1Loss', args, LEGACY)); }
  forward(input: Tensor, target: Tensor): Tensor {
    checkTensor('L1Loss', 'input', input); checkTensor('L1Loss', 'target', target);
    return F.l1_loss(input, target, { reduction: this.reduction });
  }
}

/** mean (input - target)^2 */
export class MSELoss extends _Loss {
  constructor(...args: LegacyRest) { super(bind<LossArgs>('MSELoss', args, LEGACY)); }
  forward(input: Tensor, target: Tensor): Tensor {
    checkTensor('MSELoss', 'input', input); checkTensor('MSELoss', 'target', target);
    return F.mse_loss(input, target, { reduction: this.reduction });
  }
}

interface NLLLossArgs extends LossArgs { weight: Tensor | null; ignore_index: number }
/** Negative log-likelihood of class indices, given log-probabilities. */
export class NLLLoss extends _WeightedLoss {
  declare ignore_index: number;
  constructor(...args: Rest<[Tensor | null, boolean | null, number, boolean | null, Reduction], Partial<NLLLossArgs>>) {
    const a = bind<NLLLossArgs>('NLLLoss', args, { weight: null, size_average: null, ignore_index: -100, reduce: null, reduction: 'mean' });
    super(a);
    this.ignore_index = a.ignore_index;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.nll_loss(input, target, { weight: this.weight, ignore_index: this.ignore_index, reduction: this.reduction });
  }
}

interface CrossEntropyLossArgs extends NLLLossArgs { label_smoothing: number }
/** log_softmax then NLL; targets are class indices or class probabilities. */
export class CrossEntropyLoss extends _WeightedLoss {
  declare ignore_index: number;
  declare label_smoothing: number;
  constructor(...args: Rest<[Tensor | null, boolean | null, number, boolean | null, Reduction, number], Partial<CrossEntropyLossArgs>>) {
    const a = bind<CrossEntropyLossArgs>('CrossEntropyLoss', args,
      { weight: null, size_average: null, ignore_index: -100, reduce: null, reduction: 'mean', label_smoothing: 0 });
    super(a);
    this.ignore_index = a.ignore_index;
    this.label_smoothing = a.label_smoothing;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.cross_entropy(input, target, {
      weight: this.weight, ignore_index: this.ignore_index, reduction: this.reduction, label_smoothing: this.label_smoothing,
    });
  }
}

interface BCELossArgs extends LossArgs { weight: Tensor | null }
/** Binary cross-entropy of probabilities. */
export class BCELoss extends _WeightedLoss {
  constructor(...args: Rest<[Tensor | null, boolean | null, boolean | null, Reduction], Partial<BCELossArgs>>) {
    super(bind<BCELossArgs>('BCELoss', args, { weight: null, ...LEGACY }));
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binary_cross_entropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

interface BCEWithLogitsLossArgs extends BCELossArgs { pos_weight: Tensor | null }
/** Sigmoid and binary cross-entropy in one numerically stable op; pos_weight weighs the positive class. */
export class BCEWithLogitsLoss extends _Loss {
  declare weight: Tensor | null;
  declare pos_weight: Tensor | null;
  constructor(...args: Rest<[Tensor | null, boolean | null, boolean | null, Reduction, Tensor | null], Partial<BCEWithLogitsLossArgs>>) {
    const a = bind<BCEWithLogitsLossArgs>('BCEWithLogitsLoss', args, { weight: null, ...LEGACY, pos_weight: null });
    super(a);
    this.register_buffer('weight', a.weight);
    this.register_buffer('pos_weight', a.pos_weight);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return F.binary_cross_entropy_with_logits(input, target, { weight: this.weight, reduction: this.reduction, pos_weight: this.pos_weight });
  }
}
