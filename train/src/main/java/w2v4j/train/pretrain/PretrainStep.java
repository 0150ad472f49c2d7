package w2v4j.train.pretrain;

import w2v4j.kernels.Backend;
import w2v4j.kernels.Scale;
import w2v4j.model.Param;
import w2v4j.model.TrainOptions;
import w2v4j.model.TrainingGraph;
import w2v4j.model.Wav2Vec2Model;
import w2v4j.model.Workspace;
import w2v4j.train.objective.GumbelQuantizer;
import w2v4j.train.objective.MaskSampler;
import w2v4j.train.objective.MaskedBatch;
import w2v4j.train.objective.NegativeSampler;
import w2v4j.train.objective.ObjectiveConfig;
import w2v4j.train.objective.ParamSlot;
import w2v4j.train.objective.PretrainingObjective;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * One wav2vec 2.0 pre-training forward/backward: span masking, the encoder ({@link TrainingGraph}),
 * the objective (quantizer, contrastive, diversity and feature-penalty losses), and the backward
 * through all of them. The gradients accumulated into {@code Param.grad()} are those of the loss
 * SUMMED over masked steps (the objective's per-step loss times N), so that micro-batches of an
 * update add up as in fairseq, which divides by the total number of masked steps afterwards.
 */
public final class PretrainStep {
    /** Masking and objective settings (fairseq names in comments). */
    public record Settings(double maskProb /* mask_prob */, int maskLength /* mask_length */, int minMasks,
                           int crossNegatives /* cross_sample_negatives */, double featurePenWeight /* loss_weights[1] */,
                           double diversityWeight /* loss_weights[0] */, TrainOptions train) {
    }

    /** Exactly what a step used, so a test can replay it against a reference. */
    public record Inputs(MaskedBatch mask, int[] negatives, float[] gumbelNoise) {
    }

    private final Wav2Vec2Model model;
    private final Backend backend;
    private final TrainingGraph graph;
    private final PretrainingObjective objective;
    private final Map<String, float[]> objectiveGrads = new LinkedHashMap<>();
    private final Settings settings;
    /** The masked rows' gradients from the objective (host), reused across steps of the same batch shape. */
    private final Workspace gradBuffers = new Workspace();
    /** The masked rows handed to the objective and the gradients into the encoder, on the backend. */
    private final Workspace deviceBuffers;

    public PretrainStep(Wav2Vec2Model model, Backend backend, Settings settings) {
        if (!model.heads.pretraining()) throw new IllegalArgumentException("pre-training needs a model with quantizer and projections");
        this.model = model;
        this.backend = backend;
        this.settings = settings;
        this.graph = new TrainingGraph(model, backend);
        this.deviceBuffers = new Workspace(backend);
        var c = model.config;
        ObjectiveConfig oc = new ObjectiveConfig(c.convDim()[c.convDim().length - 1], c.hiddenSize(), c.numCodevectorGroups(),
                c.numCodevectorsPerGroup(), c.codevectorDim(), c.projCodevectorDim(), c.numNegatives(), settings.crossNegatives(),
                c.contrastiveLogitsTemperature(), settings.diversityWeight(), 0.0); // the feature penalty is computed here
        // The objective accumulates into its own gradient arrays; they are added, times N, into the params.
        this.objective = new PretrainingObjective(oc, name -> {
            Param p = model.params.get(name);
            if (p == null) return null;
            float[] g = new float[p.numel()];
            objectiveGrads.put(name, g);
            return new ParamSlot(name, p.shape, p.value, g);
        });
    }

    /** Codebook usage counting, see {@link PretrainingObjective#countCodes}. */
    public void countCodes(long[][] counts) {
        objective.countCodes(counts);
    }

    public TrainingGraph graph() {
        return graph;
    }

    /** Samples mask, negatives and (when training) Gumbel noise for a batch of these lengths. */
    public Inputs sample(List<float[]> waves, boolean train, RandomGenerator rng) {
        int[] frames = new int[waves.size()];
        int tMax = 0;
        for (int b = 0; b < frames.length; b++) {
            frames[b] = model.frames(waves.get(b).length);
            tMax = Math.max(tMax, frames[b]);
        }
        MaskedBatch m = MaskSampler.sample(frames, tMax, settings.maskProb(), settings.maskLength(), settings.minMasks(), true, rng);
        int[] negatives = NegativeSampler.sample(m, model.config.numNegatives(), settings.crossNegatives(), rng);
        float[] noise = train ? GumbelQuantizer.sampleNoise(m.numMasked(), model.config.numCodevectorGroups() * model.config.numCodevectorsPerGroup(), rng) : null;
        return new Inputs(m, negatives, noise);
    }

    /**
     * Forward and, when {@code train}, backward with the given inputs. {@code dropoutSeed} seeds
     * dropout and layer drop; with {@code train == false} no dropout is applied and nothing is
     * accumulated.
     */
    public PretrainingObjective.Result run(List<float[]> waves, Inputs in, double tau, boolean train, long dropoutSeed) {
        TrainOptions opts = train ? settings.train() : TrainOptions.EXACT;
        TrainingGraph.Forward f = graph.forward(waves, in.mask().mask(), null, opts, dropoutSeed);
        int rows = f.batch * f.tMax;
        int featureFloats = rows * f.featDim, contextFloats = rows * f.dim;
        // the objective runs on the host, on the masked rows only: they are gathered on the backend and
        // copied over, and its parameters' values must be current there (a trainer binds them to the backend)
        int[] maskedRows = in.mask().maskedRows();
        int nm = maskedRows.length;
        deviceBuffers.reset();
        float[] xm = deviceBuffers.next(nm * f.featDim), cm = deviceBuffers.next(nm * f.dim);
        backend.gatherRows(xm, f.quantizerInput, f.featDim, maskedRows);
        backend.gatherRows(cm, f.context, f.dim, maskedRows);
        backend.syncToHost(xm);
        backend.syncToHost(cm);
        for (String name : objectiveGrads.keySet()) backend.syncToHost(model.params.get(name).value);
        gradBuffers.reset();
        float[] dxm = train ? gradBuffers.zeroed(nm * f.featDim) : null;
        float[] dcm = train ? gradBuffers.zeroed(nm * f.dim) : null;
        PretrainingObjective.Result r = objective.forwardBackwardMasked(xm, cm, in.mask(), in.negatives(), in.gumbelNoise(), tau,
                train, dxm, dcm);
        // fairseq's features_pen = mean(raw^2) on the backend, where the raw features stay: the sum runs over the padded
        // layout (padding rows are zero) and is divided by the number of valid values
        double penWeight = settings.featurePenWeight();
        double pen = penWeight == 0 ? 0.0 : penWeight * backend.sumSquares(f.raw, 0, featureFloats) / f.rawCount;
        r = new PretrainingObjective.Result(r.loss() + pen, r.lossContrastive(), r.lossDiversity(), pen, r.accuracy(), r.correct(),
                r.numMasked(), r.codePerplexity(), r.probPerplexity(), r.temperature());
        if (!train) return r;
        float n = r.numMasked();
        Scale.scale(dxm, 0, nm * f.featDim, n);
        Scale.scale(dcm, 0, nm * f.dim, n);
        float[] dFeatures = deviceBuffers.zeroed(featureFloats), dContext = deviceBuffers.zeroed(contextFloats);
        backend.scatterAddRows(dFeatures, dxm, f.featDim, maskedRows);
        backend.scatterAddRows(dContext, dcm, f.dim, maskedRows);
        float[] dRaw = null;
        if (penWeight != 0) {
            // d(N * pen)/d raw = N * 2 penWeight raw / count (the step's gradients are the summed loss's, see the class)
            dRaw = deviceBuffers.next(featureFloats);
            backend.copy(dRaw, 0, f.raw, 0, featureFloats);
            backend.scale(dRaw, 0, featureFloats, (float) (2.0 * penWeight / f.rawCount * n));
        }
        graph.backward(dContext, dFeatures, dRaw);
        for (Map.Entry<String, float[]> e : objectiveGrads.entrySet()) {
            float[] g = model.params.get(e.getKey()).grad(), og = e.getValue();
            Scale.scale(og, 0, og.length, n);
            backend.add(g, 0, og, 0, og.length); // g may live on the device: added there
            Arrays.fill(og, 0f);
        }
        return r;
    }

    /** The parameters pre-training updates (all of the model's). */
    public List<Param> parameters() {
        return new ArrayList<>(model.params.all());
    }
}
