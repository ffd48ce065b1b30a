// The elementwise activations beyond ReLU/Sigmoid/Tanh/GELU, from one table:
// each row is the Python signature (names, defaults), the F.* call, and
// Python's extra_repr. PReLU (a parameter) and Softmax2d are written out below.
import { Tensor } from '../../tensor';
import { torchAtLeast } from '../../native';
import { Module } from '../module';
import { Parameter, emptyParameter } from '../parameter';
import * as F from '../functional';
import * as init from '../init';
import { bind, py, REQUIRED, Rest } from '../common';
import { warn } from '../../warnings';
import { FactoryArgs } from './linear';
import { checkInt, checkTensor } from './_check';

type Fn = (...a: unknown[]) => Tensor;
const f = F as unknown as Record<string, Fn>;
type Attrs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const fl = (v: unknown): string => py(v, { float: true });
/** Python's `'{}'.format(x)` of a float default that a caller may have given as an int: ints print as ints. */
const num = (v: unknown): string => py(v);
const inplaceTail = (m: Attrs): string => (m.inplace ? ', inplace=True' : '');
const inplaceOnly = (m: Attrs): string => (m.inplace ? 'inplace=True' : '');

interface Row {
  /** [name, default] in Python's positional order (REQUIRED: no default). */
  params: [string, unknown][];
  forward: (x: Tensor, m: Attrs) => Tensor;
  repr?: (m: Attrs) => string;
  /** Python-side checks and derived attributes after binding. */
  setup?: (m: Attrs) => void;
}

