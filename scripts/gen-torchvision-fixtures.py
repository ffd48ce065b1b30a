#!/usr/bin/python3
"""Reference values for torch-node's torchvision.models, produced by real torchvision.

Run with Debian's system Python (python3-torch 1.13.1, python3-torchvision 0.14.1), not a
`python3` that comes first on PATH:

    /usr/bin/python3 scripts/gen-torchvision-fixtures.py
        writes test/fixtures/torchvision-models.json: after torch.manual_seed(seed), each model's
        state_dict (keys in order, shapes, dtypes, the SHA-256 of every tensor's bytes, sum, sum of
        squares and first values) and its outputs for an input drawn right after it was built, in
        eval mode, in train mode, and in eval mode again (with the running statistics that the
        train-mode pass updated). Small: no whole state dict is stored.

    /usr/bin/python3 scripts/gen-torchvision-fixtures.py outputs [NAME...]
        what test/torchvision-models.test.js runs at test time when this Python is there: the same
        outputs, as JSON on stdout, computed on the CPU the test runs on.

    /usr/bin/python3 scripts/gen-torchvision-fixtures.py checkpoint TORCH_HOME [--seed N]
        what test/torchvision-weights.test.js runs at test time: writes a torchvision checkpoint,
        TORCH_HOME/hub/checkpoints/resnet18-f37072fd.pth (the file name of the IMAGENET1K_V1 weights;
        the content a seeded random-init resnet18 whose batch-norm statistics were moved by two
        train-mode passes, saved by torch.save), and TORCH_HOME/expected.json, torchvision's outputs
        for it on a seeded input.

    npm run fixtures -- torchvision     (also PyTorch 2.13's Python, torchvision 0.28: test/fixtures/torch-2.13/)
        Another torchvision than 0.14 (2.13's 0.28; its modes above work with it too) records what its
        torch computes: init, outputs, printed forms, and the presets' outputs with 0.14's
        antialias=False said explicitly (0.28's default is True). What torchvision itself decides stays
        0.14's (BASE_014: the weights enums' metadata, the legacy warnings, the categories).
"""
import argparse
import hashlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_json import base_fixture, fixture_dir, import_torchvision, is_torchvision_014  # noqa: E402

torchvision = import_torchvision()
from torchvision import models  # noqa: E402
from torchvision.models._meta import _IMAGENET_CATEGORIES  # noqa: E402
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = fixture_dir("torchvision-models.json")
BASE = is_torchvision_014(torchvision)
BASE_014 = ("categories_sha256", "legacy_warnings", "weights")
INPUT_SHAPE = [1, 3, 64, 64]
HEAD = 8

# name -> (how to build it, described for the test, and the builder)
CONFIGS = {
    "resnet18": ({"builder": "resnet18", "options": {}}, lambda: models.resnet18()),
    "resnet50": ({"builder": "resnet50", "options": {}}, lambda: models.resnet50()),
    # Every ResNet option: zero_init_residual on BasicBlock (bn2) and on Bottleneck (bn3), groups,
    # width_per_group, replace_stride_with_dilation, num_classes; small, so it costs nothing.
    "basic_zero_init": (
        {"block": "BasicBlock", "layers": [1, 1, 1, 1], "options": {"zero_init_residual": True, "num_classes": 10}},
        lambda: ResNet(BasicBlock, [1, 1, 1, 1], zero_init_residual=True, num_classes=10),
    ),
    "bottleneck_options": (
        {
            "block": "Bottleneck",
            "layers": [1, 2, 1, 1],
            "options": {
                "groups": 2,
                "width_per_group": 32,
                "replace_stride_with_dilation": [False, True, True],
                "zero_init_residual": True,
                "num_classes": 7,
            },
        },
        lambda: ResNet(
            Bottleneck, [1, 2, 1, 1], groups=2, width_per_group=32,
            replace_stride_with_dilation=[False, True, True], zero_init_residual=True, num_classes=7,
        ),
    ),
}
SEEDS = {"resnet18": 0, "resnet50": 0, "basic_zero_init": 3, "bottleneck_options": 5}
# Only the layout (keys, shapes) of the larger models: building them here and there is all it takes.
LAYOUT_ONLY = ["resnet34", "resnet101", "resnet152"]


def tensor_record(key, t):
    t = t.detach().contiguous()
    flat = t.reshape(-1)
    rec = {
        "key": key,
        "shape": list(t.shape),
        "dtype": str(t.dtype).replace("torch.", ""),
        "sha256": hashlib.sha256(t.numpy().tobytes()).hexdigest(),
    }
    if t.is_floating_point():
        d = flat.double()
        rec["sum"] = d.sum().item()
        rec["sumsq"] = (d * d).sum().item()
        rec["head"] = [float(v) for v in flat[:HEAD].tolist()]
    else:
        rec["head"] = [int(v) for v in flat[:HEAD].tolist()]
    return rec


