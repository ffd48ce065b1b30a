#!/usr/bin/python3
"""One rank of bench/allreduce.js's Python side: all_reduce of float32 tensors
of the given sizes on a Gloo group over 127.0.0.1, timed as the Node rank is
(warm-up, a barrier, then `iters` all_reduces per size, median seconds).

    /usr/bin/python3 bench/allreduce.py RANK WORLD PORT '{"1MB": [262144, 50], "100MB": [26214400, 5]}'
Rank 0 prints one JSON line: {size name: median seconds per all_reduce}.
"""
import json
import statistics
import sys
import time

import torch
import torch.distributed as dist

rank, world, port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
sizes = json.loads(sys.argv[4])
torch.set_num_threads(1)
dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=world)
out = {}
for name, (numel, iters) in sizes.items():
    t = torch.ones(numel)
    for _ in range(2):
        dist.all_reduce(t)
    times = []
    for _ in range(iters):
        dist.barrier()
        t0 = time.perf_counter()
        dist.all_reduce(t)
        times.append(time.perf_counter() - t0)
    out[name] = statistics.median(times)
if rank == 0:
    print(json.dumps(out), flush=True)
dist.destroy_process_group()
