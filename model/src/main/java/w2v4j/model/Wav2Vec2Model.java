package w2v4j.model;

import w2v4j.core.config.Wav2Vec2Config;
import w2v4j.kernels.Backend;

import java.util.SplittableRandom;

/**
 * wav2vec 2.0 as Hugging Face lays it out: feature encoder, feature projection (LayerNorm +
 * Linear), convolutional position embedding, Transformer encoder (post- or pre-LN), and the
 * optional heads: {@code lm_head} (CTC) and the pre-training quantizer and projections.
 * Parameter names are HF names without the {@code wav2vec2.} prefix for the base model.
 */
public final class Wav2Vec2Model {
    /** Which optional parts a model carries besides the encoder. */
    public record Heads(boolean ctc, int vocabSize, boolean pretraining, boolean maskEmbedding) {
        public static final Heads NONE = new Heads(false, 0, false, false);

        public static Heads ctc(int vocabSize) {
            return new Heads(true, vocabSize, false, false);
        }
    }

    public final Wav2Vec2Config config;
    public final Heads heads;
    public final ParamSet params = new ParamSet();
    final FeatureEncoder featureEncoder;
    final Param projLnW, projLnB, projW, projB;
    final PositionalConvEmbedding posConv;
    final Param encLnW, encLnB;
    final TransformerLayer[] layers;
    final Param maskEmbedding;
    final Param lmHeadW, lmHeadB;
    final Param codevectors, quantizerW, quantizerB, projectHidW, projectHidB, projectQW, projectQB;

    public Wav2Vec2Model(Wav2Vec2Config c, Heads heads) {
        this.config = c;
        this.heads = heads;
        int d = c.hiddenSize();
        maskEmbedding = heads.maskEmbedding() || heads.pretraining() ? params.add("masked_spec_embed", d) : null;
        featureEncoder = new FeatureEncoder(c, params, "");
        int f = featureEncoder.outputDim();
        projLnW = params.add("feature_projection.layer_norm.weight", f);
        projLnB = params.add("feature_projection.layer_norm.bias", f);
        projW = params.add("feature_projection.projection.weight", d, f);
        projB = params.add("feature_projection.projection.bias", d);
        posConv = new PositionalConvEmbedding(c, params, "");
        encLnW = params.add("encoder.layer_norm.weight", d);
        encLnB = params.add("encoder.layer_norm.bias", d);
        layers = new TransformerLayer[c.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) layers[i] = new TransformerLayer(c, params, "", i);
        if (heads.ctc()) {
            lmHeadW = params.add("lm_head.weight", heads.vocabSize(), d);
            lmHeadB = params.add("lm_head.bias", heads.vocabSize());
        } else {
            lmHeadW = lmHeadB = null;
        }
        if (heads.pretraining()) {
            int g = c.numCodevectorGroups(), v = c.numCodevectorsPerGroup();
            codevectors = params.add("quantizer.codevectors", 1, g * v, c.codevectorDim() / g);
            quantizerW = params.add("quantizer.weight_proj.weight", g * v, f);
            quantizerB = params.add("quantizer.weight_proj.bias", g * v);
            projectHidW = params.add("project_hid.weight", c.projCodevectorDim(), d);
            projectHidB = params.add("project_hid.bias", c.projCodevectorDim());
            projectQW = params.add("project_q.weight", c.projCodevectorDim(), c.codevectorDim());
            projectQB = params.add("project_q.bias", c.projCodevectorDim());
        } else {
            codevectors = quantizerW = quantizerB = projectHidW = projectHidB = projectQW = projectQB = null;
        }
    }

    public int numLayers() {
        return layers.length;
    }

    public int hiddenSize() {
        return config.hiddenSize();
    }

    public int vocabSize() {
        return heads.ctc() ? heads.vocabSize() : 0;
    }

    /** Output frames for an input of {@code samples} samples. */
    public int frames(int samples) {
        return featureEncoder.frames(samples);
    }

    /** Smallest input that yields one frame (400 samples for the standard encoder). */
    public int receptiveField() {
        return featureEncoder.receptiveField();
    }

    /** Rebuilds derived weights (packed convolutions, folded weight norm); call after changing parameters. */
    public void prepare() {
        prepare(HOST);
    }

    private static final Backend HOST = new w2v4j.kernels.JavaBackend();

    /**
     * {@link #prepare} on {@code backend}, where the parameters may live (a trainer binds them there): the
     * derived weights are computed by backend operations and stay there.
     */
    public void prepare(Backend backend) {
        featureEncoder.pack(backend);
        posConv.pack(backend);
        weightsVersion++;
    }

