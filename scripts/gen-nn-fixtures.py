#!/usr/bin/python3
"""Writes test/fixtures/nn-*.json: reference values from real PyTorch for torch-node/nn.

Run with Debian's interpreter (it has torch 1.13; the `python3` first on PATH has none):
    /usr/bin/python3 scripts/gen-nn-fixtures.py

Files:
  nn-layers.json  for each layer config: parameters and buffers right after
                  torch.manual_seed(seed) + construction (bit-exact), print form,
                  then a sequence of steps (train/eval): input, output, and the
                  gradients of sum(output * g) for a random g, buffers after the step.
  nn-losses.json  each loss with options: value and gradient of the input.
  nn-init.json    nn.init functions after a seed, calculate_gain.
  nn-module.json  a nested model: print form, state_dict keys and _metadata, names
                  from named_*; error messages of bad inputs.

Constructors are recorded as (class, args, kwargs); the JS tests build the same
layer as `new nn[cls](...args, kwargs)`: keyword arguments become the trailing
options object, tuples arrays, None null.
"""
import json
import math
import os
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

from fixture_json import fixture_dir
from nn_record import enc, enc_arg

OUT = fixture_dir()


def dump(name, data):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(data, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes")


# ---- layers -------------------------------------------------------------------------

def layer_case(name, cls, args=(), kwargs=None, steps=(("train", (2, 3)),), seed=0, input_grad=True):
    """steps: (mode, input shape) pairs run in order on one module."""
    kwargs = kwargs or {}
    gen = torch.Generator().manual_seed(1000 + seed)  # inputs do not touch the global generator
    torch.manual_seed(seed)
    m = getattr(nn, cls)(*args, **kwargs)
    case = {
        "name": name, "cls": cls, "args": enc_arg(list(args)), "kwargs": enc_arg(kwargs), "seed": seed,
        "repr": repr(m),
        "params": {k: enc(v) for k, v in m.named_parameters()},
        "buffers": {k: enc(v) for k, v in m.named_buffers()},
        "steps": [],
    }
    for i, (mode, shape) in enumerate(steps):
        m.train(mode == "train")
        x = torch.randn(*shape, generator=gen)
        xr = x.clone().requires_grad_(input_grad)
        step_seed = 100 + i
        torch.manual_seed(step_seed)  # what dropout draws from
        out = m(xr)
        g = torch.randn(*out.shape, generator=gen)
        m.zero_grad()
        (out * g).sum().backward()
        case["steps"].append({
            "mode": mode, "seed": step_seed, "input": enc(x), "g": enc(g), "output": enc(out),
            "input_grad": enc(xr.grad) if input_grad else None,
            "grads": {k: enc(v.grad) for k, v in m.named_parameters() if v.grad is not None},
            "buffers": {k: enc(v) for k, v in m.named_buffers()},
        })
    return case


layers = [
    layer_case("Linear(5, 3)", "Linear", (5, 3), steps=[("train", (4, 5))], seed=1),
    layer_case("Linear(4, 2, bias=False)", "Linear", (4, 2), {"bias": False}, steps=[("train", (3, 4))], seed=2),
    layer_case("Linear(3, 6) on 3-D input", "Linear", (3, 6), steps=[("train", (2, 3, 3))], seed=3),
    layer_case("Linear(1, 1)", "Linear", (1, 1), steps=[("train", (2, 1))], seed=4),
    layer_case("Linear(64, 10) float64", "Linear", (64, 10), {"dtype": torch.float64}, steps=[], seed=5),
    layer_case("Conv2d(3, 4, 3)", "Conv2d", (3, 4, 3), steps=[("train", (2, 3, 6, 6))], seed=10),
    layer_case("Conv2d(3, 6, 3, stride=2, padding=1)", "Conv2d", (3, 6, 3), {"stride": 2, "padding": 1}, steps=[("train", (2, 3, 7, 7))], seed=11),
    layer_case("Conv2d same dilation groups no bias", "Conv2d", (4, 4, 3), {"padding": "same", "dilation": 2, "groups": 2, "bias": False},
               steps=[("train", (1, 4, 7, 6))], seed=12),
    layer_case("Conv2d(2, 3, (3, 2), padding='valid')", "Conv2d", (2, 3, (3, 2)), {"padding": "valid"}, steps=[("train", (2, 2, 5, 4))], seed=13),
    layer_case("Conv2d even kernel padding same", "Conv2d", (2, 2, 4), {"padding": "same"}, steps=[("train", (1, 2, 5, 5))], seed=14),
    layer_case("Conv2d reflect padding", "Conv2d", (2, 3, 3), {"padding": 1, "padding_mode": "reflect"}, steps=[("train", (1, 2, 4, 5))], seed=15),
    layer_case("Conv2d circular padding (1, 2)", "Conv2d", (2, 2, 3), {"padding": (1, 2), "padding_mode": "circular"}, steps=[("train", (1, 2, 4, 4))], seed=16),
    layer_case("Conv2d replicate same", "Conv2d", (1, 2, 3), {"padding": "same", "padding_mode": "replicate"}, steps=[("train", (1, 1, 4, 4))], seed=17),
    layer_case("Conv2d unbatched", "Conv2d", (2, 3, 2), steps=[("train", (2, 4, 4))], seed=18),
    layer_case("Conv2d(3, 8, 7, stride=2, padding=3, bias=False)", "Conv2d", (3, 8, 7), {"stride": 2, "padding": 3, "bias": False}, steps=[], seed=19),
    layer_case("BatchNorm2d(3) train train eval", "BatchNorm2d", (3,),
               steps=[("train", (4, 3, 2, 2)), ("train", (2, 3, 3, 2)), ("eval", (2, 3, 2, 2))], seed=20),
    layer_case("BatchNorm2d(3, momentum=None)", "BatchNorm2d", (3,), {"momentum": None},
               steps=[("train", (4, 3, 2, 2)), ("train", (3, 3, 2, 2)), ("train", (2, 3, 1, 2)), ("eval", (2, 3, 2, 2))], seed=21),
    layer_case("BatchNorm2d(2, eps=1e-3, momentum=0.3)", "BatchNorm2d", (2,), {"eps": 1e-3, "momentum": 0.3},
               steps=[("train", (3, 2, 2, 2)), ("eval", (1, 2, 2, 2))], seed=22),
    layer_case("BatchNorm2d(3, track_running_stats=False)", "BatchNorm2d", (3,), {"track_running_stats": False},
               steps=[("train", (4, 3, 2, 2)), ("eval", (2, 3, 2, 2))], seed=23),
    layer_case("BatchNorm1d(4) 2-D", "BatchNorm1d", (4,), steps=[("train", (6, 4)), ("eval", (3, 4))], seed=24),
    layer_case("BatchNorm1d(4) 3-D", "BatchNorm1d", (4,), steps=[("train", (3, 4, 5)), ("eval", (2, 4, 5))], seed=25),
    layer_case("BatchNorm1d(4, affine=False)", "BatchNorm1d", (4,), {"affine": False}, steps=[("train", (5, 4)), ("eval", (2, 4))], seed=26),
    layer_case("ReLU()", "ReLU", steps=[("train", (3, 4))], seed=30),
    layer_case("Sigmoid()", "Sigmoid", steps=[("train", (3, 4))], seed=31),
    layer_case("Tanh()", "Tanh", steps=[("train", (3, 4))], seed=32),
    layer_case("GELU()", "GELU", steps=[("train", (3, 4))], seed=33),
    layer_case("GELU(approximate='tanh')", "GELU", (), {"approximate": "tanh"}, steps=[("train", (3, 4))], seed=34),
    layer_case("Softmax(dim=1)", "Softmax", (), {"dim": 1}, steps=[("train", (3, 4))], seed=35),
    layer_case("Softmax(0) 3-D", "Softmax", (0,), steps=[("train", (2, 3, 2))], seed=36),
    layer_case("Softmax() implicit dim 3-D", "Softmax", steps=[("train", (2, 3, 2))], seed=37),
    layer_case("LogSoftmax(dim=-1)", "LogSoftmax", (), {"dim": -1}, steps=[("train", (3, 5))], seed=38),
    layer_case("MaxPool2d(2)", "MaxPool2d", (2,), steps=[("train", (2, 2, 4, 4))], seed=40),
    layer_case("MaxPool2d(3, stride=2, padding=1)", "MaxPool2d", (3,), {"stride": 2, "padding": 1}, steps=[("train", (1, 2, 5, 5))], seed=41),
    layer_case("MaxPool2d((2, 3), (1, 2), ceil_mode)", "MaxPool2d", ((2, 3), (1, 2)), {"dilation": (1, 1), "ceil_mode": True}, steps=[("train", (1, 1, 5, 6))], seed=42),
    layer_case("MaxPool2d(2, dilation=2) unbatched", "MaxPool2d", (2,), {"dilation": 2}, steps=[("train", (2, 5, 5))], seed=43),
    layer_case("AvgPool2d(2)", "AvgPool2d", (2,), steps=[("train", (2, 2, 4, 4))], seed=44),
    layer_case("AvgPool2d(3, 2, 1, count_include_pad=False)", "AvgPool2d", (3, 2, 1), {"count_include_pad": False}, steps=[("train", (1, 2, 5, 5))], seed=45),
    layer_case("AvgPool2d(2, ceil_mode, divisor_override=3)", "AvgPool2d", (2,), {"ceil_mode": True, "divisor_override": 3}, steps=[("train", (1, 1, 5, 5))], seed=46),
    layer_case("AdaptiveAvgPool2d((1, 1))", "AdaptiveAvgPool2d", ((1, 1),), steps=[("train", (2, 3, 5, 4))], seed=47),
    layer_case("AdaptiveAvgPool2d(3)", "AdaptiveAvgPool2d", (3,), steps=[("train", (1, 2, 7, 5))], seed=48),
    layer_case("AdaptiveAvgPool2d((None, 2))", "AdaptiveAvgPool2d", ((None, 2),), steps=[("train", (1, 2, 3, 5))], seed=49),
    layer_case("Dropout(0.3) train eval", "Dropout", (0.3,), steps=[("train", (4, 6)), ("eval", (2, 3))], seed=50),
    layer_case("Dropout() train", "Dropout", steps=[("train", (3, 5)), ("train", (2, 8))], seed=51),
    layer_case("Dropout(p=1.0)", "Dropout", (), {"p": 1.0}, steps=[("train", (2, 3))], seed=52),
    layer_case("Flatten()", "Flatten", steps=[("train", (2, 3, 2, 2))], seed=60),
    layer_case("Flatten(0, 1)", "Flatten", (0, 1), steps=[("train", (2, 3, 2))], seed=61),
    layer_case("Identity(54, unused=1)", "Identity", (54,), {"unused": 1}, steps=[("train", (2, 2))], seed=62),
]


def sequential_case(seed=70):
    """Init order across a container: each layer draws in turn."""
    gen = torch.Generator().manual_seed(1000 + seed)
    torch.manual_seed(seed)
    m = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Flatten(), nn.Linear(16, 5), nn.Dropout(0.2), nn.LogSoftmax(dim=1))
    steps = []
    for i, mode in enumerate(["train", "eval"]):
        m.train(mode == "train")
        x = torch.randn(3, 2, 4, 4, generator=gen)
        xr = x.clone().requires_grad_()
        torch.manual_seed(100 + i)
        out = m(xr)
        g = torch.randn(*out.shape, generator=gen)
        m.zero_grad()
        (out * g).sum().backward()
        steps.append({"mode": mode, "seed": 100 + i, "input": enc(x), "g": enc(g), "output": enc(out), "input_grad": enc(xr.grad),
                      "grads": {k: enc(v.grad) for k, v in m.named_parameters()},
                      "buffers": {k: enc(v) for k, v in m.named_buffers()}})
    return {"name": "Sequential(conv, bn, relu, pool, flatten, linear, dropout, logsoftmax)", "seed": seed, "repr": repr(m),
            "params": {k: enc(v) for k, v in m.named_parameters()}, "steps": steps}


