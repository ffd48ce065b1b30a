#!/usr/bin/python3
"""Writes test/fixtures/core-*.json: reference values from real PyTorch for the
core test suite (test/core-*.test.js).

Run with Debian's interpreter (it has torch 1.13; the python3 first on PATH has no torch):

    /usr/bin/python3 scripts/gen-core-fixtures.py

Encoding (read by test/core-helpers.js):
  tensor   {"dtype": "float32", "shape": [2, 3], "data": [...]} with data flat, row-major;
           floats as JSON numbers (repr: exact; float32 values as the float64 of the float32),
           "nan" / "inf" / "-inf" as strings, int64 as decimal strings, bool as true/false.
  argument a tensor is {"T": tensor} (with "prep": "t" for a transposed, non-contiguous view),
           a dtype {"dtype": "float64"}, a non-finite float {"num": "inf"}, an index slice
           {"slice": "1:5:2"}; numbers, booleans, strings, null (None) and lists as they are.
  result   {"T": tensor}, {"list": [...]} (tuples, lists, torch.return_types), {"scalar": v},
           or {"error": {"type": "RuntimeError", "message": "..."}} where PyTorch raises.

Floats passed as arguments are never integral: JS cannot tell 2.0 from 2 and passes integral
numbers as Python ints (see native/addon.cpp to_scalar), so such a case would test nothing.
"""
import json
import math
import os
import warnings

import torch

from fixture_json import fixture_dir, json_float

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = fixture_dir()
MAX_BYTES = 1 << 20

torch.set_num_threads(1)
warnings.simplefilter("ignore")

DTYPES = {
    "float32": torch.float32, "float64": torch.float64, "float16": torch.float16, "bfloat16": torch.bfloat16,
    "int8": torch.int8, "int16": torch.int16, "int32": torch.int32, "int64": torch.int64,
    "uint8": torch.uint8, "bool": torch.bool,
}


def dname(d):
    return str(d).replace("torch.", "")


enc_float = json_float


def enc_t(t):
    t = t.detach()
    flat = t.reshape(-1)
    if t.dtype.is_floating_point:
        data = [enc_float(v) for v in flat.double().tolist()]
    elif t.dtype == torch.bool:
        data = [bool(v) for v in flat.tolist()]
    elif t.dtype == torch.int64:
        data = [str(v) for v in flat.tolist()]
    else:
        data = [int(v) for v in flat.tolist()]
    return {"dtype": dname(t.dtype), "shape": list(t.shape), "data": data}


class Prep:
    """A tensor argument that JS must build as a view (non-contiguous)."""

    def __init__(self, base, prep):
        self.base, self.prep = base, prep

    def build(self):
        if self.prep == "t":
            return self.base.t()
        raise ValueError(self.prep)


def enc_arg(v):
    if isinstance(v, Prep):
        return {"T": enc_t(v.base), "prep": v.prep}
    if isinstance(v, torch.Tensor):
        return {"T": enc_t(v)}
    if isinstance(v, torch.dtype):
        return {"dtype": dname(v)}
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return {"num": enc_float(v)}
        assert not v.is_integer(), "integral float %r: JS passes it as an int" % v
        return v
    if isinstance(v, slice):
        s = lambda b: "" if b is None else str(b)
        return {"slice": s(v.start) + ":" + s(v.stop) + ("" if v.step is None else ":" + s(v.step))}
    if v is Ellipsis:
        return "..."
    if isinstance(v, (list, tuple)):
        return [enc_arg(x) for x in v]
    if isinstance(v, dict):
        return {k: enc_arg(x) for k, x in v.items()}
    raise TypeError("cannot encode %r" % (v,))


def enc_result(r):
    if isinstance(r, torch.Tensor):
        return {"T": enc_t(r)}
    if isinstance(r, (tuple, list)):
        return {"list": [enc_result(x) for x in r]}
    if isinstance(r, bool):
        return {"scalar": r}
    if isinstance(r, (int, float)):
        return {"scalar": enc_float(float(r)) if isinstance(r, float) else r}
    raise TypeError("cannot encode result %r" % (r,))


def enc_error(e):
    return {"error": {"type": type(e).__name__, "message": str(e)}}


def write(name, obj):
    path = os.path.join(FIXTURES, name)
    text = json.dumps(obj, separators=(",", ":"), allow_nan=False)
    assert len(text) < MAX_BYTES, "%s is %d bytes (limit %d)" % (name, len(text), MAX_BYTES)
    with open(path, "w") as f:
        f.write(text)
        f.write("\n")
    print("wrote %s (%d bytes)" % (os.path.relpath(path, ROOT), len(text)))


# ---- input data ------------------------------------------------------------------------
gen = torch.Generator().manual_seed(20240601)


def rn(*shape, dtype=torch.float32):
    """Standard normal values."""
    return torch.randn(shape, generator=gen, dtype=dtype)


def pos(*shape, dtype=torch.float32):
    """Values in [0.2, 2.2): for sqrt, log, pow, division."""
    return torch.rand(shape, generator=gen, dtype=dtype) * 2 + 0.2


def ri(*shape, dtype=torch.int64, low=-5, high=6):
    return torch.randint(low, high, shape, generator=gen, dtype=dtype)


def nz(*shape, dtype=torch.int64):
    """Non-zero integers (divisors)."""
    t = torch.randint(1, 6, shape, generator=gen, dtype=dtype)
    sign = torch.randint(0, 2, shape, generator=gen)
    return torch.where(sign.bool(), t, -t) if dtype != torch.uint8 else t


def rb(*shape):
    return torch.rand(shape, generator=gen) > 0.5


def tensors_in(v, out):
    """Tensors in argument order (self first), the order JS sees them."""
    if isinstance(v, Prep):
        out.append(v)
    elif isinstance(v, torch.Tensor):
        out.append(v)
    elif isinstance(v, (list, tuple)):
        for x in v:
            tensors_in(x, out)
    elif isinstance(v, dict):
        for x in v.values():
            tensors_in(x, out)
    return out


def materialize(v, grads, counter):
    """Fresh copies of the argument tensors; those whose position is in `grads` require grad."""
    if isinstance(v, (Prep, torch.Tensor)):
        i = counter[0]
        counter[0] += 1
        base = v.base if isinstance(v, Prep) else v
        t = base.clone()
        if i in grads:
            t.requires_grad_(True)
            leaf = t
        else:
            leaf = None
        t = v.__class__(t, v.prep).build() if isinstance(v, Prep) else t
        return t, [(i, leaf)] if leaf is not None else []
    if isinstance(v, (list, tuple)):
        res, leaves = [], []
        for x in v:
            r, l = materialize(x, grads, counter)
            res.append(r)
            leaves += l
        return (res if isinstance(v, list) else tuple(res)), leaves
    if isinstance(v, dict):
        res, leaves = {}, []
        for k, x in v.items():
            r, l = materialize(x, grads, counter)
            res[k] = r
            leaves += l
        return res, leaves
    return v, []


def first_tensor(r):
    if isinstance(r, torch.Tensor):
        return r
    if isinstance(r, (tuple, list)):
        return first_tensor(r[0])
    return None


def run_op(kind, op, self_, args, kwargs):
    if kind == "method":
        return getattr(self_, op)(*args, **kwargs)
    if kind == "fn":
        return getattr(torch, op)(*args, **kwargs)
    if kind == "index":
        return self_[tuple(args)]
    if kind == "index_put":
        items, value = args
        self_[tuple(items)] = value
        return self_
    if kind == "index_put_accumulate":
        items, value = args
        return self_.index_put_(tuple(items), value, accumulate=True)
    raise ValueError(kind)


class OpCases:
    """Cases run through one generic runner: JS calls `self[op](...args, kwargs)` or
    `torch[op](...args, kwargs)` (see test/core-helpers.js runCase)."""

    def __init__(self):
        self.cases = []
        self.names = set()

    def add(self, name, op, self_=None, args=(), kwargs=None, kind=None, grad=False, inplace=False, exact=None,
            rtol=None, atol=None):
        kwargs = kwargs or {}
        kind = kind or ("method" if self_ is not None else "fn")
        assert name not in self.names, name
        self.names.add(name)
        everything = ([self_] if self_ is not None else []) + [list(args), kwargs]
        all_tensors = tensors_in(everything, [])
        grad_pos = []
        if grad:
            grad_pos = [i for i, t in enumerate(all_tensors)
                        if (t.base if isinstance(t, Prep) else t).dtype.is_floating_point]
        case = {
            "name": name, "kind": kind, "op": op,
            "self": enc_arg(self_) if self_ is not None else None,
            "args": enc_arg(list(args)), "kwargs": enc_arg(kwargs),
        }
        if inplace:
            case["inplace"] = True
        if exact is not None:
            case["exact"] = exact
        if rtol is not None:
            case["rtol"] = rtol
        if atol is not None:
            case["atol"] = atol
        (s, a, k), leaves = materialize([self_, list(args), kwargs], set(grad_pos), [0])
        try:
            r = run_op(kind, op, s, a, k)
            if inplace:
                assert r is s, name
            case["out"] = enc_result(r)
        except Exception as e:  # PyTorch's own error is the expected result
            case["out"] = enc_error(e)
            r = None
        assert ("error" in case["out"]) == name.endswith("(error)"), "%s: %s" % (name, case["out"])
        if grad and r is not None:
            o = first_tensor(r)
            w = torch.randn(o.shape, generator=gen, dtype=o.dtype)
            (o * w).sum().backward()
            case["grad"] = {
                "wrt": grad_pos,
                "weight": enc_t(w),
                "grads": [None if leaf.grad is None else enc_t(leaf.grad) for _, leaf in leaves],
            }
        self.cases.append(case)


