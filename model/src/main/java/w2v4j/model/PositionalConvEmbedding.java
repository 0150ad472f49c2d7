package w2v4j.model;

import w2v4j.core.config.Wav2Vec2Config;
import w2v4j.kernels.Backend;

/**
 * Convolutional relative position embedding: {@code x + GELU(conv(x))}, a grouped convolution of
 * kernel K with padding K/2, weight-normalised over dim 2 (one norm per kernel tap), the last
 * output frame dropped when K is even so that the output keeps T frames.
 * The weight is kept as (g, v) so that training can differentiate through the normalisation.
 */
public final class PositionalConvEmbedding {
    final int dim, kernel, groups;
    final Param weightG, weightV, bias;
    /** Effective weight {@code g * v / ||v||} in the backend's packed layout, and in PyTorch's (scratch of {@link #pack}). */
    float[] packed, effective;

    PositionalConvEmbedding(Wav2Vec2Config c, ParamSet ps, String prefix) {
        dim = c.hiddenSize();
        kernel = c.numConvPosEmbeddings();
        groups = c.numConvPosEmbeddingGroups();
        String p = prefix + "encoder.pos_conv_embed.conv.";
        weightG = ps.add(p + "weight_g", 1, 1, kernel);
        weightV = ps.add(p + "weight_v", dim, dim / groups, kernel);
        bias = ps.add(p + "bias", dim);
    }

    /** Number of rows of the weight viewed as {@code v[rows, kernel]} for the weight norm. */
    int normRows() {
        return dim * (dim / groups);
    }

    /** Re-derives the packed effective weight {@code g * v / ||v||} on {@code be} from the parameters. */
    void pack(Backend be) {
        if (effective == null) effective = new float[weightV.numel()];
        if (packed == null) packed = new float[weightV.numel()];
        be.weightNorm(effective, weightG.value, weightV.value, normRows(), kernel);
        be.packConvWeight(packed, effective, dim, dim / groups, kernel);
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
     * Backward of the weight norm and the packing, from the packed effective-weight gradient summed over the batch:
     * accumulates into g's and v's grads (see {@link w2v4j.kernels.WeightNorm#backward}), then zeroes {@code dPacked}.
     * {@code dWeight} is scratch of the weight's size (PyTorch layout).
     */
    void weightNormBackward(Backend be, float[] dPacked, float[] dWeight) {
        int n = weightV.numel();
        be.fill(dWeight, 0, n, 0f);
        be.addUnpackedConvWeight(dWeight, dPacked, dim, dim / groups, kernel);
        be.weightNormBackward(weightG.grad(), weightV.grad(), dWeight, weightG.value, weightV.value, normRows(), kernel);
        be.fill(dPacked, 0, n, 0f);
    }
}
