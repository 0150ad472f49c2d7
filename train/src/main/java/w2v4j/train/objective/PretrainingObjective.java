package w2v4j.train.objective;

import java.util.List;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The wav2vec 2.0 pre-training loss, everything after the encoder (fairseq {@code Wav2Vec2Model}
 * from the quantizer on, plus {@code wav2vec_criterion}), forward and backward:
 *
 * <pre>
 *   x_m   = features[masked rows]                 [N, F]   LayerNorm'd conv features (quantizer input)
 *   q     = GumbelQuantizer(weight_proj(x_m))     [N, vqDim]
 *   y     = project_q(q)                          [N, finalDim]
 *   c     = project_hid(context[masked rows])     [N, finalDim]
 *   CE    = Σ_i cross-entropy(cos(c_i, [y_i, y_neg…]) / κ, target 0)
 *   loss  = CE/N + α·(G·V − prob_ppl)/(G·V) + β·mean(raw²)
 * </pre>
 *
 * fairseq adds the extra terms multiplied by N and divides gradients by N afterwards; dividing the
 * loss by N here gives the same gradients and makes {@code loss} the per-step value it logs.
 */
public final class PretrainingObjective {

    public final ObjectiveConfig cfg;
    public final ParamSlot projectHidWeight, projectHidBias, projectQWeight, projectQBias;
    public final ParamSlot weightProjWeight, weightProjBias, codevectors;

    /** Values and logs of one call. {@code loss} is in nats per masked step; see {@link #lossBits()}. */
    public record Result(double loss, double lossContrastive, double lossDiversity, double lossFeaturesPen,
                         double accuracy, int correct, int numMasked, double codePerplexity, double probPerplexity,
                         double temperature) {
        /** The loss as fairseq logs it: bits per masked step, {@code loss / ln 2}. */
        public double lossBits() {
            return loss / Math.log(2.0);
        }
    }

    /** Everything one forward computed, for the backward and for tests. */
    record Trace(Result result, double[] xm, double[] cm, double[] logitsQ, GumbelQuantizer.Forward quant,
                 double[] y, double[] c, ContrastiveLoss.Forward contrastive) {}

    /** Parameters allocated with zeros; see {@link #initialize}. */
    public PretrainingObjective(ObjectiveConfig cfg) {
        this(cfg, name -> null);
    }

    /**
     * Parameters taken from {@code lookup} by Hugging Face name (shared arrays, shapes checked); a
     * name it answers null for is allocated with zeros.
     */
    public PretrainingObjective(ObjectiveConfig cfg, Function<String, ParamSlot> lookup) {
        this.cfg = cfg;
        projectHidWeight = slot(lookup, "project_hid.weight", cfg.finalDim(), cfg.contextDim());
        projectHidBias = slot(lookup, "project_hid.bias", cfg.finalDim());
        projectQWeight = slot(lookup, "project_q.weight", cfg.finalDim(), cfg.vqDim());
        projectQBias = slot(lookup, "project_q.bias", cfg.finalDim());
        weightProjWeight = slot(lookup, "quantizer.weight_proj.weight", cfg.numVars(), cfg.featureDim());
        weightProjBias = slot(lookup, "quantizer.weight_proj.bias", cfg.numVars());
        codevectors = slot(lookup, "quantizer.codevectors", 1, cfg.numVars(), cfg.groupDim());
    }

    private static ParamSlot slot(Function<String, ParamSlot> lookup, String name, int... shape) {
        ParamSlot s = lookup.apply(name);
        if (s == null) return ParamSlot.zeros(name, shape);
        if (!java.util.Arrays.equals(s.shape(), shape)) throw new IllegalArgumentException(name + ": shape " + java.util.Arrays.toString(s.shape()) + ", expected " + java.util.Arrays.toString(shape));
        return s;
    }

    /** When set ([G][V]), every forward adds the chosen code of each masked step and group: codebook usage. */
    private long[][] codeCounts;

    public void countCodes(long[][] counts) {
        this.codeCounts = counts;
    }

    public List<ParamSlot> params() {
        return List.of(projectHidWeight, projectHidBias, projectQWeight, projectQBias, weightProjWeight, weightProjBias, codevectors);
    }

    /**
     * fairseq's initialisation: {@code weight_proj} N(0,1) with zero bias, codevectors U[0,1), and
     * the two projections as PyTorch's default Linear (weight and bias U(±1/√in)).
     */
    public void initialize(RandomGenerator rng) {
        for (int i = 0; i < weightProjWeight.value().length; i++) weightProjWeight.value()[i] = (float) rng.nextGaussian();
        java.util.Arrays.fill(weightProjBias.value(), 0f);
        for (int i = 0; i < codevectors.value().length; i++) codevectors.value()[i] = (float) rng.nextDouble();
        uniform(projectHidWeight, cfg.contextDim(), rng);
        uniform(projectHidBias, cfg.contextDim(), rng);
        uniform(projectQWeight, cfg.vqDim(), rng);
        uniform(projectQBias, cfg.vqDim(), rng);
    }

