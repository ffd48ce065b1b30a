#!/usr/bin/python3
"""Reference behaviour of PyTorch 1.13.1 for test/hardening.test.js (issue 15,
"Reliability under abuse"): what Python does with the hostile inputs the tests
feed torch-node. Run with Debian's interpreter (the python3 on PATH has no torch):

  /usr/bin/python3 scripts/gen-hardening-fixtures.py   # writes test/fixtures/hardening.json
"""
import io
import json
import os
import pickle
import subprocess
import sys

import torch
import torch.nn as nn

from fixture_json import fixture_dir  # noqa: E402
OUT = fixture_dir('hardening.json')


def outcome(fn):
    try:
        r = fn()
        return {'ok': True, 'shape': list(r.shape) if hasattr(r, 'shape') else None,
                'value': r.tolist() if isinstance(r, torch.Tensor) else None}
    except Exception as e:  # noqa: BLE001 - the message is the reference
        return {'ok': False, 'type': type(e).__name__, 'message': str(e)}


def main():
    out = {}

    # dtype: not constructible from Python
    out['dtype_new'] = outcome(lambda: torch.dtype())

    # device: the constructor's checks
    out['device'] = {}
    for args in [('foo',), ('cpu', -1), ('cpu:-1',), ('cuda:01',), ('CPU',), ('cuda:3',), ('cuda', 2)]:
        key = ','.join(map(str, args))
        try:
            d = torch.device(*args)
            out['device'][key] = {'ok': True, 'repr': repr(d), 'str': str(d)}
        except Exception as e:  # noqa: BLE001
            out['device'][key] = {'ok': False, 'type': type(e).__name__, 'message': str(e)}

    # pickle: strings with lone surrogates (UTF-8 'surrogatepass'), and a 1 MiB LONG4 integer
    out['surrogates'] = [{'text_utf16': [ord(c) for c in s], 'pickle': pickle.dumps(s, protocol=2).hex()}
                         for s in ['a\ud800b', '\udfff', 'x\U00010000y', '\u00e9\u20ac', '\udc00\ud800']]
    buf = io.BytesIO()
    torch.save({'s': 'a\ud800b', 't': torch.ones(2)}, buf)
    out['surrogate_saved'] = buf.getvalue().hex()
    big = (1 << (8 * (1 << 20) - 1)) - 12345  # 1 MiB of two's complement
    data = pickle.dumps(big, protocol=2)
    assert pickle.loads(data) == big
    out['long4'] = {'nbytes': 1 << 20, 'opcode': data[2:3].hex(), 'mod_1e9_7': big % 1000000007,
                    'bit_length': big.bit_length()}

    # load_state_dict into a 0-d buffer (PyTorch 1.13's backward-compatibility rule: a 1-d input is indexed [0])
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer('b', torch.tensor(1.0))

    out['load_0d'] = {}
    for shape, value in [([1], [5.0]), ([2], [5.0, 6.0]), ([1, 1], [[5.0]]), ([0], [])]:
        m = M()
        r = outcome(lambda: (m.load_state_dict({'b': torch.tensor(value)}), m.b)[1])
        out['load_0d'][','.join(map(str, shape))] = r
    class L(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 3)
    out['load_mismatch'] = outcome(lambda: L().load_state_dict({'fc.weight': torch.zeros(3, 3), 'fc.bias': torch.zeros(3)}))

    # hyper-parameters assigned after construction, then a forward (each in its own process:
    # some crash PyTorch itself, as noted)
    cases = {
        'conv groups=0': "c = nn.Conv2d(2, 2, 3); c.groups = 0; c(x)",
        'conv groups=3': "c = nn.Conv2d(2, 2, 3); c.groups = 3; c(x)",
        'conv groups=2**53': "c = nn.Conv2d(2, 2, 3); c.groups = 2**53; c(x)",
        'conv stride=0': "c = nn.Conv2d(2, 2, 3); c.stride = (0, 1); c(x)",
        'conv padding=-1': "c = nn.Conv2d(2, 2, 3); c.padding = (-1, 0); c(x)",
        'conv dilation=0': "c = nn.Conv2d(2, 2, 3); c.dilation = (0, 1); c(x)",
        'maxpool stride=0': "p = nn.MaxPool2d(2); p.stride = 0; p(x)",
        'avgpool divisor=0': "p = nn.AvgPool2d(2, divisor_override=0); p(x)",
        'Conv2d groups=0': "nn.Conv2d(2, 2, 3, groups=0)",
        'Conv2d groups=3': "nn.Conv2d(2, 2, 3, groups=3)",
    }
    out['hparams'] = {}
    for name, code in cases.items():
        prog = ('import torch, torch.nn as nn\nx = torch.randn(1, 2, 5, 5)\ntry:\n    ' + code +
                '\n    print("ok")\nexcept Exception as e:\n    print(type(e).__name__ + ": " + str(e).split(chr(10))[0])\n')
        r = subprocess.run([sys.executable, '-c', prog], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            out['hparams'][name] = {'crash': True, 'returncode': r.returncode}
        else:
            kind, _, msg = r.stdout.strip().partition(': ')
            out['hparams'][name] = {'crash': False, 'type': kind, 'message': msg}

    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write('\n')


if __name__ == '__main__':
    main()
