// The remaining loss modules, from one table: each row is the Python
// constructor's signature (names and defaults, in order, with the deprecated
// size_average/reduce where Python has them), the forward's inputs and the
// F.* call. _Loss turns size_average/reduce into the reduction, as Python's.
import { Tensor } from '../../tensor';
import * as F from '../functional';
import { bind, REQUIRED, isOptions, Rest } from '../common';
import { _Loss, NLLLoss } from './loss';
import { warn } from '../../warnings';
import { checkTensor } from './_check';
import { PairwiseDistance } from './misc';

type Fn = (...a: unknown[]) => Tensor;
const f = F as unknown as Record<string, Fn>;
type Attrs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Row {
  params: [string, unknown][];
  /** Python's signature has a bare `*`: every argument is a keyword. */
  kwOnly?: boolean;
  /** weight is a buffer (Python's _WeightedLoss). */
  weighted?: boolean;
  inputs: string[];
  forward: (m: Attrs, ...x: Tensor[]) => Tensor;
  setup?: (a: Attrs) => void;
}
const LEGACY: [string, unknown][] = [['size_average', null], ['reduce', null], ['reduction', 'mean']];
const IT = ['input', 'target'];

const TABLE: Record<string, Row> = {
  KLDivLoss: { params: [...LEGACY, ['log_target', false]], inputs: IT,
    forward: (m, x, t) => f.kl_div(x, t, { reduction: m.reduction, log_target: m.log_target }) },
  HuberLoss: { params: [['reduction', 'mean'], ['delta', 1.0]], inputs: IT,
    forward: (m, x, t) => f.huber_loss(x, t, { reduction: m.reduction, delta: m.delta }) },
  SmoothL1Loss: { params: [...LEGACY, ['beta', 1.0]], inputs: IT,
    forward: (m, x, t) => f.smooth_l1_loss(x, t, { reduction: m.reduction, beta: m.beta }) },
  SoftMarginLoss: { params: LEGACY, inputs: IT, forward: (m, x, t) => f.soft_margin_loss(x, t, { reduction: m.reduction }) },
  CosineEmbeddingLoss: { params: [['margin', 0.0], ...LEGACY], inputs: ['input1', 'input2', 'target'],
    forward: (m, a, b, t) => f.cosine_embedding_loss(a, b, t, { margin: m.margin, reduction: m.reduction }) },
  HingeEmbeddingLoss: { params: [['margin', 1.0], ...LEGACY], inputs: IT,
    forward: (m, x, t) => f.hinge_embedding_loss(x, t, { margin: m.margin, reduction: m.reduction }) },
  MarginRankingLoss: { params: [['margin', 0.0], ...LEGACY], inputs: ['input1', 'input2', 'target'],
    forward: (m, a, b, t) => f.margin_ranking_loss(a, b, t, { margin: m.margin, reduction: m.reduction }) },
  MultiLabelMarginLoss: { params: LEGACY, inputs: IT, forward: (m, x, t) => f.multilabel_margin_loss(x, t, { reduction: m.reduction }) },
  MultiLabelSoftMarginLoss: { params: [['weight', null], ...LEGACY], weighted: true, inputs: IT,
    forward: (m, x, t) => f.multilabel_soft_margin_loss(x, t, { weight: m.weight, reduction: m.reduction }) },
  MultiMarginLoss: { params: [['p', 1], ['margin', 1.0], ['weight', null], ...LEGACY], weighted: true, inputs: IT,
    setup: (a) => {
      if (a.p !== 1 && a.p !== 2) throw new Error('only p == 1 and p == 2 supported');
      if (a.weight !== null && a.weight.dim() !== 1) throw new Error('MultiMarginLoss: weight must be None or a 1-D tensor');
    },
    forward: (m, x, t) => f.multi_margin_loss(x, t, { p: m.p, margin: m.margin, weight: m.weight, reduction: m.reduction }) },
  PoissonNLLLoss: { params: [['log_input', true], ['full', false], ['size_average', null], ['eps', 1e-8], ['reduce', null], ['reduction', 'mean']],
    inputs: ['log_input', 'target'],
    forward: (m, x, t) => f.poisson_nll_loss(x, t, { log_input: m.log_input, full: m.full, eps: m.eps, reduction: m.reduction }) },
  GaussianNLLLoss: { params: [['full', false], ['eps', 1e-6], ['reduction', 'mean']], kwOnly: true, inputs: ['input', 'target', 'var'],
    forward: (m, x, t, v) => f.gaussian_nll_loss(x, t, v, { full: m.full, eps: m.eps, reduction: m.reduction }) },
  TripletMarginLoss: { params: [['margin', 1.0], ['p', 2.0], ['eps', 1e-6], ['swap', false], ...LEGACY], inputs: ['anchor', 'positive', 'negative'],
    forward: (m, a, p, n) => f.triplet_margin_loss(a, p, n, { margin: m.margin, p: m.p, eps: m.eps, swap: m.swap, reduction: m.reduction }) },
  TripletMarginWithDistanceLoss: {
    params: [['distance_function', null], ['margin', 1.0], ['swap', false], ['reduction', 'mean']], kwOnly: true,
    // Python keeps a PairwiseDistance submodule when no function is given.
    setup: (a) => {
      if (a.distance_function === null) a.distance_function = new PairwiseDistance();
    },
    inputs: ['anchor', 'positive', 'negative'],
    forward: (m, a, p, n) => f.triplet_margin_with_distance_loss(a, p, n,
      { distance_function: m.distance_function, margin: m.margin, swap: m.swap, reduction: m.reduction }) },
  CTCLoss: { params: [['blank', 0], ['reduction', 'mean'], ['zero_infinity', false]],
    inputs: ['log_probs', 'targets', 'input_lengths', 'target_lengths'],
    forward: (m, lp, t, il, tl) => f.ctc_loss(lp, t, il, tl, { blank: m.blank, reduction: m.reduction, zero_infinity: m.zero_infinity }) },
};

