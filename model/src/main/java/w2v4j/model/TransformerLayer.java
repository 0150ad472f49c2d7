package w2v4j.model;

import w2v4j.core.config.Wav2Vec2Config;
import w2v4j.kernels.Backend;

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
}
