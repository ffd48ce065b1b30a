#!/usr/bin/python3
"""Test images for test/io.test.js, made deterministically with PIL (Debian's /usr/bin/python3).

    /usr/bin/python3 scripts/gen-io-images.py

Writes test/fixtures/images/io_*: small JPEGs whose decoding is hard to get exactly right
(saturated noise: libjpeg's YCbCr -> RGB clamps, so luma recomputed from RGB is wrong; every
chroma subsampling; progressive; odd sizes; an ICC profile and an EXIF orientation, which
torchvision 0.14 ignores; a truncated stream; CMYK) and PNGs (palette with tRNS, 4-bit palette,
2-bit gray). test/io.test.js decodes them with torchvision at test time.
"""
import io
import os
import struct
import zlib

import numpy as np
from PIL import Image, ImageCms

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
IMAGES = os.path.join(ROOT, 'test', 'fixtures', 'images')
os.makedirs(IMAGES, exist_ok=True)
rng = np.random.default_rng(11)


def noisy(h, w):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    base = np.stack([x * 255 / w, y * 255 / h, 255 * (((x // 6) + (y // 6)) % 2)], -1)
    return Image.fromarray(np.clip(base + rng.normal(0, 60, (h, w, 3)), 0, 255).astype(np.uint8))


def save(im, name, **kw):
    im.save(os.path.join(IMAGES, name), **kw)


im = noisy(40, 48)
save(im, 'io_noise420.jpg', quality=92, subsampling=2)
save(im, 'io_noise422.jpg', quality=92, subsampling=1)
save(im, 'io_noise444.jpg', quality=92, subsampling=0)
odd = noisy(33, 47)
save(odd, 'io_noise_prog.jpg', quality=80, progressive=True)
save(odd.convert('L'), 'io_noise_gray.jpg', quality=85)
save(im, 'io_icc.jpg', quality=90, icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile('sRGB')).tobytes())
exif = Image.Exif()
exif[0x0112] = 6  # orientation: rotate 90 CW to display
save(odd, 'io_exif.jpg', quality=90, exif=exif.tobytes())
buf = io.BytesIO()
im.save(buf, 'JPEG', quality=92)
with open(os.path.join(IMAGES, 'io_truncated.jpg'), 'wb') as f:
    f.write(buf.getvalue()[: len(buf.getvalue()) * 2 // 3])
save(im.convert('CMYK'), 'io_cmyk.jpg', quality=90)

pal = noisy(20, 24).quantize(40)  # 8-bit: torchvision 0.14 mishandles <8-bit palettes read UNCHANGED
save(pal, 'io_palette_trns.png', transparency=bytes([0, 128, 255] + [200] * 13))
save(noisy(20, 24).quantize(16), 'io_palette4bit.png', bits=4)


def png_chunk(kind, data):
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))


# a 2-bit gray PNG (PIL writes L as 8-bit): 4 levels, libpng expands them to 0, 85, 170, 255
h, w = 9, 13
levels = rng.integers(0, 4, (h, w))
rows = b''
for r in levels:
    bits = np.zeros(((w + 3) // 4) * 4, dtype=np.uint8)
    bits[:w] = r
    rows += b'\0' + bytes((bits[0::4] << 6) | (bits[1::4] << 4) | (bits[2::4] << 2) | bits[3::4])
with open(os.path.join(IMAGES, 'io_gray2bit.png'), 'wb') as f:
    f.write(b'\x89PNG\r\n\x1a\n' + png_chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 2, 0, 0, 0, 0))
            + png_chunk(b'IDAT', zlib.compress(rows)) + png_chunk(b'IEND', b''))
