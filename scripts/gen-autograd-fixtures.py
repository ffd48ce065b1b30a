#!/usr/bin/python3
"""Writes test/fixtures/autograd2.json: reference values from real PyTorch 1.13 for
torch.autograd.Function, grad_fn graphs, torch.autograd.functional and gradcheck.

Run with Debian's interpreter (it has torch 1.13; the `python3` first on PATH has none):
    /usr/bin/python3 scripts/gen-autograd-fixtures.py

Everything is float64 with fixed input values, so the JS tests rebuild the same inputs. The
custom Functions here are written again in test/autograd.test.js, line for line.
"""
import json
import os
import sys

import torch
from torch.autograd.function import once_differentiable

sys.path.insert(0, os.path.dirname(__file__))
from fixture_json import json_float  # noqa: E402

torch.set_default_dtype(torch.float64)


def vals(t):
    if t is None:
        return None
    if isinstance(t, (tuple, list)):
        return [vals(x) for x in t]
    return {"shape": list(t.shape), "data": [json_float(float(v)) for v in t.detach().reshape(-1).tolist()]}


X = [0.5, -1.25, 2.0, -0.3, 1.7, 0.0]
Y = [1.5, 0.25, -2.0, 0.8, -0.6, 1.1]
W = [0.3, -0.7, 1.1, 0.9, -0.2, 0.5]


def t(data, shape=(2, 3), rg=True):
    return torch.tensor(data).reshape(shape).requires_grad_(rg)


# ---- custom Functions (mirrored in the JS test) ----
class ClampST(torch.autograd.Function):
    """clamp whose gradient leaks 0.1 outside [lo, hi]."""
    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        return x.clamp(lo, hi)

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        inside = (x >= ctx.lo) & (x <= ctx.hi)
        return g * torch.where(inside, torch.ones_like(x), torch.full_like(x, 0.1)), None, None


class MyExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        r = x.exp()
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        r, = ctx.saved_tensors
        return g * r


