package w2v4j.train.objective;

/**
 * The objective's three linear layers ({@code project_hid}, {@code project_q},
 * {@code quantizer.weight_proj}) as PyTorch {@code nn.Linear}: {@code y = x·Wᵀ + b}, W row-major
 * {@code [out, in]}. Activations are double (the objective is tiny next to the encoder, and double
 * intermediates keep the loss exact enough to check by finite differences); weights and their
 * gradients are the float parameter arrays.
 */
public final class Dense {

    private Dense() {}

    /** {@code y[n, out] = x[n, in] · w[out, in]ᵀ + b[out]}. */
    public static double[] forward(double[] x, int n, int in, float[] w, float[] b, int out) {
        double[] y = new double[n * out];
        for (int r = 0; r < n; r++) {
            int xo = r * in;
            for (int o = 0; o < out; o++) {
                int wo = o * in;
                double s = b[o];
                for (int i = 0; i < in; i++) s += x[xo + i] * w[wo + i];
                y[r * out + o] = s;
            }
        }
        return y;
    }

    /**
     * Backward of {@link #forward}: {@code dx = dy·w} (written, if dx is not null),
     * {@code dw += dyᵀ·x}, {@code db += Σ_rows dy} (accumulated, so micro-batches add up).
     */
    public static void backward(double[] dy, double[] x, int n, int in, float[] w, int out,
                                double[] dx, float[] dw, float[] db) {
        if (dx != null) {
            java.util.Arrays.fill(dx, 0, n * in, 0.0);
            for (int r = 0; r < n; r++) {
                for (int o = 0; o < out; o++) {
                    double g = dy[r * out + o];
                    if (g == 0.0) continue;
                    int wo = o * in, xo = r * in;
                    for (int i = 0; i < in; i++) dx[xo + i] += g * w[wo + i];
                }
            }
        }
        // Sum in double over all rows, then add once to the float gradient.
        double[] gw = new double[out * in];
        double[] gb = new double[out];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < out; o++) {
                double g = dy[r * out + o];
                if (g == 0.0) continue;
                gb[o] += g;
                int wo = o * in, xo = r * in;
                for (int i = 0; i < in; i++) gw[wo + i] += g * x[xo + i];
            }
        }
        for (int j = 0; j < gw.length; j++) dw[j] += (float) gw[j];
        for (int o = 0; o < out; o++) db[o] += (float) gb[o];
    }
}
