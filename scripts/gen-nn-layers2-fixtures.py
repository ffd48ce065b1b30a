#!/usr/bin/python3
"""Writes test/fixtures/nn-layers2.json: PyTorch 1.13's values for the nn layers added in issue 10
(norms, conv/transposed conv, activations, losses, pooling, padding/upsampling, dropouts, misc).

Run with Debian's interpreter:  /usr/bin/python3 scripts/gen-nn-layers2-fixtures.py

Each case: the constructor (class, args, kwargs; the JS test builds `new nn[cls](...args, kwargs)`),
parameters and buffers right after torch.manual_seed(seed) (bit-exact), repr, state_dict keys,
then steps (train/eval): the forward inputs (tensors, and plain arguments), the output(s), and the
gradients of sum(out * g) with respect to the float inputs and the parameters, and the buffers after.
Also `errors`: constructor calls that PyTorch rejects, with the exception type and message.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from nn_record import FIXTURES as OUT, enc, enc_arg


def R(*shape):
    """An input drawn from the case's generator at step time."""
    return ("randn", shape)


def N(t):
    """An input that gets no gradient (an op without a derivative)."""
    return ("nograd", t)


def case(name, cls, args=(), kwargs=None, steps=(("train", [R(2, 3)]),), seed=0, fwd_kwargs=None):
    """steps: (mode, inputs) with inputs a list of R(shape) (float, gets a gradient), tensors (as given,
    float ones get a gradient unless they are integer) or plain values (passed through)."""
    kwargs = kwargs or {}
    gen = torch.Generator().manual_seed(1000 + seed)
    torch.manual_seed(seed)
    m = getattr(nn, cls)(*args, **kwargs)
    c = {"name": name, "cls": cls, "args": enc_arg(list(args)), "kwargs": enc_arg(kwargs), "seed": seed, "repr": repr(m),
         "params": {k: enc(v) for k, v in m.named_parameters()},
         "buffers": {k: enc(v) for k, v in m.named_buffers()},
         "state_dict_keys": list(m.state_dict().keys()), "steps": []}
    for i, (mode, inputs) in enumerate(steps):
        m.train(mode == "train")
        xs, encs, grads = [], [], []
        for v in inputs:
            if isinstance(v, tuple) and v and v[0] == "randn":
                v = torch.randn(*v[1], generator=gen)
            nograd = isinstance(v, tuple) and v and v[0] == "nograd"
            if nograd:
                v = v[1]
            if isinstance(v, torch.Tensor):
                g = v.dtype.is_floating_point and not nograd
                xr = v.clone().requires_grad_(g)
                xs.append(xr)
                encs.append({"__tensor__": enc(v), "grad": g})
                grads.append(xr if g else None)
            else:
                xs.append(v)
                encs.append({"value": enc_arg(v)})
                grads.append(None)
        step_seed = 100 + i
        torch.manual_seed(step_seed)
        out = m(*xs, **(fwd_kwargs or {}))
        outs = list(out) if isinstance(out, tuple) else [out]
        g = torch.randn(tuple(outs[0].shape), generator=gen, dtype=outs[0].dtype if outs[0].dtype.is_floating_point else torch.float32)
        m.zero_grad(set_to_none=False)  # 1.13's default, explicit: 2.x's is set_to_none=True
        if outs[0].requires_grad:
            (outs[0] * g).sum().backward()
        c["steps"].append({
            "mode": mode, "seed": step_seed, "inputs": encs, "g": enc(g), "outputs": [enc(o) for o in outs],
            "input_grads": [enc(x.grad) if x is not None and x.grad is not None else None for x in grads],
            "grads": {k: enc(v.grad) for k, v in m.named_parameters() if v.grad is not None},
            "buffers": {k: enc(v) for k, v in m.named_buffers()},
        })
    if fwd_kwargs:
        c["fwd_kwargs"] = enc_arg(fwd_kwargs)
    return c


T, E = "train", "eval"
gen0 = torch.Generator().manual_seed(7)


def rint(lo, hi, *shape):
    return torch.randint(lo, hi, shape, generator=gen0)


def rsign(*shape):
    return N(torch.randint(0, 2, shape, generator=gen0).float() * 2 - 1)