dump("nn-layers.json", {"torch_version": torch.__version__, "layers": layers, "sequential": sequential_case()})

# ---- losses ------------------------------------------------------------------------------

def loss_case(name, cls, fn, make_input, make_target, kwargs=None, args=()):
    kwargs = kwargs or {}
    x = make_input()
    t = make_target()
    xr = x.clone().requires_grad_()
    loss_mod = getattr(nn, cls)(*args, **kwargs)
    out = loss_mod(xr, t)
    out.backward(torch.ones_like(out) if out.dim() else None)
    # The F.* form takes the same keyword arguments.
    fout = getattr(F, fn)(x, t, *args, **kwargs)
    assert torch.equal(fout, out.detach())
    return {"name": name, "cls": cls, "fn": fn, "args": enc_arg(list(args)), "kwargs": enc_arg(kwargs),
            "repr": repr(loss_mod), "input": enc(x), "input_is_prob": False, "target": enc(t),
            "output": enc(out), "input_grad": enc(xr.grad),
            "state_dict_keys": list(loss_mod.state_dict().keys())}


def fmt(kw):
    return ", ".join(f"{k}={'<tensor>' if isinstance(v, torch.Tensor) else repr(v)}" for k, v in kw.items()) or "defaults"


g = torch.Generator().manual_seed(7)
rn = lambda *s: torch.randn(*s, generator=g)
ri = lambda hi, *s: torch.randint(0, hi, s, generator=g)
probs = lambda *s: torch.softmax(torch.randn(*s, generator=g), dim=1)
sig = lambda *s: torch.sigmoid(torch.randn(*s, generator=g))
bits = lambda *s: torch.randint(0, 2, s, generator=g).float()