def values(t):
    t = t.detach().contiguous()
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "values": [float(v) for v in t.reshape(-1).tolist()]}


def summary(t, n=64):
    """An output told by its first n values, its sum and its sum of squares (float64)."""
    t = t.detach().contiguous()
    d = t.reshape(-1).double()
    return {
        "shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""),
        "head": [float(v) for v in t.reshape(-1)[:n].tolist()], "sum": d.sum().item(), "sumsq": (d * d).sum().item(),
    }


def layout_digest(sd):
    """SHA-256 of the state_dict's layout, one `key shape` line per entry, in order."""
    text = "".join(f"{k} {list(v.shape)}\n" for k, v in sd.items())
    return hashlib.sha256(text.encode()).hexdigest()


def model_record(name):
    build, make = CONFIGS[name]
    seed = SEEDS[name]
    torch.manual_seed(seed)
    model = make()
    rec = {
        "build": build,
        "seed": seed,
        "state_dict": [tensor_record(k, v) for k, v in model.state_dict().items()],
        "parameters": [n for n, _ in model.named_parameters()],
        "buffers": [n for n, _ in model.named_buffers()],
        "modules": [n for n, _ in model.named_modules()],
        "num_params": sum(p.numel() for p in model.parameters()),
        "repr": str(model),
    }
    # The input comes from the same generator, right after the model was built.
    x = torch.randn(*INPUT_SHAPE)
    rec["input_shape"] = INPUT_SHAPE
    rec.update(model_outputs(model, x))
    return rec


def model_outputs(model, x):
    """Outputs in eval mode, in train mode (which moves the batch-norm statistics), in eval again.
    Float results of deep convolution stacks: they hold this CPU's rounding (see `outputs`)."""
    rec = {}
    with torch.no_grad():
        model.eval()
        rec["output_eval"] = values(model(x))
        model.train()
        rec["output_train"] = summary(model(x))
        rec["buffers_after_train"] = [
            {"key": k, "sum": v.double().sum().item(), "sumsq": v.double().pow(2).sum().item(), "numel": v.numel()}
            for k, v in model.state_dict().items() if k in dict(model.named_buffers())
        ]
        model.eval()
        rec["output_eval_after_train"] = summary(model(x))
    return rec


def outputs_record(names):
    """What test/torchvision-models.test.js runs at test time when this Python is there: the same
    outputs as the fixture's, computed on the machine (and thread count) the test runs on, so that the
    test can compare tightly instead of with the CPU-to-CPU tolerance the committed fixture needs."""
    out = {}
    for name in names:
        _, make = CONFIGS[name]
        torch.manual_seed(SEEDS[name])
        model = make()
        out[name] = model_outputs(model, torch.randn(*INPUT_SHAPE))
    return out


def layout_record(name):
    model = getattr(models, name)()
    sd = model.state_dict()
    return {
        "num_entries": len(sd),
        "layout_sha256": layout_digest(sd),
        "first_keys": list(sd)[:5],
        "last_keys": list(sd)[-5:],
        "num_params": sum(p.numel() for p in model.parameters()),
    }


def preset_record(weights, seed):
    """weights.transforms() applied to a seeded uint8 [3, 300, 280] image tensor."""
    torch.manual_seed(seed)
    img = torch.randint(0, 256, (3, 300, 280), dtype=torch.uint8)
    preset = weights.transforms() if BASE else weights.transforms(antialias=False)  # 0.14's: no antialias on tensors
    return {"weights": repr(weights), "seed": seed, "image_shape": list(img.shape), "output": summary(preset(img))}


def closed_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The legacy calls whose deprecation warnings are recorded: (builder, positional args, keyword args).
LEGACY_CALLS = [
    ("resnet18", [], {"pretrained": False}),
    ("resnet18", [False], {}),
    ("resnet50", [], {"pretrained": True}),
    ("resnet18", [True], {}),
    ("resnet34", [False, True], {}),
    ("resnet18", [], {"pretrained": True, "progress": False}),
]


