package w2v4j.model;

/**
 * The stochastic parts of a training forward pass. Dropout masks are regenerated from seeds in the
 * backward, so nothing but the seed is stored.
 *
 * @param featureGradMult  gradient scale into the feature encoder (0.1 for BASE pre-training; 0 freezes it)
 * @param dropoutInput     dropout on the projected features (fairseq {@code dropout_input})
 * @param dropoutFeatures  dropout on the quantizer input (fairseq {@code dropout_features})
 * @param hiddenDropout    dropout after attention and FFN outputs and after the encoder's first LayerNorm
 * @param activationDropout dropout after the FFN's GELU
 * @param layerDrop        probability of skipping a whole Transformer layer
 */
public record TrainOptions(double featureGradMult, float dropoutInput, float dropoutFeatures, float hiddenDropout,
                           float activationDropout, float layerDrop) {
    /** No dropout, no layer drop, full gradient: the deterministic setting parity tests use. */
    public static final TrainOptions EXACT = new TrainOptions(1.0, 0f, 0f, 0f, 0f, 0f);
}
