// The pooling layers beyond MaxPool2d/AvgPool2d/AdaptiveAvgPool2d, by family:
// each family is one class factory over the number of spatial dimensions,
// with Python's signature, stored attributes and extra_repr.
import { Tensor } from '../../tensor';
import { Module } from '../module';
import * as F from '../functional';
import { bind, py, REQUIRED, Rest } from '../common';
import { checkOutputSize, checkPool, checkTensor } from './_check';
import { ntuple as ntupleOf } from '../common';

type Fn = (...a: unknown[]) => Tensor;
const f = F as unknown as Record<string, Fn>;
type Attrs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Size = number | number[];
const ntuple = (v: Size, n: number): number[] => ntupleOf(v as number | number[], n);

/** A family class's type: Python's positional parameters P (or an options object), attributes O. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Fam<O, P extends unknown[], R = any> = new (...args: Rest<P, Partial<O>>) => Module & O & { forward(input: Tensor, ...rest: any[]): R };
type MaxPoolAttrs = { kernel_size: Size; stride: Size; padding: Size; dilation: Size; return_indices: boolean; ceil_mode: boolean };
type AvgPoolAttrs = { kernel_size: Size; stride: Size; padding: Size; ceil_mode: boolean; count_include_pad: boolean; divisor_override?: number | null };

/** A class named `name` whose constructor binds `spec` and stores the attributes `setup` derives. */
export function family(name: string, spec: Record<string, unknown>, setup: (a: Attrs) => Attrs,
  forward: (m: Attrs, input: Tensor, ...rest: unknown[]) => unknown, repr: (m: Attrs) => string): new (...args: unknown[]) => Module {
  return {
    [name]: class extends Module {
      constructor(...args: unknown[]) {
        super();
        Object.assign(this, setup(bind<Attrs>(name, args, spec as never)));
      }
      forward(input: Tensor, ...rest: unknown[]): unknown {
        checkTensor(name, 'input', input);
        return forward(this as unknown as Attrs, input, ...rest);
      }
      extra_repr(): string { return repr(this as unknown as Attrs); }
    },
  }[name];
}

// MaxPool1d/3d: sizes kept as given, stride defaulting to kernel_size.
const maxPool = (n: number) => family(`MaxPool${n}d`,
  { kernel_size: REQUIRED, stride: null, padding: 0, dilation: 1, return_indices: false, ceil_mode: false },
  (a) => ({ ...a, stride: a.stride ?? a.kernel_size }),
  (m, x) => {
    checkPool(`MaxPool${n}d`, m as never, n);
    return f[`max_pool${n}d`](x, m.kernel_size, m.stride, m.padding, m.dilation, { ceil_mode: m.ceil_mode, return_indices: m.return_indices });
  },
  (m) => `kernel_size=${py(m.kernel_size)}, stride=${py(m.stride)}, padding=${py(m.padding)}, dilation=${py(m.dilation)}, ceil_mode=${py(m.ceil_mode)}`);
export const MaxPool1d = maxPool(1) as unknown as Fam<MaxPoolAttrs, [Size, Size | null, Size, Size, boolean, boolean]>;
export const MaxPool3d = maxPool(3) as unknown as Fam<MaxPoolAttrs, [Size, Size | null, Size, Size, boolean, boolean]>;

const avgRepr = (m: Attrs): string => `kernel_size=${py(m.kernel_size)}, stride=${py(m.stride)}, padding=${py(m.padding)}`;
/** AvgPool1d stores 1-tuples (Python's _single), unlike AvgPool2d/3d. */
export const AvgPool1d = family('AvgPool1d', { kernel_size: REQUIRED, stride: null, padding: 0, ceil_mode: false, count_include_pad: true },
  (a) => ({ ...a, kernel_size: ntuple(a.kernel_size, 1), stride: ntuple(a.stride ?? a.kernel_size, 1), padding: ntuple(a.padding, 1) }),
  (m, x) => {
    checkPool('AvgPool1d', m as never, 1) as unknown as Fam<AvgPoolAttrs, [Size, Size | null, Size, boolean, boolean], Tensor>;
    return f.avg_pool1d(x, m.kernel_size, m.stride, m.padding, m.ceil_mode, m.count_include_pad);
  }, avgRepr);