cases = [
    # ---- norms
    case("BatchNorm3d(3)", "BatchNorm3d", (3,), steps=[(T, [R(2, 3, 2, 2, 2)]), (E, [R(1, 3, 2, 2, 2)])], seed=1),
    case("InstanceNorm1d(3)", "InstanceNorm1d", (3,), steps=[(T, [R(2, 3, 5)]), (E, [R(3, 5)])], seed=2),
    case("InstanceNorm2d(3, affine, track)", "InstanceNorm2d", (3,), {"affine": True, "track_running_stats": True},
         steps=[(T, [R(2, 3, 4, 4)]), (T, [R(2, 3, 3, 3)]), (E, [R(1, 3, 4, 4)])], seed=3),
    case("InstanceNorm3d(2, momentum=0.3, track)", "InstanceNorm3d", (2,), {"momentum": 0.3, "track_running_stats": True},
         steps=[(T, [R(2, 2, 3, 3, 3)]), (E, [R(2, 3, 3, 3)])], seed=4),
    case("LayerNorm(4)", "LayerNorm", (4,), steps=[(T, [R(3, 4)])], seed=5),
    case("LayerNorm((3, 4), eps=1e-3)", "LayerNorm", ((3, 4),), {"eps": 1e-3}, steps=[(T, [R(2, 3, 4)])], seed=6),
    case("LayerNorm(5, elementwise_affine=False)", "LayerNorm", (5,), {"elementwise_affine": False}, steps=[(T, [R(2, 5)])], seed=7),
    case("GroupNorm(2, 4)", "GroupNorm", (2, 4), steps=[(T, [R(3, 4, 3, 3)])], seed=8),
    case("GroupNorm(3, 6, affine=False)", "GroupNorm", (3, 6), {"affine": False}, steps=[(T, [R(2, 6, 5)])], seed=9),
    case("LocalResponseNorm(3)", "LocalResponseNorm", (3,), steps=[(T, [R(2, 5, 3, 3)]), (T, [R(2, 4, 6)])], seed=10),
    case("LocalResponseNorm(2, 1e-3, 0.5, 2.0)", "LocalResponseNorm", (2, 1e-3, 0.5, 2.0), steps=[(T, [R(1, 4, 2, 2, 2)])], seed=11),
    case("CrossMapLRN2d(3)", "CrossMapLRN2d", (3,), steps=[(E, [R(2, 6, 3, 3)])], seed=12),
    case("CrossMapLRN2d(5, 1e-2, 0.75, 2)", "CrossMapLRN2d", (5, 1e-2, 0.75, 2), steps=[(E, [R(1, 4, 2, 2)])], seed=13),
    # ---- convolutions
    case("Conv1d(3, 4, 3)", "Conv1d", (3, 4, 3), steps=[(T, [R(2, 3, 7)])], seed=20),
    case("Conv1d(4, 2, 2, stride=2, padding=1, dilation=2, groups=2, bias=False)", "Conv1d", (4, 2, 2),
         {"stride": 2, "padding": 1, "dilation": 2, "groups": 2, "bias": False}, steps=[(T, [R(1, 4, 9)])], seed=21),
    case("Conv1d same reflect", "Conv1d", (2, 3, 4), {"padding": "same", "padding_mode": "reflect"}, steps=[(T, [R(2, 2, 6)])], seed=22),
    case("Conv1d circular", "Conv1d", (2, 2, 3), {"padding": 2, "padding_mode": "circular"}, steps=[(T, [R(1, 2, 5)])], seed=23),
    case("Conv3d(2, 3, 2)", "Conv3d", (2, 3, 2), steps=[(T, [R(1, 2, 3, 4, 4)])], seed=24),
    case("Conv3d(2, 2, (1, 2, 3), padding=(0, 1, 1), replicate)", "Conv3d", (2, 2, (1, 2, 3)), {"padding": (0, 1, 1), "padding_mode": "replicate"},
         steps=[(T, [R(1, 2, 2, 3, 3)])], seed=25),
    case("Conv3d valid", "Conv3d", (1, 2, 3), {"padding": "valid", "bias": False}, steps=[(T, [R(1, 1, 3, 3, 4)])], seed=26),
    case("ConvTranspose1d(3, 2, 3, stride=2)", "ConvTranspose1d", (3, 2, 3), {"stride": 2}, steps=[(T, [R(2, 3, 4)])], seed=27),
    case("ConvTranspose2d(2, 4, 3, stride=2, padding=1, output_padding=1, groups=2)", "ConvTranspose2d", (2, 4, 3),
         {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2}, steps=[(T, [R(1, 2, 3, 3)])], seed=28),
    case("ConvTranspose2d dilation no bias", "ConvTranspose2d", (2, 3, 2), {"dilation": 2, "bias": False}, steps=[(T, [R(2, 3, 3)])], seed=29),
    case("ConvTranspose2d output_size", "ConvTranspose2d", (2, 2, 3), {"stride": 2}, steps=[(T, [R(1, 2, 4, 4), [10, 10]])], seed=30),
    case("ConvTranspose3d(2, 2, 2, stride=(1, 2, 2))", "ConvTranspose3d", (2, 2, 2), {"stride": (1, 2, 2)}, steps=[(T, [R(1, 2, 2, 3, 3)])], seed=31),
    # ---- activations
    *[case(f"{cls}{args}{kw or ''}", cls, args, kw, steps=[(T, [R(4, 4)])], seed=40 + i) for i, (cls, args, kw) in enumerate([
        ("ELU", (), None), ("ELU", (0.5,), None), ("CELU", (), {"alpha": 2.0}), ("SELU", (), None), ("GLU", (), None),
        ("GLU", (-2,), None), ("Hardshrink", (), None), ("Hardshrink", (0.3,), None), ("Hardsigmoid", (), None), ("Hardswish", (), None),
        ("Hardtanh", (), None), ("Hardtanh", (-0.5, 0.25), None), ("LeakyReLU", (), None), ("LeakyReLU", (0.2,), None),
        ("LogSigmoid", (), None), ("ReLU6", (), None), ("SiLU", (), None), ("Mish", (), None), ("Softplus", (), None),
        ("Softplus", (2, 1), None), ("Softshrink", (), None), ("Softsign", (), None), ("Tanhshrink", (), None),
        ("Threshold", (0.1, 20), None), ("Softmin", (), {"dim": 1}), ("Softmin", (0,), None), ("RReLU", (), None), ("PReLU", (), None),
        ("PReLU", (4,), {"init": 0.1}),
    ])],
    case("RReLU() eval", "RReLU", (0.1, 0.3), steps=[(E, [R(3, 4)])], seed=80),
    case("Softmax2d()", "Softmax2d", steps=[(T, [R(2, 3, 2, 2)]), (T, [R(3, 2, 2)])], seed=81),
    case("Threshold(0.5, -1.5, inplace) eval", "Threshold", (0.5, -1.5), steps=[(E, [R(3, 4)])], seed=82),
    # ---- pooling
    case("MaxPool1d(2)", "MaxPool1d", (2,), steps=[(T, [R(2, 3, 8)])], seed=90),
    case("MaxPool1d(3, 2, 1, return_indices)", "MaxPool1d", (3, 2, 1), {"return_indices": True}, steps=[(T, [R(1, 2, 7)])], seed=91),
    case("MaxPool3d(2)", "MaxPool3d", (2,), steps=[(T, [R(1, 2, 4, 4, 4)])], seed=92),
    case("MaxPool3d((1, 2, 2), ceil_mode)", "MaxPool3d", ((1, 2, 2),), {"ceil_mode": True, "stride": (1, 2, 2)}, steps=[(T, [R(1, 1, 2, 5, 5)])], seed=93),
    case("AvgPool1d(3)", "AvgPool1d", (3,), steps=[(T, [R(2, 2, 9)])], seed=94),
    case("AvgPool1d(3, 2, 1, count_include_pad=False)", "AvgPool1d", (3, 2, 1), {"count_include_pad": False}, steps=[(T, [R(1, 2, 8)])], seed=95),
    case("AvgPool3d(2)", "AvgPool3d", (2,), steps=[(T, [R(1, 2, 4, 4, 4)])], seed=96),
    case("AvgPool3d(2, divisor_override=3)", "AvgPool3d", (2,), {"divisor_override": 3}, steps=[(T, [R(1, 1, 2, 4, 4)])], seed=97),
    case("LPPool1d(2, 3)", "LPPool1d", (2, 3), steps=[(T, [R(2, 2, 9)])], seed=98),
    case("LPPool2d(1.5, 2, stride=1)", "LPPool2d", (1.5, 2), {"stride": 1}, steps=[(T, [torch.rand(1, 2, 4, 4, generator=gen0)])], seed=99),
    case("AdaptiveMaxPool1d(3)", "AdaptiveMaxPool1d", (3,), steps=[(T, [R(2, 2, 8)])], seed=100),
    case("AdaptiveMaxPool2d((2, 3), return_indices)", "AdaptiveMaxPool2d", ((2, 3),), {"return_indices": True}, steps=[(T, [R(1, 2, 5, 7)])], seed=101),
    case("AdaptiveMaxPool3d(2)", "AdaptiveMaxPool3d", (2,), steps=[(T, [R(1, 2, 4, 5, 3)])], seed=102),
    case("AdaptiveAvgPool1d(4)", "AdaptiveAvgPool1d", (4,), steps=[(T, [R(2, 3, 9)])], seed=103),
    case("AdaptiveAvgPool3d((1, 2, 2))", "AdaptiveAvgPool3d", ((1, 2, 2),), steps=[(T, [R(1, 2, 3, 4, 5)])], seed=104),
    case("MaxUnpool1d(2)", "MaxUnpool1d", (2,), steps=[(T, [R(1, 2, 4), torch.tensor([[[1, 2, 5, 6], [0, 3, 4, 7]]])])], seed=105),
    case("MaxUnpool2d(2) output_size", "MaxUnpool2d", (2,), steps=[(T, [R(1, 1, 2, 2), torch.tensor([[[[0, 3], [9, 14]]]]), [5, 5]])], seed=106),
    case("MaxUnpool3d(2)", "MaxUnpool3d", (2,), steps=[(T, [R(1, 1, 1, 1, 2), torch.tensor([[[[[0, 3]]]]])])], seed=107),
    case("FractionalMaxPool2d(2, output_size=3)", "FractionalMaxPool2d", (2,), {"output_size": 3}, steps=[(T, [R(2, 2, 6, 6)]), (E, [R(1, 2, 7, 5)])], seed=108),
    case("FractionalMaxPool2d(3, output_ratio=0.5, return_indices)", "FractionalMaxPool2d", (3,), {"output_ratio": 0.5, "return_indices": True},
         steps=[(T, [R(1, 2, 8, 8)])], seed=109),
    case("FractionalMaxPool3d(2, output_size=(2, 3, 2))", "FractionalMaxPool3d", (2,), {"output_size": (2, 3, 2)}, steps=[(T, [R(1, 2, 5, 6, 5)]), (T, [R(2, 4, 6, 4)])], seed=110),
    # ---- padding, upsampling, shuffles
    case("ConstantPad1d(2, 3.5)", "ConstantPad1d", (2, 3.5), steps=[(T, [R(2, 3, 4)])], seed=120),
    case("ConstantPad2d((1, 0, 2, 1), -1)", "ConstantPad2d", ((1, 0, 2, 1), -1.0), steps=[(T, [R(1, 2, 3, 3)])], seed=121),
    case("ConstantPad3d(1, 0.5)", "ConstantPad3d", (1, 0.5), steps=[(T, [R(1, 1, 2, 2, 2)])], seed=122),
    case("ZeroPad2d((1, 2, 0, 1))", "ZeroPad2d", ((1, 2, 0, 1),), steps=[(T, [R(1, 2, 3, 3)])], seed=123),
    case("ReflectionPad1d(2)", "ReflectionPad1d", (2,), steps=[(T, [R(2, 2, 5)])], seed=124),
    case("ReflectionPad2d((1, 0, 2, 1))", "ReflectionPad2d", ((1, 0, 2, 1),), steps=[(T, [R(1, 2, 4, 4)])], seed=125),
    case("ReflectionPad3d(1)", "ReflectionPad3d", (1,), steps=[(T, [R(1, 1, 3, 3, 3)])], seed=126),
    case("ReplicationPad1d((1, 3))", "ReplicationPad1d", ((1, 3),), steps=[(T, [R(2, 2, 4)])], seed=127),
    case("ReplicationPad2d(2)", "ReplicationPad2d", (2,), steps=[(T, [R(1, 2, 3, 3)])], seed=128),
    case("ReplicationPad3d((1, 0, 0, 1, 1, 0))", "ReplicationPad3d", ((1, 0, 0, 1, 1, 0),), steps=[(T, [R(1, 1, 2, 2, 2)])], seed=129),
    case("Upsample(scale_factor=2)", "Upsample", (), {"scale_factor": 2}, steps=[(T, [R(1, 2, 3, 3)])], seed=130),
    case("Upsample(size=(5, 7), mode='bilinear')", "Upsample", ((5, 7),), {"mode": "bilinear"}, steps=[(T, [R(1, 2, 3, 4)])], seed=131),
    case("Upsample(scale_factor=1.5, mode='linear', align_corners=True)", "Upsample", (), {"scale_factor": 1.5, "mode": "linear", "align_corners": True},
         steps=[(T, [R(2, 2, 4)])], seed=132),
    case("Upsample(size=4, mode='trilinear')", "Upsample", (4,), {"mode": "trilinear"}, steps=[(T, [R(1, 1, 2, 3, 2)])], seed=133),
    case("UpsamplingNearest2d(scale_factor=2)", "UpsamplingNearest2d", (), {"scale_factor": 2}, steps=[(T, [R(1, 1, 2, 3)])], seed=134),
    case("UpsamplingBilinear2d(size=(4, 5))", "UpsamplingBilinear2d", ((4, 5),), steps=[(T, [R(1, 2, 2, 3)])], seed=135),
    case("PixelShuffle(2)", "PixelShuffle", (2,), steps=[(T, [R(1, 8, 2, 3)])], seed=136),
    case("PixelUnshuffle(2)", "PixelUnshuffle", (2,), steps=[(T, [R(1, 2, 4, 6)])], seed=137),
    case("ChannelShuffle(2)", "ChannelShuffle", (2,), steps=[(E, [N(torch.randn(1, 4, 2, 2, generator=gen0))])], seed=138),
    # ---- dropouts and misc
    case("Dropout1d(0.5)", "Dropout1d", (0.5,), steps=[(T, [R(4, 3, 5)]), (T, [R(3, 5)]), (E, [R(2, 3, 2)])], seed=140),
    case("Dropout2d()", "Dropout2d", (), steps=[(T, [R(2, 4, 3, 3)]), (E, [R(1, 2, 2, 2)])], seed=141),
    case("Dropout3d(0.3)", "Dropout3d", (0.3,), steps=[(T, [R(2, 4, 2, 2, 2)])], seed=142),
    case("AlphaDropout(0.2)", "AlphaDropout", (0.2,), steps=[(T, [R(4, 6)]), (E, [R(2, 3)])], seed=143),
    case("FeatureAlphaDropout(0.4)", "FeatureAlphaDropout", (0.4,), steps=[(T, [R(3, 4, 2, 2)])], seed=144),
    case("Bilinear(3, 4, 2)", "Bilinear", (3, 4, 2), steps=[(T, [R(5, 3), R(5, 4)])], seed=145),
    case("Bilinear(2, 2, 3, bias=False)", "Bilinear", (2, 2, 3), {"bias": False}, steps=[(T, [R(4, 2), R(4, 2)])], seed=146),
    case("Unflatten(1, (2, 3))", "Unflatten", (1, (2, 3)), steps=[(T, [R(4, 6)])], seed=147),
    case("CosineSimilarity()", "CosineSimilarity", (), steps=[(T, [R(4, 5), R(4, 5)])], seed=148),
    case("CosineSimilarity(dim=0, eps=1e-4)", "CosineSimilarity", (), {"dim": 0, "eps": 1e-4}, steps=[(T, [R(4, 5), R(4, 5)])], seed=149),
    case("PairwiseDistance()", "PairwiseDistance", (), steps=[(T, [R(4, 5), R(4, 5)])], seed=150),
    case("PairwiseDistance(p=1, keepdim=True)", "PairwiseDistance", (), {"p": 1.0, "keepdim": True}, steps=[(T, [R(4, 5), R(4, 5)])], seed=151),
    case("Fold((4, 5), 2)", "Fold", ((4, 5), 2), steps=[(T, [R(1, 12, 12)])], seed=152),
    case("Unfold(2, padding=1, stride=2)", "Unfold", (2,), {"padding": 1, "stride": 2}, steps=[(T, [R(2, 3, 4, 4)])], seed=153),
    # ---- losses
    case("KLDivLoss(reduction='batchmean')", "KLDivLoss", (), {"reduction": "batchmean"},
         steps=[(T, [torch.randn(3, 4, generator=gen0).log_softmax(1), torch.rand(3, 4, generator=gen0)])], seed=160),
    case("KLDivLoss(log_target=True, reduction='sum')", "KLDivLoss", (), {"log_target": True, "reduction": "sum"},
         steps=[(T, [R(3, 4), torch.randn(3, 4, generator=gen0).log_softmax(1)])], seed=161),
    case("HuberLoss(delta=0.5)", "HuberLoss", (), {"delta": 0.5}, steps=[(T, [R(3, 4), R(3, 4)])], seed=162),
    case("SmoothL1Loss(beta=0.5, reduction='none')", "SmoothL1Loss", (), {"beta": 0.5, "reduction": "none"}, steps=[(T, [R(3, 4), R(3, 4)])], seed=163),
    case("SmoothL1Loss(size_average=False)", "SmoothL1Loss", (False,), steps=[(T, [R(3, 4), R(3, 4)])], seed=164),
    case("SoftMarginLoss()", "SoftMarginLoss", (), steps=[(T, [R(3, 4), rsign(3, 4)])], seed=165),
    case("CosineEmbeddingLoss(0.2)", "CosineEmbeddingLoss", (0.2,), steps=[(T, [R(4, 5), R(4, 5), rsign(4)])], seed=166),
    case("HingeEmbeddingLoss(reduce=False)", "HingeEmbeddingLoss", (), {"reduce": False}, steps=[(T, [R(3, 4), rsign(3, 4)])], seed=167),
    case("MarginRankingLoss(0.1)", "MarginRankingLoss", (0.1,), steps=[(T, [R(5), R(5), rsign(5)])], seed=168),
    case("MultiLabelMarginLoss()", "MultiLabelMarginLoss", (), steps=[(T, [R(2, 4), torch.tensor([[3, 0, -1, 1], [1, 2, 3, -1]])])], seed=169),
    case("MultiLabelSoftMarginLoss(weight)", "MultiLabelSoftMarginLoss", (), {"weight": torch.tensor([1.0, 0.5, 2.0])},
         steps=[(T, [R(4, 3), N(torch.randint(0, 2, (4, 3), generator=gen0).float())])], seed=170),
    case("MultiMarginLoss()", "MultiMarginLoss", (), steps=[(T, [R(4, 5), rint(0, 5, 4)])], seed=171),
    case("MultiMarginLoss(p=2, margin=0.5, weight)", "MultiMarginLoss", (2, 0.5, torch.tensor([1.0, 2.0, 0.5])), steps=[(T, [R(4, 3), rint(0, 3, 4)])], seed=172),
    case("PoissonNLLLoss()", "PoissonNLLLoss", (), steps=[(T, [R(3, 4), N(torch.rand(3, 4, generator=gen0) * 3)])], seed=173),
    case("PoissonNLLLoss(log_input=False, full=True)", "PoissonNLLLoss", (False, True),
         steps=[(T, [torch.rand(3, 4, generator=gen0) + 0.1, N(torch.rand(3, 4, generator=gen0) * 3)])], seed=174),
    case("GaussianNLLLoss()", "GaussianNLLLoss", (), steps=[(T, [R(4, 3), R(4, 3), torch.rand(4, 3, generator=gen0) + 0.1])], seed=175),
    case("GaussianNLLLoss(full=True, reduction='sum') var per row", "GaussianNLLLoss", (), {"full": True, "reduction": "sum"},
         steps=[(T, [R(4, 3), R(4, 3), torch.rand(4, 1, generator=gen0) + 0.1])], seed=176),
    case("TripletMarginLoss()", "TripletMarginLoss", (), steps=[(T, [R(4, 5), R(4, 5), R(4, 5)])], seed=177),
    case("TripletMarginLoss(0.5, 1, swap=True)", "TripletMarginLoss", (0.5, 1.0), {"swap": True}, steps=[(T, [R(4, 5), R(4, 5), R(4, 5)])], seed=178),
    case("TripletMarginWithDistanceLoss(margin=0.3)", "TripletMarginWithDistanceLoss", (), {"margin": 0.3},
         steps=[(T, [R(4, 5), R(4, 5), R(4, 5)])], seed=179),
    case("AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6])", "AdaptiveLogSoftmaxWithLoss", (8, 10, [3, 6]),
         steps=[(T, [R(6, 8), torch.tensor([0, 4, 9, 2, 7, 5])]), (T, [R(8), torch.tensor(8)])], seed=190),
    case("AdaptiveLogSoftmaxWithLoss(6, 7, (2,), div_value=2, head_bias=True)", "AdaptiveLogSoftmaxWithLoss", (6, 7, (2,)),
         {"div_value": 2.0, "head_bias": True}, steps=[(T, [R(4, 6), torch.tensor([1, 1, 0, 1])])], seed=191),
    case("CTCLoss()", "CTCLoss", (), steps=[(T, [torch.randn(6, 2, 5, generator=gen0).log_softmax(2), torch.tensor([[1, 2, 2], [3, 4, 0]]), [6, 5], [3, 2]])], seed=180),
    case("CTCLoss(blank=4, reduction='sum', zero_infinity=True)", "CTCLoss", (), {"blank": 4, "reduction": "sum", "zero_infinity": True},
         steps=[(T, [torch.randn(4, 2, 5, generator=gen0).log_softmax(2), torch.tensor([1, 2, 3, 3, 1, 0, 2]), torch.tensor([4, 3]), torch.tensor([4, 3])])], seed=181),
]


