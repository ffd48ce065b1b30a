#!/usr/bin/python3
"""Reference values for test/transforms.test.js, from real torchvision.

Run with Debian's system python (torch 1.13.1, torchvision 0.14.1, Pillow):
    /usr/bin/python3 scripts/gen-transforms-fixtures.py

Writes small test images (made deterministically with PIL) to
test/fixtures/images/ and torchvision's results to test/fixtures/transforms.json:
decoding in every ImageReadMode (torchvision.io), and the tensor path of
torchvision.transforms (Resize, CenterCrop, ConvertImageDtype, Normalize,
ToTensor, RandomResizedCrop and RandomHorizontalFlip after manual_seed, the
ImageClassification preset, printed forms). Tensors are stored as base64 of
their zlib-compressed little-endian bytes (exact and small).

    npm run fixtures -- transforms     (also PyTorch 2.13's, torchvision 0.28: test/fixtures/torch-2.13/)

With another torchvision than 0.14 (2.13's 0.28) only LibTorch's numbers are taken from it: 0.14's
behaviour is pinned by explicit arguments (antialias=False where 0.14's default None meant no
antialiasing on tensors; 0.28's default is True), the images are the base set's (not re-encoded by
another Pillow), and what is not LibTorch's stays 0.14's record: torchvision.io's decoding (libjpeg /
libpng; 0.28's wheel here is the CUDA build, its image.so cannot load on the CPU torch), error messages
and printed forms.
"""
import base64
import io
import json
import os
import warnings
import zlib

import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_json import base_fixture, fixture_dir, import_torchvision, is_torchvision_014  # noqa: E402

torchvision = import_torchvision()
from torchvision import transforms as T  # noqa: E402
from torchvision.io import ImageReadMode, decode_image, read_file  # noqa: E402
from torchvision.transforms import InterpolationMode  # noqa: E402
from torchvision.transforms import functional as F  # noqa: E402
from torchvision.transforms._presets import ImageClassification  # noqa: E402

BASE = is_torchvision_014(torchvision)
assert not BASE or torch.__version__.startswith('1.13'), (torch.__version__, torchvision.__version__)
warnings.simplefilter('ignore')
# 0.14 on tensors: antialias None is False (0.28's default is True): said explicitly to another torchvision.
PIN = {} if BASE else {'antialias': False}


def aa_014(aa):
    return False if aa is None and not BASE else aa


ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
IMAGES = os.path.join(ROOT, 'test', 'fixtures', 'images')
OUT = fixture_dir('transforms.json')
os.makedirs(IMAGES, exist_ok=True)


def enc(t):
    t = t.detach().contiguous()
    raw = t.numpy().astype(t.numpy().dtype.newbyteorder('<')).tobytes()
    return {'shape': list(t.shape), 'dtype': str(t.dtype).replace('torch.', ''),
            'z64': base64.b64encode(zlib.compress(raw, 9)).decode()}


# ---- test images ---------------------------------------------------------------------------

def base_rgb(h=30, w=40):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = x * 255 / (w - 1)
    g = y * 255 / (h - 1)
    b = 128 + 100 * np.sin(x / 4.0) * np.cos(y / 3.0)
    img = np.stack([r, g, b], -1)
    img[8:20, 10:22] = [220, 40, 60]
    img[(x - 30) ** 2 + (y - 20) ** 2 < 36] = [20, 200, 90]
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


rgb = base_rgb()
alpha = np.clip(np.round(np.add.outer(np.arange(30) * 4, np.arange(40) * 3)), 0, 255).astype(np.uint8)
pil_rgb = Image.fromarray(rgb)
images = {}


def save(name, im, **kw):
    path = os.path.join(IMAGES, name)
    if BASE:  # another Python reads the base set's images
        im.save(path, **kw)
    images[name] = path


