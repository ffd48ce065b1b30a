# The Python side of bench/data.js: Fashion-MNIST through torchvision.datasets.FashionMNIST,
# ToTensor + Normalize, a shuffled DataLoader of batch 64; prints one JSON line per worker count:
# batches/s over the first N batches (iterator start included, as a training loop sees it).
#   /usr/bin/python3 bench/data.py <root> <batches> <workers...>
import json
import sys
import time

import torch
import torchvision.transforms as transforms
from torch.utils.data import DataLoader
from torchvision.datasets import FashionMNIST

root, batches, workers = sys.argv[1], int(sys.argv[2]), [int(w) for w in sys.argv[3:]]
torch.set_num_threads(1)
transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.2860,), (0.3530,))])
ds = FashionMNIST(root, train=True, transform=transform)
for w in workers:
    torch.manual_seed(0)
    loader = DataLoader(ds, batch_size=64, shuffle=True, num_workers=w)
    t0 = time.perf_counter()
    n = 0
    for x, y in loader:
        n += 1
        if n == batches:
            break
    dt = time.perf_counter() - t0
    del loader
    print(json.dumps({'workers': w, 'batches_per_s': n / dt}), flush=True)