# ==== 2. ops, type promotion, gradients ==================================================
def gen_ops():
    ops = OpCases()
    F32, F64, I32, I64, U8, I8, BOOL = torch.float32, torch.float64, torch.int32, torch.int64, torch.uint8, torch.int8, torch.bool

    # -- binary arithmetic across dtypes and broadcasting
    pairs = [
        ("f32 f32", rn(3, 4), rn(3, 4)),
        ("f64 f64", rn(3, 4, dtype=F64), rn(3, 4, dtype=F64)),
        ("f32 f64", rn(2, 3), rn(2, 3, dtype=F64)),
        ("i32 i32", ri(3, 4, dtype=I32), nz(3, 4, dtype=I32)),
        ("i64 i64", ri(3, 4), nz(3, 4)),
        ("i32 i64", ri(2, 3, dtype=I32), nz(2, 3)),
        ("u8 i8", ri(2, 3, dtype=U8, low=0, high=20), nz(2, 3, dtype=I8)),
        ("u8 u8", ri(2, 3, dtype=U8, low=0, high=20), nz(2, 3, dtype=U8)),
        ("i32 f32", ri(2, 3, dtype=I32), pos(2, 3)),
        ("bool f32", rb(2, 3), pos(2, 3)),
        ("bool i32", rb(2, 3), nz(2, 3, dtype=I32)),
        ("bcast (3,1) (1,4)", rn(3, 1), pos(1, 4)),
        ("bcast (2,3,4) (4,)", rn(2, 3, 4), pos(4)),
        ("bcast (5,1,3) (4,1)", rn(5, 1, 3), pos(4, 1)),
        ("0-dim f64 into f32", rn(3), pos(dtype=F64)),
        ("0-dim f32 into i32", ri(3, dtype=I32), pos()),
        ("0-dim i64 into i32", ri(3, dtype=I32), nz()),
        ("0-dim i64 into u8", ri(3, dtype=U8, low=0, high=9), nz()),
        ("transposed f32", Prep(rn(4, 3), "t"), rn(3, 4)),
    ]
    for op in ["add", "sub", "mul", "div"]:
        for label, a, b in pairs:
            ab = (a.base if isinstance(a, Prep) else a).dtype
            fl = ab.is_floating_point or b.dtype.is_floating_point
            err = " (error)" if op == "sub" and ab == BOOL else ""
            ops.add("%s %s%s" % (op, label, err), op, a, [b], grad=fl)
    ops.add("add bool bool", "add", rb(2, 3), [rb(2, 3)])
    ops.add("mul bool bool", "mul", rb(2, 3), [rb(2, 3)])
    ops.add("sub bool bool (error)", "sub", rb(2, 3), [rb(2, 3)])
    # scalars: Python int / float / bool
    for label, a in [("f32", rn(2, 3)), ("f64", rn(2, 3, dtype=F64)), ("i32", ri(2, 3, dtype=I32)),
                     ("i64", ri(2, 3)), ("u8", ri(2, 3, dtype=U8, low=0, high=9)), ("bool", rb(2, 3))]:
        for op in ["add", "sub", "mul", "div"]:
            if not (label == "bool" and op == "sub"):
                ops.add("%s %s int scalar" % (op, label), op, a, [3])
            ops.add("%s %s float scalar%s" % (op, label, " (error)" if label == "bool" and op == "sub" else ""), op, a, [2.5])
        ops.add("add %s bool scalar" % label, "add", a, [True])
    ops.add("add alpha int", "add", ri(2, 3), [ri(2, 3)], {"alpha": 3})
    ops.add("add alpha float", "add", rn(2, 3), [rn(2, 3)], {"alpha": 0.5}, grad=True)
    ops.add("add scalar alpha", "add", rn(2, 3), [1.5], {"alpha": -2})
    ops.add("sub alpha", "sub", rn(2, 3, dtype=F64), [rn(2, 3, dtype=F64)], {"alpha": 2.5}, grad=True)
    ops.add("add alpha float on int (error)", "add", ri(2, 3), [ri(2, 3)], {"alpha": 0.5})
    ops.add("torch.add fn", "add", None, [rn(2, 2), rn(2, 2)], {"alpha": 2})
    for mode in ["trunc", "floor"]:
        ops.add("div %s f32" % mode, "div", rn(3, 4) * 4, [pos(3, 4)], {"rounding_mode": mode})
        ops.add("div %s i64" % mode, "div", ri(3, 4, low=-20, high=20), [nz(3, 4)], {"rounding_mode": mode})
        ops.add("div %s i32 scalar" % mode, "div", ri(3, 4, dtype=I32, low=-20, high=20), [-3], {"rounding_mode": mode})
        ops.add("div %s f64 scalar" % mode, "div", rn(3, 4, dtype=F64) * 5, [1.5], {"rounding_mode": mode})
    ops.add("div i32 by 0-dim i32 -> float", "div", ri(4, dtype=I32), [nz(dtype=I32)])
    ops.add("true_divide int", "true_divide", ri(4), [nz(4)])
    ops.add("floor_divide int", "floor_divide", ri(4, low=-20, high=20), [nz(4)])
    ops.add("remainder f32", "remainder", rn(4) * 3, [pos(4)])
    ops.add("remainder int scalar", "remainder", ri(6, low=-20, high=20), [4])
    ops.add("fmod f32 scalar", "fmod", rn(4) * 3, [1.5])

    # pow
    ops.add("pow f32 int exp", "pow", rn(3, 4), [2], grad=True)
    ops.add("pow f32 float exp", "pow", pos(3, 4), [0.5], grad=True)
    ops.add("pow f32 tensor exp", "pow", pos(3, 4), [rn(3, 4)], grad=True)
    ops.add("pow f64 bcast", "pow", pos(3, 1, dtype=F64), [rn(1, 4, dtype=F64)], grad=True)
    ops.add("pow i64 int exp", "pow", ri(3, 4), [3])
    ops.add("pow i32 float exp", "pow", ri(3, 4, dtype=I32, low=0, high=9), [1.5])
    ops.add("pow i64 tensor exp", "pow", ri(3, 4), [ri(3, 4, low=0, high=4)])
    ops.add("pow i64 negative int exp (error)", "pow", ri(3, 4), [-2])

    # unary
    unary_float = ["neg", "abs", "exp", "sin", "cos", "tanh", "sigmoid", "relu", "floor", "ceil", "round",
                   "sign", "reciprocal"]
    for op in unary_float:
        ops.add("%s f32" % op, op, rn(3, 4) * 2, grad=True)
        ops.add("%s f64" % op, op, rn(2, 5, dtype=F64) * 2, grad=True)
    for op in ["sqrt", "log"]:
        ops.add("%s f32" % op, op, pos(3, 4), grad=True)
        ops.add("%s f64" % op, op, pos(2, 5, dtype=F64), grad=True)
        ops.add("%s negative f32 (nan)" % op, op, -pos(4))
    ops.add("log zero f32 (-inf)", "log", torch.zeros(2))
    ops.add("reciprocal zero (inf)", "reciprocal", torch.tensor([0.0, -0.0, 2.0]))
    for op in ["neg", "abs", "sign", "relu"]:
        ops.add("%s i32" % op, op, ri(3, 4, dtype=I32))
        ops.add("%s i64" % op, op, ri(3, 4))
    ops.add("abs u8", "abs", ri(5, dtype=U8, low=0, high=200))
    ops.add("neg bool (error)", "neg", rb(4))
    for op in ["sqrt", "exp", "log", "sin", "sigmoid", "tanh", "reciprocal"]:
        ops.add("%s i64 -> float" % op, op, ri(3, 4, low=1, high=9))
    ops.add("exp bool -> float", "exp", rb(5))
    ops.add("sqrt u8 -> float", "sqrt", ri(5, dtype=U8, low=0, high=200))
    for op in ["floor", "ceil", "round"]:
        ops.add("%s i32" % op, op, ri(5, dtype=I32))
    ops.add("round half to even", "round", torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 3.49]))
    ops.add("round decimals", "round", rn(3, 4) * 10, kwargs={"decimals": 2})
    ops.add("round decimals f64", "round", rn(3, 4, dtype=F64) * 1000, kwargs={"decimals": -1})
    ops.add("torch.sigmoid fn", "sigmoid", None, [rn(4)], grad=True)
    ops.add("torch.tanh fn", "tanh", None, [rn(4)])

    # clamp
    ops.add("clamp f32 min max", "clamp", rn(3, 4), [-0.5, 0.5], grad=True)
    ops.add("clamp f32 min only", "clamp", rn(3, 4), [-0.25], grad=True)
    ops.add("clamp f32 max only", "clamp", rn(3, 4), [None, 0.75], grad=True)
    ops.add("clamp f64 tensor bounds", "clamp", rn(3, 4, dtype=F64), [rn(3, 4, dtype=F64) - 0.5, rn(1, 4, dtype=F64) + 0.5], grad=True)
    ops.add("clamp i64 int bounds", "clamp", ri(3, 4), [-2, 3])
    ops.add("clamp i32 float bound -> float", "clamp", ri(3, 4, dtype=I32), [0.5])
    ops.add("clamp u8", "clamp", ri(3, 4, dtype=U8, low=0, high=50), [5, 20])
    ops.add("torch.clamp fn", "clamp", None, [rn(5), -1.5, 1.5])
    ops.add("clamp no bounds (error)", "clamp", rn(3))

    # comparisons and logical ops
    for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
        a = ri(3, 4, low=-2, high=3).double()
        ops.add("%s f32 f32" % op, op, a.float(), [ri(3, 4, low=-2, high=3).float()])
        ops.add("%s i32 scalar" % op, op, ri(3, 4, dtype=I32, low=-2, high=3), [1])
        ops.add("%s i64 float scalar" % op, op, ri(3, 4, low=-2, high=3), [0.5])
        ops.add("%s i32 f64 bcast" % op, op, ri(3, 4, dtype=I32, low=-2, high=3), [ri(4, low=-2, high=3).double()])
        ops.add("%s u8 bool" % op, op, ri(6, dtype=U8, low=0, high=2), [rb(6)])
    ops.add("eq nan", "eq", torch.tensor([float("nan"), 1.0]), [torch.tensor([float("nan"), 1.0])])
    for op in ["logical_and", "logical_or", "logical_xor"]:
        ops.add("%s bool" % op, op, rb(3, 4), [rb(3, 4)])
        ops.add("%s f32 i64" % op, op, ri(3, 4, low=-1, high=2).float(), [ri(3, 4, low=-1, high=2)])
        ops.add("%s bcast" % op, op, rb(3, 1), [rb(1, 4)])
        ops.add("torch.%s fn" % op, op, None, [rb(5), rb(5)])
    ops.add("logical_not bool", "logical_not", rb(3, 4))
    ops.add("logical_not f32", "logical_not", ri(3, 4, low=-1, high=2).float())
    ops.add("logical_not i64", "logical_not", ri(6, low=-1, high=2))
    ops.add("bitwise_and i32", "bitwise_and", ri(6, dtype=I32, low=0, high=16), [ri(6, dtype=I32, low=0, high=16)])
    ops.add("bitwise_or bool", "bitwise_or", rb(6), [rb(6)])

    # where
    ops.add("where f32", "where", None, [rb(3, 4), rn(3, 4), rn(3, 4)], grad=True)
    ops.add("where bcast", "where", None, [rb(3, 1), rn(1, 4), rn(3, 4)], grad=True)
    ops.add("where f32 f64", "where", None, [rb(3, 4), rn(3, 4), rn(3, 4, dtype=F64)])
    ops.add("where i32 i64", "where", None, [rb(3, 4), ri(3, 4, dtype=I32), ri(3, 4)])
    ops.add("where scalar other", "where", None, [rb(3, 4), rn(3, 4), -1.5])
    ops.add("where scalar self", "where", None, [rb(3, 4), 2.5, rn(3, 4, dtype=F64)])
    ops.add("where method", "where", rn(3, 4), [rb(3, 4), rn(3, 4)])

    # reductions
    x34, x234 = rn(3, 4), rn(2, 3, 4)
    ops.add("sum f32", "sum", x34, grad=True)
    ops.add("sum f32 dim", "sum", x34, [1], grad=True)
    ops.add("sum f32 dim keepdim", "sum", x34, [0], {"keepdim": True}, grad=True)
    ops.add("sum f32 dims list", "sum", x234, [[0, 2]], grad=True)
    ops.add("sum f32 neg dim keepdim", "sum", x234, [-1], {"keepdim": True}, grad=True)
    ops.add("sum f32 dtype f64", "sum", x34, kwargs={"dtype": F64})
    ops.add("sum f64 dim", "sum", rn(3, 4, dtype=F64), [1], grad=True)
    ops.add("sum i32 -> i64", "sum", ri(3, 4, dtype=I32))
    ops.add("sum i32 dim -> i64", "sum", ri(3, 4, dtype=I32), [0])
    ops.add("sum u8 -> i64", "sum", ri(3, 4, dtype=U8, low=0, high=200))
    ops.add("sum bool -> i64", "sum", rb(3, 4))
    ops.add("sum bool dim -> i64", "sum", rb(3, 4), [1])
    ops.add("sum i64 dtype i32", "sum", ri(3, 4), kwargs={"dtype": I32})
    ops.add("torch.sum fn dim", "sum", None, [x234, 1], {"keepdim": True})
    ops.add("mean f32", "mean", x34, grad=True)
    ops.add("mean f32 dim keepdim", "mean", x234, [1], {"keepdim": True}, grad=True)
    ops.add("mean f64 dims", "mean", rn(2, 3, 4, dtype=F64), [[0, 1]], grad=True)
    ops.add("mean i64 (error)", "mean", ri(3, 4))
    ops.add("mean i64 dtype f64", "mean", ri(3, 4), kwargs={"dtype": F64})
    ops.add("prod f32", "prod", pos(2, 3), grad=True)
    ops.add("prod f32 dim keepdim", "prod", rn(3, 4), [1], {"keepdim": True}, grad=True)
    ops.add("prod i32 -> i64", "prod", ri(2, 3, dtype=I32))
    ops.add("prod bool -> i64", "prod", rb(5))
    for op in ["max", "min"]:
        ops.add("%s f32" % op, op, x34, grad=True)
        ops.add("%s f32 dim" % op, op, x34, [1], grad=True)
        ops.add("%s f32 dim keepdim" % op, op, x234, [0], {"keepdim": True}, grad=True)
        ops.add("%s i64 dim" % op, op, ri(3, 4), [1])
        ops.add("%s u8" % op, op, ri(3, 4, dtype=U8, low=0, high=200))
        ops.add("%s bool" % op, op, rb(3, 4))
        ops.add("%s elementwise" % op, op, rn(3, 4), [rn(3, 4)], grad=True)
        ops.add("%s elementwise i32 f32" % op, op, ri(3, 4, dtype=I32), [rn(3, 4)])
        ops.add("torch.%s fn dim" % op, op, None, [rn(3, 4), 0])
    ops.add("maximum bcast", "maximum", rn(3, 1), [rn(1, 4)], grad=True)
    ops.add("minimum i64", "minimum", ri(3, 4), [ri(3, 4)])
    for op in ["argmax", "argmin"]:
        ops.add("%s f32" % op, op, x234)
        ops.add("%s f32 dim" % op, op, x234, [1])
        ops.add("%s f32 dim keepdim" % op, op, x234, [-1], {"keepdim": True})
        ops.add("%s i32 ties" % op, op, ri(4, 5, dtype=I32, low=0, high=3), [1])
        ops.add("torch.%s fn" % op, op, None, [rn(3, 4)])
    for op in ["std", "var"]:
        ops.add("%s f32" % op, op, x34, grad=True)
        ops.add("%s f32 dim" % op, op, x234, [1], grad=True)
        ops.add("%s f32 dim unbiased=False keepdim" % op, op, x234, [2], {"unbiased": False, "keepdim": True}, grad=True)
        ops.add("%s f64 dims" % op, op, rn(3, 4, 2, dtype=F64), [[0, 2]], grad=True)
        ops.add("%s f32 correction" % op, op, x34, [1], {"correction": 0})
        ops.add("%s int (error)" % op, op, ri(3, 4))
    ops.add("norm f32", "norm", x34, grad=True)
    ops.add("norm f32 p=1", "norm", x34, [1], grad=True)
    ops.add("norm f32 p=inf", "norm", x34, [float("inf")])
    ops.add("norm f32 p=3 dim", "norm", x234, [3, 1], grad=True)
    ops.add("norm f64 p=2 dim keepdim", "norm", rn(3, 4, dtype=F64), [2, 0], {"keepdim": True}, grad=True)
    ops.add("norm p=0.5", "norm", pos(5), [0.5])
    for op in ["all", "any"]:
        ops.add("%s bool" % op, op, rb(3, 4))
        ops.add("%s bool dim" % op, op, rb(3, 4), [1])
        ops.add("%s bool dim keepdim" % op, op, rb(3, 4), [0], {"keepdim": True})
        ops.add("%s f32" % op, op, ri(3, 4, low=0, high=3).float())
        ops.add("%s u8 -> u8" % op, op, ri(3, 4, dtype=U8, low=0, high=3), [1])
        ops.add("%s i64 dim" % op, op, ri(3, 4, low=0, high=3), [0])
        ops.add("%s all-true" % op, op, torch.ones(3, dtype=BOOL))
        ops.add("%s empty" % op, op, torch.zeros(0, dtype=BOOL))
    ops.add("cumsum f32", "cumsum", x34, [1], grad=True)
    ops.add("cumsum f32 dim0", "cumsum", x234, [0], grad=True)
    ops.add("cumsum i32 -> i64", "cumsum", ri(3, 4, dtype=I32), [1])
    ops.add("cumsum bool -> i64", "cumsum", rb(6), [0])
    ops.add("cumsum dtype f64", "cumsum", x34, [0], {"dtype": F64})
    ops.add("logsumexp f32", "logsumexp", x34 * 10, [1], grad=True)
    ops.add("logsumexp f32 keepdim dims", "logsumexp", x234, [[0, 2]], {"keepdim": True}, grad=True)
    ops.add("logsumexp f64", "logsumexp", rn(3, 4, dtype=F64), [0], grad=True)
    ops.add("logsumexp i64 -> float", "logsumexp", ri(3, 4), [1])
    for op in ["softmax", "log_softmax"]:
        ops.add("%s f32 dim1" % op, op, x34 * 3, [1], grad=True)
        ops.add("%s f32 dim0" % op, op, x234, [0], grad=True)
        ops.add("%s f32 dim -1" % op, op, x234, [-1], grad=True)
        ops.add("%s f64" % op, op, rn(3, 4, dtype=F64), [1], grad=True)
        ops.add("%s dtype f64" % op, op, x34, [1], {"dtype": F64}, grad=True)
        ops.add("%s big values" % op, op, torch.tensor([[1000.0, 0.0, -1000.0], [3.0, 3.0, 3.0]]), [1])
        ops.add("%s int (error)" % op, op, ri(3, 4), [1])
    # keywords only: JS passes them as one options object in place of dim
    ops.add("sum keywords only dim keepdim", "sum", x234, kwargs={"dim": 1, "keepdim": True}, grad=True)
    ops.add("mean keywords only dims", "mean", x234, kwargs={"dim": [0, 2]})
    ops.add("std keywords only unbiased", "std", x34, kwargs={"unbiased": False}, grad=True)
    ops.add("var keywords only dim unbiased", "var", x234, kwargs={"dim": 1, "unbiased": False})
    ops.add("prod keywords only dtype", "prod", ri(2, 3, dtype=I32), kwargs={"dtype": F64})
    ops.add("argmax keywords only dim keepdim", "argmax", x234, kwargs={"dim": 2, "keepdim": True})
    ops.add("argmin keywords only dim", "argmin", x234, kwargs={"dim": 0})
    ops.add("sort f32", "sort", rn(3, 5), [1], grad=True)
    ops.add("sort descending", "sort", rn(3, 5), [0], {"descending": True})
    ops.add("topk", "topk", rn(3, 6), [2], grad=True)
    ops.add("topk smallest dim0", "topk", rn(4, 3), [2, 0], {"largest": False})
    ops.add("nonzero", "nonzero", ri(3, 4, low=-1, high=2))
    ops.add("nonzero as_tuple", "nonzero", ri(3, 4, low=-1, high=2), kwargs={"as_tuple": True})
    ops.add("nonzero as_tuple 1-D bool", "nonzero", rb(7), kwargs={"as_tuple": True})
    ops.add("where condition only", "where", None, [rb(3, 4)])
    ops.add("torch.nonzero fn", "nonzero", None, [ri(2, 3, low=-1, high=2)])

    # linear algebra
    for label, dt_ in [("f32", F32), ("f64", F64)]:
        ops.add("matmul 2d 2d %s" % label, "matmul", rn(3, 4, dtype=dt_), [rn(4, 5, dtype=dt_)], grad=True)
        ops.add("matmul 1d 2d %s" % label, "matmul", rn(4, dtype=dt_), [rn(4, 3, dtype=dt_)], grad=True)
        ops.add("matmul 2d 1d %s" % label, "matmul", rn(3, 4, dtype=dt_), [rn(4, dtype=dt_)], grad=True)
        ops.add("matmul 1d 1d %s" % label, "matmul", rn(6, dtype=dt_), [rn(6, dtype=dt_)], grad=True)
        ops.add("matmul 3d 2d bcast %s" % label, "matmul", rn(2, 3, 4, dtype=dt_), [rn(4, 2, dtype=dt_)], grad=True)
        ops.add("matmul 3d 3d bcast %s" % label, "matmul", rn(2, 1, 3, 4, dtype=dt_), [rn(3, 4, 2, dtype=dt_)], grad=True)
        ops.add("mm %s" % label, "mm", rn(3, 4, dtype=dt_), [rn(4, 2, dtype=dt_)], grad=True)
        ops.add("bmm %s" % label, "bmm", rn(2, 3, 4, dtype=dt_), [rn(2, 4, 5, dtype=dt_)], grad=True)
        ops.add("dot %s" % label, "dot", rn(7, dtype=dt_), [rn(7, dtype=dt_)], grad=True)
        ops.add("t %s" % label, "t", rn(3, 4, dtype=dt_), grad=True)
    ops.add("mm transposed input", "mm", Prep(rn(4, 3), "t"), [rn(4, 2)], grad=True)
    ops.add("mm i64", "mm", ri(3, 4), [ri(4, 2)])
    ops.add("matmul i32", "matmul", ri(2, 3, dtype=I32), [ri(3, 2, dtype=I32)])
    ops.add("t 1d", "t", rn(4))
    ops.add("torch.matmul fn", "matmul", None, [rn(2, 3), rn(3, 2)])
    ops.add("torch.mm fn", "mm", None, [rn(2, 3), rn(3, 2)])
    ops.add("torch.t fn", "t", None, [rn(2, 3)])
    ops.add("mm f32 f64 (error)", "mm", rn(2, 3), [rn(3, 2, dtype=F64)])

    # shapes
    x = rn(2, 3, 4)
    ops.add("reshape varargs", "reshape", x, [4, 6], grad=True)
    ops.add("reshape array", "reshape", x, [[3, -1]], grad=True)
    ops.add("reshape -1", "reshape", x, [-1])
    ops.add("reshape non-contiguous", "reshape", Prep(rn(4, 3), "t"), [12])
    ops.add("view", "view", x, [6, 4], grad=True)
    ops.add("view -1", "view", x, [[2, -1]])
    ops.add("view i64", "view", ri(2, 6), [3, 4])
    ops.add("flatten", "flatten", x, grad=True)
    ops.add("flatten start", "flatten", x, [1], grad=True)
    ops.add("flatten start end", "flatten", rn(2, 3, 4, 5), [1, 2])
    ops.add("squeeze all", "squeeze", rn(1, 3, 1, 2), grad=True)
    ops.add("squeeze dim", "squeeze", rn(1, 3, 1, 2), [2], grad=True)
    ops.add("squeeze dim not 1", "squeeze", rn(1, 3, 1, 2), [1])
    ops.add("unsqueeze 0", "unsqueeze", rn(3, 2), [0], grad=True)
    ops.add("unsqueeze -1", "unsqueeze", ri(3, 2), [-1])
    ops.add("permute varargs", "permute", x, [2, 0, 1], grad=True)
    ops.add("permute array", "permute", x, [[1, 2, 0]])
    ops.add("transpose", "transpose", x, [0, 2], grad=True)
    ops.add("transpose neg", "transpose", ri(2, 3, 4, dtype=I32), [-1, -2])
    ops.add("expand", "expand", rn(3, 1), [3, 4], grad=True)
    ops.add("expand -1 new dim", "expand", rn(3, 1), [2, -1, 4], grad=True)
    ops.add("expand array", "expand", rb(1, 4), [[3, 4]])
    ops.add("repeat", "repeat", rn(2, 3), [2, 2], grad=True)
    ops.add("repeat new dims", "repeat", ri(2, 3), [2, 1, 3])
    ops.add("cat dim0", "cat", None, [[rn(2, 3), rn(1, 3), rn(3, 3)]], grad=True)
    ops.add("cat dim1", "cat", None, [[rn(2, 3), rn(2, 1)], 1], grad=True)
    ops.add("cat neg dim", "cat", None, [[ri(2, 2, 2), ri(2, 2, 1)], -1])
    ops.add("cat f32 f64 promotes", "cat", None, [[rn(2, 2), rn(2, 2, dtype=F64)]])
    ops.add("cat i32 f32 promotes", "cat", None, [[ri(2, 2, dtype=I32), rn(1, 2)]])
    ops.add("cat bool", "cat", None, [[rb(2), rb(3)]])
    ops.add("stack dim0", "stack", None, [[rn(2, 3), rn(2, 3), rn(2, 3)]], grad=True)
    ops.add("stack dim1", "stack", None, [[rn(2, 3), rn(2, 3)], 1], grad=True)
    ops.add("stack dim -1 i64", "stack", None, [[ri(2, 3), ri(2, 3)], -1])
    ops.add("split int", "split", rn(5, 4), [2], grad=True)
    ops.add("split int dim1", "split", rn(3, 5), [2, 1])
    ops.add("split sizes", "split", rn(6, 2), [[1, 2, 3]], grad=True)
    ops.add("split sizes dim1", "split", ri(2, 6), [[4, 2], 1])
    ops.add("chunk", "chunk", rn(5, 4), [3], grad=True)
    ops.add("chunk dim1", "chunk", rn(3, 6), [2, 1])
    ops.add("chunk uneven", "chunk", ri(7), [4])
    ops.add("narrow", "narrow", rn(5, 4), [0, 1, 3], grad=True)
    ops.add("narrow dim1", "narrow", ri(3, 6), [1, 2, 2])
    ops.add("narrow neg start", "narrow", rn(3, 6), [1, -3, 2])
    ops.add("contiguous", "contiguous", Prep(rn(4, 3), "t"), grad=True)
    ops.add("clone", "clone", rn(3, 4), grad=True)
    ops.add("clone transposed", "clone", Prep(ri(4, 3), "t"))
    ops.add("detach", "detach", rn(3, 4))
    ops.add("torch.reshape fn", "reshape", None, [rn(2, 3), [3, 2]])
    ops.add("torch.flatten fn", "flatten", None, [rn(2, 3, 2), 1])
    ops.add("torch.squeeze fn", "squeeze", None, [rn(1, 3, 1)])
    ops.add("torch.unsqueeze fn", "unsqueeze", None, [rn(3), 1])
    ops.add("torch.permute fn", "permute", None, [rn(2, 3, 4), [2, 1, 0]])
    ops.add("torch.transpose fn", "transpose", None, [rn(2, 3), 0, 1])
    ops.add("torch.split fn", "split", None, [rn(5), 2])
    ops.add("torch.chunk fn", "chunk", None, [rn(5), 2])
    ops.add("torch.narrow fn", "narrow", None, [rn(5, 2), 0, 2, 2])
    ops.add("torch.clone fn", "clone", None, [rn(3)])

    # gather / scatter / index_select / masked_fill
    ops.add("index_select dim0", "index_select", rn(5, 3), [0, torch.tensor([4, 0, 2, 2])], grad=True)
    ops.add("index_select dim1", "index_select", rn(3, 5), [1, torch.tensor([1, 3])], grad=True)
    ops.add("index_select i32 index", "index_select", ri(4, 3), [0, torch.tensor([3, 1], dtype=I32)])
    ops.add("gather dim1", "gather", rn(3, 4), [1, ri(3, 2, low=0, high=4)], grad=True)
    ops.add("gather dim0", "gather", rn(3, 4), [0, ri(2, 4, low=0, high=3)], grad=True)
    ops.add("gather i64 input", "gather", ri(3, 4), [1, ri(3, 3, low=0, high=4)])
    ops.add("scatter src", "scatter", torch.zeros(3, 5), [0, torch.tensor([[0, 1, 2, 0, 0]]), rn(1, 5)], grad=True)
    ops.add("scatter src dim1", "scatter", rn(3, 5), [1, torch.tensor([[0, 1], [2, 3], [4, 0]]), rn(3, 2)], grad=True)
    ops.add("scatter value", "scatter", rn(3, 5), [1, torch.tensor([[0], [2], [4]]), 1.25])
    ops.add("scatter i64 value", "scatter", ri(3, 4), [0, torch.tensor([[2, 1, 0, 2]]), -7])
    ops.add("scatter_ src", "scatter_", rn(3, 5), [1, torch.tensor([[0, 1], [2, 3], [4, 0]]), rn(3, 2)], inplace=True)
    ops.add("scatter_ value", "scatter_", ri(3, 5), [0, torch.tensor([[0, 1, 2, 0, 1]]), 9], inplace=True)
    ops.add("scatter_add", "scatter_add", torch.zeros(3, 4), [0, torch.tensor([[0, 1, 2, 0], [0, 0, 0, 2]]), rn(2, 4)], grad=True)
    ops.add("masked_fill scalar", "masked_fill", rn(3, 4), [rb(3, 4), -1.5], grad=True)
    ops.add("masked_fill bcast mask", "masked_fill", rn(3, 4), [rb(1, 4), 2.5], grad=True)
    ops.add("masked_fill 0-dim tensor", "masked_fill", rn(3, 4), [rb(3, 4), torch.tensor(0.75)])
    ops.add("masked_fill i64 int", "masked_fill", ri(3, 4), [rb(3, 4), 42])
    ops.add("masked_fill bool", "masked_fill", rb(3, 4), [rb(3, 4), True])
    ops.add("masked_fill_", "masked_fill_", rn(3, 4), [rb(3, 4), 3.5], inplace=True)
    ops.add("masked_fill_ i32", "masked_fill_", ri(3, 4, dtype=I32), [rb(1, 4), -3], inplace=True)
    ops.add("masked_fill int64 mask (error)", "masked_fill", rn(3, 4), [ri(3, 4), 1.5])

    # in-place forms: the result is self
    ip = [
        ("add_", rn(3, 4), [rn(3, 4)], {}), ("add_ alpha", rn(3, 4), [rn(3, 4)], {"alpha": 2}),
        ("add_ scalar", rn(3, 4), [1.5], {}), ("add_ bcast", rn(3, 4), [rn(4)], {}),
        ("add_ i64 int", ri(3, 4), [7], {}), ("add_ f32 from i64", rn(3, 4), [ri(3, 4)], {}),
        ("add_ f32 from f64 keeps f32", rn(3, 4), [rn(3, 4, dtype=F64)], {}),
        ("sub_", rn(3, 4), [rn(3, 4)], {}), ("sub_ scalar alpha", ri(3, 4), [2], {"alpha": 3}),
        ("mul_", rn(3, 4), [rn(3, 4)], {}), ("mul_ scalar", ri(3, 4, dtype=I32), [-3], {}),
        ("div_", rn(3, 4), [pos(3, 4)], {}), ("div_ scalar", rn(3, 4, dtype=F64), [0.25], {}),
        ("div_ floor i64", ri(3, 4, low=-20, high=20), [nz(3, 4)], {"rounding_mode": "floor"}),
        ("div_ i64 true (error)", ri(3, 4), [nz(3, 4)], {}),
        ("add_ i64 float (error)", ri(3, 4), [1.5], {}),
        ("add_ bcast grows self (error)", rn(4), [rn(3, 4)], {}),
        ("pow_", pos(3, 4), [2], {}), ("pow_ tensor", pos(3, 4), [rn(3, 4)], {}),
        ("clamp_", rn(3, 4), [-0.5, 0.5], {}), ("clamp_ max", ri(3, 4), [None, 2], {}),
        ("clamp_ tensor", rn(3, 4), [rn(3, 4), None], {}),
        ("zero_", rn(3, 4), [], {}), ("zero_ i64", ri(3, 4), [], {}),
        ("fill_", rn(3, 4), [2.5], {}), ("fill_ i32", ri(3, 4, dtype=I32), [-4], {}),
        ("fill_ bool", rb(3, 4), [True], {}), ("fill_ 0-dim tensor", rn(3, 4), [torch.tensor(1.75)], {}),
        ("copy_", rn(3, 4), [rn(3, 4)], {}), ("copy_ bcast", rn(3, 4), [rn(4)], {}),
        ("copy_ f64 into f32", rn(3, 4), [rn(3, 4, dtype=F64)], {}),
        ("copy_ f32 into i32", ri(3, 4, dtype=I32), [rn(3, 4) * 5], {}),
        ("copy_ bool into f32", rn(3, 4), [rb(3, 4)], {}),
        ("copy_ into transposed", Prep(rn(4, 3), "t"), [rn(3, 4)], {}),
        ("neg_", rn(3, 4), [], {}), ("abs_", ri(3, 4), [], {}), ("exp_", rn(3, 4), [], {}),
        ("sqrt_", pos(3, 4), [], {}), ("log_", pos(3, 4), [], {}), ("sigmoid_", rn(3, 4), [], {}),
        ("tanh_", rn(3, 4), [], {}), ("relu_", rn(3, 4), [], {}), ("floor_", rn(3, 4) * 3, [], {}),
        ("sin_", rn(3, 4, dtype=F64), [], {}), ("reciprocal_", pos(3, 4), [], {}),
        ("sqrt_ i64 (error)", ri(3, 4), [], {}),
        ("gt_", rn(3, 4), [0.25], {}), ("eq_ tensor", ri(3, 4, low=0, high=2), [ri(3, 4, low=0, high=2)], {}),
        ("logical_not_", ri(3, 4, low=-1, high=2), [], {}),
        ("cumsum_", rn(3, 4), [1], {}),
    ]
    for entry in ip:
        label, s, a, k = entry
        op = label.split(" ")[0]
        ops.add("inplace " + label, op, s, a, k, inplace=not label.endswith("(error)"))
    return ops.cases


