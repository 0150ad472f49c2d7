#!/usr/bin/python3
"""Reference fixtures for ONE whole wav2vec 2.0 pre-training step (forward + backward of every parameter).

Usage (from the repository root):
    /usr/bin/python3 scripts/make_pretrain_fixtures.py [--out tests/src/test/resources/pretrain] [--check-only]

Mirrors fairseq Wav2Vec2Model.forward + wav2vec_criterion (dropout 0, layerdrop 0, no padding):

    raw    = feature_extractor(wave)              # torchaudio FeatureExtractor, [B, T, F]
    raw    = GradMultiply(raw, fgm)               # forward identity, backward x fgm (skipped when fgm == 1)
    normed = LayerNorm_F(raw)                     # feature_projection.layer_norm; quantizer input
    x      = Linear(normed); x[mask] = masked_spec_embed
    c      = transformer(x)                       # torchaudio encoder.transformer (pos-conv, post-/pre-LN)
    loss   = make_objective_fixtures.objective(...)   # quantizer (given Gumbel noise), project_q,
                                                  # project_hid, cosine/kappa, CE/N + 0.1 div + beta mean(raw^2)

The model pieces come from make_parity_fixtures.py (torchaudio model, perturbation, HF key mapping,
safetensors writer/reader, waveform generator) and the objective from make_objective_fixtures.py (same
function, same code path). The float64 reference is computed from the float32 values read back from
the written model.safetensors. See tests/src/test/resources/pretrain/README.md.

Requires torch 1.13 + torchaudio 0.13 (Debian's /usr/bin/python3) and numpy.
"""
import argparse
import json
import math
import os
import shutil
import sys

import numpy as np
import torch

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, SCRIPTS)
import make_objective_fixtures as mo  # noqa: E402
import make_parity_fixtures as pf  # noqa: E402
from torchaudio.models.wav2vec2.components import GradMultiply  # noqa: E402  (same as fairseq's)

torch.set_num_threads(2)

DEFAULT_OUT = os.path.join(SCRIPTS, "..", "tests", "src", "test", "resources", "pretrain")

# Objective sizes: make_objective_fixtures.objective() reads G, V, FIN, KAPPA, ALPHA from its module.
G, V, VQ, FIN = 2, 8, 16, 12
assert (mo.G, mo.V, mo.FIN) == (G, V, FIN), "objective() module constants must match the config"
KAPPA, ALPHA = mo.KAPPA, mo.ALPHA  # 0.1, 0.1
NUM_NEG = 5
MASK_PROB, MASK_LEN, MIN_MASKS = 0.65, 4, 2
B = 2
MARGIN = 1e-3

CASES = [
    dict(name="base_like", seed=5100, samples=3600, feat_extract_norm="group", do_stable_layer_norm=False,
         conv_bias=False, do_normalize=False, fgm=0.1, beta=10.0, tau=2.0),
    dict(name="large_like", seed=6100, samples=3201, feat_extract_norm="layer", do_stable_layer_norm=True,
         conv_bias=True, do_normalize=True, fgm=1.0, beta=0.0, tau=0.7),
]
for _c in CASES:  # fields the make_parity_fixtures helpers expect
    _c.update(num_hidden_layers=2, num_conv_pos_embeddings=16, ctc=False, dtype="F32", pos_conv_naming="weight_gv")

# HF name -> shape builder for the parameters torchaudio's model does not have
EXTRA = ["wav2vec2.masked_spec_embed", "quantizer.codevectors", "quantizer.weight_proj.weight",
         "quantizer.weight_proj.bias", "project_q.weight", "project_q.bias", "project_hid.weight", "project_hid.bias"]
# objective() parameter names for the extras
OBJ_NAME = {"quantizer.weight_proj.weight": "wp_w", "quantizer.weight_proj.bias": "wp_b",
            "quantizer.codevectors": "cv", "project_q.weight": "pq_w", "project_q.bias": "pq_b",
            "project_hid.weight": "ph_w", "project_hid.bias": "ph_b"}


