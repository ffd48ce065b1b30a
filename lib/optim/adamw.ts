// torch.optim.AdamW, after torch/optim/adamw.py (PyTorch 1.13, the single-tensor path).
import { Optimizer, ParamsArg, checkOptions, runStep } from './optimizer';
import { AdamOptionsBase, AdamState, adamUpdate, checkAdamOptions, numberStepsToTensors } from './adam';

export type AdamWOptions = AdamOptionsBase;

const KEYS = ['lr', 'betas', 'eps', 'weight_decay', 'amsgrad', 'maximize', 'foreach', 'capturable'] as const;

/**
 * AdamW, Adam with decoupled weight decay (torch.optim.AdamW); weight_decay
 * defaults to 1e-2: `new AdamW(model.parameters(), { lr: 1e-3 })`.
 */
export class AdamW extends Optimizer<AdamWOptions, AdamState> {
  constructor(params: ParamsArg<AdamWOptions>, options: Partial<AdamWOptions> | number = {}) {
    const o: Partial<AdamWOptions> = typeof options === 'number' ? { lr: options } : { ...options };
    checkOptions('AdamW', o, KEYS);
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weight_decay = 1e-2, amsgrad = false, maximize = false,
      foreach = null, capturable = false } = o;
    checkAdamOptions(lr, betas, eps, weight_decay);
    if (capturable) throw new Error('torch-node: AdamW supports only capturable=false');
    super(params, { lr, betas: [betas[0], betas[1]], eps, weight_decay, amsgrad, foreach, maximize, capturable });
  }

  protected override _setstate(): void {
    super._setstate();
    for (const g of this.param_groups) {
      g.amsgrad ??= false; g.maximize ??= false;
      if (g.foreach === undefined) g.foreach = null;
      g.capturable ??= false;
    }
    numberStepsToTensors(this.state);
  }

  override step<L = unknown>(closure?: () => L): L | undefined {
    return runStep(closure, () => {
      for (const group of this.param_groups) adamUpdate(group, true, (p) => this._state(p), (h) => this._own(h));
    }) as L | undefined;
  }
}
