#!/usr/bin/python3
"""Time torchaudio's wav2vec2_base() forward on CPU (reference number for the Java implementation).

Usage: /usr/bin/python3 scripts/bench_torch_forward.py [--seconds 10] [--runs 5] [--threads 2]
Prints one JSON line.
"""
import argparse
import json
import os
import re
import statistics
import time

import torch
import torchaudio


def blas_line():
    """BLAS_INFO from torch's build config plus the BLAS shared library actually mapped in this process."""
    parts = []
    try:
        m = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
        if m:
            parts.append("BLAS_INFO=" + m.group(1))
    except Exception:
        pass
    try:
        torch.randn(64, 64) @ torch.randn(64, 64)  # make sure the BLAS library is loaded
        libs = set()
        with open("/proc/self/maps") as f:
            for line in f:
                p = line.split()[-1]
                if re.search(r"(openblas|libblas|mkl_rt|libmkl|blis)", os.path.basename(p)):
                    libs.add(os.path.realpath(p))
        parts += sorted(libs)
    except Exception:
        pass
    return "; ".join(parts) if parts else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torchaudio.models.wav2vec2_base().eval()
    n = int(round(args.seconds * 16000))
    x = 0.3 * torch.randn(1, n)
    times = []
    with torch.inference_mode():
        for _ in range(args.warmup):
            out, _ = model(x)
        for _ in range(args.runs):
            t0 = time.perf_counter()
            out, _ = model(x)
            times.append(time.perf_counter() - t0)
    rec = {
        "impl": "torchaudio",
        "model": "wav2vec2_base (random init, eval, inference_mode)",
        "torch": torch.__version__,
        "torchaudio": torchaudio.__version__,
        "threads": torch.get_num_threads(),
        "samples": n,
        "frames": int(out.shape[1]),
        "forward_s_%gs" % args.seconds: statistics.median(times),
        "min_s": min(times),
        "runs": [round(t, 4) for t in times],
        "blas": blas_line(),
    }
    print(json.dumps(rec))


if __name__ == "__main__":
    main()
