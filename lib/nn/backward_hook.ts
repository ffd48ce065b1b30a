// Module.register_full_backward_hook's machinery, as torch/utils/hooks.py's BackwardHook: the
// module's tensor inputs and outputs pass through an identity autograd.Function whose grad_fn
// hooks see the gradients flowing out of (grad_output) and into (grad_input) the module.
import { native } from '../native';
import { Tensor, GradFn } from '../tensor';
import { Function as AFunction, FunctionCtx } from '../autograd_function';

class BackwardHookFunction extends AFunction {
  static forward(ctx: FunctionCtx, ...args: Tensor[]): Tensor[] {
    ctx.mark_non_differentiable(...args.filter((a) => !a.requires_grad));
    return args;
  }
  static backward(_ctx: FunctionCtx, ...grads: (Tensor | null)[]): (Tensor | null)[] { return grads; }
}

export type FullBackwardHook = (module: unknown, grad_input: (Tensor | null)[], grad_output: (Tensor | null)[]) => (Tensor | null)[] | null | undefined | void;

const packWithNone = (indices: number[], values: (Tensor | null)[], size: number): (Tensor | null)[] => {
  const res: (Tensor | null)[] = new Array(size).fill(null);
  indices.forEach((idx, i) => { res[idx] = values[i]; });
  return res;
};

export class BackwardHook {
  private gradOutputs: (Tensor | null)[] | null = null;
  private nInputs = 0;
  private nOutputs = 0;
  private inputIdx: number[] | null = null;
  private outputIdx: number[] | null = null;

  constructor(private readonly module: unknown, private readonly userHooks: FullBackwardHook[]) {}

  private applyOnTensors(fn: (g: GradFn) => void, args: unknown[]): [unknown[], number[] | null] {
    if (!native.is_grad_enabled()) return [args, null];
    const idx: number[] = [], tensors: Tensor[] = [];
    args.forEach((a, i) => { if (a instanceof Tensor) { idx.push(i); tensors.push(a); } });
    if (!tensors.some((t) => t.requires_grad)) return [args, null];
    const out = BackwardHookFunction.apply(...tensors) as Tensor[];
    if (out.length === 0) throw new Error('Cannot set Module backward hook for a Module with no input Tensors.');
    const gradFns = out.map((t) => t.grad_fn).filter((g): g is GradFn => g !== null && g.name() === 'BackwardHookFunctionBackward');
    if (gradFns.length === 0) throw new Error('Error while setting up backward hooks. Please open an issue with a code sample to reproduce this.');
    fn(gradFns[0]);
    const res = args.slice();
    idx.forEach((i, k) => { res[i] = out[k]; });
    return [res, idx];
  }

  setupInputHook(args: unknown[]): unknown[] {
    const [res, idx] = this.applyOnTensors((gradFn) => {
      gradFn.register_hook((gradInput) => {
        // no grad_outputs: the gradient reached the inputs without passing through the outputs
        if (this.gradOutputs === null) return null;
        let res = packWithNone(this.inputIdx ?? [], gradInput, this.nInputs);
        for (const hook of this.userHooks) {
          const out = hook(this.module, res, this.gradOutputs);
          if (out === null || out === undefined) continue;
          if (!Array.isArray(out) || out.length !== res.length) {
            throw new Error(`Backward hook returned an invalid number of grad_input, got ${Array.isArray(out) ? out.length : 1}, but expected ${res.length}`);
          }
          res = out;
        }
        this.gradOutputs = null;
        return (this.inputIdx ?? []).map((i) => res[i]);
      });
    }, args);
    this.nInputs = args.length;
    this.inputIdx = idx;
    return res;
  }

  setupOutputHook(result: unknown): unknown {
    const isTuple = Array.isArray(result);
    const args = isTuple ? (result as unknown[]) : [result];
    const [res, idx] = this.applyOnTensors((gradFn) => {
      gradFn.register_hook((_gi, gradOutput) => {
        this.gradOutputs = packWithNone(this.outputIdx ?? [], gradOutput, this.nOutputs);
        if (this.inputIdx === null) {
          const gradInputs = packWithNone([], [], this.nInputs);
          for (const hook of this.userHooks) {
            const r = hook(this.module, gradInputs, this.gradOutputs);
            if (r !== null && r !== undefined && !(Array.isArray(r) && r.every((el) => el === null || el === undefined))) {
              throw new Error('Backward hook for Modules where no input requires gradient should always return None or None for all gradients.');
            }
          }
          this.gradOutputs = null;
        }
        return null;
      });
    }, args);
    this.nOutputs = args.length;
    this.outputIdx = idx;
    return isTuple ? res : res[0];
  }
}
