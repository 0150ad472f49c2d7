package w2v4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * PyTorch's {@code nn.Linear}: {@code out[rows, outDim] = inp[rows, inDim] . W[outDim, inDim]^T + bias}.
 * Backward: {@code dInp += dOut . W}, {@code dW += dOut^T . inp} (two GEMMs accumulating with
 * beta = 1), {@code dBias += column sums of dOut}.
 */
public final class Linear {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Columns per task of {@link #addColumnSums}: whole vectors, so threads share no cache line. */
    private static final int COL_BLOCK = 64;
    private static final int ROW_BLOCK = 256;

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

    /**
     * Accumulates the gradients of {@link #linear}: {@code dOut [rows, outDim]}, {@code inp [rows, inDim]},
     * {@code weight [outDim, inDim]}; any of {@code dInp, dWeight, dBias} may be null.
     */
    public static void linearBackward(float[] dInp, int dInpOff, float[] dWeight, float[] dBias, float[] dOut,
                                      int dOutOff, float[] inp, int inpOff, float[] weight, int rows, int inDim,
                                      int outDim) {
        if (dInp != null) {
            Sgemm.sgemm(false, false, rows, inDim, outDim, 1f, dOut, dOutOff, outDim, weight, 0, inDim,
                    1f, dInp, dInpOff, inDim);
        }
        if (dWeight != null) {
            Sgemm.sgemm(true, false, outDim, inDim, rows, 1f, dOut, dOutOff, outDim, inp, inpOff, inDim,
                    1f, dWeight, 0, inDim);
        }
        if (dBias != null) {
            addColumnSums(dBias, dOut, dOutOff, rows, outDim, outDim);
        }
    }

    /**
     * {@code sums[j] += sum_r x[off + r*ld + j]} for {@code j < cols}. Threads split the columns and
     * each walks all rows in order, so the result does not depend on the thread count. Rows are
     * summed in blocks of {@link #ROW_BLOCK} in registers before touching {@code sums}, so a float
     * sum over 32000 frames (the first conv layer's bias) errs by ~(256 + rows/256) ulps, not rows.
     */
    static void addColumnSums(float[] sums, float[] x, int off, int rows, int cols, int ld) {
        int blocks = (cols + COL_BLOCK - 1) / COL_BLOCK;
        Parallel.forRange(blocks, Math.max(1, 16384 / Math.max(1, rows * COL_BLOCK)), (b0, b1) -> {
            int c0 = b0 * COL_BLOCK, c1 = Math.min(cols, b1 * COL_BLOCK);
            for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
                int r1 = Math.min(rows, r0 + ROW_BLOCK);
                int c = c0;
                for (; c + S.length() <= c1; c += S.length()) {
                    FloatVector acc = FloatVector.zero(S);
                    for (int r = r0; r < r1; r++) {
                        acc = acc.add(FloatVector.fromArray(S, x, off + r * ld + c));
                    }
                    acc.add(FloatVector.fromArray(S, sums, c)).intoArray(sums, c);
                }
                for (; c < c1; c++) {
                    float acc = 0f;
                    for (int r = r0; r < r1; r++) {
                        acc += x[off + r * ld + c];
                    }
                    sums[c] += acc;
                }
            }
        });
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
