#!/usr/bin/python3
"""Generate small wav2vec 2.0 parity fixtures (PyTorch/torchaudio reference) for the Java tests.

Usage (from the repository root):
    /usr/bin/python3 scripts/make_parity_fixtures.py [--out tests/src/test/resources/parity] [--check-only]

For every case this builds a tiny torchaudio ``wav2vec2_model``, moves every parameter away
from its default value (fixed seeds), converts the state dict to Hugging Face key layout and
writes ``config.json``, ``preprocessor_config.json``, ``model.safetensors`` (written by hand,
no ``safetensors`` package), raw input waveforms and float64-computed reference outputs
(stored as float32 .npy).

After writing, every case is re-checked:
  1. the safetensors file is re-read with the reader in this file, mapped back to torchaudio keys,
     loaded into a float32 torchaudio model and run; the result is compared to the stored expected
     outputs (float64 reference);
  2. an independent numpy float64 forward pass that follows Hugging Face semantics and reads only
     config.json + model.safetensors (HF keys) is compared to the expected outputs;
  3. a numpy weight-norm (w = g * v / ||v||, norm over dims (0, 1) per kernel tap) is compared to
     torchaudio's effective pos-conv weight.

Requires torch 1.13 + torchaudio 0.13 (Debian's /usr/bin/python3 on the dev machine) and numpy.
"""
import argparse
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torchaudio

torch.set_num_threads(2)

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "src", "test", "resources", "parity")

# --------------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------------
COMMON = dict(
    hidden_size=32,
    num_attention_heads=4,
    intermediate_size=64,
    conv_dim=[16, 16, 16, 16],
    conv_kernel=[10, 3, 3, 2],
    conv_stride=[5, 2, 2, 2],
    num_conv_pos_embedding_groups=4,
)

CASES = [
    dict(
        name="group_postln",
        description="Group-norm feature extractor, post-LN encoder (base-style), no conv bias, no input "
        "normalisation, Wav2Vec2Model (no key prefix), pos-conv stored as weight_g/weight_v, F32.",
        seed=1001,
        feat_extract_norm="group",
        do_stable_layer_norm=False,
        conv_bias=False,
        do_normalize=False,
        ctc=False,
        num_hidden_layers=2,
        num_conv_pos_embeddings=16,
        pos_conv_naming="weight_gv",
        masked_spec_embed=False,
        dtype="F32",
        input_lengths=[4001, 6403, 1203],
    ),
    dict(
        name="layer_preln_ctc",
        description="Layer-norm feature extractor, pre-LN encoder (large-LV60-style, do_stable_layer_norm), "
        "conv bias, do_normalize, Wav2Vec2ForCTC (wav2vec2. prefix, lm_head vocab 12), pos-conv stored as "
        "parametrizations.weight.original0/original1, extra wav2vec2.masked_spec_embed key, F32.",
        seed=2002,
        feat_extract_norm="layer",
        do_stable_layer_norm=True,
        conv_bias=True,
        do_normalize=True,
        ctc=True,
        vocab_size=12,
        num_hidden_layers=3,
        num_conv_pos_embeddings=16,
        pos_conv_naming="parametrizations",
        masked_spec_embed=True,
        dtype="F32",
        input_lengths=[4001, 6403, 1203],
    ),
    dict(
        name="group_preln_bias_f16",
        description="Group-norm feature extractor, pre-LN encoder, conv bias, no input normalisation, "
        "Wav2Vec2ForCTC (vocab 12), odd pos-conv kernel 15 (no SamePad frame removal), weights stored as F16 "
        "(reference computed from the fp16-rounded weights).",
        seed=3003,
        feat_extract_norm="group",
        do_stable_layer_norm=True,
        conv_bias=True,
        do_normalize=False,
        ctc=True,
        vocab_size=12,
        num_hidden_layers=2,
        num_conv_pos_embeddings=15,
        pos_conv_naming="weight_gv",
        masked_spec_embed=False,
        dtype="F16",
        input_lengths=[4001, 6403, 1203],
    ),
    dict(
        name="layer_postln_bf16",
        description="Layer-norm feature extractor, post-LN encoder, no conv bias, do_normalize, Wav2Vec2Model "
        "(no prefix), weights stored as BF16 (reference computed from the bf16-rounded weights, RNE).",
        seed=4004,
        feat_extract_norm="layer",
        do_stable_layer_norm=False,
        conv_bias=False,
        do_normalize=True,
        ctc=False,
        num_hidden_layers=2,
        num_conv_pos_embeddings=16,
        pos_conv_naming="weight_gv",
        masked_spec_embed=False,
        dtype="BF16",
        input_lengths=[4001, 6403, 1203],
    ),
]


