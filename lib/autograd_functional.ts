// torch.autograd.functional: vjp, jvp, jacobian, hessian, vhp, hvp, as PyTorch 1.13 computes them
// (reverse mode only; jvp and hvp by the double-backward trick). Python's tuples are JS arrays:
// an array of tensors in gives an array out where Python gives a tuple.
import { native } from './native';
import { set_grad_enabled } from './autograd';
import { Tensor, bindSimple } from './tensor';
import { stack, zeros_like } from './generated/torch';

type Tensors = Tensor | Tensor[];
type Func = (...inputs: Tensor[]) => Tensors;

const typeName = (v: unknown): string => (v === null || v === undefined ? "<class 'NoneType'>" : Array.isArray(v) ? "<class 'list'>" : `<class '${typeof v}'>`);

/** Python's _as_tuple: [is it a tuple, the tensors], with its TypeErrors. */
function asTuple(inp: unknown, argName: string, fnName: string): [boolean, Tensor[]] {
  const isTuple = Array.isArray(inp);
  const els = isTuple ? (inp as unknown[]) : [inp];
  els.forEach((el, i) => {
    if (el instanceof Tensor) return;
    throw new TypeError(isTuple
      ? `The ${argName} given to ${fnName} must be either a Tensor or a tuple of Tensors but the value at index ${i} has type ${typeName(el)}.`
      : `The ${argName} given to ${fnName} must be either a Tensor or a tuple of Tensors but the given ${argName} has type ${typeName(el)}.`);
  });
  return [isTuple, els as Tensor[]];
}

function tuplePost<T>(res: T[], unpack: boolean): T | T[] { return unpack ? res : res[0]; }

function gradPre(inputs: Tensor[], createGraph: boolean, needGraph: boolean): Tensor[] {
  return inputs.map((inp) => (createGraph && inp.requires_grad ? inp.view_as(inp) : inp.detach().requires_grad_(needGraph)));
}

function gradPost(inputs: Tensor[], createGraph: boolean): Tensor[] {
  return createGraph ? inputs : inputs.map((t) => t.detach());
}

const sizeStr = (s: number[]): string => `torch.Size([${s.join(', ')}])`;

function validateV(v: Tensor[], other: Tensor[], isOtherTuple: boolean): void {
  if (v.length !== other.length) {
    throw new Error(isOtherTuple ? `v is a tuple of invalid length: should be ${other.length} but got ${v.length}.` : 'The given v should contain a single Tensor.');
  }
  v.forEach((ev, i) => {
    const a = ev.shape, b = other[i].shape;
    if (a.length !== b.length || a.some((d, k) => d !== b[k])) {
      throw new Error(`${isOtherTuple ? `Entry ${i} in ` : ''}v has invalid size: should be ${sizeStr(b)} but got ${sizeStr(a)}.`);
    }
  });
}

const REQ_MSG: Record<string, (i: number) => string> = {
  hessian: (i) => `The hessian of the user-provided function with respect to input ${i} is independent of the input. This is not allowed in strict mode. You should ensure that your function is thrice differentiable and that the hessian depends on the inputs.`,
  jacobian: (i) => `While computing the hessian, found that the jacobian of the user-provided function with respect to input ${i} is independent of the input. This is not allowed in strict mode. You should ensure that your function is twice differentiable and that the jacobian depends on the inputs (this would be violated by a linear function for example).`,
  grad_inputs: (i) => `The gradient with respect to input ${i} is independent of the inputs of the user-provided function. This is not allowed in strict mode.`,
  outputs: (i) => `Output ${i} of the user-provided function does not require gradients. The outputs must be computed in a differentiable manner from the input when running in strict mode.`,
};

function checkRequiresGrad(inputs: (Tensor | null)[], inputType: keyof typeof REQ_MSG, strict: boolean): void {
  if (!strict) return;
  inputs.forEach((inp, i) => {
    if (inp === null) throw new Error(`The output of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`);
    if (!inp.requires_grad) throw new Error(REQ_MSG[inputType](i));
  });
}

