#!/usr/bin/python3
"""Writes test/fixtures/printing.json: str(tensor) from real PyTorch for lib/printing.ts.

Run with Debian's interpreter (has torch 1.13): /usr/bin/python3 scripts/gen-printing-fixtures.py
"""
import json
import math
import os

import torch
import torch._tensor_str as ts

from fixture_json import fixture_dir, json_float_signed

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = fixture_dir("printing.json")

enc_float = json_float_signed


def flat_values(t):
    t = t.detach()
    flat = t.reshape(-1)
    if t.dtype.is_floating_point:
        return [enc_float(v) for v in flat.double().tolist()]
    if t.dtype == torch.bool:
        return [bool(v) for v in flat.tolist()]
    if t.dtype == torch.int64:
        return [str(v) for v in flat.tolist()]
    return [int(v) for v in flat.tolist()]


cases = []


def add(name, make, opts=None, default_dtype=None):
    """make() builds the tensor; options are applied as set_printoptions(profile='default')
    then set_printoptions(**opts), and recorded as given."""
    o = dict(opts or {})
    prev_default = torch.get_default_dtype()
    if default_dtype is not None:
        torch.set_default_dtype(default_dtype)
    torch.set_printoptions(profile="default")
    torch.set_printoptions(**o)
    try:
        t = make()
        expected = str(t)
        dd = str(torch.get_default_dtype()).replace("torch.", "")
    finally:
        torch.set_printoptions(profile="default")
        torch.set_default_dtype(prev_default)
    cases.append(
        dict(
            name=name,
            shape=list(t.shape),
            dtype=str(t.dtype).replace("torch.", ""),
            device="cpu",
            values=flat_values(t),
            requires_grad=t.requires_grad,
            grad_fn=type(t.grad_fn).__name__ if t.grad_fn is not None else None,
            is_leaf=t.is_leaf,
            options=o,
            default_dtype=dd,
            expected=expected,
        )
    )


def add_simulated_device(name, t, device):
    """No GPU here: build str() for a tensor on `device` with torch's own helpers."""
    indent = len("tensor(")
    suffixes = ["device='" + device + "'"]
    if t.dtype not in (torch.get_default_dtype(), torch.int64, torch.bool):
        suffixes.append("dtype=" + str(t.dtype))
    if t.grad_fn is not None:
        suffixes.append("grad_fn=<{}>".format(type(t.grad_fn).__name__))
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    with torch.no_grad():
        body = ts._tensor_str(t, indent)
    expected = ts._add_suffixes("tensor(" + body, suffixes, indent, False)
    cases.append(
        dict(
            name=name,
            shape=list(t.shape),
            dtype=str(t.dtype).replace("torch.", ""),
            device=device,
            values=flat_values(t),
            requires_grad=t.requires_grad,
            grad_fn=type(t.grad_fn).__name__ if t.grad_fn is not None else None,
            is_leaf=t.is_leaf,
            options={},
            default_dtype="float32",
            expected=expected,
            simulated=True,
        )
    )


g = torch.Generator().manual_seed(0)


def randn(*shape, dtype=torch.float32):
    return torch.randn(*shape, generator=g, dtype=dtype)


nan, inf = float("nan"), float("inf")