export const AvgPool3d = family('AvgPool3d',
  { kernel_size: REQUIRED, stride: null, padding: 0, ceil_mode: false, count_include_pad: true, divisor_override: null },
  (a) => ({ ...a, stride: a.stride ?? a.kernel_size }),
  (m, x) => {
    checkPool('AvgPool3d', m as never, 3) as unknown as Fam<AvgPoolAttrs, [Size, Size | null, Size, boolean, boolean, number | null], Tensor>;
    return f.avg_pool3d(x, m.kernel_size, m.stride, m.padding, m.ceil_mode, m.count_include_pad, m.divisor_override);
  }, avgRepr);

/** MaxUnpool{1,2,3}d(kernel_size, stride=None, padding=0): forward(input, indices, output_size=None). */
const maxUnpool = (n: number) => family(`MaxUnpool${n}d`, { kernel_size: REQUIRED, stride: null, padding: 0 },
  (a) => ({ kernel_size: ntuple(a.kernel_size, n), stride: ntuple(a.stride ?? a.kernel_size, n), padding: ntuple(a.padding, n) }),
  (m, x, indices, output_size = null) => {
    checkTensor(`MaxUnpool${n}d`, 'indices', indices);
    return f[`max_unpool${n}d`](x, indices, m.kernel_size, m.stride, m.padding, output_size);
  },
  (m) => `kernel_size=${py(m.kernel_size)}, stride=${py(m.stride)}, padding=${py(m.padding)}`);
export const MaxUnpool1d = maxUnpool(1) as unknown as Fam<{ kernel_size: number[]; stride: number[]; padding: number[] }, [Size, Size | null, Size], Tensor>;
export const MaxUnpool2d = maxUnpool(2) as unknown as Fam<{ kernel_size: number[]; stride: number[]; padding: number[] }, [Size, Size | null, Size], Tensor>;
export const MaxUnpool3d = maxUnpool(3) as unknown as Fam<{ kernel_size: number[]; stride: number[]; padding: number[] }, [Size, Size | null, Size], Tensor>;

/** LPPool{1,2}d(norm_type, kernel_size, stride=None, ceil_mode=False): stride stays None when not given. */
const lpPool = (n: number) => family(`LPPool${n}d`, { norm_type: REQUIRED, kernel_size: REQUIRED, stride: null, ceil_mode: false },
  (a) => a,
  (m, x) => f[`lp_pool${n}d`](x, m.norm_type, m.kernel_size, m.stride, m.ceil_mode),
  (m) => `norm_type=${py(m.norm_type)}, kernel_size=${py(m.kernel_size)}, stride=${py(m.stride)}, ceil_mode=${py(m.ceil_mode)}`);
export const LPPool1d = lpPool(1) as unknown as Fam<{ norm_type: number; kernel_size: Size; stride: Size | null; ceil_mode: boolean }, [number, Size, Size | null, boolean], Tensor>;
export const LPPool2d = lpPool(2) as unknown as Fam<{ norm_type: number; kernel_size: Size; stride: Size | null; ceil_mode: boolean }, [number, Size, Size | null, boolean], Tensor>;

/** AdaptiveMaxPool{1,2,3}d(output_size, return_indices=False). */
const adaptiveMax = (n: number) => family(`AdaptiveMaxPool${n}d`, { output_size: REQUIRED, return_indices: false }, (a) => a,
  (m, x) => {
    checkOutputSize(`AdaptiveMaxPool${n}d`, m.output_size, n);
    return f[`adaptive_max_pool${n}d`](x, m.output_size, m.return_indices);
  },
  (m) => `output_size=${py(m.output_size)}`);
