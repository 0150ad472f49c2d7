#!/usr/bin/python3
"""Time a torchaudio wav2vec2_base forward+backward on CPU: the reference for w2v4j's training step.

Batch 4 x 5 s (the issue's setting), train mode, layer drop 0, loss = sum of the encoder output
(torchaudio has no wav2vec 2.0 pre-training objective; the objective's own cost is small next to
the encoder's). Usage: /usr/bin/python3 scripts/bench_torch_train.py [--batch 4] [--seconds 5]
Prints one JSON line.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torchaudio

from bench_torch_forward import blas_line


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torchaudio.models.wav2vec2_base(encoder_layer_drop=0.0).train()
    n = int(round(args.seconds * 16000))
    x = 0.3 * torch.randn(args.batch, n)
    times = []
    for i in range(args.warmup + args.runs):
        t0 = time.perf_counter()
        model.zero_grad(set_to_none=True)
        out, _ = model(x)
        out.sum().backward()
        dt = time.perf_counter() - t0
        if i >= args.warmup:
            times.append(dt)
    med = statistics.median(times)
    print(json.dumps({
        "impl": "torchaudio",
        "model": "wav2vec2_base (random init, train mode, layer drop 0, loss = out.sum())",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "batch": args.batch,
        "seconds": args.seconds,
        "train_step_s": med,
        "samples_per_s": args.batch * n / med,
        "runs": [round(t, 3) for t in times],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "blas": blas_line(),
    }))


if __name__ == "__main__":
    main()
