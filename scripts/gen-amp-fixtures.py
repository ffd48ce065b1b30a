#!/usr/bin/env python3
"""Writes test/fixtures/amp.json: torch.cuda on a machine without CUDA, CPU autocast and
GradScaler, from real PyTorch (test/amp.test.js).

    /usr/bin/python3 scripts/gen-amp-fixtures.py       (or `npm run fixtures -- amp`, every Python)

- cuda_cpu: what each torch.cuda call gives without CUDA: a value, or the error's type and message.
- autocast: a conv + linear model (weights recorded) run under torch.autocast('cpu', dtype=bfloat16):
  each output's dtype and values, and the autocast state inside and after.
- grad_scaler: a training run with a gradient made inf on one step: the scale, growth tracker and
  parameters after each step. With torch.amp.GradScaler('cpu') where this torch has it (2.x); 1.13
  has no CPU GradScaler (nor CPU kernels for its ops), so there the documented arithmetic
  (torch/cuda/amp/grad_scaler.py, _amp_update_scale_) is followed step by step in Python.
"""
import json
import math
import sys

import torch

from fixture_json import fixture_dir, json_float


def floats(t):
    return [json_float(x) for x in t.detach().double().reshape(-1).tolist()]


def outcome(f):
    try:
        v = f()
    except Exception as e:  # noqa: BLE001
        return {"error": type(e).__name__, "message": str(e)}
    if isinstance(v, dict):
        v = dict(v)
    return {"value": v}


def cuda_cpu():
    c = torch.cuda
    cases = {
        "is_available()": lambda: c.is_available(),
        "device_count()": lambda: c.device_count(),
        "is_initialized()": lambda: c.is_initialized(),
        "current_device()": lambda: c.current_device(),
        "init()": lambda: c.init(),
        "set_device(0)": lambda: c.set_device(0),
        "set_device(-1)": lambda: c.set_device(-1),
        "set_device('cuda:1')": lambda: c.set_device("cuda:1"),
        "set_device('cpu')": lambda: c.set_device("cpu"),
        "get_device_name()": lambda: c.get_device_name(),
        "get_device_properties(0)": lambda: c.get_device_properties(0),
        "get_device_capability()": lambda: c.get_device_capability(),
        "synchronize()": lambda: c.synchronize(),
        "manual_seed(1)": lambda: c.manual_seed(1),
        "manual_seed_all(1)": lambda: c.manual_seed_all(1),
        "seed()": lambda: c.seed(),
        "initial_seed()": lambda: c.initial_seed(),
        "empty_cache()": lambda: c.empty_cache(),
        "memory_allocated()": lambda: c.memory_allocated(),
        "max_memory_allocated()": lambda: c.max_memory_allocated(),
        "memory_reserved()": lambda: c.memory_reserved(),
        "max_memory_reserved()": lambda: c.max_memory_reserved(),
        "memory_stats()": lambda: c.memory_stats(),
        "reset_peak_memory_stats()": lambda: c.reset_peak_memory_stats(),
        "mem_get_info()": lambda: c.mem_get_info(),
        "torch.ones(2).cuda()": lambda: torch.ones(2).cuda(),
        "torch.ones(2).to('cuda')": lambda: torch.ones(2).to("cuda"),
        "torch.zeros(2, device='cuda')": lambda: torch.zeros(2, device="cuda"),
        "backends.cudnn.is_available()": lambda: torch.backends.cudnn.is_available(),
        "backends.cudnn.version()": lambda: torch.backends.cudnn.version(),
        "backends.cudnn.enabled": lambda: torch.backends.cudnn.enabled,
        "backends.cudnn.benchmark": lambda: torch.backends.cudnn.benchmark,
        "backends.cudnn.deterministic": lambda: torch.backends.cudnn.deterministic,
        "backends.cudnn.allow_tf32": lambda: torch.backends.cudnn.allow_tf32,
        "backends.cuda.matmul.allow_tf32": lambda: torch.backends.cuda.matmul.allow_tf32,
        "get_float32_matmul_precision()": lambda: torch.get_float32_matmul_precision(),
    }
    return {k: outcome(f) for k, f in cases.items()}


