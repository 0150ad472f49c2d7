#!/usr/bin/env python3
"""Reference fixtures for the kernels' forward and backward passes (kernels/.../KernelParityTest).

For small random cases of each op (LayerNorm, GroupNorm, exact GELU, Linear, Conv1d, masked
multi-head attention) this computes, with torch.autograd in float64, the output and the gradients
of the functional L = sum(d_out * out) with respect to every input and parameter. Inputs are drawn
in float32 and promoted, so the references are exact for the float32 values the Java test reads;
everything is written as float32 .npy (rounding a float64 reference to float32 costs ~6e-8
relative, far below the 1e-5 the test allows).

Layout: kernels/src/test/resources/kernels/<op>/<case>/{case.json, <tensor>.npy}, time-major
([T, C], batches [B, T, C]) as the Java kernels use; conv weights in PyTorch's layout
[cOut, cIn/groups, kernel] (the Java test packs them).

Run: /usr/bin/python3 scripts/make_kernel_fixtures.py  (torch 1.13, CPU)
"""
import json
import math
import os
import shutil

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(2)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kernels", "src", "test", "resources",
                    "kernels")


def f32(rng, shape, lo=-1.0, hi=1.0):
    """A float32 draw, promoted to a float64 leaf that requires grad."""
    x = rng.uniform(lo, hi, size=shape).astype(np.float32)
    return torch.tensor(x.astype(np.float64), requires_grad=True)


def write_case(op, case, params, tensors):
    d = os.path.join(ROOT, op, case)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "case.json"), "w") as f:
        json.dump(params, f, indent=1, sort_keys=True)
        f.write("\n")
    for name, t in tensors.items():
        a = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
        np.save(os.path.join(d, name + ".npy"), np.ascontiguousarray(a, dtype=np.float32))


def backward(out, rng):
    """Random float32 d_out; returns it after out.backward(d_out)."""
    d_out = torch.tensor(rng.uniform(-1, 1, size=out.shape).astype(np.float32).astype(np.float64))
    out.backward(d_out)
    return d_out


def layer_norm(rng):
    rows, dim, eps = 30, 48, 1e-5
    x = torch.tensor((3 + 2 * rng.standard_normal((rows, dim))).astype(np.float32).astype(np.float64),
                     requires_grad=True)  # mean 3, spread 2: a one-pass variance would show
    gamma, beta = f32(rng, dim, 0.5, 1.5), f32(rng, dim)
    out = F.layer_norm(x, (dim,), gamma, beta, eps)
    d_out = backward(out, rng)
    write_case("layer_norm", "rows30_dim48", {"rows": rows, "dim": dim, "eps": eps},
               {"inp": x, "gamma": gamma, "beta": beta, "out": out, "d_out": d_out,
                "d_inp": x.grad, "d_gamma": gamma.grad, "d_beta": beta.grad})


def group_norm(rng, case, t, t_valid, channels, groups):
    eps = 1e-5
    x = torch.tensor((3 + 2 * rng.standard_normal((t, channels))).astype(np.float32).astype(np.float64),
                     requires_grad=True)
    gamma, beta = f32(rng, channels, 0.5, 1.5), f32(rng, channels)
    # torch's GroupNorm on [1, C, T] over the valid frames only; padded frames are 0.
    valid = F.group_norm(x[:t_valid].t().unsqueeze(0), groups, gamma, beta, eps)[0].t()
    out = torch.cat([valid, torch.zeros(t - t_valid, channels, dtype=torch.float64)], 0)
    d_out = backward(out, rng)
    write_case("group_norm", case, {"t": t, "t_valid": t_valid, "channels": channels, "groups": groups, "eps": eps},
               {"inp": x, "gamma": gamma, "beta": beta, "out": out, "d_out": d_out,
                "d_inp": x.grad, "d_gamma": gamma.grad, "d_beta": beta.grad})


