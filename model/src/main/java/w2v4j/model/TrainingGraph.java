package w2v4j.model;

import w2v4j.core.W2vException;
import w2v4j.core.audio.Waveforms;
import w2v4j.kernels.Backend;

import java.util.ArrayList;
import java.util.List;

/**
 * The wav2vec 2.0 encoder's training forward and backward (fairseq {@code Wav2Vec2Model.forward} up
 * to the context network's output). Forward keeps what the backward needs in a {@link Workspace};
 * backward accumulates every parameter's gradient into {@code Param.grad()}.
 *
 * <pre>
 *   raw      = FeatureEncoder(wave)                         [B, T, F]  (per utterance, unpadded)
 *   normed   = LayerNorm_F(raw)
 *   quantIn  = dropout_features(normed)                      quantizer input (returned)
 *   x        = dropout_input(Linear(normed))                 [B, T, D]
 *   x[mask]  = mask_emb;  x[:, :, maskedChannels] = 0
 *   x        = x + GELU(posConv(x))                          (per utterance)
 *   post-LN: x = dropout(LayerNorm(x)); layers              pre-LN: layers; x = LayerNorm(x)
 * </pre>
 * The gradient into the feature encoder is scaled by {@code featureGradMult}; 0 freezes it (and
 * then nothing of it is stored).
 */
public final class TrainingGraph {
    private static final long SITE_INPUT = 11, SITE_FEATURES = 12, SITE_ENCODER = 13, SITE_LAYERS = 100;

    /** The forward's outputs; arrays are {@code [batch * tMax, ...]} row-major, padded rows beyond frames[b]. */
    public static final class Forward {
        public int batch, tMax, featDim, dim;
        public int[] frames;
        /** Raw conv features (the feature penalty's input), zero on padded rows; in the backend's working memory. */
        public float[] raw;
        /** Quantizer input: LayerNorm'd features after dropout_features. */
        public float[] quantizerInput;
        /** Context network output. */
        public float[] context;
        /** Number of valid raw values ({@code F * sum(frames)}), for a penalty that ignores padding. */
        public long rawCount;
    }

    private final Wav2Vec2Model m;
    private final Backend be;
    /** Activations and their gradients: device working memory on a device backend. */
    private final Workspace ws;
    private float[][] fePackedGrads;
    private float[] posPackedGrad, posWeightGrad;

    // saved state of the last forward
    private Forward fwd;
    private TrainOptions opts;
    private long seed;
    private final List<FeatureEncoder.Saved> feSaved = new ArrayList<>();
    private final List<PositionalConvEmbedding.Saved> posSaved = new ArrayList<>();
    private final List<TransformerLayer.Saved> layerSaved = new ArrayList<>();
    /** Time-masked rows and masked channels ({@code b * dim + c}) of the last forward, as index lists. */
    private int[] maskedRows, maskedChannels;
    private float[] featNormed, featMean, featRstd, encIn, encMean, encRstd, preFinal;

    private final ResidentWeights weights;

    public TrainingGraph(Wav2Vec2Model model, Backend backend) {
        this.m = model;
        this.be = backend;
        this.ws = new Workspace(backend);
        this.weights = new ResidentWeights(model, backend);
    }

    /** Floats held by the activation workspace (grows to the largest batch shape seen). */
    public long workspaceFloats() {
        return ws.floats();
    }