# ==== 2b. indexing reads and writes ========================================================
def gen_indexing():
    ops = OpCases()
    x = rn(4, 5, 6)
    reads = [
        ("int", [1]), ("negative int", [-1]), ("two ints", [1, 2]), ("three ints (0-dim)", [1, 2, 3]),
        ("slice", [slice(1, 3)]), ("slice step", [slice(None, None, 2)]), ("slice start step", [slice(1, None, 2)]),
        ("slice negative bounds", [slice(-3, -1)]), ("slice past end", [slice(2, 100)]),
        ("empty slice", [slice(3, 1)]),
        ("slice int slice", [slice(1, None, 2), 0, slice(None, 4)]),
        ("full slice then int", [slice(None), 2]),
        ("None", [None]), ("None middle", [0, None, slice(1, 3)]),
        ("Ellipsis int", [Ellipsis, 1]), ("int Ellipsis None", [1, Ellipsis, None]),
        ("slice None slice step", [slice(None), None, slice(1, 4, 2)]),
        ("Ellipsis alone", [Ellipsis]),
        ("long index", [torch.tensor([3, 0, 2])]), ("long index negative", [torch.tensor([-1, -4])]),
        ("long index 2d", [torch.tensor([[0, 1], [3, 2]])]),
        ("long index dim1", [slice(None), torch.tensor([4, 0, 4])]),
        ("two long indices", [torch.tensor([0, 2, 3]), torch.tensor([1, 1, 4])]),
        ("long indices split by slice", [torch.tensor([0, 2]), slice(None), torch.tensor([5, 1])]),
        ("long index and int", [torch.tensor([1, 3]), 2]),
        ("bool mask full", ["MASK_FULL"]), ("bool mask dim0", [torch.tensor([True, False, True, True])]),
        ("bool mask dim1", [slice(None), torch.tensor([False, True, True, False, True])]),
        ("bool mask 2d", [torch.tensor([[True, False, True, False, False]] * 4)]),
        ("True", [True]), ("False", [False]),
        ("Ellipsis long index", [Ellipsis, torch.tensor([0, 5])]),
        ("list of ints", [[3, 0, 2]]), ("list of negative ints", [slice(None), [-1, 0]]),
        ("nested list and list", [[[0, 1], [3, 3]], [2, 0]]), ("list of bools", [[True, False, True, True]]),
        ("empty list", [[]]),
    ]
    for label, items in reads:
        items = [(x > 0.3) if it == "MASK_FULL" else it for it in items]
        ops.add("read %s" % label, "index", x, items, kind="index", grad=True)
    ops.add("read int i64", "index", ri(3, 4), [1], kind="index")
    ops.add("read slice bool tensor", "index", rb(4, 3), [slice(1, 3), 0], kind="index")
    ops.add("read mask u8 tensor", "index", ri(3, 4, dtype=torch.uint8, low=0, high=9), [ri(3, 4, dtype=torch.uint8, low=0, high=9) > 4], kind="index")
    ops.add("read out of range (error)", "index", rn(3, 4), [3], kind="index")
    ops.add("read negative out of range (error)", "index", rn(3, 4), [0, -5], kind="index")
    ops.add("read too many indices (error)", "index", rn(3, 4), [0, 1, 2], kind="index")
    ops.add("read long index out of range (error)", "index", rn(3, 4), [torch.tensor([0, 3])], kind="index")
    ops.add("read mask shape mismatch (error)", "index", rn(3, 4), [torch.tensor([True, False])], kind="index")

    writes = [
        ("int <- float", rn(4, 5), [1], -1.5),
        ("int int <- float", rn(4, 5), [1, 2], 0.25),
        ("slice <- tensor bcast", rn(4, 5), [slice(None), 1], rn(4)),
        ("slice step <- float", rn(4, 5), [slice(None, None, 2)], 9.5),
        ("slice step both <- tensor", rn(4, 5), [slice(1, None, 2), slice(None, None, 2)], rn(2, 3)),
        ("Ellipsis <- tensor", rn(2, 3, 4), [Ellipsis, 0], rn(2, 3)),
        ("None <- tensor", rn(3), [None], rn(1, 3)),
        ("mask <- float", rn(4, 5), ["MASK"], 0.5),
        ("mask <- tensor of selected", rn(4, 5), ["MASK"], "SELECTED"),
        ("mask dim0 <- row", rn(4, 5), [torch.tensor([True, False, False, True])], rn(5)),
        ("long index <- float", rn(4, 5), [torch.tensor([0, 3])], -2.5),
        ("long index <- tensor", rn(4, 5), [torch.tensor([2, 0])], rn(2, 5)),
        ("two long indices <- tensor", rn(4, 5), [torch.tensor([0, 1, 3]), torch.tensor([4, 4, 0])], rn(3)),
        ("i64 slice <- int", ri(4, 5), [slice(1, 3)], 7),
        ("i32 int <- float truncates", ri(4, 5, dtype=torch.int32), [2], 2.75),
        ("i64 mask <- int", ri(4, 5), ["MASK"], -9),
        ("bool tensor <- bool", rb(4, 5), [slice(None), 0], True),
        ("u8 <- tensor cast", ri(4, 5, dtype=torch.uint8, low=0, high=9), [0], rn(5).abs() * 10),
        ("f32 <- f64 tensor", rn(4, 5), [3], rn(5, dtype=torch.float64)),
        ("f32 <- 0-dim tensor", rn(4, 5), [slice(None), slice(1, 3)], torch.tensor(4.25)),
        ("list <- tensor", rn(4, 5), [[0, 2]], rn(2, 5)),
        ("two lists <- float", rn(4, 5), [[0, 0, 3], [1, 2, 4]], -0.5),
        ("shape mismatch (error)", rn(4, 5), [0], rn(3)),
    ]
    for label, base, items, value in writes:
        mask = base > 0 if base.dtype.is_floating_point else base > 0
        items = [mask if it == "MASK" else it for it in items]
        if isinstance(value, str):
            value = rn(int(mask.sum()))
        ops.add("write %s" % label, "index_put", base, [items, value], kind="index_put",
                inplace=not label.endswith("(error)"))
    ops.add("write accumulate duplicates", "index_put_accumulate", torch.zeros(5), [[torch.tensor([0, 1, 1, 3, 0])], rn(5)],
            kind="index_put_accumulate", inplace=True)
    ops.add("write accumulate 2d", "index_put_accumulate", rn(3, 4), [[torch.tensor([0, 0, 2]), torch.tensor([1, 1, 3])], rn(3)],
            kind="index_put_accumulate", inplace=True)
    ops.add("write accumulate i64", "index_put_accumulate", ri(4), [[torch.tensor([1, 1, 1])], ri(3)],
            kind="index_put_accumulate", inplace=True)
    return ops.cases


