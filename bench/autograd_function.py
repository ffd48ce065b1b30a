# Python side of bench/autograd-function.js: the same custom Functions, shapes and timing.
import json, sys, time
import torch

rounds, iterations = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(1)


class MyExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        r = x.exp()
        ctx.save_for_backward(r)
        return r

    @staticmethod
    def backward(ctx, g):
        r, = ctx.saved_tensors
        return g.mul(r)


class MyLinear(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        return x.mm(w.t()).add(b)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        gx = g.mm(w) if ctx.needs_input_grad[0] else None
        gw = g.t().mm(x) if ctx.needs_input_grad[1] else None
        gb = g.sum(0) if ctx.needs_input_grad[2] else None
        return gx, gw, gb


def timed(fn):
    for _ in range(iterations):
        fn()
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        for _ in range(iterations):
            fn()
        best = min(best, (time.perf_counter_ns() - t0) / iterations / 1e3)
    return best


torch.manual_seed(0)
x = torch.randn(64, requires_grad=True)
a = torch.randn(8, 16, requires_grad=True)
w = torch.randn(4, 16, requires_grad=True)
b = torch.randn(4, requires_grad=True)

# Python frees each result at once (refcount): its "GC" and "disposed" columns are the same loop.
out = {
    "exp_fwd_us": timed(lambda: MyExp.apply(x)),
    "exp_fwdbwd_us": timed(lambda: MyExp.apply(x).sum().backward()),
    "linear_fwd_us": timed(lambda: MyLinear.apply(a, w, b)),
    "linear_fwdbwd_us": timed(lambda: MyLinear.apply(a, w, b).sum().backward()),
    "builtin_exp_fwdbwd_us": timed(lambda: x.exp().sum().backward()),
}
print(json.dumps(out))