    /**
     * Arrays derived from the parameters by {@link #prepare}: the packed conv weights and the positional
     * conv's effective weight. A trainer binds them to its backend with the parameters.
     */
    public java.util.List<float[]> derivedWeights() {
        java.util.List<float[]> out = new java.util.ArrayList<>(java.util.Arrays.asList(featureEncoder.packed));
        out.add(posConv.packed);
        out.add(posConv.effective);
        return out;
    }

    /**
     * Parameters that backend operations do not read as weights: those used only through a derived
     * form (conv weights, which backends see packed, and the weight-norm g/v) or by single operations
     * and host code (mask embedding, quantizer, projections).
     */
    public java.util.List<Param> indirectParams() {
        java.util.List<Param> out = new java.util.ArrayList<>(java.util.Arrays.asList(featureEncoder.weight));
        for (Param p : new Param[]{posConv.weightG, posConv.weightV, maskEmbedding, codevectors, quantizerW, quantizerB,
                projectHidW, projectHidB, projectQW, projectQB}) {
            if (p != null) out.add(p);
        }
        return out;
    }

    private long weightsVersion;

    /**
     * Counts {@link #prepare} calls: a backend's device copies of {@link #backendWeights} are current
     * while this number has not changed since they were made (see {@link ResidentWeights}).
     */
    public long weightsVersion() {
        return weightsVersion;
    }

    /**
     * The arrays that backend operations read as weights: every parameter except those used only
     * through a derived form (conv weights, which the backend sees packed, and the weight-norm g/v)
     * or only on the host (mask embedding, quantizer, projections), plus the packed conv weights.
     */
    public java.util.List<float[]> backendWeights() {
        java.util.Set<Param> hostOnly = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        hostOnly.addAll(indirectParams());
        java.util.List<float[]> out = new java.util.ArrayList<>();
        for (Param p : params.all()) if (!hostOnly.contains(p)) out.add(p.value);
        out.addAll(java.util.Arrays.asList(featureEncoder.packed));
        out.add(posConv.packed);
        return out;
    }

    /**
     * Random initialisation as in fairseq/HF: Kaiming-normal convolutions, N(0, 0.02) linears with
     * zero bias, unit norms, the positional conv with std sqrt(4 / (K * D)) and g = ||v|| per tap.
     */
    public Wav2Vec2Model initRandom(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Param p : params.all()) {
            String n = p.name;
            if (n.endsWith("norm.weight")) fill(p.value, 1f);
            else if (n.endsWith(".bias")) fill(p.value, 0f);
            else if (n.endsWith("conv.weight")) gaussian(rnd, p.value, Math.sqrt(2.0 / (p.shape[1] * p.shape[2])));
            else if (n.endsWith("weight_v")) gaussian(rnd, p.value, Math.sqrt(4.0 / (posConv.kernel * config.hiddenSize())));
            else if (n.equals("masked_spec_embed") || n.equals("quantizer.codevectors")) uniform(rnd, p.value);
            else if (n.equals("quantizer.weight_proj.weight")) gaussian(rnd, p.value, 1.0);
            else if (n.endsWith(".weight") && !n.endsWith("weight_g")) gaussian(rnd, p.value, 0.02);
        }
        // g starts as the norm of v, so the initial effective weight equals v (what weight_norm does).
        int rows = config.hiddenSize() * (config.hiddenSize() / posConv.groups);
        for (int k = 0; k < posConv.kernel; k++) {
            double s = 0;
            for (int r = 0; r < rows; r++) s += (double) posConv.weightV.value[r * posConv.kernel + k] * posConv.weightV.value[r * posConv.kernel + k];
            posConv.weightG.value[k] = (float) Math.sqrt(s);
        }
        prepare();
        return this;
    }

    private static void fill(float[] a, float v) {
        java.util.Arrays.fill(a, v);
    }

    private static void gaussian(SplittableRandom rnd, float[] a, double std) {
        for (int i = 0; i < a.length; i += 2) {
            // Box-Muller, two normals per draw
            double u1 = rnd.nextDouble(), u2 = rnd.nextDouble();
            double r = Math.sqrt(-2 * Math.log(1 - u1)), th = 2 * Math.PI * u2;
            a[i] = (float) (std * r * Math.cos(th));
            if (i + 1 < a.length) a[i + 1] = (float) (std * r * Math.sin(th));
        }
    }

    private static void uniform(SplittableRandom rnd, float[] a) {
        for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextDouble();
    }
}