def autocast_case():
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(3, 4, 3)
    lin = torch.nn.Linear(4 * 4 * 4, 5)
    x = torch.randn(2, 3, 6, 6)
    out = {"input": floats(x), "conv_weight": floats(conv.weight), "conv_bias": floats(conv.bias),
           "linear_weight": floats(lin.weight), "linear_bias": floats(lin.bias), "steps": {}}
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out["inside"] = {"enabled": torch.is_autocast_cpu_enabled(), "dtype": str(torch.get_autocast_cpu_dtype())}
        y1 = conv(x)
        y2 = torch.relu(y1)
        y3 = lin(y2.flatten(1))
        y4 = torch.log_softmax(y3, 1)
        y5 = y3.float() + 1
        y6 = torch.mm(x.flatten(1)[:, :8], x.flatten(1)[:, :8].t())
    for name, t in (("conv", y1), ("relu", y2), ("linear", y3), ("log_softmax", y4), ("float_add", y5), ("mm", y6)):
        out["steps"][name] = {"dtype": str(t.dtype), "shape": list(t.shape), "values": floats(t)}
    out["after"] = {"enabled": torch.is_autocast_cpu_enabled(), "dtype": str(torch.get_autocast_cpu_dtype()),
                    "linear_dtype": str(lin(y2.float().flatten(1)).dtype)}
    return out


class DocumentedScaler:
    """GradScaler's arithmetic as documented, for a torch without a CPU GradScaler."""

    def __init__(self, init_scale, growth_factor, backoff_factor, growth_interval):
        self.scale_t = torch.full((), init_scale, dtype=torch.float32)
        self.tracker = 0
        self.growth_factor, self.backoff_factor, self.growth_interval = growth_factor, backoff_factor, growth_interval
        self.found_inf = None

    def scale(self, loss):
        return loss * self.scale_t

    def unscale_(self, opt):
        inv = self.scale_t.double().reciprocal().float()
        found = False
        for g in opt.param_groups:
            for p in g["params"]:
                if p.grad is None:
                    continue
                found = found or not bool(torch.isfinite(p.grad).all())
                p.grad.mul_(inv)
        self.found_inf = found

    def step(self, opt):
        if self.found_inf is None:
            self.unscale_(opt)
        if not self.found_inf:
            opt.step()

    def update(self):
        if self.found_inf:
            self.scale_t.mul_(self.backoff_factor)
            self.tracker = 0
        else:
            self.tracker += 1
            if self.tracker == self.growth_interval:
                grown = self.scale_t * self.growth_factor
                if bool(torch.isfinite(grown)):
                    self.scale_t.copy_(grown)
                self.tracker = 0
        self.found_inf = None

    def get_scale(self):
        return self.scale_t.item()

    def _get_growth_tracker(self):
        return self.tracker


def grad_scaler_case():
    torch.manual_seed(1)
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    opts = {"init_scale": 2.0 ** 10, "growth_factor": 2.0, "backoff_factor": 0.25, "growth_interval": 2}
    if hasattr(torch, "amp") and hasattr(torch.amp, "GradScaler"):
        scaler, how = torch.amp.GradScaler("cpu", **opts), "torch.amp.GradScaler('cpu')"
    else:
        scaler, how = DocumentedScaler(**opts), "documented arithmetic (no CPU GradScaler in this torch)"
    xs = torch.randn(6, 4, 3)
    ys = torch.randn(6, 4, 2)
    out = {"reference": how, "options": opts, "weight": floats(model.weight), "bias": floats(model.bias),
           "xs": floats(xs), "ys": floats(ys), "inf_steps": [2, 3], "steps": []}
    for i in range(6):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(xs[i]), ys[i])
        scaler.scale(loss).backward()
        if i in out["inf_steps"]:
            model.weight.grad[0, 0] = math.inf
        scaler.step(opt)
        scaler.update()
        out["steps"].append({"loss": loss.item(), "scale": scaler.get_scale(), "tracker": int(scaler._get_growth_tracker()),
                             "weight": floats(model.weight), "bias": floats(model.bias)})
    return out


def main():
    data = {"torch_version": torch.__version__, "cuda_cpu": cuda_cpu(), "autocast": autocast_case(),
            "grad_scaler": grad_scaler_case()}
    path = fixture_dir("amp.json")
    with open(path, "w") as f:
        json.dump(data, f, default=str)
        f.write("\n")
    print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    main()
