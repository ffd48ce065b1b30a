#!/usr/bin/python3
"""torch.save / torch.load fixtures from real PyTorch for lib/serialization.ts.

Run with Debian's interpreter (it has torch 1.13; the python3 on PATH has none):

  /usr/bin/python3 scripts/gen-serialization-fixtures.py
      writes test/fixtures/serialization/*.pt and expected.json (what each
      file holds, described by describe() below)

  /usr/bin/python3 scripts/gen-serialization-fixtures.py --describe FILE...
      used by test/serialization.test.js at test time: loads files written by
      torch-node with torch.load(weights_only=True) (and, where PyTorch 1.13's
      weights_only unpickler cannot read an opcode, without it), saves what it
      loaded again with torch.save under the same file name, and prints JSON:
      the description, whether the weights_only load worked, and whether
      Python's own torch.save wrote the very same bytes.
"""
import collections
import io
import json
import math
import os
import re
import sys
import tempfile
import warnings
import zipfile

import torch

from fixture_json import fixture_dir, json_float_signed

warnings.filterwarnings("ignore")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = fixture_dir("serialization")


def load_trusted(f, **kw):
    """torch.load of files made here: the full unpickler (2.6 made weights_only=True the default,
    which refuses protocol 4's opcodes)."""
    return torch.load(f, weights_only=False, **kw)
PWNED = "/tmp/torch-node-serialization-pwned"


# ---- describing a loaded object as JSON ---------------------------------------------------

def enc_float(x):
    v = json_float_signed(x)
    return v if isinstance(v, str) else repr(v)


class Describer:
    """Describes a value; tensors get a storage group number (first seen = 0)."""

    def __init__(self):
        self.groups = {}

    def tensor(self, t):
        raw = t.detach().reshape(-1).contiguous().view(torch.uint8) if t.numel() else torch.zeros(0, dtype=torch.uint8)
        key = t.storage().data_ptr() if t.storage().size() else ("empty", id(t))
        group = self.groups.setdefault(key, len(self.groups))
        return {
            "$tensor": {
                "dtype": str(t.dtype).replace("torch.", ""),
                "shape": list(t.shape),
                "stride": list(t.stride()),
                "storage_offset": t.storage_offset(),
                "storage_numel": t.storage().size(),
                "requires_grad": t.requires_grad,
                "parameter": isinstance(t, torch.nn.Parameter),
                "bytes": bytes(raw.tolist()).hex(),
                "group": group,
                "device": str(t.device),
            }
        }

    def __call__(self, v):
        if isinstance(v, torch.Tensor):
            return self.tensor(v)
        if isinstance(v, bool):
            return {"$bool": v}
        if isinstance(v, int):
            return {"$int": str(v)}
        if isinstance(v, float):
            return {"$float": enc_float(v)}
        if isinstance(v, str):
            return {"$str": v}
        if v is None:
            return {"$none": True}
        if isinstance(v, torch.dtype):
            return {"$dtype": str(v).replace("torch.", "")}
        if isinstance(v, torch.device):
            return {"$device": str(v)}
        if isinstance(v, torch.Size):
            return {"$tuple": [self(x) for x in v]}
        if isinstance(v, tuple):
            return {"$tuple": [self(x) for x in v]}
        if isinstance(v, list):
            return {"$list": [self(x) for x in v]}
        if isinstance(v, collections.OrderedDict):
            meta = getattr(v, "_metadata", None)
            out = {"$odict": [[self(k), self(x)] for k, x in v.items()]}
            if meta is not None:
                out["metadata"] = self(meta)
            return out
        if isinstance(v, dict):
            return {"$dict": [[self(k), self(x)] for k, x in v.items()]}
        if isinstance(v, bytes):
            return {"$bytes": v.hex()}
        raise TypeError(f"cannot describe {type(v)}")


def describe(v):
    return Describer()(v)


# ---- fixtures -------------------------------------------------------------------------------