w5 = torch.rand(5, generator=g) + 0.5
losses = []
x45, t4 = rn(4, 5), torch.tensor([1, 0, 4, 1])
for kw in [{}, {"reduction": "sum"}, {"reduction": "none"}, {"weight": w5}, {"ignore_index": 1}, {"ignore_index": 1, "reduction": "none"},
           {"label_smoothing": 0.1}, {"label_smoothing": 0.2, "weight": w5}, {"weight": w5, "ignore_index": 0, "label_smoothing": 0.05}]:
    losses.append(loss_case(f"CrossEntropyLoss {fmt(kw)}", "CrossEntropyLoss", "cross_entropy", lambda: x45, lambda: t4, kw))
p45 = probs(4, 5)
for kw in [{}, {"reduction": "sum"}, {"label_smoothing": 0.1}, {"weight": w5, "reduction": "none"}, {"weight": w5, "label_smoothing": 0.3}]:
    losses.append(loss_case(f"CrossEntropyLoss prob target {fmt(kw)}", "CrossEntropyLoss", "cross_entropy", lambda: x45, lambda: p45, kw))
x234, t24 = rn(2, 3, 4), ri(3, 2, 4)
losses.append(loss_case("CrossEntropyLoss K-dim", "CrossEntropyLoss", "cross_entropy", lambda: x234, lambda: t24))
losses.append(loss_case("CrossEntropyLoss K-dim none", "CrossEntropyLoss", "cross_entropy", lambda: x234, lambda: t24, {"reduction": "none"}))
losses.append(loss_case("CrossEntropyLoss unbatched", "CrossEntropyLoss", "cross_entropy", lambda: rn(5), lambda: torch.tensor(3)))
losses.append(loss_case("CrossEntropyLoss weight positional", "CrossEntropyLoss", "cross_entropy", lambda: x45, lambda: t4, args=(w5,)))
lp = torch.log_softmax(rn(4, 5), dim=1)
for kw in [{}, {"reduction": "sum"}, {"reduction": "none"}, {"weight": w5}, {"ignore_index": 1}, {"weight": w5, "ignore_index": 4, "reduction": "none"}]:
    losses.append(loss_case(f"NLLLoss {fmt(kw)}", "NLLLoss", "nll_loss", lambda: lp, lambda: t4, kw))
