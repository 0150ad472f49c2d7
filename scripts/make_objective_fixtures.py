#!/usr/bin/env python3
"""Reference fixtures for the wav2vec 2.0 pre-training objective (train/.../objective).

A from-scratch PyTorch version of fairseq's code path after the encoder, written to mirror it:
GumbelVectorQuantizer.forward (noise passed in explicitly), Wav2Vec2Model.compute_preds
(cosine / logit_temp, neg_is_pos -> -inf) and wav2vec_criterion (CE summed, loss_weights, sample_size
normalisation), in float32 as fairseq runs it. Autograd gives every gradient.

Writes, per case, inputs, parameters, loss terms and gradients as .npy + case.json under
train/src/test/resources/objective/<case>/. Masks and negatives are drawn here (numpy), because
the Java samplers use a different RNG; the Java test feeds them in as given.

Run: /usr/bin/python3 scripts/make_objective_fixtures.py  (torch 1.13, CPU)
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(2)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train", "src", "test", "resources", "objective")

B, T, F_DIM, D, G, V, VQ, FIN, C_RAW = 2, 20, 16, 24, 2, 8, 16, 12, 16
KAPPA, ALPHA = 0.1, 0.1


def compute_mask(rng, sizes, width, prob, length, min_masks, require_same):
    """fairseq compute_mask_indices: static spans, overlap, num_mask_ver=2, idc_select_ver=1."""
    idcs = []
    for sz in sizes:
        num = max(min_masks, int(prob * sz / float(length) + rng.random()))
        min_len = length
        if sz - min_len <= num:
            min_len = sz - num - 1
        starts = rng.choice(sz - min_len, num, replace=False)
        idc = np.asarray([s + o for s in starts for o in range(length)])
        idcs.append(np.unique(idc[idc < sz]))
    mask = np.zeros((len(sizes), width), dtype=bool)
    target = min(len(m) for m in idcs) if require_same else None
    for i, idc in enumerate(idcs):
        if target is not None and len(idc) > target:
            idc = rng.choice(idc, target, replace=False)
        mask[i, idc] = True
    return mask


def sample_negatives(rng, utt_of_step, k, cross_k):
    """Same semantics as NegativeSampler.java: uniform over the utterance's other masked steps,
    cross-sample ones uniform over all other masked steps of the batch."""
    n = len(utt_of_step)
    out = np.zeros((n, k + cross_k), dtype=np.int32)
    starts = {}
    counts = {}
    for i, u in enumerate(utt_of_step):
        starts.setdefault(u, i)
        counts[u] = counts.get(u, 0) + 1
    for i, u in enumerate(utt_of_step):
        pos = i - starts[u]
        for j in range(k):
            r = rng.integers(0, counts[u] - 1)
            out[i, j] = starts[u] + r + (1 if r >= pos else 0)
        for j in range(cross_k):
            r = rng.integers(0, n - 1)
            out[i, k + j] = r + (1 if r >= i else 0)
    return out


def _f32(t):
    """fairseq's `.float()` (upcast for fp16 training); float64 inputs stay float64 so that
    make_pretrain_fixtures.py can run this same function as a float64 reference."""
    return t if t.dtype == torch.float64 else t.float()


def objective(inp, prm, cfg, noise):
    """Returns dict of outputs; leaves in inp/prm get .grad after backward."""
    rows = torch.from_numpy(inp["rows"]).long()
    n = rows.numel()
    x = inp["features"][rows]  # [N, F] unmasked_features[mask_indices]
    # GumbelVectorQuantizer.forward
    lg = (x @ prm["wp_w"].t() + prm["wp_b"]).view(n * G, V)
    _, k = lg.max(-1)
    hard_x = lg.new_zeros(*lg.shape).scatter_(-1, k.view(-1, 1), 1.0).view(n, G, -1)
    hard_probs = torch.mean(_f32(hard_x), dim=0)
    code_ppl = torch.exp(-torch.sum(hard_probs * torch.log(hard_probs + 1e-7), dim=-1)).sum()
    avg_probs = torch.softmax(_f32(lg.view(n, G, -1)), dim=-1).mean(dim=0)
    prob_ppl = torch.exp(-torch.sum(avg_probs * torch.log(avg_probs + 1e-7), dim=-1)).sum()
    if noise is not None:
        # F.gumbel_softmax(hard=True) with the noise given instead of drawn
        y_soft = ((lg + noise.view(n * G, V)) / cfg["tau"]).softmax(-1)
        index = y_soft.max(-1, keepdim=True)[1]
        y_hard = torch.zeros_like(lg).scatter_(-1, index, 1.0)
        fairseq_value = y_hard - y_soft.detach() + y_soft
        # Same gradient as fairseq's formula; the value is the exact one-hot (fairseq's is <= 1 ulp off),
        # so that neg_is_pos depends on codes only, as in the Java code.
        onehot = y_hard + (y_soft - y_soft.detach())
        assert (fairseq_value - onehot).abs().max().item() < 1e-6
        codes = index.view(n, G)
    else:
        onehot = hard_x.view(n * G, V)
        codes = k.view(n, G)
    q = (onehot.view(n, G * V).unsqueeze(-1) * prm["cv"]).view(n, G, V, -1).sum(-2).view(n, -1)
    y = q @ prm["pq_w"].t() + prm["pq_b"]  # project_q
    neg_idx = torch.from_numpy(inp["negatives"]).long()
    negs = y[neg_idx.view(-1)].view(n, neg_idx.shape[1], FIN)
    c = inp["context"][rows] @ prm["ph_w"].t() + prm["ph_b"]  # final_proj / project_hid
    # compute_preds
    neg_is_pos = (y.unsqueeze(1) == negs).all(-1)
    targets = torch.cat([y.unsqueeze(1), negs], dim=1)
    logits = torch.cosine_similarity(_f32(c.unsqueeze(1)), _f32(targets), dim=-1)
    logits = logits / KAPPA
    logits = torch.cat([logits[:, :1], logits[:, 1:].masked_fill(neg_is_pos, float("-inf"))], dim=1)
    # wav2vec_criterion
    ce_sum = F.cross_entropy(logits, torch.zeros(n, dtype=torch.long), reduction="sum")
    diversity = (G * V - prob_ppl) / (G * V)
    pen = _f32(inp["raw"]).pow(2).mean()
    loss = ce_sum / n + ALPHA * diversity + cfg["beta"] * pen
    amax = logits.argmax(-1) == 0
    amin = logits.argmin(-1) == 0
    correct = int(amax.long().sum().item() - (amax & amin).long().sum().item())
    return dict(loss=loss, ce_sum=ce_sum, diversity=diversity, pen=pen, correct=correct, n=n,
                code_ppl=code_ppl, prob_ppl=prob_ppl, neg_is_pos=int(neg_is_pos.sum().item()),
                codes=codes, lg=lg.detach(), noisy=None if noise is None else (lg.detach() + noise.view(n * G, V)),
                logits=logits.detach())


def top2_gap(a):
    s = torch.sort(a, dim=-1, descending=True)[0]
    return (s[:, 0] - s[:, 1]).min().item()


def save(case, arrays, meta):
    d = os.path.join(ROOT, case)
    os.makedirs(d, exist_ok=True)
    for name, a in arrays.items():
        np.save(os.path.join(d, name + ".npy"), np.ascontiguousarray(a))
    with open(os.path.join(d, "case.json"), "w") as fh:
        json.dump(meta, fh, indent=1, sort_keys=True)


def make_case(name, seed, train, k, cross_k, beta, tau, require_same, force_dup):
    for attempt in range(200):
        rng = np.random.default_rng(seed + attempt)
        torch.manual_seed(seed + attempt)
        sizes = [T, T] if require_same else [T, T - 3]
        mask = compute_mask(rng, sizes, T, 0.65, 4, 2, require_same)
        rows = np.flatnonzero(mask.reshape(-1)).astype(np.int32)
        utt = rows // T
        negatives = sample_negatives(rng, utt, k, cross_k)
        n = len(rows)
        features = torch.randn(B * T, F_DIM)
        raw = torch.randn(B, C_RAW, T) * 0.5
        context = torch.randn(B * T, D)
        noise_np = -np.log(-np.log(rng.uniform(1e-12, 1.0, size=(n, G * V)))).astype(np.float32)
        if force_dup:
            # two masked steps of utterance 0 with identical input and noise -> identical codes,
            # identical targets; make the first use the second as a distractor.
            i1, i2 = 0, 1
            features[rows[i2]] = features[rows[i1]]
            noise_np[i2] = noise_np[i1]
            negatives[i1, 0] = i2
        prm = dict(
            wp_w=torch.randn(G * V, F_DIM) * 0.5, wp_b=torch.randn(G * V) * 0.1,
            cv=torch.rand(1, G * V, VQ // G),
            pq_w=(torch.rand(FIN, VQ) * 2 - 1) / math.sqrt(VQ), pq_b=(torch.rand(FIN) * 2 - 1) / math.sqrt(VQ),
            ph_w=(torch.rand(FIN, D) * 2 - 1) / math.sqrt(D), ph_b=(torch.rand(FIN) * 2 - 1) / math.sqrt(D))
        for t in prm.values():
            t.requires_grad_(True)
        inp = dict(rows=rows, negatives=negatives, features=features.requires_grad_(True),
                   raw=raw.requires_grad_(True), context=context.requires_grad_(True))
        noise = torch.from_numpy(noise_np) if train else None
        cfg = dict(tau=tau, beta=beta)
        out = objective(inp, prm, cfg, noise)
        # Margins: a float32-vs-double rounding must not flip any argmax the outputs depend on.
        gaps = [top2_gap(out["lg"])]
        if out["noisy"] is not None:
            gaps.append(top2_gap(out["noisy"] / tau))
        finite = out["logits"].clone()
        gaps.append(top2_gap(finite))
        if min(gaps) < 1e-3:
            continue
        if force_dup and out["neg_is_pos"] == 0:
            continue
        break
    else:
        sys.exit("no seed with safe margins for " + name)
    out["loss"].backward()
    arrays = dict(
        mask=mask.astype(np.uint8), negatives=negatives.astype(np.int32),
        features=features.detach().numpy(), raw=raw.detach().numpy(), context=context.detach().numpy(),
        **{n_: t.detach().numpy() for n_, t in prm.items()},
        d_features=features.grad.numpy(), d_raw=raw.grad.numpy(), d_context=context.grad.numpy(),
        **{"d_" + n_: t.grad.numpy() for n_, t in prm.items()},
        codes=out["codes"].numpy().astype(np.int32))
    if train:
        arrays["noise"] = noise_np
    n = out["n"]
    meta = dict(B=B, T=T, F=F_DIM, D=D, G=G, V=V, vqDim=VQ, finalDim=FIN, K=k, crossK=cross_k, kappa=KAPPA,
                alpha=ALPHA, beta=beta, tau=tau, train=train, rawCount=int(raw.numel()), numMasked=n,
                loss=out["loss"].item(), loss_bits=out["loss"].item() / math.log(2),
                loss_contrastive=out["ce_sum"].item() / n, loss_diversity=ALPHA * out["diversity"].item(),
                loss_features_pen=beta * out["pen"].item(), correct=out["correct"], accuracy=out["correct"] / n,
                code_perplexity=out["code_ppl"].item(), prob_perplexity=out["prob_ppl"].item(),
                neg_is_pos=out["neg_is_pos"], seed=seed + attempt, torch=torch.__version__)
    save(name, arrays, meta)
    print(name, json.dumps({k_: meta[k_] for k_ in ("numMasked", "loss", "accuracy", "code_perplexity",
                                                      "prob_perplexity", "neg_is_pos")}))


if __name__ == "__main__":
    make_case("train", 1000, train=True, k=5, cross_k=0, beta=10.0, tau=1.7, require_same=True, force_dup=True)
    make_case("eval", 2000, train=False, k=5, cross_k=0, beta=10.0, tau=1.7, require_same=True, force_dup=True)
    make_case("cross", 3000, train=True, k=5, cross_k=3, beta=0.0, tau=0.9, require_same=False, force_dup=False)
