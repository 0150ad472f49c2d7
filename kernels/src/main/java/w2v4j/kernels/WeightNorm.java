package w2v4j.kernels;

/**
 * Weight normalisation over all dimensions but the last (PyTorch's {@code weight_norm(dim=2)} on a
 * Conv1d weight {@code [cOut, cInPerGroup, kernel]}, as wav2vec 2.0's positional convolution uses):
 * viewed as {@code v[rows, kernel]}, {@code w[r, k] = g[k] v[r, k] / ||v[:, k]||}. Norms and dot
 * products are summed in double over r in increasing order, so every backend that follows that
 * order (OpenCL with fp64 does) gives the same bits.
 */
public final class WeightNorm {

    private WeightNorm() {
    }

    /** {@code w[r, k] = (float) (v[r, k] * (g[k] / ||v[:, k]||))}. */
    public static void forward(float[] w, float[] g, float[] v, int rows, int kernel) {
        double[] norm2 = new double[kernel];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < kernel; k++) {
                double x = v[r * kernel + k];
                norm2[k] += x * x;
            }
        }
        double[] s = new double[kernel];
        for (int k = 0; k < kernel; k++) s[k] = g[k] / Math.sqrt(norm2[k]);
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < kernel; k++) w[r * kernel + k] = (float) (v[r * kernel + k] * s[k]);
        }
    }

    /**
     * Gradients from {@code dW[rows, kernel]}: with {@code s_k = <dW_k, v_k>}, {@code dg_k += s_k / ||v_k||} and
     * {@code dv_k += (g_k / ||v_k||) (dW_k - s_k v_k / ||v_k||^2)} (accumulated, as every backward).
     */
    public static void backward(float[] dg, float[] dv, float[] dW, float[] g, float[] v, int rows, int kernel) {
        double[] norm2 = new double[kernel], dot = new double[kernel];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < kernel; k++) {
                double x = v[r * kernel + k];
                norm2[k] += x * x;
                dot[k] += dW[r * kernel + k] * x;
            }
        }
        for (int k = 0; k < kernel; k++) dg[k] += (float) (dot[k] / Math.sqrt(norm2[k]));
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < kernel; k++) {
                int i = r * kernel + k;
                double nk = Math.sqrt(norm2[k]);
                dv[i] += (float) (g[k] / nk * (dW[i] - dot[k] * v[i] / norm2[k]));
            }
        }
    }
}
