package w2v4j.model;

import w2v4j.core.config.Wav2Vec2Config;
import w2v4j.kernels.Backend;
import w2v4j.kernels.ConvWeights;

/**
 * Convolutional relative position embedding: {@code x + GELU(conv(x))}, a grouped convolution of
 * kernel K with padding K/2, weight-normalised over dim 2 (one norm per kernel tap), the last
 * output frame dropped when K is even so that the output keeps T frames.
 * The weight is kept as (g, v) so that training can differentiate through the normalisation.
 */
public final class PositionalConvEmbedding {
    final int dim, kernel, groups;
    final Param weightG, weightV, bias;
    /** Effective weight {@code g * v / ||v||} in the backend's packed layout. */
    float[] packed;

    PositionalConvEmbedding(Wav2Vec2Config c, ParamSet ps, String prefix) {
        dim = c.hiddenSize();
        kernel = c.numConvPosEmbeddings();
        groups = c.numConvPosEmbeddingGroups();
        String p = prefix + "encoder.pos_conv_embed.conv.";
        weightG = ps.add(p + "weight_g", 1, 1, kernel);
        weightV = ps.add(p + "weight_v", dim, dim / groups, kernel);
        bias = ps.add(p + "bias", dim);
    }

    /** Folds the weight norm: {@code w[o, i, k] = g[k] * v[o, i, k] / sqrt(sum_{o,i} v[o, i, k]^2)}. */
    static float[] effectiveWeight(float[] g, float[] v, int rows, int kernel) {
        double[] norm = new double[kernel];
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < kernel; k++) {
                double x = v[r * kernel + k];
                norm[k] += x * x;
            }
        float[] w = new float[v.length];
        for (int k = 0; k < kernel; k++) norm[k] = g[k] / Math.sqrt(norm[k]);
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < kernel; k++) w[r * kernel + k] = (float) (v[r * kernel + k] * norm[k]);
        return w;
    }

    void pack() {
        float[] w = effectiveWeight(weightG.value, weightV.value, dim * (dim / groups), kernel);
        packed = ConvWeights.pack(w, dim, dim / groups, kernel);
    }

    /** Output frames of the convolution before the even-kernel trim: {@code T + 2*(K/2) - K + 1}. */
    int convFrames(int t) {
        return t + 2 * (kernel / 2) - kernel + 1;
    }

    /**
     * {@code x[t, dim] += GELU(conv(x))[:t]} for one unpadded sequence starting at {@code x[off]}.
     * {@code scratch} holds at least {@code convFrames(t) * dim} floats; {@code seq} at least t*dim.
     */
    void forward(Backend be, float[] x, int off, int t, float[] seq, float[] scratch) {
        System.arraycopy(x, off, seq, 0, t * dim);
        be.conv1d(scratch, seq, packed, bias.value, t, dim, dim, kernel, 1, kernel / 2, groups);
        be.gelu(scratch, 0, t * dim);
        be.add(x, off, scratch, 0, t * dim);
    }
}
