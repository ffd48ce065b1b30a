#!/usr/bin/python3
"""Writes test/fixtures/zoo.json: what torchvision's CNN classifiers are after torch.manual_seed(s),
for test/zoo.test.js (lib/torchvision/models, the zoo beyond ResNet).

Run with Debian's system Python (python3-torch 1.13, python3-torchvision):

    /usr/bin/python3 scripts/gen-zoo-fixtures.py            # the fixture
    /usr/bin/python3 scripts/gen-zoo-fixtures.py checkpoint DIR
        (test time) writes DIR/hub/checkpoints/<file of the DEFAULT weights> for mobilenet_v3_small,
        densenet121 and googlenet: torch.save'd state_dicts of seeded models whose batch-norm
        statistics were moved by two train passes, and DIR/expected.json with what torchvision's
        builder gives when it loads them (weights=DEFAULT): state_dict keys, eval output.

Per case: every state_dict entry (name, shape, dtype, a float64 sum, the values at three fixed
flat positions: bit-exact after the same seed), the eval-mode output on torch.randn(input_shape)
drawn after manual_seed(seed + 1), and the number of conv/linear layers (the depth the output
tolerance scales with). Plus repr() of a few small models and, for every weights enum of the zoo,
each entry's url, metadata and transforms preset.

    npm run fixtures -- zoo     (also PyTorch 2.13's Python, torchvision 0.28: test/fixtures/torch-2.13/zoo.json)

With another torchvision than 0.14 (2.13's 0.28) the cases (every builder argument explicit), reprs,
stochastic_depth and trunc_normal_ draws are that torch's (2.x's trunc_normal_ is another algorithm:
GoogLeNet's, Inception's, ConvNeXt's, Swin's and ViT's init follow it); what torchvision itself decides,
not its torch, stays 0.14's (BASE_014: the weights enums, list_models, RegNet's block parameters).
"""
import json
import os
import sys

import numpy
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_json import base_fixture, fixture_dir, import_torchvision, is_torchvision_014, json_float  # noqa: E402

torchvision = import_torchvision()
import torchvision.models as M  # noqa: E402
from torchvision.models._api import get_model_weights  # noqa: E402

OUT = fixture_dir("zoo.json")
# Keys that record torchvision 0.14's API (weights added since, models added since, ...): another
# torchvision keeps the base set's.
BASE_014 = ("weights", "list_models", "regnet_params")
SKIP = ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "maxvit")

