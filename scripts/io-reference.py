#!/usr/bin/python3
"""torchvision.io's answers, for test/io.test.js and bench/decode.js (run at test time by Debian's
/usr/bin/python3: torch 1.13.1, torchvision 0.14.1).

Reads a JSON request on stdin:
  {"decode": [paths], "encode": [{"raw": b64 of CHW uint8, "shape": [c, h, w], "quality": q | "level": l}]}
and prints {"decode": {path: {mode: {"shape", "b64"} | {"error"}}}, "encode": [{"b64"} | {"error"}]},
decoded tensors as base64 of their CHW bytes.
"""
import base64
import json
import sys
import warnings

import torch
import torchvision
from torchvision.io import ImageReadMode, decode_image, encode_jpeg, encode_png, read_file

assert torchvision.__version__.startswith('0.14'), torchvision.__version__
warnings.simplefilter('ignore')
req = json.load(sys.stdin)
out = {'decode': {}, 'encode': []}
for p in req.get('decode', []):
    data = read_file(p)
    res = {}
    for m in ImageReadMode:
        try:
            t = decode_image(data, m).contiguous()
            res[m.name] = {'shape': list(t.shape), 'b64': base64.b64encode(t.numpy().tobytes()).decode()}
        except Exception as e:  # noqa: BLE001 - the message is the answer
            res[m.name] = {'error': str(e).split('\n')[0]}
    out['decode'][p] = res
for e in req.get('encode', []):
    t = torch.frombuffer(bytearray(base64.b64decode(e['raw'])), dtype=torch.uint8).reshape(e['shape'])
    try:
        b = encode_jpeg(t, e['quality']) if 'quality' in e else encode_png(t, e['level'])
        out['encode'].append({'b64': base64.b64encode(b.numpy().tobytes()).decode()})
    except Exception as ex:  # noqa: BLE001
        out['encode'].append({'error': str(ex).split('\n')[0]})
json.dump(out, sys.stdout)
