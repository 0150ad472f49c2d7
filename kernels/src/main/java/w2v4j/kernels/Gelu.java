package w2v4j.kernels;

/**
 * Exact GELU, {@code 0.5 * x * (1 + erf(x / sqrt(2)))} (PyTorch's default {@code nn.GELU}),
 * computed in double with {@link Erf} and rounded to float once. Its derivative is
 * {@code Phi(x) + x * phi(x)} (normal CDF and density), also in double.
 */
public final class Gelu {

    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;
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

    /** Out of place, {@code out = gelu(inp)} (the training forward keeps its input for the backward). */
    public static void gelu(float[] out, int outOff, float[] inp, int inpOff, int n) {
        Parallel.forRange(n, GRAIN, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                out[outOff + i] = gelu(inp[inpOff + i]);
            }
        });
    }

    /** {@code dInp += dOut * gelu'(inp)}. */
    public static void geluBackward(float[] dInp, int dInpOff, float[] dOut, int dOutOff, float[] inp, int inpOff,
                                    int n) {
        Parallel.forRange(n, GRAIN, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                dInp[dInpOff + i] += (float) (dOut[dOutOff + i] * derivative(inp[inpOff + i]));
            }
        });
    }

    public static float gelu(float v) {
        double d = v;
        return (float) (0.5 * d * (1.0 + Erf.erf(d * INV_SQRT2)));
    }

    /** {@code d gelu / dx = Phi(x) + x * phi(x)}. */
    public static double derivative(float v) {
        double d = v;
        return 0.5 * (1.0 + Erf.erf(d * INV_SQRT2)) + d * INV_SQRT_2PI * Math.exp(-0.5 * d * d);
    }
}
