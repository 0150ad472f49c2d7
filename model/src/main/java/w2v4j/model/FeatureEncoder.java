package w2v4j.model;

import w2v4j.core.config.Wav2Vec2Config;
import w2v4j.kernels.Backend;

/**
 * The convolutional feature encoder: raw waveform {@code [samples]} to frames {@code [T, convDim[last]]}.
 * No padding in the convolutions; {@code T_out = (T_in - kernel) / stride + 1} per layer.
 * "group" mode: GroupNorm (groups = channels, i.e. per-channel over time) after the first conv only;
 * "layer" mode: LayerNorm over channels after every conv. GELU after every block.
 * An utterance is always encoded on its own, unpadded, so the GroupNorm statistics never see padding.
 */
public final class FeatureEncoder {
    final int layers;
    final int[] dim, kernel, stride;
    final boolean layerNormMode;
    final float eps = 1e-5f;
    final Param[] weight, bias, normWeight, normBias;
    /** Conv weights in the backend's packed layout, rebuilt by {@link #pack()} after the weights change. */
    final float[][] packed;

    FeatureEncoder(Wav2Vec2Config c, ParamSet ps, String prefix) {
        layers = c.convDim().length;
        dim = c.convDim().clone();
        kernel = c.convKernel().clone();
        stride = c.convStride().clone();
        layerNormMode = c.featExtractNorm().equals("layer");
        weight = new Param[layers];
        bias = new Param[layers];
        normWeight = new Param[layers];
        normBias = new Param[layers];
        packed = new float[layers][];
        for (int i = 0; i < layers; i++) {
            int cIn = i == 0 ? 1 : dim[i - 1];
            String p = prefix + "feature_extractor.conv_layers." + i + ".";
            weight[i] = ps.add(p + "conv.weight", dim[i], cIn, kernel[i]);
            if (c.convBias()) bias[i] = ps.add(p + "conv.bias", dim[i]);
            if (layerNormMode || i == 0) {
                normWeight[i] = ps.add(p + "layer_norm.weight", dim[i]);
                normBias[i] = ps.add(p + "layer_norm.bias", dim[i]);
            }
        }
    }

    public int outputDim() {
        return dim[layers - 1];
    }

    /** Number of output frames for {@code samples} input samples (0 if the input is too short). */
    public int frames(int samples) {
        long t = samples;
        for (int i = 0; i < layers; i++) {
            if (t < kernel[i]) return 0;
            t = (t - kernel[i]) / stride[i] + 1;
        }
        return (int) t;
    }

    /** Minimum number of samples that yields one frame. */
    public int receptiveField() {
        int r = 1;
        for (int i = layers - 1; i >= 0; i--) r = (r - 1) * stride[i] + kernel[i];
        return r;
    }

    /** Re-derives the packed conv weights on {@code be} from the parameters. */
    void pack(Backend be) {
        for (int i = 0; i < layers; i++) {
            int cIn = i == 0 ? 1 : dim[i - 1];
            if (packed[i] == null) packed[i] = new float[weight[i].numel()];
            be.packConvWeight(packed[i], weight[i].value, dim[i], cIn, kernel[i]);
        }
    }

    /** Largest intermediate activation (floats) for an input of {@code samples}, to size scratch buffers. */
    long maxActivation(int samples) {
        long t = samples, max = samples;
        for (int i = 0; i < layers; i++) {
            t = (t - kernel[i]) / stride[i] + 1;
            max = Math.max(max, t * dim[i]);
        }
        return max;
    }

    /**
     * Encodes one waveform. {@code bufA} and {@code bufB} are scratch buffers of at least
     * {@link #maxActivation} floats; the result ({@code [frames(samples), outputDim]}) is left in the
     * returned buffer (one of the two).
     */
    float[] forward(Backend be, float[] wave, int samples, float[] bufA, float[] bufB) {
        float[] in = wave, out = bufA;
        int t = samples;
        for (int i = 0; i < layers; i++) {
            int cIn = i == 0 ? 1 : dim[i - 1];
            int tOut = (t - kernel[i]) / stride[i] + 1;
            be.conv1d(out, in, packed[i], bias[i] == null ? null : bias[i].value, t, cIn, dim[i], kernel[i], stride[i], 0, 1);
            if (layerNormMode) {
                be.layerNorm(out, 0, out, 0, normWeight[i].value, normBias[i].value, tOut, dim[i], eps);
            } else if (i == 0) {
                be.groupNorm(out, normWeight[i].value, normBias[i].value, tOut, tOut, dim[i], dim[i], eps);
            }
            be.gelu(out, 0, tOut * dim[i]);
            t = tOut;
            in = out;
            out = out == bufA ? bufB : bufA;
        }
        return in;
    }

    /** Activations of one utterance saved by {@link #forwardTrain} for {@link #backward}. */
    static final class Saved {
        float[] input;
        final int[] t;
        final float[][] pre, normed, act, mean, rstd;