def full_config(case):
    c = dict(COMMON)
    c.update({k: case[k] for k in ("feat_extract_norm", "do_stable_layer_norm", "conv_bias", "num_hidden_layers",
                                   "num_conv_pos_embeddings")})
    c["vocab_size"] = case.get("vocab_size", 32)
    return c


def hf_config_json(case):
    c = full_config(case)
    return {
        "model_type": "wav2vec2",
        "architectures": ["Wav2Vec2ForCTC"] if case["ctc"] else ["Wav2Vec2Model"],
        "vocab_size": c["vocab_size"],
        "hidden_size": c["hidden_size"],
        "num_hidden_layers": c["num_hidden_layers"],
        "num_attention_heads": c["num_attention_heads"],
        "intermediate_size": c["intermediate_size"],
        "hidden_act": "gelu",
        "layer_norm_eps": 1e-5,
        "feat_extract_norm": c["feat_extract_norm"],
        "feat_extract_activation": "gelu",
        "conv_dim": c["conv_dim"],
        "conv_kernel": c["conv_kernel"],
        "conv_stride": c["conv_stride"],
        "conv_bias": c["conv_bias"],
        "num_feat_extract_layers": len(c["conv_dim"]),
        "num_conv_pos_embeddings": c["num_conv_pos_embeddings"],
        "num_conv_pos_embedding_groups": c["num_conv_pos_embedding_groups"],
        "do_stable_layer_norm": c["do_stable_layer_norm"],
        "pad_token_id": 0,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "hidden_dropout": 0.1,
        "activation_dropout": 0.1,
        "attention_dropout": 0.1,
        "feat_proj_dropout": 0.0,
        "feat_quantizer_dropout": 0.0,
        "final_dropout": 0.1,
        "layerdrop": 0.1,
        "initializer_range": 0.02,
        "apply_spec_augment": True,
        "mask_time_prob": 0.05,
        "mask_time_length": 10,
        "mask_feature_prob": 0.0,
        "mask_feature_length": 10,
        "ctc_loss_reduction": "sum",
        "ctc_zero_infinity": False,
        "add_adapter": False,
        "torch_dtype": {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}[case["dtype"]],
    }


def preprocessor_json(case):
    return {
        "feature_extractor_type": "Wav2Vec2FeatureExtractor",
        "feature_size": 1,
        "sampling_rate": 16000,
        "padding_value": 0.0,
        "do_normalize": case["do_normalize"],
        # HF convention: group-norm (base) models do not use an attention mask, layer-norm models do.
        "return_attention_mask": case["feat_extract_norm"] == "layer",
    }


# --------------------------------------------------------------------------------------------
# Model construction and perturbation
# --------------------------------------------------------------------------------------------
def build_torchaudio(cfg, ctc):
    return torchaudio.models.wav2vec2_model(
        extractor_mode=f"{cfg['feat_extract_norm']}_norm",
        extractor_conv_layer_config=list(zip(cfg["conv_dim"], cfg["conv_kernel"], cfg["conv_stride"])),
        extractor_conv_bias=cfg["conv_bias"],
        encoder_embed_dim=cfg["hidden_size"],
        encoder_projection_dropout=0.0,
        encoder_pos_conv_kernel=cfg["num_conv_pos_embeddings"],
        encoder_pos_conv_groups=cfg["num_conv_pos_embedding_groups"],
        encoder_num_layers=cfg["num_hidden_layers"],
        encoder_num_heads=cfg["num_attention_heads"],
        encoder_attention_dropout=0.0,
        encoder_ff_interm_features=cfg["intermediate_size"],
        encoder_ff_interm_dropout=0.0,
        encoder_dropout=0.0,
        encoder_layer_norm_first=cfg["do_stable_layer_norm"],
        encoder_layer_drop=0.0,
        aux_num_out=cfg["vocab_size"] if ctc else None,
    )