# --- floats
add("float small 1d", lambda: torch.tensor([1.5, -2.25, 3.125]))
add("float randn 2d", lambda: randn(3, 4))
add("integer-valued floats", lambda: torch.tensor([1.0, 2.0]))
add("integer-valued floats neg/zero", lambda: torch.tensor([[-1.0, 0.0, 100.0], [7.0, -0.0, 3.0]]))
add("integer-valued floats sci (ratio)", lambda: torch.tensor([1.0, 1e4, 5.0]))
add("integer-valued floats sci (>1e8)", lambda: torch.tensor([3e8, 2.0]))
add("tiny values sci", lambda: torch.tensor([1e-5, 0.5, 2.0]))
add("huge values sci", lambda: torch.tensor([1.23456e10, -7.5e9]))
add("ratio > 1000 sci", lambda: torch.tensor([0.001, 2.5, 1234.5]))
add("nan inf mix", lambda: torch.tensor([nan, inf, -inf, 1.5, 0.0]))
add("nan inf with ints", lambda: torch.tensor([nan, -inf, 2.0, 3.0]))
add("only nan/zero", lambda: torch.tensor([0.0, nan, -0.0]))
add("only nan/zero sci_mode=True", lambda: torch.tensor([0.0, nan, -0.0]), opts=dict(sci_mode=True))
add("all zeros 2d", lambda: torch.zeros(2, 3))
add("round-half-even ties", lambda: torch.tensor([0.00005, 0.00015, 0.00025, 1.03125, 2.5, -0.00035, 0.12345]))
add("exact binary ties fixed", lambda: torch.tensor([1.03125, 1.09375, 0.21875, -0.59375, 0.15625]))
add("exact binary ties sci", lambda: torch.tensor([1.03125, 109.375, -0.0021875]), opts=dict(sci_mode=True))
add("exact binary ties precision 2", lambda: torch.tensor([0.125, 0.375, -0.625, 2.875]), opts=dict(precision=2))
add("negative small rounds to -0", lambda: torch.tensor([-0.00001, 0.3, 0.2]), opts=dict(sci_mode=False))
add("float64", lambda: randn(2, 3, dtype=torch.float64))
add("float64 exact decimal", lambda: torch.tensor([0.1, 1e22, 12345.678], dtype=torch.float64), opts=dict(sci_mode=False))
add("float16", lambda: randn(5).half())
add("float16 int-valued", lambda: torch.tensor([1.0, 2048.0, -3.0], dtype=torch.float16))
add("bfloat16", lambda: randn(2, 3).bfloat16())
add("float32 under default float64", lambda: torch.tensor([1.5, 2.5], dtype=torch.float32), default_dtype=torch.float64)
add("float64 under default float64", lambda: torch.tensor([1.5, 2.5]), default_dtype=torch.float64)
add("0-dim float", lambda: torch.tensor(3.14159))
add("0-dim float int-valued", lambda: torch.tensor(-2.0))
add("0-dim float64 nan", lambda: torch.tensor(nan, dtype=torch.float64))
add("0-dim sci", lambda: torch.tensor(1.5e-7))

# --- ints and bools
add("int64", lambda: torch.tensor([1, -20, 300]))
add("int64 big", lambda: torch.tensor([2**62 + 1, -(2**63), 5]))
add("int32", lambda: torch.arange(6, dtype=torch.int32).reshape(2, 3))
add("int8", lambda: torch.tensor([-128, 0, 127], dtype=torch.int8))
add("uint8", lambda: torch.tensor([0, 255, 17], dtype=torch.uint8))
add("int16", lambda: torch.tensor([[-32768], [12]], dtype=torch.int16))
add("bool", lambda: torch.tensor([True, False, True]))
add("bool 2d", lambda: torch.tensor([[True, False], [False, False]]))
add("0-dim int64", lambda: torch.tensor(7))
add("0-dim bool", lambda: torch.tensor(False))
add("0-dim int32", lambda: torch.tensor(7, dtype=torch.int32))

# --- shapes
add("3-D", lambda: randn(2, 3, 4))
add("4-D", lambda: randn(2, 2, 2, 3))
add("4-D ints", lambda: torch.arange(24).reshape(1, 2, 3, 4))
add("wide 1-D wraps", lambda: randn(30))
add("wide 1-D ints wraps", lambda: torch.arange(100) * 37)
add("wide 2-D rows wrap", lambda: randn(2, 20))
add("summarised 1-D", lambda: torch.arange(2000, dtype=torch.float32) / 7)
add("summarised 1-D int", lambda: torch.arange(1001))
add("summarised 2-D", lambda: randn(40, 50))
add("summarised 3-D", lambda: torch.arange(11 * 12 * 13).reshape(11, 12, 13))
add("summarised only cols", lambda: randn(4, 300))
add("summarised with big outlier hidden", lambda: torch.cat([torch.ones(3), torch.full((1000,), 1e-9), torch.ones(3) * 2]))