a34, b34 = rn(3, 4), rn(3, 4)
for cls, fn in [("MSELoss", "mse_loss"), ("L1Loss", "l1_loss")]:
    for kw in [{}, {"reduction": "sum"}, {"reduction": "none"}]:
        losses.append(loss_case(f"{cls} {fmt(kw)}", cls, fn, lambda: a34, lambda: b34, kw))
    losses.append(loss_case(f"{cls} broadcast target", cls, fn, lambda: a34, lambda: rn(4)))
s43, y43, w3 = sig(4, 3), bits(4, 3), torch.rand(3, generator=g) + 0.5
for kw in [{}, {"reduction": "sum"}, {"reduction": "none"}, {"weight": w3}, {"weight": w3, "reduction": "none"}]:
    losses.append(loss_case(f"BCELoss {fmt(kw)}", "BCELoss", "binary_cross_entropy", lambda: s43, lambda: y43, kw))
l43 = rn(4, 3) * 3
for kw in [{}, {"reduction": "sum"}, {"reduction": "none"}, {"pos_weight": w3}, {"weight": w3}, {"weight": w3, "pos_weight": w3 * 2, "reduction": "none"}]:
    losses.append(loss_case(f"BCEWithLogitsLoss {fmt(kw)}", "BCEWithLogitsLoss", "binary_cross_entropy_with_logits", lambda: l43, lambda: y43, kw))
