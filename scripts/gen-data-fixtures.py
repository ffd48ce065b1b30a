"""Reference values for test/data.test.js and test/datasets.test.js, from PyTorch 1.13.1 and
torchvision 0.14.1 (Debian's /usr/bin/python3): the indices shuffled loaders, samplers and
random_split visit for a seed, the global random stream after them, default_collate's dtypes,
worker seeds, and torchvision's reading of Debian's Fashion-MNIST files."""
import gzip
import json
import os
import shutil
import tempfile

import torch
from torch.utils.data import (BatchSampler, DataLoader, Dataset, DistributedSampler, RandomSampler,
                              SubsetRandomSampler, TensorDataset, WeightedRandomSampler, default_collate,
                              get_worker_info, random_split)

from fixture_json import fixture_dir  # noqa: E402
OUT = fixture_dir()


def gen(seed):
    return torch.Generator().manual_seed(seed)


def rand3():
    return torch.rand(3).tolist()


def loader_epochs(loader, epochs=2):
    return [[b[0].tolist() for b in loader] for _ in range(epochs)]


class IndexSeed(Dataset):
    """Each sample: its index and the seed of the worker that read it."""
    def __len__(self):
        return 12

    def __getitem__(self, i):
        info = get_worker_info()
        return i, str(info.seed if info is not None else -1), info.id if info is not None else -1


class RandomDraws(Dataset):
    """Each sample: two draws from the reading process's default generator (a random transform's)."""
    def __len__(self):
        return 10

    def __getitem__(self, i):
        return torch.rand(2), torch.randint(0, 1000, (1,))


data = {}
ds = TensorDataset(torch.arange(23))

torch.manual_seed(0)
data['shuffle'] = {'seed': 0, 'batch_size': 4, 'epochs': loader_epochs(DataLoader(ds, batch_size=4, shuffle=True)), 'rand': rand3()}
torch.manual_seed(1)
data['shuffle_drop_last'] = {'seed': 1, 'epochs': loader_epochs(DataLoader(ds, batch_size=5, shuffle=True, drop_last=True)), 'rand': rand3()}
torch.manual_seed(2)
data['generator'] = {'seed': 2, 'gen': 7, 'epochs': loader_epochs(DataLoader(ds, batch_size=4, shuffle=True, generator=gen(7))), 'rand': rand3()}
torch.manual_seed(3)
data['workers'] = {'seed': 3, 'epochs': loader_epochs(DataLoader(ds, batch_size=4, shuffle=True, num_workers=2)), 'rand': rand3()}
torch.manual_seed(4)
data['persistent'] = {'seed': 4, 'epochs': loader_epochs(DataLoader(ds, batch_size=4, shuffle=True, num_workers=2, persistent_workers=True), 3), 'rand': rand3()}
torch.manual_seed(5)
seeds = [[list(x) for x in zip(*(b[0].tolist(), b[1], b[2].tolist()))] for b in DataLoader(IndexSeed(), batch_size=3, shuffle=True, num_workers=2)]
data['worker_seeds'] = {'seed': 5, 'batches': seeds, 'rand': rand3()}
torch.manual_seed(15)
draws = [[b[0].tolist(), b[1].tolist()] for b in DataLoader(RandomDraws(), batch_size=2, num_workers=2)]
data['worker_draws'] = {'seed': 15, 'batches': draws, 'rand': rand3()}

torch.manual_seed(6)
data['random_sampler'] = {
    'seed': 6,
    'plain': list(RandomSampler(range(10))),
    'num_samples': list(RandomSampler(range(10), num_samples=25)),
    'replacement': list(RandomSampler(range(10), replacement=True, num_samples=70)),
    'gen': list(RandomSampler(range(10), generator=gen(3))),
    'gen_replacement': list(RandomSampler(range(1000), replacement=True, num_samples=40, generator=gen(3))),
    'rand': rand3(),
}
torch.manual_seed(7)
data['subset_random'] = {'seed': 7, 'plain': list(SubsetRandomSampler(list(range(10, 20)))),
                         'gen': list(SubsetRandomSampler(list(range(10, 20)), generator=gen(1))), 'rand': rand3()}