# ==== 1. random streams: manual_seed parity =================================================
def gen_random():
    """Each case: manual_seed(seed), then the calls in order on the default generator; every
    result must equal PyTorch's bit for bit."""
    cases = []

    def case(name, seed, calls):
        torch.manual_seed(seed)
        outs = []
        for c in calls:
            kind, op, self_, args, kwargs = c
            s = self_.clone() if self_ is not None else None
            r = run_op(kind, op, s, list(args), dict(kwargs))
            outs.append(enc_t(r))
        cases.append({
            "name": name, "seed": seed,
            "calls": [{"kind": k, "op": o, "self": enc_arg(s) if s is not None else None, "args": enc_arg(list(a)),
                       "kwargs": enc_arg(kw)} for k, o, s, a, kw in calls],
            "outs": outs,
        })

    fn = lambda op, *args, **kwargs: ("fn", op, None, args, kwargs)
    meth = lambda op, self_, *args, **kwargs: ("method", op, self_, args, kwargs)
    F64 = torch.float64
    seeds = [0, 1, 42, 1234, 2 ** 31 - 1, 2 ** 40 + 7]
    shapes = [(5,), (3, 4), (16,), (2, 3, 5), (7, 9)]
    for seed in seeds:
        for shape in shapes:
            label = "x".join(map(str, shape))
            case("randn %s seed %d" % (label, seed), seed, [fn("randn", *shape)])
            case("rand %s seed %d" % (label, seed), seed, [fn("rand", *shape)])
        case("randn f64 seed %d" % seed, seed, [fn("randn", 4, 5, dtype=F64)])
        case("rand f64 seed %d" % seed, seed, [fn("rand", [3, 7], dtype=F64)])
        case("randint high seed %d" % seed, seed, [fn("randint", 10, [20])])
        case("randint low high seed %d" % seed, seed, [fn("randint", -5, 5, [3, 4])])
        case("randint int32 seed %d" % seed, seed, [fn("randint", 3, 1000, [17], dtype=torch.int32)])
        case("randint big range seed %d" % seed, seed, [fn("randint", 0, 2 ** 40, [8])])
        case("randperm 10 seed %d" % seed, seed, [fn("randperm", 10)])
        case("randperm 100 seed %d" % seed, seed, [fn("randperm", 100)])
        case("randperm int32 seed %d" % seed, seed, [fn("randperm", 7, dtype=torch.int32)])
        case("normal float float seed %d" % seed, seed, [fn("normal", 0.5, 2.5, [3, 4])])
        case("normal float float 16 seed %d" % seed, seed, [fn("normal", -1.5, 0.25, [16])])
        case("normal float float f64 seed %d" % seed, seed, [fn("normal", 1.5, 0.5, [5], dtype=F64)])
        case("normal tensor tensor seed %d" % seed, seed, [fn("normal", torch.arange(6.0).reshape(2, 3), torch.full((2, 3), 0.5))])
        case("normal tensor float seed %d" % seed, seed, [fn("normal", torch.arange(20.0), 0.5)])
        case("normal float tensor seed %d" % seed, seed, [fn("normal", 2.5, torch.linspace(0.1, 2, 10))])
        case("uniform_ seed %d" % seed, seed, [meth("uniform_", torch.zeros(3, 4), -2, 3)])
        case("uniform_ default seed %d" % seed, seed, [meth("uniform_", torch.zeros(17))])
        case("uniform_ f64 seed %d" % seed, seed, [meth("uniform_", torch.zeros(6, dtype=F64), 0.5, 1.5)])
        case("normal_ seed %d" % seed, seed, [meth("normal_", torch.zeros(3, 4), 1.5, 0.5)])
        case("normal_ 20 seed %d" % seed, seed, [meth("normal_", torch.zeros(20))])
        case("normal_ f64 seed %d" % seed, seed, [meth("normal_", torch.zeros(2, 9, dtype=F64), -0.5, 3)])
    # a stream of mixed calls after one seed: the generator state carries over
    case("mixed sequence seed 7", 7, [
        fn("randn", 3), fn("rand", 2, 2), fn("randint", 0, 10, [5]), fn("randperm", 6),
        fn("randn", 17), fn("normal", 0.5, 1.5, [4]), meth("uniform_", torch.zeros(5), -1, 1),
        meth("normal_", torch.zeros(18)), fn("rand", 20), fn("randint", 100, [3]),
    ])
    case("mixed sequence seed 2024", 2024, [
        fn("rand", 33), fn("randn", 2, 20), fn("randperm", 30), fn("randn", 1), fn("randint", 2, [10]),
    ])
    case("randn_like rand_like randint_like", 5, [
        fn("randn_like", torch.zeros(2, 3)), fn("rand_like", torch.zeros(4, dtype=F64)),
        fn("randint_like", torch.zeros(6), 10), fn("randint_like", torch.zeros(2, 3), -4, 9),
        fn("randint_like", torch.zeros(5), 7, dtype=torch.int32), fn("randn_like", torch.zeros(3), dtype=F64),
    ])
    case("bernoulli_ p", 11, [meth("bernoulli_", torch.zeros(20), 0.3)])
    return cases


