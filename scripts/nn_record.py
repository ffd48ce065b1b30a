"""What the nn fixture generators (gen-nn-fixtures.py, gen-nn-layers2-fixtures.py,
gen-nn-rnn-fixtures.py) share to record a layer: the quiet single-threaded setup, tensors and
constructor / call arguments as JSON."""
import os
import warnings

import torch

from fixture_json import json_float

warnings.simplefilter("ignore")
torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "test", "fixtures")


def enc(t):
    """A tensor as {shape, dtype, values} (values flat, row-major)."""
    t = t.detach()
    flat = t.reshape(-1)
    if t.dtype.is_floating_point:
        values = [json_float(v) for v in flat.double().tolist()]
    elif t.dtype == torch.bool:
        values = [bool(v) for v in flat.tolist()]
    else:
        values = [int(v) for v in flat.tolist()]
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "values": values}


def enc_arg(v, other=None):
    """Constructor / call arguments: tensors and dtypes tagged, tuples as lists. `other(v)`, where
    given, encodes what a generator records its own way (None: not its kind)."""
    if isinstance(v, torch.Tensor):
        return {"__tensor__": enc(v)}
    if isinstance(v, torch.dtype):
        return {"__dtype__": str(v).replace("torch.", "")}
    if other is not None:
        e = other(v)
        if e is not None:
            return e
    if isinstance(v, (tuple, list)):
        return [enc_arg(x, other) for x in v]
    if isinstance(v, dict):
        return {k: enc_arg(x, other) for k, x in v.items()}
    return v
