// torch.<name> written by hand where Python writes it in Python (torch/functional.py
// and friends) or adds behaviour; every other name is generated (lib/generated/torch.ts).
import { native } from './native';
import { Tensor, op } from './tensor';

const { call } = native;

const BROADCAST = op('broadcast_tensors');
function tensors(name: string, ts: readonly Tensor[]): unknown[] {
  if (!Array.isArray(ts)) throw new TypeError(`torch.${name}(): argument 'tensors' must be an array of Tensors`);
  return ts.map((x, i) => {
    if (!(x instanceof Tensor)) throw new TypeError(`torch.${name}(): expected Tensor as element ${i} in argument 'tensors', but got ${x === null ? 'null' : typeof x}`);
    return x._h;
  });
}
/** torch.broadcast_tensors(*tensors) */
export function broadcast_tensors(...ts: Tensor[]): Tensor[] {
  return (call(BROADCAST, tensors('broadcast_tensors', ts)) as unknown[]).map((x) => new Tensor(x as Tensor['_h']));
}
/** torch.norm (Python's torch.functional.norm for a number p): input.norm(p, dim, { keepdim }). */
export function norm(input: Tensor, p: number = 2, dim?: number | number[] | null, opts: { keepdim?: boolean } = {}): Tensor {
  return input.norm(p, dim, opts);
}
/** torch.nonzero(input, *, as_tuple=False) (Python binds it by hand). */
export function nonzero(input: Tensor): Tensor;
export function nonzero(input: Tensor, opts: { as_tuple: true }): Tensor[];
export function nonzero(input: Tensor, opts: { as_tuple?: boolean }): Tensor | Tensor[];
export function nonzero(input: Tensor, opts: { as_tuple?: boolean } = {}): Tensor | Tensor[] {
  if (!(input instanceof Tensor)) throw new TypeError(`nonzero(): argument 'input' (position 1) must be Tensor, not ${typeof input}`);
  return input.nonzero(opts);
}