# ==== named scenarios: the JS side of each lives in the test file under the same name ======
def err_of(f):
    try:
        f()
    except Exception as e:  # noqa: BLE001
        return {"type": type(e).__name__, "message": str(e)}
    # A check this torch version does not make (2.x gathers with int32 indices): the
    # expected value is "no error" (test/core-errors.test.js).
    return {"type": None, "message": ""}


def gen_autograd():
    sc = {}
    E = lambda t: None if t is None else enc_t(t)

    def scenario(name):
        def deco(f):
            sc[name] = f()
            return f
        return deco

    @scenario("chain: (x * w).tanh().sum()")
    def _():
        x, w = rn(3, 4), rn(4)
        xr, wr = x.clone().requires_grad_(), w.clone().requires_grad_()
        y = (xr * wr).tanh().sum()
        y.backward()
        return {"x": E(x), "w": E(w), "y": E(y), "x_grad": E(xr.grad), "w_grad": E(wr.grad)}

    @scenario("backward(gradient) on a non-scalar")
    def _():
        x, g = rn(2, 3, dtype=torch.float64), rn(2, 3, dtype=torch.float64)
        xr = x.clone().requires_grad_()
        y = xr.pow(3) * 2.5
        y.backward(g)
        return {"x": E(x), "g": E(g), "x_grad": E(xr.grad)}

    @scenario("gradients accumulate over two backward calls")
    def _():
        x = rn(4)
        xr = x.clone().requires_grad_()
        (xr * 1.5).sum().backward()
        first = xr.grad.clone()
        (xr * xr).sum().backward()
        return {"x": E(x), "after_first": E(first), "after_second": E(xr.grad)}

    @scenario("retain_graph allows a second backward")
    def _():
        x = rn(5)
        xr = x.clone().requires_grad_()
        y = xr.exp().sum()
        y.backward(retain_graph=True)
        y.backward()
        return {"x": E(x), "x_grad": E(xr.grad)}

    @scenario("second backward without retain_graph fails")
    def _():
        x = rn(5)
        xr = x.clone().requires_grad_()
        y = xr.exp().sum()
        y.backward()
        return {"x": E(x), "error": err_of(lambda: y.backward())}

    @scenario("create_graph: x.grad has a graph; its sum differentiates again")
    def _():
        x = rn(4, dtype=torch.float64)
        xr = x.clone().requires_grad_()
        (xr ** 3).sum().backward(create_graph=True)
        g1 = xr.grad
        out = {"x": E(x), "grad1": E(g1), "grad1_requires_grad": g1.requires_grad,
               "grad1_grad_fn": g1.grad_fn.name() if g1.grad_fn else None}
        z = g1.sum()
        xr.grad = None
        z.backward()
        out["grad2"] = E(xr.grad)
        return out

    @scenario("autograd.grad with grad_outputs")
    def _():
        x, w, g = rn(3), rn(3), rn(3)
        xr, wr = x.clone().requires_grad_(), w.clone().requires_grad_()
        y = xr * wr + xr.sin()
        gx, gw = torch.autograd.grad(y, [xr, wr], grad_outputs=g)
        return {"x": E(x), "w": E(w), "g": E(g), "gx": E(gx), "gw": E(gw),
                "x_grad_after": E(xr.grad)}

    @scenario("autograd.grad create_graph: second derivative")
    def _():
        x = rn(5, dtype=torch.float64)
        xr = x.clone().requires_grad_()
        y = (xr.sin() * xr).sum()
        (gx,) = torch.autograd.grad(y, xr, create_graph=True)
        (ggx,) = torch.autograd.grad(gx.sum(), xr)
        return {"x": E(x), "gx": E(gx), "ggx": E(ggx), "gx_requires_grad": gx.requires_grad}

    @scenario("autograd.grad allow_unused")
    def _():
        x, u = rn(3), rn(3)
        xr, ur = x.clone().requires_grad_(), u.clone().requires_grad_()
        y = (xr * 2).sum()
        gx, gu = torch.autograd.grad(y, [xr, ur], allow_unused=True, retain_graph=True)
        e = err_of(lambda: torch.autograd.grad(y, [xr, ur]))
        return {"x": E(x), "u": E(u), "gx": E(gx), "gu": E(gu), "error": e}

    @scenario("retain_grad on a non-leaf")
    def _():
        x = rn(2, 3)
        xr = x.clone().requires_grad_()
        h = xr * 2
        h.retain_grad()
        k = xr + 1  # no retain_grad: its .grad stays None
        (h.pow(2).sum() + k.sum()).backward()
        return {"x": E(x), "h_grad": E(h.grad), "k_grad": E(k.grad), "x_grad": E(xr.grad),
                "h_retains_grad": h.retains_grad, "k_retains_grad": k.retains_grad}

    @scenario("is_leaf, requires_grad and grad_fn")
    def _():
        a = torch.ones(2)
        x = torch.ones(2, requires_grad=True)
        y = x * 2
        d = y.detach()
        return {
            "a": [a.is_leaf, a.requires_grad, a.grad_fn is None, a.grad is None],
            "x": [x.is_leaf, x.requires_grad, x.grad_fn is None, x.grad is None],
            "y": [y.is_leaf, y.requires_grad, y.grad_fn is None],
            "d": [d.is_leaf, d.requires_grad, d.grad_fn is None],
        }

    @scenario("grad_fn names")
    def _():
        x = torch.randn(3, generator=gen).requires_grad_()
        m = torch.randn(2, 3, generator=gen).requires_grad_()
        names = {}
        for key, f in [
            ("add", lambda: x + 1), ("sub", lambda: x - x), ("mul", lambda: x * x), ("div", lambda: x / 2.5),
            ("neg", lambda: -x), ("pow", lambda: x.pow(2)), ("pow tensor", lambda: x.pow(x)), ("exp", lambda: x.exp()),
            ("sum", lambda: x.sum()), ("sum dim", lambda: m.sum(1)), ("mean", lambda: x.mean()),
            ("max", lambda: x.max()), ("max dim", lambda: m.max(1)[0]), ("std", lambda: x.std()),
            ("norm", lambda: x.norm()), ("select", lambda: x[0]), ("slice", lambda: x[1:]),
            ("index", lambda: x[torch.tensor([0, 2])]), ("mask", lambda: x[x > 0]), ("view", lambda: x.view(3, 1)),
            ("reshape", lambda: m.reshape(3, 2)), ("t", lambda: m.t()), ("transpose", lambda: m.transpose(0, 1)),
            ("permute", lambda: m.permute(1, 0)), ("unsqueeze", lambda: x.unsqueeze(0)),
            ("squeeze", lambda: x.view(1, 3).squeeze()), ("expand", lambda: x.expand(2, 3)),
            ("mm", lambda: m.mm(m.t())), ("matmul 1d", lambda: x.matmul(x)), ("matmul 2d", lambda: m.matmul(x)),
            ("cat", lambda: torch.cat([x, x])), ("stack", lambda: torch.stack([x, x])),
            ("where", lambda: torch.where(x > 0, x, x * 2)), ("clone", lambda: x.clone()),
            ("to float64", lambda: x.to(torch.float64)), ("sigmoid", lambda: x.sigmoid()), ("relu", lambda: x.relu()),
            ("tanh", lambda: x.tanh()), ("softmax", lambda: x.softmax(0)), ("log_softmax", lambda: x.log_softmax(0)),
            ("clamp", lambda: x.clamp(-0.5, 0.5)), ("abs", lambda: x.abs()), ("add_ on non-leaf", lambda: (x * 1).add_(1)),
            ("masked_fill", lambda: x.masked_fill(x > 0, 0.5)), ("gather", lambda: m.gather(1, torch.tensor([[0], [2]]))),
            ("index_select", lambda: m.index_select(1, torch.tensor([0]))), ("cumsum", lambda: x.cumsum(0)),
            ("logsumexp", lambda: m.logsumexp(1)), ("split", lambda: m.split(1)[0]), ("narrow", lambda: m.narrow(1, 0, 2)),
            ("repeat", lambda: x.repeat(2)), ("flatten", lambda: m.flatten()),
        ]:
            names[key] = f().grad_fn.name()
        return {"names": names}

    @scenario("detach_ makes a leaf that does not require grad")
    def _():
        x = torch.ones(3, requires_grad=True)
        y = x * 2
        y.detach_()
        return {"y": [y.is_leaf, y.requires_grad, y.grad_fn is None]}

    @scenario("detach shares storage")
    def _():
        x = rn(3)
        xr = x.clone().requires_grad_()
        d = xr.detach()
        d.add_(1.5)
        return {"x": E(x), "x_after": E(xr)}

    @scenario("no_grad / enable_grad / set_grad_enabled")
    def _():
        x = torch.ones(2, requires_grad=True)
        with torch.no_grad():
            a = x * 2
            inside = torch.is_grad_enabled()
            with torch.enable_grad():
                b = x * 2
                inner = torch.is_grad_enabled()
        torch.set_grad_enabled(False)
        c = x * 2
        off = torch.is_grad_enabled()
        torch.set_grad_enabled(True)
        return {"a": a.requires_grad, "b": b.requires_grad, "c": c.requires_grad, "inside": inside, "inner": inner,
                "off": off, "after": torch.is_grad_enabled()}

    @scenario("requires_grad setter and requires_grad_ errors")
    def _():
        x = torch.ones(2, requires_grad=True)
        y = x * 2

        def set_rg(t, v):
            t.requires_grad = v
        return {
            "non_leaf_true": err_of(lambda: set_rg(y, True)),
            "non_leaf_false": err_of(lambda: set_rg(y, False)),
            "int_setter": err_of(lambda: set_rg(torch.tensor([1, 2]), True)),
            "int_method": err_of(lambda: torch.tensor([1, 2]).requires_grad_()),
            "bool_setter": err_of(lambda: set_rg(torch.tensor([True]), True)),
        }

    @scenario("backward errors")
    def _():
        x = torch.ones(2, 3, requires_grad=True)
        return {
            "non_scalar": err_of(lambda: (x * 2).backward()),
            "no_grad_fn": err_of(lambda: torch.ones(2).sum().backward()),
            "leaf_inplace": err_of(lambda: x.add_(1)),
            "grad_wrong_shape": err_of(lambda: (x * 2).backward(torch.ones(3))),
        }

    @scenario("autograd.grad errors")
    def _():
        x = torch.ones(3, requires_grad=True)
        return {
            "non_scalar": err_of(lambda: torch.autograd.grad(x * 2, x)),
            "input_without_grad": err_of(lambda: torch.autograd.grad((x * 2).sum(), torch.ones(2))),
            "output_without_grad": err_of(lambda: torch.autograd.grad(torch.ones(2).sum(), x)),
            "grad_outputs_shape": err_of(lambda: torch.autograd.grad(x * 2, x, grad_outputs=torch.ones(2))),
            "requires_grad_false_non_leaf": err_of(lambda: (x * 2).requires_grad_(False)),
        }

    @scenario("set .grad")
    def _():
        x = torch.zeros(2, 2, requires_grad=True)
        g = rn(2, 2)
        x.grad = g
        return {"g": E(g), "wrong_shape": err_of(lambda: setattr(x, "grad", torch.zeros(3))),
                "wrong_dtype": err_of(lambda: setattr(x, "grad", torch.zeros(2, 2, dtype=torch.float64)))}

    @scenario("gradient through indexing reads and writes")
    def _():
        x, v = rn(4, 5), rn(2, 5)
        xr, vr = x.clone().requires_grad_(), v.clone().requires_grad_()
        y = xr * 1
        y[torch.tensor([0, 2])] = vr
        z = (y[1:, :4:2] * y[:3, 1::2]).sum()
        z.backward()
        return {"x": E(x), "v": E(v), "x_grad": E(xr.grad), "v_grad": E(vr.grad), "z": E(z)}

    return sc


