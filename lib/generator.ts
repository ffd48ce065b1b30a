// torch.Generator: a random number generator of its own (CPU).
import { native } from './native';

type GenHandle = { readonly __brand: 'Generator' };

export class Generator {
  /** @internal */
  readonly _h: GenHandle;
  readonly device: string;
  constructor(device: string = 'cpu') {
    if (String(device) !== 'cpu') throw new Error(`torch-node: Generator on ${device} is not supported (CPU only)`);
    this.device = 'cpu';
    this._h = native.generator_new() as GenHandle;
  }
  /** Seeds this generator; returns it, as Python does. */
  manual_seed(seed: number | bigint): this { native.generator_manual_seed(this._h, seed); return this; }
  seed(): bigint { return BigInt(native.generator_seed(this._h)); }
  initial_seed(): bigint { return BigInt(native.generator_initial_seed(this._h)); }
  /** The state as a uint8 tensor (torch.ByteTensor), as Python's get_state(). */
  get_state(): import('./tensor').Tensor { return wrapTensor(native.generator_get_state(this._h)); }
  set_state(state: import('./tensor').Tensor): this { native.generator_set_state(this._h, state._h); return this; }
}

let wrapTensor: (h: unknown) => import('./tensor').Tensor = () => { throw new Error('not initialised'); };
/** @internal */
export function setTensorWrapper(f: (h: unknown) => import('./tensor').Tensor): void { wrapTensor = f; }
