#!/usr/bin/python3
"""The Python side of bench/decode.js (Debian's /usr/bin/python3, torchvision 0.14.1).

  decode.py make DIR N      writes N photo-like 500x375 JPEGs (ImageNet's typical size; 4:2:0,
                            quality 90) and N PNGs of the same pixels into DIR
  decode.py time DIR ROUNDS prints {"jpeg": images/s, "png": images/s} of torchvision.io.read_image
                            (mode RGB, one thread, best of ROUNDS passes over the files), and writes
                            torchvision's RGB and GRAY decodes of each JPEG next to it (.rgb, .gray)
"""
import glob
import json
import os
import sys
import time
import warnings

import numpy as np
import torch
from torchvision.io import ImageReadMode, read_image

warnings.simplefilter('ignore')
torch.set_num_threads(1)
cmd, d = sys.argv[1], sys.argv[2]
if cmd == 'make':
    from PIL import Image, ImageFilter
    rng = np.random.default_rng(0)
    h, w = 375, 500
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    for i in range(int(sys.argv[3])):
        # smooth shapes, edges and texture noise: roughly what a photo compresses like
        img = np.zeros((h, w, 3))
        for _ in range(12):
            cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(20, 200)
            img[(x - cx) ** 2 + (y - cy) ** 2 < r * r] = rng.uniform(0, 255, 3)
        img += np.stack([np.sin(x / rng.uniform(5, 40)) * 30] * 3, -1)
        im = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(2))
        arr = np.asarray(im).astype(np.float64) + rng.normal(0, 8, (h, w, 3))
        im = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
        im.save(os.path.join(d, f'img{i:03d}.jpg'), quality=90)
        im.save(os.path.join(d, f'img{i:03d}.png'))
elif cmd == 'time':
    rounds = int(sys.argv[3])
    out = {}
    for ext in ('jpg', 'png'):
        files = sorted(glob.glob(os.path.join(d, f'*.{ext}')))
        best = float('inf')
        for _ in range(rounds):
            t0 = time.perf_counter()
            for f in files:
                read_image(f, ImageReadMode.RGB)
            best = min(best, time.perf_counter() - t0)
        out['jpeg' if ext == 'jpg' else 'png'] = len(files) / best
    for f in sorted(glob.glob(os.path.join(d, '*.jpg'))):
        read_image(f, ImageReadMode.RGB).permute(1, 2, 0).contiguous().numpy().tofile(f + '.rgb')
        read_image(f, ImageReadMode.GRAY).numpy().tofile(f + '.gray')
    print(json.dumps(out))