class Double_(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        x.mul_(2)
        ctx.mark_dirty(x)
        return x

    @staticmethod
    def backward(ctx, g):
        return g * 2


class MulAdd(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y, x + y

    @staticmethod
    def backward(ctx, gm, ga):
        x, y = ctx.saved_tensors
        return gm * y + ga, gm * x + ga


class SortNd(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        v, i = x.sort(dim=1)
        ctx.mark_non_differentiable(i)
        ctx.save_for_backward(i)
        return v, i

    @staticmethod
    def backward(ctx, gv, gi):
        i, = ctx.saved_tensors
        return torch.zeros_like(gv).scatter(1, i, gv)


class Cube(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * 3 * x ** 2


class CubeOnce(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * 3 * x ** 2


class WrongGrad(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 3


class NoMaterialize(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x * 2, x * 3

    @staticmethod
    def backward(ctx, g1, g2):
        r = torch.zeros_like(g1 if g1 is not None else g2)
        if g1 is not None:
            r = r + g1 * 2
        if g2 is not None:
            r = r + g2 * 3
        return r


class NonZeroUndef(torch.autograd.Function):
    """Gives a non-zero input gradient for an undefined output gradient: gradcheck refuses it."""
    @staticmethod
    def forward(ctx, x):
        ctx.set_materialize_grads(False)
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return torch.ones_like(ctx.saved_x) if g is None else g * 2


def graph(fn, depth=4):
    """grad_fn.name() and next_functions as nested [name, [[child, input_nr], ...]]."""
    if fn is None:
        return None
    if depth == 0:
        return [fn.name(), "..."]
    return [fn.name(), [[graph(f, depth - 1), nr] for f, nr in fn.next_functions]]


def function_cases():
    out = {}
    x, y = t(X), t(Y)
    w = torch.tensor(W).reshape(2, 3)

    def record(name, outputs, inputs, weights):
        loss = sum((o * wt).sum() for o, wt in zip(outputs, weights) if o.requires_grad)
        grads = torch.autograd.grad(loss, inputs, allow_unused=True)
        out[name] = {
            "outputs": vals(list(outputs)),
            "grads": vals(list(grads)),
            "requires_grad": [o.requires_grad for o in outputs],
            "graph": graph(outputs[0].grad_fn),
        }

    record("clamp_st", [ClampST.apply(x, -0.4, 1.0)], [x], [w])
    record("my_exp", [MyExp.apply(x)], [x], [w])
    h = x * 1.0
    record("double_", [Double_.apply(h)], [x], [w])
    record("mul_add", list(MulAdd.apply(x, y)), [x, y], [w, w * 2])
    record("sort_nd", list(SortNd.apply(x)), [x], [w, w])
    record("no_materialize", [NoMaterialize.apply(x)[0]], [x], [w])
    # double backward through a differentiable custom backward
    g1, = torch.autograd.grad((Cube.apply(x) * w).sum(), x, create_graph=True)
    g2, = torch.autograd.grad((g1 * w).sum(), x)
    out["cube_double"] = {"g1": vals(g1), "g2": vals(g2), "g1_graph": graph(g1.grad_fn, 2)}
    # once_differentiable: the second backward raises
    g1, = torch.autograd.grad((CubeOnce.apply(x) * w).sum(), x, create_graph=True)
    out["cube_once"] = {"g1": vals(g1), "g1_requires_grad": g1.requires_grad}
    xx = x.detach().requires_grad_()
    z = CubeOnce.apply(xx)
    g1, = torch.autograd.grad(z, xx, torch.ones_like(z).requires_grad_(), create_graph=True)
    try:
        g1.sum().backward()
        out["cube_once"]["error"] = None
    except RuntimeError as e:
        out["cube_once"]["error"] = str(e)
    return out


def error_cases():
    out = {}

    class TooFew(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g

    class NonTensorGrad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, g

    class TooMany(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, None, g

    class LeafDirty(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    class BothVjp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def vjp(ctx, g):
            return g * 2, None

        @staticmethod
        def backward(ctx, g):
            return g, None

    class NoBackward(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

    for cls in (TooFew, NonTensorGrad, TooMany, BothVjp, NoBackward):
        try:
            cls.apply(t(X), 2.0).sum().backward()
            out[cls.__name__] = None
        except RuntimeError as e:
            out[cls.__name__] = str(e)
    try:
        LeafDirty.apply(t(X))
        out["LeafDirty"] = None
    except RuntimeError as e:
        out["LeafDirty"] = str(e)
    return out


def builtin_graph():
    x, y = t(X), t(Y)
    z = (x * y + x.exp()).sum()
    return graph(z.grad_fn, 5)


def functional_cases():
    F = torch.autograd.functional
    x, y = torch.tensor(X[:3]), torch.tensor(Y[:3])
    v3 = torch.tensor(W[:3])

    def cubic(a):
        return (a ** 3).sum() + (a[0] * a[1])

    def pair(a, b):
        return a * b.exp(), (a + b).sin()

    def elem(a):
        return a.sin() * a

    out = {
        "jacobian_elem": vals(F.jacobian(elem, x)),
        "jacobian_pair": vals(F.jacobian(pair, (x, y))),
        "hessian_cubic": vals(F.hessian(cubic, x)),
        "hessian_pair": vals(F.hessian(lambda a, b: (a * b * b).sum(), (x, y))),
        "vjp_elem": vals(F.vjp(elem, x, v3)),
        "vjp_pair": vals(F.vjp(pair, (x, y), (v3, v3 * 2))),
        "jvp_elem": vals(F.jvp(elem, x, v3)),
        "jvp_pair": vals(F.jvp(pair, (x, y), (v3, v3 * 2))),
        "hvp_cubic": vals(F.hvp(cubic, x, v3)),
        "vhp_cubic": vals(F.vhp(cubic, x, v3)),
        "vjp_scalar_default_v": vals(F.vjp(lambda a: (a * a).sum(), x)),
        "jacobian_create_graph_rg": F.jacobian(elem, x, create_graph=True).requires_grad,
        "jacobian_unused": vals(F.jacobian(lambda a, b: a * 2, (x, y))),
    }
    errors = {}
    for name, call in [
        ("jacobian_strict_unused", lambda: F.jacobian(lambda a, b: a * 2, (x, y), strict=True)),
        ("vjp_no_v", lambda: F.vjp(elem, x)),
        ("vjp_bad_v", lambda: F.vjp(elem, x, torch.ones(2))),
        ("hessian_not_scalar", lambda: F.hessian(elem, x)),
        ("vjp_strict_const", lambda: F.vjp(lambda a: torch.ones(3), x, v3, strict=True)),
    ]:
        try:
            call()
            errors[name] = None
        except RuntimeError as e:
            errors[name] = str(e)
    out["errors"] = errors
    return out


def gradcheck_cases():
    x = t(X[:4], (4,))
    out = {
        "sin_pow": torch.autograd.gradcheck(lambda a: a.pow(3).sin(), (x,), raise_exception=False),
        "my_exp": torch.autograd.gradcheck(MyExp.apply, (x,), raise_exception=False),
        "mul_add": torch.autograd.gradcheck(MulAdd.apply, (x, t(Y[:4], (4,))), raise_exception=False),
        "wrong_grad": torch.autograd.gradcheck(WrongGrad.apply, (x,), raise_exception=False),
        "cube_gradgrad": torch.autograd.gradgradcheck(Cube.apply, (x,), raise_exception=False),
    }
    try:
        torch.autograd.gradcheck(WrongGrad.apply, (x,))
    except RuntimeError as e:
        out["wrong_grad_message_head"] = str(e).split("\n")[0]

    def nonzero_undef(a):
        y = NonZeroUndef.apply(a)
        y.grad_fn.saved_x = a.detach()
        return y
    out["nonzero_undef"] = torch.autograd.gradcheck(nonzero_undef, (x,), raise_exception=False)
    out["nonzero_undef_unchecked"] = torch.autograd.gradcheck(nonzero_undef, (x,), check_undefined_grad=False, raise_exception=False)
    try:
        torch.autograd.gradcheck(nonzero_undef, (x,))
    except RuntimeError as e:
        out["nonzero_undef_message"] = str(e)
    return out


class ExpJvp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, k):
        r = (x * k).exp()
        ctx.r, ctx.k = r, k
        return r

    @staticmethod
    def backward(ctx, g):
        return g * ctx.r * ctx.k, None

    @staticmethod
    def jvp(ctx, tx, tk):
        return tx * ctx.r * ctx.k


class NanGrad(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 1.0

    @staticmethod
    def backward(ctx, g):
        return g * float("nan")


def misc_cases():
    out = {}
    x = t(X)
    # Module.register_full_backward_hook: Linear(3, 2) with fixed weights, a hook that records and
    # doubles grad_input
    lin = torch.nn.Linear(3, 2)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(Y).reshape(2, 3))
        lin.bias.copy_(torch.tensor([0.1, -0.2]))
    seen = {}

    def hook(mod, gi, go):
        seen["grad_input"] = vals(list(gi))
        seen["grad_output"] = vals(list(go))
        return (gi[0] * 2,) if gi[0] is not None else None

    lin.register_full_backward_hook(hook)
    y = lin(x)
    (y * torch.tensor(W[:4]).reshape(2, 2)).sum().backward()
    out["full_backward_hook"] = dict(seen, x_grad=vals(x.grad), weight_grad=vals(lin.weight.grad))
    # a module whose input does not require grad: grad_input is (None,)
    seen.clear()
    y = lin(torch.tensor(X).reshape(2, 3))
    y.sum().backward()
    out["full_backward_hook_no_input_grad"] = dict(seen)
    # retain_grad
    x = t(X)
    h = x * 2
    h.retain_grad()
    (h * h).sum().backward()
    out["retain_grad"] = {"h_grad": vals(h.grad), "retains_grad": h.retains_grad}
    # is_grads_batched
    x = t(X)
    y = x.sin()
    go = torch.stack([torch.tensor(W).reshape(2, 3), torch.ones(2, 3), torch.tensor(Y).reshape(2, 3)])
    out["grads_batched"] = vals(torch.autograd.grad(y, x, go, is_grads_batched=True)[0])
    # inference mode
    with torch.inference_mode():
        a = torch.ones(2) * 2
        out["inference"] = {"enabled": torch.is_inference_mode_enabled(), "is_inference": a.is_inference(),
                            "requires_grad": (torch.ones(2, requires_grad=True) * 2).requires_grad}
    out["inference"]["after"] = torch.is_inference_mode_enabled()
    try:
        (a * torch.ones(2, requires_grad=True)).sum().backward()
        out["inference"]["error"] = None
    except RuntimeError as e:
        out["inference"]["error"] = str(e)
    # anomaly detection: NaN from a backward
    x = t(X)
    try:
        with torch.autograd.detect_anomaly():
            NanGrad.apply(x).sum().backward()
        out["anomaly_nan"] = None
    except RuntimeError as e:
        out["anomaly_nan"] = str(e)
    out["anomaly_after"] = torch.is_anomaly_enabled()
    # forward-mode AD
    import torch.autograd.forward_ad as fwAD
    x, v = torch.tensor(X).reshape(2, 3), torch.tensor(W).reshape(2, 3)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, v)
        y = (d.sin() * d).matmul(d.t())
        u = fwAD.unpack_dual(y)
        out["forward_ad"] = {"primal": vals(u.primal), "tangent": vals(u.tangent),
                             "plain_tangent": fwAD.unpack_dual(x).tangent}
        out["forward_ad"]["custom_jvp"] = vals(fwAD.unpack_dual(ExpJvp.apply(d, 0.5)).tangent)
    try:
        fwAD.make_dual(x, v)
    except RuntimeError as e:
        out["forward_ad"]["outside"] = str(e)
    return out


def main():
    root = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures")
    fx = {
        "torch": torch.__version__,
        "X": X, "Y": Y, "W": W,
        "functions": function_cases(),
        "errors": error_cases(),
        "builtin_graph": builtin_graph(),
        "functional": functional_cases(),
        "gradcheck": gradcheck_cases(),
        "misc": misc_cases(),
    }
    with open(os.path.join(root, "autograd2.json"), "w") as f:
        json.dump(fx, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
