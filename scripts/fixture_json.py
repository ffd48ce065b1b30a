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