def hf_config(case):
    c = pf.hf_config_json(case)
    c.update({
        "architectures": ["Wav2Vec2ForPreTraining"],
        "hidden_dropout": 0.0, "activation_dropout": 0.0, "attention_dropout": 0.0, "final_dropout": 0.0,
        "feat_proj_dropout": 0.0, "feat_quantizer_dropout": 0.0, "layerdrop": 0.0,
        "mask_time_prob": MASK_PROB, "mask_time_length": MASK_LEN, "mask_time_min_masks": MIN_MASKS,
        "num_codevector_groups": G, "num_codevectors_per_group": V, "codevector_dim": VQ,
        "proj_codevector_dim": FIN, "num_negatives": NUM_NEG, "contrastive_logits_temperature": KAPPA,
        "diversity_loss_weight": ALPHA,
    })
    return c


def hf_key(ta_key, case):
    return "wav2vec2." + pf.ta_to_hf_key(ta_key, dict(case, ctc=False))


def make_weights(case, gen):
    """Perturbed float32 weights, HF names (Wav2Vec2ForPreTraining layout)."""
    cfg = pf.full_config(case)
    torch.manual_seed(case["seed"])
    model = pf.build_torchaudio(cfg, ctc=False)
    pf.perturb(model, cfg, gen)
    w = {hf_key(k, case): v.detach().clone() for k, v in model.state_dict().items()}
    D, Fd = cfg["hidden_size"], cfg["conv_dim"][-1]
    rn = lambda *s: torch.randn(*s, generator=gen)
    w["wav2vec2.masked_spec_embed"] = torch.rand(D, generator=gen)            # fairseq: uniform_()
    w["quantizer.codevectors"] = torch.rand(1, G * V, VQ // G, generator=gen)  # fairseq: uniform_()
    w["quantizer.weight_proj.weight"] = rn(G * V, Fd) * 0.5
    w["quantizer.weight_proj.bias"] = rn(G * V) * 0.1
    w["project_q.weight"] = rn(FIN, VQ) / math.sqrt(VQ)
    w["project_q.bias"] = rn(FIN) * 0.1
    w["project_hid.weight"] = rn(FIN, D) / math.sqrt(D)
    w["project_hid.bias"] = rn(FIN) * 0.1
    return w


def _contiguous_grad_hook(module, inp, out):
    o = out[0] if isinstance(out, tuple) else out
    if o.requires_grad:
        o.register_hook(lambda g: g.contiguous())


def build(case, w, dtype, gelu_workaround=True):
    """torchaudio model + dict of extra leaf tensors, from HF-keyed float32 numpy/torch weights.

    gelu_workaround: this torch build (Debian 1.13.0a0) computes float32 aten::gelu_backward wrongly when
    grad_output is non-contiguous (float64 is correct). The last conv block's GELU receives the transposed
    gradient of the [B, T, F] feature-extractor output, so the float32 comparison run would be garbage
    without this hook, which makes the gradient at each conv block output contiguous (math unchanged)."""
    cfg = pf.full_config(case)
    model = pf.build_torchaudio(cfg, ctc=False)
    sd = {pf.hf_to_ta_key(k): torch.as_tensor(np.asarray(v)).clone() for k, v in w.items()
          if k.startswith("wav2vec2.") and k != "wav2vec2.masked_spec_embed"}
    model.load_state_dict(sd, strict=True)
    model = model.to(dtype).eval()  # all dropouts and layerdrop are 0, so eval() == train() numerically
    if gelu_workaround:
        for blk in model.feature_extractor.conv_layers:
            blk.register_forward_hook(_contiguous_grad_hook)
    extra = {k: torch.as_tensor(np.asarray(w[k])).clone().to(dtype).requires_grad_(True) for k in EXTRA}
    return model, extra


def named_params(case, model, extra):
    out = {hf_key(k, case): p for k, p in model.named_parameters()}
    out.update(extra)
    return out


def step(case, model, extra, waves, mask, negatives, noise, fgm):
    """One pre-training step forward. Returns (objective() outputs, intermediates)."""
    dt = next(model.parameters()).dtype
    x = torch.from_numpy(np.stack(waves)).to(dt)  # [B, S] (already normalised if do_normalize)
    raw, _ = model.feature_extractor(x, None)  # [B, T, F]
    if fgm != 1.0:  # fairseq: features = GradMultiply.apply(features, fgm) when fgm != 1 (and > 0)
        raw = GradMultiply.apply(raw, fgm)
    normed = model.encoder.feature_projection.layer_norm(raw)  # unmasked_features (quantizer input)
    proj = model.encoder.feature_projection.projection(normed)
    m = torch.from_numpy(mask.astype(bool)).unsqueeze(-1)
    xin = torch.where(m, extra["wav2vec2.masked_spec_embed"], proj)  # fairseq: x[mask_indices] = mask_emb
    ctx = model.encoder.transformer(xin, attention_mask=None)
    Bn, T, _ = raw.shape
    rows = np.flatnonzero(mask.reshape(-1)).astype(np.int64)
    inp = dict(rows=rows, negatives=negatives, features=normed.reshape(Bn * T, -1), raw=raw,
               context=ctx.reshape(Bn * T, -1))
    prm = {OBJ_NAME[k]: extra[k] for k in OBJ_NAME}
    out = mo.objective(inp, prm, dict(tau=case["tau"], beta=case["beta"]), torch.from_numpy(noise))
    return out, dict(raw=raw, normed=normed, context=ctx, rows=rows)


def run_with_grads(case, w, dtype, waves, mask, negatives, noise, fgm, gelu_workaround=True):
    model, extra = build(case, w, dtype, gelu_workaround)
    out, mid = step(case, model, extra, waves, mask, negatives, noise, fgm)
    mid["raw"].retain_grad()  # d loss / d raw (downstream of GradMultiply, i.e. not scaled by fgm)
    mid["normed"].retain_grad()
    out["loss"].backward()
    grads = {}
    for k, p in named_params(case, model, extra).items():
        assert p.grad is not None, k
        grads[k] = p.grad.detach().clone()
    return out, mid, grads, (model, extra)


def model_inputs(case, waves_f32, dtype):
    if case["do_normalize"]:
        return [pf.normalize(wv) for wv in waves_f32] if dtype == torch.float64 else \
            [pf.normalize(wv).astype(np.float32) for wv in waves_f32]
    return [wv.astype(np.float64) if dtype == torch.float64 else wv for wv in waves_f32]


def scalars(out):
    n = out["n"]
    return dict(loss=out["loss"].item(), loss_contrastive=out["ce_sum"].item() / n,
                loss_diversity=ALPHA * out["diversity"].item(), loss_features_pen=None,
                diversity=out["diversity"].item(), features_pen=out["pen"].item(), correct=out["correct"],
                accuracy=out["correct"] / n, code_perplexity=out["code_ppl"].item(),
                prob_perplexity=out["prob_ppl"].item(), num_masked=n, neg_is_pos=out["neg_is_pos"])


def max_rel(a, ref):
    a = np.asarray(a, np.float64)
    ref = np.asarray(ref, np.float64)
    return float(np.max(np.abs(a - ref)) / max(np.max(np.abs(ref)), 1e-300))


def pos_gap(logits):
    """Accuracy only depends on whether logit 0 beats every negative (ties among negatives with the same
    code are harmless), so the margin is min over rows of |l0 - max(l1..lK)|."""
    return (logits[:, 0] - logits[:, 1:].max(-1)[0]).abs().min().item()


def draw_case(case):
    """Seed search: weights, waves, mask, negatives, noise with safe argmax margins (float64 and float32)."""
    cfg = pf.full_config(case)
    T = pf.num_frames(case["samples"], cfg["conv_kernel"], cfg["conv_stride"])
    for attempt in range(100):
        seed = case["seed"] + attempt
        gen = torch.Generator().manual_seed(seed)
        rng = np.random.default_rng(seed)
        w = make_weights(case, gen)
        w = {k: v.numpy().astype(np.float32) for k, v in w.items()}
        waves = [pf.make_waveform(case["samples"], seed * 10 + b) for b in range(B)]
        mask = mo.compute_mask(rng, [T] * B, T, MASK_PROB, MASK_LEN, MIN_MASKS, True)
        rows = np.flatnonzero(mask.reshape(-1))
        negatives = mo.sample_negatives(rng, rows // T, NUM_NEG, 0).astype(np.int64)
        n = len(rows)
        noise = -np.log(-np.log(rng.uniform(1e-12, 1.0, size=(n, G * V)))).astype(np.float32)
        outs = {}
        with torch.no_grad():
            for dt in (torch.float64, torch.float32):
                model, extra = build(case, w, dt)
                outs[dt], _ = step(case, model, extra, model_inputs(case, waves, dt), mask, negatives, noise,
                                   case["fgm"])
        o64, o32 = outs[torch.float64], outs[torch.float32]
        gaps = dict(quantizer_logits=mo.top2_gap(o64["lg"]), noisy_over_tau=mo.top2_gap(o64["noisy"] / case["tau"]),
                    positive_vs_best_negative=pos_gap(o64["logits"]))
        ok = min(gaps.values()) >= MARGIN
        ok = ok and torch.equal(o64["codes"], o32["codes"]) and o64["correct"] == o32["correct"]
        ok = ok and o64["neg_is_pos"] == o32["neg_is_pos"] and o64["neg_is_pos"] > 0  # exercise the -inf path
        ok = ok and torch.equal(o64["lg"].view(n, G, V).argmax(-1), o32["lg"].view(n, G, V).argmax(-1))
        if ok:
            return dict(seed=seed, T=T, w=w, waves=waves, mask=mask, negatives=negatives, noise=noise, gaps=gaps)
    sys.exit("no seed with safe margins for " + case["name"])


def write_case(case, out_root):
    d = os.path.join(out_root, case["name"])
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(os.path.join(d, "grad"))
    os.makedirs(os.path.join(d, "debug"))
    s = draw_case(case)
    pf.write_safetensors(os.path.join(d, "model.safetensors"), {k: torch.from_numpy(v) for k, v in s["w"].items()},
                         "F32")
    for name, obj in (("config.json", hf_config(case)), ("preprocessor_config.json", pf.preprocessor_json(case))):
        with open(os.path.join(d, name), "w") as f:
            json.dump(obj, f, indent=2)
            f.write("\n")
    for b, wv in enumerate(s["waves"]):
        np.save(os.path.join(d, f"wave_{b}.npy"), wv)
    np.save(os.path.join(d, "mask.npy"), s["mask"].astype(np.int64))
    np.save(os.path.join(d, "negatives.npy"), s["negatives"])
    np.save(os.path.join(d, "gumbel_noise.npy"), s["noise"])
    meta = dict(seed=s["seed"], margins=s["gaps"])
    with open(os.path.join(d, "expected.json"), "w") as f:  # placeholder; filled by compute_and_check
        json.dump(meta, f)
    return d


def load_case(d):
    w, dts = pf.read_safetensors(os.path.join(d, "model.safetensors"))
    assert set(dts.values()) == {"F32"}
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    with open(os.path.join(d, "preprocessor_config.json")) as f:
        pre = json.load(f)
    waves = []
    b = 0
    while os.path.exists(os.path.join(d, f"wave_{b}.npy")):
        waves.append(np.load(os.path.join(d, f"wave_{b}.npy")))
        b += 1
    return dict(w=w, cfg=cfg, pre=pre, waves=waves, mask=np.load(os.path.join(d, "mask.npy")),
                negatives=np.load(os.path.join(d, "negatives.npy")),
                noise=np.load(os.path.join(d, "gumbel_noise.npy")))


def np_objective_terms(normed, ctx, raw, rows, codes, negatives, w, beta):
    """Independent numpy float64 recomputation of the loss terms from the step's intermediates
    (straight-through value = hard one-hot of the given codes)."""
    x = normed.reshape(-1, normed.shape[-1])[rows]
    c = ctx.reshape(-1, ctx.shape[-1])[rows]
    n = len(rows)
    lg = (x @ w["quantizer.weight_proj.weight"].T + w["quantizer.weight_proj.bias"]).reshape(n, G, V)
    p = np.exp(lg - lg.max(-1, keepdims=True))
    p = (p / p.sum(-1, keepdims=True)).mean(0)
    prob_ppl = np.exp(-(p * np.log(p + 1e-7)).sum(-1)).sum()
    cv = w["quantizer.codevectors"].reshape(G, V, -1).astype(np.float64)
    q = np.concatenate([cv[g][codes[:, g]] for g in range(G)], axis=1)
    y = q @ w["project_q.weight"].T + w["project_q.bias"]
    h = c @ w["project_hid.weight"].T + w["project_hid.bias"]
    tg = np.concatenate([y[:, None, :], y[negatives]], axis=1)  # [n, 1+K, FIN]
    cos = (tg * h[:, None, :]).sum(-1) / np.maximum(np.linalg.norm(tg, axis=-1) * np.linalg.norm(h, axis=-1)[:, None],
                                                     1e-8)
    logits = cos / KAPPA
    same = np.all(y[negatives] == y[:, None, :], axis=-1)
    logits[:, 1:][same] = -np.inf
    mx = logits.max(-1, keepdims=True)
    lse = (mx[:, 0] + np.log(np.exp(logits - mx).sum(-1)))
    ce = (lse - logits[:, 0]).sum() / n
    div = ALPHA * (G * V - prob_ppl) / (G * V)
    pen = beta * (raw ** 2).mean()
    return dict(loss_contrastive=ce, loss_diversity=div, loss_features_pen=pen, loss=ce + div + pen)


def compute_and_check(case, d, verbose=False):
    L = load_case(d)
    with open(os.path.join(d, "expected.json")) as f:
        meta = json.load(f)
    w, waves, mask, negatives, noise = L["w"], L["waves"], L["mask"], L["negatives"], L["noise"]
    assert mask.dtype == np.int64 and negatives.dtype == np.int64 and noise.dtype == np.float32
    assert L["pre"]["do_normalize"] == case["do_normalize"]
    fgm = case["fgm"]
    res = {}
    for dt in (torch.float64, torch.float32):
        res[dt] = run_with_grads(case, w, dt, model_inputs(case, waves, dt), mask, negatives, noise, fgm)
    out64, mid64, g64, _ = res[torch.float64]
    out32, mid32, g32, _ = res[torch.float32]
    sc64, sc32 = scalars(out64), scalars(out32)
    sc64["loss_features_pen"] = case["beta"] * sc64["features_pen"]
    sc32["loss_features_pen"] = case["beta"] * sc32["features_pen"]
    name = case["name"]
    print(f"[{name}] seed {meta['seed']}  B={len(waves)} samples={len(waves[0])} T={mask.shape[1]} "
          f"N={sc64['num_masked']} ({sc64['num_masked'] / mask.size:.0%} masked) neg_is_pos={sc64['neg_is_pos']} "
          f"margins={ {k: round(v, 4) for k, v in meta['margins'].items()} }")
    lg = out64["logits"].numpy()
    fin = lg[np.isfinite(lg)]
    print(f"  contrastive logits: min {fin.min():.3f} max {fin.max():.3f} std {fin.std():.3f}")
    keys = ["loss", "loss_contrastive", "loss_diversity", "loss_features_pen", "accuracy", "code_perplexity",
            "prob_perplexity"]
    for k in keys:
        a, r = sc32[k], sc64[k]
        print(f"  {k:18s} f64 {r:.12g}   f32 {a:.9g}   rel gap {abs(a - r) / max(abs(r), 1e-300):.2e}")

    # (1) the objective part is make_objective_fixtures.objective (same code path): re-run it on the detached
    #     float64 intermediates as leaves and compare bitwise; plus an independent numpy recomputation.
    inp = dict(rows=mid64["rows"], negatives=negatives, features=mid64["normed"].detach().flatten(0, 1),
               raw=mid64["raw"].detach(), context=mid64["context"].detach().flatten(0, 1))
    _, extra64 = build(case, w, torch.float64)
    o2 = mo.objective(inp, {OBJ_NAME[k]: extra64[k] for k in OBJ_NAME}, dict(tau=case["tau"], beta=case["beta"]),
                      torch.from_numpy(noise))
    same = all(o2[k].item() == out64[k].item() for k in ("loss", "ce_sum", "diversity", "pen", "prob_ppl", "code_ppl"))
    npt = np_objective_terms(mid64["normed"].detach().numpy(), mid64["context"].detach().numpy(),
                             mid64["raw"].detach().numpy(), mid64["rows"], out64["codes"].numpy(), negatives,
                             {k: v.astype(np.float64) for k, v in w.items()}, case["beta"])
    np_gap = max(abs(npt[k] - sc64[k]) / max(abs(sc64[k]), 1e-12) for k in npt)
    print(f"  objective(): re-run on detached f64 intermediates bitwise equal: {same}; "
          f"independent numpy f64 loss terms max rel diff {np_gap:.1e}")

    # (2) float32 vs float64 per gradient tensor
    #     Tensors whose gradient is zero in exact arithmetic (attention k_proj.bias: softmax is invariant to
    #     a per-query constant) hold only rounding noise (~1e-17 in f64, ~1e-9 in f32): no relative check.
    gmax = max(np.abs(g.numpy()).max() for g in g64.values())
    zero = sorted(k for k in g64 if np.abs(g64[k].numpy()).max() < 1e-12 * gmax)
    gaps = {k: max_rel(g32[k].numpy(), g64[k].numpy()) for k in g64 if k not in zero}
    worst = max(gaps, key=gaps.get)
    print(f"  grads f32 vs f64 (max|d|/max|ref| per tensor): worst {gaps[worst]:.2e} ({worst}), "
          f"median {np.median(list(gaps.values())):.2e}, {len(gaps)} tensors")
    zero_abs = {k: (float(np.abs(g64[k].numpy()).max()), float(np.abs(g32[k].numpy()).max())) for k in zero}
    print(f"  zero-in-exact-arithmetic grads (max|g| f64, f32; largest grad overall {gmax:.3g}): "
          + ", ".join(f"{k.split('wav2vec2.encoder.')[-1]} ({a:.1e}, {b:.1e})" for k, (a, b) in zero_abs.items()))
    assert all(k.endswith("attention.k_proj.bias") for k in zero), zero
    if verbose:
        for k in sorted(gaps):
            print(f"    {gaps[k]:.2e}  {k}  max|g|={np.abs(g64[k].numpy()).max():.3e}")

    # (2b) the float64 reference does not depend on the float32 GELU-backward workaround
    _, _, g_nowa, _ = run_with_grads(case, w, torch.float64, model_inputs(case, waves, torch.float64), mask,
                                     negatives, noise, fgm, gelu_workaround=False)
    wa_err = max(max_rel(g_nowa[k].numpy(), g64[k].numpy()) for k in g64)
    print(f"  f64 grads with vs without the contiguous-grad (GELU backward) workaround: max rel {wa_err:.1e}")

    # (3) fgm: encoder grads == fgm * unscaled (fgm = 1) grads; everything else identical
    _, _, g_unscaled, _ = run_with_grads(case, w, torch.float64, model_inputs(case, waves, torch.float64), mask,
                                         negatives, noise, 1.0)
    enc_err, other_err = 0.0, 0.0
    for k in g64:
        if k.startswith("wav2vec2.feature_extractor."):
            enc_err = max(enc_err, max_rel(g64[k].numpy(), fgm * g_unscaled[k].numpy()))
        else:
            other_err = max(other_err, max_rel(g64[k].numpy(), g_unscaled[k].numpy()))
    print(f"  fgm={fgm}: feature_extractor grads vs fgm x unscaled grads max rel {enc_err:.1e}; "
          f"other grads vs fgm=1 run max rel {other_err:.1e}")

    # (4) central finite differences in float64 on parameters the straight-through estimator does not touch
    #     (FD of the forward value differs from the ST gradient for anything upstream of the quantizer input:
    #     feature_extractor.*, feature_projection.layer_norm.*, quantizer.weight_proj.*).
    fd_params = ["wav2vec2.masked_spec_embed", "wav2vec2.feature_projection.projection.weight",
                 "wav2vec2.encoder.pos_conv_embed.conv.weight_g", "wav2vec2.encoder.pos_conv_embed.conv.weight_v",
                 "wav2vec2.encoder.layers.0.attention.k_proj.weight",
                 "wav2vec2.encoder.layers.1.feed_forward.intermediate_dense.weight", "wav2vec2.encoder.layer_norm.bias",
                 "quantizer.codevectors", "project_q.weight", "project_hid.bias"]
    x64 = model_inputs(case, waves, torch.float64)
    model, extra = build(case, w, torch.float64)
    params = named_params(case, model, extra)
    rng = np.random.default_rng(7)
    fd_worst = 0.0
    h = 1e-6
    for k in fd_params:
        p = params[k]
        g = g64[k].numpy()
        flat_idx = [int(np.argmax(np.abs(g))), int(rng.integers(g.size))]
        for fi in flat_idx:
            idx = np.unravel_index(fi, g.shape)
            vals = []
            for sgn in (1, -1):
                with torch.no_grad():
                    orig = p[idx].item()
                    p[idx] = orig + sgn * h
                    o, _ = step(case, model, extra, x64, mask, negatives, noise, fgm)
                    p[idx] = orig
                assert torch.equal(o["codes"], out64["codes"])
                vals.append(o["loss"].item())
            fd = (vals[0] - vals[1]) / (2 * h)
            err = abs(fd - g[idx]) / np.abs(g).max()
            fd_worst = max(fd_worst, err)
            if verbose:
                print(f"    FD {k}{list(idx)}: fd {fd:.10e} autograd {g[idx]:.10e} err/max|g| {err:.1e}")
    print(f"  finite differences (f64, h={h}) on {len(fd_params)} params x 2 entries: worst |fd-ag|/max|g| "
          f"{fd_worst:.1e}")

    # (4b) feature encoder: the loss is not FD-checkable there (straight-through), so check the chain rule
    #      split instead: grad(theta) == fgm * d/dtheta <feature_extractor(wave; theta), dloss/draw>, with the
    #      right-hand side by central differences (the feature extractor alone is smooth).
    #      Same for feature_projection.layer_norm (upstream of the quantizer too): FD of <LN(raw), dloss/dnormed>.
    g_raw = mid64["raw"].grad.detach().clone()
    g_normed = mid64["normed"].grad.detach().clone()
    raw_fixed = mid64["raw"].detach()
    xw = torch.from_numpy(np.stack(x64))
    enc_worst = 0.0
    enc_params = [k for k in g64 if k.startswith("wav2vec2.feature_extractor.")]
    ln_params = ["wav2vec2.feature_projection.layer_norm.weight", "wav2vec2.feature_projection.layer_norm.bias"]
    for k in enc_params + ln_params:
        if k in ln_params:
            f, scale = (lambda: (model.encoder.feature_projection.layer_norm(raw_fixed) * g_normed).sum().item()), 1.0
        else:
            f, scale = (lambda: (model.feature_extractor(xw, None)[0] * g_raw).sum().item()), fgm
        p = params[k]
        g = g64[k].numpy()
        for fi in (int(np.argmax(np.abs(g))), int(rng.integers(g.size))):
            idx = np.unravel_index(fi, g.shape)
            vals = []
            for sgn in (1, -1):
                with torch.no_grad():
                    orig = p[idx].item()
                    p[idx] = orig + sgn * h
                    vals.append(f())
                    p[idx] = orig
            fd = scale * (vals[0] - vals[1]) / (2 * h)
            err = abs(fd - g[idx]) / np.abs(g).max()
            enc_worst = max(enc_worst, err)
            if verbose:
                print(f"    FD-VJP {k}{list(idx)}: fgm*fd {fd:.10e} autograd {g[idx]:.10e} err/max|g| {err:.1e}")
    print(f"  feature encoder + feature_projection.layer_norm (chain-rule split): grad vs (fgm x) FD of "
          f"<features, dloss/dfeatures> on all {len(enc_params)} encoder tensors + 2 LN tensors x 2 entries: "
          f"worst |fd-ag|/max|g| {enc_worst:.1e}")

    ok = same and np_gap < 1e-10 and wa_err < 1e-12 and enc_err < 1e-12 and other_err == 0.0 and fd_worst < 1e-6 and enc_worst < 1e-6 \
        and max(gaps.values()) < 1e-3
    meta["zero_grad_tensors"] = zero
    return ok, sc64, sc32, g64, g32, gaps, out64, mid64, meta


def finish_case(case, d, sc64, sc32, g64, gaps, out64, mid64, meta):
    for k, g in g64.items():
        np.save(os.path.join(d, "grad", k + ".npy"), g.numpy().astype(np.float32))
    np.save(os.path.join(d, "debug", "features_raw.npy"), mid64["raw"].detach().numpy().astype(np.float32))
    np.save(os.path.join(d, "debug", "context.npy"), mid64["context"].detach().numpy().astype(np.float32))
    np.save(os.path.join(d, "debug", "codes.npy"), out64["codes"].numpy().astype(np.int64))
    np.save(os.path.join(d, "debug", "logits.npy"), out64["logits"].numpy().astype(np.float32))
    keys = ["loss", "loss_contrastive", "loss_diversity", "loss_features_pen", "accuracy", "code_perplexity",
            "prob_perplexity", "num_masked"]
    exp = {k: sc64[k] for k in keys}
    exp.update(fgm=case["fgm"], beta=case["beta"], tau=case["tau"], kappa=KAPPA, alpha=ALPHA,
               correct=sc64["correct"], neg_is_pos=sc64["neg_is_pos"], diversity=sc64["diversity"],
               features_pen=sc64["features_pen"], loss_bits=sc64["loss"] / math.log(2),
               batch=B, samples=int(np.load(os.path.join(d, "wave_0.npy")).shape[0]),
               frames=int(np.load(os.path.join(d, "mask.npy")).shape[1]), num_negatives=NUM_NEG,
               mask_prob=MASK_PROB, mask_length=MASK_LEN, seed=meta["seed"], margins=meta["margins"],
               float32_scalars={k: sc32[k] for k in keys},
               float32_vs_float64_grad_max_rel=dict(sorted(gaps.items())),
               zero_grad_tensors=meta["zero_grad_tensors"],
               grads=sorted(g64), torch=torch.__version__)
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(exp, f, indent=1)
        f.write("\n")


def check_stored(case, d, g64, sc64):
    """--check-only: stored expected values vs a fresh float64 recomputation."""
    with open(os.path.join(d, "expected.json")) as f:
        exp = json.load(f)
    worst = 0.0
    for k, g in g64.items():
        worst = max(worst, max_rel(np.load(os.path.join(d, "grad", k + ".npy")), g.numpy()))
    sc = max(abs(exp[k] - sc64[k]) / max(abs(sc64[k]), 1e-12) for k in ("loss", "loss_contrastive", "loss_diversity",
                                                                            "loss_features_pen", "prob_perplexity"))
    print(f"  stored vs recomputed: grads worst max rel {worst:.1e} (float32 storage), scalars {sc:.1e}")
    return worst < 1e-6 and sc < 1e-12 and set(exp["grads"]) == set(g64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--check-only", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    print(f"torch {torch.__version__}, numpy {np.__version__}, out={out}")
    all_ok = True
    for case in CASES:
        d = os.path.join(out, case["name"])
        if not args.check_only:
            write_case(case, out)
        ok, sc64, sc32, g64, g32, gaps, out64, mid64, meta = compute_and_check(case, d, args.verbose)
        if args.check_only:
            ok = check_stored(case, d, g64, sc64) and ok
        else:
            finish_case(case, d, sc64, sc32, g64, gaps, out64, mid64, meta)
        if not ok:
            print("  -> CHECK FAILED")
        all_ok = all_ok and ok
    print("ALL CHECKS PASSED" if all_ok else "SOME CHECKS FAILED")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