        Saved(int layers) {
            t = new int[layers + 1];
            pre = new float[layers][];
            normed = new float[layers][];
            act = new float[layers][];
            mean = new float[layers][];
            rstd = new float[layers][];
        }

        /** The encoder's output {@code [frames, outputDim]}. */
        float[] output() {
            return act[act.length - 1];
        }
    }

    /** Training forward of one utterance, keeping every block's pre-activation and norm statistics. */
    Saved forwardTrain(Backend be, float[] wave, int samples, Workspace ws) {
        Saved s = new Saved(layers);
        s.input = wave;
        s.t[0] = samples;
        float[] in = wave;
        for (int i = 0; i < layers; i++) {
            int cIn = i == 0 ? 1 : dim[i - 1];
            int tIn = s.t[i], tOut = (tIn - kernel[i]) / stride[i] + 1, n = tOut * dim[i];
            s.t[i + 1] = tOut;
            float[] pre = ws.next(n);
            be.conv1d(pre, in, packed[i], bias[i] == null ? null : bias[i].value, tIn, cIn, dim[i], kernel[i], stride[i], 0, 1);
            s.pre[i] = pre;
            float[] activationInput = pre;
            if (layerNormMode) {
                s.normed[i] = ws.next(n);
                s.mean[i] = ws.next(tOut);
                s.rstd[i] = ws.next(tOut);
                be.layerNorm(s.normed[i], 0, pre, 0, normWeight[i].value, normBias[i].value, tOut, dim[i], eps, s.mean[i], s.rstd[i]);
                activationInput = s.normed[i];
            } else if (i == 0) {
                s.normed[i] = ws.next(n);
                s.mean[i] = ws.next(dim[i]);
                s.rstd[i] = ws.next(dim[i]);
                be.groupNorm(s.normed[i], pre, normWeight[i].value, normBias[i].value, tOut, tOut, dim[i], dim[i], eps, s.mean[i], s.rstd[i]);
                activationInput = s.normed[i];
            }
            s.act[i] = ws.next(n);
            be.gelu(s.act[i], 0, activationInput, 0, n);
            in = s.act[i];
        }
        return s;
    }

    /**
     * Backward of one utterance from {@code dOut[frames, outputDim]} (at {@code dOutOff}); accumulates
     * into the norm parameters' and biases' grads, and into {@code dPacked[i]} for the conv weights
     * (packed layout; see {@link #addPackedGrads}).
     */
    void backward(Backend be, Saved s, float[] dOut, int dOutOff, Workspace ws, float[][] dPacked) {
        int last = layers - 1;
        int n0 = s.t[layers] * dim[last];
        float[] dAct = ws.next(n0);
        be.copy(dAct, 0, dOut, dOutOff, n0);
        for (int i = last; i >= 0; i--) {
            int cIn = i == 0 ? 1 : dim[i - 1];
            int tIn = s.t[i], tOut = s.t[i + 1], n = tOut * dim[i];
            float[] dPre = ws.zeroed(n);
            if (s.normed[i] != null) {
                float[] dNormed = ws.zeroed(n);
                be.geluBackward(dNormed, 0, dAct, 0, s.normed[i], 0, n);
                if (layerNormMode) {
                    be.layerNormBackward(dPre, 0, normWeight[i].grad(), normBias[i].grad(), dNormed, 0, s.pre[i], 0,
                            normWeight[i].value, s.mean[i], s.rstd[i], tOut, dim[i]);
                } else {
                    be.groupNormBackward(dPre, normWeight[i].grad(), normBias[i].grad(), dNormed, s.pre[i], normWeight[i].value,
                            s.mean[i], s.rstd[i], tOut, tOut, dim[i], dim[i]);
                }
            } else {
                be.geluBackward(dPre, 0, dAct, 0, s.pre[i], 0, n);
            }
            float[] in = i == 0 ? s.input : s.act[i - 1];
            float[] dIn = i == 0 ? null : ws.zeroed(tIn * cIn);
            be.conv1dBackward(dIn, dPacked[i], bias[i] == null ? null : bias[i].grad(), dPre, in, packed[i],
                    tIn, cIn, dim[i], kernel[i], stride[i], 0, 1);
            dAct = dIn;
        }
    }

    /** Packed-layout gradient buffers, one per layer, zeroed. */
    float[][] newPackedGrads() {
        float[][] g = new float[layers][];
        for (int i = 0; i < layers; i++) g[i] = new float[packed[i].length];
        return g;
    }

    /** Adds packed conv-weight gradients into the parameters' grads (PyTorch layout) and zeroes them. */
    void addPackedGrads(Backend be, float[][] dPacked) {
        for (int i = 0; i < layers; i++) {
            int cIn = i == 0 ? 1 : dim[i - 1];
            be.addUnpackedConvWeight(weight[i].grad(), dPacked[i], dim[i], cIn, kernel[i]);
            be.fill(dPacked[i], 0, dPacked[i].length, 0f);
        }
    }
}
