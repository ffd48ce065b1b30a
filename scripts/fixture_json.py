"""What the fixture generators share: numbers as JSON can hold them."""
import math


def json_float(x):
    """A float for JSON: nan and the infinities as strings (JSON has none), others as they are."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def json_float_signed(x):
    """json_float, keeping the sign of zero too ("-0.0": a JSON number loses it)."""
    if x == 0 and math.copysign(1.0, x) < 0:
        return "-0.0"
    return json_float(x)


def fixture_dir(*parts):
    """Where a generator writes: $TORCH_NODE_FIXTURE_DIR when set (scripts/gen-fixtures.js points it at
    test/fixtures/torch-<major.minor> for another torch version's Python), else test/fixtures."""
    import os
    root = os.environ.get("TORCH_NODE_FIXTURE_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures")
    path = os.path.join(root, *parts)
    os.makedirs(path if not os.path.splitext(path)[1] else os.path.dirname(path), exist_ok=True)
    return path


def import_torchvision():
    """torchvision, imported. The torchvision 0.28 wheel that installs offline for PyTorch 2.13 is
    the CUDA build: against the CPU-only torch its _C.so (nms, roi_align) cannot load (it links
    libtorch_cuda.so), and 0.28's import then fails registering fake kernels for torchvision::nms /
    qnms, ops that _C would have defined. Defining their schemas first lets it import; the
    transforms and models the generators use are Python on torch ops and need no _C (a call into
    torchvision.ops' compiled ops or torchvision.io's decoders still fails, loudly)."""
    import glob
    import importlib.util
    import os
    import torch
    spec = importlib.util.find_spec("torchvision")
    if spec is None:
        raise ModuleNotFoundError("No module named 'torchvision'", name="torchvision")
    try:
        torch.ops.load_library(glob.glob(os.path.join(spec.submodule_search_locations[0], "_C*.so"))[0])
    except (OSError, IndexError):
        if not torch.__version__.startswith("1."):
            lib = torch.library.Library("torchvision", "FRAGMENT")
            for op in ("nms", "qnms"):
                lib.define(f"{op}(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
            import_torchvision.lib = lib  # the definitions live as long as the Library object
    import torchvision
    return torchvision


def is_torchvision_014(torchvision):
    """True for the torchvision whose semantics torch-node mirrors (0.14, Debian's /usr/bin/python3)."""
    return torchvision.__version__.startswith("0.14")


def base_fixture(name):
    """The base set's fixture (test/fixtures/<name>, written by Debian's torch 1.13 + torchvision 0.14):
    what another version's generator keeps where it records semantics (reprs, metadata, messages)
    rather than kernels."""
    import json
    import os
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", name)) as f:
        return json.load(f)
