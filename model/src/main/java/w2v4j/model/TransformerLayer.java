package w2v4j.model;

import w2v4j.core.config.Wav2Vec2Config;
import w2v4j.kernels.Backend;

import java.util.List;

/**
 * One Transformer encoder layer. Post-LN (wav2vec 2.0 BASE):
 * {@code x = LN1(x + MHA(x)); x = LN2(x + FFN(x))}. Pre-LN (LARGE, "stable layer norm"):
 * {@code x = x + MHA(LN1 x); x = x + FFN(LN2 x)}. FFN = Linear, GELU, Linear.
 */
public final class TransformerLayer {
    final int dim, heads, ffn;
    final boolean preLn;
    final float eps;
    final Param qW, qB, kW, kB, vW, vB, oW, oB, ln1W, ln1B, fc1W, fc1B, fc2W, fc2B, ln2W, ln2B;

    TransformerLayer(Wav2Vec2Config c, ParamSet ps, String prefix, int index) {
        dim = c.hiddenSize();
        heads = c.numAttentionHeads();
        ffn = c.intermediateSize();
        preLn = c.doStableLayerNorm();
        eps = (float) c.layerNormEps();
        String p = prefix + "encoder.layers." + index + ".";
        qW = ps.add(p + "attention.q_proj.weight", dim, dim);
        qB = ps.add(p + "attention.q_proj.bias", dim);
        kW = ps.add(p + "attention.k_proj.weight", dim, dim);
        kB = ps.add(p + "attention.k_proj.bias", dim);
        vW = ps.add(p + "attention.v_proj.weight", dim, dim);
        vB = ps.add(p + "attention.v_proj.bias", dim);
        oW = ps.add(p + "attention.out_proj.weight", dim, dim);
        oB = ps.add(p + "attention.out_proj.bias", dim);
        ln1W = ps.add(p + "layer_norm.weight", dim);
        ln1B = ps.add(p + "layer_norm.bias", dim);
        fc1W = ps.add(p + "feed_forward.intermediate_dense.weight", ffn, dim);
        fc1B = ps.add(p + "feed_forward.intermediate_dense.bias", ffn);
        fc2W = ps.add(p + "feed_forward.output_dense.weight", dim, ffn);
        fc2B = ps.add(p + "feed_forward.output_dense.bias", dim);
        ln2W = ps.add(p + "final_layer_norm.weight", dim);
        ln2B = ps.add(p + "final_layer_norm.bias", dim);
    }

    /** Scratch buffers of one forward pass over {@code rows = batch * t} frames. */
    static final class Scratch {
        final float[] normed, q, k, v, attn, proj, hidden;

        Scratch(int rows, int dim, int ffn) {
            normed = new float[rows * dim];
            q = new float[rows * dim];
            k = new float[rows * dim];
            v = new float[rows * dim];
            attn = new float[rows * dim];
            proj = new float[rows * dim];
            hidden = new float[rows * ffn];
        }

        List<float[]> arrays() {
            return List.of(normed, q, k, v, attn, proj, hidden);
        }
    }

    /** In place on {@code x[batch, t, dim]}. */
    void forward(Backend be, float[] x, int batch, int t, int[] validLength, Scratch s) {
        int rows = batch * t;
        float[] attnIn = x;
        if (preLn) {
            be.layerNorm(s.normed, 0, x, 0, ln1W.value, ln1B.value, rows, dim, eps);
            attnIn = s.normed;
        }
        be.linear(s.q, 0, attnIn, 0, qW.value, qB.value, rows, dim, dim);
        be.linear(s.k, 0, attnIn, 0, kW.value, kB.value, rows, dim, dim);
        be.linear(s.v, 0, attnIn, 0, vW.value, vB.value, rows, dim, dim);
        be.attention(s.attn, s.q, s.k, s.v, batch, t, heads, dim / heads, validLength);
        be.linear(s.proj, 0, s.attn, 0, oW.value, oB.value, rows, dim, dim);
        be.add(x, 0, s.proj, 0, rows * dim);
        if (!preLn) be.layerNorm(x, 0, x, 0, ln1W.value, ln1B.value, rows, dim, eps);

        float[] ffnIn = x;
        if (preLn) {
            be.layerNorm(s.normed, 0, x, 0, ln2W.value, ln2B.value, rows, dim, eps);
            ffnIn = s.normed;
        }
        be.linear(s.hidden, 0, ffnIn, 0, fc1W.value, fc1B.value, rows, dim, ffn);
        be.gelu(s.hidden, 0, rows * ffn);
        be.linear(s.proj, 0, s.hidden, 0, fc2W.value, fc2B.value, rows, ffn, dim);
        be.add(x, 0, s.proj, 0, rows * dim);
        if (!preLn) be.layerNorm(x, 0, x, 0, ln2W.value, ln2B.value, rows, dim, eps);
    }