# (builder, kwargs, seed, input shape). num_classes=10 keeps outputs and heads small; the 1000-class
# head is the same code. One model per size family (init of VGG/RegNet-sized nets costs seconds).
CASES = [
    ("alexnet", {"num_classes": 10}, 1, [1, 3, 64, 64]),
    ("vgg11_bn", {"num_classes": 10}, 2, [1, 3, 32, 32]),
    ("squeezenet1_0", {"num_classes": 10}, 3, [1, 3, 64, 64]),
    ("squeezenet1_1", {}, 4, [1, 3, 64, 64]),
    ("shufflenet_v2_x0_5", {"num_classes": 10}, 5, [1, 3, 64, 64]),
    ("shufflenet_v2_x1_0", {"num_classes": 10}, 6, [1, 3, 64, 64]),
    ("mobilenet_v2", {"num_classes": 10}, 7, [1, 3, 64, 64]),
    ("mobilenet_v2", {"num_classes": 10, "width_mult": 0.35}, 8, [1, 3, 64, 64]),
    ("mobilenet_v3_large", {"num_classes": 10}, 9, [1, 3, 64, 64]),
    ("mobilenet_v3_small", {"num_classes": 10}, 10, [1, 3, 64, 64]),
    ("mobilenet_v3_small", {"num_classes": 10, "reduced_tail": True, "dilated": True, "width_mult": 0.75}, 11, [1, 3, 64, 64]),
    ("resnext50_32x4d", {"num_classes": 10}, 12, [1, 3, 64, 64]),
    ("wide_resnet50_2", {"num_classes": 10}, 13, [1, 3, 32, 32]),
    ("densenet121", {"num_classes": 10, "drop_rate": 0.2}, 14, [1, 3, 64, 64]),
    ("mnasnet0_5", {"num_classes": 10}, 16, [1, 3, 64, 64]),
    ("mnasnet0_75", {}, 17, [1, 3, 64, 64]),
    ("googlenet", {"num_classes": 10, "init_weights": True}, 19, [1, 3, 64, 64]),
    ("googlenet", {"num_classes": 10, "aux_logits": False, "transform_input": True, "init_weights": True}, 20, [1, 3, 64, 64]),
    ("inception_v3", {"num_classes": 10, "init_weights": True}, 21, [1, 3, 75, 75]),
    ("efficientnet_b0", {"num_classes": 10}, 23, [1, 3, 64, 64]),
    ("efficientnet_b3", {"num_classes": 10, "stochastic_depth_prob": 0.3}, 24, [1, 3, 32, 32]),
    ("efficientnet_b5", {"num_classes": 10}, 25, [1, 3, 32, 32]),
    ("efficientnet_v2_s", {"num_classes": 10}, 26, [1, 3, 32, 32]),
    ("regnet_y_400mf", {"num_classes": 10}, 27, [1, 3, 64, 64]),
    ("regnet_x_400mf", {"num_classes": 10}, 28, [1, 3, 64, 64]),
    # layer_scale 0.5, not 1e-6: with the default the blocks barely touch the output.
    ("convnext_tiny", {"num_classes": 10, "stochastic_depth_prob": 0.1, "layer_scale": 0.5}, 29, [1, 3, 32, 32]),
    # ViT's head starts at zero (the output would be all zeros): RENORMAL redraws it before the forward pass.
    ("vit_b_32", {"num_classes": 10, "image_size": 64}, 30, [1, 3, 64, 64]),
    ("vit_b_16", {"num_classes": 10, "image_size": 32, "representation_size": 16, "attention_dropout": 0.1}, 31, [2, 3, 32, 32]),
    # 64x64: stage maps 16, 8, 4, 2 (padded to the 7x7 window; shifts only where the map is wider than a window)
    ("swin_t", {"num_classes": 10}, 32, [1, 3, 64, 64]),
    # 120x120: a 30x30 first stage (padded to 35, shifted windows with a real mask)
    ("swin_t", {"num_classes": 10, "mlp_ratio": 2.0}, 33, [1, 3, 120, 120]),
    # 72x72: an 18x18 first stage, padded to 24 for the 8x8 windows
    ("swin_v2_t", {"num_classes": 10}, 34, [1, 3, 72, 72]),
]
# Parameters redrawn with nn.init.normal_ after manual_seed(seed + 2), after the state is recorded.
RENORMAL = {"vit_": ["heads.head.weight"]}
REPRS = ["squeezenet1_1", "mobilenet_v3_small", "shufflenet_v2_x0_5", "efficientnet_b0"]


def flat_positions(n):
    return sorted({0, n // 3, n - 1}) if n else []


def tensor_record(name, t):
    """[name, shape, dtype, float64 sum, values at flat_positions(numel)]: a list, to keep the fixture small.
    A tensor whose elements are all one value (batch-norm weights, biases, statistics) is [name, shape, dtype, value]."""
    f = t.detach().reshape(-1)
    if f.numel() and bool((f == f[0]).all()):
        return [name, list(t.shape), str(t.dtype).replace("torch.", ""), f[0].item()]
    # float32 values as their shortest repr (what Math.fround reads back exactly); others as they are
    short = (lambda v: float(str(numpy.float32(v)))) if t.dtype == torch.float32 else (lambda v: v)
    vals = [short(f[i].item()) for i in flat_positions(f.numel())]
    return [name, list(t.shape), str(t.dtype).replace("torch.", ""), t.detach().double().sum().item(), vals]


def depth(model):
    return sum(1 for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)))


