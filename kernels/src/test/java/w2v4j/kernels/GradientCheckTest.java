package w2v4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Every backward kernel against central differences of a double-precision forward written out
 * here, through a random linear functional; tolerance and its reasoning in {@link Fd}. Gradient
 * buffers start at {@link #PRE} (not 0) so each check also proves the backward accumulates.
 */
class GradientCheckTest {

    static final float PRE = 0.25f;

    // ---------------------------------------------------------------- LayerNorm

    static double[] layerNormD(double[] x, double[] gamma, double[] beta, int rows, int dim, double eps) {
        double[] y = new double[rows * dim];
        for (int r = 0; r < rows; r++) {
            double m = 0, v = 0;
            for (int i = 0; i < dim; i++) {
                m += x[r * dim + i];
            }
            m /= dim;
            for (int i = 0; i < dim; i++) {
                v += (x[r * dim + i] - m) * (x[r * dim + i] - m);
            }
            double inv = 1 / Math.sqrt(v / dim + eps);
            for (int i = 0; i < dim; i++) {
                y[r * dim + i] = (x[r * dim + i] - m) * inv * gamma[i] + beta[i];
            }
        }
        return y;
    }

    @Test
    void layerNorm() {
        Random rnd = new Random(11);
        for (int dim : new int[]{37, 3}) {
            int rows = 6, off = 3;
            float eps = 1e-5f;
            float[] x = Fd.uniform(rnd, off + rows * dim, -2f, 2f);
            float[] gamma = Fd.uniform(rnd, dim, 0.5f, 1.5f), beta = Fd.uniform(rnd, dim, -1f, 1f);
            float[] w = Fd.uniform(rnd, rows * dim, -1f, 1f);
            float[] out = new float[off + rows * dim], mean = new float[rows], rstd = new float[rows];
            LayerNorm.layerNorm(out, off, x, off, gamma, beta, rows, dim, eps, mean, rstd);
            float[] dOut = new float[off + rows * dim];
            System.arraycopy(w, 0, dOut, off, w.length);
            float[] dx = Fd.prefilled(off + rows * dim, PRE), dg = Fd.prefilled(dim, PRE), db = Fd.prefilled(dim, PRE);
            LayerNorm.layerNormBackward(dx, off, dg, db, dOut, off, x, off, gamma, mean, rstd, rows, dim);

            double[][] in = {java.util.Arrays.copyOfRange(Fd.toDouble(x), off, off + rows * dim), Fd.toDouble(gamma),
                    Fd.toDouble(beta)};
            Fd.Forward f = a -> layerNormD(a[0], a[1], a[2], rows, dim, eps);
            Fd.check("layerNorm dim " + dim + " dInp", dx, off, PRE, Fd.gradient(f, in, 0, w));
            Fd.check("layerNorm dim " + dim + " dGamma", dg, 0, PRE, Fd.gradient(f, in, 1, w));
            Fd.check("layerNorm dim " + dim + " dBeta", db, 0, PRE, Fd.gradient(f, in, 2, w));
        }
    }

    // ---------------------------------------------------------------- GroupNorm

    static double[] groupNormD(double[] x, double[] gamma, double[] beta, int t, int valid, int ch, int groups,
                               double eps) {
        int cpg = ch / groups;
        double[] y = new double[t * ch];
        for (int g = 0; g < groups; g++) {
            double m = 0, v = 0, n = (double) valid * cpg;
            for (int f = 0; f < valid; f++) {
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    m += x[f * ch + c];
                }
            }
            m /= n;
            for (int f = 0; f < valid; f++) {
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    v += (x[f * ch + c] - m) * (x[f * ch + c] - m);
                }
            }
            double inv = 1 / Math.sqrt(v / n + eps);
            for (int f = 0; f < valid; f++) {
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    y[f * ch + c] = (x[f * ch + c] - m) * inv * gamma[c] + beta[c];
                }
            }
        }
        return y;
    }

    @Test
    void groupNormWithPaddedFrames() {
        Random rnd = new Random(12);
        int[][] cases = {{9, 6, 12, 4}, {9, 9, 6, 6}, {7, 4, 8, 1}}; // t, tValid, channels, groups
        for (int[] c : cases) {
            int t = c[0], valid = c[1], ch = c[2], groups = c[3];
            float eps = 1e-5f;
            float[] x = Fd.uniform(rnd, t * ch, -2f, 3f);
            float[] gamma = Fd.uniform(rnd, ch, 0.5f, 1.5f), beta = Fd.uniform(rnd, ch, -1f, 1f);
            float[] w = Fd.uniform(rnd, t * ch, -1f, 1f);
            float[] out = new float[t * ch], mean = new float[groups], rstd = new float[groups];
            GroupNorm.groupNorm(out, x, gamma, beta, t, valid, ch, groups, eps, mean, rstd);
            float[] dx = Fd.prefilled(t * ch, PRE), dg = Fd.prefilled(ch, PRE), db = Fd.prefilled(ch, PRE);
            GroupNorm.groupNormBackward(dx, dg, db, w, x, gamma, mean, rstd, t, valid, ch, groups);

            double[][] in = {Fd.toDouble(x), Fd.toDouble(gamma), Fd.toDouble(beta)};
            Fd.Forward f = a -> groupNormD(a[0], a[1], a[2], t, valid, ch, groups, eps);
            String name = "groupNorm t=" + t + " valid=" + valid + " g=" + groups;
            Fd.check(name + " dInp", dx, 0, PRE, Fd.gradient(f, in, 0, w));
            Fd.check(name + " dGamma", dg, 0, PRE, Fd.gradient(f, in, 1, w));
            Fd.check(name + " dBeta", db, 0, PRE, Fd.gradient(f, in, 2, w));
            for (int i = valid * ch; i < t * ch; i++) {
                assertEquals(PRE, dx[i], "padded frame got gradient at " + i);
            }
        }
    }

    // ---------------------------------------------------------------- GELU

    @Test
    void gelu() {
        Random rnd = new Random(13);
        int n = 300, off = 2;
        float[] x = Fd.uniform(rnd, off + n, -5f, 5f), w = Fd.uniform(rnd, n, -1f, 1f);
        float[] out = new float[off + n];
        Gelu.gelu(out, off, x, off, n);
        float[] dOut = new float[off + n];
        System.arraycopy(w, 0, dOut, off, n);
        float[] dx = Fd.prefilled(off + n, PRE);
        Gelu.geluBackward(dx, off, dOut, off, x, off, n);
        double[][] in = {java.util.Arrays.copyOfRange(Fd.toDouble(x), off, off + n)};
        Fd.Forward f = a -> {
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                y[i] = 0.5 * a[0][i] * (1 + Erf.erf(a[0][i] / Math.sqrt(2)));
            }
            return y;
        };
        Fd.check("gelu dInp", dx, off, PRE, Fd.gradient(f, in, 0, w));
    }

    // ---------------------------------------------------------------- Linear

    static double[] linearD(double[] x, double[] wt, double[] b, int rows, int in, int outDim) {
        double[] y = new double[rows * outDim];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < outDim; o++) {
                double s = b[o];
                for (int i = 0; i < in; i++) {
                    s += x[r * in + i] * wt[o * in + i];
                }
                y[r * outDim + o] = s;
            }
        }
        return y;
    }

    @Test
    void linear() {
        Random rnd = new Random(14);
        // The second shape is big enough for Sgemm's packed (non-reference) path.
        for (int[] c : new int[][]{{5, 7, 4}, {20, 24, 18}}) {
            int rows = c[0], in = c[1], outDim = c[2], off = 1;
            float[] x = Fd.uniform(rnd, off + rows * in, -1f, 1f), wt = Fd.uniform(rnd, outDim * in, -1f, 1f);
            float[] b = Fd.uniform(rnd, outDim, -1f, 1f), w = Fd.uniform(rnd, rows * outDim, -1f, 1f);
            float[] dOut = new float[off + rows * outDim];
            System.arraycopy(w, 0, dOut, off, w.length);
            float[] dx = Fd.prefilled(off + rows * in, PRE), dw = Fd.prefilled(outDim * in, PRE);
            float[] db = Fd.prefilled(outDim, PRE);
            Linear.linearBackward(dx, off, dw, db, dOut, off, x, off, wt, rows, in, outDim);
            double[][] inputs = {java.util.Arrays.copyOfRange(Fd.toDouble(x), off, off + rows * in), Fd.toDouble(wt),
                    Fd.toDouble(b)};
            Fd.Forward f = a -> linearD(a[0], a[1], a[2], rows, in, outDim);
            String name = "linear " + rows + "x" + in + "->" + outDim;
            Fd.check(name + " dInp", dx, off, PRE, Fd.gradient(f, inputs, 0, w));
            Fd.check(name + " dWeight", dw, 0, PRE, Fd.gradient(f, inputs, 1, w));
            Fd.check(name + " dBias", db, 0, PRE, Fd.gradient(f, inputs, 2, w));
        }
    }

    // ---------------------------------------------------------------- Conv1d

    /** Direct convolution in double over packed weights {@code [cOut, kernel, cIn/groups]}. */
    static double[] conv1dD(double[] x, double[] wp, double[] b, int tIn, int cIn, int cOut, int kernel, int stride,
                            int padding, int groups) {
        int cg = cIn / groups, og = cOut / groups, tOut = Conv1d.outputLength(tIn, kernel, stride, padding);
        double[] y = new double[tOut * cOut];
        for (int t = 0; t < tOut; t++) {
            for (int o = 0; o < cOut; o++) {
                int g = o / og;
                double s = b[o];
                for (int j = 0; j < kernel; j++) {
                    int ti = t * stride + j - padding;
                    if (ti < 0 || ti >= tIn) {
                        continue;
                    }
                    for (int c = 0; c < cg; c++) {
                        s += wp[(o * kernel + j) * cg + c] * x[ti * cIn + g * cg + c];
                    }
                }
                y[t * cOut + o] = s;
            }
        }
        return y;
    }

    static void checkConv(int tIn, int cIn, int cOut, int kernel, int stride, int padding, int groups) {
        Random rnd = new Random(tIn * 31L + cIn * 7L + kernel);
        int cg = cIn / groups, tOut = Conv1d.outputLength(tIn, kernel, stride, padding);
        float[] x = Fd.uniform(rnd, tIn * cIn, -1f, 1f), wp = Fd.uniform(rnd, cOut * kernel * cg, -1f, 1f);
        float[] b = Fd.uniform(rnd, cOut, -1f, 1f), w = Fd.uniform(rnd, tOut * cOut, -1f, 1f);
        double[][] in = {Fd.toDouble(x), Fd.toDouble(wp), Fd.toDouble(b)};
        Fd.Forward f = a -> conv1dD(a[0], a[1], a[2], tIn, cIn, cOut, kernel, stride, padding, groups);
        double[] fdX = Fd.gradient(f, in, 0, w), fdW = Fd.gradient(f, in, 1, w), fdB = Fd.gradient(f, in, 2, w);
        String name = "conv1d cIn=" + cIn + " k=" + kernel + " s=" + stride + " p=" + padding + " g=" + groups;
        // The default chunking, then dWin chunks of 3 output frames (several chunks whose windows
        // overlap at their boundaries), then without dInp (the first layer's path).
        for (int chunk : new int[]{Conv1d.CHUNK_FLOATS, 3 * kernel * cg}) {
            float[] dx = Fd.prefilled(tIn * cIn, PRE), dw = Fd.prefilled(wp.length, PRE), db = Fd.prefilled(cOut, PRE);
            Conv1d.conv1dBackward(dx, dw, db, w, x, wp, tIn, cIn, cOut, kernel, stride, padding, groups, chunk);
            String n = name + (chunk == Conv1d.CHUNK_FLOATS ? "" : " chunked");
            Fd.check(n + " dInp", dx, 0, PRE, fdX);
            Fd.check(n + " dWeight", dw, 0, PRE, fdW);
            Fd.check(n + " dBias", db, 0, PRE, fdB);
        }
        float[] dw = Fd.prefilled(wp.length, PRE), db = Fd.prefilled(cOut, PRE);
        Conv1d.conv1dBackward(null, dw, db, w, x, wp, tIn, cIn, cOut, kernel, stride, padding, groups);
        Fd.check(name + " dWeight (no dInp)", dw, 0, PRE, fdW);
        Fd.check(name + " dBias (no dInp)", db, 0, PRE, fdB);
    }

    @Test
    void conv1dFirstLayerShape() {
        checkConv(203, 1, 8, 10, 5, 0, 1);
    }

    @Test
    void conv1dStridedMultiChannel() {
        checkConv(41, 8, 12, 3, 2, 0, 1);
    }

    @Test
    void conv1dGroupedEvenKernelPadded() {
        checkConv(13, 8, 8, 8, 1, 4, 4);
    }

    @Test
    void conv1dGroupedOddKernelStrideTwoPadded() {
        checkConv(15, 6, 4, 7, 2, 3, 2);
    }

    // ---------------------------------------------------------------- Attention

    static double[] attentionD(double[] q, double[] k, double[] v, int batch, int t, int heads, int hd, int[] valid) {
        int d = heads * hd;
        double[] out = new double[batch * t * d];
        double[] s = new double[t];
        for (int b = 0; b < batch; b++) {
            int len = valid[b];
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < t; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < len; j++) {
                        double acc = 0;
                        for (int e = 0; e < hd; e++) {
                            acc += q[(b * t + i) * d + h * hd + e] * k[(b * t + j) * d + h * hd + e];
                        }
                        s[j] = acc / Math.sqrt(hd);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < len; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int e = 0; e < hd; e++) {
                        double acc = 0;
                        for (int j = 0; j < len; j++) {
                            acc += s[j] / sum * v[(b * t + j) * d + h * hd + e];
                        }
                        out[(b * t + i) * d + h * hd + e] = acc;
                    }
                }
            }
        }
        return out;
    }

    static void checkAttention(int batch, int t, int heads, int hd, int[] valid, float spread) {
        Random rnd = new Random(t * 17L + hd);
        int n = batch * t * heads * hd, d = heads * hd;
        float[] q = Fd.uniform(rnd, n, -spread, spread), k = Fd.uniform(rnd, n, -spread, spread);
        float[] v = Fd.uniform(rnd, n, -1f, 1f), w = Fd.uniform(rnd, n, -1f, 1f);
        float[] out = new float[n], lse = new float[batch * heads * t];
        Attention.attention(out, q, k, v, batch, t, heads, hd, valid, lse);
        float[] dq = Fd.prefilled(n, PRE), dk = Fd.prefilled(n, PRE), dv = Fd.prefilled(n, PRE);
        Attention.attentionBackward(dq, dk, dv, w, q, k, v, out, lse, batch, t, heads, hd, valid);
        double[][] in = {Fd.toDouble(q), Fd.toDouble(k), Fd.toDouble(v)};
        Fd.Forward f = a -> attentionD(a[0], a[1], a[2], batch, t, heads, hd, valid);
        String name = "attention b=" + batch + " t=" + t + " h=" + heads + "x" + hd;
        Fd.check(name + " dQ", dq, 0, PRE, Fd.gradient(f, in, 0, w));
        Fd.check(name + " dK", dk, 0, PRE, Fd.gradient(f, in, 1, w));
        Fd.check(name + " dV", dv, 0, PRE, Fd.gradient(f, in, 2, w));
        for (int b = 0; b < batch; b++) {
            for (int j = valid[b]; j < t; j++) {
                for (int e = 0; e < d; e++) {
                    int i = (b * t + j) * d + e;
                    assertEquals(PRE, dk[i], "masked key got a gradient at " + i);
                    assertEquals(PRE, dv[i], "masked value got a gradient at " + i);
                }
            }
        }
    }

    @Test
    void attentionPaddedBatch() {
        checkAttention(3, 9, 2, 4, new int[]{9, 5, 0}, 1.5f);
    }

    @Test
    void attentionAcrossQueryTiles() {
        // More rows than one query tile: dK and dV collect from several tiles; packed Sgemm path.
        checkAttention(1, Attention.TILE + 5, 1, 8, new int[]{Attention.TILE - 3}, 1f);
    }

    // ---------------------------------------------------------------- Dropout

    @Test
    void dropout() {
        Random rnd = new Random(15);
        int n = 2000, off = 3;
        float p = 0.3f;
        long seed = 42;
        float[] x = Fd.uniform(rnd, off + n, -1f, 1f), w = Fd.uniform(rnd, n, -1f, 1f);
        double[][] in = {java.util.Arrays.copyOfRange(Fd.toDouble(x), off, off + n)};
        Fd.Forward f = a -> {
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                y[i] = Dropout.keep(seed, i, p) ? a[0][i] / (1 - (double) p) : 0;
            }
            return y;
        };
        float[] g = new float[off + n];
        System.arraycopy(w, 0, g, off, n);
        Dropout.dropout(g, off, n, p, seed); // the backward: the same call on the gradient
        Fd.check("dropout p=0.3 dInp", g, off, 0f, Fd.gradient(f, in, 0, w));
    }
}
