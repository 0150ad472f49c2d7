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
        packed = packed == null ? ConvWeights.pack(w, dim, dim / groups, kernel) : ConvWeights.packInto(packed, w, dim, dim / groups, kernel);
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
        be.copy(seq, 0, x, off, t * dim);
        be.conv1d(scratch, seq, packed, bias.value, t, dim, dim, kernel, 1, kernel / 2, groups);
        be.gelu(scratch, 0, t * dim);
        be.add(x, off, scratch, 0, t * dim);
    }

    /** Input and pre-activation of one utterance, saved for the backward. */
    record Saved(int offset, int t, float[] input, float[] pre) {
    }

    /** Training forward: like {@link #forward} but keeps the conv input and pre-GELU output. */
    Saved forwardTrain(Backend be, float[] x, int off, int t, Workspace ws) {
        float[] in = ws.next(t * dim);
        be.copy(in, 0, x, off, t * dim);
        float[] pre = ws.next(convFrames(t) * dim);
        be.conv1d(pre, in, packed, bias.value, t, dim, dim, kernel, 1, kernel / 2, groups);
        float[] act = ws.next(t * dim);
        be.gelu(act, 0, pre, 0, t * dim);
        be.add(x, off, act, 0, t * dim);
        return new Saved(off, t, in, pre);
    }

    /**
     * Adds the conv path's gradient into {@code dX} (which already carries the residual path), the
     * bias grad into {@code bias}, and the effective-weight grad (packed) into {@code dPacked}.
     */
    void backward(Backend be, Saved s, float[] dX, Workspace ws, float[] dPacked) {
        int n = s.t() * dim, frames = convFrames(s.t());
        // the trimmed last frame (even kernels) gets no gradient: dPre beyond t rows stays zero
        float[] dPre = ws.zeroed(frames * dim);
        be.geluBackward(dPre, 0, dX, s.offset(), s.pre(), 0, n);
        float[] dIn = ws.zeroed(n);
        be.conv1dBackward(dIn, dPacked, bias.grad(), dPre, s.input(), packed, s.t(), dim, dim, kernel, 1, kernel / 2, groups);
        be.add(dX, s.offset(), dIn, 0, n);
    }

    /**
     * Backward of the weight norm {@code w_k = g_k v_k / ||v_k||}: with {@code s_k = <dW_k, v_k>},
     * {@code dg_k = s_k / ||v_k||} and {@code dv_k = (g_k / ||v_k||) (dW_k - s_k v_k / ||v_k||^2)}.
     * Accumulates into g's and v's grads; {@code dPacked} is only read (the caller zeroes it).
     */
    void weightNormBackward(float[] dPacked) {
        // dW is read straight from the packed layout [cOut, kernel, cInPerGroup]: element
        // (o, c, k) of PyTorch's [cOut, cInPerGroup, kernel] (row r = o*cig + c) is at
        // o*cig*kernel + k*cig + c. Rows are visited in increasing r, as before, so the sums are
        // the same; unpacking into a new array cost 19 MB of garbage per BASE step.
        int cig = dim / groups, per = cig * kernel;
        float[] v = weightV.value, g = weightG.value, dv = weightV.grad(), dg = weightG.grad();
        double[] norm2 = new double[kernel], dot = new double[kernel];
        for (int o = 0; o < dim; o++)
            for (int c = 0; c < cig; c++) {
                int r = o * cig + c;
                for (int k = 0; k < kernel; k++) {
                    double x = v[r * kernel + k];
                    norm2[k] += x * x;
                    dot[k] += dPacked[o * per + k * cig + c] * x;
                }
            }
        for (int k = 0; k < kernel; k++) dg[k] += (float) (dot[k] / Math.sqrt(norm2[k]));
        for (int o = 0; o < dim; o++)
            for (int c = 0; c < cig; c++) {
                int r = o * cig + c;
                for (int k = 0; k < kernel; k++) {
                    int i = r * kernel + k;
                    double nk = Math.sqrt(norm2[k]);
                    dv[i] += (float) (g[k] / nk * (dPacked[o * per + k * cig + c] - dot[k] * v[i] / norm2[k]));
                }
            }
    }
}