def error_case(cls, args=(), kwargs=None):
    try:
        getattr(nn, cls)(*args, **(kwargs or {}))
    except Exception as e:  # noqa: BLE001
        return {"cls": cls, "args": enc_arg(list(args)), "kwargs": enc_arg(kwargs or {}), "type": type(e).__name__, "message": str(e)}
    raise AssertionError(f"{cls}{args} did not raise")


errors = [
    error_case("Conv1d", (4, 3, 3), {"groups": 2}),
    error_case("Conv3d", (2, 2, 3), {"padding": "same", "stride": 2}),
    error_case("ConvTranspose2d", (2, 2, 3), {"padding_mode": "reflect"}),
    # (padding_mode='mirror' is left out: Python prints a set, in an order that changes with PYTHONHASHSEED)
    error_case("GroupNorm", (3, 4)),
    error_case("MultiMarginLoss", (3,)),
    error_case("FractionalMaxPool2d", (2,)),
    error_case("FractionalMaxPool2d", (2,), {"output_size": 3, "output_ratio": 0.5}),
    error_case("FractionalMaxPool3d", (2,), {"output_ratio": 1.5}),
    error_case("Dropout2d", (1.5,)),
    error_case("AdaptiveLogSoftmaxWithLoss", (8, 10, [6, 3])),
    error_case("AdaptiveLogSoftmaxWithLoss", (8, 10, [3, 10])),
    error_case("AlphaDropout", (-0.1,)),
]



