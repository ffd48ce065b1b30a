# The Python side of bench/data-sample.js: per-sample microseconds of FashionMNIST[i] alone,
# with ToTensor, with ToTensor + Normalize, and default_collate of 64 samples; one JSON object.
#   /usr/bin/python3 bench/data-sample.py <root> <n> <reps>
import json
import sys
import time

import torch
import torchvision.transforms as T
from torch.utils.data import default_collate
from torchvision.datasets import FashionMNIST

root, n, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(1)
kinds = {
    'raw': None,
    'totensor': T.Compose([T.ToTensor()]),
    'normalize': T.Compose([T.ToTensor(), T.Normalize((0.2860,), (0.3530,))]),
}


def best(fn, count):
    b = float('inf')
    for _ in range(reps):
        t0 = time.perf_counter()
        for i in range(count):
            fn(i)
        b = min(b, (time.perf_counter() - t0) * 1e6 / count)
    return b


out = {}
for k, tf in kinds.items():
    ds = FashionMNIST(root, train=True, transform=tf)
    out[k] = best(ds.__getitem__, n)
ds = FashionMNIST(root, train=True, transform=kinds['normalize'])
batch = [ds[i] for i in range(64)]
out['collate64'] = best(lambda i: default_collate(batch), max(1, n // 64))
print(json.dumps(out))
