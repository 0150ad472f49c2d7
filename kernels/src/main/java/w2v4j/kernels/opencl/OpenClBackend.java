package w2v4j.kernels.opencl;

import org.jocl.cl_mem;

import w2v4j.kernels.Backend;
import w2v4j.kernels.Conv1d;
import w2v4j.kernels.Dropout;
import w2v4j.kernels.TransferStats;

/**
 * The {@code opencl} backend: every {@link Backend} operation as OpenCL C kernels (resources
 * {@code w2v4j/kernels/opencl/*.cl}) run through JOCL on one device. Same shapes, semantics and
 * accumulation conventions as the Java backend, which is its oracle (differential tests in
 * {@code kernels/src/test/.../opencl}).
 *
 * <p><b>Residency.</b> Arrays declared {@link #constant} (the model's weights and packed conv
 * weights) live on the device until {@link #invalidate}. Arrays {@link #bind bound} as working
 * memory (the training step's activations and their gradients) live there too and are written in
 * place; the host sees them after {@link #syncToHost}. Every other array is staged per call
 * ({@link Call}): the ranges a call reads go up, the ranges it writes come back before it returns,
 * so the host may read or change it between calls, as the objective does with its inputs. Work
 * inside one call (GEMM chains of a convolution, the attention backward's passes, reductions)
 * stays on the device. {@link #transferStats} counts every copy.
 *
 * <p><b>Kernels.</b> GEMM is tiled in local memory and register-blocked (64 x 64 tiles, 4 x 4 per
 * work-item) with transposes, leading dimensions and offsets;
 * convolutions are GEMMs over overlapping input windows (lda = stride * cIn) with a padded per-group
 * copy when padding or groups ask for it, and a col2im gather for the input gradient; attention
 * runs one work-item per query (or key) row and never stores a t x t matrix.
 *
 * <p>Calls are serialised ({@code synchronized}): a backend instance owns one command queue.
 */
public final class OpenClBackend implements Backend {

    public static final String NAME = "opencl";

    /** Work-group size of the reductions; must match RED in common.cl. */
    private static final int RED = 64;
    /** GEMM work-group side and the C tile each group owns; must match TS and BM = BN in gemm.cl. */
    private static final int TS = 16, GEMM_TILE = 64;
    /** Work-group size of elementwise kernels. */
    private static final int LOCAL = 64;
    /** Largest head dimension; must match MAX_HD in attention.cl. */
    static final int MAX_HEAD_DIM = 128;
    /** Floats of window gradient per chunk of the convolution's input gradient (16 MB). */
    static final int CHUNK_FLOATS = 1 << 22;
    /** Elements per work-group of the sum of squares. */
    private static final int SQ_CHUNK = 1 << 14;

    private final ClProgram cl;
    private final DeviceMemory memory;

    public OpenClBackend(OpenClDevices.Device device) {
        if (device.maxWorkGroupSize() < TS * TS) {
            throw new IllegalStateException("device " + device.name() + " allows work-groups of " + device.maxWorkGroupSize()
                    + ", the GEMM kernel needs " + TS * TS);
        }
        this.cl = new ClProgram(device);
        this.memory = new DeviceMemory(cl);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "OpenCL on " + cl.device.describe() + ", platform " + cl.device.platformVersion();
    }

    /** The device this backend runs on. */
    public OpenClDevices.Device device() {
        return cl.device;
    }

    @Override
    public synchronized TransferStats transferStats() {
        return memory.stats();
    }

    /** Number of arrays currently resident on the device ({@link #constant}). */
    public synchronized int residentArrays() {
        return memory.residentCount();
    }

    @Override
    public synchronized void constant(float[] array) {
        memory.constant(array);
    }

    @Override
    public synchronized void invalidate(float[] array) {
        memory.invalidate(array);
    }

    @Override
    public synchronized void finish() {
        cl.finish();
    }

    @Override
    public synchronized void bind(float[] array) {
        memory.bind(array);
    }

    @Override
    public synchronized void syncToHost(float[] array) {
        memory.syncToHost(array);
    }

    @Override
    public synchronized void hostWrote(float[] array) {
        memory.hostWrote(array);
    }

    @Override
    public synchronized void unbind(float[] array) {
        memory.unbind(array);
    }

    /** Number of arrays currently bound as working memory ({@link #bind}). */
    public synchronized int boundArrays() {
        return memory.boundCount();
    }

