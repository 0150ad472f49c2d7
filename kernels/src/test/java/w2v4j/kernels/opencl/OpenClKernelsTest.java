package w2v4j.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static w2v4j.kernels.opencl.OpenClTesting.assertClose;
import static w2v4j.kernels.opencl.OpenClTesting.random;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import w2v4j.kernels.Backend;
import w2v4j.kernels.Conv1d;
import w2v4j.kernels.ConvWeights;
import w2v4j.kernels.JavaBackend;
import w2v4j.kernels.TransferStats;

/**
 * Differential tests of every OpenCL kernel, forward and backward, against the Java backend (the
 * oracle) on the same inputs. Backward tests start from non-zero gradient buffers, so they also
 * check the accumulate (+=) convention.
 *
 * <p>Tolerances, as max|Δ| / max|ref| per output: both sides are float32 but sum in different
 * orders (16-wide tiles here, 16-lane vectors and 6x32 micro-tiles in Java), so GEMM-like results
 * (sgemm, linear, conv, attention) differ by a few ulps of the largest partial sums: 1e-5 leaves
 * ~10x margin over what is observed and is still 1000x below what a wrong index or a missed term
 * produces. Norms divide by a std computed in a different order: also 1e-5. GELU is evaluated in
 * double on both sides and rounded once: 1e-6 (a few ulps). add, scale and dropout must be
 * bit-exact (same single float operation per element; dropout uses the same counter hash).
 */
class OpenClKernelsTest {
    static final double GEMM_TOL = 1e-5, NORM_TOL = 1e-5, GELU_TOL = 1e-6;

    static OpenClBackend cl;
    static final Backend JAVA = new JavaBackend();

    @BeforeAll
    static void open() {
        cl = OpenClTesting.backend();
    }

    @AfterAll
    static void close() {
        if (cl != null) cl.close();
        OpenClTesting.WORST.forEach((op, rel) -> System.out.printf("opencl vs java %-10s worst max|Δ|/max|ref| %.2e%n", op, rel));
    }

    // ---- GEMM