def case_record(builder, kwargs, seed, shape):
    torch.manual_seed(seed)
    model = getattr(M, builder)(**kwargs)
    state = [tensor_record(k, v) for k, v in model.state_dict().items()]
    renormal = next((v for k, v in RENORMAL.items() if builder.startswith(k)), [])
    if renormal:
        torch.manual_seed(seed + 2)
        params = dict(model.named_parameters())
        for k in renormal:
            torch.nn.init.normal_(params[k])
    torch.manual_seed(seed + 1)
    x = torch.randn(*shape)
    model.eval()
    with torch.no_grad():
        out = model(x)
    return {"builder": builder, "kwargs": kwargs, "seed": seed, "input_shape": shape, "state": state,
            "depth": depth(model), "renormal": renormal, "output": out.reshape(-1).tolist(), "output_shape": list(out.shape)}


class _Stop(Exception):
    pass


def regnet_params():
    """The BlockParams every RegNet builder computes (caught before the model is built: RegNet-Y-128GF alone is 644M parameters)."""
    from torchvision.models import regnet as R
    orig = R.BlockParams.from_init_params.__func__
    out = {}
    for name in [n for n in M.list_models(module=M) if n.startswith("regnet_")]:
        def capture(cls, **kw):
            p = orig(cls, **kw)
            raise _Stop({"depths": p.depths, "widths": p.widths, "group_widths": p.group_widths,
                         "bottleneck_multipliers": p.bottleneck_multipliers, "strides": p.strides, "se_ratio": p.se_ratio})
        R.BlockParams.from_init_params = classmethod(capture)
        try:
            getattr(M, name)()
        except _Stop as e:
            out[name] = e.args[0]
        finally:
            R.BlockParams.from_init_params = classmethod(orig)
    return out


def stochastic_depth_records():
    """torchvision.ops.stochastic_depth in training: the kept rows (or batch) follow bernoulli_ after the seed."""
    from torchvision.ops import stochastic_depth
    out = []
    for seed, p, mode in [(31, 0.5, "row"), (32, 0.3, "batch"), (33, 0.5, "batch"), (34, 0.0, "row"), (35, 1.0, "row")]:
        torch.manual_seed(seed)
        x = torch.randn(6, 3)
        y = stochastic_depth(x, p, mode, True)
        out.append({"seed": seed, "p": p, "mode": mode, "output": y.reshape(-1).tolist()})
    return out


def trunc_normal_records():
    """nn.init.trunc_normal_ (GoogLeNet's and Inception's init) after a seed: uniform_ draws through erfinv."""
    out = []
    for seed, mean, std, a, b in [(41, 0.0, 0.01, -2.0, 2.0), (42, 0.0, 1.0, -2.0, 2.0), (43, 0.5, 0.1, -2.0, 2.0)]:
        torch.manual_seed(seed)
        t = torch.nn.init.trunc_normal_(torch.empty(64), mean=mean, std=std, a=a, b=b)
        out.append({"seed": seed, "mean": mean, "std": std, "a": a, "b": b, "values": t.tolist()})
    return out


def weights_records():
    out = {}
    for name in M.list_models(module=M):
        if name.startswith(SKIP):
            continue
        W = get_model_weights(name)
        entries = []
        for e in W:
            kw = dict(e.transforms.keywords)
            entries.append({
                "name": e.name, "url": e.url, "num_params": e.meta["num_params"],
                "categories": None if e.meta["categories"] is None else len(e.meta["categories"]),
                "min_size": list(e.meta["min_size"]), "recipe": e.meta["recipe"], "metrics": {k: {m: json_float(v) for m, v in d.items()} for k, d in e.meta["_metrics"].items()},
                "crop_size": kw["crop_size"], "resize_size": kw.get("resize_size", 256),
                "interpolation": kw["interpolation"].value if "interpolation" in kw else "bilinear",
                "mean": list(kw.get("mean", (0.485, 0.456, 0.406))), "std": list(kw.get("std", (0.229, 0.224, 0.225))),
            })
        out[name] = {"enum": W.__name__, "default": W.DEFAULT.name, "entries": entries}
    return out