losses.append(loss_case("BCEWithLogitsLoss soft targets", "BCEWithLogitsLoss", "binary_cross_entropy_with_logits", lambda: l43, lambda: sig(4, 3)))

dump("nn-losses.json", {"torch_version": torch.__version__, "losses": losses})

# ---- init ------------------------------------------------------------------------------------

def init_case(name, fn, shape, args=(), kwargs=None, seed=0):
    kwargs = kwargs or {}
    torch.manual_seed(seed)
    t = torch.empty(*shape)
    getattr(nn.init, fn)(t, *args, **kwargs)
    return {"name": name, "fn": fn, "shape": list(shape), "args": list(args), "kwargs": kwargs, "seed": seed, "output": enc(t)}


inits = [
    init_case("uniform_", "uniform_", (3, 4), seed=1),
    init_case("uniform_(-2, 5)", "uniform_", (7,), (-2, 5), seed=2),
    init_case("uniform_(a=-0.1, b=0.1)", "uniform_", (2, 3), (), {"a": -0.1, "b": 0.1}, seed=3),
    init_case("normal_", "normal_", (3, 4), seed=4),
    init_case("normal_(0, 0.01)", "normal_", (5, 2), (0, 0.01), seed=5),
    init_case("normal_(mean=1, std=3)", "normal_", (4,), (), {"mean": 1, "std": 3}, seed=6),
    init_case("constant_(0.3)", "constant_", (2, 2), (0.3,)),
    init_case("zeros_", "zeros_", (2, 3)),
    init_case("ones_", "ones_", (3,)),
    init_case("xavier_uniform_", "xavier_uniform_", (5, 7), seed=7),
    init_case("xavier_uniform_ gain relu conv", "xavier_uniform_", (4, 3, 3, 3), (), {"gain": nn.init.calculate_gain("relu")}, seed=8),
    init_case("xavier_normal_", "xavier_normal_", (6, 3), seed=9),
    init_case("xavier_normal_(gain=2)", "xavier_normal_", (3, 2, 2, 2), (2.0,), seed=10),
    init_case("kaiming_uniform_", "kaiming_uniform_", (8, 5), seed=11),
    init_case("kaiming_uniform_ a=sqrt(5)", "kaiming_uniform_", (6, 4, 3, 3), (), {"a": math.sqrt(5)}, seed=12),
    init_case("kaiming_uniform_ fan_out relu", "kaiming_uniform_", (6, 4), (), {"mode": "fan_out", "nonlinearity": "relu"}, seed=13),
    init_case("kaiming_normal_", "kaiming_normal_", (8, 5), seed=14),
    init_case("kaiming_normal_ fan_out relu (resnet)", "kaiming_normal_", (16, 8, 3, 3), (), {"mode": "fan_out", "nonlinearity": "relu"}, seed=15),
    init_case("kaiming_normal_ positional a mode", "kaiming_normal_", (5, 5), (0.2, "fan_in", "leaky_relu"), seed=16),
]
gains = [[nl, p, nn.init.calculate_gain(nl, p)] for nl, p in
         [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
          ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None), ("conv_transpose2d", None)]]
