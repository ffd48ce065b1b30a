#!/usr/bin/python3
"""The Python half of bench/rnn-transformer.js: one training step of a small LSTM
language model and of a Transformer encoder, timed the same way as the JS half.

Standalone:   /usr/bin/python3 bench/rnn-transformer.py [--threads N] [--steps N] [--rounds N]
Served:       --serve: reads 'make NAME', 'run NAME N', 'free NAME' from stdin, answers one JSON line each.
"""
import argparse
import gc
import json
import sys
import time

import torch
import torch.nn as nn

VOCAB, EMB, HIDDEN, BATCH, SEQ = 1000, 64, 128, 16, 20
D_MODEL, NHEAD, FF = 64, 4, 128


class LSTMLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(VOCAB, EMB)
        self.lstm = nn.LSTM(EMB, HIDDEN, 2)
        self.out = nn.Linear(HIDDEN, VOCAB)

    def forward(self, x):
        y, _ = self.lstm(self.emb(x))
        return self.out(y)


def make(name):
    """A model, its optimizer and one step as a closure; inputs fixed by the seed."""
    torch.manual_seed(0)
    if name == 'lstm-lm':
        model = LSTMLM()
        x = torch.randint(0, VOCAB, (SEQ, BATCH))
        target = torch.randint(0, VOCAB, (SEQ * BATCH,))
        loss_fn = nn.CrossEntropyLoss()
        compute = lambda: loss_fn(model(x).reshape(-1, VOCAB), target)  # noqa: E731
    else:
        layer = nn.TransformerEncoderLayer(D_MODEL, NHEAD, FF, batch_first=True)
        model = nn.TransformerEncoder(layer, 2)
        x = torch.randn(BATCH, SEQ, D_MODEL)
        compute = lambda: model(x).pow(2).mean()  # noqa: E731
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        loss = compute()
        loss.backward()
        opt.step()
        return loss
    for _ in range(2):
        step()
    return step


def round_ms(step, n):
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - t0) * 1000 / n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=None)
    ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--rounds', type=int, default=5)
    ap.add_argument('--serve', action='store_true')
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    steps = {}
    if a.serve:
        print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
        for line in sys.stdin:
            cmd, name, *rest = line.split()
            if cmd == 'make':
                steps[name] = make(name)
                print(json.dumps({'loss': float(steps[name]())}), flush=True)
            elif cmd == 'run':
                print(json.dumps({'ms': round_ms(steps[name], int(rest[0]))}), flush=True)
            elif cmd == 'free':
                del steps[name]
                gc.collect()
                print(json.dumps({'freed': name}), flush=True)
        return
    for name in ['lstm-lm', 'transformer-encoder']:
        step = make(name)
        ms = sorted(round_ms(step, a.steps) for _ in range(a.rounds))
        print(f'{name}: median {ms[len(ms) // 2]:.2f} ms, min {ms[0]:.2f} ms per step')


if __name__ == '__main__':
    main()
