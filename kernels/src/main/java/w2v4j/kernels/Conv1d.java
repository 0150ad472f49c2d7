package w2v4j.kernels;

/**
 * Time-major 1-D convolution as GEMM, see {@link Backend#conv1d}. Input {@code [tIn, cIn]}, packed
 * weight {@code [cOut, kernel, cIn/groups]} ({@link ConvWeights#pack}), output {@code [tOut, cOut]}.
 *
 * <p>Output frame t reads input frames {@code t*stride .. t*stride+kernel-1}; time-major, that
 * window is {@code kernel*cIn} contiguous floats starting at {@code t*stride*cIn}. So without
 * padding or groups the convolution is one GEMM with A = the input itself, row stride
 * {@code lda = stride*cIn} (smaller than the row length {@code kernel*cIn}: rows overlap) and no
 * im2col copy. With padding or groups, each group's channels are first copied into a zero-padded
 * scratch {@code [tIn + 2*padding, cIn/groups]} (reused per thread) and the same trick runs per
 * group, writing the group's output columns in place ({@code ldc = cOut}).
 */
public final class Conv1d {

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private Conv1d() {
    }

    public static int outputLength(int tIn, int kernel, int stride, int padding) {
        return (tIn + 2 * padding - kernel) / stride + 1;
    }

    public static void conv1d(float[] out, float[] inp, float[] packedWeight, float[] bias,
                              int tIn, int cIn, int cOut, int kernel, int stride, int padding, int groups) {
        if (cIn % groups != 0 || cOut % groups != 0) {
            throw new IllegalArgumentException("channels " + cIn + "->" + cOut + " not divisible by groups " + groups);
        }
        if (tIn + 2 * padding < kernel) {
            throw new IllegalArgumentException("input of " + tIn + " frames is shorter than the kernel " + kernel);
        }
        int tOut = outputLength(tIn, kernel, stride, padding);
        float beta = 0f;
        if (bias != null) {
            Linear.fillRows(out, 0, bias, tOut, cOut);
            beta = 1f;
        }
        if (groups == 1 && padding == 0) {
            int kw = kernel * cIn;
            Sgemm.sgemm(false, true, tOut, cOut, kw, 1f, inp, 0, stride * cIn, packedWeight, 0, kw,
                    beta, out, 0, cOut);
            return;
        }
        float b = beta;
        if (groups >= Parallel.threads()) {
            // Enough groups to keep every thread busy: one group per task, serial GEMMs.
            Parallel.forRange(groups, (g0, g1) -> {
                for (int g = g0; g < g1; g++) {
                    group(out, inp, packedWeight, b, tIn, cIn, cOut, kernel, stride, padding, groups, g, tOut, false);
                }
            });
        } else {
            for (int g = 0; g < groups; g++) {
                group(out, inp, packedWeight, b, tIn, cIn, cOut, kernel, stride, padding, groups, g, tOut, true);
            }
        }
    }

    /** One group through the zero-padded scratch copy of its input channels. */
    static void group(float[] out, float[] inp, float[] w, float beta, int tIn, int cIn, int cOut, int kernel,
                      int stride, int padding, int groups, int g, int tOut, boolean parallel) {
        int cg = cIn / groups, og = cOut / groups, kw = kernel * cg;
        int rows = tIn + 2 * padding;
        float[][] holder = SCRATCH.get();
        if (holder[0].length < rows * cg) {
            holder[0] = new float[rows * cg];
        }
        float[] pad = holder[0];
        java.util.Arrays.fill(pad, 0, padding * cg, 0f);
        for (int t = 0; t < tIn; t++) {
            System.arraycopy(inp, t * cIn + g * cg, pad, (padding + t) * cg, cg);
        }
        java.util.Arrays.fill(pad, (padding + tIn) * cg, rows * cg, 0f);
        if (parallel) {
            Sgemm.sgemm(false, true, tOut, og, kw, 1f, pad, 0, stride * cg, w, g * og * kw, kw,
                    beta, out, g * og, cOut);
        } else {
            Sgemm.sgemmSerial(false, true, tOut, og, kw, 1f, pad, 0, stride * cg, w, g * og * kw, kw,
                    beta, out, g * og, cOut);
        }
    }
}
