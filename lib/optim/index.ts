// torch.optim: import * as optim from 'torch-node/optim' (also torch.optim).
import * as lr_scheduler from './lr_scheduler';

export { Optimizer, required } from './optimizer';
export type { ParamsArg, ParamGroup, ParamGroupInput, GroupOptions, OptimizerStateDict } from './optimizer';
export { SGD } from './sgd';
export type { SGDOptions, SGDState } from './sgd';
export { Adam } from './adam';
export type { AdamOptions, AdamOptionsBase, AdamState } from './adam';
export { AdamW } from './adamw';
export type { AdamWOptions } from './adamw';
export { lr_scheduler };