/** Python's _autograd_grad: grad of the outputs that require grad, allow_unused. */
function autogradGrad(outputs: (Tensor | null)[], inputs: Tensor[], gradOutputs: (Tensor | null)[] | null,
  createGraph: boolean, retainGraph: boolean | null = null): (Tensor | null)[] {
  const go = gradOutputs ?? outputs.map(() => null);
  const outs: Tensor[] = [], gos: (Tensor | null)[] = [];
  outputs.forEach((o, i) => { if (o !== null && o.requires_grad) { outs.push(o); gos.push(go[i]); } });
  if (outs.length === 0) return inputs.map(() => null);
  const r = native.autograd_grad(outs.map((t) => t._h), inputs.map((t) => t._h), gos.map((g) => (g ? g._h : null)),
    retainGraph ?? (createGraph ? true : null), createGraph, true);
  return r.map((h) => (h === null ? null : new Tensor(h)));
}

const FILL_MSG: Record<string, (i: number) => string> = {
  back: (i) => `The output of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`,
  back_trick: (i) => `The gradient with respect to the input is independent of entry ${i} in the grad_outputs when using the double backward trick to compute forward mode gradients. This is not allowed in strict mode.`,
  double_back: (i) => `The jacobian of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`,
  double_back_trick: (i) => `The hessian of the user-provided function is independent of entry ${i} in the grad_jacobian. This is not allowed in strict mode as it prevents from using the double backward trick to replace forward mode AD.`,
};

function fillInZeros(grads: (Tensor | null)[], refs: Tensor[], strict: boolean, createGraph: boolean, stage: keyof typeof FILL_MSG): Tensor[] {
  return grads.map((g, i) => {
    if (g === null) {
      if (strict) throw new Error(FILL_MSG[stage](i));
      return zeros_like(refs[i]);
    }
    if (strict && createGraph && !g.requires_grad) {
      throw new Error(`The ${stage.includes('double') ? 'hessian' : 'jacobian'} of the user-provided function is independent of input ${i}. This is not allowed in strict mode when create_graph=True.`);
    }
    return g;
  });
}

function callFunc(func: Func, fnName: string, inputs: Tensor[]): [boolean, Tensor[]] {
  if (typeof func !== 'function') throw new TypeError(`${fnName}(): func must be a function`);
  return asTuple(func(...inputs), 'outputs of the user-provided function', fnName);
}

/** vjp(func, inputs, v=null, create_graph=false, strict=false) -> [func_output, vjp] */
export function vjp(func: Func, inputs: Tensors, ...rest: unknown[]): [Tensors, Tensors] {
  const a = bindSimple('vjp', rest, { v: null as Tensors | null, create_graph: false, strict: false });
  const [isInTuple, ins0] = set_grad_enabled(true, () => asTuple(inputs, 'inputs', 'vjp'));
  let outputs: Tensor[] = [], isOutTuple = false, ins: Tensor[] = [], v: Tensor[] | null = null;
  set_grad_enabled(true, () => {
    ins = gradPre(ins0, a.create_graph, true);
    [isOutTuple, outputs] = callFunc(func, 'vjp', ins);
    checkRequiresGrad(outputs, 'outputs', a.strict);
    if (a.v !== null && a.v !== undefined) {
      v = gradPre(asTuple(a.v, 'v', 'vjp')[1], a.create_graph, false);
      validateV(v, outputs, isOutTuple);
    } else if (outputs.length !== 1 || outputs[0].numel() !== 1) {
      throw new Error('The vector v can only be None if the user-provided function returns a single Tensor with a single element.');
    }
  });
  const res = set_grad_enabled(a.create_graph || native.is_grad_enabled(),
    () => fillInZeros(autogradGrad(outputs, ins, v, a.create_graph), ins, a.strict, a.create_graph, 'back'));
  return [tuplePost(gradPost(outputs, a.create_graph), isOutTuple), tuplePost(gradPost(res, a.create_graph), isInTuple)];
}

