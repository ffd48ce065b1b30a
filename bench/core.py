# Python side of bench/run.js: the same measurements on the same LibTorch.
# Run by Debian's /usr/bin/python3 (python3-torch). Prints one JSON object.
import json, resource, sys, time
import torch

def per_call_ns(fn, calls, batch=100):
    for _ in range(min(calls, 20000)):  # warm-up, as bench/run.js does
        fn()
    samples = []
    for _ in range(calls // batch):
        t0 = time.perf_counter_ns()
        for _ in range(batch):
            fn()
        samples.append((time.perf_counter_ns() - t0) / batch)
    samples.sort()
    return samples[len(samples) // 2]

def rss_mb():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20

def main():
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    torch.manual_seed(0)
    a, b = torch.randn(1), torch.randn(1)
    out = {}
    out['add_small_ns'] = per_call_ns(lambda: torch.add(a, b), calls)
    t0 = time.perf_counter_ns()
    for _ in range(calls):
        torch.add(a, b)
    out['add_small_mean_ns'] = (time.perf_counter_ns() - t0) / calls
    out['add_small_inplace_ns'] = per_call_ns(lambda: a.add_(b), calls)
    m1, m2 = torch.randn(256, 256), torch.randn(256, 256)
    out['matmul_256_ns'] = per_call_ns(lambda: torch.matmul(m1, m2), 2000, 20)
    x = torch.randn(100000)
    out['add_100k_ns'] = per_call_ns(lambda: x.add(x), 20000, 50)
    out['add_100k_disposed_ns'] = out['add_100k_ns']  # Python frees at once: the same measure
    rss0 = rss_mb(); peak = rss0
    t0 = time.perf_counter()
    for i in range(4000):
        t = torch.ones(262144); u = t.add(1); v = u.mul(2)  # 3 MB of garbage
        if i % 50 == 0:
            peak = max(peak, rss_mb())
    out['garbage_loop_ms'] = (time.perf_counter() - t0) * 1000
    out['garbage_loop_rss_growth_mb'] = peak - rss0
    print(json.dumps(out))

main()
