# The Python side of bench/data.js: Fashion-MNIST through torchvision.datasets.FashionMNIST,
# ToTensor + Normalize, a shuffled DataLoader of batch 64; prints one JSON line per worker count:
# batches/s over the first N batches (iterator start included, as a training loop sees it).
#   /usr/bin/python3 bench/data.py fashion|folder <root> <batches> <workers...>
import json
import sys
import time

import torch
import torchvision.transforms as transforms
from torch.utils.data import DataLoader
from torchvision.datasets import FashionMNIST

from torchvision.datasets import ImageFolder

kind, root, batches, workers = sys.argv[1], sys.argv[2], int(sys.argv[3]), [int(w) for w in sys.argv[4:]]
torch.set_num_threads(1)
if kind == 'fashion':
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.2860,), (0.3530,))])
    ds, batch_size = FashionMNIST(root, train=True, transform=transform), 64
else:  # a folder of JPEGs: decode + RandomResizedCrop + Normalize (tensor path, as bench/data.js)
    transform = transforms.Compose([transforms.ToTensor(), transforms.RandomResizedCrop(224),
                                    transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    ds, batch_size = ImageFolder(root, transform), 32
for w in workers:
    torch.manual_seed(0)
    loader = DataLoader(ds, batch_size=batch_size, shuffle=True, num_workers=w)
    t0 = time.perf_counter()
    n = 0
    for x, y in loader:
        n += 1
        if n == batches:
            break
    dt = time.perf_counter() - t0
    del loader
    print(json.dumps({'workers': w, 'batches_per_s': n / dt}), flush=True)
