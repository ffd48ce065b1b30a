// torch.<op>(input, ...) for the ops that are Tensor methods, plus the ops
// that take several tensors (cat, stack, ...). One table, no per-op bodies.
import { native } from './native';
import { Tensor, op, where } from './tensor';

const { call } = native;

/** torch.name(input, ...args) === input.name(...args), with the method's types. */
function method<K extends keyof Tensor>(name: K) {
  type M = Tensor[K] extends (...a: infer A) => infer R ? (input: Tensor, ...args: A) => R : never;
  return ((input: Tensor, ...args: unknown[]) => {
    if (!(input instanceof Tensor)) throw new TypeError(`torch.${String(name)}(): argument 'input' must be Tensor, not ${input === null ? 'null' : typeof input}`);
    return (input[name] as unknown as (...a: unknown[]) => unknown)(...args);
  }) as unknown as M;
}

export const add = method('add'), sub = method('sub'), mul = method('mul'), div = method('div'), pow = method('pow');
export const true_divide = method('true_divide'), floor_divide = method('floor_divide'), remainder = method('remainder'), fmod = method('fmod');
export const neg = method('neg'), abs = method('abs'), sqrt = method('sqrt'), rsqrt = method('rsqrt'), exp = method('exp');
export const log = method('log'), log2 = method('log2'), log10 = method('log10'), log1p = method('log1p'), expm1 = method('expm1');
export const sin = method('sin'), cos = method('cos'), tan = method('tan'), asin = method('asin'), acos = method('acos'), atan = method('atan');
export const sinh = method('sinh'), cosh = method('cosh'), tanh = method('tanh'), sigmoid = method('sigmoid'), relu = method('relu');
export const floor = method('floor'), ceil = method('ceil'), trunc = method('trunc'), frac = method('frac'), round = method('round');
export const sign = method('sign'), reciprocal = method('reciprocal'), square = method('square'), erf = method('erf');
export const clamp = method('clamp'), clip = method('clip'), maximum = method('maximum'), minimum = method('minimum');
export const eq = method('eq'), ne = method('ne'), lt = method('lt'), le = method('le'), gt = method('gt'), ge = method('ge');
export const equal = method('equal'), allclose = method('allclose'), isnan = method('isnan'), isinf = method('isinf'), isfinite = method('isfinite');
export const logical_and = method('logical_and'), logical_or = method('logical_or'), logical_xor = method('logical_xor'), logical_not = method('logical_not');
export const atan2 = method('atan2'), hypot = method('hypot');
export const sum = method('sum'), mean = method('mean'), prod = method('prod'), max = method('max'), min = method('min');
export const argmax = method('argmax'), argmin = method('argmin'), std = method('std'), norm = method('norm');
// `var` is a reserved word: declared under another name, exported as torch.var.
const var_ = method('var');
export const all = method('all'), any = method('any'), cumsum = method('cumsum'), logsumexp = method('logsumexp');
export const softmax = method('softmax'), log_softmax = method('log_softmax'), sort = method('sort'), topk = method('topk'), nonzero = method('nonzero');
export const matmul = method('matmul'), mm = method('mm'), bmm = method('bmm'), dot = method('dot'), t = method('t');
export const reshape = method('reshape'), flatten = method('flatten'), squeeze = method('squeeze'), unsqueeze = method('unsqueeze');
export const permute = method('permute'), transpose = method('transpose'), swapaxes = method('swapaxes');
export const split = method('split'), chunk = method('chunk'), narrow = method('narrow'), clone = method('clone'), detach = method('detach');
export const index_select = method('index_select'), gather = method('gather'), scatter = method('scatter'), scatter_add = method('scatter_add');
export const masked_fill = method('masked_fill'), numel = method('numel');
export { where, var_ as var };

const CAT = op('cat'), STACK = op('stack'), BROADCAST = op('broadcast_tensors');
function tensors(name: string, ts: readonly Tensor[]): unknown[] {
  if (!Array.isArray(ts)) throw new TypeError(`torch.${name}(): argument 'tensors' must be an array of Tensors`);
  return ts.map((x, i) => {
    if (!(x instanceof Tensor)) throw new TypeError(`torch.${name}(): expected Tensor as element ${i} in argument 'tensors', but got ${x === null ? 'null' : typeof x}`);
    return x._h;
  });
}
export function cat(ts: readonly Tensor[], dim = 0): Tensor { return new Tensor(call(CAT, tensors('cat', ts), dim)); }
export const concat = cat;
export function stack(ts: readonly Tensor[], dim = 0): Tensor { return new Tensor(call(STACK, tensors('stack', ts), dim)); }
export function broadcast_tensors(...ts: Tensor[]): Tensor[] {
  return (call(BROADCAST, tensors('broadcast_tensors', ts)) as unknown[]).map((x) => new Tensor(x as Tensor['_h']));
}
