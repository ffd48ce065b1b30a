// torch.optim.AdamW, after torch/optim/adamw.py (PyTorch 1.13, the single-tensor path).
import { Optimizer, ParamsArg, ParamGroup, numbersToTensors, setdefaults, V2 } from './optimizer';
import { bind, Rest } from '../nn/common';
import { AdamOptionsBase, AdamState, adamUpdate, checkAdamOptions } from './adam';

export type AdamWOptions = AdamOptionsBase;

/**
 * AdamW, Adam with decoupled weight decay (torch.optim.AdamW); weight_decay
 * defaults to 1e-2: `new AdamW(model.parameters(), { lr: 1e-3 })`, or
 * positionally `new AdamW(params, lr, betas, eps, weight_decay, amsgrad)`.
 */
export class AdamW extends Optimizer<AdamWOptions, AdamState> {
  constructor(params: ParamsArg<AdamWOptions>, ...args: Rest<[number, [number, number], number, number, boolean], Partial<AdamWOptions>>) {
    const { lr, betas, eps, weight_decay, amsgrad, maximize, foreach, capturable } = bind<AdamWOptions>('AdamW.__init__', args, {
      lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2, amsgrad: false, maximize: false, foreach: null, capturable: false,
    });
    checkAdamOptions(lr, betas, eps, weight_decay);
    if (capturable) throw new Error('torch-node: AdamW supports only capturable=false');
    super(params, { lr, betas: [betas[0], betas[1]], eps, weight_decay, amsgrad, foreach, maximize, capturable });
  }

  protected override _setstate(): void {
    super._setstate();
    setdefaults(this.param_groups, { amsgrad: false, maximize: false, foreach: null, capturable: false });
    // 2.x's AdamW.__setstate__: always decoupled, whatever the loaded groups say
    if (V2) for (const g of this.param_groups) (g as Record<string, unknown>).decoupled_weight_decay = true;
    numbersToTensors(this.state, ['step']);
  }

  protected override _update_group(group: ParamGroup<AdamWOptions>): void {
    adamUpdate(group, true, (p) => this._state(p), (h) => this._own(h));
  }
}