def forward_error(cls, args, kwargs, inputs):
    """A forward that PyTorch rejects: inputs are shapes (randn) or plain values."""
    torch.manual_seed(0)
    m = getattr(nn, cls)(*args, **kwargs)
    xs = [torch.randn(*v) if isinstance(v, tuple) else v for v in inputs]
    try:
        m(*xs)
    except Exception as e:  # noqa: BLE001
        return {"cls": cls, "args": enc_arg(list(args)), "kwargs": enc_arg(kwargs),
                "inputs": [{"shape": list(v)} if isinstance(v, tuple) else {"value": enc_arg(v)} for v in inputs],
                "type": type(e).__name__, "message": str(e)}
    raise AssertionError(f"{cls} forward did not raise")


forward_errors = [
    forward_error("ConvTranspose2d", (2, 2, 3), {"stride": 2}, [(1, 2, 4, 4), [12, 12]]),
    forward_error("ConvTranspose1d", (2, 2, 3), {"stride": 2}, [(1, 2, 4), [9, 9]]),
    forward_error("InstanceNorm1d", (4,), {"affine": True}, [(2, 3, 5)]),
    forward_error("InstanceNorm2d", (3,), {}, [(2, 3)]),
    forward_error("BatchNorm3d", (3,), {}, [(2, 3, 4, 4)]),
    forward_error("InstanceNorm1d", (3,), {}, [(2, 3, 1)]),
    forward_error("Softmax2d", (), {}, [(2, 3)]),
    # (CrossMapLRN2d on 3-D input: Python fails a bare assert, with no message; torch-node names the layer and the rank)
]
# SyncBatchNorm rejects a CPU input in 1.x; since 2.x only when it synchronises (an initialised process group).
if torch.__version__ < "2":
    forward_errors.append(forward_error("SyncBatchNorm", (3,), {}, [(2, 3, 4)]))


