# Python side of bench/small-ops.js: the same ops, the same shapes, the same timing.
import json, os, sys, time
import torch

rounds, iterations = int(sys.argv[1]), int(sys.argv[2])
device = os.environ.get("TORCH_DEVICE", "cpu")
sync = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)


def timed(fn):
    for _ in range(iterations):
        fn()
    sync()
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter_ns()
        for _ in range(iterations):
            fn()
        sync()
        best = min(best, (time.perf_counter_ns() - t0) / iterations / 8 / 1e3)
    return best


torch.manual_seed(0)
x, y = torch.randn(1024, device=device), torch.randn(1024, device=device)
w = torch.randn(1024, device=device, requires_grad=True)


def chain():
    a = x.add(y); b = a.mul(x); c = b.relu(); d = c.sub(y)
    e = d.exp(); f = e.div(a); g = f.sum(); h = g.neg()
    return h


def inplace():
    x.add_(y); x.mul_(0.5); x.relu_(); x.sub_(y); x.clamp_(-1, 1); x.div_(2); x.abs_(); x.neg_()


def autograd():
    loss = w.mul(x).add(y).tanh().mul(w).sum().mul(0.5).neg()
    loss.backward()


print(json.dumps({"chain_us": timed(chain), "inplace_us": timed(inplace), "autograd_us": timed(autograd)}))
