"""The Python twin of examples/ddp.ts and test/support/ddp-rank.js: the same
model, data, seeds and steps under PyTorch 1.13's DistributedDataParallel, so a
Python rank can train together with Node ranks (or instead of them) and the
results compare.

    /usr/bin/python3 scripts/reference/ddp_twin.py '{"rank":0,"world_size":2,"init_method":"tcp://127.0.0.1:29500"}'
    torchrun --nproc_per_node 2 scripts/reference/ddp_twin.py   (env://: config from the environment)

The config (JSON, all keys optional): rank, world_size, init_method (default
env://), steps (3), batch (4 per rank), hidden (16: the width; 600 makes
fc2 larger than DDP's 1 MB first bucket, so buckets split), bn (a BatchNorm1d: buffers to
broadcast), unused (a layer forward never uses, with find_unused_parameters), aux (a second
output head the loss ignores, with find_unused_parameters), static_graph, fp16_hook (the
built-in FP16_COMPRESS communication hook),
no_sync (every step: a first micro-batch under no_sync, then a synchronized one),
bucket_cap_mb (25), gradient_as_bucket_view, lr (0.1). Prints one JSON line:
the parameters after the last step, the gradients of the first step, and the
loss of every step.
"""
import json
import sys

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

cfg = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
torch.set_num_threads(1)
init = cfg.get('init_method', 'env://')
if 'rank' in cfg:
    dist.init_process_group('gloo', init_method=init, rank=cfg['rank'], world_size=cfg['world_size'])
else:
    dist.init_process_group('gloo', init_method=init)
rank, world = dist.get_rank(), dist.get_world_size()
steps, batch = cfg.get('steps', 3), cfg.get('batch', 4)


class Net(nn.Module):
    def __init__(self, hidden, bn, unused, aux):
        super().__init__()
        self.fc1 = nn.Linear(6, hidden)
        self.bn = nn.BatchNorm1d(hidden) if bn else None
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, 3)
        self.unused = nn.Linear(hidden, hidden) if unused else None
        self.aux = nn.Linear(hidden, 3) if aux else None

    def forward(self, x):
        x = F.relu(self.fc1(x))
        if self.bn is not None:
            x = self.bn(x)
        h = F.relu(self.fc2(x))
        return (self.fc3(h), self.aux(h)) if self.aux is not None else self.fc3(h)


# Each rank starts from different weights: DDP's constructor must broadcast rank 0's.
torch.manual_seed(rank)
model = Net(cfg.get('hidden', 16), cfg.get('bn', False), cfg.get('unused', False), cfg.get('aux', False))
ddp = nn.parallel.DistributedDataParallel(
    model, bucket_cap_mb=cfg.get('bucket_cap_mb', 25),
    find_unused_parameters=cfg.get('unused', False) or cfg.get('aux', False),
    gradient_as_bucket_view=cfg.get('gradient_as_bucket_view', False), static_graph=cfg.get('static_graph', False))

if cfg.get('fp16_hook', False):
    ddp._register_builtin_comm_hook(dist.BuiltinCommHookType.FP16_COMPRESS)


def net(x):
    out = ddp(x)
    return out[0] if isinstance(out, tuple) else out


opt = torch.optim.SGD(ddp.parameters(), lr=cfg.get('lr', 0.1), momentum=0.9)

# The whole batch of every step, the same on every rank; each rank takes its slice.
torch.manual_seed(1234)
micro = 2 if cfg.get('no_sync', False) else 1
data = [[(torch.randn(world * batch, 6), torch.randn(world * batch, 3)) for _ in range(micro)] for _ in range(steps)]
losses, first_grads = [], None
for step in range(steps):
    opt.zero_grad()
    total = 0.0
    for m, (x, y) in enumerate(data[step]):
        xs, ys = x[rank * batch:(rank + 1) * batch], y[rank * batch:(rank + 1) * batch]
        if m < micro - 1:
            with ddp.no_sync():
                loss = F.mse_loss(net(xs), ys)
                loss.backward()
        else:
            loss = F.mse_loss(net(xs), ys)
            loss.backward()
        total += loss.item()
    if step == 0:
        first_grads = {n: (p.grad.flatten().tolist() if p.grad is not None else None) for n, p in model.named_parameters()}
    opt.step()
    losses.append(total)
out = {
    'rank': rank,
    'params': {n: p.detach().flatten().tolist() for n, p in model.named_parameters()},
    'buffers': {n: b.flatten().tolist() for n, b in model.named_buffers()},
    'first_grads': first_grads,
    'losses': losses,
}
print(json.dumps(out), flush=True)
dist.destroy_process_group()