    /** What one layer's training forward keeps for its backward. */
    static final class Saved {
        float[] in, ln1Out, ln1Mean, ln1Rstd, q, k, v, attn, lse, h1, ln1PostMean, ln1PostRstd, x1,
                ln2Out, ln2Mean, ln2Rstd, fc1, act, h2, out;
        long seed;
    }

    /** Dropout sites of a layer, each with its own seed derived from the layer's. */
    private static final int SITE_ATTN_OUT = 1, SITE_ACT = 2, SITE_FFN_OUT = 3;

    static long siteSeed(long seed, int site) {
        return Rng.mix(seed + 0x9E3779B97F4A7C15L * site);
    }

    /** Training forward of {@code in[batch*t, dim]}; the output is {@code saved.out} (a new buffer). */
    Saved forwardTrain(Backend be, float[] in, int batch, int t, int[] validLength, TrainOptions o, long seed, Workspace ws) {
        int rows = batch * t, n = rows * dim;
        Saved s = new Saved();
        s.in = in;
        s.seed = seed;
        float[] attnIn = in;
        if (preLn) {
            s.ln1Out = ws.next(n);
            s.ln1Mean = ws.next(rows);
            s.ln1Rstd = ws.next(rows);
            be.layerNorm(s.ln1Out, 0, in, 0, ln1W.value, ln1B.value, rows, dim, eps, s.ln1Mean, s.ln1Rstd);
            attnIn = s.ln1Out;
        }
        s.q = ws.next(n);
        s.k = ws.next(n);
        s.v = ws.next(n);
        be.linear(s.q, 0, attnIn, 0, qW.value, qB.value, rows, dim, dim);
        be.linear(s.k, 0, attnIn, 0, kW.value, kB.value, rows, dim, dim);
        be.linear(s.v, 0, attnIn, 0, vW.value, vB.value, rows, dim, dim);
        s.attn = ws.next(n);
        s.lse = ws.next(batch * heads * t);
        be.attention(s.attn, s.q, s.k, s.v, batch, t, heads, dim / heads, validLength, s.lse);
        // h1 = in + dropout(out_proj(attn))
        s.h1 = ws.next(n);
        be.linear(s.h1, 0, s.attn, 0, oW.value, oB.value, rows, dim, dim);
        be.dropout(s.h1, 0, n, o.hiddenDropout(), siteSeed(seed, SITE_ATTN_OUT));
        be.add(s.h1, 0, in, 0, n);
        float[] ffnIn;
        if (preLn) {
            s.x1 = s.h1;
            s.ln2Out = ws.next(n);
            s.ln2Mean = ws.next(rows);
            s.ln2Rstd = ws.next(rows);
            be.layerNorm(s.ln2Out, 0, s.x1, 0, ln2W.value, ln2B.value, rows, dim, eps, s.ln2Mean, s.ln2Rstd);
            ffnIn = s.ln2Out;
        } else {
            s.x1 = ws.next(n);
            s.ln1PostMean = ws.next(rows);
            s.ln1PostRstd = ws.next(rows);
            be.layerNorm(s.x1, 0, s.h1, 0, ln1W.value, ln1B.value, rows, dim, eps, s.ln1PostMean, s.ln1PostRstd);
            ffnIn = s.x1;
        }
        s.fc1 = ws.next(rows * ffn);
        be.linear(s.fc1, 0, ffnIn, 0, fc1W.value, fc1B.value, rows, dim, ffn);
        s.act = ws.next(rows * ffn);
        be.gelu(s.act, 0, s.fc1, 0, rows * ffn);
        be.dropout(s.act, 0, rows * ffn, o.activationDropout(), siteSeed(seed, SITE_ACT));
        // h2 = x1 + dropout(fc2(act))
        s.h2 = ws.next(n);
        be.linear(s.h2, 0, s.act, 0, fc2W.value, fc2B.value, rows, ffn, dim);
        be.dropout(s.h2, 0, n, o.hiddenDropout(), siteSeed(seed, SITE_FFN_OUT));
        be.add(s.h2, 0, s.x1, 0, n);
        if (preLn) {
            s.out = s.h2;
        } else {
            s.out = ws.next(n);
            s.ln2Mean = ws.next(rows);
            s.ln2Rstd = ws.next(rows);
            be.layerNorm(s.out, 0, s.h2, 0, ln2W.value, ln2B.value, rows, dim, eps, s.ln2Mean, s.ln2Rstd);
        }
        return s;
    }

