#!/usr/bin/python3
"""Time torch.matmul (OpenBLAS under Debian's torch) on the GEMM shapes `w2v bench` reports.

Same layouts as the Java bench: forward NT (x . W^T, the nn.Linear layout), backward NN and TN.
Each shape: warm-up, then samples of >= 50 ms; the median GFLOP/s is printed (2*M*N*K flops).
The output tensor is preallocated (out=), as the Java bench reuses its C, so that the allocator
does not add page faults to the timing. Usage: /usr/bin/python3 scripts/bench_torch_gemm.py
[--threads 2] [--seconds 1.5]. Prints one JSON line.
"""
import argparse
import json
import statistics
import time

import torch

from bench_torch_forward import blas_line


def gflops(m, k, n, ta, tb, budget):
    g = torch.Generator().manual_seed(42)
    a = torch.rand((k, m) if ta else (m, k), generator=g) - 0.5
    b = torch.rand((n, k) if tb else (k, n), generator=g) - 0.5
    a = a.t() if ta else a
    b = b.t() if tb else b
    c = torch.empty(m, n)
    flop = 2.0 * m * n * k
    end = time.perf_counter() + 0.3 * budget
    torch.matmul(a, b, out=c)
    while time.perf_counter() < end:
        torch.matmul(a, b, out=c)
    t0 = time.perf_counter()
    torch.matmul(a, b, out=c)
    once = max(1e-6, time.perf_counter() - t0)
    per = max(1, int(0.05 / once))
    samples = max(5, int(budget * 0.7 / max(0.05, once * per)))
    res = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(per):
            torch.matmul(a, b, out=c)
        res.append(flop * per / (time.perf_counter() - t0) / 1e9)
    return statistics.median(res)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=1.5)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t, d, f = 500, 768, 3072
    fwd, by_layout = {}, {}
    for m, k, n in [(t, d, d), (t, d, f), (t, f, d)]:
        g = gflops(m, k, n, False, True, args.seconds)
        fwd["%dx%dx%d" % (m, k, n)] = round(g, 1)
        by_layout["NT %dx%dx%d" % (m, k, n)] = round(g, 1)
    for m, k, n in [(t, f, d), (t, d, f)]:
        by_layout["NN %dx%dx%d" % (m, k, n)] = round(gflops(m, k, n, False, False, args.seconds), 1)
    for m, k, n in [(f, t, d), (d, t, f)]:
        by_layout["TN %dx%dx%d" % (m, k, n)] = round(gflops(m, k, n, True, False, args.seconds), 1)
    print(json.dumps({"impl": "torch", "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "gemm_gflops": fwd, "gemm_gflops_by_layout": by_layout, "blas": blas_line()}))


if __name__ == "__main__":
    main()
