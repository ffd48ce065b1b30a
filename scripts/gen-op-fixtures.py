#!/usr/bin/python3
"""Reference values for the generated op surface (test/ops-generated.test.js), from the same table.

For every generated name (lib/generated/signatures.ts) whose signature is unary (one Tensor input,
the rest defaulted) or binary (input and another Tensor), in torch, linalg, fft and special: calls it
in PyTorch on fixed float64 inputs and records the result, the gradient of result.sum() with respect to
the inputs, and whether torch-node should find an out= variant and a Tensor method. Names whose results
are random, complex or not tensors are left out (listed in the fixture with the reason).
Run with Debian's /usr/bin/python3: writes test/fixtures/ops-generated.json.
"""
import json
import os
import re
import sys
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_json import fixture_dir, json_float  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RANDOM = re.compile(r'rand|normal|bernoulli|dropout|multinomial|poisson|rrelu|uniform|exponential|cauchy|geometric|empty|gumbel')
# ops whose value depends on memory or that only check/convert (nothing to compare)
SKIP = {'is_nonzero', 'is_same_size', 'is_complex', 'is_conj', 'is_neg', 'is_inference', 'is_floating_point',
        'is_signed', 'is_distributed', 'numel', 'result_type', 'can_cast', 'promote_types', 'clone', 'detach',
        'resolve_conj', 'resolve_neg', 'conj', 'conj_physical', 'item', 'equal', 'allclose', 'isclose',
        'slice_copy'}  # slice_copy: Python 1.13's binding gives end=1 for None (a [1, 3] result), the schema's default is the whole dim


def table():
    text = open(os.path.join(ROOT, 'lib', 'generated', 'signatures.ts')).read()
    per_name = json.loads(re.search(r'export const TABLE: [^=]*= (\{.*\});', text).group(1))
    return {ns: {n: json.loads(t) for n, t in names.items()} for ns, names in per_name.items()}


def kind(rec):
    """'unary' / 'binary' when the Python signature is (input[, other]) plus defaulted arguments."""
    args = rec[2]
    req = [a for a in args if a[3] is None]
    if len(req) == 1 and req[0][1] == 'T' and req[0][0] == 'input':
        return 'unary'
    if len(req) == 2 and req[0][1] == 'T' and req[0][0] == 'input' and req[1][1] in ('T', 'N'):
        return 'binary'
    return None


def out_ok(fn, args, r):
    """Python accepts out= here (an empty tensor, resized) and returns it with the same values."""
    out = torch.empty(0, dtype=r.dtype)
    try:
        with torch.no_grad():
            got = fn(*[a.detach() for a in args], out=out)
    except Exception:  # noqa: BLE001
        return False
    return got is out and out.shape == r.shape and torch.equal(out, r.detach())


def flat(t):
    return [json_float(float(v)) for v in t.detach().reshape(-1).tolist()]


def main():
    tab = table()
    torch.manual_seed(0)
    x0 = (torch.rand(3, 3, dtype=torch.float64) * 0.8 + 0.1) + torch.eye(3, dtype=torch.float64) * 2
    y0 = torch.rand(3, 3, dtype=torch.float64) * 0.8 + 0.1
    cases, skipped = [], {}
    for ns in ('torch', 'linalg', 'fft', 'special'):
        mod = {'torch': torch, 'linalg': torch.linalg, 'fft': torch.fft, 'special': torch.special}[ns]
        for name, recs in sorted(tab[ns].items()):
            if name.startswith('_') or name.endswith('_') or name in SKIP or RANDOM.search(name):
                continue
            ks = [kind(r) for r in recs]
            k = 'unary' if 'unary' in ks else 'binary' if 'binary' in ks else None
            if k is None:
                continue
            rec = recs[ks.index(k)]
            fn = getattr(mod, name, None)
            if fn is None:
                skipped[f'{ns}.{name}'] = 'not in Python'
                continue
            x = x0.clone().requires_grad_()
            y = y0.clone().requires_grad_()
            args = [x] if k == 'unary' else [x, y]
            try:
                r = fn(*args)
            except Exception as e:  # noqa: BLE001
                skipped[f'{ns}.{name}'] = f'raises in Python: {str(e).splitlines()[0][:80]}'
                continue
            if isinstance(r, tuple):
                r = r[0]
            if not isinstance(r, torch.Tensor) or r.is_complex() or r.dtype not in (torch.float64, torch.bool, torch.int64):
                skipped[f'{ns}.{name}'] = 'result is not a real/bool/long tensor'
                continue
            case = {'ns': ns, 'name': name, 'kind': k, 'shape': list(r.shape), 'dtype': str(r.dtype).replace('torch.', ''),
                    'values': flat(r), 'out': bool(rec[1]) and len(rec[3]) == 1 and rec[3][0][0] == 'T' and out_ok(fn, args, r),
                    'method': ns == 'torch' and name in tab['Tensor']}
            if r.dtype == torch.float64 and r.requires_grad:
                try:
                    grads = torch.autograd.grad(r.sum(), args, allow_unused=True)
                    case['grads'] = [None if g is None else flat(g) for g in grads]
                except Exception:  # noqa: BLE001
                    pass
            cases.append(case)
    # torch.nn.functional: every name callable as F.name(x) on a 4-D input (the rest defaulted)
    import inspect
    import torch.nn.functional as F
    torch.manual_seed(1)
    f0 = torch.rand(2, 3, 4, 4, dtype=torch.float64) * 2 - 1
    t0 = torch.rand(2, 3, 4, 4, dtype=torch.float64)
    fcases = []
    for name in sorted(dir(F)):
        if name.startswith('_') or RANDOM.search(name) or name in ('alpha_dropout', 'feature_alpha_dropout', 'gumbel_softmax'):
            continue
        fn = getattr(F, name)
        if not callable(fn) or inspect.isclass(fn):
            continue
        x = f0.clone().requires_grad_()
        r = None
        for form in ('x', 'xt', 'x2'):
            extra = {'x': [], 'xt': [t0], 'x2': [2]}[form]
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore')
                    r = fn(x, *extra)
                break
            except Exception:  # noqa: BLE001
                r = None
        if isinstance(r, tuple):
            r = r[0]
        if not isinstance(r, torch.Tensor) or r.dtype != torch.float64:
            continue
        case = {'name': name, 'form': form, 'shape': list(r.shape), 'values': flat(r)}
        if r.requires_grad:
            try:
                g = torch.autograd.grad(r.sum(), [x], allow_unused=True)[0]
                if g is not None:
                    case['grad'] = flat(g)
            except RuntimeError:
                pass
        fcases.append(case)
    print(f'ops-generated: {len(fcases)} nn.functional cases', file=sys.stderr)
    out = {'x': flat(x0), 'y': flat(y0), 'shape': [3, 3], 'cases': cases, 'skipped': skipped,
           'F': {'x': flat(f0), 't': flat(t0), 'shape': [2, 3, 4, 4], 'cases': fcases}}
    with open(fixture_dir('ops-generated.json'), 'w') as fh:
        json.dump(out, fh, separators=(',', ':'))
        fh.write('\n')
    print(f'ops-generated: {len(cases)} cases, {len(skipped)} skipped', file=sys.stderr)


if __name__ == '__main__':
    main()