def fixtures():
    """name -> object to torch.save (each saved to <name>.pt)."""
    f = {}
    inf, nan = float("inf"), float("nan")
    f["dtypes"] = {
        "float32": torch.tensor([0.0, -0.0, 1.5, -2.25, inf, -inf, nan, 1e-40, 3.4e38], dtype=torch.float32).reshape(3, 3),
        "float64": torch.tensor([0.0, -0.0, math.pi, -1e-310, 1.7976931348623157e308, -inf, nan], dtype=torch.float64),
        "float16": torch.tensor([0.0, -0.0, 1.0, 65504.0, 6e-8, inf, nan, -2.5], dtype=torch.float16).reshape(2, 4),
        "bfloat16": torch.tensor([0.0, 1.0, -1.5, 3.0e38, inf, nan, 1e-39, -7.0], dtype=torch.bfloat16),
        "int8": torch.tensor([-128, 127, 0, -1], dtype=torch.int8),
        "uint8": torch.tensor([0, 255, 128, 7], dtype=torch.uint8).reshape(2, 2),
        "int16": torch.tensor([-32768, 32767, 0, 300], dtype=torch.int16),
        "int32": torch.tensor([-2**31, 2**31 - 1, 0, 70000], dtype=torch.int32),
        "int64": torch.tensor([-2**63, 2**63 - 1, 2**53 + 1, -1], dtype=torch.int64),
        "bool": torch.tensor([[True, False, True], [False, False, True]]),
    }

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(1, 2, 3)
            self.bn = torch.nn.BatchNorm2d(2)
            self.fc = torch.nn.Linear(8, 3)

    torch.manual_seed(0)
    f["state_dict"] = Net().state_dict()
    torch.manual_seed(1)
    f["state_dict_sequential"] = torch.nn.Sequential(
        torch.nn.Linear(4, 3), torch.nn.ReLU(),
        torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))).state_dict()

    f["nested"] = {
        "epoch": 5,
        "lr": 0.001,
        "momentum": 0.9,
        "name": "r\u00e9sum\u00e9 \u2713 \U0001F600",
        "empty": "",
        "flags": [True, False, None],
        "tuple": (1, 2.5, "x"),
        "single": (7,),
        "unit": (),
        "four": (1, 2, 3, 4),
        "ints": [0, 255, 256, 65535, 65536, -1, 2**31 - 1, -2**31, 2**31, 2**53, 2**63 - 1, -2**63, 2**70, -(2**70)],
        "floats": [0.0, -0.0, 1.0, 1e300, -5e-324, inf, -inf, nan],
        "nested": {"a": {"b": [{"c": torch.arange(3)}]}},
        "int_keys": {0: "zero", 1: "one", -5: "minus five"},
        "ordered": collections.OrderedDict([("z", 1), ("a", 2)]),
        "tensors": [torch.ones(2, 2), torch.zeros(3, dtype=torch.int32)],
        "dtype": torch.float16,
        "device": torch.device("cpu"),
        "size": torch.Size([2, 3]),
        "repeated": ["version", "version", "cpu"],
    }

    base = torch.arange(12, dtype=torch.float32)
    small = torch.tensor([1.0, 2.0])
    f["views"] = {
        "base": base,
        "slice": base[2:8],
        "matrix": base.view(3, 4),
        "transposed": base.view(3, 4).t(),
        "strided": base[::3],
        "column": base.view(3, 4)[:, 1],
        "expanded": small.expand(3, 2),
        "small": small,
        "other": torch.ones(2),
    }
    f["slice_only"] = torch.arange(10, dtype=torch.int64)[3:6]
    f["scalar"] = torch.tensor(3.5)
    torch.manual_seed(2)
    f["param"] = {
        "p": torch.nn.Parameter(torch.randn(2, 2)),
        "frozen": torch.nn.Parameter(torch.zeros(1), requires_grad=False),
        "g": torch.ones(2, requires_grad=True),
    }
    f["empty"] = [torch.zeros(0), torch.zeros(0, 3), torch.zeros(2, 0, dtype=torch.int64), torch.tensor([], dtype=torch.bool)]
    f["batching"] = {
        "d1000": {i: i for i in range(1000)},
        "d1001": {i: -i for i in range(1001)},
        "l1000": list(range(1000)),
        "l1001": list(range(1001)),
        "od1001": collections.OrderedDict((f"k{i}", i) for i in range(1001)),
    }
    return f


