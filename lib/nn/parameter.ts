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

const UNINIT_SHAPE = "Can't access the shape of an uninitialized parameter or buffer. This error usually happens in `load_state_dict` " +
  'when trying to load an uninitialized parameter into an initialized one. Call `forward` to initialize the parameters before accessing their attributes.';

/**
 * Python's UninitializedParameter: a lazy module's parameter before its first
 * forward. It holds no data (its shape is an error) until materialize() gives
 * it a shape; then it is a plain Parameter (the same object: optimizers and
 * references keep working).
 */
export class UninitializedParameter extends Parameter {
  static cls_to_become = Parameter;
  constructor(...args: Rest<[boolean, DeviceLike | null, dtype | null], { requires_grad?: boolean; device?: DeviceLike | null; dtype?: dtype | null }>) {
    const a = bind<{ requires_grad: boolean; device: DeviceLike | null; dtype: dtype | null }>('UninitializedParameter', args,
      { requires_grad: true, device: null, dtype: null });
    const data = empty(0, { device: a.device ?? undefined, dtype: a.dtype ?? undefined });
    super(data, a.requires_grad);
    data.dispose();
  }
  get shape(): number[] { throw new Error(UNINIT_SHAPE); }
  /** Gives the parameter data of `shape` (uninitialised values; the module's reset_parameters draws them) and makes it a Parameter. */
  materialize(shape: number[], device: DeviceLike | null = null, dt: dtype | null = null): void { materialize(this, UninitializedParameter, shape, device, dt); }
  toString(): string { return '<UninitializedParameter>'; }
}

/** Python's UninitializedBuffer: UninitializedParameter's counterpart for a lazy module's buffers. */
export class UninitializedBuffer extends Tensor {
  static cls_to_become = Tensor;
  constructor(...args: Rest<[boolean, DeviceLike | null, dtype | null], { requires_grad?: boolean; device?: DeviceLike | null; dtype?: dtype | null }>) {
    const a = bind<{ requires_grad: boolean; device: DeviceLike | null; dtype: dtype | null }>('UninitializedBuffer', args,
      { requires_grad: false, device: null, dtype: null });
    const data = empty(0, { device: a.device ?? undefined, dtype: a.dtype ?? undefined });
    super(native.call(DETACH, data._h));
    data.dispose();
    native.call(REQUIRES_GRAD_, this._h, a.requires_grad);
  }
  get shape(): number[] { throw new Error(UNINIT_SHAPE); }
  materialize(shape: number[], device: DeviceLike | null = null, dt: dtype | null = null): void { materialize(this, UninitializedBuffer, shape, device, dt); }
  toString(): string { return '<UninitializedBuffer>'; }
}

function materialize(t: Tensor, cls: { cls_to_become: unknown }, shape: number[], device: DeviceLike | null, dt: dtype | null): void {
  const data = empty(shape, { device: device ?? t.device, dtype: dt ?? t.dtype });
  t.data = data;
  data.dispose();
  Object.setPrototypeOf(t, (cls.cls_to_become as { prototype: object }).prototype);
}

/** Python's torch.nn.parameter.is_lazy. */
export function is_lazy(param: unknown): boolean { return param instanceof UninitializedParameter || param instanceof UninitializedBuffer; }