export const AdaptiveMaxPool1d = adaptiveMax(1) as unknown as Fam<{ output_size: Size | (number | null)[]; return_indices: boolean }, [Size | (number | null)[], boolean]>;
export const AdaptiveMaxPool2d = adaptiveMax(2) as unknown as Fam<{ output_size: Size | (number | null)[]; return_indices: boolean }, [Size | (number | null)[], boolean]>;
export const AdaptiveMaxPool3d = adaptiveMax(3) as unknown as Fam<{ output_size: Size | (number | null)[]; return_indices: boolean }, [Size | (number | null)[], boolean]>;

/** AdaptiveAvgPool{1,3}d(output_size). */
const adaptiveAvg = (n: number) => family(`AdaptiveAvgPool${n}d`, { output_size: REQUIRED }, (a) => a,
  (m, x) => {
    checkOutputSize(`AdaptiveAvgPool${n}d`, m.output_size, n);
    return f[`adaptive_avg_pool${n}d`](x, m.output_size);
  },
  (m) => `output_size=${py(m.output_size)}`);
export const AdaptiveAvgPool1d = adaptiveAvg(1) as unknown as Fam<{ output_size: Size | (number | null)[] }, [Size | (number | null)[]], Tensor>;
export const AdaptiveAvgPool3d = adaptiveAvg(3) as unknown as Fam<{ output_size: Size | (number | null)[] }, [Size | (number | null)[]], Tensor>;

/**
 * FractionalMaxPool{2,3}d(kernel_size, output_size=None, output_ratio=None,
 * return_indices=False, _random_samples=None): the samples are a buffer
 * (none unless given); without them each forward draws new ones.
 */
const fractional = (n: number) => {
  const name = `FractionalMaxPool${n}d`;
  return family(name, { kernel_size: REQUIRED, output_size: null, output_ratio: null, return_indices: false, _random_samples: null },
    (a) => {
      if (a.output_size === null && a.output_ratio === null) {
        throw new Error(`${name} requires specifying either an output size, or a pooling ratio`);
      }
      if (a.output_size !== null && a.output_ratio !== null) throw new Error('only one of output_size and output_ratio may be specified');
      const ratio = a.output_ratio === null ? null : ntuple(a.output_ratio, n);
      if (ratio !== null && !ratio.every((r) => r > 0 && r < 1)) {
        throw new Error(`output_ratio must be between 0 and 1 (got ${py(a.output_ratio)})`);
      }
      return { kernel_size: ntuple(a.kernel_size, n), output_size: a.output_size === null ? null : ntuple(a.output_size, n),
        output_ratio: ratio, return_indices: a.return_indices, _samples: a._random_samples };
    },
    (m, x) => f[`fractional_max_pool${n}d`](x, m.kernel_size, m.output_size, m.output_ratio,
      { return_indices: m.return_indices, _random_samples: m._random_samples }),
    () => '');
};
function withSamplesBuffer(C: new (...args: unknown[]) => Module): new (...args: unknown[]) => Module {
  const name = C.name;
  return {
    [name]: class extends C {
      constructor(...args: unknown[]) {
        super(...args);
        const self = this as unknown as Attrs;
        const s = self._samples;
        delete self._samples;
        this.register_buffer('_random_samples', s);
      }
    },
  }[name];
}
export const FractionalMaxPool2d = withSamplesBuffer(fractional(2)) as unknown as Fam<{ kernel_size: number[]; output_size: number[] | null; output_ratio: number[] | null; return_indices: boolean; _random_samples: Tensor | null }, [Size, Size | null, Size | null, boolean, Tensor | null]>;
export const FractionalMaxPool3d = withSamplesBuffer(fractional(3)) as unknown as Fam<{ kernel_size: number[]; output_size: number[] | null; output_ratio: number[] | null; return_indices: boolean; _random_samples: Tensor | null }, [Size, Size | null, Size | null, boolean, Tensor | null]>;
