package w2v4j.kernels;

/**
 * Exact GELU, {@code 0.5 * x * (1 + erf(x / sqrt(2)))} (PyTorch's default {@code nn.GELU}),
 * computed in double with {@link Erf} and rounded to float once.
 */
public final class Gelu {

    private static final double INV_SQRT2 = 0.7071067811865476;
    /** Elements per task: erf costs some tens of ns, so a few thousand amortise the hand-off. */
    private static final int GRAIN = 4096;

    private Gelu() {
    }

    public static void gelu(float[] x, int off, int n) {
        Parallel.forRange(n, GRAIN, (i0, i1) -> {
            for (int i = off + i0; i < off + i1; i++) {
                x[i] = gelu(x[i]);
            }
        });
    }

    public static float gelu(float v) {
        double d = v;
        return (float) (0.5 * d * (1.0 + Erf.erf(d * INV_SQRT2)));
    }
}