def big_endian(obj, name):
    """A torch.save file as a big-endian machine writes it (PyTorch >= 2.0 adds a byteorder record)."""
    buf = io.BytesIO()
    torch.save(obj, buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    # which storage holds which dtype: from the tensors themselves
    sizes = {}
    for k, t in obj.items():
        sizes[str(len(sizes))] = t.element_size()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            rel = info.filename.split("/", 1)[1]
            if rel.startswith("data/"):
                n = sizes[rel[5:]]
                data = b"".join(data[i:i + n][::-1] for i in range(0, len(data), n))
            z.writestr(f"{name}/{rel}", data)
            if rel == "data.pkl":
                z.writestr(f"{name}/byteorder", b"big")
    return out.getvalue()


class Pwn:
    """A pickle that would run a shell command on a plain pickle.load."""

    def __reduce__(self):
        return (os.system, (f"touch {PWNED}",))


class PwnEval:
    def __reduce__(self):
        return (eval, (f"open('{PWNED}', 'w')",))


def generate():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        os.remove(os.path.join(OUT, old))
    expected = {"files": {}, "errors": {}}
    for name, obj in fixtures().items():
        path = os.path.join(OUT, f"{name}.pt")
        torch.save(obj, path)
        # what torch.load gives back is what torch-node must give back
        loaded = load_trusted(path)
        if name == "batching":  # big: checked by its sizes and by saving it back byte for byte
            expected["files"][name] = {"$sizes": {k: len(v) for k, v in loaded.items()}}
        else:
            expected["files"][name] = describe(loaded)

    # pickle protocol 4 (FRAME, SHORT_BINUNICODE, MEMOIZE, ...)
    p4 = {"w": torch.arange(4, dtype=torch.float64).view(2, 2), "name": "p4", "list": [1, (2, 3)]}
    torch.save(p4, os.path.join(OUT, "protocol4.pt"), pickle_protocol=4)
    expected["files"]["protocol4"] = describe(load_trusted(os.path.join(OUT, "protocol4.pt")))

    be = {"f": torch.tensor([1.5, -2.0, 3.25]), "i": torch.tensor([1, -2, 300], dtype=torch.int16),
          "l": torch.tensor([2**40, -7]), "h": torch.tensor([0.5, -65504.0], dtype=torch.float16)}
    with open(os.path.join(OUT, "bigendian.pt"), "wb") as fh:
        fh.write(big_endian(be, "bigendian"))
    expected["files"]["bigendian"] = describe(be)

    # files torch-node must refuse, each with words its error must contain
    torch.save(torch.ones(2), os.path.join(OUT, "legacy.pt"), _use_new_zipfile_serialization=False)
    expected["errors"]["legacy"] = ["legacy", "1.6", "torch.save(torch.load("]
    torch.jit.save(torch.jit.script(torch.nn.Linear(1, 1)), os.path.join(OUT, "torchscript.pt"))
    expected["errors"]["torchscript"] = ["TorchScript"]
    torch.save({"x": Pwn()}, os.path.join(OUT, "malicious_system.pt"))
    expected["errors"]["malicious_system"] = ["posix.system", "nothing in it was run"]
    torch.save([PwnEval()], os.path.join(OUT, "malicious_eval.pt"))
    expected["errors"]["malicious_eval"] = ["__builtin__.eval"]
    with zipfile.ZipFile(os.path.join(OUT, "not_torch.zip"), "w") as z:
        z.writestr("hello.txt", "not a torch file")
    expected["errors"]["not_torch"] = ["not a readable PyTorch zip archive"]
    with open(os.path.join(OUT, "complex.pt"), "wb") as fh:
        torch.save(torch.tensor([1 + 2j]), fh)
    expected["errors"]["complex"] = ["complex64"]

    torch.save(torch.arange(3).storage(), os.path.join(OUT, "storage_only.pt"))
    expected["errors"]["storage_only"] = ["bare storage"]

    with open(os.path.join(OUT, "expected.json"), "w") as fh:
        json.dump(expected, fh, sort_keys=True, separators=(",", ":"))
        fh.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, to {OUT}")


# ---- checking files written by torch-node -----------------------------------------------------

def check(paths):
    out = {}
    for path in paths:
        r = {"records": sorted(zipfile.ZipFile(path).namelist())}
        try:
            obj = torch.load(path, weights_only=True)
            r["weights_only"] = True
        except Exception as e:  # PyTorch 1.13's weights_only unpickler has no BINFLOAT
            r["weights_only"] = False
            # the unpickler's reason (2.x puts advice around it), else the message's end
            reason = re.search(r"Unsupported[^\n]*", str(e))
            r["weights_only_error"] = reason.group(0)[:300] if reason else str(e)[-200:]
            obj = load_trusted(path)
        r["value"] = describe(obj)
        with tempfile.TemporaryDirectory() as d:
            again = os.path.join(d, os.path.basename(path))
            torch.save(obj, again)
            with open(again, "rb") as a, open(path, "rb") as b:
                r["identical"] = a.read() == b.read()
            # the same records, whatever the archive folder is called
            za, zb = zipfile.ZipFile(again), zipfile.ZipFile(path)
            strip = lambda z: {n.split("/", 1)[1]: z.read(n) for n in z.namelist()}
            r["same_records"] = strip(za) == strip(zb)
        out[path] = r
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--describe":
        check(sys.argv[2:])
    else:
        generate()
