"""A Python rank for test/distributed.test.js: joins the same Gloo group as the
Node ranks and runs the same sequence of collectives, printing what it got.

    /usr/bin/python3 scripts/reference/dist_rank.py RANK WORLD_SIZE PORT
"""
import json
import sys

import torch
import torch.distributed as dist

rank, world, port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=world)
out = {}
t = torch.full([3], rank + 1.0)
dist.all_reduce(t)
out['all_reduce'] = t.tolist()
b = torch.tensor([7.0, 8.0]) if rank == world - 1 else torch.zeros(2)
dist.broadcast(b, src=world - 1)
out['broadcast'] = b.tolist()
gathered = [torch.zeros(2) for _ in range(world)]
dist.all_gather(gathered, torch.tensor([float(rank), rank * 10.0]))
out['all_gather'] = [g.tolist() for g in gathered]
if rank == world - 1:
    buf = torch.zeros(2)
    dist.recv(buf, src=1)
    out['recv'] = buf.tolist()
dist.barrier()
m = torch.tensor([float(rank)])
dist.all_reduce(m, op=dist.ReduceOp.MAX, async_op=True).wait()
out['all_reduce_max'] = m.tolist()
r = torch.ones(1)
dist.reduce(r, dst=0)
out['reduce'] = r.tolist()
print(json.dumps(out), flush=True)
dist.destroy_process_group()
