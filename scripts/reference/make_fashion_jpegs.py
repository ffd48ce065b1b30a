# Writes an ImageFolder of JPEGs in the transfer-learning tutorial's layout (hymenoptera_data:
# <dir>/train/<class>/*.jpg, <dir>/val/<class>/*.jpg) from Debian's Fashion-MNIST files: the first
# images of the chosen classes, upscaled (bicubic) to look like small photos, written by PIL.
#   /usr/bin/python3 scripts/reference/make_fashion_jpegs.py <dir> [--classes 0 1] [--train 40] [--val 20] [--size 96]
import argparse
import gzip
import os

import numpy as np
from PIL import Image

CLASSES = ['tshirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'boot']
DEBIAN = '/usr/share/datasets/fashion-mnist'


def read(name):
    with gzip.open(os.path.join(DEBIAN, name)) as f:
        raw = f.read()
    return np.frombuffer(raw, np.uint8, offset=16 if 'images' in name else 8)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('dir')
    p.add_argument('--classes', type=int, nargs='+', default=[0, 1])
    p.add_argument('--train', type=int, default=40)
    p.add_argument('--val', type=int, default=20)
    p.add_argument('--size', type=int, default=96)
    a = p.parse_args()
    images = read('train-images-idx3-ubyte.gz').reshape(-1, 28, 28)
    labels = read('train-labels-idx1-ubyte.gz')
    for c in a.classes:
        idx = np.nonzero(labels == c)[0][:a.train + a.val]
        for k, i in enumerate(idx):
            phase = 'train' if k < a.train else 'val'
            out = os.path.join(a.dir, phase, CLASSES[c])
            os.makedirs(out, exist_ok=True)
            img = Image.fromarray(images[i]).convert('RGB').resize((a.size, a.size), Image.BICUBIC)
            img.save(os.path.join(out, f'{i}.jpg'), quality=90)


if __name__ == '__main__':
    main()
