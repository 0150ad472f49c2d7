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
 *
 * <p>Backward, same trick in reverse. {@code dW[cOut, kernel*cIn] += dOut^T . windows} is one GEMM
 * with transA whose B is the overlapping input windows (row stride {@code stride*cIn}).
 * {@code dInp} is a col2im: {@code dWin = dOut . W} ({@code [tOut, kernel*cIn]}, the gradient of
 * every window) scatter-added back onto the overlapping windows. The scatter is written as a
 * gather per input frame (each frame sums the window slices that cover it), so threads own
 * disjoint frames of dInp. dWin goes through a reused per-thread scratch in chunks of output frames
 * ({@link #CHUNK_FLOATS}), so memory stays bounded for long inputs (the second extractor layer
 * would otherwise need a 49 MB dWin for 10 s of audio). Padding and groups use the padded
 * per-group copy as in the forward; only valid (unpadded) frames receive gradient.
 */
public final class Conv1d {

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);
    /** Backward scratch per thread: [0] a chunk of dWin, [1] the padded copy of one group's input. */
    private static final ThreadLocal<float[][]> BACKWARD_SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);
    /** Floats of dWin per chunk of output frames (4 MiB). */
    static final int CHUNK_FLOATS = 1 << 20;
    /** Input frames per task of the gather (each frame adds kernel/stride rows of cIn floats). */
    private static final int GATHER_GRAIN = 32;

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

    /**
     * Group {@code g}'s channels of {@code inp[tIn, cIn]} copied into {@code holder[slot]} (grown as
     * needed, reused) as {@code [tIn + 2*padding, cg]} with zero rows at both ends; returns it.
     */
    static float[] paddedGroup(float[][] holder, int slot, float[] inp, int tIn, int cIn, int cg, int g, int padding) {
        int rows = tIn + 2 * padding;
        if (holder[slot].length < rows * cg) {
            holder[slot] = new float[rows * cg];
        }
        float[] pad = holder[slot];
        java.util.Arrays.fill(pad, 0, padding * cg, 0f);
        for (int t = 0; t < tIn; t++) {
            System.arraycopy(inp, t * cIn + g * cg, pad, (padding + t) * cg, cg);
        }
        java.util.Arrays.fill(pad, (padding + tIn) * cg, rows * cg, 0f);
        return pad;
    }

    /** One group through the zero-padded scratch copy of its input channels. */
    static void group(float[] out, float[] inp, float[] w, float beta, int tIn, int cIn, int cOut, int kernel,
                      int stride, int padding, int groups, int g, int tOut, boolean parallel) {
        int cg = cIn / groups, og = cOut / groups, kw = kernel * cg;
        float[] pad = paddedGroup(SCRATCH.get(), 0, inp, tIn, cIn, cg, g, padding);
        if (parallel) {
            Sgemm.sgemm(false, true, tOut, og, kw, 1f, pad, 0, stride * cg, w, g * og * kw, kw,
                    beta, out, g * og, cOut);
        } else {
            Sgemm.sgemmSerial(false, true, tOut, og, kw, 1f, pad, 0, stride * cg, w, g * og * kw, kw,
                    beta, out, g * og, cOut);
        }
    }

    /**
     * Accumulates the gradients of {@link #conv1d}: {@code dInp [tIn, cIn]},
     * {@code dPackedWeight [cOut, kernel, cIn/groups]}, {@code dBias [cOut]}; each may be null.
     */
    public static void conv1dBackward(float[] dInp, float[] dPackedWeight, float[] dBias, float[] dOut, float[] inp,
                                      float[] packedWeight, int tIn, int cIn, int cOut, int kernel, int stride,
                                      int padding, int groups) {
        conv1dBackward(dInp, dPackedWeight, dBias, dOut, inp, packedWeight, tIn, cIn, cOut, kernel, stride, padding,
                groups, CHUNK_FLOATS);
    }

    /** {@link #conv1dBackward} with a given dWin chunk size (tests force several chunks with a small one). */
    static void conv1dBackward(float[] dInp, float[] dW, float[] dBias, float[] dOut, float[] inp, float[] w,
                               int tIn, int cIn, int cOut, int kernel, int stride, int padding, int groups,
                               int chunkFloats) {
        if (cIn % groups != 0 || cOut % groups != 0) {
            throw new IllegalArgumentException("channels " + cIn + "->" + cOut + " not divisible by groups " + groups);
        }
        if (tIn + 2 * padding < kernel) {
            throw new IllegalArgumentException("input of " + tIn + " frames is shorter than the kernel " + kernel);
        }
        int tOut = outputLength(tIn, kernel, stride, padding);
        if (dBias != null) {
            Linear.addColumnSums(dBias, dOut, 0, tOut, cOut, cOut);
        }
        if (dW == null && dInp == null) {
            return;
        }
        if (groups == 1 && padding == 0) {
            int kw = kernel * cIn;
            if (dW != null) {
                Sgemm.sgemm(true, false, cOut, kw, tOut, 1f, dOut, 0, cOut, inp, 0, stride * cIn, 1f, dW, 0, kw);
            }
            if (dInp != null) {
                inputGrad(dInp, cIn, 0, tIn, dOut, 0, cOut, w, 0, kernel, cIn, cOut, stride, 0, tOut, chunkFloats,
                        true);
            }
            return;
        }
        if (groups >= Parallel.threads()) {
            Parallel.forRange(groups, (g0, g1) -> {
                for (int g = g0; g < g1; g++) {
                    groupBackward(dInp, dW, dOut, inp, w, tIn, cIn, cOut, kernel, stride, padding, groups, g, tOut,
                            chunkFloats, false);
                }
            });
        } else {
            for (int g = 0; g < groups; g++) {
                groupBackward(dInp, dW, dOut, inp, w, tIn, cIn, cOut, kernel, stride, padding, groups, g, tOut,
                        chunkFloats, true);
            }
        }
    }

    /** One group: dW through the zero-padded copy of its input channels, then its input gradient. */
    static void groupBackward(float[] dInp, float[] dW, float[] dOut, float[] inp, float[] w, int tIn, int cIn,
                              int cOut, int kernel, int stride, int padding, int groups, int g, int tOut,
                              int chunkFloats, boolean parallel) {
        int cg = cIn / groups, og = cOut / groups, kw = kernel * cg;
        if (dW != null) {
            float[] pad = paddedGroup(BACKWARD_SCRATCH.get(), 1, inp, tIn, cIn, cg, g, padding);
            if (parallel) {
                Sgemm.sgemm(true, false, og, kw, tOut, 1f, dOut, g * og, cOut, pad, 0, stride * cg,
                        1f, dW, g * og * kw, kw);
            } else {
                Sgemm.sgemmSerial(true, false, og, kw, tOut, 1f, dOut, g * og, cOut, pad, 0, stride * cg,
                        1f, dW, g * og * kw, kw);
            }
        }
        if (dInp != null) {
            inputGrad(dInp, cIn, g * cg, tIn, dOut, g * og, cOut, w, g * og * kw, kernel, cg, og, stride, padding,
                    tOut, chunkFloats, parallel);
        }
    }

    /**
     * {@code dInp[:, col0 : col0+cg] +=} col2im of {@code dOut[:, dOutCol : dOutCol+og] . W_g}, in
     * chunks of output frames: per chunk one GEMM into the dWin scratch, then the gather over the
     * input frames that chunk's windows cover (consecutive chunks share up to kernel-stride frames,
     * which is why chunks run one after the other).
     */
    static void inputGrad(float[] dInp, int cIn, int col0, int tIn, float[] dOut, int dOutCol, int cOut, float[] w,
                          int wOff, int kernel, int cg, int og, int stride, int padding, int tOut, int chunkFloats,
                          boolean parallel) {
        int kw = kernel * cg;
        int chunk = Math.max(1, Math.min(tOut, chunkFloats / kw));
        float[][] holder = BACKWARD_SCRATCH.get();
        if (holder[0].length < chunk * kw) {
            holder[0] = new float[chunk * kw];
        }
        float[] dWin = holder[0];
        for (int t0 = 0; t0 < tOut; t0 += chunk) {
            int t1 = Math.min(tOut, t0 + chunk);
            int ti0 = Math.max(0, t0 * stride - padding);
            int ti1 = Math.min(tIn, (t1 - 1) * stride + kernel - padding);
            if (parallel) {
                Sgemm.sgemm(false, false, t1 - t0, kw, og, 1f, dOut, t0 * cOut + dOutCol, cOut, w, wOff, kw,
                        0f, dWin, 0, kw);
                int c0 = t0, c1 = t1;
                Parallel.forRange(ti1 - ti0, GATHER_GRAIN, (a, b) -> gather(dInp, cIn, col0, dWin, kernel, cg,
                        stride, padding, c0, c1, ti0 + a, ti0 + b));
            } else {
                Sgemm.sgemmSerial(false, false, t1 - t0, kw, og, 1f, dOut, t0 * cOut + dOutCol, cOut, w, wOff, kw,
                        0f, dWin, 0, kw);
                gather(dInp, cIn, col0, dWin, kernel, cg, stride, padding, t0, t1, ti0, ti1);
            }
        }
    }

    /**
     * For input frames {@code [ti0, ti1)}: adds the slices of dWin (output frames {@code [t0, t1)},
     * row {@code t - t0}) whose window covers the frame. Padded frame {@code pf = ti + padding} is
     * tap {@code j = pf - t*stride} of output frame t when {@code 0 <= j < kernel}.
     */
    static void gather(float[] dInp, int cIn, int col0, float[] dWin, int kernel, int cg, int stride, int padding,
                       int t0, int t1, int ti0, int ti1) {
        int kw = kernel * cg;
        for (int ti = ti0; ti < ti1; ti++) {
            int pf = ti + padding;
            int tLo = Math.max(t0, Math.ceilDiv(pf - kernel + 1, stride));
            int tHi = Math.min(t1 - 1, Math.floorDiv(pf, stride));
            int dst = ti * cIn + col0;
            for (int t = tLo; t <= tHi; t++) {
                Add.addRange(dInp, dst, dWin, (t - t0) * kw + (pf - t * stride) * cg, cg);
            }
        }
    }
}