    /** Backward from {@code dOut}; accumulates parameter grads and returns the gradient of the layer input. */
    float[] backward(Backend be, Saved s, float[] dOut, int batch, int t, int[] validLength, TrainOptions o, Workspace ws) {
        int rows = batch * t, n = rows * dim, nf = rows * ffn;
        // ---- FFN block: out = post ? LN2(x1 + ffn) : x1 + ffn
        float[] dH2;
        if (preLn) {
            dH2 = dOut;
        } else {
            dH2 = ws.zeroed(n);
            be.layerNormBackward(dH2, 0, ln2W.grad(), ln2B.grad(), dOut, 0, s.h2, 0, ln2W.value, s.ln2Mean, s.ln2Rstd, rows, dim);
        }
        float[] dX1 = copy(be, dH2, n, ws);
        float[] dFfnOut = copy(be, dH2, n, ws);
        be.dropout(dFfnOut, 0, n, o.hiddenDropout(), siteSeed(s.seed, SITE_FFN_OUT));
        float[] dAct = ws.zeroed(nf);
        be.linearBackward(dAct, 0, fc2W.grad(), fc2B.grad(), dFfnOut, 0, s.act, 0, fc2W.value, rows, ffn, dim);
        be.dropout(dAct, 0, nf, o.activationDropout(), siteSeed(s.seed, SITE_ACT));
        float[] dFc1 = ws.zeroed(nf);
        be.geluBackward(dFc1, 0, dAct, 0, s.fc1, 0, nf);
        if (preLn) {
            float[] dLn2 = ws.zeroed(n);
            be.linearBackward(dLn2, 0, fc1W.grad(), fc1B.grad(), dFc1, 0, s.ln2Out, 0, fc1W.value, rows, dim, ffn);
            be.layerNormBackward(dX1, 0, ln2W.grad(), ln2B.grad(), dLn2, 0, s.x1, 0, ln2W.value, s.ln2Mean, s.ln2Rstd, rows, dim);
        } else {
            be.linearBackward(dX1, 0, fc1W.grad(), fc1B.grad(), dFc1, 0, s.x1, 0, fc1W.value, rows, dim, ffn);
        }
        // ---- attention block: x1 = post ? LN1(in + attn) : in + attn
        float[] dH1;
        if (preLn) {
            dH1 = dX1;
        } else {
            dH1 = ws.zeroed(n);
            be.layerNormBackward(dH1, 0, ln1W.grad(), ln1B.grad(), dX1, 0, s.h1, 0, ln1W.value, s.ln1PostMean, s.ln1PostRstd, rows, dim);
        }
        float[] dIn = copy(be, dH1, n, ws);
        float[] dProj = copy(be, dH1, n, ws);
        be.dropout(dProj, 0, n, o.hiddenDropout(), siteSeed(s.seed, SITE_ATTN_OUT));
        float[] dAttn = ws.zeroed(n);
        be.linearBackward(dAttn, 0, oW.grad(), oB.grad(), dProj, 0, s.attn, 0, oW.value, rows, dim, dim);
        float[] dQ = ws.zeroed(n), dK = ws.zeroed(n), dV = ws.zeroed(n);
        be.attentionBackward(dQ, dK, dV, dAttn, s.q, s.k, s.v, s.attn, s.lse, batch, t, heads, dim / heads, validLength);
        float[] attnIn = preLn ? s.ln1Out : s.in;
        float[] dAttnIn = preLn ? ws.zeroed(n) : dIn;
        be.linearBackward(dAttnIn, 0, qW.grad(), qB.grad(), dQ, 0, attnIn, 0, qW.value, rows, dim, dim);
        be.linearBackward(dAttnIn, 0, kW.grad(), kB.grad(), dK, 0, attnIn, 0, kW.value, rows, dim, dim);
        be.linearBackward(dAttnIn, 0, vW.grad(), vB.grad(), dV, 0, attnIn, 0, vW.value, rows, dim, dim);
        if (preLn) be.layerNormBackward(dIn, 0, ln1W.grad(), ln1B.grad(), dAttnIn, 0, s.in, 0, ln1W.value, s.ln1Mean, s.ln1Rstd, rows, dim);
        return dIn;
    }

    private static float[] copy(Backend be, float[] src, int n, Workspace ws) {
        float[] a = ws.next(n);
        be.copy(a, 0, src, 0, n);
        return a;
    }
}