save('rgb.png', pil_rgb)
save('rgba.png', Image.fromarray(np.dstack([rgb, alpha])))
save('gray.png', pil_rgb.convert('L'))
save('gray_alpha.png', Image.fromarray(np.dstack([np.array(pil_rgb.convert('L')), alpha])).convert('LA'))
pal = pil_rgb.convert('P', palette=Image.ADAPTIVE, colors=16)
save('palette.png', pal, transparency=bytes([255, 128] + [255] * 14))
save('bilevel.png', pil_rgb.convert('L').point(lambda v: 255 if v > 100 else 0).convert('1'))
save('rgb_trns.png', pil_rgb, transparency=tuple(int(v) for v in rgb[0, 0]))
save('gray_trns.png', pil_rgb.convert('L'), transparency=int(np.array(pil_rgb.convert('L'))[0, 0]))
save('gray16.png', Image.fromarray((np.array(pil_rgb.convert('L')).astype(np.uint16) * 257)).convert('I;16'))
save('rgb420.jpg', pil_rgb, quality=90)
save('rgb444.jpg', pil_rgb, quality=95, subsampling=0)
save('rgb422.jpg', pil_rgb, quality=90, subsampling=1)
save('gray.jpg', pil_rgb.convert('L'), quality=90)
save('odd420.jpg', Image.fromarray(base_rgb(31, 41)), quality=85)
save('progressive.jpg', pil_rgb, quality=90, progressive=True)


def adobe_variant(name, src, transform):
    # The JPEG of `src` with its JFIF APP0 replaced by an Adobe APP14 marker: transform 1 says
    # YCbCr, 0 says RGB (libjpeg then hands out the components unconverted).
    path = os.path.join(IMAGES, name)
    images[name] = path
    if not BASE:
        return
    data = open(images[src], 'rb').read()
    assert data[2:4] == b'\xff\xe0'
    app0_end = 4 + int.from_bytes(data[4:6], 'big')
    app14 = b'\xff\xee' + (14).to_bytes(2, 'big') + b'Adobe' + (100).to_bytes(2, 'big') + bytes(4) + bytes([transform])
    with open(path, 'wb') as f:
        f.write(data[:2] + app14 + data[app0_end:])


adobe_variant('adobe_ycc.jpg', 'rgb420.jpg', 1)
adobe_variant('adobe_rgb.jpg', 'rgb420.jpg', 0)

fx = {'versions': {'torch': torch.__version__, 'torchvision': torchvision.__version__}}

# ---- torchvision.io ----------------------------------------------------------------------------

MODES = ['UNCHANGED', 'GRAY', 'GRAY_ALPHA', 'RGB', 'RGB_ALPHA']
decode = {} if BASE else base_fixture('transforms.json')['decode']
for name, path in (images.items() if BASE else []):
    data = read_file(path)
    per = {}
    for m in MODES:
        try:
            per[m] = enc(decode_image(data, getattr(ImageReadMode, m)))
        except RuntimeError as e:
            per[m] = {'error': str(e).split('\n')[0]}
    decode[name] = per
fx['decode'] = decode

# ---- transforms on the uint8 image -------------------------------------------------------------

# uint8 [3, 30, 40] (a PNG: PIL's pixels are libpng's)
img = torchvision.io.read_image(images['rgb.png']) if BASE else F.pil_to_tensor(Image.open(images['rgb.png']))
fimg = F.convert_image_dtype(img, torch.float32)
dimg = F.convert_image_dtype(img, torch.float64)
batch = torch.stack([img, img.flip(-1)])                      # uint8 [2, 3, 30, 40]
inputs = {'uint8': img, 'float32': fimg, 'float64': dimg, 'batch': batch}
IM = {'nearest': InterpolationMode.NEAREST, 'bilinear': InterpolationMode.BILINEAR, 'bicubic': InterpolationMode.BICUBIC}

resize = []
for inp, size, interp, aa, max_size in [
    ('uint8', 20, 'bilinear', None, None),
    ('uint8', [17, 23], 'bilinear', True, None),
    ('uint8', 12, 'nearest', None, None),
    ('uint8', [45, 50], 'bicubic', None, None),
    ('uint8', 16, 'bicubic', True, None),
    ('uint8', [7, 9], 'bicubic', False, None),
    ('uint8', [1, 1], 'bilinear', True, None),
    ('uint8', 20, 'bilinear', None, 24),
    ('uint8', [30], 'bilinear', None, None),
    ('float32', [21, 33], 'bilinear', None, None),
    ('float32', 18, 'bilinear', True, None),
    ('float32', [36, 44], 'bilinear', True, None),
    ('float32', 13, 'bicubic', True, None),
    ('float64', 11, 'bicubic', None, None),
    ('batch', [15, 19], 'bilinear', True, None),
]:
    out = T.Resize(size, interpolation=IM[interp], max_size=max_size, antialias=aa_014(aa))(inputs[inp])
    resize.append({'input': inp, 'size': size, 'interpolation': interp, 'antialias': aa, 'max_size': max_size,
                   'same_object': out is inputs[inp], 'out': enc(out)})