@torch.no_grad()
def perturb(model, cfg, gen):
    """Move every parameter away from its default init; activations stay O(1)."""
    D = cfg["hidden_size"]
    G = cfg["num_conv_pos_embedding_groups"]
    K = cfg["num_conv_pos_embeddings"]

    def randn(shape):
        return torch.randn(shape, generator=gen, dtype=torch.float32)

    for name, p in model.named_parameters():
        shape = tuple(p.shape)
        if name.endswith("pos_conv_embed.conv.weight_v"):
            new = randn(shape)
        elif name.endswith("pos_conv_embed.conv.weight_g"):
            # per-element std of the effective weight ~ 1/sqrt(fan_in), fan_in = (D/G)*K
            fan_in = (D // G) * K
            target = math.sqrt(D * (D // G)) / math.sqrt(fan_in)
            new = target * (1.0 + 0.3 * randn(shape))
        elif "layer_norm" in name and name.endswith(".weight"):
            new = 1.0 + 0.2 * randn(shape)
        elif name.endswith(".bias"):
            new = 0.1 * randn(shape)
        elif name.startswith("feature_extractor.") and name.endswith("conv.weight"):
            fan_in = shape[1] * shape[2]
            new = randn(shape) * math.sqrt(2.0 / fan_in)  # kaiming normal (GELU after each conv)
        elif name.endswith(".weight") and p.dim() == 2:
            fan_in = shape[1]
            scale = 1.0 / math.sqrt(fan_in)
            if ".q_proj." in name or ".k_proj." in name:
                scale *= 1.5  # sharper (non-uniform) attention
            new = randn(shape) * scale
        else:
            raise RuntimeError(f"unhandled parameter {name} {shape}")
        p.copy_(new)


def round_params(model, dtype):
    if dtype == "F32":
        return
    tdt = {"F16": torch.float16, "BF16": torch.bfloat16}[dtype]
    with torch.no_grad():
        for _, p in model.named_parameters():
            p.copy_(p.to(tdt).to(torch.float32))


# --------------------------------------------------------------------------------------------
# Key mapping torchaudio <-> HF
# --------------------------------------------------------------------------------------------
def ta_to_hf_key(k, case):
    if k.startswith("feature_extractor."):
        hf = k
    elif k.startswith("encoder.feature_projection."):
        hf = "feature_projection." + k[len("encoder.feature_projection."):]
    elif k.startswith("encoder.transformer.pos_conv_embed.conv."):
        leaf = k[len("encoder.transformer.pos_conv_embed.conv."):]
        if case["pos_conv_naming"] == "parametrizations":
            leaf = {"weight_g": "parametrizations.weight.original0",
                    "weight_v": "parametrizations.weight.original1"}.get(leaf, leaf)
        hf = "encoder.pos_conv_embed.conv." + leaf
    elif k.startswith("encoder.transformer."):
        hf = "encoder." + k[len("encoder.transformer."):]
    elif k.startswith("aux."):
        return "lm_head." + k[len("aux."):]
    else:
        raise RuntimeError(f"unmapped key {k}")
    return ("wav2vec2." + hf) if case["ctc"] else hf


def hf_to_ta_key(k):
    """Inverse mapping; returns None for keys torchaudio does not have (masked_spec_embed)."""
    if k.startswith("lm_head."):
        return "aux." + k[len("lm_head."):]
    if k.startswith("wav2vec2."):
        k = k[len("wav2vec2."):]
    if k == "masked_spec_embed":
        return None
    if k.startswith("feature_extractor."):
        return k
    if k.startswith("feature_projection."):
        return "encoder." + k
    if k.startswith("encoder.pos_conv_embed.conv."):
        leaf = k[len("encoder.pos_conv_embed.conv."):]
        leaf = {"parametrizations.weight.original0": "weight_g",
                "parametrizations.weight.original1": "weight_v"}.get(leaf, leaf)
        return "encoder.transformer.pos_conv_embed.conv." + leaf
    if k.startswith("encoder."):
        return "encoder.transformer." + k[len("encoder."):]
    raise RuntimeError(f"unmapped HF key {k}")


# --------------------------------------------------------------------------------------------
# safetensors writer / reader (no external package)
# --------------------------------------------------------------------------------------------
def tensor_bytes(t, dtype):
    t = t.detach().to(torch.float32).contiguous()
    if dtype == "F32":
        return t.numpy().astype("<f4").tobytes()
    if dtype == "F16":
        return t.to(torch.float16).numpy().astype("<f2").tobytes()
    if dtype == "BF16":
        # torch's float32 -> bfloat16 conversion rounds to nearest even
        return t.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
    raise ValueError(dtype)


def write_safetensors(path, tensors, dtype):
    """tensors: dict name -> torch tensor (float32 values). All stored as `dtype`."""
    names = sorted(tensors)
    header = {}
    blobs = []
    off = 0
    for n in names:
        b = tensor_bytes(tensors[n], dtype)
        header[n] = {"dtype": dtype, "shape": list(tensors[n].shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    header["__metadata__"] = {"format": "pt"}
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((8 - len(hjson) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Returns (dict name -> float32 numpy array, dict name -> dtype string)."""
    with open(path, "rb") as f:
        data = f.read()
    (hlen,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + hlen].decode("utf-8"))
    base = 8 + hlen
    out, dtypes = {}, {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        raw = data[base + b:base + e]
        dt = info["dtype"]
        if dt == "F32":
            arr = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        elif dt == "F16":
            arr = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif dt == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(dt)
        out[name] = arr.reshape(info["shape"])
        dtypes[name] = dt
    return out, dtypes


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
def make_waveform(n, seed):
    """Speech-like signal: harmonic source with vibrato, syllable envelope, noise; amplitude ~0.3."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 16000.0
    f0 = rng.uniform(100, 220) * (1 + 0.05 * np.sin(2 * np.pi * rng.uniform(3, 6) * t))
    phase = 2 * np.pi * np.cumsum(f0) / 16000.0
    x = np.zeros(n)
    for h in range(1, 8):
        x += rng.uniform(0.2, 1.0) / h * np.sin(h * phase + rng.uniform(0, 2 * np.pi))
    env = 0.6 + 0.4 * np.sin(2 * np.pi * rng.uniform(2, 5) * t + rng.uniform(0, 2 * np.pi))
    x = x * env
    x = 0.3 * x / np.max(np.abs(x))
    x += 0.02 * rng.standard_normal(n) + rng.uniform(-0.02, 0.02)  # noise + small DC offset
    return x.astype(np.float32)


def normalize(x):
    x = x.astype(np.float64)
    return (x - x.mean()) / np.sqrt(x.var() + 1e-7)


def num_frames(n, kernels, strides):
    for k, s in zip(kernels, strides):
        n = max(0, (n - k) // s + 1)
    return n


# --------------------------------------------------------------------------------------------
# Reference computation
# --------------------------------------------------------------------------------------------
@torch.no_grad()
def run_reference(model, wav, ctc):
    """Returns dict with 'hidden', 'layers' (list), optionally 'logits'; batch 1, no lengths."""
    model.eval()
    x = torch.from_numpy(np.asarray(wav)).unsqueeze(0)
    dt = next(model.parameters()).dtype
    x = x.to(dt)
    feats, _ = model.feature_extractor(x, None)
    hidden = model.encoder(feats, None)
    layers, _ = model.extract_features(x, None, None)
    out = {"hidden": hidden[0].numpy(), "layers": [l[0].numpy() for l in layers]}
    if ctc:
        out["logits"] = model.aux(hidden)[0].numpy()
        full, _ = model(x)
        assert torch.equal(full, model.aux(hidden))
    else:
        full, _ = model(x)
        assert torch.equal(full, hidden)
    return out


# --------------------------------------------------------------------------------------------
# Independent numpy forward (HF semantics, HF keys, float64)
# --------------------------------------------------------------------------------------------
_erf = np.frompyfunc(math.erf, 1, 1)


def np_gelu(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)).astype(np.float64))


def np_layer_norm(x, w, b, eps=1e-5):  # over last dim
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def np_conv1d(x, w, b, stride=1, padding=0, groups=1):
    """x [Cin, T], w [Cout, Cin/groups, K] -> [Cout, Tout]"""
    if padding:
        x = np.pad(x, ((0, 0), (padding, padding)))
    cout, cin_g, k = w.shape
    win = np.lib.stride_tricks.sliding_window_view(x, k, axis=1)[:, ::stride, :]  # [Cin, Tout, K]
    cout_g = cout // groups
    outs = []
    for g in range(groups):
        xg = win[g * cin_g:(g + 1) * cin_g]  # [cin_g, Tout, K]
        wg = w[g * cout_g:(g + 1) * cout_g]  # [cout_g, cin_g, K]
        outs.append(np.einsum("ctk,ock->ot", xg, wg))
    y = np.concatenate(outs, 0)
    if b is not None:
        y = y + b[:, None]
    return y


def np_weight_norm_dim2(g, v):
    """torch.nn.utils.weight_norm(dim=2): w[:, :, k] = g[k] * v[:, :, k] / ||v[:, :, k]||_F"""
    norm = np.sqrt((v.astype(np.float64) ** 2).sum(axis=(0, 1), keepdims=True))
    return g.astype(np.float64) * v / norm


def np_hf_forward(cfg, w, wav, preproc):
    """Follows HF Wav2Vec2Model / Wav2Vec2ForCTC semantics from config.json + HF-keyed weights."""
    p = "wav2vec2." if "Wav2Vec2ForCTC" in cfg["architectures"] else ""
    W = lambda k: w[p + k].astype(np.float64)
    has = lambda k: (p + k) in w
    x = wav.astype(np.float64)
    if preproc["do_normalize"]:
        x = (x - x.mean()) / np.sqrt(x.var() + 1e-7)
    h = x[None, :]
    eps = cfg["layer_norm_eps"]
    for i, (c, k, s) in enumerate(zip(cfg["conv_dim"], cfg["conv_kernel"], cfg["conv_stride"])):
        pre = f"feature_extractor.conv_layers.{i}."
        h = np_conv1d(h, W(pre + "conv.weight"), W(pre + "conv.bias") if cfg["conv_bias"] else None, stride=s)
        if cfg["feat_extract_norm"] == "layer":
            h = np_layer_norm(h.T, W(pre + "layer_norm.weight"), W(pre + "layer_norm.bias"), eps).T
        elif i == 0:  # GroupNorm(C, C): per-channel normalisation over time
            mu = h.mean(1, keepdims=True)
            var = ((h - mu) ** 2).mean(1, keepdims=True)
            h = (h - mu) / np.sqrt(var + 1e-5) * W(pre + "layer_norm.weight")[:, None] + W(pre + "layer_norm.bias")[:, None]
        h = np_gelu(h)
    h = h.T  # [T, C]
    h = np_layer_norm(h, W("feature_projection.layer_norm.weight"), W("feature_projection.layer_norm.bias"), eps)
    h = h @ W("feature_projection.projection.weight").T + W("feature_projection.projection.bias")
    # positional conv
    pc = "encoder.pos_conv_embed.conv."
    if has(pc + "weight_g"):
        g, v = W(pc + "weight_g"), W(pc + "weight_v")
    else:
        g, v = W(pc + "parametrizations.weight.original0"), W(pc + "parametrizations.weight.original1")
    K = cfg["num_conv_pos_embeddings"]
    pw = np_weight_norm_dim2(g, v)
    pos = np_conv1d(h.T, pw, W(pc + "bias"), padding=K // 2, groups=cfg["num_conv_pos_embedding_groups"])
    if K % 2 == 0:
        pos = pos[:, :-1]  # SamePad
    h = h + np_gelu(pos).T
    stable = cfg["do_stable_layer_norm"]
    if not stable:
        h = np_layer_norm(h, W("encoder.layer_norm.weight"), W("encoder.layer_norm.bias"), eps)
    nh = cfg["num_attention_heads"]
    D = cfg["hidden_size"]
    hd = D // nh
    layers = []
    for li in range(cfg["num_hidden_layers"]):
        L = lambda k: W(f"encoder.layers.{li}.{k}")
        lin = lambda x, n: x @ L(n + ".weight").T + L(n + ".bias")

        def attn(x):
            T = x.shape[0]
            q = (lin(x, "attention.q_proj") * hd ** -0.5).reshape(T, nh, hd).transpose(1, 0, 2)
            k = lin(x, "attention.k_proj").reshape(T, nh, hd).transpose(1, 0, 2)
            v = lin(x, "attention.v_proj").reshape(T, nh, hd).transpose(1, 0, 2)
            s = q @ k.transpose(0, 2, 1)
            s = np.exp(s - s.max(-1, keepdims=True))
            s = s / s.sum(-1, keepdims=True)
            o = (s @ v).transpose(1, 0, 2).reshape(T, D)
            return lin(o, "attention.out_proj")

        ffn = lambda x: lin(np_gelu(lin(x, "feed_forward.intermediate_dense")), "feed_forward.output_dense")
        ln1 = lambda x: np_layer_norm(x, L("layer_norm.weight"), L("layer_norm.bias"), eps)
        ln2 = lambda x: np_layer_norm(x, L("final_layer_norm.weight"), L("final_layer_norm.bias"), eps)
        if stable:
            h = h + attn(ln1(h))
            h = h + ffn(ln2(h))
        else:
            h = ln1(h + attn(h))
            h = ln2(h + ffn(h))
        layers.append(h)
    if stable:
        h = np_layer_norm(h, W("encoder.layer_norm.weight"), W("encoder.layer_norm.bias"), eps)
    out = {"hidden": h, "layers": layers}
    if "lm_head.weight" in w:
        out["logits"] = h @ w["lm_head.weight"].astype(np.float64).T + w["lm_head.bias"].astype(np.float64)
    return out


# --------------------------------------------------------------------------------------------
def max_rel(a, ref):
    a = np.asarray(a, np.float64)
    ref = np.asarray(ref, np.float64)
    return float(np.max(np.abs(a - ref)) / max(np.max(np.abs(ref)), 1e-30))


def generate_case(case, out_root):
    cfg = full_config(case)
    d = os.path.join(out_root, case["name"])
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))

    gen = torch.Generator().manual_seed(case["seed"])
    torch.manual_seed(case["seed"])
    model = build_torchaudio(cfg, case["ctc"])
    perturb(model, cfg, gen)
    round_params(model, case["dtype"])
    model.eval()

    # ---- weights in HF layout
    sd = model.state_dict()
    hf = {}
    for k, v in sd.items():
        hf[ta_to_hf_key(k, case)] = v
    if case["masked_spec_embed"]:
        hf["wav2vec2.masked_spec_embed" if case["ctc"] else "masked_spec_embed"] = torch.rand(
            cfg["hidden_size"], generator=gen)
    write_safetensors(os.path.join(d, "model.safetensors"), hf, case["dtype"])
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(hf_config_json(case), f, indent=2)
        f.write("\n")
    with open(os.path.join(d, "preprocessor_config.json"), "w") as f:
        json.dump(preprocessor_json(case), f, indent=2)
        f.write("\n")

    # ---- reference in float64
    model64 = build_torchaudio(cfg, case["ctc"])
    model64.load_state_dict(model.state_dict())
    model64 = model64.double().eval()
    inputs_meta = []
    expected_files = []
    for i, n in enumerate(case["input_lengths"]):
        wav = make_waveform(n, case["seed"] * 10 + i)
        np.save(os.path.join(d, f"input_{i}.npy"), wav)
        model_in = normalize(wav) if case["do_normalize"] else wav.astype(np.float64)
        ref = run_reference(model64, model_in, case["ctc"])
        T = ref["hidden"].shape[0]
        assert T == num_frames(n, cfg["conv_kernel"], cfg["conv_stride"]), (T, n)
        files = [f"expected_hidden_{i}.npy"]
        np.save(os.path.join(d, files[0]), ref["hidden"].astype(np.float32))
        for li, l in enumerate(ref["layers"]):
            fn = f"expected_layer{li + 1}_{i}.npy"
            np.save(os.path.join(d, fn), l.astype(np.float32))
            files.append(fn)
        if case["ctc"]:
            fn = f"expected_logits_{i}.npy"
            np.save(os.path.join(d, fn), ref["logits"].astype(np.float32))
            files.append(fn)
        expected_files += files
        inputs_meta.append({"file": f"input_{i}.npy", "samples": n, "frames": T,
                            "expected": files,
                            "hidden_abs_max": float(np.abs(ref["hidden"]).max()),
                            "hidden_std": float(ref["hidden"].std())})

    K = cfg["num_conv_pos_embeddings"]
    D = cfg["hidden_size"]
    G = cfg["num_conv_pos_embedding_groups"]
    pfx = "wav2vec2." if case["ctc"] else ""
    if case["pos_conv_naming"] == "parametrizations":
        gk, vk = pfx + "encoder.pos_conv_embed.conv.parametrizations.weight.original0", \
            pfx + "encoder.pos_conv_embed.conv.parametrizations.weight.original1"
    else:
        gk, vk = pfx + "encoder.pos_conv_embed.conv.weight_g", pfx + "encoder.pos_conv_embed.conv.weight_v"
    meta = {
        "case": case["name"],
        "description": case["description"],
        "architecture": hf_config_json(case)["architectures"][0],
        "key_prefix": pfx,
        "weight_dtype": case["dtype"],
        "num_tensors": len(hf),
        "seed": case["seed"],
        "inputs": inputs_meta,
        "expected_files": expected_files,
        "pos_conv": {"kernel": K, "groups": G, "weight_g_key": gk, "weight_g_shape": [1, 1, K],
                     "weight_v_key": vk, "weight_v_shape": [D, D // G, K],
                     "same_pad_removes_last_frame": K % 2 == 0},
        "extra_keys_to_ignore": [k for k in hf if k.endswith("masked_spec_embed")],
        "notes": [
            "Expected outputs computed by torchaudio %s (torch %s) in float64, eval mode, each input alone "
            "(batch 1, no padding, no attention mask), stored as float32." % (torchaudio.__version__, torch.__version__),
            "input_i.npy is the raw waveform; if preprocessor do_normalize is true the model input is "
            "(x - mean) / sqrt(var + 1e-7) (population variance, float64), which the consumer must apply itself.",
            "expected_hidden = HF last_hidden_state (post-LN: output of the last layer; pre-LN: after the final "
            "encoder.layer_norm).",
            "expected_layerN = raw output of transformer layer N (1-based), without the pre-LN final norm "
            "(post-LN: the encoder.layer_norm is applied before layer 1 and is included).",
            "frames: L_out = floor((L_in - k) / s) + 1 per conv layer, no padding.",
            "Pos-conv effective weight: w[:, :, k] = g[k] * v[:, :, k] / ||v[:, :, k]||_F (weight_norm dim=2); "
            "conv padding K//2, groups G; for even K the last output frame is dropped (SamePad).",
        ],
    }
    if case["dtype"] != "F32":
        meta["notes"].append("The parameters were rounded to %s before the float64 reference was computed, "
                             "so the stored weights are exactly the weights used." % case["dtype"])
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    return model


def check_case(case, out_root, ta_model=None):
    cfg = full_config(case)
    d = os.path.join(out_root, case["name"])
    with open(os.path.join(d, "config.json")) as f:
        hfcfg = json.load(f)
    with open(os.path.join(d, "preprocessor_config.json")) as f:
        pre = json.load(f)
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    w, dts = read_safetensors(os.path.join(d, "model.safetensors"))
    assert set(dts.values()) == {case["dtype"]}, dts
    results = {}

    # (1) reload -> torchaudio float32
    ta_sd = {}
    for k, v in w.items():
        tk = hf_to_ta_key(k)
        if tk is not None:
            ta_sd[tk] = torch.from_numpy(v.copy())
    m32 = build_torchaudio(cfg, case["ctc"])
    m32.load_state_dict(ta_sd, strict=True)
    m32.eval()
    if ta_model is not None:  # stored weights == weights used for the reference
        for k, v in ta_model.state_dict().items():
            assert torch.equal(v, ta_sd[k]), k
    # (3) weight norm check
    wn_ref = m32.encoder.transformer.pos_conv_embed.conv.weight  # recomputed by the hook on forward
    with torch.no_grad():
        m32(torch.zeros(1, 2000))
    wn_ref = m32.encoder.transformer.pos_conv_embed.conv.weight.detach().numpy().astype(np.float64)
    g = ta_sd["encoder.transformer.pos_conv_embed.conv.weight_g"].numpy()
    v = ta_sd["encoder.transformer.pos_conv_embed.conv.weight_v"].numpy()
    assert g.shape == (1, 1, cfg["num_conv_pos_embeddings"]), g.shape
    wn_np = np_weight_norm_dim2(g, v)
    results["weight_norm_max_rel"] = max_rel(wn_np, wn_ref)

    worst32 = 0.0
    worst_np = 0.0
    for inp in meta["inputs"]:
        i = int(inp["file"].split("_")[1].split(".")[0])
        wav = np.load(os.path.join(d, inp["file"]))
        assert wav.dtype == np.float32 and wav.ndim == 1 and wav.shape[0] == inp["samples"]
        model_in = normalize(wav) if pre["do_normalize"] else wav.astype(np.float64)
        r32 = run_reference(m32, model_in.astype(np.float32), case["ctc"])
        rnp = np_hf_forward(hfcfg, w, wav, pre)
        exp = {"hidden": np.load(os.path.join(d, f"expected_hidden_{i}.npy"))}
        for li in range(cfg["num_hidden_layers"]):
            exp[f"layer{li + 1}"] = np.load(os.path.join(d, f"expected_layer{li + 1}_{i}.npy"))
        if case["ctc"]:
            exp["logits"] = np.load(os.path.join(d, f"expected_logits_{i}.npy"))
        for key, e in exp.items():
            assert e.shape[0] == inp["frames"], (key, e.shape)
            a32 = r32[key] if key in r32 else r32["layers"][int(key[5:]) - 1]
            anp = rnp[key] if key in rnp else rnp["layers"][int(key[5:]) - 1]
            e32 = max_rel(a32, e)
            enp = max_rel(anp, e)
            results[f"in{i}/{key}/torch_f32"] = e32
            results[f"in{i}/{key}/numpy_hf_f64"] = enp
            worst32 = max(worst32, e32)
            worst_np = max(worst_np, enp)
    results["worst_torch_f32_max_rel"] = worst32
    results["worst_numpy_hf_f64_max_rel"] = worst_np
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--check-only", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    print(f"torch {torch.__version__}, torchaudio {torchaudio.__version__}, numpy {np.__version__}, out={out}")
    ok = True
    for case in CASES:
        ta_model = None
        if not args.check_only:
            ta_model = generate_case(case, out)
        r = check_case(case, out, ta_model)
        print(f"[{case['name']}] weight-norm numpy vs torchaudio max rel = {r['weight_norm_max_rel']:.2e}; "
              f"float32 torchaudio (weights re-read from safetensors) vs f64 expected: worst max rel = "
              f"{r['worst_torch_f32_max_rel']:.2e}; independent numpy HF-semantics f64 forward: worst max rel = "
              f"{r['worst_numpy_hf_f64_max_rel']:.2e}")
        if args.verbose:
            for k, v in r.items():
                print(f"    {k}: {v:.3e}")
        if r["weight_norm_max_rel"] > 1e-6 or r["worst_torch_f32_max_rel"] > 1e-4 or r["worst_numpy_hf_f64_max_rel"] > 1e-6:
            ok = False
            print("  -> CHECK FAILED")
    print("ALL CHECKS PASSED" if ok else "SOME CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
