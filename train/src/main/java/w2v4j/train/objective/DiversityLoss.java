package w2v4j.train.objective;

/**
 * Diversity loss {@code (G·V − prob_perplexity) / (G·V)}: 0 when every codebook entry is used
 * equally often on average (perplexity G·V), towards 1 when a few entries take all the mass. It
 * reaches the quantizer logits through {@link GumbelQuantizer#backward}'s perplexity term.
 */
public final class DiversityLoss {

    private DiversityLoss() {}

    public static double forward(double probPerplexity, int numVars) {
        return (numVars - probPerplexity) / numVars;
    }

    /** d(diversity)/d(prob_perplexity). */
    public static double dPerplexity(int numVars) {
        return -1.0 / numVars;
    }
}