torch.manual_seed(8)
data['weighted'] = {'seed': 8, 'weights': [0.1, 0.9, 0.4, 0.7, 3.0, 0.6],
                    'replacement': list(WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 20)),
                    'no_replacement': list(WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5, replacement=False)),
                    'gen': [list(WeightedRandomSampler(list(range(1, 40)), 50, generator=gen(11))),
                            list(WeightedRandomSampler(list(range(1, 40)), 12, replacement=False, generator=gen(11)))],
                    'rand': rand3()}
torch.manual_seed(9)
data['random_split'] = {
    'seed': 9,
    'lengths': [s.indices for s in random_split(range(10), [3, 7])],
    'fractions': [s.indices for s in random_split(range(30), [0.3, 0.3, 0.4], generator=gen(42))],
    'fractions_remainder': [s.indices for s in random_split(range(11), [0.5, 0.5], generator=gen(42))],
    'rand': rand3(),
}
dist = {}
for drop_last in (False, True):
    for rank in range(3):
        s = DistributedSampler(range(11), num_replicas=3, rank=rank, shuffle=True, seed=4, drop_last=drop_last)
        e0 = list(s)
        s.set_epoch(1)
        dist[f'{drop_last}-{rank}'] = [e0, list(s), len(s)]
    dist[f'noshuffle-{drop_last}'] = list(DistributedSampler(range(11), num_replicas=3, rank=1, shuffle=False, drop_last=drop_last))
data['distributed'] = dist
data['batch_sampler'] = {'keep': list(BatchSampler(range(10), 3, False)), 'drop': list(BatchSampler(range(10), 3, True))}


def described(x):
    if isinstance(x, torch.Tensor):
        return {'dtype': str(x.dtype).replace('torch.', ''), 'shape': list(x.shape), 'values': x.flatten().tolist()}
    if isinstance(x, dict):
        return {k: described(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [described(v) for v in x]
    return x


data['collate'] = described(default_collate([
    {'i': 1, 'f': 0.5, 'b': True, 'pair': (1, 2.5), 's': 'a', 't': torch.tensor([1., 2.])},
    {'i': 2, 'f': 1.5, 'b': False, 'pair': (3, 4.5), 's': 'b', 't': torch.tensor([3., 4.])},
]))

with open(os.path.join(OUT, 'data.json'), 'w') as f:
    json.dump(data, f)

# ---- torchvision.datasets -------------------------------------------------------------------
from fixture_json import import_torchvision  # noqa: E402
import_torchvision()  # (2.13's torchvision 0.28 needs its help)
from torchvision import datasets, transforms  # noqa: E402

FASHION = '/usr/share/datasets/fashion-mnist'
out = {}
if os.path.isdir(FASHION):
    root = tempfile.mkdtemp()
    try:
        raw = os.path.join(root, 'FashionMNIST', 'raw')
        os.makedirs(raw)
        for name in os.listdir(FASHION):  # torchvision reads the extracted files
            with gzip.open(os.path.join(FASHION, name)) as src, open(os.path.join(raw, name[:-3]), 'wb') as dst:
                shutil.copyfileobj(src, dst)
        picks = [0, 1, 59999]
        for train in (True, False):
            d = datasets.FashionMNIST(root, train=train, transform=transforms.ToTensor())
            idx = [i for i in picks if i < len(d)]
            out['train' if train else 'test'] = {
                'len': len(d), 'indices': idx, 'targets': [d[i][1] for i in idx],
                'sums': [d[i][0].double().sum().item() for i in idx], 'shape': list(d[idx[0]][0].shape),
                'pixels': [torch.as_tensor(d.data[i]).flatten().tolist()[300:340] for i in idx],
                'target_counts': torch.bincount(d.targets).tolist(), 'classes': d.classes,
            }
    finally:
        shutil.rmtree(root)
out['emnist_classes'] = datasets.EMNIST.classes_split_dict
fake = datasets.FakeData(size=6, image_size=(3, 10, 12), num_classes=7, random_offset=3)
out['fakedata'] = {'targets': [fake[i][1] for i in range(6)],
                   'pixels': [list(fake[i][0].getdata()) for i in range(6)], 'size': list(fake[0][0].size), 'mode': fake[0][0].mode}
with open(os.path.join(OUT, 'datasets.json'), 'w') as f:
    json.dump(out, f)
