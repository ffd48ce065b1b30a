// Lazy modules: LazyLinear, LazyConv{1,2,3}d, LazyConvTranspose{1,2,3}d,
// LazyBatchNorm{1,2,3}d, LazyInstanceNorm{1,2,3}d. As Python's LazyModuleMixin:
// parameters start as UninitializedParameter, a forward pre-hook infers their
// shapes from the first input, materialises and draws them (reset_parameters),
// removes itself and turns the module into its cls_to_become (LazyLinear into
// Linear). load_state_dict into an uninitialised module materialises from the
// loaded shapes first.
import { Tensor } from '../../tensor';
import { tensor } from '../../creation';
import * as dt from '../../dtype';
import { Module, RemovableHandle } from '../module';
import { UninitializedParameter, UninitializedBuffer, is_lazy } from '../parameter';
import { bind, REQUIRED } from '../common';
import { warn } from '../../warnings';
import { no_grad } from '../../autograd';
import { Linear } from './linear';
import { Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, _ConvNd } from './conv';
import { BatchNorm1d, BatchNorm2d, BatchNorm3d, _NormBase } from './batchnorm';
import { InstanceNorm1d, InstanceNorm2d, InstanceNorm3d } from './normalization';
import { expect } from '../../guard';

type Attrs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type AnyCtor = new (...args: any[]) => Module; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What every lazy class adds (Python's LazyModuleMixin). */
export interface LazyModule {
  cls_to_become: AnyCtor | null;
  has_uninitialized_params(): boolean;
  initialize_parameters(...input: unknown[]): void;
  _initialize_hook?: RemovableHandle;
}

function hasUninitialized(m: Module): boolean {
  for (const p of m._parameters.values()) if (is_lazy(p)) return true;
  for (const b of m._buffers.values()) if (is_lazy(b)) return true;
  return false;
}

/** LazyModuleMixin.__init__: the warning and the pre-hook that infers the parameters. */
function lazyInit(m: Module & LazyModule): void {
  warn('Lazy modules are a new feature under heavy development so changes to the API or functionality can happen at any moment.');
  const handle = m.register_forward_pre_hook((module: Module, input: unknown[]) => {
    const lm = module as Module & LazyModule;
    no_grad(() => lm.initialize_parameters(...input));
    if (lm.has_uninitialized_params()) throw new Error(`module ${module._get_name()} has not been fully initialized`);
    lm._initialize_hook!.remove();
    delete (lm as Partial<LazyModule>)._initialize_hook;
    if (lm.cls_to_become !== null) Object.setPrototypeOf(module, lm.cls_to_become.prototype);
    return undefined;
  });
  Object.defineProperty(m, '_initialize_hook', { value: handle, writable: true, configurable: true, enumerable: false });
}

/** Python's _lazy_load_hook: an uninitialised entry takes the shape of what is loaded into it. */
function lazyLoad(m: Module, state_dict: Map<string, unknown>, prefix: string): void {
  no_grad(() => {
    for (const [name, p] of [...m._parameters, ...m._buffers]) {
      const v = state_dict.get(prefix + name);
      if (is_lazy(p) && v instanceof Tensor && !is_lazy(v)) (p as UninitializedParameter).materialize(v.shape);
    }
  });
}

/** The lazy subclass of Base: `build` binds Python's signature and constructs the base with zero sizes. */
function lazyClass(name: string, Base: AnyCtor, parts: {
  construct: (args: unknown[]) => unknown[];
  after: (m: Attrs, a: Attrs) => void;
  ready: (m: Attrs) => boolean;
  initialize: (m: Attrs, input: Tensor) => void;
}): AnyCtor {
  const B = Base as unknown as new (...args: unknown[]) => Attrs & Module;
  const cls = {
    [name]: class extends B {
      cls_to_become: AnyCtor | null;
      constructor(...args: unknown[]) {
        const [superArgs, a] = parts.construct(args) as [unknown[], Attrs];
        super(...superArgs);
        Object.defineProperty(this, 'cls_to_become', { value: Base, writable: true, configurable: true, enumerable: false });
        this.cls_to_become = Base;
        parts.after(this, a);
        lazyInit(this as unknown as Module & LazyModule);
      }
      has_uninitialized_params(): boolean { return hasUninitialized(this); }
      reset_parameters(): void {
        if (!this.has_uninitialized_params() && parts.ready(this)) super.reset_parameters();
      }
      initialize_parameters(input: Tensor): void {
        if (this.has_uninitialized_params()) {
          expect.tensor(`${name}.initialize_parameters`, 'input', input, 0);
          parts.initialize(this, input);
          this.reset_parameters();
        }
      }
      _load_from_state_dict(state_dict: Map<string, unknown>, prefix: string, ...rest: unknown[]): void {
        lazyLoad(this, state_dict, prefix);
        (super._load_from_state_dict as (...x: unknown[]) => void)(state_dict, prefix, ...rest);
      }
    },
  }[name];
  return cls as unknown as AnyCtor;
}

const uninit = (a: Attrs): UninitializedParameter => new UninitializedParameter(true, a.device ?? null, a.dtype ?? null);

/** LazyLinear(out_features, bias=True, device=None, dtype=None): in_features from input.shape[-1]. */
export const LazyLinear = lazyClass('LazyLinear', Linear, {
  construct: (args) => {
    const a = bind<Attrs>('LazyLinear', args, { out_features: REQUIRED, bias: true, device: null, dtype: null });
    return [[0, 0, false, { device: a.device, dtype: a.dtype }], a];
  },
  after: (m, a) => {
    m.weight = uninit(a);
    m.out_features = a.out_features;
    if (a.bias) m.bias = uninit(a);
  },
  ready: (m) => m.in_features !== 0,
  initialize: (m, input) => {
    m.in_features = input.shape[input.dim() - 1];
    m.weight.materialize([m.out_features, m.in_features]);
    if (m.bias !== null) m.bias.materialize([m.out_features]);
  },
}) as unknown as new (...args: unknown[]) => Linear & LazyModule;

/** LazyConv*: in_channels from the input's channel dimension (batched or not). */
function lazyConv(name: string, Base: AnyCtor & { _dims: number }, transposed: boolean): AnyCtor {
  const n = Base._dims;
  const spec = transposed
    ? { out_channels: REQUIRED, kernel_size: REQUIRED, stride: 1, padding: 0, output_padding: 0, groups: 1, bias: true, dilation: 1, padding_mode: 'zeros', device: null, dtype: null }
    : { out_channels: REQUIRED, kernel_size: REQUIRED, stride: 1, padding: 0, dilation: 1, groups: 1, bias: true, padding_mode: 'zeros', device: null, dtype: null };
  return lazyClass(name, Base, {
    construct: (args) => {
      const a = bind<Attrs>(name, args, spec as never);
      const { out_channels, bias, ...rest } = a;
      void out_channels; void bias;
      return [[0, 0, { ...rest, bias: false }], a];
    },
    after: (m, a) => {
      m.weight = uninit(a);
      m.out_channels = a.out_channels;
      if (a.bias) m.bias = uninit(a);
    },
    ready: (m) => m.in_channels !== 0,
    initialize: (m, input) => {
      if (input.dim() !== n + 1 && input.dim() !== n + 2) {
        throw new Error(`Expected ${n + 1}D (unbatched) or ${n + 2}D (batched) input to ${name}, but got input of size: torch.Size([${input.shape.join(', ')}])`);
      }
      m.in_channels = input.dim() === n + 2 ? input.size(1) : input.size(0);
      if (m.in_channels % m.groups !== 0) throw new Error('in_channels must be divisible by groups');
      m.weight.materialize(transposed ? [m.in_channels, Math.floor(m.out_channels / m.groups), ...m.kernel_size]
        : [m.out_channels, Math.floor(m.in_channels / m.groups), ...m.kernel_size]);
      if (m.bias !== null) m.bias.materialize([m.out_channels]);
    },
  });
}
type ConvCtor<B> = new (...args: unknown[]) => B & LazyModule;
export const LazyConv1d = lazyConv('LazyConv1d', Conv1d, false) as ConvCtor<Conv1d>;
export const LazyConv2d = lazyConv('LazyConv2d', Conv2d, false) as ConvCtor<Conv2d>;
export const LazyConv3d = lazyConv('LazyConv3d', Conv3d, false) as ConvCtor<Conv3d>;
export const LazyConvTranspose1d = lazyConv('LazyConvTranspose1d', ConvTranspose1d, true) as ConvCtor<ConvTranspose1d>;
export const LazyConvTranspose2d = lazyConv('LazyConvTranspose2d', ConvTranspose2d, true) as ConvCtor<ConvTranspose2d>;
export const LazyConvTranspose3d = lazyConv('LazyConvTranspose3d', ConvTranspose3d, true) as ConvCtor<ConvTranspose3d>;

/** Python's _LazyNormBase(eps=1e-5, momentum=0.1, affine=True, track_running_stats=True): num_features from input.shape[1]. */
function lazyNorm(name: string, Base: AnyCtor): AnyCtor {
  return lazyClass(name, Base, {
    construct: (args) => {
      const a = bind<Attrs>(name, args, { eps: 1e-5, momentum: 0.1, affine: true, track_running_stats: true, device: null, dtype: null });
      return [[0, a.eps, a.momentum, false, false, { device: a.device, dtype: a.dtype }], a];
    },
    after: (m, a) => {
      m.affine = a.affine;
      m.track_running_stats = a.track_running_stats;
      if (a.affine) {
        m.weight = uninit(a);
        m.bias = uninit(a);
      }
      if (a.track_running_stats) {
        m.running_mean = new UninitializedBuffer(false, a.device, a.dtype);
        m.running_var = new UninitializedBuffer(false, a.device, a.dtype);
        m.num_batches_tracked = tensor(0n, { dtype: dt.int64, device: a.device ?? undefined });
      }
    },
    ready: (m) => m.num_features !== 0,
    initialize: (m, input) => {
      m.num_features = input.size(1);
      if (m.affine) {
        m.weight.materialize([m.num_features]);
        m.bias.materialize([m.num_features]);
      }
      if (m.track_running_stats) {
        m.running_mean.materialize([m.num_features]);
        m.running_var.materialize([m.num_features]);
      }
    },
  });
}
type NormCtor<B> = new (...args: unknown[]) => B & LazyModule;
export const LazyBatchNorm1d = lazyNorm('LazyBatchNorm1d', BatchNorm1d) as NormCtor<BatchNorm1d>;
export const LazyBatchNorm2d = lazyNorm('LazyBatchNorm2d', BatchNorm2d) as NormCtor<BatchNorm2d>;
export const LazyBatchNorm3d = lazyNorm('LazyBatchNorm3d', BatchNorm3d) as NormCtor<BatchNorm3d>;
export const LazyInstanceNorm1d = lazyNorm('LazyInstanceNorm1d', InstanceNorm1d) as NormCtor<InstanceNorm1d>;
export const LazyInstanceNorm2d = lazyNorm('LazyInstanceNorm2d', InstanceNorm2d) as NormCtor<InstanceNorm2d>;
export const LazyInstanceNorm3d = lazyNorm('LazyInstanceNorm3d', InstanceNorm3d) as NormCtor<InstanceNorm3d>;
void _NormBase; void _ConvNd;