function makeLoss(name: string, row: Row): new (...args: unknown[]) => _Loss {
  const spec = Object.fromEntries(row.params);
  const cls = {
    [name]: class extends _Loss {
      constructor(...args: unknown[]) {
        if (row.kwOnly && (args.length > 1 || (args.length === 1 && !isOptions(args[0])))) {
          throw new TypeError(`${name}.__init__() takes 1 positional argument but ${args.length + 1} were given`);
        }
        const a = bind<Attrs>(name, args, spec);
        row.setup?.(a);
        super({ size_average: a.size_average ?? null, reduce: a.reduce ?? null, reduction: a.reduction });
        const { size_average, reduce, reduction, weight, ...rest } = a;
        void size_average; void reduce; void reduction;
        if (row.weighted) this.register_buffer('weight', weight);
        Object.assign(this, rest);
      }
      forward(...xs: Tensor[]): Tensor {
        row.inputs.forEach((n, i) => { if (!(name === 'CTCLoss' && i >= 2)) checkTensor(name, n, xs[i]); });
        if (xs.length > row.inputs.length) throw new TypeError(`${name}.forward() takes ${row.inputs.length + 1} positional arguments but ${xs.length + 1} were given`);
        return row.forward(this as unknown as Attrs, ...xs);
      }
    },
  }[name];
  return cls as never;
}

type Red = F.Reduction | 'batchmean';
type B = boolean | null;
interface Legacy { size_average: B; reduce: B; reduction: Red }
/** A table class's type: Python's positional parameters P, or any of them in a trailing options object. */
type Ctor<O, P extends unknown[] = [B, B, Red]> = new (...args: Rest<P, Partial<O & Legacy>>) => _Loss & O & { forward(...x: Tensor[]): Tensor };
type KwOnly<O> = new (options?: Partial<O & { reduction: Red }>) => _Loss & O & { forward(...x: Tensor[]): Tensor };
export const KLDivLoss = makeLoss('KLDivLoss', TABLE.KLDivLoss) as unknown as Ctor<{ log_target: boolean }, [B, B, Red, boolean]>;
export const HuberLoss = makeLoss('HuberLoss', TABLE.HuberLoss) as unknown as Ctor<{ delta: number }, [Red, number]>;
export const SmoothL1Loss = makeLoss('SmoothL1Loss', TABLE.SmoothL1Loss) as unknown as Ctor<{ beta: number }, [B, B, Red, number]>;
export const SoftMarginLoss = makeLoss('SoftMarginLoss', TABLE.SoftMarginLoss) as unknown as Ctor<object>;
export const CosineEmbeddingLoss = makeLoss('CosineEmbeddingLoss', TABLE.CosineEmbeddingLoss) as unknown as Ctor<{ margin: number }, [number, B, B, Red]>;
export const HingeEmbeddingLoss = makeLoss('HingeEmbeddingLoss', TABLE.HingeEmbeddingLoss) as unknown as Ctor<{ margin: number }, [number, B, B, Red]>;
export const MarginRankingLoss = makeLoss('MarginRankingLoss', TABLE.MarginRankingLoss) as unknown as Ctor<{ margin: number }, [number, B, B, Red]>;
export const MultiLabelMarginLoss = makeLoss('MultiLabelMarginLoss', TABLE.MultiLabelMarginLoss) as unknown as Ctor<object>;
export const MultiLabelSoftMarginLoss = makeLoss('MultiLabelSoftMarginLoss', TABLE.MultiLabelSoftMarginLoss) as unknown as Ctor<{ weight: Tensor | null }, [Tensor | null, B, B, Red]>;
export const MultiMarginLoss = makeLoss('MultiMarginLoss', TABLE.MultiMarginLoss) as unknown as Ctor<{ p: number; margin: number; weight: Tensor | null }, [number, number, Tensor | null, B, B, Red]>;
export const PoissonNLLLoss = makeLoss('PoissonNLLLoss', TABLE.PoissonNLLLoss) as unknown as Ctor<{ log_input: boolean; full: boolean; eps: number }, [boolean, boolean, B, number, B, Red]>;
export const GaussianNLLLoss = makeLoss('GaussianNLLLoss', TABLE.GaussianNLLLoss) as unknown as KwOnly<{ full: boolean; eps: number }>;
export const TripletMarginLoss = makeLoss('TripletMarginLoss', TABLE.TripletMarginLoss) as unknown as Ctor<{ margin: number; p: number; eps: number; swap: boolean }, [number, number, number, boolean, B, B, Red]>;
export const TripletMarginWithDistanceLoss = makeLoss('TripletMarginWithDistanceLoss', TABLE.TripletMarginWithDistanceLoss) as unknown as KwOnly<{
  margin: number; swap: boolean; distance_function: ((x: Tensor, y: Tensor) => Tensor) | null;
}>;
export const CTCLoss = makeLoss('CTCLoss', TABLE.CTCLoss) as unknown as Ctor<{ blank: number; zero_infinity: boolean }, [number, Red, boolean]>;
void REQUIRED;

/** Python's deprecated NLLLoss2d: NLLLoss with a deprecation warning. */
export class NLLLoss2d extends NLLLoss {
  constructor(...args: ConstructorParameters<typeof NLLLoss>) {
    warn('NLLLoss2d has been deprecated. Please use NLLLoss instead as a drop-in replacement and see ' +
      'https://pytorch.org/docs/master/nn.html#torch.nn.NLLLoss for more details.');
    super(...args);
  }
}