def lazy_case(cls, args, kwargs, shape, seed):
    """A lazy module: repr and state_dict keys before; after a forward under manual_seed(seed + 1) (which
    draws the materialised parameters), its class, repr, parameters (bit-exact), buffers and output."""
    gen = torch.Generator().manual_seed(1000 + seed)
    torch.manual_seed(seed)
    m = getattr(nn, cls)(*args, **kwargs)
    c = {"cls": cls, "args": enc_arg(list(args)), "kwargs": enc_arg(kwargs), "seed": seed, "repr_before": repr(m),
         "keys_before": list(m.state_dict().keys()), "params_before": [k for k, _ in m.named_parameters()]}
    x = torch.randn(*shape, generator=gen)
    torch.manual_seed(seed + 1)
    out = m(x)
    c.update({"input": enc(x), "output": enc(out), "cls_after": type(m).__name__, "repr_after": repr(m),
              "params": {k: enc(v) for k, v in m.named_parameters()}, "buffers": {k: enc(v) for k, v in m.named_buffers()}})
    return c


lazy = [
    lazy_case("LazyLinear", (4,), {}, (2, 3), 200),
    lazy_case("LazyLinear", (3,), {"bias": False}, (2, 5, 2), 201),
    lazy_case("LazyConv1d", (4, 3), {}, (2, 2, 6), 202),
    lazy_case("LazyConv2d", (4, 3), {"stride": 2, "groups": 2}, (1, 2, 5, 5), 203),
    lazy_case("LazyConv3d", (2, 2), {"bias": False}, (3, 3, 3, 3), 204),
    lazy_case("LazyConvTranspose1d", (3, 2), {"stride": 2}, (1, 2, 4), 205),
    lazy_case("LazyConvTranspose2d", (2, 3), {}, (1, 3, 3, 3), 206),
    lazy_case("LazyConvTranspose3d", (2, 2), {}, (1, 1, 2, 2, 2), 207),
    lazy_case("LazyBatchNorm1d", (), {}, (4, 3), 208),
    lazy_case("LazyBatchNorm2d", (), {"affine": False}, (2, 3, 2, 2), 209),
    lazy_case("LazyBatchNorm3d", (), {"momentum": None}, (2, 2, 2, 2, 2), 210),
    lazy_case("LazyInstanceNorm1d", (), {}, (2, 3, 5), 211),
    lazy_case("LazyInstanceNorm2d", (), {"track_running_stats": False}, (2, 3, 3, 3), 212),
    lazy_case("LazyInstanceNorm3d", (), {"affine": False}, (1, 2, 2, 3, 2), 213),
]