fans = [[list(s), list(nn.init._calculate_fan_in_and_fan_out(torch.empty(*s)))] for s in [(3, 4), (8, 3, 5, 5), (2, 6, 1), (4, 2, 3, 3, 3)]]
dump("nn-init.json", {"torch_version": torch.__version__, "inits": inits, "gains": gains, "fans": fans})

# ---- module structure and errors ---------------------------------------------------------------


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)) + x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True),
                                  nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
        self.blocks = nn.ModuleList([Block(8), Block(8)])
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.heads = nn.ModuleDict({"cls": nn.Linear(8, 4), "aux": nn.Sequential(OrderedDict([("drop", nn.Dropout(0.25)), ("fc", nn.Linear(8, 2))]))})
        self.register_buffer("scale", torch.ones(1))
        self.register_buffer("cache", torch.zeros(2), persistent=False)
        self.temperature = nn.Parameter(torch.tensor([1.5]))
        self.act = nn.GELU()
        self.soft = nn.Softmax(dim=1)

    def forward(self, x):
        x = self.stem(x)
        for b in self.blocks:
            x = b(x)
        x = torch.flatten(self.pool(x), 1)
        return self.soft(self.heads["cls"](x) / self.temperature) * self.scale, self.heads["aux"](self.act(x))


torch.manual_seed(3)
net = Net()
sd = net.state_dict()
sd_initial = {k: enc(v) for k, v in sd.items()}  # sd shares storage: the step below changes the running stats
gen = torch.Generator().manual_seed(5)
x = torch.randn(2, 3, 16, 16, generator=gen)
net.train()
out_cls, out_aux = net(x)
(out_cls.sum() + out_aux.sum()).backward()
structure = {
    "seed": 3,
    "repr": repr(net),
    "state_dict_keys": list(sd.keys()),
    "state_dict": sd_initial,
    "metadata": {k: v for k, v in sd._metadata.items()},
    "named_parameters": [k for k, _ in net.named_parameters()],
    "named_buffers": [k for k, _ in net.named_buffers()],
    "named_modules": [k for k, _ in net.named_modules()],
    "named_children": [k for k, _ in net.named_children()],
    "parameters_recurse_false": [k for k, _ in net.named_parameters(recurse=False)],
    "num_parameters": sum(p.numel() for p in net.parameters()),
    "input": enc(x),
    "train_output": [enc(out_cls), enc(out_aux)],
    "grads": {k: enc(p.grad) for k, p in net.named_parameters()},
    "buffers_after_train": {k: enc(b) for k, b in net.named_buffers()},
}
net.eval()
with torch.no_grad():
    structure["eval_output"] = [enc(t) for t in net(x)]

# resnet18.fc replaced: position kept
torch.manual_seed(0)
seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
seq[0] = nn.Linear(2, 3, bias=False)
del seq[1]
structure["replaced_keys"] = list(seq.state_dict().keys())
structure["replaced_repr"] = repr(seq)


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        # str(KeyError(m)) is repr(m): the message itself is args[0]
        return {"type": type(e).__name__, "message": e.args[0] if isinstance(e, KeyError) else str(e)}
    raise AssertionError("no error")


def load(sd_edit, strict=True):
    torch.manual_seed(0)
    m = Net()
    d = m.state_dict()
    sd_edit(d)
    return m.load_state_dict(d, strict=strict)


