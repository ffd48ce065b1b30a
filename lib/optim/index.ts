// torch.optim: import * as optim from 'torch-node/optim' (also torch.optim).
//
// Every optimizer of PyTorch 1.13, each in its own file after PyTorch's, on one mechanism:
// Optimizer.step() runs the closure with grad, then `_update_group(group)` under no_grad; an
// update is PyTorch's `_single_tensor_<name>` loop, written with forEachGrad() and the same ATen
// calls and scalars (float math through _math.ts where CPython calls libm), so parameters equal
// Python's bit for bit. LBFGS has its own step() (several closure calls per step).
import * as lr_scheduler from './lr_scheduler';

export { Optimizer, required } from './optimizer';
export type { ParamsArg, ParamGroup, ParamGroupInput, GroupOptions, OptimizerStateDict } from './optimizer';
export { SGD } from './sgd';
export type { SGDOptions, SGDState } from './sgd';
export { Adam } from './adam';
export type { AdamOptions, AdamOptionsBase, AdamState } from './adam';
export { AdamW } from './adamw';
export type { AdamWOptions } from './adamw';
export { Adadelta } from './adadelta';
export type { AdadeltaOptions, AdadeltaState } from './adadelta';
export { Adagrad } from './adagrad';
export type { AdagradOptions, AdagradState } from './adagrad';
export { Adamax } from './adamax';
export type { AdamaxOptions, AdamaxState } from './adamax';
export { ASGD } from './asgd';
export type { ASGDOptions, ASGDState } from './asgd';
export { NAdam } from './nadam';
export type { NAdamOptions, NAdamState } from './nadam';
export { RAdam } from './radam';
export type { RAdamOptions, RAdamState } from './radam';
export { RMSprop } from './rmsprop';
export type { RMSpropOptions, RMSpropState } from './rmsprop';
export { Rprop } from './rprop';
export type { RpropOptions, RpropState } from './rprop';
export { LBFGS } from './lbfgs';
export type { LBFGSOptions, LBFGSState } from './lbfgs';
export { SparseAdam } from './sparse_adam';
export type { SparseAdamOptions, SparseAdamState } from './sparse_adam';
export { lr_scheduler };

// Argument checks on the exports loaded so far (lib/guard.ts).
import { installGuards } from '../guard';
installGuards(module);