    @Test
    void sgemmAllTransposesStridesOffsetsAndBeta() {
        SplittableRandom r = new SplittableRandom(1);
        int m = 37, n = 29, k = 45;
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                for (float beta : new float[]{0f, 0.5f}) {
                    int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 5;
                    int aOff = 7, bOff = 3, cOff = 11;
                    float[] a = random(r, aOff + (ta ? k : m) * lda), b = random(r, bOff + (tb ? n : k) * ldb);
                    float[] c0 = random(r, cOff + m * ldc + 4);
                    if (beta == 0f) for (int i = 0; i < c0.length; i += 7) c0[i] = Float.NaN; // C must not be read
                    float[] cj = c0.clone(), cc = c0.clone();
                    JAVA.sgemm(ta, tb, m, n, k, 1.25f, a, aOff, lda, b, bOff, ldb, beta, cj, cOff, ldc);
                    cl.sgemm(ta, tb, m, n, k, 1.25f, a, aOff, lda, b, bOff, ldb, beta, cc, cOff, ldc);
                    // compare only C's m x n window; everything else must be untouched (bitwise)
                    float[] wj = window(cj, cOff, m, n, ldc), wc = window(cc, cOff, m, n, ldc);
                    assertClose("sgemm ta=" + ta + " tb=" + tb + " beta=" + beta, wj, wc, GEMM_TOL);
                    assertArrayEquals(outside(c0, cOff, m, n, ldc), outside(cc, cOff, m, n, ldc),
                            "sgemm wrote outside C's window");
                }
            }
        }
    }

    @Test
    void sgemmOverlappingRowsLikeConvolutionWindows() {
        // A rows of length k = 12 start every lda = 4 floats: the strided-conv window matrix
        SplittableRandom r = new SplittableRandom(2);
        int m = 50, n = 9, k = 12, lda = 4;
        float[] a = random(r, (m - 1) * lda + k), b = random(r, n * k);
        float[] cj = new float[m * n], cc = new float[m * n];
        JAVA.sgemm(false, true, m, n, k, 1f, a, 0, lda, b, 0, k, 0f, cj, 0, n);
        cl.sgemm(false, true, m, n, k, 1f, a, 0, lda, b, 0, k, 0f, cc, 0, n);
        assertClose("sgemm overlapping lda", cj, cc, GEMM_TOL);
    }

    static float[] window(float[] c, int off, int m, int n, int ld) {
        float[] w = new float[m * n];
        for (int i = 0; i < m; i++) System.arraycopy(c, off + i * ld, w, i * n, n);
        return w;
    }

    static float[] outside(float[] c, int off, int m, int n, int ld) {
        float[] o = c.clone();
        for (int i = 0; i < m; i++) Arrays.fill(o, off + i * ld, off + i * ld + n, 0f);
        return o;
    }

    @Test
    void linearForwardAndBackward() {
        SplittableRandom r = new SplittableRandom(3);
        int rows = 23, in = 40, out = 33, outOff = 5, inpOff = 3;
        float[] x = random(r, inpOff + rows * in), w = random(r, out * in), bias = random(r, out);
        for (float[] bi : new float[][]{bias, null}) {
            float[] sentinel = random(r, outOff + rows * out + 6);
            float[] oj = sentinel.clone(), oc = sentinel.clone();
            JAVA.linear(oj, outOff, x, inpOff, w, bi, rows, in, out);
            cl.linear(oc, outOff, x, inpOff, w, bi, rows, in, out);
            assertClose("linear bias=" + (bi != null), oj, oc, GEMM_TOL);
            assertEquals(sentinel[0], oc[0]);
            assertEquals(sentinel[sentinel.length - 1], oc[oc.length - 1]);
        }
        float[] dOut = random(r, 2 + rows * out);
        float[] dInp0 = random(r, inpOff + rows * in), dW0 = random(r, out * in), dB0 = random(r, out);
        float[] dij = dInp0.clone(), dwj = dW0.clone(), dbj = dB0.clone();
        float[] dic = dInp0.clone(), dwc = dW0.clone(), dbc = dB0.clone();
        JAVA.linearBackward(dij, inpOff, dwj, dbj, dOut, 2, x, inpOff, w, rows, in, out);
        cl.linearBackward(dic, inpOff, dwc, dbc, dOut, 2, x, inpOff, w, rows, in, out);
        assertClose("linear dInp", dij, dic, GEMM_TOL);
        assertClose("linear dWeight", dwj, dwc, GEMM_TOL);
        assertClose("linear dBias", dbj, dbc, GEMM_TOL);
        // null outputs skip their work and leave the others right
        float[] dwc2 = dW0.clone();
        cl.linearBackward(null, 0, dwc2, null, dOut, 2, x, inpOff, w, rows, in, out);
        assertClose("linear dWeight only", dwj, dwc2, GEMM_TOL);
    }

    // ---- convolution

    /** {tIn, cIn, cOut, kernel, stride, padding, groups}: the extractor's first and later layers, the positional conv. */
    static final int[][] CONV_CASES = {
            {400, 1, 8, 10, 5, 0, 1},
            {79, 8, 12, 3, 2, 0, 1},
            {31, 12, 12, 8, 1, 4, 4},   // positional conv: even kernel, padding K/2, groups
            {20, 6, 9, 3, 1, 1, 3},
    };

    @Test
    void conv1dForwardAndBackward() {
        SplittableRandom r = new SplittableRandom(4);
        for (int[] cs : CONV_CASES) {
            int tIn = cs[0], cIn = cs[1], cOut = cs[2], kernel = cs[3], stride = cs[4], padding = cs[5], groups = cs[6];
            String name = "conv " + Arrays.toString(cs);
            int tOut = Conv1d.outputLength(tIn, kernel, stride, padding), cg = cIn / groups;
            float[] x = random(r, tIn * cIn);
            float[] w = ConvWeights.pack(random(r, cOut * cg * kernel), cOut, cg, kernel);
            float[] bias = random(r, cOut);
            for (float[] bi : new float[][]{bias, null}) {
                float[] oj = new float[tOut * cOut], oc = new float[tOut * cOut];
                Arrays.fill(oc, Float.NaN); // every element must be written
                JAVA.conv1d(oj, x, w, bi, tIn, cIn, cOut, kernel, stride, padding, groups);
                cl.conv1d(oc, x, w, bi, tIn, cIn, cOut, kernel, stride, padding, groups);
                assertClose(name + " forward bias=" + (bi != null), oj, oc, GEMM_TOL);
            }
            float[] dOut = random(r, tOut * cOut);
            float[] dX0 = random(r, tIn * cIn), dW0 = random(r, w.length), dB0 = random(r, cOut);
            float[] dxj = dX0.clone(), dwj = dW0.clone(), dbj = dB0.clone();
            float[] dxc = dX0.clone(), dwc = dW0.clone(), dbc = dB0.clone();
            JAVA.conv1dBackward(dxj, dwj, dbj, dOut, x, w, tIn, cIn, cOut, kernel, stride, padding, groups);
            cl.conv1dBackward(dxc, dwc, dbc, dOut, x, w, tIn, cIn, cOut, kernel, stride, padding, groups);
            assertClose(name + " dInp", dxj, dxc, GEMM_TOL);
            assertClose(name + " dWeight", dwj, dwc, GEMM_TOL);
            assertClose(name + " dBias", dbj, dbc, GEMM_TOL);
        }
    }

    // ---- norms

    @Test
    void layerNormForwardInPlaceWithStatsAndBackward() {
        SplittableRandom r = new SplittableRandom(5);
        int rows = 19, dim = 72;
        float[] x = random(r, 4 + rows * dim), gamma = random(r, dim), beta = random(r, dim);
        for (int i = 0; i < x.length; i++) x[i] = x[i] * 3 + 0.5f; // non-zero mean
        float[] oj = new float[rows * dim], oc = new float[rows * dim];
        float[] mj = new float[rows], rj = new float[rows], mc = new float[rows], rc = new float[rows];
        JAVA.layerNorm(oj, 0, x, 4, gamma, beta, rows, dim, 1e-5f, mj, rj);
        cl.layerNorm(oc, 0, x, 4, gamma, beta, rows, dim, 1e-5f, mc, rc);
        assertClose("layerNorm out", oj, oc, NORM_TOL);
        assertClose("layerNorm mean", mj, mc, NORM_TOL);
        assertClose("layerNorm rstd", rj, rc, NORM_TOL);
        float[] xj = x.clone(), xc = x.clone();
        JAVA.layerNorm(xj, 4, xj, 4, gamma, beta, rows, dim, 1e-5f);
        cl.layerNorm(xc, 4, xc, 4, gamma, beta, rows, dim, 1e-5f);
        assertClose("layerNorm in place", xj, xc, NORM_TOL);

        float[] dOut = random(r, rows * dim);
        float[] dX0 = random(r, 4 + rows * dim), dG0 = random(r, dim), dB0 = random(r, dim);
        float[] dxj = dX0.clone(), dgj = dG0.clone(), dbj = dB0.clone(), dxc = dX0.clone(), dgc = dG0.clone(), dbc = dB0.clone();
        JAVA.layerNormBackward(dxj, 4, dgj, dbj, dOut, 0, x, 4, gamma, mj, rj, rows, dim);
        cl.layerNormBackward(dxc, 4, dgc, dbc, dOut, 0, x, 4, gamma, mj, rj, rows, dim);
        assertClose("layerNorm dInp", dxj, dxc, NORM_TOL);
        assertClose("layerNorm dGamma", dgj, dgc, NORM_TOL);
        assertClose("layerNorm dBeta", dbj, dbc, NORM_TOL);
    }

    @Test
    void groupNormPaddingAwareForwardAndBackward() {
        SplittableRandom r = new SplittableRandom(6);
        int t = 41, tValid = 33;
        for (int[] cg : new int[][]{{16, 16}, {12, 4}}) { // wav2vec2's groups == channels, and 3 channels per group
            int channels = cg[0], groups = cg[1];
            String name = "groupNorm c=" + channels + " g=" + groups;
            float[] x = random(r, t * channels), gamma = random(r, channels), beta = random(r, channels);
            for (int i = 0; i < x.length; i++) x[i] = x[i] * 2 - 0.3f;
            float[] xj = x.clone(), xc = x.clone();
            JAVA.groupNorm(xj, gamma, beta, t, tValid, channels, groups, 1e-5f);
            cl.groupNorm(xc, gamma, beta, t, tValid, channels, groups, 1e-5f);
            assertClose(name + " in place", xj, xc, NORM_TOL);
            for (int i = tValid * channels; i < t * channels; i++) assertEquals(0f, xc[i], name + ": padded frame not zero");

            float[] oj = new float[t * channels], oc = new float[t * channels];
            float[] mj = new float[groups], rj = new float[groups], mc = new float[groups], rc = new float[groups];
            JAVA.groupNorm(oj, x, gamma, beta, t, tValid, channels, groups, 1e-5f, mj, rj);
            cl.groupNorm(oc, x, gamma, beta, t, tValid, channels, groups, 1e-5f, mc, rc);
            assertClose(name + " out", oj, oc, NORM_TOL);
            assertClose(name + " mean", mj, mc, NORM_TOL);
            assertClose(name + " rstd", rj, rc, NORM_TOL);

            float[] dOut = random(r, t * channels);
            float[] dX0 = random(r, t * channels), dG0 = random(r, channels), dB0 = random(r, channels);
            float[] dxj = dX0.clone(), dgj = dG0.clone(), dbj = dB0.clone(), dxc = dX0.clone(), dgc = dG0.clone(), dbc = dB0.clone();
            JAVA.groupNormBackward(dxj, dgj, dbj, dOut, x, gamma, mj, rj, t, tValid, channels, groups);
            cl.groupNormBackward(dxc, dgc, dbc, dOut, x, gamma, mj, rj, t, tValid, channels, groups);
            assertClose(name + " dInp", dxj, dxc, NORM_TOL);
            assertClose(name + " dGamma", dgj, dgc, NORM_TOL);
            assertClose(name + " dBeta", dbj, dbc, NORM_TOL);
        }
    }

    // ---- elementwise

    @Test
    void geluForwardInPlaceOutOfPlaceAndBackward() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 3001;
        float[] x = random(r, n + 3);
        for (int i = 0; i < x.length; i++) x[i] *= 6; // erf's tails too
        float[] oj = new float[n], oc = new float[n];
        JAVA.gelu(oj, 0, x, 3, n);
        cl.gelu(oc, 0, x, 3, n);
        assertClose("gelu", oj, oc, GELU_TOL);
        float[] xj = x.clone(), xc = x.clone();
        JAVA.gelu(xj, 3, n);
        cl.gelu(xc, 3, n);
        assertClose("gelu in place", xj, xc, GELU_TOL);
        float[] dOut = random(r, n), d0 = random(r, n);
        float[] dj = d0.clone(), dc = d0.clone();
        JAVA.geluBackward(dj, 0, dOut, 0, x, 3, n);
        cl.geluBackward(dc, 0, dOut, 0, x, 3, n);
        assertClose("gelu backward", dj, dc, GELU_TOL);
    }

    @Test
    void addScaleAndSumSquares() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 1000;
        float[] x = random(r, n + 10), y = random(r, n + 4);
        float[] xj = x.clone(), xc = x.clone();
        JAVA.add(xj, 10, y, 4, n);
        cl.add(xc, 10, y, 4, n);
        assertArrayEquals(xj, xc, "add is one float addition per element: bit-exact");
        JAVA.scale(xj, 1, n, -0.37f);
        cl.scale(xc, 1, n, -0.37f);
        assertArrayEquals(xj, xc, "scale is one float product per element: bit-exact");
        // in place on the same array (x[i] += x[i + 5]): one staged argument
        float[] sj = x.clone(), sc = x.clone();
        JAVA.add(sj, 0, sj, 5, n);
        cl.add(sc, 0, sc, 5, n);
        assertArrayEquals(sj, sc, "add within one array");

        float[] big = random(r, 40_000);
        double sj2 = JAVA.sumSquares(big, 7, 39_000), sc2 = cl.sumSquares(big, 7, 39_000);
        // Java sums runs of 16 squares per float lane: ~1e-7 relative; here all in double
        assertEquals(sj2, sc2, 1e-6 * sj2, "sumSquares");
        assertEquals(0.0, cl.sumSquares(big, 0, 0));
        // several arrays in one call (one copy back): the same as one call each
        float[][] xs = {big, y, new float[0], random(r, 16_385)};
        TransferStats before = cl.transferStats();
        double[] all = cl.sumSquares(xs);
        assertEquals(1, cl.transferStats().minus(before).deviceToHostCalls(), "one copy back");
        for (int a = 0; a < xs.length; a++) {
            assertEquals(cl.sumSquares(xs[a], 0, xs[a].length), all[a], "array " + a);
            assertEquals(JAVA.sumSquares(xs[a], 0, xs[a].length), JAVA.sumSquares(xs)[a], "java, array " + a);
        }
    }

    @Test
    void dropoutMasksAreBitIdentical() {
        SplittableRandom r = new SplittableRandom(9);
        int n = 50_000;
        for (float p : new float[]{0.1f, 0.5f, 1f}) {
            float[] x = random(r, n + 13);
            float[] xj = x.clone(), xc = x.clone();
            JAVA.dropout(xj, 13, n, p, 0xDEADBEEFL + (long) (p * 10));
            cl.dropout(xc, 13, n, p, 0xDEADBEEFL + (long) (p * 10));
            assertArrayEquals(xj, xc, "dropout p=" + p + " must equal the Java mask and scaling exactly");
        }
        float[] x = random(r, 10);
        float[] xc = x.clone();
        cl.dropout(xc, 0, 10, 0f, 1);
        assertArrayEquals(x, xc, "p = 0 is a no-op");
        assertThrows(IllegalArgumentException.class, () -> cl.dropout(xc, 0, 10, 1.5f, 1));
    }

    // ---- attention

    @Test
    void attentionForwardWithLseAndBackward() {
        SplittableRandom r = new SplittableRandom(10);
        int batch = 3, t = 21, heads = 2, hd = 8, n = batch * t * heads * hd;
        int[] valid = {21, 13, 0}; // full, padded, and an item with nothing to attend to
        float[] q = random(r, n), k = random(r, n), v = random(r, n);
        for (int i = 0; i < n; i++) q[i] *= 3; // sharper softmax
        float[] oj = new float[n], oc = new float[n];
        float[] lj = new float[batch * heads * t], lc = new float[batch * heads * t];
        JAVA.attention(oj, q, k, v, batch, t, heads, hd, valid, lj);
        cl.attention(oc, q, k, v, batch, t, heads, hd, valid, lc);
        assertClose("attention out", oj, oc, GEMM_TOL);
        assertClose("attention lse", lj, lc, GEMM_TOL);
        float[] oc2 = new float[n];
        cl.attention(oc2, q, k, v, batch, t, heads, hd, valid);
        assertArrayEquals(oc, oc2, "inference and training forwards give the same output");

        float[] dOut = random(r, n), dQ0 = random(r, n), dK0 = random(r, n), dV0 = random(r, n);
        float[] dqj = dQ0.clone(), dkj = dK0.clone(), dvj = dV0.clone(), dqc = dQ0.clone(), dkc = dK0.clone(), dvc = dV0.clone();
        JAVA.attentionBackward(dqj, dkj, dvj, dOut, q, k, v, oj, lj, batch, t, heads, hd, valid);
        cl.attentionBackward(dqc, dkc, dvc, dOut, q, k, v, oj, lj, batch, t, heads, hd, valid);
        assertClose("attention dQ", dqj, dqc, GEMM_TOL);
        assertClose("attention dK", dkj, dkc, GEMM_TOL);
        assertClose("attention dV", dvj, dvc, GEMM_TOL);
        float[] dvOnly = dV0.clone();
        cl.attentionBackward(null, null, dvOnly, dOut, q, k, v, oj, lj, batch, t, heads, hd, valid);
        assertClose("attention dV alone", dvj, dvOnly, GEMM_TOL);
        assertThrows(IllegalArgumentException.class,
                () -> cl.attention(oc, q, k, v, 1, 1, 1, OpenClBackend.MAX_HEAD_DIM + 1, null));
    }

    // ---- residency and transfer accounting

    @Test
    void constantsStayOnTheDeviceUntilInvalidated() {
        SplittableRandom r = new SplittableRandom(11);
        int rows = 8, in = 16, out = 12;
        float[] x = random(r, rows * in), w = random(r, out * in), y = new float[rows * out];
        cl.constant(w);
        TransferStats before = cl.transferStats();
        cl.linear(y, 0, x, 0, w, null, rows, in, out);
        TransferStats one = cl.transferStats().minus(before);
        // only the input goes up and only the output comes back: the weight is resident
        assertEquals(1, one.hostToDeviceCalls(), one.toString());
        assertEquals(4L * rows * in, one.hostToDeviceBytes(), one.toString());
        assertEquals(1, one.deviceToHostCalls(), one.toString());
        assertEquals(4L * rows * out, one.deviceToHostBytes(), one.toString());
        float[] ref = new float[rows * out];
        JAVA.linear(ref, 0, x, 0, w, null, rows, in, out);
        assertClose("residency: linear with a resident weight", ref, y, GEMM_TOL);

        // a changed weight is seen only after invalidate: that is the contract, and what makes it resident
        w[0] += 1f;
        cl.linear(y, 0, x, 0, w, null, rows, in, out);
        assertClose("residency: stale resident weight still used", ref, y, GEMM_TOL);
        cl.invalidate(w);
        cl.linear(y, 0, x, 0, w, null, rows, in, out);
        JAVA.linear(ref, 0, x, 0, w, null, rows, in, out);
        assertClose("residency: after invalidate the host weight is used", ref, y, GEMM_TOL);
        assertThrows(IllegalStateException.class, () -> {
            cl.constant(w);
            try {
                cl.scale(w, 0, 4, 2f);
            } finally {
                cl.invalidate(w);
            }
        }, "writing a resident array is refused");
        assertTrue(cl.description().contains("OpenCL"), cl.description());
    }

    // ---- data movement and masking: bit-exact (pure copies, and the same additions in the same order)

    @Test
    void copyFillRowsAndChannelsAreBitExact() {
        SplittableRandom r = new SplittableRandom(21);
        int batch = 3, t = 7, dim = 10, rows = batch * t;
        float[] x0 = random(r, rows * dim + 5);
        float[] xj = x0.clone(), xc = x0.clone();
        JAVA.copy(xj, 3, x0, 40, 50);
        cl.copy(xc, 3, x0, 40, 50);
        JAVA.copy(xj, 120, xj, 60, 30); // same array, disjoint ranges
        cl.copy(xc, 120, xc, 60, 30);
        JAVA.fill(xj, 17, 23, -2.5f);
        cl.fill(xc, 17, 23, -2.5f);
        assertArrayEquals(xj, xc, "copy and fill");

        int[] masked = {0, 4, 5, 6, 13, 20};
        float[] emb = random(r, dim), dEmbJ = random(r, dim), dEmbC = dEmbJ.clone();
        JAVA.setRows(xj, dim, masked, emb);
        cl.setRows(xc, dim, masked, emb);
        assertArrayEquals(xj, xc, "setRows");
        JAVA.setRowsBackward(xj, dim, masked, dEmbJ);
        cl.setRowsBackward(xc, dim, masked, dEmbC);
        assertArrayEquals(xj, xc, "setRowsBackward zeroes the rows");
        assertArrayEquals(dEmbJ, dEmbC, "setRowsBackward sums the rows in order");
        for (int c = 0; c < dim; c++) assertEquals(0f, xc[4 * dim + c]);

        float[] gj = new float[masked.length * dim], gc = new float[masked.length * dim];
        JAVA.gatherRows(gj, xj, dim, masked);
        cl.gatherRows(gc, xc, dim, masked);
        assertArrayEquals(gj, gc, "gatherRows");
        for (int c = 0; c < dim; c++) assertEquals(xc[13 * dim + c], gc[4 * dim + c]);
        float[] src = random(r, masked.length * dim);
        JAVA.scatterAddRows(xj, src, dim, masked);
        cl.scatterAddRows(xc, src, dim, masked);
        assertArrayEquals(xj, xc, "scatterAddRows");

        int[] channels = {2, 9, dim + 0, 2 * dim + 5};
        JAVA.zeroChannels(xj, batch, t, dim, channels);
        cl.zeroChannels(xc, batch, t, dim, channels);
        assertArrayEquals(xj, xc, "zeroChannels");
        for (int i = 0; i < t; i++) assertEquals(0f, xc[((2 * t) + i) * dim + 5]);
        assertThrows(IndexOutOfBoundsException.class, () -> cl.zeroChannels(xc, batch, t, dim, new int[]{batch * dim}));
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> cl.setRows(xc, dim, new int[]{rows + 1}, emb));
    }

    // ---- optimizer

    @Test
    void adamStepIsBitExactAndAllFiniteFindsNanAndInf() {
        SplittableRandom r = new SplittableRandom(31);
        int n = 40_000; // over the Java kernel's grain, so its threads split it
        float[] w = random(r, n), g = random(r, n), m = random(r, n), v = random(r, n);
        for (int i = 0; i < n; i++) v[i] = Math.abs(v[i]) * 1e-3f;
        g[5] = 0f;
        g[6] = 1e-30f;
        float[][] j = {w.clone(), m.clone(), v.clone()}, c = {w.clone(), m.clone(), v.clone()};
        for (int step = 1; step <= 3; step++) {
            float stepSize = (float) (1e-3 * Math.sqrt(1 - Math.pow(0.98, step)) / (1 - Math.pow(0.9, step)));
            JAVA.adamStep(j[0], g, j[1], j[2], n, 0.9f, 0.1f, 0.98f, 0.02f, 1e-6f, -1e-5f, stepSize);
            cl.adamStep(c[0], g, c[1], c[2], n, 0.9f, 0.1f, 0.98f, 0.02f, 1e-6f, -1e-5f, stepSize);
        }
        if (cl.device().fp64()) {
            // the same float operations, sqrt and division correctly rounded on both sides
            assertArrayEquals(j[0], c[0], "weights");
            assertArrayEquals(j[1], c[1], "first moments");
            assertArrayEquals(j[2], c[2], "second moments");
        } else {
            assertClose("adam weights", j[0], c[0], 1e-6);
        }

        float[] x = random(r, 3 * 16384 + 7);
        assertTrue(cl.allFinite(x, 0, x.length) && JAVA.allFinite(x, 0, x.length));
        for (float bad : new float[]{Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] y = x.clone();
            y[2 * 16384 + 3] = bad;
            assertTrue(!cl.allFinite(y, 0, y.length) && !JAVA.allFinite(y, 0, y.length), "finds " + bad);
            assertTrue(cl.allFinite(y, 0, 2 * 16384) && JAVA.allFinite(y, 0, 2 * 16384), "only inside the range");
        }
    }

    // ---- derived weights: permutations are exact; the weight norm sums in double in Java's order

    @Test
    void convWeightPackingAndWeightNormMatchJava() {
        SplittableRandom r = new SplittableRandom(41);
        int cOut = 12, cg = 5, taps = 7, n = cOut * cg * taps;
        float[] w = random(r, n), pj = new float[n], pc = new float[n];
        JAVA.packConvWeight(pj, w, cOut, cg, taps);
        cl.packConvWeight(pc, w, cOut, cg, taps);
        assertArrayEquals(pj, pc, "packConvWeight");
        assertArrayEquals(ConvWeights.pack(w, cOut, cg, taps), pc, "the packed layout");
        float[] gj = random(r, n), gc = gj.clone();
        JAVA.addUnpackedConvWeight(gj, pj, cOut, cg, taps);
        cl.addUnpackedConvWeight(gc, pc, cOut, cg, taps);
        assertArrayEquals(gj, gc, "addUnpackedConvWeight");

        int rows = cOut * cg;
        float[] g = random(r, taps), v = random(r, n), ej = new float[n], ec = new float[n];
        JAVA.weightNorm(ej, g, v, rows, taps);
        cl.weightNorm(ec, g, v, rows, taps);
        float[] dW = random(r, n), dgJ = random(r, taps), dgC = dgJ.clone(), dvJ = random(r, n), dvC = dvJ.clone();
        JAVA.weightNormBackward(dgJ, dvJ, dW, g, v, rows, taps);
        cl.weightNormBackward(dgC, dvC, dW, g, v, rows, taps);
        if (cl.device().fp64()) {
            assertArrayEquals(ej, ec, "weightNorm");
            assertArrayEquals(dgJ, dgC, "weightNormBackward dg");
            assertArrayEquals(dvJ, dvC, "weightNormBackward dv");
        } else {
            assertClose("weightNorm", ej, ec, NORM_TOL);
            assertClose("weightNormBackward dg", dgJ, dgC, NORM_TOL);
            assertClose("weightNormBackward dv", dvJ, dvC, NORM_TOL);
        }
        // the norm of every tap of the effective weight is |g|
        for (int k = 0; k < taps; k++) {
            double s = 0;
            for (int i = 0; i < rows; i++) s += (double) ec[i * taps + k] * ec[i * taps + k];
            assertEquals(Math.abs(g[k]), Math.sqrt(s), 1e-5 * Math.abs(g[k]));
        }
    }

    // ---- bound working memory

    @Test
    void boundArraysStayOnTheDeviceUntilSynced() {
        SplittableRandom r = new SplittableRandom(12);
        int rows = 8, in = 16, out = 12;
        float[] x = random(r, rows * in), w = random(r, out * in), y = new float[rows * out], z = new float[rows * out];
        float[] ref = new float[rows * out], refZ = new float[rows * out];
        JAVA.linear(ref, 0, x, 0, w, null, rows, in, out);
        JAVA.copy(refZ, 0, ref, 0, rows * out);
        JAVA.gelu(refZ, 0, rows * out);
        cl.constant(w);
        cl.bind(x);
        cl.bind(y);
        cl.bind(z);
        TransferStats before = cl.transferStats();
        cl.linear(y, 0, x, 0, w, null, rows, in, out); // x goes up once, y stays on the device
        cl.copy(z, 0, y, 0, rows * out);
        cl.gelu(z, 0, rows * out);
        TransferStats two = cl.transferStats().minus(before);
        assertEquals(1, two.hostToDeviceCalls(), two.toString());
        assertEquals(0, two.deviceToHostCalls(), two.toString());
        assertTrue(Float.isNaN(y[0]) && Float.isNaN(z[5]), "the tests poison host copies that are stale");
        cl.syncToHost(z);
        assertClose("bound: gelu(linear) after syncToHost", refZ, z, GEMM_TOL);
        cl.syncToHost(z); // already current: no copy
        assertEquals(1, cl.transferStats().minus(before).deviceToHostCalls());

        // a host write is seen after hostWrote; writing a stale host copy is refused
        x[0] += 1f;
        cl.hostWrote(x);
        cl.linear(y, 0, x, 0, w, null, rows, in, out);
        cl.unbind(y);
        JAVA.linear(ref, 0, x, 0, w, null, rows, in, out);
        assertClose("bound: after hostWrote the new input is used", ref, y, GEMM_TOL);
        cl.gelu(z, 0, rows * out);
        assertThrows(IllegalStateException.class, () -> cl.hostWrote(z));

        // binding a resident array takes the host's contents; constant and invalidate leave bound arrays alone
        int boundBefore = cl.boundArrays();
        float[] w0 = w.clone();
        cl.bind(w);
        assertEquals(boundBefore + 1, cl.boundArrays());
        before = cl.transferStats();
        cl.invalidate(w);
        cl.constant(w);
        cl.scale(w, 0, w.length, 0.5f);
        cl.scale(w, 0, w.length, 2f);
        cl.scale(w, 0, w.length, 0.5f);
        assertEquals(1, cl.transferStats().minus(before).hostToDeviceCalls(), "w goes up once, then stays");
        cl.unbind(w);
        for (int i = 0; i < w.length; i++) assertEquals(w0[i] * 0.5f, w[i], "unbind brings the device's values back");
        cl.unbind(x);
        cl.unbind(z);
        assertEquals(boundBefore - 2, cl.boundArrays());
    }

    @Test
    void providerIsFoundByNameAndChecksTheDeviceIndex() {
        var provider = w2v4j.kernels.Backends.list().stream().filter(p -> p.name().equals("opencl")).findFirst().orElseThrow();
        assertTrue(provider.available(), provider.unavailableReason());
        assertEquals(OpenClDevices.devices().size(), provider.devices().size());
        try (Backend b = w2v4j.kernels.Backends.get("opencl", 0)) {
            assertEquals("opencl", b.name());
        }
        var e = assertThrows(w2v4j.core.W2vException.class, () -> w2v4j.kernels.Backends.get("opencl", 99));
        assertTrue(e.getMessage().contains("device 99 does not exist"), e.getMessage());
    }
}
