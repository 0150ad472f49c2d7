package w2v4j.train.finetune;

import w2v4j.core.W2vException;
import w2v4j.kernels.Backend;
import w2v4j.model.HfCheckpoint;
import w2v4j.model.Param;
import w2v4j.model.TrainOptions;
import w2v4j.model.TrainingGraph;
import w2v4j.model.Wav2Vec2Model;
import w2v4j.train.ctc.CtcLoss;
import w2v4j.train.ctc.ErrorRate;
import w2v4j.train.ctc.GreedyDecoder;
import w2v4j.train.ctc.Vocabulary;
import w2v4j.train.data.Batch;
import w2v4j.train.objective.MaskSampler;
import w2v4j.train.objective.MaskedBatch;
import w2v4j.train.run.StepMetrics;
import w2v4j.train.run.TrainConfig;
import w2v4j.train.run.TrainingTask;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * CTC fine-tuning (wav2vec 2.0 paper §3.3, fairseq {@code Wav2VecCtc}): a linear head over the
 * context network, CTC loss summed over the batch and normalised per sentence, SpecAugment-style
 * time masking (spans replaced by the mask embedding) and channel masking, layer drop, the
 * feature encoder frozen throughout, and only the head trained for the first
 * {@code freeze_finetune_updates}. Task keys (fairseq base_10m-like defaults): {@code mask_prob
 * 0.65, mask_length 10, mask_channel_prob 0.25, mask_channel_length 64, dropout 0,
 * activation_dropout 0.1, encoder_layerdrop 0.05, freeze_finetune_updates, zero_infinity true}.
 */
public final class FinetuneTask implements TrainingTask {
    private final Wav2Vec2Model model;
    private final Backend be;
    private final Vocabulary vocab;
    private final TrainingGraph graph;
    private final TrainOptions opts;
    private final double maskProb, channelProb;
    private final int maskLength, channelLength;
    private final long freezeUpdates;
    private final boolean zeroInfinity;
    private boolean headOnly;
    private Path trainLabels, validLabels;
    private final List<Param> trainable = new ArrayList<>();
    private float[] logits, dLogits, dContext;

    public static TrainConfig defineKeys(TrainConfig cfg) {
        return cfg.define("mask_prob", 0.65).define("mask_length", 10).define("mask_channel_prob", 0.25)
                .define("mask_channel_length", 64).define("dropout", 0.0).define("activation_dropout", 0.1)
                .define("encoder_layerdrop", 0.05).define("freeze_finetune_updates", 0).define("zero_infinity", true);
    }

    public FinetuneTask(Wav2Vec2Model model, Vocabulary vocab, Backend backend, TrainConfig cfg) {
        if (!model.heads.ctc()) throw new IllegalArgumentException("fine-tuning needs a model with a CTC head");
        if (model.vocabSize() != vocab.size())
            throw new W2vException("the model's CTC head has " + model.vocabSize() + " outputs but the vocabulary has " + vocab.size() + " symbols");
        this.model = model;
        this.vocab = vocab;
        this.be = backend;
        this.graph = new TrainingGraph(model, backend);
        this.opts = new TrainOptions(0.0, 0f, 0f, (float) cfg.getDouble("dropout", 0.0), (float) cfg.getDouble("activation_dropout", 0.1),
                (float) cfg.getDouble("encoder_layerdrop", 0.05));
        maskProb = cfg.getDouble("mask_prob", 0.65);
        maskLength = cfg.getInt("mask_length", 10);
        channelProb = cfg.getDouble("mask_channel_prob", 0.25);
        channelLength = cfg.getInt("mask_channel_length", 64);
        freezeUpdates = cfg.getLong("freeze_finetune_updates", 0);
        zeroInfinity = cfg.getBool("zero_infinity", true);
        // the feature encoder is frozen in fine-tuning (feature_grad_mult 0); pre-training heads are not used
        for (Param p : model.params.all()) {
            String n = p.name;
            if (n.startsWith("feature_extractor.") || n.startsWith("quantizer.") || n.startsWith("project_")) continue;
            trainable.add(p);
        }
    }

    /** A CTC model for fine-tuning: encoder weights from {@code init} (any HF wav2vec2 checkpoint), a fresh head. */
    public static Wav2Vec2Model fromPretrained(Wav2Vec2Model init, int vocabSize, long seed) {
        Wav2Vec2Model m = new Wav2Vec2Model(init.config, new Wav2Vec2Model.Heads(true, vocabSize, false, true)).initRandom(seed);
        for (Param p : m.params.all()) {
            Param src = init.params.get(p.name);
            if (src != null && Arrays.equals(src.shape, p.shape)) System.arraycopy(src.value, 0, p.value, 0, p.numel());
        }
        if (!(init.heads.ctc() && init.vocabSize() == vocabSize)) xavierHead(m, seed);
        m.prepare();
        return m;
    }