def gelu(rng):
    n = 1000
    x = f32(rng, n, -6, 6)
    out = F.gelu(x)  # exact (erf) form
    d_out = backward(out, rng)
    write_case("gelu", "n1000", {"n": n}, {"inp": x, "out": out, "d_out": d_out, "d_inp": x.grad})


def linear(rng):
    rows, in_dim, out_dim = 30, 48, 40
    x, w, b = f32(rng, (rows, in_dim)), f32(rng, (out_dim, in_dim), -0.2, 0.2), f32(rng, out_dim)
    out = F.linear(x, w, b)
    d_out = backward(out, rng)
    write_case("linear", "rows30_48to40", {"rows": rows, "in_dim": in_dim, "out_dim": out_dim},
               {"inp": x, "weight": w, "bias": b, "out": out, "d_out": d_out,
                "d_inp": x.grad, "d_weight": w.grad, "d_bias": b.grad})


def conv1d(rng, case, t_in, c_in, c_out, kernel, stride, padding, groups):
    x = f32(rng, (t_in, c_in))
    w = f32(rng, (c_out, c_in // groups, kernel), -0.5, 0.5)
    b = f32(rng, c_out)
    out = F.conv1d(x.t().unsqueeze(0), w, b, stride=stride, padding=padding, groups=groups)[0].t()
    d_out = backward(out, rng)
    write_case("conv1d", case, {"t_in": t_in, "c_in": c_in, "c_out": c_out, "kernel": kernel, "stride": stride,
                                "padding": padding, "groups": groups},
               {"inp": x, "weight": w, "bias": b, "out": out, "d_out": d_out,
                "d_inp": x.grad, "d_weight": w.grad, "d_bias": b.grad})


def attention(rng, case, batch, t, heads, head_dim, valid):
    d = heads * head_dim
    q, k, v = f32(rng, (batch, t, d), -2, 2), f32(rng, (batch, t, d), -2, 2), f32(rng, (batch, t, d))

    def split(x):  # [B, T, H*hd] -> [B, H, T, hd]
        return x.view(batch, t, heads, head_dim).transpose(1, 2)

    scores = split(q) @ split(k).transpose(-1, -2) / math.sqrt(head_dim)
    key_pad = torch.arange(t)[None, :] >= torch.tensor(valid)[:, None]  # [B, T]: True = masked key
    scores = scores.masked_fill(key_pad[:, None, None, :], float("-inf"))
    out = (torch.softmax(scores, -1) @ split(v)).transpose(1, 2).reshape(batch, t, d)
    d_out = backward(out, rng)
    write_case("attention", case, {"batch": batch, "t": t, "heads": heads, "head_dim": head_dim,
                                   "valid_length": list(valid)},
               {"q": q, "k": k, "v": v, "out": out, "d_out": d_out, "d_q": q.grad, "d_k": k.grad, "d_v": v.grad})


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    rng = np.random.default_rng(20240611)
    layer_norm(rng)
    group_norm(rng, "per_channel", 40, 40, 32, 32)  # wav2vec2's extractor: groups == channels
    group_norm(rng, "grouped_padded", 40, 29, 24, 4)
    gelu(rng)
    linear(rng)
    conv1d(rng, "first_layer", 400, 1, 16, 10, 5, 0, 1)
    conv1d(rng, "strided", 99, 16, 24, 3, 2, 0, 1)
    conv1d(rng, "grouped_even_kernel", 50, 16, 16, 8, 1, 4, 4)
    conv1d(rng, "grouped_stride2", 61, 12, 10, 7, 2, 3, 2)
    attention(rng, "padded_batch", 3, 24, 2, 16, [24, 17, 1])
    attention(rng, "head_dim64", 2, 20, 1, 64, [20, 13])
    total = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(ROOT) for f in fs)
    print("wrote", ROOT, "(%d bytes)" % total)


if __name__ == "__main__":
    main()
