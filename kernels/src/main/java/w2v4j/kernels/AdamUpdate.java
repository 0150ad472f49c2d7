package w2v4j.kernels;

/**
 * The elementwise step of Adam with decoupled weight decay (fairseq's {@code Adam}, see
 * {@code w2v4j.train.optim.Adam} for the maths and the hyper-parameters), as a kernel so that the
 * optimizer runs where the parameters, gradients and moments live. Float arithmetic in a fixed order
 * per element, no fused multiply-add, so every backend and thread count gives the same bits.
 */
public final class AdamUpdate {
    /** Below this many elements a parameter is updated on the calling thread. */
    private static final int GRAIN = 1 << 15;

    private AdamUpdate() {
    }

    /**
     * For {@code j < n}: {@code m = b1 m + a1 g; v = b2 v + a2 g g; w = w + decay w;
     * w = w - stepSize m / (sqrt(v) + eps)}, with {@code a1 = 1 - b1}, {@code a2 = 1 - b2} and
     * {@code decay = -lr * weightDecay} given by the caller.
     */
    public static void step(float[] w, float[] g, float[] m, float[] v, int n, float b1, float a1, float b2, float a2,
                            float eps, float decay, float stepSize) {
        Parallel.forRange(n, GRAIN, (s, e) -> update(w, g, m, v, s, e, b1, a1, b2, a2, eps, decay, stepSize));
    }

    private static void update(float[] w, float[] g, float[] m, float[] v, int start, int end, float b1, float a1,
                               float b2, float a2, float eps, float decay, float stepSize) {
        for (int j = start; j < end; j++) {
            float gj = g[j];
            float mj = b1 * m[j] + a1 * gj;
            float vj = b2 * v[j] + a2 * gj * gj;
            m[j] = mj;
            v[j] = vj;
            float wj = w[j] + decay * w[j];
            w[j] = wj - stepSize * (mj / ((float) Math.sqrt(vj) + eps));
        }
    }
}
