// torch.nn: `import * as nn from 'torch-node/nn'`.
import * as functional from './functional';
import * as init from './init';

export { Module, RemovableHandle, IncompatibleKeys } from './module';
export type { StateDict } from './module';
export { Parameter, UninitializedParameter, UninitializedBuffer } from './parameter';
export * from './modules';
export { functional, init };
export * as utils from './utils';
export * as parallel from './parallel';

// Argument checks on the exports loaded so far (lib/guard.ts).
import { installGuards } from '../guard';
installGuards(module);
