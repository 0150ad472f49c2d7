package w2v4j.model;

import w2v4j.core.W2vException;
import w2v4j.core.audio.Waveforms;
import w2v4j.kernels.Backend;

import java.util.List;

/**
 * Batched inference: waveforms of different lengths run as one padded batch whose results equal
 * running each utterance alone (the feature encoder and the positional convolution see each
 * utterance unpadded; attention masks padded keys). Scratch buffers are kept between calls and
 * only grown, so repeated calls of the same shape allocate nothing but their outputs. They are the
 * backend's working memory ({@link Backend#bind}): on a device backend the activations stay on the
 * device from the waveform to the outputs, which are copied back once.
 */
public final class Inference {
    /** Per-utterance outputs: {@code hidden[b]} is {@code [frames[b], dim]}, likewise layer and logits. */
    public record Output(int[] frames, int dim, float[][] hidden, float[][] layer, float[][] logits, int vocab) {
    }

    private final Wav2Vec2Model model;
    private final Backend backend;
    private float[] featA, featB, feat, x, seq, posScratch;
    private TransformerLayer.Scratch layerScratch;
    private int scratchRows = -1;

    private final ResidentWeights weights;

    public Inference(Wav2Vec2Model model, Backend backend) {
        this.model = model;
        this.backend = backend;
        this.weights = new ResidentWeights(model, backend);
    }

    /**
     * @param waves        raw waveforms at 16 kHz (normalised here when the model's preprocessor asks for it)
     * @param captureLayer 1-based Transformer layer whose raw output to return, or 0 for none
     * @param logits       also return CTC logits (the model must have an {@code lm_head})
     */
    public Output run(List<float[]> waves, int captureLayer, boolean logits) {
        Wav2Vec2Model m = model;
        Backend be = backend;
        if (captureLayer < 0 || captureLayer > m.numLayers())
            throw new W2vException("layer " + captureLayer + " out of range: the model has " + m.numLayers() + " Transformer layers (1.." + m.numLayers() + ")");
        if (logits && !m.heads.ctc()) throw new W2vException("the model has no CTC head (lm_head): --logits needs a Wav2Vec2ForCTC checkpoint");
        int batch = waves.size();
        int[] frames = new int[batch];
        int tMax = 0;
        long feMax = 0;
        for (int b = 0; b < batch; b++) {
            int n = waves.get(b).length;
            frames[b] = m.frames(n);
            if (frames[b] == 0)
                throw new W2vException("audio too short: " + n + " samples, the model needs at least " + m.receptiveField() + " (" + m.receptiveField() / 16 + " ms)");
            tMax = Math.max(tMax, frames[b]);
            feMax = Math.max(feMax, m.featureEncoder.maxActivation(n));
        }
        int f = m.featureEncoder.outputDim(), d = m.hiddenSize(), rows = batch * tMax;
        weights.refresh();
        ensureScratch(feMax, rows, f, d, tMax);

        // 1. feature encoder, one utterance at a time, into the zero-padded batch [batch, tMax, f]
        be.fill(feat, 0, rows * f, 0f);
        for (int b = 0; b < batch; b++) {
            float[] wave = waves.get(b);
            if (m.config.doNormalize()) wave = Waveforms.normalize(wave);
            float[] enc = m.featureEncoder.forward(be, wave, wave.length, featA, featB);
            be.copy(feat, b * tMax * f, enc, 0, frames[b] * f);
        }
        // 2. feature projection: LayerNorm over the conv channels, then Linear to the model dim
        be.layerNorm(feat, 0, feat, 0, m.projLnW.value, m.projLnB.value, rows, f, 1e-5f);
        be.linear(x, 0, feat, 0, m.projW.value, m.projB.value, rows, f, d);
        // 3. positional convolution, per utterance so that padding never leaks in
        for (int b = 0; b < batch; b++) m.posConv.forward(be, x, b * tMax * d, frames[b], seq, posScratch);
        float eps = (float) m.config.layerNormEps();
        boolean preLn = m.config.doStableLayerNorm();
        if (!preLn) be.layerNorm(x, 0, x, 0, m.encLnW.value, m.encLnB.value, rows, d, eps);
        // 4. Transformer layers
        float[][] layerOut = null;
        for (int i = 0; i < m.layers.length; i++) {
            m.layers[i].forward(be, x, batch, tMax, frames, layerScratch);
            if (i + 1 == captureLayer) layerOut = unpad(be, x, frames, tMax, d);
        }
        if (preLn) be.layerNorm(x, 0, x, 0, m.encLnW.value, m.encLnB.value, rows, d, eps);
        float[][] hidden = unpad(be, x, frames, tMax, d);
        float[][] lg = null;
        int vocab = m.vocabSize();
        if (logits) {
            float[] all = new float[rows * vocab];
            be.linear(all, 0, x, 0, m.lmHeadW.value, m.lmHeadB.value, rows, d, vocab);
            lg = unpad(be, all, frames, tMax, vocab);
        }
        return new Output(frames, d, hidden, layerOut, lg, vocab);
    }

    private static float[][] unpad(Backend be, float[] x, int[] frames, int tMax, int dim) {
        be.syncToHost(x);
        float[][] out = new float[frames.length][];
        for (int b = 0; b < frames.length; b++) {
            out[b] = new float[frames[b] * dim];
            System.arraycopy(x, b * tMax * dim, out[b], 0, frames[b] * dim);
        }
        return out;
    }

    private void ensureScratch(long feMax, int rows, int f, int d, int tMax) {
        if (featA == null || featA.length < feMax) {
            featA = rebind(featA, feMax);
            featB = rebind(featB, feMax);
        }
        if (rows > scratchRows) {
            feat = rebind(feat, (long) rows * f);
            x = rebind(x, (long) rows * d);
            if (layerScratch != null) for (float[] a : layerScratch.arrays()) backend.unbind(a);
            layerScratch = new TransformerLayer.Scratch(rows, d, model.config.intermediateSize());
            for (float[] a : layerScratch.arrays()) backend.bind(a);
            scratchRows = rows;
        }
        int posLen = model.posConv.convFrames(tMax) * d;
        if (seq == null || seq.length < tMax * d) seq = rebind(seq, (long) tMax * d);
        if (posScratch == null || posScratch.length < posLen) posScratch = rebind(posScratch, posLen);
    }

    /** A new bound scratch array of {@code n} floats replacing {@code old} (unbound; may be null). */
    private float[] rebind(float[] old, long n) {
        if (old != null) backend.unbind(old);
        float[] a = new float[Math.toIntExact(n)];
        backend.bind(a);
        return a;
    }
}