# --- empty
add("empty 1-D", lambda: torch.tensor([]))
add("empty (0,3)", lambda: torch.zeros(0, 3))
add("empty int64", lambda: torch.zeros(0, dtype=torch.int64))
add("empty bool 2-D", lambda: torch.zeros(2, 0, dtype=torch.bool))
add("empty float64", lambda: torch.zeros(0, 2, dtype=torch.float64))
add("empty float32 under default float64", lambda: torch.zeros(0, dtype=torch.float32), default_dtype=torch.float64)

# --- autograd
add("requires_grad leaf", lambda: torch.tensor([1.0, 2.0, 3.0], requires_grad=True))
add("requires_grad leaf float64", lambda: torch.tensor([[0.5]], dtype=torch.float64, requires_grad=True))
add("grad_fn Add", lambda: torch.tensor([1.0, 2.0], requires_grad=True) + 1)
add("grad_fn Mul 2-D", lambda: randn(3, 3).requires_grad_() * 2)
add("grad_fn Sum 0-dim", lambda: randn(4).requires_grad_().sum())
add("grad_fn long line wraps suffix", lambda: (randn(8, dtype=torch.float64).requires_grad_() * 1000))
add("requires_grad empty", lambda: torch.zeros(0, 2, requires_grad=True))

# --- print options
add("precision 2", lambda: randn(2, 3), opts=dict(precision=2))
add("precision 0", lambda: torch.tensor([0.5, 1.5, 2.5, -0.7]), opts=dict(precision=0))
add("precision 8 float64", lambda: randn(3, dtype=torch.float64), opts=dict(precision=8))
add("precision 10 sci", lambda: torch.tensor([1e-20, 3.0]), opts=dict(precision=10))
add("sci_mode True", lambda: randn(2, 2), opts=dict(sci_mode=True))
add("sci_mode False tiny", lambda: torch.tensor([1e-6, 0.5]), opts=dict(sci_mode=False))
add("sci_mode False int big", lambda: torch.tensor([1e10, 1.0]), opts=dict(sci_mode=False))
add("sci_mode True ints", lambda: torch.tensor([1.0, 2.0]), opts=dict(sci_mode=True))
add("threshold 5 edgeitems 2", lambda: torch.arange(10), opts=dict(threshold=5, edgeitems=2))
add("threshold 5 edgeitems 1 2-D", lambda: randn(5, 5), opts=dict(threshold=5, edgeitems=1))
add("edgeitems 0 1-D", lambda: torch.arange(10), opts=dict(threshold=3, edgeitems=0))
add("linewidth 40", lambda: randn(20), opts=dict(linewidth=40))
add("linewidth 10 suffix wrap", lambda: torch.tensor([1.5, 2.5], dtype=torch.float64, requires_grad=True), opts=dict(linewidth=10))
add("profile short", lambda: randn(3, 3), opts=dict(profile="short"))
add("profile full", lambda: torch.arange(1200), opts=dict(profile="full"))

# --- simulated devices (no GPU here): torch's own _tensor_str/_add_suffixes
add_simulated_device("cuda float", torch.tensor([1.0, 2.0]), "cuda:0")
add_simulated_device("cuda float64 wide", randn(12, dtype=torch.float64), "cuda:1")
add_simulated_device("cuda grad", torch.tensor([1.0, 2.0], requires_grad=True) * 3, "cuda:0")

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as fh:
    json.dump(dict(torch_version=torch.__version__, cases=cases), fh, indent=1)
    fh.write("\n")
print("wrote %d cases to %s" % (len(cases), OUT))
