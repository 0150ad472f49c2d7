#!/usr/bin/env python3
"""Reference fixtures for the CTC loss (train/.../ctc/CtcLoss.java).

One padded batch of random logits [B, T_MAX, V] (float32 values, so Java reads exactly the numbers
torch used), blank 0, and targets chosen to cover the edge cases:
  0  long utterance, random target (may repeat labels), sharp logits (scale 4)
  1  target of length 1
  2  a repeated label "3 3" inside the target
  3  "4 4 4" in exactly 5 frames: the only path is 4 _ 4 _ 4
  4  target longer than the utterance (L > T): impossible
  5  "1 1 1 1" in 6 frames: L <= T but the repeats need 7: impossible
  6  empty target (all-blank path; 'mean' divides by max(L, 1))
  7  short utterance in a long padded row, padding filled with large values that must be ignored

torch.nn.functional.ctc_loss(log_softmax(logits), ...) runs in float64 with autograd gradients with
respect to the logits, for reduction none/sum/mean and zero_infinity False/True. Writes
train/src/test/resources/ctc/: logits.npy (<f4), grad_<reduction>_zi<0|1>.npy (<f8) and case.json.
For zero_infinity=False torch 1.13's CPU gradient is NaN on the rows of the impossible utterances
(and finite elsewhere); the files keep those NaNs.

Run: /usr/bin/python3 scripts/make_ctc_fixtures.py  (torch 1.13, CPU)
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(2)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train", "src", "test", "resources", "ctc")

V, T_MAX, BLANK = 10, 50, 0


def main():
    rng = np.random.default_rng(20240607)
    frames = [50, 17, 25, 5, 6, 6, 30, 9]
    targets = [
        list(rng.integers(1, V, size=20)),
        [7],
        [2, 3, 3, 5],
        [4, 4, 4],
        [1, 2, 3, 4, 5, 6, 7],
        [1, 1, 1, 1],
        [],
        [8, 9],
    ]
    targets = [[int(x) for x in t] for t in targets]
    b = len(frames)
    logits = rng.standard_normal((b, T_MAX, V)).astype(np.float32)
    logits[0] *= 4
    logits[7, frames[7]:] = 50.0  # padding: would dominate if it were read
    os.makedirs(ROOT, exist_ok=True)
    np.save(os.path.join(ROOT, "logits.npy"), logits)

    case = {"B": b, "T_MAX": T_MAX, "V": V, "blank": BLANK, "frames": frames, "targets": targets}
    flat = torch.tensor([x for t in targets for x in t], dtype=torch.long)
    in_len = torch.tensor(frames, dtype=torch.long)
    tg_len = torch.tensor([len(t) for t in targets], dtype=torch.long)
    for zi in (False, True):
        for red in ("none", "sum", "mean"):
            x = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
            lp = x.log_softmax(-1).transpose(0, 1)  # torch wants [T, B, V]
            loss = F.ctc_loss(lp, flat, in_len, tg_len, blank=BLANK, reduction=red, zero_infinity=zi)
            key = f"{red}_zi{int(zi)}"
            if red == "none":
                case["loss_" + key] = [float(v) for v in loss.detach()]
                continue
            case["loss_" + key] = float(loss.detach())
            loss.backward()
            np.save(os.path.join(ROOT, f"grad_{key}.npy"), x.grad.numpy())
    with open(os.path.join(ROOT, "case.json"), "w") as f:
        json.dump(case, f, indent=1)
        f.write("\n")
    print(json.dumps({k: v for k, v in case.items() if k.startswith("loss")}, indent=1))


if __name__ == "__main__":
    main()