    private static void uniform(ParamSlot p, int fanIn, RandomGenerator rng) {
        double bound = 1.0 / Math.sqrt(fanIn);
        for (int i = 0; i < p.value().length; i++) p.value()[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
    }

    /**
     * Loss and, if {@code computeGrad}, gradients accumulated ({@code +=}) into the parameters' grad
     * arrays and into whichever of {@code dFeatures}, {@code dRawFeatures}, {@code dContext} is not null.
     *
     * @param features     [B·T, F] LayerNorm'd conv features, before masking (quantizer input)
     * @param rawFeatures  raw conv output (any layout), its first {@code rawCount} values are used
     * @param context      [B·T, D] encoder output; only masked rows are read and get gradient
     * @param negatives    [N, K + crossK] from {@link NegativeSampler}
     * @param gumbelNoise  [N, G·V] Gumbel noise for training, or null for eval (hard argmax)
     * @param tau          Gumbel temperature ({@link GumbelTemperature#at})
     */
    public Result forwardBackward(float[] features, float[] rawFeatures, int rawCount, float[] context, MaskedBatch m,
                                  int[] negatives, float[] gumbelNoise, double tau, boolean computeGrad,
                                  float[] dFeatures, float[] dRawFeatures, float[] dContext) {
        Trace tr = forward(features, rawFeatures, rawCount, context, m, negatives, gumbelNoise, tau, null);
        if (computeGrad) backward(tr, rawFeatures, rawCount, m, negatives, dFeatures, dRawFeatures, dContext);
        return tr.result();
    }

    /**
     * {@link #forwardBackward} on the masked rows only, gathered by the caller (a device backend gathers them where
     * they live): {@code maskedFeatures [N, F]} and {@code maskedContext [N, D]} in the order of
     * {@code m.maskedRows()}; their gradients are accumulated into {@code dMaskedFeatures} and {@code dMaskedContext}
     * (same shapes, either may be null). No feature penalty (it needs every frame): the objective's config must have
     * weight 0 for it.
     */
    public Result forwardBackwardMasked(float[] maskedFeatures, float[] maskedContext, MaskedBatch m, int[] negatives,
                                        float[] gumbelNoise, double tau, boolean computeGrad, float[] dMaskedFeatures,
                                        float[] dMaskedContext) {
        if (cfg.featurePenWeight() != 0) throw new IllegalStateException("the feature penalty needs every frame, not the masked rows");
        int n = m.numMasked();
        Trace tr = forward(toDouble(maskedFeatures, n * cfg.featureDim()), toDouble(maskedContext, n * cfg.contextDim()), null, 0,
                m, negatives, gumbelNoise, tau, null);
        if (computeGrad) {
            double[][] d = backwardMasked(tr, null, 0, m, negatives, dMaskedFeatures != null, dMaskedContext != null, null);
            if (dMaskedFeatures != null) addInto(d[0], dMaskedFeatures);
            if (dMaskedContext != null) addInto(d[1], dMaskedContext);
        }
        return tr.result();
    }

    private static double[] toDouble(float[] a, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = a[i];
        return out;
    }

    private static void addInto(double[] src, float[] dst) {
        for (int i = 0; i < src.length; i++) dst[i] += (float) src[i];
    }

    /** Forward; {@code anchor} is the straight-through test hook of {@link GumbelQuantizer#forward}. */
    Trace forward(float[] features, float[] rawFeatures, int rawCount, float[] context, MaskedBatch m,
                  int[] negatives, float[] gumbelNoise, double tau, double[] anchor) {
        return forward(gatherRows(features, m.maskedRows(), cfg.featureDim()), gatherRows(context, m.maskedRows(), cfg.contextDim()),
                rawFeatures, rawCount, m, negatives, gumbelNoise, tau, anchor);
    }

    /** Forward from the masked rows {@code xm [N, F]}, {@code cm [N, D]}. */
    private Trace forward(double[] xm, double[] cm, float[] rawFeatures, int rawCount, MaskedBatch m,
                          int[] negatives, float[] gumbelNoise, double tau, double[] anchor) {
        int n = m.numMasked();
        if (n == 0) throw new IllegalArgumentException("no masked steps");
        int f = cfg.featureDim(), d = cfg.contextDim(), gv = cfg.numVars(), fin = cfg.finalDim();
        int numNeg = cfg.numNegatives() + cfg.crossNegatives();
        if (gumbelNoise != null && gumbelNoise.length != n * gv) throw new IllegalArgumentException("gumbel noise length " + gumbelNoise.length + " != " + n + "*" + gv);

        double[] logitsQ = Dense.forward(xm, n, f, weightProjWeight.value(), weightProjBias.value(), gv);
        GumbelQuantizer.Forward quant = GumbelQuantizer.forward(logitsQ, n, cfg.groups(), cfg.vars(), codevectors.value(),
                cfg.groupDim(), gumbelNoise, tau, anchor);
        if (codeCounts != null) {
            for (int i = 0; i < n; i++)
                for (int g = 0; g < cfg.groups(); g++) codeCounts[g][quant.codes()[i * cfg.groups() + g]]++;
        }
        double[] y = Dense.forward(quant.q(), n, cfg.vqDim(), projectQWeight.value(), projectQBias.value(), fin);
        double[] c = Dense.forward(cm, n, d, projectHidWeight.value(), projectHidBias.value(), fin);
        ContrastiveLoss.Forward con = ContrastiveLoss.forward(c, y, n, fin, negatives, numNeg, cfg.logitTemp());

        double lossContrastive = con.lossSum() / n;
        double lossDiversity = cfg.diversityWeight() * DiversityLoss.forward(quant.probPerplexity(), gv);
        double lossPen = cfg.featurePenWeight() == 0 ? 0.0 : cfg.featurePenWeight() * FeaturePenalty.forward(rawFeatures, rawCount);
        Result r = new Result(lossContrastive + lossDiversity + lossPen, lossContrastive, lossDiversity, lossPen,
                (double) con.correct() / n, con.correct(), n, quant.codePerplexity(), quant.probPerplexity(), tau);
        return new Trace(r, xm, cm, logitsQ, quant, y, c, con);
    }

    void backward(Trace tr, float[] rawFeatures, int rawCount, MaskedBatch m, int[] negatives,
                  float[] dFeatures, float[] dRawFeatures, float[] dContext) {
        double[][] d = backwardMasked(tr, rawFeatures, rawCount, m, negatives, dFeatures != null, dContext != null, dRawFeatures);
        if (dContext != null) scatterAddRows(d[1], m.maskedRows(), cfg.contextDim(), dContext);
        if (dFeatures != null) scatterAddRows(d[0], m.maskedRows(), cfg.featureDim(), dFeatures);
    }

    /**
     * The backward into the parameters (accumulated) and, if asked, the gradients of the masked rows
     * ({@code [dxm, dcm]}, null where not asked); the feature penalty's gradient goes into {@code dRawFeatures}.
     */
    private double[][] backwardMasked(Trace tr, float[] rawFeatures, int rawCount, MaskedBatch m, int[] negatives,
                                      boolean wantFeatures, boolean wantContext, float[] dRawFeatures) {
        int n = m.numMasked();
        int f = cfg.featureDim(), d = cfg.contextDim(), gv = cfg.numVars(), fin = cfg.finalDim();
        double[] dc = new double[n * fin], dy = new double[n * fin];
        ContrastiveLoss.backward(tr.contrastive(), tr.c(), tr.y(), fin, negatives, cfg.logitTemp(), 1.0 / n, dc, dy);

        double[] dcm = wantContext ? new double[n * d] : null;
        Dense.backward(dc, tr.cm(), n, d, projectHidWeight.value(), fin, dcm, projectHidWeight.grad(), projectHidBias.grad());

        double[] dq = new double[n * cfg.vqDim()];
        Dense.backward(dy, tr.quant().q(), n, cfg.vqDim(), projectQWeight.value(), fin, dq, projectQWeight.grad(), projectQBias.grad());

        double dPpl = cfg.diversityWeight() * DiversityLoss.dPerplexity(gv);
        double[] dLogitsQ = GumbelQuantizer.backward(tr.quant(), dq, codevectors.value(), dPpl, codevectors.grad());
        double[] dxm = wantFeatures ? new double[n * f] : null;
        Dense.backward(dLogitsQ, tr.xm(), n, f, weightProjWeight.value(), gv, dxm, weightProjWeight.grad(), weightProjBias.grad());

        if (dRawFeatures != null && cfg.featurePenWeight() != 0) FeaturePenalty.backward(rawFeatures, rawCount, cfg.featurePenWeight(), dRawFeatures);
        return new double[][]{dxm, dcm};
    }

    static double[] gatherRows(float[] src, int[] rows, int dim) {
        double[] out = new double[rows.length * dim];
        for (int i = 0; i < rows.length; i++) for (int k = 0; k < dim; k++) out[i * dim + k] = src[rows[i] * dim + k];
        return out;
    }

    static void scatterAddRows(double[] src, int[] rows, int dim, float[] dst) {
        for (int i = 0; i < rows.length; i++) for (int k = 0; k < dim; k++) dst[rows[i] * dim + k] += (float) src[i * dim + k];
    }
}