    /**
     * The forward's outputs stay in the backend's working memory ({@link Backend#bind}): a caller that
     * reads one on the host syncs it first ({@link Backend#syncToHost}).
     *
     * @param waves       16 kHz waveforms (normalised here if the model's preprocessor says so)
     * @param timeMask    {@code [batch * tMax]}, rows replaced by the mask embedding, or null
     * @param channelMask {@code [batch * dim]}, channels zeroed for the whole utterance, or null
     * @param seed        seeds dropout and layer drop; the backward regenerates the same masks
     */
    public Forward forward(List<float[]> waves, boolean[] timeMask, boolean[] channelMask, TrainOptions o, long seed) {
        ws.reset();
        weights.refresh();
        feSaved.clear();
        posSaved.clear();
        layerSaved.clear();
        this.opts = o;
        this.seed = seed;
        this.maskedRows = null;
        this.maskedChannels = null;
        int batch = waves.size(), f = m.featureEncoder.outputDim(), d = m.hiddenSize();
        int[] frames = new int[batch];
        int tMax = 0;
        for (int b = 0; b < batch; b++) {
            frames[b] = m.frames(waves.get(b).length);
            if (frames[b] == 0) throw new W2vException("audio too short: " + waves.get(b).length + " samples, need at least " + m.receptiveField());
            tMax = Math.max(tMax, frames[b]);
        }
        int rows = batch * tMax;
        Forward out = new Forward();
        out.batch = batch;
        out.tMax = tMax;
        out.featDim = f;
        out.dim = d;
        out.frames = frames;

        // 1. feature encoder, one utterance at a time
        float[] raw = ws.zeroed(rows * f);
        boolean trainEncoder = o.featureGradMult() > 0;
        float[] scratchA = null, scratchB = null;
        for (int b = 0; b < batch; b++) {
            float[] wave = waves.get(b);
            if (m.config.doNormalize()) wave = Waveforms.normalize(wave);
            float[] enc;
            if (trainEncoder) {
                FeatureEncoder.Saved s = m.featureEncoder.forwardTrain(be, wave, wave.length, ws);
                feSaved.add(s);
                enc = s.output();
            } else {
                if (scratchA == null) {
                    long max = 0;
                    for (float[] w : waves) max = Math.max(max, m.featureEncoder.maxActivation(w.length));
                    scratchA = ws.next(Math.toIntExact(max));
                    scratchB = ws.next(Math.toIntExact(max));
                }
                enc = m.featureEncoder.forward(be, wave, wave.length, scratchA, scratchB);
            }
            be.copy(raw, b * tMax * f, enc, 0, frames[b] * f);
            out.rawCount += (long) frames[b] * f;
        }
        out.raw = raw;

        // 2. LayerNorm over F; quantizer input; projection to D
        featNormed = ws.next(rows * f);
        featMean = ws.next(rows);
        featRstd = ws.next(rows);
        be.layerNorm(featNormed, 0, raw, 0, m.projLnW.value, m.projLnB.value, rows, f, 1e-5f, featMean, featRstd);
        float[] quantIn = featNormed;
        if (o.dropoutFeatures() > 0) {
            quantIn = ws.next(rows * f);
            be.copy(quantIn, 0, featNormed, 0, rows * f);
            be.dropout(quantIn, 0, rows * f, o.dropoutFeatures(), Rng.mix(seed + SITE_FEATURES));
        }
        out.quantizerInput = quantIn;
        float[] x = ws.next(rows * d);
        be.linear(x, 0, featNormed, 0, m.projW.value, m.projB.value, rows, f, d);
        be.dropout(x, 0, rows * d, o.dropoutInput(), Rng.mix(seed + SITE_INPUT));

        // 3. masking: time steps get the learned embedding, masked channels are zeroed
        if (timeMask != null) {
            if (m.maskEmbedding == null) throw new IllegalStateException("time masking needs a model with masked_spec_embed");
            maskedRows = indices(timeMask, rows);
            be.setRows(x, d, maskedRows, m.maskEmbedding.value);
        }
        if (channelMask != null) {
            maskedChannels = indices(channelMask, batch * d);
            be.zeroChannels(x, batch, tMax, d, maskedChannels);
        }

        // 4. positional convolution per utterance (in place on x)
        for (int b = 0; b < batch; b++) posSaved.add(m.posConv.forwardTrain(be, x, b * tMax * d, frames[b], ws));

        // 5. Transformer
        float eps = (float) m.config.layerNormEps();
        boolean preLn = m.config.doStableLayerNorm();
        float[] cur = x;
        encIn = x;
        if (!preLn) {
            cur = ws.next(rows * d);
            encMean = ws.next(rows);
            encRstd = ws.next(rows);
            be.layerNorm(cur, 0, x, 0, m.encLnW.value, m.encLnB.value, rows, d, eps, encMean, encRstd);
            be.dropout(cur, 0, rows * d, o.hiddenDropout(), Rng.mix(seed + SITE_ENCODER));
        }
        for (int i = 0; i < m.layers.length; i++) {
            long layerSeed = Rng.mix(seed + SITE_LAYERS + i);
            if (o.layerDrop() > 0 && Rng.uniform(layerSeed, 0) < o.layerDrop()) {
                layerSaved.add(null);
                continue;
            }
            TransformerLayer.Saved s = m.layers[i].forwardTrain(be, cur, batch, tMax, frames, o, layerSeed, ws);
            layerSaved.add(s);
            cur = s.out;
        }
        if (preLn) {
            preFinal = cur;
            float[] ctx = ws.next(rows * d);
            encMean = ws.next(rows);
            encRstd = ws.next(rows);
            be.layerNorm(ctx, 0, cur, 0, m.encLnW.value, m.encLnB.value, rows, d, eps, encMean, encRstd);
            cur = ctx;
        }
        out.context = cur;
        fwd = out;
        return out;
    }