def gen_creation():
    """Expected tensors (values, dtype, shape) and metadata from PyTorch."""
    F64, I32, I64 = torch.float64, torch.int32, torch.int64
    c = {}
    T = lambda name, t: c.__setitem__(name, enc_t(t))
    T("zeros(2, 3)", torch.zeros(2, 3))
    T("zeros([2, 3], f64)", torch.zeros([2, 3], dtype=F64))
    T("ones(2, 3, int32)", torch.ones(2, 3, dtype=I32))
    T("ones(4) bool", torch.ones(4, dtype=torch.bool))
    T("zeros() 0-dim", torch.zeros(()))
    T("zeros(2, 0)", torch.zeros(2, 0))
    T("full((2,3), 2.5)", torch.full((2, 3), 2.5))
    T("full((2,2), True)", torch.full((2, 2), True))
    T("full((3,), 7, int64)", torch.full((3,), 7, dtype=I64))
    T("full((2,), -1.5, f64)", torch.full((2,), -1.5, dtype=F64))
    T("arange(5)", torch.arange(5))
    T("arange(1, 10, 3)", torch.arange(1, 10, 3))
    T("arange(10, 0, -3)", torch.arange(10, 0, -3))
    T("arange(0, 1, 0.1)", torch.arange(0, 1, 0.1))
    T("arange(-1.5, 2.5, 0.5)", torch.arange(-1.5, 2.5, 0.5))
    T("arange(5, f64)", torch.arange(5, dtype=F64))
    T("arange(0.5, 3)", torch.arange(0.5, 3))
    T("linspace(0, 1, 5)", torch.linspace(0, 1, 5))
    T("linspace(-1, 1, 7, f64)", torch.linspace(-1, 1, 7, dtype=F64))
    T("linspace(0, 10, 1)", torch.linspace(0, 10, 1))
    T("linspace(3, -2.5, 12)", torch.linspace(3, -2.5, 12))
    T("eye(3)", torch.eye(3))
    T("eye(2, 4)", torch.eye(2, 4))
    T("eye(3, int64)", torch.eye(3, dtype=I64))
    base_i32 = torch.tensor([[1, 2, 3]], dtype=I32)
    T("zeros_like(i32)", torch.zeros_like(base_i32))
    T("ones_like(i32, f64)", torch.ones_like(base_i32, dtype=F64))
    T("full_like(i32, 3.5)", torch.full_like(base_i32, 3.5))
    T("full_like(f32, 2.5)", torch.full_like(torch.zeros(2, 2), 2.5))
    T("ones_like(bool)", torch.ones_like(torch.zeros(3, dtype=torch.bool)))
    c["empty(2, 3) meta"] = {"shape": list(torch.empty(2, 3).shape), "dtype": dname(torch.empty(2, 3).dtype)}
    c["empty_like(i32) meta"] = {"shape": [1, 3], "dtype": dname(torch.empty_like(base_i32).dtype)}
    # torch.tensor inference (the JS data for each is written in the test)
    T("tensor([1.5, 2])", torch.tensor([1.5, 2.0]))
    T("tensor([[1, 2], [3, 4]]) numbers", torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    T("tensor([[true, false], [false, true]])", torch.tensor([[True, False], [False, True]]))
    T("tensor([1n, -2n, 2n**40n])", torch.tensor([1, -2, 2 ** 40]))
    T("tensor(Float64Array)", torch.tensor([0.1, 0.2, 0.3], dtype=F64))
    T("tensor(Int32Array)", torch.tensor([1, -2, 3], dtype=I32))
    T("tensor(Uint8Array)", torch.tensor([0, 255, 7], dtype=torch.uint8))
    T("tensor(Int16Array)", torch.tensor([-300, 300], dtype=torch.int16))
    T("tensor(Int8Array)", torch.tensor([-128, 127], dtype=torch.int8))
    T("tensor(BigInt64Array)", torch.tensor([-(2 ** 62), 2 ** 62 + 1], dtype=I64))
    T("tensor([1.5, 2.7, -1.2], int32)", torch.tensor([1.5, 2.7, -1.2], dtype=I32))
    T("tensor([0.1, 0.2], f64)", torch.tensor([0.1, 0.2], dtype=F64))
    T("tensor(Float64Array, f32)", torch.tensor([0.1, 0.2], dtype=torch.float32))
    T("tensor([1, 0, 2], bool)", torch.tensor([1, 0, 2], dtype=torch.bool))
    T("tensor([true, false], f32)", torch.tensor([True, False], dtype=torch.float32))
    T("tensor(3.5)", torch.tensor(3.5))
    T("tensor(true)", torch.tensor(True))
    T("tensor([])", torch.tensor([]))
    T("tensor([[], []])", torch.tensor([[], []]))
    # metadata
    base = torch.randn(2, 3, 4, generator=gen)
    views = {
        "contiguous (2,3,4)": base,
        "permute(2, 0, 1)": base.permute(2, 0, 1),
        "transpose(0, 2)": base.transpose(0, 2),
        "narrow(2, 1, 2)": base.narrow(2, 1, 2),
        "index [:, ::2]": base[:, ::2],
        "expand (3,1)->(3,4)": torch.zeros(3, 1).expand(3, 4),
        "unsqueeze(1)": base.unsqueeze(1),
        "0-dim": torch.tensor(1.5),
        "empty (0, 3)": torch.zeros(0, 3),
    }
    c["meta"] = {k: {"shape": list(v.shape), "stride": list(v.stride()), "is_contiguous": v.is_contiguous(),
                     "dim": v.dim(), "numel": v.numel()} for k, v in views.items()}
    c["meta base"] = enc_t(base)
    c["element_size"] = {dname(d): torch.zeros(1, dtype=d).element_size() for d in
                         [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int8, torch.int16,
                          torch.int32, torch.int64, torch.uint8, torch.bool]}
    c["item"] = {
        "f32 0.1": torch.tensor(0.1).item(), "f64 0.1": torch.tensor(0.1, dtype=F64).item(),
        "i64": torch.tensor(-(2 ** 40)).item(), "i32": torch.tensor(7, dtype=I32).item(),
        "bool": torch.tensor(True).item(), "one-element 2d": torch.tensor([[2.5]]).item(),
        "error": err_of(lambda: torch.zeros(2, 3).item()),
    }
    c["tolist"] = {
        "f32 2d": torch.tensor([[0.1, 2.5], [-1.0, 3.0]]).tolist(),
        "i64": torch.tensor([[1, 2, 3]]).tolist(),
        "bool": torch.tensor([True, False]).tolist(),
        "0-dim": torch.tensor(4.5).tolist(),
        "u8 3d": torch.arange(8, dtype=torch.uint8).reshape(2, 2, 2).tolist(),
    }
    # conversions
    src = torch.tensor([-1.7, -0.5, 0.0, 0.4, 2.9, 300.25])
    for d in ["int32", "int64", "bool", "float64", "uint8", "int8", "float16"]:
        if d in ("uint8", "int8"):
            T("to %s" % d, torch.tensor([-1.7, 0.0, 0.4, 2.9, 100.5]).to(DTYPES[d]))
        else:
            T("to %s" % d, src.to(DTYPES[d]))
    c["to src"] = enc_t(src)
    T("to(other tensor) f64", src.to(torch.zeros(1, dtype=F64)))
    T("i64 to f32", torch.tensor([1, -2, 2 ** 24 + 1]).to(torch.float32))
    T("double()", src.double())
    T("long()", src.long())
    T("int()", src.int())
    T("bool()", src.bool())
    T("float() of i64", torch.tensor([3, 4]).float())
    T("half()", src.half())
    # default dtype float64
    torch.set_default_dtype(torch.float64)
    try:
        c["default f64"] = {
            "tensor": enc_t(torch.tensor([1.5, 0.1])), "randn": dname(torch.randn(2).dtype),
            "zeros": dname(torch.zeros(2).dtype), "arange": enc_t(torch.arange(0, 1, 0.25)),
            "linspace": enc_t(torch.linspace(0, 1, 3)), "int_plus_float": enc_t(torch.tensor([1, 2]) + 2.5),
            "full": enc_t(torch.full((2,), 0.1)), "f32_plus_0dim_f64": dname((torch.ones(2, dtype=torch.float32) + torch.tensor(1.5)).dtype),
            "get": dname(torch.get_default_dtype()),
        }
    finally:
        torch.set_default_dtype(torch.float32)
    c["set_default_dtype int error"] = err_of(lambda: torch.set_default_dtype(torch.int64))
    return c


def gen_printing():
    """str(t) of tensors made through the API; JS makes the same tensors (same names)."""
    p = {}

    def add(name, make, default=None):
        prev = torch.get_default_dtype()
        if default is not None:
            torch.set_default_dtype(default)
        try:
            torch.set_printoptions(profile="default")
            p[name] = str(make())
        finally:
            torch.set_default_dtype(prev)

    def seeded(seed, f):
        torch.manual_seed(seed)
        return f()

    nan, inf = float("nan"), float("inf")
    add("randn(3, 4) seed 0", lambda: seeded(0, lambda: torch.randn(3, 4)))
    add("randn(5) * 1000 seed 1", lambda: seeded(1, lambda: torch.randn(5) * 1000))
    add("randn(4) * 1e-5 seed 2", lambda: seeded(2, lambda: torch.randn(4) * 1e-5))
    add("randn(3) * 1e6 seed 3", lambda: seeded(3, lambda: torch.randn(3) * 1e6))
    add("randn(100, 100) seed 0 (summarised)", lambda: seeded(0, lambda: torch.randn(100, 100)))
    add("rand(2, 3, 4) seed 4", lambda: seeded(4, lambda: torch.rand(2, 3, 4)))
    add("randn(3, 40) seed 5 (wraps at linewidth)", lambda: seeded(5, lambda: torch.randn(3, 40)))
    add("randn(3, f64) seed 6", lambda: seeded(6, lambda: torch.randn(3, dtype=torch.float64)))
    add("randn(2, 2, f32) under default f64", lambda: seeded(7, lambda: torch.randn(2, 2, dtype=torch.float32)), default=torch.float64)
    add("randn(2, 2) under default f64", lambda: seeded(7, lambda: torch.randn(2, 2)), default=torch.float64)
    add("arange(12).reshape(3, 4)", lambda: torch.arange(12).reshape(3, 4))
    add("arange(2000) (summarised)", lambda: torch.arange(2000))
    add("arange(-5, 5, int32)", lambda: torch.arange(-5, 5, dtype=torch.int32))
    add("randint(0, 256, [2, 5], uint8) seed 8", lambda: seeded(8, lambda: torch.randint(0, 256, (2, 5), dtype=torch.uint8)))
    add("arange(6, int8).reshape(2, 3) - 3", lambda: torch.arange(6, dtype=torch.int8).reshape(2, 3) - 3)
    add("randn(3, 3) > 0 seed 9", lambda: seeded(9, lambda: torch.randn(3, 3) > 0))
    add("ones(2, bool)", lambda: torch.ones(2, dtype=torch.bool))
    add("randn(3, requires_grad) seed 10", lambda: seeded(10, lambda: torch.randn(3, requires_grad=True)))
    add("x * 2 seed 10", lambda: seeded(10, lambda: torch.randn(3, requires_grad=True) * 2))
    add("x * x seed 10", lambda: seeded(10, lambda: (lambda x: x * x)(torch.randn(3, requires_grad=True))))
    add("x.sum() seed 11", lambda: seeded(11, lambda: torch.randn(4, requires_grad=True).sum()))
    add("x.mean(0) of f64 seed 12", lambda: seeded(12, lambda: torch.randn(2, 3, dtype=torch.float64, requires_grad=True).mean(0)))
    add("nan inf", lambda: torch.tensor([1.5, nan, inf, -inf]))
    add("log of zeros and negatives", lambda: torch.tensor([0.0, -1.0, 1.0]).log())
    add("0-dim float", lambda: torch.tensor(3.25))
    add("0-dim int64", lambda: torch.tensor(-7))
    add("0-dim bool", lambda: torch.tensor(False))
    add("zeros(0)", lambda: torch.zeros(0))
    add("zeros(2, 0)", lambda: torch.zeros(2, 0))
    add("zeros(0, int32)", lambda: torch.zeros(0, dtype=torch.int32))
    add("ones(2, 3) integer-valued floats", lambda: torch.ones(2, 3))
    add("eye(3, f64)", lambda: torch.eye(3, dtype=torch.float64))
    add("linspace(0, 1, 5)", lambda: torch.linspace(0, 1, 5))
    add("full([2, 2], -0.5, f16)", lambda: torch.full((2, 2), -0.5, dtype=torch.float16))
    add("randn(2, 3) transposed seed 13", lambda: seeded(13, lambda: torch.randn(2, 3).t()))
    add("randn(4, 5)[::2, 1:] seed 14", lambda: seeded(14, lambda: torch.randn(4, 5)[::2, 1:]))
    add("int tensor + 2.5", lambda: torch.tensor([1, 2, 3]) + 2.5)
    add("int tensor / int tensor", lambda: torch.tensor([1, 2, 3]) / torch.tensor([2, 2, 2]))
    add("i64 big values", lambda: torch.tensor([2 ** 40, -3, 12]))
    add("randn(2, 3, 4) * 100 seed 15", lambda: seeded(15, lambda: torch.randn(2, 3, 4) * 100))
    add("rand(1001) seed 16 (summarised 1-D)", lambda: seeded(16, lambda: torch.rand(1001)))
    return p


def gen_errors():
    """PyTorch's error type and message for bad calls; JS makes the same calls (same names)."""
    e = {}
    a, b = torch.ones(2, 3), torch.ones(2, 4)
    e["add shape mismatch"] = err_of(lambda: a + b)
    e["mul broadcast mismatch 3d"] = err_of(lambda: torch.ones(2, 3, 4) * torch.ones(3, 3))
    e["mm shape mismatch"] = err_of(lambda: torch.mm(torch.ones(2, 3), torch.ones(4, 5)))
    e["matmul shape mismatch"] = err_of(lambda: torch.matmul(torch.ones(2, 3), torch.ones(2, 3)))
    e["bmm not 3-D"] = err_of(lambda: torch.bmm(torch.ones(2, 3), torch.ones(3, 2)))
    e["dot size mismatch"] = err_of(lambda: torch.dot(torch.ones(3), torch.ones(4)))
    e["index out of range"] = err_of(lambda: torch.ones(3)[5])
    e["index out of range dim 1"] = err_of(lambda: torch.ones(3, 4)[:, -5])
    e["index_select out of range"] = err_of(lambda: torch.ones(3).index_select(0, torch.tensor([3])))
    e["dim out of range in sum"] = err_of(lambda: torch.ones(2, 3).sum(5))
    e["dim out of range in softmax"] = err_of(lambda: torch.ones(2, 3).softmax(-3))
    e["dim out of range in size"] = err_of(lambda: torch.ones(2, 3).size(2))
    e["view on non-contiguous"] = err_of(lambda: torch.ones(2, 3).t().view(6))
    e["view bad size"] = err_of(lambda: torch.ones(2, 3).view(4, 2))
    e["reshape bad size"] = err_of(lambda: torch.ones(6).reshape(4, 4))
    e["expand bad size"] = err_of(lambda: torch.ones(2, 3).expand(2, 4))
    e["cat size mismatch"] = err_of(lambda: torch.cat([torch.ones(2, 3), torch.ones(3, 2)], 1))
    e["cat empty list"] = err_of(lambda: torch.cat([]))
    e["stack size mismatch"] = err_of(lambda: torch.stack([torch.ones(2), torch.ones(3)]))
    e["narrow out of range"] = err_of(lambda: torch.ones(4).narrow(0, 2, 3))
    e["item on many elements"] = err_of(lambda: torch.ones(2, 3).item())
    e["mean of int"] = err_of(lambda: torch.tensor([1, 2]).mean())
    e["sub bool bool"] = err_of(lambda: torch.tensor([True]) - torch.tensor([False]))
    e["pow int negative"] = err_of(lambda: torch.tensor([2, 3]).pow(-1))
    e["in-place result type"] = err_of(lambda: torch.tensor([1, 2]).add_(1.5))
    e["leaf in-place"] = err_of(lambda: torch.ones(2, requires_grad=True).mul_(2))
    e["gather index out of bounds"] = err_of(lambda: torch.ones(2, 3).gather(1, torch.tensor([[0], [5]])))
    e["gather index dtype"] = err_of(lambda: torch.ones(2, 3).gather(1, torch.tensor([[0], [1]], dtype=torch.int32)))
    e["randperm negative"] = err_of(lambda: torch.randperm(-1))
    e["randint low >= high"] = err_of(lambda: torch.randint(5, 2, (3,)))
    e["zeros negative size"] = err_of(lambda: torch.zeros(2, -1))
    e["arange zero step"] = err_of(lambda: torch.arange(0, 5, 0))
    def backward_twice():
        y = (torch.ones(2, requires_grad=True) * 2).exp().sum()
        y.backward()
        y.backward()
    e["backward twice"] = err_of(backward_twice)
    e["backward non-scalar"] = err_of(lambda: (torch.ones(2, requires_grad=True) * 2).backward())
    e["requires_grad on int"] = err_of(lambda: torch.tensor([1]).requires_grad_())
    e["slice step negative"] = err_of(lambda: torch.ones(4)[::-1])
    e["squeeze dim out of range"] = err_of(lambda: torch.ones(2, 1).squeeze(3))
    e["transpose dim out of range"] = err_of(lambda: torch.ones(2, 3).transpose(0, 2))
    e["permute wrong count"] = err_of(lambda: torch.ones(2, 3).permute(0))
    e["split zero"] = err_of(lambda: torch.ones(4).split(0))
    e["chunk zero"] = err_of(lambda: torch.ones(4).chunk(0))
    e["div rounding_mode bad"] = err_of(lambda: torch.ones(2).div(2.5, rounding_mode="round"))
    e["copy_ bad broadcast"] = err_of(lambda: torch.ones(2, 3).copy_(torch.ones(4)))
    e["tensor ragged"] = err_of(lambda: torch.tensor([[1, 2], [3]]))
    e["slice step zero"] = err_of(lambda: torch.ones(4)[::0])
    e["index_put_ shape mismatch"] = err_of(lambda: torch.ones(2, 3).__setitem__(0, torch.ones(4)))
    return e


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    write("core-random.json", {"torch_version": torch.__version__, "cases": gen_random()})
    write("core-ops.json", {"torch_version": torch.__version__, "cases": gen_ops()})
    write("core-indexing.json", {"torch_version": torch.__version__, "cases": gen_indexing()})
    write("core-autograd.json", {"torch_version": torch.__version__, "scenarios": gen_autograd()})
    write("core-creation.json", {"torch_version": torch.__version__, "values": gen_creation()})
    write("core-printing.json", {"torch_version": torch.__version__, "cases": gen_printing()})
    write("core-errors.json", {"torch_version": torch.__version__, "errors": gen_errors()})


if __name__ == "__main__":
    main()
