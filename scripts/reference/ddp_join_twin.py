"""The Python twin of test/support/ddp-join-rank.js: PyTorch 1.13's DDP with
uneven inputs under Join, and with communication hooks, so that Node ranks,
Python ranks and mixed pairs can be compared.

    /usr/bin/python3 scripts/reference/ddp_join_twin.py '{"rank":0,"world_size":2,"init_method":"tcp://127.0.0.1:29500","batches":[3,5]}'

Config (JSON, all optional but rank/world_size/init_method): batches (the number
of batches of each rank, [3, 5]), batch (4 rows per batch), join (true: the loop
runs under Join([ddp])), divide_by_initial_world_size (true), throw_on_early_termination
(false), hook (none | allreduce | fp16 | custom: the documented all_reduce-then-divide
hook | zero: a hook returning zeros, no communication), bn (a BatchNorm1d),
unused (a layer never used, with find_unused_parameters), static_graph (false), lr (0.1).
Prints one JSON line: the parameters and buffers at the end, the gradients of
the first step, every step's loss, and the error if the loop raised.
"""
import json
import os
import sys

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.distributed.algorithms.join import Join
from torch.distributed.algorithms.ddp_comm_hooks import default_hooks

cfg = json.loads(sys.argv[1])
torch.set_num_threads(1)
dist.init_process_group('gloo', init_method=cfg['init_method'], rank=cfg['rank'], world_size=cfg['world_size'])
rank, world = dist.get_rank(), dist.get_world_size()
batches, batch = cfg.get('batches', [3, 5]), cfg.get('batch', 4)


class Net(nn.Module):
    def __init__(self, bn, unused):
        super().__init__()
        self.fc1 = nn.Linear(6, 16)
        self.bn = nn.BatchNorm1d(16) if bn else None
        self.fc2 = nn.Linear(16, 3)
        self.unused = nn.Linear(16, 16) if unused else None

    def forward(self, x):
        x = F.relu(self.fc1(x))
        if self.bn is not None:
            x = self.bn(x)
        return self.fc2(x)


torch.manual_seed(rank)
model = Net(cfg.get('bn', False), cfg.get('unused', False))
ddp = nn.parallel.DistributedDataParallel(model, find_unused_parameters=cfg.get('unused', False), static_graph=cfg.get('static_graph', False))


def custom_hook(state, bucket):
    return dist.all_reduce(bucket.buffer(), async_op=True).get_future().then(lambda fut: fut.value()[0].div_(world))


def zero_hook(state, bucket):
    fut = torch.futures.Future()
    fut.set_result(bucket.buffer().mul_(0))
    return fut


hook = cfg.get('hook', 'none')
if hook != 'none':
    ddp.register_comm_hook(None, {'allreduce': default_hooks.allreduce_hook, 'fp16': default_hooks.fp16_compress_hook,
                                  'custom': custom_hook, 'zero': zero_hook}[hook])
opt = torch.optim.SGD(ddp.parameters(), lr=cfg.get('lr', 0.1), momentum=0.9)

torch.manual_seed(1234)
data = [(torch.randn(world * batch, 6), torch.randn(world * batch, 3)) for _ in range(max(batches))]
losses, first_grads = [], None


def train():
    global first_grads
    for step in range(batches[rank]):
        x, y = data[step]
        opt.zero_grad()
        loss = F.mse_loss(ddp(x[rank * batch:(rank + 1) * batch]), y[rank * batch:(rank + 1) * batch])
        loss.backward()
        if step == 0:
            first_grads = {n: (p.grad.flatten().tolist() if p.grad is not None else None) for n, p in model.named_parameters()}
        opt.step()
        losses.append(loss.item())


error = None
try:
    if cfg.get('join', True):
        with Join([ddp], throw_on_early_termination=cfg.get('throw_on_early_termination', False),
                  divide_by_initial_world_size=cfg.get('divide_by_initial_world_size', True)):
            train()
    else:
        train()
except RuntimeError as e:
    error = str(e)
print(json.dumps({
    'rank': rank,
    'params': {n: p.detach().flatten().tolist() for n, p in model.named_parameters()},
    'buffers': {n: b.flatten().tolist() for n, b in model.named_buffers()},
    'first_grads': first_grads, 'losses': losses, 'error': error,
}), flush=True)
# PyTorch 1.13 sometimes aborts at interpreter exit after a joined run with a
# comm hook ("terminate called without an active exception": a Gloo/Reducer
# thread destroyed while joinable). The results are out; skip the teardown.
os._exit(0)