    /** The positions of the true entries of {@code mask[0, n)}, increasing. */
    private static int[] indices(boolean[] mask, int n) {
        int count = 0;
        for (int i = 0; i < n; i++) if (mask[i]) count++;
        int[] idx = new int[count];
        for (int i = 0, j = 0; i < n; i++) if (mask[i]) idx[j++] = i;
        return idx;
    }

    /**
     * Backward of the last forward. {@code dContext [batch*tMax, dim]} is required; {@code dQuantizerInput}
     * ({@code [batch*tMax, F]}) and {@code dRaw} (same shape) may be null. Accumulates into parameter grads.
     */
    public void backward(float[] dContext, float[] dQuantizerInput, float[] dRaw) {
        Forward o = fwd;
        int rows = o.batch * o.tMax, d = o.dim, f = o.featDim, n = rows * d;
        boolean preLn = m.config.doStableLayerNorm();
        float[] dCur = ws.next(n);
        be.copy(dCur, 0, dContext, 0, n);
        if (preLn) {
            float[] dPre = ws.zeroed(n);
            be.layerNormBackward(dPre, 0, m.encLnW.grad(), m.encLnB.grad(), dCur, 0, preFinal, 0, m.encLnW.value, encMean, encRstd, rows, d);
            dCur = dPre;
        }
        for (int i = m.layers.length - 1; i >= 0; i--) {
            TransformerLayer.Saved s = layerSaved.get(i);
            if (s == null) continue; // dropped layer: identity
            dCur = m.layers[i].backward(be, s, dCur, o.batch, o.tMax, o.frames, opts, ws);
        }
        float[] dX;
        if (!preLn) {
            be.dropout(dCur, 0, n, opts.hiddenDropout(), Rng.mix(seed + SITE_ENCODER));
            dX = ws.zeroed(n);
            be.layerNormBackward(dX, 0, m.encLnW.grad(), m.encLnB.grad(), dCur, 0, encIn, 0, m.encLnW.value, encMean, encRstd, rows, d);
        } else {
            dX = dCur;
        }
        // positional convolution (its residual path is dX itself)
        // (the weight norm's backward runs once, from the packed gradient summed over the batch)
        if (posPackedGrad == null) {
            posPackedGrad = new float[m.posConv.packed.length];
            posWeightGrad = new float[m.posConv.packed.length];
            be.bind(posPackedGrad);
            be.bind(posWeightGrad);
        }
        for (int b = o.batch - 1; b >= 0; b--) m.posConv.backward(be, posSaved.get(b), dX, ws, posPackedGrad);
        m.posConv.weightNormBackward(be, posPackedGrad, posWeightGrad);
        // masking
        if (maskedChannels != null) be.zeroChannels(dX, o.batch, o.tMax, d, maskedChannels);
        if (maskedRows != null) be.setRowsBackward(dX, d, maskedRows, m.maskEmbedding.grad());
        be.dropout(dX, 0, n, opts.dropoutInput(), Rng.mix(seed + SITE_INPUT));
        float[] dNormed = ws.zeroed(rows * f);
        be.linearBackward(dNormed, 0, m.projW.grad(), m.projB.grad(), dX, 0, featNormed, 0, m.projW.value, rows, f, d);
        if (dQuantizerInput != null) {
            float[] dq = ws.next(rows * f);
            be.copy(dq, 0, dQuantizerInput, 0, rows * f);
            be.dropout(dq, 0, rows * f, opts.dropoutFeatures(), Rng.mix(seed + SITE_FEATURES));
            be.add(dNormed, 0, dq, 0, rows * f);
        }
        float[] dRawAll = ws.zeroed(rows * f);
        be.layerNormBackward(dRawAll, 0, m.projLnW.grad(), m.projLnB.grad(), dNormed, 0, o.raw, 0, m.projLnW.value, featMean, featRstd, rows, f);
        if (dRaw != null) be.add(dRawAll, 0, dRaw, 0, rows * f);
        if (opts.featureGradMult() > 0) {
            if (opts.featureGradMult() != 1.0) be.scale(dRawAll, 0, rows * f, (float) opts.featureGradMult());
            if (fePackedGrads == null) {
                fePackedGrads = m.featureEncoder.newPackedGrads();
                for (float[] g : fePackedGrads) be.bind(g);
            }
            for (int b = 0; b < o.batch; b++) m.featureEncoder.backward(be, feSaved.get(b), dRawAll, b * o.tMax * f, ws, fePackedGrads);
            m.featureEncoder.addPackedGrads(be, fePackedGrads);
        }
    }
}