    /** fairseq's head init: xavier-uniform weight, zero bias. */
    static void xavierHead(Wav2Vec2Model m, long seed) {
        Param w = m.params.get("lm_head.weight"), b = m.params.get("lm_head.bias");
        double bound = Math.sqrt(6.0 / (w.shape[0] + w.shape[1]));
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = 0; i < w.value.length; i++) w.value[i] = (float) ((2 * r.nextDouble() - 1) * bound);
        Arrays.fill(b.value, 0f);
    }

    /** The label files, so that a bad label is reported as FILE:LINE. */
    public FinetuneTask labelFiles(Path train, Path valid) {
        this.trainLabels = train;
        this.validLabels = valid;
        return this;
    }

    @Override
    public List<Param> parameters() {
        return trainable;
    }

    @Override
    public void beginUpdate(long update) {
        headOnly = update < freezeUpdates;
    }

    private static List<float[]> unpadded(Batch batch) {
        List<float[]> waves = new ArrayList<>();
        for (int b = 0; b < batch.size(); b++) waves.add(Arrays.copyOf(batch.waves()[b], batch.lengths()[b]));
        return waves;
    }

    private int[][] targets(Batch batch, Path labelFile) {
        if (batch.labels() == null) throw new W2vException("fine-tuning needs labels (SPLIT.ltr next to SPLIT.tsv)");
        int[][] t = new int[batch.size()][];
        for (int b = 0; b < batch.size(); b++) t[b] = vocab.encodeLtr(batch.labels()[b], labelFile, batch.ids()[b] + 1);
        return t;
    }

    @Override
    public StepMetrics trainStep(Batch batch, long update, RandomGenerator rng) {
        List<float[]> waves = unpadded(batch);
        int[][] targets = targets(batch, trainLabels);
        int[] frames = new int[waves.size()];
        int tMax = 0;
        for (int b = 0; b < frames.length; b++) {
            frames[b] = model.frames(waves.get(b).length);
            tMax = Math.max(tMax, frames[b]);
        }
        boolean[] timeMask = null, channelMask = null;
        if (maskProb > 0) {
            MaskedBatch m = MaskSampler.sample(frames, tMax, maskProb, maskLength, 2, false, rng);
            timeMask = m.mask();
        }
        if (channelProb > 0) channelMask = MaskSampler.sampleChannels(waves.size(), model.hiddenSize(), channelProb, channelLength, rng);
        TrainingGraph.Forward f = graph.forward(waves, timeMask, channelMask, opts, rng.nextLong());
        int rows = f.batch * f.tMax, v = vocab.size(), d = f.dim;
        ensure(rows, v, d);
        be.linear(logits, 0, f.context, 0, model.params.get("lm_head.weight").value, model.params.get("lm_head.bias").value, rows, d, v);
        Arrays.fill(dLogits, 0, rows * v, 0f);
        CtcLoss.Result r = CtcLoss.compute(logits, f.frames, f.tMax, v, targets, vocab.blank(), CtcLoss.Reduction.SUM, zeroInfinity, dLogits);
        Param hw = model.params.get("lm_head.weight"), hb = model.params.get("lm_head.bias");
        be.fill(dContext, 0, rows * d, 0f);
        be.linearBackward(headOnly ? null : dContext, 0, hw.grad(), hb.grad(), dLogits, 0, f.context, 0, hw.value, rows, d, v);
        if (!headOnly) graph.backward(dContext, null, null);
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("impossible", (double) r.impossible());
        return new StepMetrics(r.loss(), batch.size(), values);
    }

    /** Logit buffers of exactly this batch's shape (CtcLoss checks it); the context gradient only grows. */
    private void ensure(int rows, int v, int d) {
        if (logits == null || logits.length != rows * v) {
            logits = new float[rows * v];
            dLogits = new float[rows * v];
        }
        if (dContext == null || dContext.length < rows * d) {
            // the context gradient goes from the head's backward to the encoder's: backend working memory
            if (dContext != null) be.unbind(dContext);
            dContext = new float[rows * d];
            be.bind(dContext);
        }
    }

    @Override
    public StepMetrics validStep(Batch batch, RandomGenerator rng) {
        List<float[]> waves = unpadded(batch);
        int[][] targets = targets(batch, validLabels);
        TrainingGraph.Forward f = graph.forward(waves, null, null, TrainOptions.EXACT, 0);
        int rows = f.batch * f.tMax, v = vocab.size(), d = f.dim;
        ensure(rows, v, d);
        be.linear(logits, 0, f.context, 0, model.params.get("lm_head.weight").value, model.params.get("lm_head.bias").value, rows, d, v);
        CtcLoss.Result r = CtcLoss.compute(logits, f.frames, f.tMax, v, targets, vocab.blank(), CtcLoss.Reduction.SUM, zeroInfinity, null);
        ErrorRate.Accumulator acc = new ErrorRate.Accumulator();
        GreedyDecoder.Hypothesis[] hyps = GreedyDecoder.decodeBatch(logits, f.frames, f.tMax, vocab);
        for (int b = 0; b < hyps.length; b++) acc.add(vocab.decode(targets[b]), hyps[b].text());
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("wer_errors", (double) acc.words().errors());
        values.put("wer_units", (double) acc.words().reference());
        values.put("cer_errors", (double) acc.chars().errors());
        values.put("cer_units", (double) acc.chars().reference());
        return new StepMetrics(r.loss(), batch.size(), values);
    }

    @Override
    public void parametersChanged() {
        model.prepare(be);
    }

    @Override
    public List<float[]> derivedArrays() {
        return model.derivedWeights();
    }

    @Override
    public Backend backend() {
        return be;
    }

    @Override
    public void saveModel(Path dir) {
        HfCheckpoint.save(model, dir);
        vocab.writeHfVocab(dir);
    }

    public Wav2Vec2Model model() {
        return model;
    }
}