def legacy_warnings_record():
    """What torchvision warns for each legacy call. Calls with pretrained weights run offline
    (an empty TORCH_HOME, https_proxy at a closed port): the download fails after the warnings."""
    import tempfile
    import warnings

    saved = {k: os.environ.get(k) for k in ("TORCH_HOME", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY")}
    out = []
    with tempfile.TemporaryDirectory() as home:
        os.environ["TORCH_HOME"] = home
        os.environ["https_proxy"] = f"http://127.0.0.1:{closed_port()}"
        for k in ("HTTPS_PROXY", "no_proxy", "NO_PROXY"):
            os.environ.pop(k, None)
        try:
            for builder, args, kwargs in LEGACY_CALLS:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    try:
                        getattr(models, builder)(*args, **kwargs)
                        failed = False
                    except Exception:
                        failed = True
                out.append({
                    "builder": builder, "args": args, "kwargs": kwargs, "download_failed": failed,
                    "warnings": [f"{w.category.__name__}: {w.message}" for w in caught],
                })
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    return out


def write_fixtures():
    out = {
        "generated_by": "scripts/gen-torchvision-fixtures.py",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "models": {name: model_record(name) for name in CONFIGS},
        "layouts": {name: layout_record(name) for name in LAYOUT_ONLY},
        "categories_sha256": hashlib.sha256("\n".join(_IMAGENET_CATEGORIES).encode()).hexdigest(),
        "legacy_warnings": legacy_warnings_record() if BASE else None,
        "presets": [
            preset_record(models.ResNet18_Weights.IMAGENET1K_V1, 11),
            preset_record(models.ResNet50_Weights.IMAGENET1K_V2, 12),
        ],
        "weights": {
            cls.__name__: {
                m.name: {
                    "url": m.url,
                    "num_params": m.meta["num_params"],
                    "min_size": list(m.meta["min_size"]),
                    "recipe": m.meta["recipe"],
                    "_metrics": m.meta["_metrics"],
                    "num_categories": len(m.meta["categories"]),
                    "transforms": repr(m.transforms()),
                }
                for m in cls
            } | {"DEFAULT": cls.DEFAULT.name}
            for cls in [
                models.ResNet18_Weights, models.ResNet34_Weights, models.ResNet50_Weights,
                models.ResNet101_Weights, models.ResNet152_Weights,
            ]
        } if BASE else None,
    }
    if not BASE:
        out.update({k: base_fixture("torchvision-models.json")[k] for k in BASE_014})
    with open(OUT, "w") as f:
        # One line per model: small, and a diff still says which model changed.
        f.write("{\n")
        items = list(out.items())
        for i, (k, v) in enumerate(items):
            if k == "models":
                f.write(' "models": {\n')
                ms = list(v.items())
                for j, (mk, mv) in enumerate(ms):
                    f.write(f"  {json.dumps(mk)}: {json.dumps(mv, separators=(',', ':'))}{',' if j < len(ms) - 1 else ''}\n")
                f.write(" }")
            else:
                f.write(f" {json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}")
            f.write(",\n" if i < len(items) - 1 else "\n")
        f.write("}\n")
    print(f"wrote {os.path.relpath(OUT)}", file=sys.stderr)


def write_checkpoint(torch_home, seed):
    torch.manual_seed(seed)
    model = models.resnet18()
    # Move the batch-norm statistics (and num_batches_tracked) away from their initial values.
    model.train()
    with torch.no_grad():
        for _ in range(2):
            model(torch.randn(2, 3, 64, 64))
    ckpt_dir = os.path.join(torch_home, "hub", "checkpoints")
    os.makedirs(ckpt_dir, exist_ok=True)
    path = os.path.join(ckpt_dir, os.path.basename(models.ResNet18_Weights.IMAGENET1K_V1.url))
    torch.save(model.state_dict(), path)

    # What a model loaded from that file gives, on an input drawn after torch.manual_seed(seed + 1).
    torch.manual_seed(seed + 1)
    x = torch.randn(*INPUT_SHAPE)
    with torch.no_grad():
        model.eval()
        out_eval = model(x)
    expected = {
        "checkpoint": path,
        "seed": seed,
        "input_seed": seed + 1,
        "input_shape": INPUT_SHAPE,
        "fc_weight": tensor_record("fc.weight", model.fc.weight),
        "num_batches_tracked": int(model.bn1.num_batches_tracked),
        "output_eval": values(out_eval),
    }
    with open(os.path.join(torch_home, "expected.json"), "w") as f:
        json.dump(expected, f)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    ck = sub.add_parser("checkpoint", help="write a resnet18 checkpoint into TORCH_HOME/hub/checkpoints")
    ck.add_argument("torch_home")
    ck.add_argument("--seed", type=int, default=1234)
    op = sub.add_parser("outputs", help="print the models' outputs (as in the fixture) as JSON on stdout")
    op.add_argument("names", nargs="*", default=list(CONFIGS))
    args = parser.parse_args()
    if args.command == "checkpoint":
        write_checkpoint(args.torch_home, args.seed)
    elif args.command == "outputs":
        json.dump(outputs_record(args.names), sys.stdout)
    else:
        write_fixtures()


if __name__ == "__main__":
    main()
