package w2v4j.core.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import w2v4j.core.W2vException;
import w2v4j.core.io.Json;

/**
 * Everything the wav2vec 2.0 model, its pre-training objective and its input pipeline need, named after the fields
 * of Hugging Face's Wav2Vec2Config (config.json) and Wav2Vec2FeatureExtractor (preprocessor_config.json).
 *
 * <p>{@link #load} requires the architecture fields (hidden_size, num_hidden_layers, num_attention_heads,
 * intermediate_size, conv_dim, conv_kernel, conv_stride); every other field takes the Hugging Face default. From
 * preprocessor_config.json it takes do_normalize (default true when the file exists but lacks the field, as in
 * Hugging Face) and sampling_rate (16000); when the file is absent, do_normalize is false and sampling_rate 16000.
 * The constructor validates, so every instance is usable. The int arrays are copied in and out.
 */
public record Wav2Vec2Config(
        int vocabSize,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int intermediateSize,
        String hiddenAct,
        double hiddenDropout,
        double activationDropout,
        double attentionDropout,
        double featProjDropout,
        double finalDropout,
        double layerdrop,
        double layerNormEps,
        String featExtractNorm,
        String featExtractActivation,
        int[] convDim,
        int[] convStride,
        int[] convKernel,
        boolean convBias,
        int numConvPosEmbeddings,
        int numConvPosEmbeddingGroups,
        boolean doStableLayerNorm,
        boolean applySpecAugment,
        double maskTimeProb,
        int maskTimeLength,
        int maskTimeMinMasks,
        double maskFeatureProb,
        int maskFeatureLength,
        int maskFeatureMinMasks,
        int numCodevectorsPerGroup,
        int numCodevectorGroups,
        double contrastiveLogitsTemperature,
        int numNegatives,
        int codevectorDim,
        int projCodevectorDim,
        double diversityLossWeight,
        double featQuantizerDropout,
        int padTokenId,
        String ctcLossReduction,
        boolean ctcZeroInfinity,
        List<String> architectures,
        boolean doNormalize,
        int samplingRate) {

    public static final String CONFIG_FILE = "config.json";
    public static final String PREPROCESSOR_FILE = "preprocessor_config.json";

    /** Validates; problems are reported as W2vException without a file name ({@link #load} adds it). */
    public Wav2Vec2Config {
        convDim = convDim.clone();
        convStride = convStride.clone();
        convKernel = convKernel.clone();
        architectures = List.copyOf(architectures);
        Objects.requireNonNull(hiddenAct, "hiddenAct");
        Objects.requireNonNull(featExtractNorm, "featExtractNorm");
        Objects.requireNonNull(featExtractActivation, "featExtractActivation");
        Objects.requireNonNull(ctcLossReduction, "ctcLossReduction");
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("intermediate_size", intermediateSize);
        check(hiddenSize % numAttentionHeads == 0,
                "hidden_size " + hiddenSize + " is not divisible by num_attention_heads " + numAttentionHeads);
        check(hiddenAct.equals("gelu") || hiddenAct.equals("gelu_python"),
                "hidden_act '" + hiddenAct + "' is not supported (supported: gelu, gelu_python)");
        check(featExtractActivation.equals("gelu"),
                "feat_extract_activation '" + featExtractActivation + "' is not supported (supported: gelu)");
        check(featExtractNorm.equals("group") || featExtractNorm.equals("layer"),
                "feat_extract_norm should be 'group' or 'layer', found '" + featExtractNorm + "'");
        check(convDim.length > 0, "conv_dim is empty");
        check(convDim.length == convStride.length && convDim.length == convKernel.length,
                "conv_dim, conv_stride and conv_kernel should have the same length, found " + convDim.length + ", "
                        + convStride.length + " and " + convKernel.length);
        for (int i = 0; i < convDim.length; i++) {
            check(convDim[i] > 0 && convStride[i] > 0 && convKernel[i] > 0,
                    "conv layer " + i + " has a non-positive dim, stride or kernel");
        }
        positive("num_conv_pos_embeddings", numConvPosEmbeddings);
        positive("num_conv_pos_embedding_groups", numConvPosEmbeddingGroups);
        check(hiddenSize % numConvPosEmbeddingGroups == 0, "hidden_size " + hiddenSize
                + " is not divisible by num_conv_pos_embedding_groups " + numConvPosEmbeddingGroups);
        dropout("hidden_dropout", hiddenDropout);
        dropout("activation_dropout", activationDropout);
        dropout("attention_dropout", attentionDropout);
        dropout("feat_proj_dropout", featProjDropout);
        dropout("final_dropout", finalDropout);
        dropout("layerdrop", layerdrop);
        dropout("feat_quantizer_dropout", featQuantizerDropout);
        check(layerNormEps > 0, "layer_norm_eps should be positive, found " + layerNormEps);
        check(maskTimeProb >= 0 && maskTimeProb <= 1, "mask_time_prob should be in [0, 1], found " + maskTimeProb);
        check(maskFeatureProb >= 0 && maskFeatureProb <= 1, "mask_feature_prob should be in [0, 1], found " + maskFeatureProb);
        positive("mask_time_length", maskTimeLength);
        positive("mask_feature_length", maskFeatureLength);
        check(maskTimeMinMasks >= 0, "mask_time_min_masks should not be negative");
        check(maskFeatureMinMasks >= 0, "mask_feature_min_masks should not be negative");
        positive("num_codevectors_per_group", numCodevectorsPerGroup);
        positive("num_codevector_groups", numCodevectorGroups);
        positive("codevector_dim", codevectorDim);
        positive("proj_codevector_dim", projCodevectorDim);
        check(codevectorDim % numCodevectorGroups == 0, "codevector_dim " + codevectorDim
                + " is not divisible by num_codevector_groups " + numCodevectorGroups);
        check(contrastiveLogitsTemperature > 0, "contrastive_logits_temperature should be positive");
        check(numNegatives >= 0, "num_negatives should not be negative");
        check(diversityLossWeight >= 0, "diversity_loss_weight should not be negative");
        check(padTokenId >= 0 && padTokenId < vocabSize,
                "pad_token_id " + padTokenId + " is outside the vocabulary of " + vocabSize);
        check(ctcLossReduction.equals("sum") || ctcLossReduction.equals("mean"),
                "ctc_loss_reduction should be 'sum' or 'mean', found '" + ctcLossReduction + "'");
        positive("sampling_rate", samplingRate);
    }

    private static void check(boolean ok, String problem) {
        if (!ok) {
            throw new W2vException(problem);
        }
    }

    private static void positive(String field, long v) {
        check(v > 0, field + " should be positive, found " + v);
    }

    private static void dropout(String field, double p) {
        check(p >= 0 && p < 1, field + " should be in [0, 1), found " + p);
    }

    @Override
    public int[] convDim() {
        return convDim.clone();
    }

    @Override
    public int[] convStride() {
        return convStride.clone();
    }

    @Override
    public int[] convKernel() {
        return convKernel.clone();
    }

    // ---- derived quantities --------------------------------------------------------------------------------

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    public int numFeatExtractLayers() {
        return convDim.length;
    }

    /** Channels out of the convolutional feature encoder (input to the feature projection). */
    public int extractDim() {
        return convDim[convDim.length - 1];
    }

    /** Samples between consecutive feature frames (320 for the standard encoder: 20 ms at 16 kHz). */
    public int totalStride() {
        int s = 1;
        for (int v : convStride) {
            s *= v;
        }
        return s;
    }

    /** Samples seen by one feature frame (400 for the standard encoder: 25 ms at 16 kHz). */
    public int receptiveField() {
        int field = 1;
        int jump = 1;
        for (int i = 0; i < convKernel.length; i++) {
            field += (convKernel[i] - 1) * jump;
            jump *= convStride[i];
        }
        return field;
    }

    /** Feature frames for a waveform of {@code samples}: each conv layer gives floor((n - kernel) / stride) + 1. */
    public long featureFrames(long samples) {
        long n = samples;
        for (int i = 0; i < convKernel.length; i++) {
            if (n < convKernel[i]) {
                return 0;
            }
            n = (n - convKernel[i]) / convStride[i] + 1;
        }
        return n;
    }

    // ---- presets -------------------------------------------------------------------------------------------

    /** The standard 7-layer feature encoder (conv_dim 512 x 7, strides 5,2,2,2,2,2,2, kernels 10,3,3,3,3,2,2). */
    private static Builder standardEncoder() {
        return new Builder()
                .convDim(new int[] {512, 512, 512, 512, 512, 512, 512})
                .convStride(new int[] {5, 2, 2, 2, 2, 2, 2})
                .convKernel(new int[] {10, 3, 3, 3, 3, 2, 2});
    }

    /**
     * wav2vec2-base: 768 wide, 12 layers, 12 heads, 3072 FFN, group-norm feature encoder without conv bias,
     * post-LN transformer. do_normalize false, as in the fairseq pre-training recipe for this model.
     */
    public static Wav2Vec2Config base() {
        return standardEncoder().build();
    }

    /**
     * wav2vec2-large (lv60 variant): 1024 wide, 24 layers, 16 heads, 4096 FFN, layer-norm feature encoder with conv
     * bias, pre-LN ("stable layer norm") transformer, 768-d codevectors. do_normalize true, as in its recipe.
     */
    public static Wav2Vec2Config large() {
        return standardEncoder()
                .hiddenSize(1024).numHiddenLayers(24).numAttentionHeads(16).intermediateSize(4096)
                .featExtractNorm("layer").convBias(true).doStableLayerNorm(true)
                .codevectorDim(768).projCodevectorDim(768)
                .doNormalize(true)
                .build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    // ---- Hugging Face JSON ---------------------------------------------------------------------------------

    /**
     * Reads {@code modelDir}/config.json and, if present, {@code modelDir}/preprocessor_config.json.
     * {@code modelDir} may also be the config.json file itself; the preprocessor file is then looked for beside it.
     */
    public static Wav2Vec2Config load(Path modelDir) {
        Path configFile = Files.isDirectory(modelDir) ? modelDir.resolve(CONFIG_FILE) : modelDir;
        Path dir = configFile.toAbsolutePath().getParent();
        Path preFile = dir.resolve(PREPROCESSOR_FILE);
        Json.Obj pre = Files.isRegularFile(preFile) ? Json.readObject(preFile) : null;
        return fromJson(Json.readObject(configFile), pre);
    }

    /** Builds from parsed config.json (and optionally preprocessor_config.json); errors name the file. */
    public static Wav2Vec2Config fromJson(Json.Obj c, Json.Obj pre) {
        String modelType = c.getString("model_type", "wav2vec2");
        if (!modelType.equals("wav2vec2")) {
            throw W2vException.file(c.file(), "model_type '" + modelType + "' is not supported (expected wav2vec2)");
        }
        if (c.getBool("add_adapter", false)) {
            throw W2vException.file(c.file(), "add_adapter true is not supported");
        }
        Builder b = new Builder()
                .hiddenSize(c.getInt("hidden_size"))
                .numHiddenLayers(c.getInt("num_hidden_layers"))
                .numAttentionHeads(c.getInt("num_attention_heads"))
                .intermediateSize(c.getInt("intermediate_size"))
                .convDim(c.getIntList("conv_dim"))
                .convStride(c.getIntList("conv_stride"))
                .convKernel(c.getIntList("conv_kernel"));
        Builder d = new Builder(); // defaults
        b.vocabSize(c.getInt("vocab_size", d.vocabSize))
                .hiddenAct(c.getString("hidden_act", d.hiddenAct))
                .hiddenDropout(c.getDouble("hidden_dropout", d.hiddenDropout))
                .activationDropout(c.getDouble("activation_dropout", d.activationDropout))
                .attentionDropout(c.getDouble("attention_dropout", d.attentionDropout))
                .featProjDropout(c.getDouble("feat_proj_dropout", d.featProjDropout))
                .finalDropout(c.getDouble("final_dropout", d.finalDropout))
                .layerdrop(c.getDouble("layerdrop", d.layerdrop))
                .layerNormEps(c.getDouble("layer_norm_eps", d.layerNormEps))
                .featExtractNorm(c.getString("feat_extract_norm", d.featExtractNorm))
                .featExtractActivation(c.getString("feat_extract_activation", d.featExtractActivation))
                .convBias(c.getBool("conv_bias", d.convBias))
                .numConvPosEmbeddings(c.getInt("num_conv_pos_embeddings", d.numConvPosEmbeddings))
                .numConvPosEmbeddingGroups(c.getInt("num_conv_pos_embedding_groups", d.numConvPosEmbeddingGroups))
                .doStableLayerNorm(c.getBool("do_stable_layer_norm", d.doStableLayerNorm))
                .applySpecAugment(c.getBool("apply_spec_augment", d.applySpecAugment))
                .maskTimeProb(c.getDouble("mask_time_prob", d.maskTimeProb))
                .maskTimeLength(c.getInt("mask_time_length", d.maskTimeLength))
                .maskTimeMinMasks(c.getInt("mask_time_min_masks", d.maskTimeMinMasks))
                .maskFeatureProb(c.getDouble("mask_feature_prob", d.maskFeatureProb))
                .maskFeatureLength(c.getInt("mask_feature_length", d.maskFeatureLength))
                .maskFeatureMinMasks(c.getInt("mask_feature_min_masks", d.maskFeatureMinMasks))
                .numCodevectorsPerGroup(c.getInt("num_codevectors_per_group", d.numCodevectorsPerGroup))
                .numCodevectorGroups(c.getInt("num_codevector_groups", d.numCodevectorGroups))
                .contrastiveLogitsTemperature(c.getDouble("contrastive_logits_temperature", d.contrastiveLogitsTemperature))
                .numNegatives(c.getInt("num_negatives", d.numNegatives))
                .codevectorDim(c.getInt("codevector_dim", d.codevectorDim))
                .projCodevectorDim(c.getInt("proj_codevector_dim", d.projCodevectorDim))
                .diversityLossWeight(c.getDouble("diversity_loss_weight", d.diversityLossWeight))
                .featQuantizerDropout(c.getDouble("feat_quantizer_dropout", d.featQuantizerDropout))
                .padTokenId(c.getInt("pad_token_id", d.padTokenId))
                .ctcLossReduction(c.getString("ctc_loss_reduction", d.ctcLossReduction))
                .ctcZeroInfinity(c.getBool("ctc_zero_infinity", d.ctcZeroInfinity))
                .architectures(c.getStringList("architectures", d.architectures));
        if (pre != null) {
            b.doNormalize(pre.getBool("do_normalize", true)).samplingRate(pre.getInt("sampling_rate", 16000));
        }
        try {
            return b.build();
        } catch (W2vException e) {
            Path file = pre != null && e.getMessage().startsWith("sampling_rate") ? pre.file() : c.file();
            throw W2vException.file(file, e.getMessage(), e);
        }
    }

    /** config.json content in Hugging Face's field names. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "wav2vec2");
        m.put("architectures", architectures);
        m.put("vocab_size", vocabSize);
        m.put("hidden_size", hiddenSize);
        m.put("num_hidden_layers", numHiddenLayers);
        m.put("num_attention_heads", numAttentionHeads);
        m.put("intermediate_size", intermediateSize);
        m.put("hidden_act", hiddenAct);
        m.put("hidden_dropout", hiddenDropout);
        m.put("activation_dropout", activationDropout);
        m.put("attention_dropout", attentionDropout);
        m.put("feat_proj_dropout", featProjDropout);
        m.put("final_dropout", finalDropout);
        m.put("layerdrop", layerdrop);
        m.put("layer_norm_eps", layerNormEps);
        m.put("feat_extract_norm", featExtractNorm);
        m.put("feat_extract_activation", featExtractActivation);
        m.put("conv_dim", convDim.clone());
        m.put("conv_stride", convStride.clone());
        m.put("conv_kernel", convKernel.clone());
        m.put("conv_bias", convBias);
        m.put("num_feat_extract_layers", convDim.length);
        m.put("num_conv_pos_embeddings", numConvPosEmbeddings);
        m.put("num_conv_pos_embedding_groups", numConvPosEmbeddingGroups);
        m.put("do_stable_layer_norm", doStableLayerNorm);
        m.put("apply_spec_augment", applySpecAugment);
        m.put("mask_time_prob", maskTimeProb);
        m.put("mask_time_length", maskTimeLength);
        m.put("mask_time_min_masks", maskTimeMinMasks);
        m.put("mask_feature_prob", maskFeatureProb);
        m.put("mask_feature_length", maskFeatureLength);
        m.put("mask_feature_min_masks", maskFeatureMinMasks);
        m.put("num_codevectors_per_group", numCodevectorsPerGroup);
        m.put("num_codevector_groups", numCodevectorGroups);
        m.put("contrastive_logits_temperature", contrastiveLogitsTemperature);
        m.put("num_negatives", numNegatives);
        m.put("codevector_dim", codevectorDim);
        m.put("proj_codevector_dim", projCodevectorDim);
        m.put("diversity_loss_weight", diversityLossWeight);
        m.put("feat_quantizer_dropout", featQuantizerDropout);
        m.put("pad_token_id", padTokenId);
        m.put("ctc_loss_reduction", ctcLossReduction);
        m.put("ctc_zero_infinity", ctcZeroInfinity);
        return m;
    }

    /** preprocessor_config.json content for Hugging Face's Wav2Vec2FeatureExtractor. */
    public Map<String, Object> preprocessorJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("feature_extractor_type", "Wav2Vec2FeatureExtractor");
        m.put("feature_size", 1);
        m.put("sampling_rate", samplingRate);
        m.put("padding_value", 0.0);
        m.put("padding_side", "right");
        m.put("do_normalize", doNormalize);
        // Models with a layer-norm feature encoder are trained with attention masks; group-norm ones without.
        m.put("return_attention_mask", featExtractNorm.equals("layer"));
        return m;
    }

    /** Writes config.json and preprocessor_config.json into {@code modelDir} (each atomically). */
    public void save(Path modelDir) {
        Json.write(modelDir.resolve(CONFIG_FILE), toJson());
        Json.write(modelDir.resolve(PREPROCESSOR_FILE), preprocessorJson());
    }

    // ---- value semantics despite the arrays ----------------------------------------------------------------

    @Override
    public boolean equals(Object o) {
        // toJson() holds every field but the preprocessor ones; its int[] values are compared as lists.
        return o instanceof Wav2Vec2Config other && comparable().equals(other.comparable());
    }

    private Map<String, Object> comparable() {
        Map<String, Object> m = toJson();
        m.replaceAll((k, v) -> v instanceof int[] a ? Arrays.stream(a).boxed().toList() : v);
        m.put("do_normalize", doNormalize);
        m.put("sampling_rate", samplingRate);
        return m;
    }

    @Override
    public int hashCode() {
        return comparable().hashCode();
    }

    @Override
    public String toString() {
        return "Wav2Vec2Config" + Json.write(toJson()) + " do_normalize=" + doNormalize + " sampling_rate=" + samplingRate;
    }

    // ---- builder -------------------------------------------------------------------------------------------

    /** Mutable builder, pre-filled with Hugging Face's defaults (wav2vec2-base architecture); build() validates. */
    public static final class Builder {
        int vocabSize = 32;
        int hiddenSize = 768;
        int numHiddenLayers = 12;
        int numAttentionHeads = 12;
        int intermediateSize = 3072;
        String hiddenAct = "gelu";
        double hiddenDropout = 0.1;
        double activationDropout = 0.1;
        double attentionDropout = 0.1;
        double featProjDropout = 0.0;
        double finalDropout = 0.1;
        double layerdrop = 0.1;
        double layerNormEps = 1e-5;
        String featExtractNorm = "group";
        String featExtractActivation = "gelu";
        int[] convDim = {512, 512, 512, 512, 512, 512, 512};
        int[] convStride = {5, 2, 2, 2, 2, 2, 2};
        int[] convKernel = {10, 3, 3, 3, 3, 2, 2};
        boolean convBias = false;
        int numConvPosEmbeddings = 128;
        int numConvPosEmbeddingGroups = 16;
        boolean doStableLayerNorm = false;
        boolean applySpecAugment = true;
        double maskTimeProb = 0.05;
        int maskTimeLength = 10;
        int maskTimeMinMasks = 2;
        double maskFeatureProb = 0.0;
        int maskFeatureLength = 10;
        int maskFeatureMinMasks = 0;
        int numCodevectorsPerGroup = 320;
        int numCodevectorGroups = 2;
        double contrastiveLogitsTemperature = 0.1;
        int numNegatives = 100;
        int codevectorDim = 256;
        int projCodevectorDim = 256;
        double diversityLossWeight = 0.1;
        double featQuantizerDropout = 0.0;
        int padTokenId = 0;
        String ctcLossReduction = "sum";
        boolean ctcZeroInfinity = false;
        List<String> architectures = List.of("Wav2Vec2ForPreTraining");
        boolean doNormalize = false;
        int samplingRate = 16000;

        public Builder() {}

        Builder(Wav2Vec2Config c) {
            vocabSize = c.vocabSize; hiddenSize = c.hiddenSize; numHiddenLayers = c.numHiddenLayers;
            numAttentionHeads = c.numAttentionHeads; intermediateSize = c.intermediateSize; hiddenAct = c.hiddenAct;
            hiddenDropout = c.hiddenDropout; activationDropout = c.activationDropout; attentionDropout = c.attentionDropout;
            featProjDropout = c.featProjDropout; finalDropout = c.finalDropout; layerdrop = c.layerdrop;
            layerNormEps = c.layerNormEps; featExtractNorm = c.featExtractNorm; featExtractActivation = c.featExtractActivation;
            convDim = c.convDim.clone(); convStride = c.convStride.clone(); convKernel = c.convKernel.clone();
            convBias = c.convBias; numConvPosEmbeddings = c.numConvPosEmbeddings;
            numConvPosEmbeddingGroups = c.numConvPosEmbeddingGroups; doStableLayerNorm = c.doStableLayerNorm;
            applySpecAugment = c.applySpecAugment; maskTimeProb = c.maskTimeProb; maskTimeLength = c.maskTimeLength;
            maskTimeMinMasks = c.maskTimeMinMasks; maskFeatureProb = c.maskFeatureProb;
            maskFeatureLength = c.maskFeatureLength; maskFeatureMinMasks = c.maskFeatureMinMasks;
            numCodevectorsPerGroup = c.numCodevectorsPerGroup; numCodevectorGroups = c.numCodevectorGroups;
            contrastiveLogitsTemperature = c.contrastiveLogitsTemperature; numNegatives = c.numNegatives;
            codevectorDim = c.codevectorDim; projCodevectorDim = c.projCodevectorDim;
            diversityLossWeight = c.diversityLossWeight; featQuantizerDropout = c.featQuantizerDropout;
            padTokenId = c.padTokenId; ctcLossReduction = c.ctcLossReduction; ctcZeroInfinity = c.ctcZeroInfinity;
            architectures = c.architectures; doNormalize = c.doNormalize; samplingRate = c.samplingRate;
        }

        public Wav2Vec2Config build() {
            return new Wav2Vec2Config(vocabSize, hiddenSize, numHiddenLayers, numAttentionHeads, intermediateSize,
                    hiddenAct, hiddenDropout, activationDropout, attentionDropout, featProjDropout, finalDropout,
                    layerdrop, layerNormEps, featExtractNorm, featExtractActivation, convDim, convStride, convKernel,
                    convBias, numConvPosEmbeddings, numConvPosEmbeddingGroups, doStableLayerNorm, applySpecAugment,
                    maskTimeProb, maskTimeLength, maskTimeMinMasks, maskFeatureProb, maskFeatureLength,
                    maskFeatureMinMasks, numCodevectorsPerGroup, numCodevectorGroups, contrastiveLogitsTemperature,
                    numNegatives, codevectorDim, projCodevectorDim, diversityLossWeight, featQuantizerDropout,
                    padTokenId, ctcLossReduction, ctcZeroInfinity, architectures, doNormalize, samplingRate);
        }

        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder hiddenSize(int v) { hiddenSize = v; return this; }
        public Builder numHiddenLayers(int v) { numHiddenLayers = v; return this; }
        public Builder numAttentionHeads(int v) { numAttentionHeads = v; return this; }
        public Builder intermediateSize(int v) { intermediateSize = v; return this; }
        public Builder hiddenAct(String v) { hiddenAct = v; return this; }
        public Builder hiddenDropout(double v) { hiddenDropout = v; return this; }
        public Builder activationDropout(double v) { activationDropout = v; return this; }
        public Builder attentionDropout(double v) { attentionDropout = v; return this; }
        public Builder featProjDropout(double v) { featProjDropout = v; return this; }
        public Builder finalDropout(double v) { finalDropout = v; return this; }
        public Builder layerdrop(double v) { layerdrop = v; return this; }
        public Builder layerNormEps(double v) { layerNormEps = v; return this; }
        public Builder featExtractNorm(String v) { featExtractNorm = v; return this; }
        public Builder featExtractActivation(String v) { featExtractActivation = v; return this; }
        public Builder convDim(int[] v) { convDim = v.clone(); return this; }
        public Builder convStride(int[] v) { convStride = v.clone(); return this; }
        public Builder convKernel(int[] v) { convKernel = v.clone(); return this; }
        public Builder convBias(boolean v) { convBias = v; return this; }
        public Builder numConvPosEmbeddings(int v) { numConvPosEmbeddings = v; return this; }
        public Builder numConvPosEmbeddingGroups(int v) { numConvPosEmbeddingGroups = v; return this; }
        public Builder doStableLayerNorm(boolean v) { doStableLayerNorm = v; return this; }
        public Builder applySpecAugment(boolean v) { applySpecAugment = v; return this; }
        public Builder maskTimeProb(double v) { maskTimeProb = v; return this; }
        public Builder maskTimeLength(int v) { maskTimeLength = v; return this; }
        public Builder maskTimeMinMasks(int v) { maskTimeMinMasks = v; return this; }
        public Builder maskFeatureProb(double v) { maskFeatureProb = v; return this; }
        public Builder maskFeatureLength(int v) { maskFeatureLength = v; return this; }
        public Builder maskFeatureMinMasks(int v) { maskFeatureMinMasks = v; return this; }
        public Builder numCodevectorsPerGroup(int v) { numCodevectorsPerGroup = v; return this; }
        public Builder numCodevectorGroups(int v) { numCodevectorGroups = v; return this; }
        public Builder contrastiveLogitsTemperature(double v) { contrastiveLogitsTemperature = v; return this; }
        public Builder numNegatives(int v) { numNegatives = v; return this; }
        public Builder codevectorDim(int v) { codevectorDim = v; return this; }
        public Builder projCodevectorDim(int v) { projCodevectorDim = v; return this; }
        public Builder diversityLossWeight(double v) { diversityLossWeight = v; return this; }
        public Builder featQuantizerDropout(double v) { featQuantizerDropout = v; return this; }
        public Builder padTokenId(int v) { padTokenId = v; return this; }
        public Builder ctcLossReduction(String v) { ctcLossReduction = v; return this; }
        public Builder ctcZeroInfinity(boolean v) { ctcZeroInfinity = v; return this; }
        public Builder architectures(List<String> v) { architectures = List.copyOf(v); return this; }
        public Builder doNormalize(boolean v) { doNormalize = v; return this; }
        public Builder samplingRate(int v) { samplingRate = v; return this; }
    }
}
