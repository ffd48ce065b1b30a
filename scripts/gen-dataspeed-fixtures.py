#!/usr/bin/python3
"""Writes test/fixtures/dataspeed.json: the per-sample data path of torchvision 0.14
(ToTensor, Normalize, FashionMNIST[i]) on small images, for test/data-speed.test.js.

Run with Debian's interpreter (torch 1.13.1, torchvision 0.14):
    /usr/bin/python3 scripts/gen-dataspeed-fixtures.py

Everything here is elementwise (a cast, x / 255, (x - mean) / std): the test compares bit for bit.
  to_tensor   HWC uint8 images of 1, 3 and 4 channels (odd sizes, one row, one column):
              ToTensor() under float32 and float64 default dtypes, then Normalize(mean, std)
              (the default dtype's values), and Normalize in place on a float64 image.
  normalize_errors  std that is zero after the cast to the image's dtype: the message.
  fashion     three 28x28 images and labels written as IDX files; FashionMNIST(root,
              transform=Compose([ToTensor(), Normalize(...)]))[i] -> values and target,
              and default_collate of the three samples.
"""
import json
import os
import struct
import tempfile

import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image
from torch.utils.data import default_collate
from torchvision.datasets import FashionMNIST

rng = np.random.RandomState(7)
MODES = {1: 'L', 3: 'RGB', 4: 'RGBA'}


def pil(arr):
    h, w, c = arr.shape
    return Image.fromarray(arr[:, :, 0] if c == 1 else arr, mode=MODES[c])


def values(t):
    return t.flatten().tolist()


cases = []
for (h, w, c) in [(28, 28, 1), (5, 7, 3), (1, 4, 3), (3, 1, 1), (2, 3, 4), (6, 5, 1)]:
    arr = rng.randint(0, 256, size=(h, w, c)).astype(np.uint8)
    arr.flat[0], arr.flat[-1] = 0, 255
    mean = [round(float(x), 4) for x in rng.uniform(0.1, 0.9, size=c)]
    std = [round(float(x), 4) for x in rng.uniform(0.05, 0.5, size=c)]
    case = {'height': h, 'width': w, 'channels': c, 'data': arr.flatten().tolist(), 'mean': mean, 'std': std}
    for name, d in [('float32', torch.float32), ('float64', torch.float64)]:
        torch.set_default_dtype(d)
        x = T.ToTensor()(pil(arr))
        case[name] = {'shape': list(x.shape), 'to_tensor': values(x), 'normalize': values(T.Normalize(mean, std)(x))}
    torch.set_default_dtype(torch.float32)
    x = T.ToTensor()(pil(arr)).double()
    out = T.Normalize(mean, std, inplace=True)(x)
    case['inplace_float64'] = values(out)
    cases.append(case)

errors = {}
try:
    T.Normalize([0.5], [1e-50])(torch.zeros(1, 2, 2))
except ValueError as e:
    errors['float32_tiny_std'] = str(e)
errors['float64_tiny_std'] = values(T.Normalize([0.5], [1e-50])(torch.full((1, 1, 2), 0.25, dtype=torch.float64)))

# FashionMNIST from IDX files
imgs = rng.randint(0, 256, size=(3, 28, 28)).astype(np.uint8)
labels = np.array([9, 0, 3], dtype=np.uint8)
fmean, fstd = [0.2860], [0.3530]
with tempfile.TemporaryDirectory() as root:
    raw = os.path.join(root, 'FashionMNIST', 'raw')
    os.makedirs(raw)
    for split in ['train', 't10k']:
        with open(os.path.join(raw, f'{split}-images-idx3-ubyte'), 'wb') as f:
            f.write(struct.pack('>IIII', 0x803, 3, 28, 28) + imgs.tobytes())
        with open(os.path.join(raw, f'{split}-labels-idx1-ubyte'), 'wb') as f:
            f.write(struct.pack('>II', 0x801, 3) + labels.tobytes())
    ds = FashionMNIST(root, train=True, transform=T.Compose([T.ToTensor(), T.Normalize(fmean, fstd)]))
    samples = [ds[i] for i in range(3)]
    xb, yb = default_collate(samples)
    fashion = {
        'images': imgs.flatten().tolist(), 'labels': labels.tolist(), 'mean': fmean, 'std': fstd,
        'samples': [{'shape': list(x.shape), 'values': values(x), 'target': y} for x, y in samples],
        'collate': {'x_shape': list(xb.shape), 'x': values(xb), 'y': yb.tolist(), 'y_dtype': str(yb.dtype)},
    }

out = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'dataspeed.json')
with open(out, 'w') as f:
    json.dump({'to_tensor': cases, 'normalize_errors': errors, 'fashion': fashion}, f)
print('wrote', os.path.normpath(out))
