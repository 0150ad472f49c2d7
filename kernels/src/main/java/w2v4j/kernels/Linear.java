package w2v4j.kernels;

/** PyTorch's {@code nn.Linear}: {@code out[rows, outDim] = inp[rows, inDim] . W[outDim, inDim]^T + bias}. */
public final class Linear {

    private Linear() {
    }

    public static void linear(float[] out, int outOff, float[] inp, int inpOff, float[] weight, float[] bias,
                              int rows, int inDim, int outDim) {
        // The bias is written into C first and the GEMM accumulates onto it (beta = 1): one pass
        // over the output instead of a GEMM pass plus a bias pass.
        float beta = 0f;
        if (bias != null) {
            fillRows(out, outOff, bias, rows, outDim);
            beta = 1f;
        }
        Sgemm.sgemm(false, true, rows, outDim, inDim, 1f, inp, inpOff, inDim, weight, 0, inDim,
                beta, out, outOff, outDim);
    }

    /** Sets every row of {@code x[rows, dim]} (row stride {@code ld}) to {@code row}. */
    static void fillRows(float[] x, int off, float[] row, int rows, int dim, int ld) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(row, 0, x, off + r * ld, dim);
        }
    }

    static void fillRows(float[] x, int off, float[] row, int rows, int dim) {
        fillRows(x, off, row, rows, dim, dim);
    }

    /** Scalar reference (double accumulation), for tests. */
    public static void reference(float[] out, int outOff, float[] inp, int inpOff, float[] weight, float[] bias,
                                 int rows, int inDim, int outDim) {
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < outDim; o++) {
                double s = bias == null ? 0.0 : bias[o];
                for (int i = 0; i < inDim; i++) {
                    s += (double) inp[inpOff + r * inDim + i] * weight[o * inDim + i];
                }
                out[outOff + r * outDim + o] = (float) s;
            }
        }
    }
}
