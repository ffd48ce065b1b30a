# The Python twin of examples/fashion-mnist-transfer.ts: the same options, the same lines for the
# same seed. Run it with Debian's system Python (python3-torch 1.13.1, python3-torchvision 0.14.1):
#     /usr/bin/python3 scripts/reference/fashion_mnist_transfer.py --seed 0
import argparse
import gzip
import os
import sys

import torch
import torch.nn as nn
import torchvision.models as models
import torchvision.transforms as transforms
from torchvision.datasets import FashionMNIST
from torch.utils.data import DataLoader, Subset

DEFAULTS = dict(root='data', epochs=2, train=2048, test=1024, size=64, batch_size=64, workers=2, lr=0.001, seed=0,
                save='fashion-mnist-resnet18-python.pth')


def parse_args():
    p = argparse.ArgumentParser()
    for k, v in DEFAULTS.items():
        p.add_argument('--' + k.replace('_', '-'), '--' + k, dest=k, type=type(v), default=v)
    return p.parse_args()


def extract_debian_files(root):
    debian = '/usr/share/datasets/fashion-mnist'
    raw = os.path.join(root, 'FashionMNIST', 'raw')
    if not os.path.exists(debian):
        return
    os.makedirs(raw, exist_ok=True)
    for f in sorted(os.listdir(debian)):
        out = os.path.join(raw, f[:-3])
        if f.endswith('.gz') and not os.path.exists(out):
            with gzip.open(os.path.join(debian, f)) as src, open(out, 'wb') as dst:
                dst.write(src.read())


def to_three_channels(x):
    return x.expand(3, -1, -1)


def main():
    args = parse_args()
    torch.manual_seed(args.seed)
    extract_debian_files(args.root)

    transform = transforms.Compose([
        transforms.ToTensor(),
        transforms.Resize(args.size),
        to_three_channels,
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]),
    ])
    train_set = Subset(FashionMNIST(args.root, train=True, transform=transform), list(range(args.train)))
    test_set = Subset(FashionMNIST(args.root, train=False, transform=transform), list(range(args.test)))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, num_workers=args.workers)
    test_loader = DataLoader(test_set, batch_size=args.batch_size, num_workers=args.workers)

    try:
        model = models.resnet18(weights=models.ResNet18_Weights.IMAGENET1K_V1)
    except Exception as e:
        print(f'Could not load the pretrained ResNet-18 weights.\n{e}', file=sys.stderr)
        print('Running on with randomly initialised weights instead (the freezing and fine-tuning work the same).', file=sys.stderr)
        model = models.resnet18()
    for param in model.parameters():
        param.requires_grad = False
    model.fc = nn.Linear(model.fc.in_features, 10)

    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.fc.parameters(), lr=args.lr, momentum=0.9)

    for epoch in range(args.epochs):
        model.train()
        total_loss, batches = 0.0, 0
        for inputs, labels in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), labels)
            loss.backward()
            optimizer.step()
            total_loss += loss.item()
            batches += 1
        model.eval()
        correct = 0
        with torch.no_grad():
            for inputs, labels in test_loader:
                correct += model(inputs).argmax(1).eq(labels).sum().item()
        print(f'Epoch {epoch + 1}/{args.epochs}, train loss: {total_loss / batches:.6f}, test accuracy: {correct / args.test:.4f}')
    torch.save(model.state_dict(), args.save)
    print(f'Saved the fine-tuned state_dict to {args.save}')


if __name__ == '__main__':
    main()
