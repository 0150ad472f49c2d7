package w2v4j.train.objective;

/**
 * Sizes and weights of the pre-training objective.
 *
 * @param featureDim    F, conv feature width fed to the quantizer (512)
 * @param contextDim    D, transformer width (768 BASE, 1024 LARGE)
 * @param groups        G, codebooks (2)
 * @param vars          V, entries per codebook (320)
 * @param vqDim         width of a quantized vector, all groups concatenated (256 BASE, 768 LARGE)
 * @param finalDim      width of the space where cosine similarities are taken (256 / 768)
 * @param numNegatives  K, distractors from the same utterance (100)
 * @param crossNegatives distractors from anywhere in the batch (0)
 * @param logitTemp     κ, cosine similarities are divided by it (0.1)
 * @param diversityWeight α (0.1)
 * @param featurePenWeight β (10 BASE, 0 LARGE)
 */
public record ObjectiveConfig(int featureDim, int contextDim, int groups, int vars, int vqDim, int finalDim,
                              int numNegatives, int crossNegatives, double logitTemp,
                              double diversityWeight, double featurePenWeight) {

    public ObjectiveConfig {
        if (vqDim % groups != 0) throw new IllegalArgumentException("vqDim " + vqDim + " not divisible by groups " + groups);
        if (featureDim <= 0 || contextDim <= 0 || vars <= 0 || finalDim <= 0 || logitTemp <= 0) throw new IllegalArgumentException("bad objective config " + this);
    }

    public static ObjectiveConfig base() {
        return new ObjectiveConfig(512, 768, 2, 320, 256, 256, 100, 0, 0.1, 0.1, 10.0);
    }

    public static ObjectiveConfig largeLv60() {
        return new ObjectiveConfig(512, 1024, 2, 320, 768, 768, 100, 0, 0.1, 0.1, 0.0);
    }

    /** G·V, the codebook size fairseq calls {@code num_vars}. */
    public int numVars() {
        return groups * vars;
    }

    public int groupDim() {
        return vqDim / groups;
    }
}