const TABLE: Record<string, Row> = {
  Threshold: { params: [['threshold', REQUIRED], ['value', REQUIRED], ['inplace', false]],
    forward: (x, m) => f.threshold(x, m.threshold, m.value, m.inplace),
    repr: (m) => `threshold=${num(m.threshold)}, value=${num(m.value)}${inplaceTail(m)}` },
  RReLU: { params: [['lower', 1 / 8], ['upper', 1 / 3], ['inplace', false]],
    forward: (x, m) => f.rrelu(x, m.lower, m.upper, m.training, m.inplace),
    repr: (m) => `lower=${fl(m.lower)}, upper=${fl(m.upper)}${inplaceTail(m)}` },
  Hardtanh: { params: [['min_val', -1.0], ['max_val', 1.0], ['inplace', false], ['min_value', null], ['max_value', null]],
    setup: (m) => {
      if (m.min_value !== null) {
        warn('keyword argument min_value is deprecated and rename to min_val');
        m.min_val = m.min_value;
      }
      if (m.max_value !== null) {
        warn('keyword argument max_value is deprecated and rename to max_val');
        m.max_val = m.max_value;
      }
      delete m.min_value; delete m.max_value;
      if (!(m.max_val > m.min_val)) throw new Error('Hardtanh: max_val must be greater than min_val');
    },
    forward: (x, m) => f.hardtanh(x, m.min_val, m.max_val, m.inplace),
    repr: (m) => `min_val=${fl(m.min_val)}, max_val=${fl(m.max_val)}${inplaceTail(m)}` },
  // Python's ReLU6 is Hardtanh(0., 6.): it keeps min_val and max_val too.
  ReLU6: { params: [['inplace', false]], setup: (m) => { m.min_val = 0.0; m.max_val = 6.0; },
    forward: (x, m) => f.relu6(x, m.inplace), repr: inplaceOnly },
  Hardsigmoid: { params: [['inplace', false]], forward: (x, m) => f.hardsigmoid(x, m.inplace) },
  SiLU: { params: [['inplace', false]], forward: (x, m) => f.silu(x, m.inplace), repr: inplaceOnly },
  Mish: { params: [['inplace', false]], forward: (x, m) => f.mish(x, m.inplace), repr: inplaceOnly },
  Hardswish: { params: [['inplace', false]], forward: (x, m) => f.hardswish(x, m.inplace) },
  ELU: { params: [['alpha', 1.0], ['inplace', false]], forward: (x, m) => f.elu(x, m.alpha, m.inplace),
    repr: (m) => `alpha=${fl(m.alpha)}${inplaceTail(m)}` },
  CELU: { params: [['alpha', 1.0], ['inplace', false]], forward: (x, m) => f.celu(x, m.alpha, m.inplace),
    repr: (m) => `alpha=${fl(m.alpha)}${inplaceTail(m)}` },
  SELU: { params: [['inplace', false]], forward: (x, m) => f.selu(x, m.inplace), repr: inplaceOnly },
  GLU: { params: [['dim', -1]], forward: (x, m) => f.glu(x, m.dim), repr: (m) => `dim=${m.dim}` },
  Hardshrink: { params: [['lambd', 0.5]], forward: (x, m) => f.hardshrink(x, m.lambd), repr: (m) => fl(m.lambd) },
  LeakyReLU: { params: [['negative_slope', 1e-2], ['inplace', false]], forward: (x, m) => f.leaky_relu(x, m.negative_slope, m.inplace),
    repr: (m) => `negative_slope=${fl(m.negative_slope)}${inplaceTail(m)}` },
  LogSigmoid: { params: [], forward: (x) => f.logsigmoid(x) },
  Softplus: { params: [['beta', 1], ['threshold', 20]], forward: (x, m) => f.softplus(x, m.beta, m.threshold),
    // 2.13's defaults are floats (1.0, 20.0), printed as such; a value given prints as given
    // (JS numbers cannot tell 1 from 1.0: a given 1 or 20 prints as the default).
    repr: (m) => (torchAtLeast(2, 13)
      ? `beta=${m.beta === 1 ? fl(m.beta) : num(m.beta)}, threshold=${m.threshold === 20 ? fl(m.threshold) : num(m.threshold)}`
      : `beta=${num(m.beta)}, threshold=${num(m.threshold)}`) },
  Softshrink: { params: [['lambd', 0.5]], forward: (x, m) => f.softshrink(x, m.lambd), repr: (m) => fl(m.lambd) },
  Softsign: { params: [], forward: (x) => f.softsign(x) },
  Tanhshrink: { params: [], forward: (x) => f.tanhshrink(x) },
  Softmin: { params: [['dim', null]], forward: (x, m) => f.softmin(x, m.dim), repr: (m) => `dim=${py(m.dim)}` },
  Softmax2d: { params: [],
    forward: (x) => {
      if (x.dim() !== 3 && x.dim() !== 4) {
        throw new Error(torchAtLeast(2, 13) ? `Softmax2d: expected input to be 3D or 4D, got ${x.dim()}D instead` : 'Softmax2d requires a 3D or 4D tensor as input');
      }
      return f.softmax(x, -3);
    } },
};

/** One Module class per row, named as Python's (String(m), _get_name() and errors use the name). */
function makeActivation(name: string, row: Row): new (...args: unknown[]) => Module {
  const spec = Object.fromEntries(row.params);
  const cls = {
    [name]: class extends Module {
      constructor(...args: unknown[]) {
        super();
        const a = bind<Attrs>(name, args, spec);
        row.setup?.(a);
        Object.assign(this, a);
      }
      forward(input: Tensor): Tensor {
        checkTensor(name, 'input', input);
        return row.forward(input, this as unknown as Attrs);
      }
      extra_repr(): string { return row.repr ? row.repr(this as unknown as Attrs) : ''; }
    },
  }[name];
  return cls;
}