    private boolean closed;

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        cl.finish();
        memory.close();
        cl.close();
    }

    /** End (exclusive) of the elements of a row-major matrix of {@code rows} rows of {@code len}, stride {@code ld}. */
    private static long span(long off, int rows, int ld, int len) {
        return rows == 0 || len == 0 ? off : off + (long) (rows - 1) * ld + len;
    }

    // ---- GEMM and linear layers

    @Override
    public synchronized void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                   float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        try (Call call = memory.call()) {
            Call.Arg ca = call.in(a, aOff, transA ? span(aOff, k, lda, m) : span(aOff, m, lda, k));
            Call.Arg cb = call.in(b, bOff, transB ? span(bOff, n, ldb, k) : span(bOff, k, ldb, n));
            long cEnd = span(cOff, m, ldc, n);
            Call.Arg cc = beta != 0f || ldc != n ? call.inout(c, cOff, cEnd) : call.out(c, cOff, cEnd);
            call.stage();
            gemm(transA, transB, m, n, k, alpha, ca.mem(), ca.off(aOff), lda, cb.mem(), cb.off(bOff), ldb,
                    beta, cc.mem(), cc.off(cOff), ldc);
        }
    }

    /** Enqueues the tiled GEMM on device buffers (offsets in elements of those buffers). */
    private void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, cl_mem a, int aOff, int lda,
                      cl_mem b, int bOff, int ldb, float beta, cl_mem c, int cOff, int ldc) {
        cl.run2d("sgemm", (long) (n + GEMM_TILE - 1) / GEMM_TILE * TS, (long) (m + GEMM_TILE - 1) / GEMM_TILE * TS, TS, TS,
                transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public synchronized void linear(float[] out, int outOff, float[] inp, int inpOff, float[] weight, float[] bias,
                                    int rows, int inDim, int outDim) {
        if (rows == 0 || outDim == 0) return;
        try (Call call = memory.call()) {
            Call.Arg o = call.out(out, outOff, outOff + (long) rows * outDim);
            Call.Arg x = call.in(inp, inpOff, inpOff + (long) rows * inDim);
            Call.Arg w = call.in(weight, 0, (long) outDim * inDim);
            Call.Arg bi = bias == null ? null : call.in(bias, 0, outDim);
            call.stage();
            // bias rows first, then the GEMM accumulates onto them (beta = 1), as the Java backend
            if (bi != null) cl.run("fill_rows", (long) rows * outDim, LOCAL, o.mem(), o.off(outOff), outDim, bi.mem(), rows, outDim);
            gemm(false, true, rows, outDim, inDim, 1f, x.mem(), x.off(inpOff), inDim, w.mem(), 0, inDim,
                    bi != null ? 1f : 0f, o.mem(), o.off(outOff), outDim);
        }
    }

    @Override
    public synchronized void linearBackward(float[] dInp, int dInpOff, float[] dWeight, float[] dBias, float[] dOut,
                                            int dOutOff, float[] inp, int inpOff, float[] weight, int rows, int inDim,
                                            int outDim) {
        if (rows == 0) return;
        try (Call call = memory.call()) {
            Call.Arg g = call.in(dOut, dOutOff, dOutOff + (long) rows * outDim);
            Call.Arg di = dInp == null ? null : call.inout(dInp, dInpOff, dInpOff + (long) rows * inDim);
            Call.Arg w = dInp == null ? null : call.in(weight, 0, (long) outDim * inDim);
            Call.Arg dw = dWeight == null ? null : call.inout(dWeight, 0, (long) outDim * inDim);
            Call.Arg x = dWeight == null ? null : call.in(inp, inpOff, inpOff + (long) rows * inDim);
            Call.Arg db = dBias == null ? null : call.inout(dBias, 0, outDim);
            call.stage();
            if (di != null) {
                gemm(false, false, rows, inDim, outDim, 1f, g.mem(), g.off(dOutOff), outDim, w.mem(), 0, inDim,
                        1f, di.mem(), di.off(dInpOff), inDim);
            }
            if (dw != null) {
                gemm(true, false, outDim, inDim, rows, 1f, g.mem(), g.off(dOutOff), outDim, x.mem(), x.off(inpOff), inDim,
                        1f, dw.mem(), 0, inDim);
            }
            if (db != null) cl.run("col_sums", outDim, LOCAL, db.mem(), g.mem(), g.off(dOutOff), rows, outDim, outDim);
        }
    }

    // ---- convolution

    private static void checkConv(int tIn, int cIn, int cOut, int kernel, int padding, int groups) {
        if (cIn % groups != 0 || cOut % groups != 0) {
            throw new IllegalArgumentException("channels " + cIn + "->" + cOut + " not divisible by groups " + groups);
        }
        if (tIn + 2 * padding < kernel) {
            throw new IllegalArgumentException("input of " + tIn + " frames is shorter than the kernel " + kernel);
        }
    }

    @Override
    public synchronized void conv1d(float[] out, float[] inp, float[] packedWeight, float[] bias, int tIn, int cIn,
                                    int cOut, int kernel, int stride, int padding, int groups) {
        checkConv(tIn, cIn, cOut, kernel, padding, groups);
        int tOut = Conv1d.outputLength(tIn, kernel, stride, padding);
        int cg = cIn / groups, og = cOut / groups, kw = kernel * cg;
        try (Call call = memory.call()) {
            Call.Arg o = call.out(out, 0, (long) tOut * cOut);
            Call.Arg x = call.in(inp, 0, (long) tIn * cIn);
            Call.Arg w = call.in(packedWeight, 0, (long) cOut * kw);
            Call.Arg bi = bias == null ? null : call.in(bias, 0, cOut);
            call.stage();
            float beta = 0f;
            if (bi != null) {
                cl.run("fill_rows", (long) tOut * cOut, LOCAL, o.mem(), o.off(0), cOut, bi.mem(), tOut, cOut);
                beta = 1f;
            }
            if (groups == 1 && padding == 0) {
                // the input itself is the window matrix: row t starts at t*stride*cIn, rows overlap
                gemm(false, true, tOut, cOut, kw, 1f, x.mem(), x.off(0), stride * cIn, w.mem(), w.off(0), kw,
                        beta, o.mem(), o.off(0), cOut);
                return;
            }
            int rows = tIn + 2 * padding;
            cl_mem pad = call.scratch((long) rows * cg);
            for (int g = 0; g < groups; g++) {
                cl.run("pad_group", (long) rows * cg, LOCAL, pad, x.mem(), tIn, cIn, cg, g, padding);
                gemm(false, true, tOut, og, kw, 1f, pad, 0, stride * cg, w.mem(), w.off((long) g * og * kw), kw,
                        beta, o.mem(), o.off(g * og), cOut);
            }
        }
    }

    @Override
    public synchronized void conv1dBackward(float[] dInp, float[] dPackedWeight, float[] dBias, float[] dOut,
                                            float[] inp, float[] packedWeight, int tIn, int cIn, int cOut, int kernel,
                                            int stride, int padding, int groups) {
        checkConv(tIn, cIn, cOut, kernel, padding, groups);
        int tOut = Conv1d.outputLength(tIn, kernel, stride, padding);
        int cg = cIn / groups, og = cOut / groups, kw = kernel * cg;
        try (Call call = memory.call()) {
            Call.Arg g = call.in(dOut, 0, (long) tOut * cOut);
            Call.Arg db = dBias == null ? null : call.inout(dBias, 0, cOut);
            Call.Arg dw = dPackedWeight == null ? null : call.inout(dPackedWeight, 0, (long) cOut * kw);
            Call.Arg x = dPackedWeight == null ? null : call.in(inp, 0, (long) tIn * cIn);
            Call.Arg di = dInp == null ? null : call.inout(dInp, 0, (long) tIn * cIn);
            Call.Arg w = dInp == null ? null : call.in(packedWeight, 0, (long) cOut * kw);
            call.stage();
            if (db != null) cl.run("col_sums", cOut, LOCAL, db.mem(), g.mem(), g.off(0), tOut, cOut, cOut);
            boolean direct = groups == 1 && padding == 0;
            int rows = tIn + 2 * padding;
            cl_mem pad = dw != null && !direct ? call.scratch((long) rows * cg) : null;
            cl_mem dWin = di == null ? null : call.scratch((long) Math.max(1, Math.min(tOut, CHUNK_FLOATS / kw)) * kw);
            for (int gr = 0; gr < groups; gr++) {
                if (dw != null) {
                    // dW_g[og, kw] += dOut_g^T . windows (windows overlap: row stride stride*cg)
                    cl_mem win = direct ? x.mem() : pad;
                    int winOff = direct ? x.off(0) : 0;
                    if (!direct) cl.run("pad_group", (long) rows * cg, LOCAL, pad, x.mem(), tIn, cIn, cg, gr, padding);
                    gemm(true, false, og, kw, tOut, 1f, g.mem(), g.off(gr * og), cOut, win, winOff, stride * cg,
                            1f, dw.mem(), dw.off((long) gr * og * kw), kw);
                }
                if (di != null) {
                    inputGrad(di, gr * cg, cIn, tIn, g, gr * og, cOut, w, (long) gr * og * kw, kernel, cg, og, stride,
                            padding, tOut, dWin);
                }
            }
        }
    }

    /**
     * dInp[:, col0 : col0+cg] += col2im(dOut_g . W_g), in chunks of output frames: per chunk one GEMM
     * into the window-gradient scratch, then a gather over the input frames the chunk covers.
     */
    private void inputGrad(Call.Arg di, int col0, int cIn, int tIn, Call.Arg g, int dOutCol, int cOut, Call.Arg w,
                           long wOff, int kernel, int cg, int og, int stride, int padding, int tOut, cl_mem dWin) {
        int kw = kernel * cg;
        int chunk = Math.max(1, Math.min(tOut, CHUNK_FLOATS / kw));
        for (int t0 = 0; t0 < tOut; t0 += chunk) {
            int t1 = Math.min(tOut, t0 + chunk);
            int ti0 = Math.max(0, t0 * stride - padding);
            int ti1 = Math.min(tIn, (t1 - 1) * stride + kernel - padding);
            gemm(false, false, t1 - t0, kw, og, 1f, g.mem(), g.off((long) t0 * cOut + dOutCol), cOut, w.mem(), w.off(wOff),
                    kw, 0f, dWin, 0, kw);
            cl.run("conv_gather", (long) Math.max(0, ti1 - ti0) * cg, LOCAL, di.mem(), cIn, di.off(col0), dWin, kernel, cg,
                    stride, padding, t0, t1, ti0, ti1);
        }
    }

    // ---- normalisation

    @Override
    public void layerNorm(float[] out, int outOff, float[] inp, int inpOff, float[] gamma, float[] beta, int rows,
                          int dim, float eps) {
        layerNorm(out, outOff, inp, inpOff, gamma, beta, rows, dim, eps, null, null);
    }

    @Override
    public synchronized void layerNorm(float[] out, int outOff, float[] inp, int inpOff, float[] gamma, float[] beta,
                                       int rows, int dim, float eps, float[] mean, float[] rstd) {
        if (rows == 0) return;
        try (Call call = memory.call()) {
            Call.Arg x = call.in(inp, inpOff, inpOff + (long) rows * dim);
            Call.Arg o = call.out(out, outOff, outOff + (long) rows * dim);
            Call.Arg ga = call.in(gamma, 0, dim);
            Call.Arg be = call.in(beta, 0, dim);
            Call.Arg mu = mean == null ? null : call.out(mean, 0, rows);
            Call.Arg rs = rstd == null ? null : call.out(rstd, 0, rows);
            call.stage();
            cl_mem dummy = mu == null ? call.scratch(1) : null;
            cl.run("layer_norm", (long) rows * RED, RED, o.mem(), o.off(outOff), x.mem(), x.off(inpOff), ga.mem(), be.mem(),
                    dim, eps, mu != null, mu == null ? dummy : mu.mem(), rs == null ? dummy : rs.mem());
        }
    }

    @Override
    public synchronized void layerNormBackward(float[] dInp, int dInpOff, float[] dGamma, float[] dBeta, float[] dOut,
                                               int dOutOff, float[] inp, int inpOff, float[] gamma, float[] mean,
                                               float[] rstd, int rows, int dim) {
        if (rows == 0) return;
        try (Call call = memory.call()) {
            Call.Arg g = call.in(dOut, dOutOff, dOutOff + (long) rows * dim);
            Call.Arg x = call.in(inp, inpOff, inpOff + (long) rows * dim);
            Call.Arg ga = call.in(gamma, 0, dim);
            Call.Arg mu = call.in(mean, 0, rows);
            Call.Arg rs = call.in(rstd, 0, rows);
            Call.Arg di = dInp == null ? null : call.inout(dInp, dInpOff, dInpOff + (long) rows * dim);
            Call.Arg dg = dGamma == null ? null : call.inout(dGamma, 0, dim);
            Call.Arg db = dBeta == null ? null : call.inout(dBeta, 0, dim);
            call.stage();
            if (di != null) {
                cl.run("layer_norm_backward_input", (long) rows * RED, RED, di.mem(), di.off(dInpOff), g.mem(), g.off(dOutOff),
                        x.mem(), x.off(inpOff), ga.mem(), mu.mem(), rs.mem(), dim);
            }
            if (dg != null || db != null) {
                cl_mem dummy = dg == null || db == null ? call.scratch(1) : null;
                cl.run("layer_norm_backward_params", dim, LOCAL, dg == null ? dummy : dg.mem(), dg != null,
                        db == null ? dummy : db.mem(), db != null, g.mem(), g.off(dOutOff), x.mem(), x.off(inpOff), mu.mem(),
                        rs.mem(), rows, dim);
            }
        }
    }

    @Override
    public void groupNorm(float[] x, float[] gamma, float[] beta, int t, int tValid, int channels, int groups,
                          float eps) {
        groupNorm(x, x, gamma, beta, t, tValid, channels, groups, eps, null, null);
    }

    @Override
    public synchronized void groupNorm(float[] out, float[] inp, float[] gamma, float[] beta, int t, int tValid,
                                       int channels, int groups, float eps, float[] mean, float[] rstd) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels not divisible by " + groups + " groups");
        }
        int valid = Math.max(0, Math.min(tValid, t));
        if (t == 0) return;
        try (Call call = memory.call()) {
            Call.Arg x = call.in(inp, 0, (long) t * channels);
            Call.Arg o = call.out(out, 0, (long) t * channels);
            Call.Arg ga = call.in(gamma, 0, channels);
            Call.Arg be = call.in(beta, 0, channels);
            Call.Arg mu = mean == null ? null : call.out(mean, 0, groups);
            Call.Arg rs = rstd == null ? null : call.out(rstd, 0, groups);
            call.stage();
            cl_mem dummy = mu == null ? call.scratch(1) : null;
            cl.run("group_norm", (long) groups * RED, RED, o.mem(), x.mem(), ga.mem(), be.mem(), t, valid, channels,
                    channels / groups, eps, mu != null, mu == null ? dummy : mu.mem(), rs == null ? dummy : rs.mem());
        }
    }

    @Override
    public synchronized void groupNormBackward(float[] dInp, float[] dGamma, float[] dBeta, float[] dOut, float[] inp,
                                               float[] gamma, float[] mean, float[] rstd, int t, int tValid,
                                               int channels, int groups) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels not divisible by " + groups + " groups");
        }
        int valid = Math.max(0, Math.min(tValid, t)), cpg = channels / groups;
        if (valid == 0) return;
        long n = (long) valid * channels;
        try (Call call = memory.call()) {
            Call.Arg g = call.in(dOut, 0, n);
            Call.Arg x = call.in(inp, 0, n);
            Call.Arg ga = call.in(gamma, 0, channels);
            Call.Arg mu = call.in(mean, 0, groups);
            Call.Arg rs = call.in(rstd, 0, groups);
            Call.Arg di = dInp == null ? null : call.inout(dInp, 0, n);
            Call.Arg dg = dGamma == null ? null : call.inout(dGamma, 0, channels);
            Call.Arg db = dBeta == null ? null : call.inout(dBeta, 0, channels);
            call.stage();
            cl_mem chan = call.scratch(2L * channels);
            cl_mem dummy = call.scratch(1);
            cl.run("group_norm_backward_channels", channels, LOCAL, chan, dg == null ? dummy : dg.mem(), dg != null,
                    db == null ? dummy : db.mem(), db != null, g.mem(), x.mem(), mu.mem(), rs.mem(), valid, channels, cpg);
            if (di == null) return;
            cl_mem grp = call.scratch(2L * groups);
            cl.run("group_norm_backward_groups", groups, LOCAL, grp, chan, ga.mem(), valid, channels, cpg, groups);
            cl.run("group_norm_backward_input", n, LOCAL, di.mem(), g.mem(), x.mem(), ga.mem(), mu.mem(), rs.mem(), grp,
                    valid, channels, cpg, groups);
        }
    }

    // ---- elementwise

    @Override
    public void gelu(float[] x, int off, int n) {
        gelu(x, off, x, off, n);
    }

    @Override
    public synchronized void gelu(float[] out, int outOff, float[] inp, int inpOff, int n) {
        if (n <= 0) return;
        try (Call call = memory.call()) {
            Call.Arg x = call.in(inp, inpOff, inpOff + (long) n);
            Call.Arg o = call.out(out, outOff, outOff + (long) n);
            call.stage();
            cl.run("gelu", n, LOCAL, o.mem(), o.off(outOff), x.mem(), x.off(inpOff), n);
        }
    }

    @Override
    public synchronized void geluBackward(float[] dInp, int dInpOff, float[] dOut, int dOutOff, float[] inp,
                                          int inpOff, int n) {
        if (n <= 0) return;
        try (Call call = memory.call()) {
            Call.Arg g = call.in(dOut, dOutOff, dOutOff + (long) n);
            Call.Arg x = call.in(inp, inpOff, inpOff + (long) n);
            Call.Arg di = call.inout(dInp, dInpOff, dInpOff + (long) n);
            call.stage();
            cl.run("gelu_backward", n, LOCAL, di.mem(), di.off(dInpOff), g.mem(), g.off(dOutOff), x.mem(), x.off(inpOff), n);
        }
    }

    @Override
    public synchronized void add(float[] x, int xOff, float[] y, int yOff, int n) {
        if (n <= 0) return;
        try (Call call = memory.call()) {
            Call.Arg cy = call.in(y, yOff, yOff + (long) n);
            Call.Arg cx = call.inout(x, xOff, xOff + (long) n);
            call.stage();
            cl.run("add", n, LOCAL, cx.mem(), cx.off(xOff), cy.mem(), cy.off(yOff), n);
        }
    }

    @Override
    public synchronized void scale(float[] x, int off, int n, float s) {
        if (n <= 0) return;
        try (Call call = memory.call()) {
            Call.Arg cx = call.inout(x, off, off + (long) n);
            call.stage();
            cl.run("scale", n, LOCAL, cx.mem(), cx.off(off), n, s);
        }
    }

    @Override
    public synchronized void dropout(float[] x, int off, int n, float p, long seed) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("dropout probability " + p + " is not in [0, 1]");
        }
        if (p == 0f || n <= 0) return;
        long threshold = Math.round(p * (double) (1 << 24));
        float scale = p == 1f ? 0f : 1f / (1f - p);
        try (Call call = memory.call()) {
            Call.Arg cx = call.inout(x, off, off + (long) n);
            call.stage();
            cl.run("dropout", n, LOCAL, cx.mem(), cx.off(off), n, Dropout.mix(seed), threshold, scale);
        }
    }

    @Override
    public synchronized double sumSquares(float[] x, int off, int n) {
        return sumSquares(new float[][]{x}, new int[]{off}, new int[]{Math.max(0, n)})[0];
    }

    @Override
    public synchronized double[] sumSquares(float[][] xs) {
        int[] offs = new int[xs.length], lens = new int[xs.length];
        for (int a = 0; a < xs.length; a++) lens[a] = xs[a].length;
        return sumSquares(xs, offs, lens);
    }

    /**
     * Sums of squares of {@code xs[a][offs[a], offs[a] + lens[a])}: partial sums of SQ_CHUNK elements
     * (acc_t) for all ranges go to one device buffer, come back in one copy and are added in order.
     */
    private double[] sumSquares(float[][] xs, int[] offs, int[] lens) {
        double[] out = new double[xs.length];
        int[] first = new int[xs.length + 1];
        for (int a = 0; a < xs.length; a++) first[a + 1] = first[a] + (lens[a] + SQ_CHUNK - 1) / SQ_CHUNK;
        int total = first[xs.length];
        if (total == 0) return out;
        try (Call call = memory.call()) {
            Call.Arg[] cx = new Call.Arg[xs.length];
            for (int a = 0; a < xs.length; a++) cx[a] = call.in(xs[a], offs[a], (long) offs[a] + lens[a]);
            call.stage();
            cl_mem partial = call.scratch(2L * total);
            for (int a = 0; a < xs.length; a++) {
                cl.run("sum_squares", (long) (first[a + 1] - first[a]) * RED, RED, partial, first[a], cx[a].mem(),
                        cx[a].off(offs[a]), lens[a], SQ_CHUNK);
            }
            double[] p = new double[total];
            if (cl.device.fp64()) {
                memory.download(partial, p);
            } else {
                float[] pf = new float[total];
                memory.download(partial, 0, pf, 0, total);
                for (int i = 0; i < total; i++) p[i] = pf[i];
            }
            for (int a = 0; a < xs.length; a++) for (int i = first[a]; i < first[a + 1]; i++) out[a] += p[i];
            return out;
        }
    }

    @Override
    public synchronized boolean allFinite(float[] x, int off, int n) {
        if (n <= 0) return true;
        int groups = (n + SQ_CHUNK - 1) / SQ_CHUNK;
        try (Call call = memory.call()) {
            Call.Arg cx = call.in(x, off, off + (long) n);
            call.stage();
            cl_mem partial = call.scratch(groups);
            cl.run("non_finite", (long) groups * RED, RED, partial, cx.mem(), cx.off(off), n, SQ_CHUNK);
            float[] p = new float[groups];
            memory.download(partial, 0, p, 0, groups);
            for (float v : p) if (v != 0f) return false;
            return true;
        }
    }

    @Override
    public synchronized void adamStep(float[] w, float[] g, float[] m, float[] v, int n, float beta1, float oneMinusBeta1,
                                      float beta2, float oneMinusBeta2, float eps, float decay, float stepSize) {
        if (n <= 0) return;
        try (Call call = memory.call()) {
            Call.Arg cg = call.in(g, 0, n);
            Call.Arg cw = call.inout(w, 0, n), cm = call.inout(m, 0, n), cv = call.inout(v, 0, n);
            call.stage();
            cl.run("adam_step", n, LOCAL, cw.mem(), cg.mem(), cm.mem(), cv.mem(), n, beta1, oneMinusBeta1, beta2,
                    oneMinusBeta2, eps, decay, stepSize);
        }
    }

    // ---- attention

    private static int[] clampedLengths(int[] validLength, int batch, int t) {
        int[] len = new int[batch];
        for (int b = 0; b < batch; b++) len[b] = validLength == null ? t : Math.max(0, Math.min(t, validLength[b]));
        return len;
    }

    private static void checkHeadDim(int headDim) {
        if (headDim > MAX_HEAD_DIM) {
            throw new IllegalArgumentException("head dimension " + headDim + " > " + MAX_HEAD_DIM + " (MAX_HD in attention.cl)");
        }
    }

    @Override
    public void attention(float[] out, float[] q, float[] k, float[] v, int batch, int t, int heads, int headDim,
                          int[] validLength) {
        attention(out, q, k, v, batch, t, heads, headDim, validLength, null);
    }

    @Override
    public synchronized void attention(float[] out, float[] q, float[] k, float[] v, int batch, int t, int heads,
                                       int headDim, int[] validLength, float[] lse) {
        checkHeadDim(headDim);
        long n = (long) batch * t * heads * headDim, rows = (long) batch * heads * t;
        if (n == 0) return;
        try (Call call = memory.call()) {
            Call.Arg cq = call.in(q, 0, n), ck = call.in(k, 0, n), cv = call.in(v, 0, n);
            Call.Arg o = call.out(out, 0, n);
            Call.Arg cl2 = lse == null ? null : call.out(lse, 0, rows);
            call.stage();
            cl_mem len = call.ints(clampedLengths(validLength, batch, t));
            cl_mem dummy = cl2 == null ? call.scratch(1) : null;
            float scale = (float) (1.0 / Math.sqrt(headDim));
            cl.run("attention_forward", rows, LOCAL, o.mem(), cq.mem(), ck.mem(), cv.mem(), len, batch, t, heads, headDim,
                    scale, cl2 != null, cl2 == null ? dummy : cl2.mem());
        }
    }

    @Override
    public synchronized void attentionBackward(float[] dQ, float[] dK, float[] dV, float[] dOut, float[] q, float[] k,
                                               float[] v, float[] out, float[] lse, int batch, int t, int heads,
                                               int headDim, int[] validLength) {
        checkHeadDim(headDim);
        long n = (long) batch * t * heads * headDim, rows = (long) batch * heads * t;
        if (n == 0 || (dQ == null && dK == null && dV == null)) return;
        try (Call call = memory.call()) {
            Call.Arg g = call.in(dOut, 0, n), cq = call.in(q, 0, n), ck = call.in(k, 0, n), cv = call.in(v, 0, n);
            Call.Arg co = call.in(out, 0, n), cl2 = call.in(lse, 0, rows);
            Call.Arg dq = dQ == null ? null : call.inout(dQ, 0, n);
            Call.Arg dk = dK == null ? null : call.inout(dK, 0, n);
            Call.Arg dv = dV == null ? null : call.inout(dV, 0, n);
            call.stage();
            cl_mem len = call.ints(clampedLengths(validLength, batch, t));
            cl_mem rowDot = call.scratch(rows);
            cl_mem dummy = call.scratch(1);
            float scale = (float) (1.0 / Math.sqrt(headDim));
            if (dq != null || dk != null) {
                cl.run("attention_row_dot", rows, LOCAL, rowDot, g.mem(), co.mem(), batch, t, heads, headDim);
            }
            if (dq != null) {
                cl.run("attention_backward_q", rows, LOCAL, dq.mem(), g.mem(), cq.mem(), ck.mem(), cv.mem(), cl2.mem(), rowDot,
                        len, batch, t, heads, headDim, scale);
            }
            if (dk != null || dv != null) {
                cl.run("attention_backward_kv", rows, LOCAL, dk == null ? dummy : dk.mem(), dk != null,
                        dv == null ? dummy : dv.mem(), dv != null, g.mem(), cq.mem(), ck.mem(), cv.mem(), cl2.mem(), rowDot, len,
                        batch, t, heads, headDim, scale);
            }
        }
    }

    // ---- derived weights

    private static void checkConvWeight(float[] a, float[] b, int cOut, int cInPerGroup, int kernel) {
        long n = (long) cOut * cInPerGroup * kernel;
        if (a.length < n || b.length < n) {
            throw new IllegalArgumentException("conv weight of " + cOut + "*" + cInPerGroup + "*" + kernel + " values, arrays of "
                    + a.length + " and " + b.length);
        }
    }

    @Override
    public synchronized void packConvWeight(float[] packed, float[] weight, int cOut, int cInPerGroup, int kernel) {
        checkConvWeight(packed, weight, cOut, cInPerGroup, kernel);
        long n = (long) cOut * cInPerGroup * kernel;
        if (n == 0) return;
        try (Call call = memory.call()) {
            Call.Arg w = call.in(weight, 0, n), p = call.out(packed, 0, n);
            call.stage();
            cl.run("pack_conv_weight", n, LOCAL, p.mem(), w.mem(), cInPerGroup, kernel, (int) n);
        }
    }

    @Override
    public synchronized void addUnpackedConvWeight(float[] weightGrad, float[] packedGrad, int cOut, int cInPerGroup,
                                                   int kernel) {
        checkConvWeight(weightGrad, packedGrad, cOut, cInPerGroup, kernel);
        long n = (long) cOut * cInPerGroup * kernel;
        if (n == 0) return;
        try (Call call = memory.call()) {
            Call.Arg p = call.in(packedGrad, 0, n), g = call.inout(weightGrad, 0, n);
            call.stage();
            cl.run("add_unpacked_conv_weight", n, LOCAL, g.mem(), p.mem(), cInPerGroup, kernel, (int) n);
        }
    }

    @Override
    public synchronized void weightNorm(float[] w, float[] g, float[] v, int rows, int kernel) {
        long n = (long) rows * kernel;
        if (n == 0) return;
        try (Call call = memory.call()) {
            Call.Arg cg = call.in(g, 0, kernel), cv = call.in(v, 0, n), cw = call.out(w, 0, n);
            call.stage();
            cl_mem scale = call.scratch(2L * kernel); // acc_t per tap
            cl.run("weight_norm_scale", kernel, LOCAL, scale, cg.mem(), cv.mem(), rows, kernel);
            cl.run("weight_norm_apply", n, LOCAL, cw.mem(), cv.mem(), scale, rows, kernel);
        }
    }

    @Override
    public synchronized void weightNormBackward(float[] dg, float[] dv, float[] dW, float[] g, float[] v, int rows,
                                                int kernel) {
        long n = (long) rows * kernel;
        if (n == 0) return;
        try (Call call = memory.call()) {
            Call.Arg cdW = call.in(dW, 0, n), cg = call.in(g, 0, kernel), cv = call.in(v, 0, n);
            Call.Arg cdg = call.inout(dg, 0, kernel), cdv = call.inout(dv, 0, n);
            call.stage();
            cl_mem stats = call.scratch(4L * kernel); // norm2 and dot per tap, acc_t
            cl.run("weight_norm_backward_taps", kernel, LOCAL, stats, cdg.mem(), cdW.mem(), cv.mem(), rows, kernel);
            cl.run("weight_norm_backward_v", n, LOCAL, cdv.mem(), cdW.mem(), cg.mem(), cv.mem(), stats, rows, kernel);
        }
    }

    // ---- data movement and masking

    @Override
    public synchronized void copy(float[] dst, int dstOff, float[] src, int srcOff, int n) {
        if (n <= 0) return;
        try (Call call = memory.call()) {
            Call.Arg cs = call.in(src, srcOff, srcOff + (long) n);
            Call.Arg cd = call.out(dst, dstOff, dstOff + (long) n);
            call.stage();
            cl.run("copy", n, LOCAL, cd.mem(), cd.off(dstOff), cs.mem(), cs.off(srcOff), n);
        }
    }

    @Override
    public synchronized void fill(float[] x, int off, int n, float value) {
        if (n <= 0) return;
        try (Call call = memory.call()) {
            Call.Arg cx = call.out(x, off, off + (long) n);
            call.stage();
            cl.run("fill", n, LOCAL, cx.mem(), cx.off(off), n, value);
        }
    }

    private static long rowsEnd(int[] rows, int dim, int length) {
        long end = 0;
        for (int r : rows) {
            if (r < 0 || (long) (r + 1) * dim > length) {
                throw new ArrayIndexOutOfBoundsException("row " + r + " of " + dim + " floats is outside an array of " + length);
            }
            end = Math.max(end, (long) (r + 1) * dim);
        }
        return end;
    }

    @Override
    public synchronized void setRows(float[] x, int dim, int[] rows, float[] vec) {
        if (rows.length == 0 || dim == 0) return;
        long end = rowsEnd(rows, dim, x.length);
        try (Call call = memory.call()) {
            // inout: only the listed rows are written, the rest of the range must come back unchanged
            Call.Arg cx = call.inout(x, 0, end);
            Call.Arg cv = call.in(vec, 0, dim);
            call.stage();
            cl_mem idx = call.ints(rows);
            cl.run("set_rows", (long) rows.length * dim, LOCAL, cx.mem(), dim, idx, rows.length, cv.mem());
        }
    }

    @Override
    public synchronized void setRowsBackward(float[] dX, int dim, int[] rows, float[] dVec) {
        if (rows.length == 0 || dim == 0) return;
        long end = rowsEnd(rows, dim, dX.length);
        try (Call call = memory.call()) {
            Call.Arg cx = call.inout(dX, 0, end);
            Call.Arg cv = call.inout(dVec, 0, dim);
            call.stage();
            cl_mem idx = call.ints(rows);
            cl.run("set_rows_backward", dim, LOCAL, cx.mem(), dim, idx, rows.length, cv.mem());
        }
    }

    @Override
    public synchronized void gatherRows(float[] out, float[] src, int dim, int[] rows) {
        if (rows.length == 0 || dim == 0) return;
        long end = rowsEnd(rows, dim, src.length);
        try (Call call = memory.call()) {
            Call.Arg cs = call.in(src, 0, end);
            Call.Arg co = call.out(out, 0, (long) rows.length * dim);
            call.stage();
            cl_mem idx = call.ints(rows);
            cl.run("gather_rows", (long) rows.length * dim, LOCAL, co.mem(), cs.mem(), dim, idx, rows.length);
        }
    }

    @Override
    public synchronized void scatterAddRows(float[] dst, float[] src, int dim, int[] rows) {
        if (rows.length == 0 || dim == 0) return;
        long end = rowsEnd(rows, dim, dst.length);
        try (Call call = memory.call()) {
            Call.Arg cs = call.in(src, 0, (long) rows.length * dim);
            Call.Arg cd = call.inout(dst, 0, end);
            call.stage();
            cl_mem idx = call.ints(rows);
            cl.run("scatter_add_rows", (long) rows.length * dim, LOCAL, cd.mem(), cs.mem(), dim, idx, rows.length);
        }
    }

    @Override
    public synchronized void zeroChannels(float[] x, int batch, int t, int dim, int[] channels) {
        if (channels.length == 0 || t == 0) return;
        for (int bc : channels) {
            if (bc < 0 || bc >= batch * dim) {
                throw new IndexOutOfBoundsException("channel entry " + bc + " is beyond batch " + batch + " x dim " + dim);
            }
        }
        try (Call call = memory.call()) {
            Call.Arg cx = call.inout(x, 0, (long) batch * t * dim);
            call.stage();
            cl_mem idx = call.ints(channels);
            cl.run("zero_channels", (long) channels.length * t, LOCAL, cx.mem(), t, dim, idx, channels.length);
        }
    }
}