# The checkpoints written at test time: builder, weights entry, seed. DenseNet-121's is written with
# the old layer names its real checkpoint has ('denselayer1.norm.1.weight'), GoogLeNet's with the
# auxiliary heads its real checkpoint has, ViT-B/32's with the MLP names of before torchvision 0.13
# ('mlp.linear_1.weight', no version metadata) and a nonzero head: what the builders' loading code exists for.
CHECKPOINTS = [("mobilenet_v3_small", "MobileNet_V3_Small_Weights", 4321),
               ("densenet121", "DenseNet121_Weights", 4322),
               ("googlenet", "GoogLeNet_Weights", 4323),
               ("vit_b_32", "ViT_B_32_Weights", 4324)]


def write_checkpoint(home):
    """Writes each CHECKPOINTS model's state_dict into home/hub/checkpoints under its weights' file
    name, then loads it back through torchvision's own builder (weights=DEFAULT, from that cache) and
    records the builder's eval output on a seeded input, in home/expected.json."""
    import re
    d = os.path.join(home, "hub", "checkpoints")
    os.makedirs(d, exist_ok=True)
    os.environ["TORCH_HOME"] = home
    torch.hub.set_dir(os.path.join(home, "hub"))
    expected = {}
    for builder, enum, seed in CHECKPOINTS:
        torch.manual_seed(seed)
        kwargs = {"aux_logits": True, "init_weights": True} if builder == "googlenet" else {}
        model = getattr(M, builder)(**kwargs)
        vit = builder.startswith("vit_")
        shape = [1, 3, 224, 224] if vit else [1, 3, 64, 64]
        model.train()
        if vit:
            torch.nn.init.normal_(model.heads.head.weight)
        else:
            # Move the batch-norm statistics (and num_batches_tracked) away from their initial values.
            with torch.no_grad():
                for _ in range(2):
                    model(torch.randn(2, 3, 64, 64))
        sd = model.state_dict()
        if builder == "densenet121":
            old = re.compile(r"^(.*denselayer\d+\.(?:norm|relu|conv))((?:[12])\.(?:weight|bias|running_mean|running_var))$")
            sd = type(sd)((old.sub(r"\1.\2", k), v) for k, v in sd.items())
        if vit:  # a fresh OrderedDict: without the _metadata that says version 2
            mlp = re.compile(r"^(.*\.mlp\.)([03])\.(weight|bias)$")
            sd = type(sd)((mlp.sub(lambda m: f"{m[1]}linear_{int(m[2]) // 3 + 1}.{m[3]}", k), v) for k, v in sd.items())
        weights = getattr(M, enum).DEFAULT
        path = os.path.join(d, os.path.basename(weights.url))
        torch.save(sd, path)
        loaded = getattr(M, builder)(weights=weights)
        torch.manual_seed(seed + 1)
        x = torch.randn(*shape)
        loaded.eval()
        with torch.no_grad():
            out = loaded(x)
        expected[builder] = {"checkpoint": path, "keys": list(sd.keys()), "loaded_keys": list(loaded.state_dict().keys()),
                             "input_seed": seed + 1, "input_shape": shape, "output": out.reshape(-1).tolist()}
    with open(os.path.join(home, "expected.json"), "w") as f:
        json.dump(expected, f)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "checkpoint":
        write_checkpoint(sys.argv[2])
        return
    torch.set_num_threads(1)
    base = is_torchvision_014(torchvision)
    fx = {
        "torch": torch.__version__, "torchvision": torchvision.__version__,
        "cases": [case_record(*c) for c in CASES],
        "reprs": {n: repr(getattr(M, n)()) for n in REPRS},
        "weights": weights_records() if base else None,
        "list_models": M.list_models(module=M) if base else None,
        "regnet_params": regnet_params() if base else None,
        "stochastic_depth": stochastic_depth_records(),
        "trunc_normal": trunc_normal_records(),
    }
    if not base:
        fx.update({k: base_fixture("zoo.json")[k] for k in BASE_014})
    with open(OUT, "w") as f:
        json.dump(fx, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