/** jvp(func, inputs, v=null, create_graph=false, strict=false) -> [func_output, jvp], by the double-backward trick. */
export function jvp(func: Func, inputs: Tensors, ...rest: unknown[]): [Tensors, Tensors] {
  const a = bindSimple('jvp', rest, { v: null as Tensors | null, create_graph: false, strict: false });
  let outputs: Tensor[] = [], isOutTuple = false, v: Tensor[] | null = null;
  let gradOutputs: Tensor[] = [], gradInputs: (Tensor | null)[] = [];
  const [isInTuple, ins0] = asTuple(inputs, 'inputs', 'jvp');
  void isInTuple;
  set_grad_enabled(true, () => {
    const ins = gradPre(ins0, a.create_graph, true);
    if (a.v !== null && a.v !== undefined) {
      v = gradPre(asTuple(a.v, 'v', 'jvp')[1], a.create_graph, false);
      validateV(v, ins, isInTuple);
    } else if (ins.length !== 1 || ins[0].numel() !== 1) {
      throw new Error('The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.');
    }
    [isOutTuple, outputs] = callFunc(func, 'jvp', ins);
    checkRequiresGrad(outputs, 'outputs', a.strict);
    gradOutputs = outputs.map((o) => zeros_like(o, { requires_grad: true }));
    gradInputs = autogradGrad(outputs, ins, gradOutputs, true);
    checkRequiresGrad(gradInputs, 'grad_inputs', a.strict);
  });
  const compute = () => fillInZeros(autogradGrad(gradInputs, gradOutputs, v, a.create_graph), outputs, a.strict, a.create_graph, 'back_trick');
  const res = a.create_graph ? set_grad_enabled(true, compute) : compute();
  return [tuplePost(gradPost(outputs, a.create_graph), isOutTuple), tuplePost(gradPost(res, a.create_graph), isOutTuple)];
}

/**
 * jacobian(func, inputs, create_graph=false, strict=false, vectorize=false, strategy='reverse-mode'):
 * one row of backward per output element. vectorize=true gives the same values by the same loop
 * (no vmap here); strategy 'forward-mode' is not available (no forward-mode AD).
 */
export function jacobian(func: Func, inputs: Tensors, ...rest: unknown[]): Tensors | Tensors[] {
  const a = bindSimple('jacobian', rest, { create_graph: false, strict: false, vectorize: false, strategy: 'reverse-mode' });
  if (a.strategy !== 'forward-mode' && a.strategy !== 'reverse-mode') {
    throw new Error('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function has more outputs than inputs, "forward-mode" tends to be more performant. Otherwise, prefer to use "reverse-mode".');
  }
  if (a.strategy === 'forward-mode') {
    if (a.create_graph) throw new Error('torch.autograd.functional.jacobian: `create_graph=True` and `strategy="forward-mode"` are not supported together (yet). Please either set `create_graph=False` or `strategy="reverse-mode"`.');
    throw new Error('torch.autograd.functional.jacobian: strategy="forward-mode" needs forward-mode AD, which torch-node does not have; use strategy="reverse-mode"');
  }
  return set_grad_enabled(true, () => {
    const [isInTuple, ins0] = asTuple(inputs, 'inputs', 'jacobian');
    const ins = gradPre(ins0, a.create_graph, true);
    const [isOutTuple, outputs] = callFunc(func, 'jacobian', ins);
    checkRequiresGrad(outputs, 'outputs', a.strict);
    if (a.vectorize && a.strict) {
      throw new Error('torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not supported together. Please either set `strict=False` or `vectorize=False`.');
    }
    const jac = outputs.map((out, i) => {
      const rows: Tensor[][] = ins.map(() => []);
      const flat = out.reshape(-1);
      for (let j = 0; j < out.numel(); j++) {
        const vj = autogradGrad([flat.select(0, j)], ins, null, a.create_graph, true);
        vj.forEach((g, k) => {
          if (g !== null) {
            if (a.strict && a.create_graph && !g.requires_grad) {
              throw new Error(`The jacobian of the user-provided function is independent of input ${i}. This is not allowed in strict mode when create_graph=True.`);
            }
            rows[k].push(g);
          } else {
            if (a.strict) throw new Error(`Output ${i} of the user-provided function is independent of input ${k}. This is not allowed in strict mode.`);
            rows[k].push(zeros_like(ins[k]));
          }
        });
      }
      return rows.map((r, k) => gradPost([(r.length ? stack(r, 0) : zeros_like(ins[k]).reshape(0, ...ins[k].shape)).view([...out.shape, ...ins[k].shape])], a.create_graph)[0]);
    });
    const inner = isInTuple ? jac : jac.map((r) => r[0]);
    return isOutTuple ? inner : inner[0];
  });
}