def adaptive_extra():
    torch.manual_seed(192)
    m = nn.AdaptiveLogSoftmaxWithLoss(8, 12, [2, 5, 9], div_value=2.0)
    x = torch.randn(7, 8, generator=torch.Generator().manual_seed(193)) * 3
    return {"seed": 192, "input": enc(x), "log_prob": enc(m.log_prob(x)), "predict": enc(m.predict(x)), "predict_first": enc(m.predict(x[:1]))}


def containers():
    torch.manual_seed(300)
    pl = nn.ParameterList([nn.Parameter(torch.randn(2, 3)), torch.randn(4)])
    pl.append(torch.zeros(1, dtype=torch.float64))
    pl.extend([nn.Parameter(torch.ones(2, 2))])
    pd = nn.ParameterDict({"b": nn.Parameter(torch.randn(2)), "a": torch.randn(3, 1)})
    pd["c"] = torch.zeros(2, 2)
    pd.update([("d", nn.Parameter(torch.ones(1)))])
    seq = nn.Sequential(nn.ReLU(), nn.Linear(2, 2))
    return {
        "parameter_list": {"repr": repr(pl), "keys": list(pl.state_dict().keys()), "values": [enc(p) for p in pl]},
        "parameter_dict": {"repr": repr(pd), "keys": list(pd.state_dict().keys()), "values": {k: enc(v) for k, v in pd.items()}},
        "sequential_add": repr(seq + nn.Sequential(nn.Tanh())), "sequential_mul": repr(seq * 2),
        "module_list_add": repr(nn.ModuleList([nn.ReLU()]) + nn.ModuleList([nn.Tanh(), nn.ReLU()])),
    }


with open(os.path.join(OUT, "nn-layers2.json"), "w") as f:
    json.dump({"torch_version": torch.__version__, "cases": cases, "errors": errors, "lazy": lazy, "containers": containers(), "forward_errors": forward_errors,
               "adaptive": adaptive_extra()}, f, separators=(",", ":"))
    f.write("\n")
print("wrote", len(cases), "cases,", len(errors), "errors")
