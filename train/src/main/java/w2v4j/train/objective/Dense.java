package w2v4j.train.objective;

import w2v4j.kernels.Parallel;

/**
 * The objective's three linear layers ({@code project_hid}, {@code project_q},
 * {@code quantizer.weight_proj}) as PyTorch {@code nn.Linear}: {@code y = x·Wᵀ + b}, W row-major
 * {@code [out, in]}. Activations are double (double intermediates keep the loss exact enough to
 * check by finite differences); weights and their gradients are the float parameter arrays.
 *
 * <p>Every output is summed in one fixed order (the bias, then the terms in increasing index), so
 * the results do not depend on the thread count. The loops are arranged so that the innermost one
 * runs over contiguous memory without a reduction, which C2 vectorises without reordering a sum:
 * the forward accumulates whole output rows against a transposed copy of W.
 */
public final class Dense {

    /** Rows (or output features) per parallel chunk: below ~64 k multiply-adds a chunk is not worth a hand-off. */
    private static int grain(int work) {
        return Math.max(1, (1 << 16) / Math.max(1, work));
    }

    private Dense() {}

    /** {@code y[n, out] = x[n, in] · w[out, in]ᵀ + b[out]}. */
    public static double[] forward(double[] x, int n, int in, float[] w, float[] b, int out) {
        double[] y = new double[n * out];
        float[] wt = new float[in * out]; // wt[i, o] = w[o, i]
        for (int o = 0; o < out; o++) for (int i = 0; i < in; i++) wt[i * out + o] = w[o * in + i];
        Parallel.forRange(n, grain(in * out), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int yo = r * out, xo = r * in;
                for (int o = 0; o < out; o++) y[yo + o] = b[o];
                for (int i = 0; i < in; i++) {
                    double xi = x[xo + i];
                    int wo = i * out;
                    for (int o = 0; o < out; o++) y[yo + o] += xi * wt[wo + o];
                }
            }
        });
        return y;
    }

    /**
     * Backward of {@link #forward}: {@code dx = dy·w} (written, if dx is not null),
     * {@code dw += dyᵀ·x}, {@code db += Σ_rows dy} (accumulated, so micro-batches add up).
     */
    public static void backward(double[] dy, double[] x, int n, int in, float[] w, int out,
                                double[] dx, float[] dw, float[] db) {
        if (dx != null) {
            Parallel.forRange(n, grain(in * out), (r0, r1) -> {
                java.util.Arrays.fill(dx, r0 * in, r1 * in, 0.0);
                for (int r = r0; r < r1; r++) {
                    for (int o = 0; o < out; o++) {
                        double g = dy[r * out + o];
                        if (g == 0.0) continue;
                        int wo = o * in, xo = r * in;
                        for (int i = 0; i < in; i++) dx[xo + i] += g * w[wo + i];
                    }
                }
            });
        }
        // Per output feature o, sum over all rows in order in double, then add once to the float gradient.
        Parallel.forRange(out, grain(n * in), (o0, o1) -> {
            double[] gw = new double[in];
            for (int o = o0; o < o1; o++) {
                java.util.Arrays.fill(gw, 0.0);
                double gb = 0;
                int wo = o * in;
                for (int r = 0; r < n; r++) {
                    double g = dy[r * out + o];
                    if (g == 0.0) continue;
                    gb += g;
                    int xo = r * in;
                    for (int i = 0; i < in; i++) gw[i] += g * x[xo + i];
                }
                for (int i = 0; i < in; i++) dw[wo + i] += (float) gw[i];
                db[o] += (float) gb;
            }
        });
    }
}