/** hessian(func, inputs, create_graph=false, strict=false, vectorize=false, outer_jacobian_strategy='reverse-mode'). */
export function hessian(func: (...inputs: Tensor[]) => Tensor, inputs: Tensors, ...rest: unknown[]): Tensors | Tensors[] {
  const a = bindSimple('hessian', rest, { create_graph: false, strict: false, vectorize: false, outer_jacobian_strategy: 'reverse-mode' });
  const [isInTuple, ins] = asTuple(inputs, 'inputs', 'hessian');
  if (a.outer_jacobian_strategy !== 'forward-mode' && a.outer_jacobian_strategy !== 'reverse-mode') {
    throw new Error('Expected strategy to be either "forward-mode" or "reverse-mode".');
  }
  const single = (...inp: Tensor[]): Tensor => {
    const out = func(...inp);
    const [isOutTuple, tOut] = asTuple(out, 'outputs of the user-provided function', 'hessian');
    checkRequiresGrad(tOut, 'outputs', a.strict);
    if (isOutTuple || !(out instanceof Tensor)) throw new Error('The function given to hessian should return a single Tensor');
    if (out.numel() !== 1) throw new Error('The Tensor returned by the function given to hessian should contain a single element');
    return out.squeeze();
  };
  const jacFunc = (...inp: Tensor[]): Tensor[] => {
    const jac = jacobian(single, inp, { create_graph: true }) as Tensor[];
    checkRequiresGrad(jac, 'jacobian', a.strict);
    return jac;
  };
  const res = jacobian(jacFunc, ins, { create_graph: a.create_graph, strict: a.strict, vectorize: a.vectorize, strategy: a.outer_jacobian_strategy }) as Tensor[][];
  const inner = isInTuple ? res : res.map((r) => r[0]);
  return isInTuple ? inner : inner[0];
}

// vhp and hvp share all but the last step.
function secondOrder(kind: 'vhp' | 'hvp', func: Func, inputs: Tensors, rest: unknown[]): [Tensors, Tensors] {
  const a = bindSimple(kind, rest, { v: null as Tensors | null, create_graph: false, strict: false });
  let outputs: Tensor[] = [], isOutTuple = false, ins: Tensor[] = [], v: Tensor[] | null = null, isInTuple = false;
  let jac: (Tensor | null)[] = [], gradJac: Tensor[] = [], doubleBack: (Tensor | null)[] = [];
  set_grad_enabled(true, () => {
    let ins0: Tensor[];
    [isInTuple, ins0] = asTuple(inputs, 'inputs', kind);
    ins = gradPre(ins0, a.create_graph, true);
    if (a.v !== null && a.v !== undefined) {
      v = gradPre(asTuple(a.v, 'v', kind)[1], a.create_graph, false);
      validateV(v, ins, isInTuple);
    } else if (ins.length !== 1 || ins[0].numel() !== 1) {
      throw new Error('The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.');
    }
    [isOutTuple, outputs] = callFunc(func, kind, ins);
    checkRequiresGrad(outputs, 'outputs', a.strict);
    if (isOutTuple || !(outputs[0] instanceof Tensor)) throw new Error(`The function given to ${kind} should return a single Tensor`);
    if (outputs[0].numel() !== 1) throw new Error(`The Tensor returned by the function given to ${kind} should contain a single element`);
    jac = autogradGrad(outputs, ins, null, true);
    checkRequiresGrad(jac, 'jacobian', a.strict);
    if (kind === 'hvp') {
      gradJac = ins.map((inp) => zeros_like(inp, { requires_grad: true }));
      doubleBack = autogradGrad(jac, ins, gradJac, true);
      checkRequiresGrad(jac, 'hessian', a.strict);
    }
  });
  const res = set_grad_enabled(a.create_graph || native.is_grad_enabled(), () => (kind === 'vhp'
    ? fillInZeros(autogradGrad(jac, ins, v, a.create_graph), ins, a.strict, a.create_graph, 'double_back')
    : fillInZeros(autogradGrad(doubleBack, gradJac, v, a.create_graph), ins, a.strict, a.create_graph, 'double_back_trick')));
  return [tuplePost(gradPost(outputs, a.create_graph), isOutTuple), tuplePost(gradPost(res, a.create_graph), isInTuple)];
}

/** vhp(func, inputs, v=null, create_graph=false, strict=false) -> [func_output, vhp] */
export function vhp(func: Func, inputs: Tensors, ...rest: unknown[]): [Tensors, Tensors] { return secondOrder('vhp', func, inputs, rest); }
/** hvp(func, inputs, v=null, create_graph=false, strict=false) -> [func_output, hvp] */
export function hvp(func: Func, inputs: Tensors, ...rest: unknown[]): [Tensors, Tensors] { return secondOrder('hvp', func, inputs, rest); }