fx['resize'] = resize

center_crop = []
for inp, size in [('uint8', 20), ('uint8', [10, 15]), ('uint8', 50), ('uint8', [31, 41]), ('uint8', [29, 39]),
                  ('uint8', [27, 37]), ('uint8', [1]), ('float32', [33, 20]), ('batch', 9)]:
    center_crop.append({'input': inp, 'size': size, 'out': enc(T.CenterCrop(size)(inputs[inp]))})
fx['center_crop'] = center_crop

crop = []
for top, left, h, w in [(3, 5, 10, 12), (-2, -3, 8, 9), (25, 35, 10, 10), (0, 0, 30, 40)]:
    crop.append({'args': [top, left, h, w], 'out': enc(F.crop(img, top, left, h, w))})
fx['crop'] = crop
fx['flip'] = {'hflip': enc(F.hflip(img)), 'vflip': enc(F.vflip(img))}

convert = []
small = img[:, 10:16, 14:22]  # 3 x 6 x 8: every conversion on a small patch
chain = {'uint8': small, 'float32': F.convert_image_dtype(small, torch.float32), 'float64': F.convert_image_dtype(small, torch.float64)}
for src, dst in [('uint8', 'float32'), ('uint8', 'float64'), ('uint8', 'int32'), ('uint8', 'int64'), ('uint8', 'int16'),
                 ('float32', 'uint8'), ('float32', 'int16'), ('float64', 'int8'), ('float64', 'float32'),
                 ('int32', 'uint8'), ('int16', 'int8'), ('int64', 'int16'), ('uint8', 'uint8')]:
    x = chain[src]
    out = T.ConvertImageDtype(getattr(torch, dst))(x)
    chain.setdefault(dst, out)
    convert.append({'from': src, 'to': dst, 'input': enc(x), 'out': enc(out)})
for src, dst in [('float32', 'int32'), ('float32', 'int64'), ('float64', 'int64')]:
    try:
        F.convert_image_dtype(chain[src], getattr(torch, dst))
    except RuntimeError as e:
        convert.append({'from': src, 'to': dst, 'error': str(e)})
fx['convert_image_dtype'] = convert

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
# on the top-left 12 x 16 of the image
fx['normalize'] = {
    'float32': enc(T.Normalize(MEAN, STD)(fimg[:, :12, :16])),
    'float64': enc(T.Normalize(MEAN, STD)(dimg[:, :12, :16])),
    'batch': enc(T.Normalize([0.5, 0.25, 0.125], [0.5, 2.0, 3.0])(F.convert_image_dtype(batch[..., :12, :16], torch.float32))),
}
try:
    F.normalize(fimg, MEAN, [0.2, 0.0, 0.1])
except ValueError as e:
    fx['normalize']['std_zero_error'] = str(e)

# ToTensor on the PIL image of each PNG (HWC uint8 -> float CHW in [0, 1])
fx['to_tensor'] = {name: enc(T.ToTensor()(Image.open(images[name]).convert(mode)))
                   for name, mode in [('rgb.png', 'RGB'), ('gray.png', 'L')]}

fx['pipeline'] = {
    'compose': enc(T.Compose([T.Resize(24, **PIN), T.CenterCrop(20), T.ConvertImageDtype(torch.float), T.Normalize(MEAN, STD)])(img)),
    'preset': enc(ImageClassification(crop_size=20, resize_size=24, **PIN)(img)),
    'preset_batch': enc(ImageClassification(crop_size=16, resize_size=18, **PIN)(batch)),
}

# ---- random transforms after manual_seed -----------------------------------------------------

