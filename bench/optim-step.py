#!/usr/bin/python3
"""The Python half of bench/optim-step.js: one optimizer step over ResNet-18's
62 parameter shapes (11.7M floats), timed the same way as the JS half.

Standalone:   /usr/bin/python3 bench/optim-step.py [--threads N] [--steps N] [--rounds N]
Served:       --serve: reads commands from stdin ('make SGD', 'run SGD 20', 'free SGD'), answers one JSON line each
              (so that bench/optim-step.js can interleave Python's rounds with its own).
"""
import argparse
import gc
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPES = json.load(open(os.path.join(HERE, 'resnet18-shapes.json')))


def check_shapes():
    try:
        import torchvision  # noqa: F401
    except ImportError:
        return None
    import torchvision.models
    got = [list(p.shape) for p in torchvision.models.resnet18().parameters()]
    return got == SHAPES


def make(name):
    """'SGD' (momentum 0.9) and 'Adam' over ResNet-18's shapes; 'SGD-tiny': 62 tensors of 4
    floats, where the step is all per-call overhead."""
    torch.manual_seed(0)
    shapes = [[4]] * len(SHAPES) if name == 'SGD-tiny' else SHAPES
    params = [torch.randn(s, requires_grad=True) for s in shapes]
    for p in params:
        p.grad = torch.randn(p.shape)
    if name.startswith('SGD'):
        opt = torch.optim.SGD(params, lr=0.01, momentum=0.9)
    else:
        opt = torch.optim.Adam(params, lr=1e-3)
    for _ in range(3):  # warm up; creates the state
        opt.step()
    return opt


def round_ms(opt, steps):
    t0 = time.perf_counter()
    for _ in range(steps):
        opt.step()
    return (time.perf_counter() - t0) * 1000 / steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=None)
    ap.add_argument('--steps', type=int, default=20)
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--serve', action='store_true')
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    opts = {}
    if a.serve:
        print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads(),
                          'shapes_match_torchvision': check_shapes()}), flush=True)
        for line in sys.stdin:
            cmd, name, *rest = line.split()
            if cmd == 'make':
                opts[name] = make(name)
                print(json.dumps({'made': name}), flush=True)
            elif cmd == 'run':
                print(json.dumps({'ms': round_ms(opts[name], int(rest[0]))}), flush=True)
            elif cmd == 'free':
                del opts[name]
                gc.collect()
                print(json.dumps({'freed': name}), flush=True)
        return
    print(f'torch {torch.__version__}, {torch.get_num_threads()} thread(s), shapes match torchvision: {check_shapes()}')
    for name in ['SGD', 'Adam', 'SGD-tiny']:
        opt = make(name)
        ms = sorted(round_ms(opt, a.steps * (50 if name == 'SGD-tiny' else 1)) for _ in range(a.rounds))
        del opt
        gc.collect()
        print(f'{name:5s} step: median {ms[len(ms) // 2]:.2f} ms, min {ms[0]:.2f} ms ({a.rounds} rounds of {a.steps} steps)')


if __name__ == '__main__':
    main()