/** A table class's type: Python's positional parameters P, or any of them in a trailing options object. */
type Ctor<O, P extends unknown[] = []> = new (...args: Rest<P, Partial<O>>) => Module & O & { forward(input: Tensor): Tensor };
export const Threshold = makeActivation('Threshold', TABLE.Threshold) as unknown as Ctor<{ threshold: number; value: number; inplace: boolean }, [number, number, boolean]>;
export const RReLU = makeActivation('RReLU', TABLE.RReLU) as unknown as Ctor<{ lower: number; upper: number; inplace: boolean }, [number, number, boolean]>;
export const Hardtanh = makeActivation('Hardtanh', TABLE.Hardtanh) as unknown as Ctor<{ min_val: number; max_val: number; inplace: boolean; min_value?: number | null; max_value?: number | null }, [number, number, boolean, (number | null)?, (number | null)?]>;
export const ReLU6 = makeActivation('ReLU6', TABLE.ReLU6) as unknown as Ctor<{ inplace: boolean; min_val: number; max_val: number }, [boolean]>;
export const Hardsigmoid = makeActivation('Hardsigmoid', TABLE.Hardsigmoid) as unknown as Ctor<{ inplace: boolean }, [boolean]>;
export const SiLU = makeActivation('SiLU', TABLE.SiLU) as unknown as Ctor<{ inplace: boolean }, [boolean]>;
export const Mish = makeActivation('Mish', TABLE.Mish) as unknown as Ctor<{ inplace: boolean }, [boolean]>;
export const Hardswish = makeActivation('Hardswish', TABLE.Hardswish) as unknown as Ctor<{ inplace: boolean }, [boolean]>;
export const ELU = makeActivation('ELU', TABLE.ELU) as unknown as Ctor<{ alpha: number; inplace: boolean }, [number, boolean]>;
export const CELU = makeActivation('CELU', TABLE.CELU) as unknown as Ctor<{ alpha: number; inplace: boolean }, [number, boolean]>;
export const SELU = makeActivation('SELU', TABLE.SELU) as unknown as Ctor<{ inplace: boolean }, [boolean]>;
export const GLU = makeActivation('GLU', TABLE.GLU) as unknown as Ctor<{ dim: number }, [number]>;
export const Hardshrink = makeActivation('Hardshrink', TABLE.Hardshrink) as unknown as Ctor<{ lambd: number }, [number]>;
export const LeakyReLU = makeActivation('LeakyReLU', TABLE.LeakyReLU) as unknown as Ctor<{ negative_slope: number; inplace: boolean }, [number, boolean]>;
export const LogSigmoid = makeActivation('LogSigmoid', TABLE.LogSigmoid) as unknown as Ctor<object>;
export const Softplus = makeActivation('Softplus', TABLE.Softplus) as unknown as Ctor<{ beta: number; threshold: number }, [number, number]>;
export const Softshrink = makeActivation('Softshrink', TABLE.Softshrink) as unknown as Ctor<{ lambd: number }, [number]>;
export const Softsign = makeActivation('Softsign', TABLE.Softsign) as unknown as Ctor<object>;
export const Tanhshrink = makeActivation('Tanhshrink', TABLE.Tanhshrink) as unknown as Ctor<object>;
export const Softmin = makeActivation('Softmin', TABLE.Softmin) as unknown as Ctor<{ dim: number | null }, [number | null]>;
export const Softmax2d = makeActivation('Softmax2d', TABLE.Softmax2d) as unknown as Ctor<object>;

export interface PReLUArgs extends FactoryArgs { num_parameters: number; init: number }
/** max(0, x) + weight * min(0, x), with a learnt slope per channel (or one for all); weight starts at init. */
export class PReLU extends Module {
  declare num_parameters: number;
  declare init: number;
  declare weight: Parameter;
  constructor(...args: unknown[]) {
    super();
    const a = bind<PReLUArgs>('PReLU', args, { num_parameters: 1, init: 0.25, device: null, dtype: null });
    checkInt('PReLU', 'num_parameters', a.num_parameters);
    this.num_parameters = a.num_parameters;
    this.init = a.init;
    this.weight = emptyParameter([a.num_parameters], a);
    this.reset_parameters();
  }
  reset_parameters(): void { init.constant_(this.weight, this.init); }
  forward(input: Tensor): Tensor {
    checkTensor('PReLU', 'input', input);
    return f.prelu(input, this.weight);
  }
  extra_repr(): string { return `num_parameters=${this.num_parameters}`; }
}