def edit_missing(d):
    del d["heads.cls.bias"]
    del d["stem.1.running_var"]


def edit_unexpected(d):
    d["heads.cls.extra"] = torch.zeros(1)
    d["nothing"] = torch.zeros(1)


def edit_both(d):
    edit_missing(d)
    edit_unexpected(d)


def edit_size(d):
    d["heads.cls.weight"] = torch.zeros(4, 9)
    d["stem.0.bias"] = torch.zeros(3)


def edit_nbt(d):
    del d["stem.1.num_batches_tracked"]


def edit_nbt_nometa(d):
    del d["stem.1.num_batches_tracked"]
    del d._metadata


nonstrict = load(edit_both, strict=False)
nbt_nometa = load(edit_nbt_nometa)
errors = {
    "linear_shape": err(lambda: nn.Linear(3, 2)(torch.randn(4, 5))),
    "linear_1d_shape": err(lambda: nn.Linear(3, 2)(torch.randn(4))),
    "conv_channels": err(lambda: nn.Conv2d(3, 4, 3)(torch.randn(1, 2, 5, 5))),
    "conv_dims": err(lambda: nn.Conv2d(3, 4, 3)(torch.randn(3, 5))),
    "conv_kernel_too_big": err(lambda: nn.Conv2d(3, 4, 5)(torch.randn(1, 3, 3, 3))),
    "conv_groups": err(lambda: nn.Conv2d(3, 4, 3, groups=2)),
    "conv_same_strided": err(lambda: nn.Conv2d(3, 4, 3, stride=2, padding="same")),
    "conv_groups_zero": err(lambda: nn.Conv2d(3, 3, 3, groups=0)),
    "bn2d_dim": err(lambda: nn.BatchNorm2d(3)(torch.randn(2, 3))),
    "bn1d_dim": err(lambda: nn.BatchNorm1d(3)(torch.randn(2, 3, 4, 4))),
    "bn_one_value": err(lambda: nn.BatchNorm1d(3)(torch.randn(1, 3))),
    "bn_channels": err(lambda: nn.BatchNorm2d(3)(torch.randn(2, 4, 2, 2))),
    "load_missing": err(lambda: load(edit_missing)),
    "load_unexpected": err(lambda: load(edit_unexpected)),
    "load_both": err(lambda: load(edit_both)),
    "load_size": err(lambda: load(edit_size)),
    "load_size_nonstrict": err(lambda: load(edit_size, strict=False)),
    "load_nbt_missing": err(lambda: load(edit_nbt)),
    "ce_int32_target": err(lambda: F.cross_entropy(torch.randn(3, 5), torch.tensor([1, 2, 3], dtype=torch.int32))),
    "ce_batch_mismatch": err(lambda: nn.CrossEntropyLoss()(torch.randn(3, 5), torch.tensor([1, 2, 3, 4]))),
    "ce_out_of_bounds": err(lambda: nn.CrossEntropyLoss()(torch.randn(3, 5), torch.tensor([1, 7, 3]))),
    "ce_prob_shape": err(lambda: nn.CrossEntropyLoss()(torch.randn(3, 5), torch.rand(3, 4))),
    "ce_float_1d_target": err(lambda: nn.CrossEntropyLoss()(torch.randn(3, 5), torch.tensor([1.0, 2.0, 3.0]))),
    "nll_float_target": err(lambda: nn.NLLLoss()(torch.randn(3, 5), torch.tensor([1.0, 2.0, 0.0]))),
    "nll_3d_target_shape": err(lambda: nn.NLLLoss()(torch.randn(2, 3, 4), torch.tensor([[1, 2, 0]]))),
    "mse_broadcast": err(lambda: nn.MSELoss()(torch.randn(3), torch.randn(4))),
    "bce_size": err(lambda: nn.BCELoss()(torch.rand(3, 2), torch.rand(3))),
    "bce_logits_size": err(lambda: nn.BCEWithLogitsLoss()(torch.randn(3, 2), torch.rand(2, 3))),
    "bce_long_target": err(lambda: nn.BCELoss()(torch.rand(3), torch.tensor([1, 0, 1]))),
    "reduction_invalid": err(lambda: nn.MSELoss(reduction="avg")(torch.randn(3), torch.randn(3))),
    "dropout_p": err(lambda: nn.Dropout(1.5)),
    "f_dropout_p": err(lambda: F.dropout(torch.randn(2), -0.5)),
    "assign_tensor_to_param": err(lambda: setattr(nn.Linear(2, 2), "weight", torch.zeros(2, 2))),
    "assign_int_to_module": err(lambda: setattr(nn.Sequential(nn.ReLU()), "0", 3)),
    "to_int_dtype": err(lambda: nn.Linear(2, 2).to(torch.int64)),
    "seq_index": err(lambda: nn.Sequential(nn.ReLU(), nn.ReLU())[5]),
    "modulelist_index": err(lambda: nn.ModuleList([nn.ReLU()])[-2]),
    "no_forward": err(lambda: nn.Module()(torch.zeros(1))),
    "softmax_dim": err(lambda: nn.Softmax(dim=2)(torch.randn(2, 3))),
    "maxpool_too_small": err(lambda: nn.MaxPool2d(3)(torch.randn(1, 3, 2, 2))),
    "adaptive_dims": err(lambda: F.adaptive_avg_pool2d(torch.randn(3), (2, 2))),
    "register_buffer_dot": err(lambda: nn.Module().register_buffer("a.b", torch.zeros(1))),
    "register_parameter_exists": err(lambda: nn.Linear(2, 2).register_parameter("train", None)),
    "add_module_not_module": err(lambda: nn.Module().add_module("x", 3)),
    "int_parameter": err(lambda: nn.Parameter(torch.tensor([1, 2]))),
    "fan_1d": err(lambda: nn.init.xavier_uniform_(torch.empty(3))),
    "kaiming_mode": err(lambda: nn.init.kaiming_uniform_(torch.empty(3, 3), mode="fan")),
    "gain_unsupported": err(lambda: nn.init.calculate_gain("softmax")),
}
dump("nn-module.json", {
    "torch_version": torch.__version__,
    "structure": structure,
    "errors": errors,
    "nonstrict": {"missing_keys": nonstrict.missing_keys, "unexpected_keys": nonstrict.unexpected_keys, "repr": repr(nonstrict)},
    "nbt_nometa": repr(nbt_nometa),
    "reprs": {
        "all_matched": repr(nn.Linear(2, 2).load_state_dict(nn.Linear(2, 2).state_dict())),
        "Conv2d": repr(nn.Conv2d(3, 8, (3, 5), stride=(2, 1), padding=(1, 2), dilation=2, groups=1, bias=False, padding_mode="reflect")),
        "Conv2d_same": repr(nn.Conv2d(4, 8, 3, padding="same", groups=4)),
        "MaxPool2d": repr(nn.MaxPool2d((3, 3), stride=None, padding=1, ceil_mode=True)),
        "AvgPool2d": repr(nn.AvgPool2d(3, stride=(2, 1))),
        "BatchNorm1d": repr(nn.BatchNorm1d(10, eps=1e-3, momentum=None, affine=False, track_running_stats=False)),
        "Dropout": repr(nn.Dropout(p=0.1, inplace=True)),
        "Softmax": repr(nn.Softmax()),
        "Empty Sequential": repr(nn.Sequential()),
        "ModuleList empty": repr(nn.ModuleList()),
        "CrossEntropyLoss": repr(nn.CrossEntropyLoss(label_smoothing=0.1)),
        "BCEWithLogitsLoss": repr(nn.BCEWithLogitsLoss(pos_weight=torch.ones(3))),
        "Flatten": repr(nn.Flatten(0)),
        "Identity": repr(nn.Identity()),
        "GELU": repr(nn.GELU("tanh")),
        "Parameter": repr(nn.Parameter(torch.tensor([1.0, -2.0]))),
        "Parameter no grad": repr(nn.Parameter(torch.tensor([[1.5]]), requires_grad=False)),
    },
})