rrc_params = []
for seed in [0, 1, 2, 3, 42, 1234]:
    for scale, ratio in [((0.08, 1.0), (3.0 / 4.0, 4.0 / 3.0)), ((0.5, 1.0), (1.0, 1.0)), ((0.9, 1.0), (0.2, 0.3)), ((5.0, 6.0), (0.5, 2.0)), ((5.0, 6.0), (2.0, 3.0))]:
        torch.manual_seed(seed)
        p = T.RandomResizedCrop.get_params(img, list(scale), list(ratio))
        after = torch.rand(1).item()   # where the generator is left
        rrc_params.append({'seed': seed, 'scale': list(scale), 'ratio': list(ratio), 'params': list(p), 'next_rand': after})
rrc_out = []
for seed, size, kw in [(7, 16, {}), (3, [12, 20], {'antialias': True}), (11, 8, {'interpolation': InterpolationMode.NEAREST}),
                       (5, [10, 10], {'scale': (0.3, 0.6), 'ratio': (0.5, 2.0)})]:
    torch.manual_seed(seed)
    t = T.RandomResizedCrop(size, **{**PIN, **kw})
    outs = [enc(t(img)) for _ in range(2)]
    rrc_out.append({'seed': seed, 'size': size, 'antialias': kw.get('antialias'),
                    'interpolation': kw['interpolation'].value if 'interpolation' in kw else 'bilinear',
                    'scale': list(kw.get('scale', (0.08, 1.0))), 'ratio': list(kw.get('ratio', (3.0 / 4.0, 4.0 / 3.0))), 'outs': outs})
fx['random_resized_crop'] = {'params': rrc_params, 'forward': rrc_out}

flips = []
for seed, p in [(0, 0.5), (1, 0.5), (2, 0.3), (3, 0.9)]:
    torch.manual_seed(seed)
    t = T.RandomHorizontalFlip(p)
    flips.append({'seed': seed, 'p': p, 'flipped': [bool(torch.equal(t(img), F.hflip(img))) for _ in range(20)]})
fx['random_horizontal_flip'] = flips

# ---- printed forms -----------------------------------------------------------------------------

fx['repr'] = {
    'Resize(224)': repr(T.Resize(224)),
    'Resize([224])': repr(T.Resize([224])),
    "Resize([10, 20], nearest, antialias=False)": repr(T.Resize([10, 20], interpolation=InterpolationMode.NEAREST, antialias=False)),
    'CenterCrop(224)': repr(T.CenterCrop(224)),
    'CenterCrop([10, 15])': repr(T.CenterCrop([10, 15])),
    'Normalize': repr(T.Normalize(MEAN, STD)),
    'RandomResizedCrop(224)': repr(T.RandomResizedCrop(224)),
    'RandomHorizontalFlip()': repr(T.RandomHorizontalFlip()),
    'RandomHorizontalFlip(0.3)': repr(T.RandomHorizontalFlip(0.3)),
    'ConvertImageDtype(float)': repr(T.ConvertImageDtype(torch.float)),
    'ToTensor()': repr(T.ToTensor()),
    'Compose': repr(T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize(MEAN, STD)])),
    'ImageClassification(crop_size=224)': repr(ImageClassification(crop_size=224)),
}

if not BASE:  # messages and printed forms are torchvision's own, not LibTorch's: 0.14's
    b = base_fixture('transforms.json')
    fx['repr'] = b['repr']
    for r, rb in zip(fx['resize'], b['resize']):  # 0.14 hands back the input itself when the size is its own
        r['same_object'] = rb['same_object']
    fx['normalize']['std_zero_error'] = b['normalize']['std_zero_error']
    fx['convert_image_dtype'] = [c if 'error' not in c else next(x for x in b['convert_image_dtype'] if (x['from'], x['to']) == (c['from'], c['to']))
                                 for c in fx['convert_image_dtype']]
with open(OUT, 'w') as f:
    json.dump(fx, f, separators=(',', ':'))
    f.write('\n')
total = os.path.getsize(OUT) + sum(os.path.getsize(p) for p in images.values())
print(f'wrote {os.path.relpath(OUT, ROOT)} and {len(images)} images ({total / 1024:.1f} KiB in all)')
