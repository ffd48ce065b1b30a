// torch.nn.Parameter: a Tensor that a Module registers when it is assigned to
// one of its properties.
import { native } from '../native';
import { Tensor, op } from '../tensor';
import { empty } from '../creation';
import { dtype } from '../dtype';
import { DeviceLike } from '../device';
import { bind, Rest } from './common';

const DETACH = op('detach'), REQUIRES_GRAD_ = op('requires_grad_');

export class Parameter extends Tensor {
  /**
   * Like Python's `Parameter(data=None, requires_grad=True)` (or
   * `new Parameter(data, { requires_grad: false })`): a new tensor sharing
   * `data`'s storage (a detached alias, so `data` itself is left as it is),
   * a leaf that requires grad unless told otherwise.
   */
  constructor(...args: Rest<[Tensor | null, boolean], { data?: Tensor | null; requires_grad?: boolean }>) {
    const { data, requires_grad } = bind<{ data: Tensor | null; requires_grad: boolean }>('Parameter', args, { data: null, requires_grad: true });
    const source = data ?? empty(0);
    super(native.call(DETACH, source._h));
    if (data === null) source.dispose();
    native.call(REQUIRES_GRAD_, this._h, requires_grad);
  }

  toString(): string { return `Parameter containing:\n${super.toString()}`; }
}

/** @internal A layer's uninitialised parameter, as Python's `Parameter(torch.empty(shape, **factory_kwargs))`. */
export function emptyParameter(shape: number[], factory: { device?: DeviceLike | null; dtype?: dtype | null }): Parameter {
  const data = empty(shape, { device: factory.device ?? undefined, dtype: factory.dtype ?? undefined });
  const p = new Parameter(data);
  data.dispose(); // p is its own alias of the storage
  return p;
}
