package w2v4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The training forwards (which save statistics, or keep their input) give bitwise the outputs of
 * the inference forwards, and the statistics they save are the right ones.
 */
class TrainingForwardTest {

    @Test
    void layerNormWithStatsIsBitwiseTheSame() {
        Random rnd = new Random(21);
        for (int dim : new int[]{768, 50, 3}) {
            int rows = 40, off = 3;
            float[] x = NormTest.shifted(rnd, off + rows * dim), gamma = NormTest.shifted(rnd, dim);
            float[] beta = NormTest.shifted(rnd, dim);
            float[] plain = new float[off + rows * dim], train = new float[off + rows * dim];
            float[] mean = new float[rows], rstd = new float[rows];
            LayerNorm.layerNorm(plain, off, x, off, gamma, beta, rows, dim, 1e-5f);
            LayerNorm.layerNorm(train, off, x, off, gamma, beta, rows, dim, 1e-5f, mean, rstd);
            assertArrayEquals(plain, train, "dim " + dim);
            for (int r = 0; r < rows; r++) {
                double m = 0, v = 0;
                for (int i = 0; i < dim; i++) {
                    m += x[off + r * dim + i];
                }
                m /= dim;
                for (int i = 0; i < dim; i++) {
                    v += (x[off + r * dim + i] - m) * (x[off + r * dim + i] - m);
                }
                assertEquals(m, mean[r], 1e-5 * (1 + Math.abs(m)), "mean of row " + r);
                assertEquals(1 / Math.sqrt(v / dim + 1e-5), rstd[r], 1e-5 / Math.sqrt(v / dim + 1e-5), "rstd " + r);
            }
        }
    }

    @Test
    void groupNormOutOfPlaceWithStatsIsBitwiseTheSame() {
        Random rnd = new Random(22);
        int[][] cases = {{100, 70, 64, 64}, {100, 100, 64, 8}, {33, 0, 24, 1}}; // t, tValid, channels, groups
        for (int[] c : cases) {
            int t = c[0], valid = c[1], ch = c[2], groups = c[3];
            float[] x = NormTest.shifted(rnd, t * ch), gamma = NormTest.shifted(rnd, ch), beta = NormTest.shifted(rnd, ch);
            float[] inPlace = x.clone(), out = new float[t * ch], mean = new float[groups], rstd = new float[groups];
            java.util.Arrays.fill(out, Float.NaN);
            GroupNorm.groupNorm(inPlace, gamma, beta, t, valid, ch, groups, 1e-5f);
            float[] xBefore = x.clone();
            GroupNorm.groupNorm(out, x, gamma, beta, t, valid, ch, groups, 1e-5f, mean, rstd);
            assertArrayEquals(inPlace, out, "t=" + t + " valid=" + valid + " groups=" + groups);
            assertArrayEquals(xBefore, x, "the input must be left alone");
            int cpg = ch / groups;
            for (int g = 0; g < groups && valid > 0; g++) {
                double m = 0, v = 0, n = (double) valid * cpg;
                for (int f = 0; f < valid; f++) {
                    for (int cc = g * cpg; cc < (g + 1) * cpg; cc++) {
                        m += x[f * ch + cc];
                    }
                }
                m /= n;
                for (int f = 0; f < valid; f++) {
                    for (int cc = g * cpg; cc < (g + 1) * cpg; cc++) {
                        v += (x[f * ch + cc] - m) * (x[f * ch + cc] - m);
                    }
                }
                assertEquals(m, mean[g], 1e-5 * (1 + Math.abs(m)), "mean of group " + g);
                assertEquals(1 / Math.sqrt(v / n + 1e-5), rstd[g], 1e-5 / Math.sqrt(v / n + 1e-5), "rstd " + g);
            }
        }
    }

    @Test
    void geluOutOfPlaceIsBitwiseTheSame() {
        float[] x = Fd.uniform(new Random(23), 10_000, -8f, 8f);
        float[] inPlace = x.clone(), out = new float[x.length + 4];
        Gelu.gelu(inPlace, 0, x.length);
        Gelu.gelu(out, 4, x, 0, x.length);
        assertArrayEquals(inPlace, java.util.Arrays.copyOfRange(out, 4, out.length));
    }

    @Test
    void attentionWithLseIsBitwiseTheSame() {
        Random rnd = new Random(24);
        int batch = 3, t = Attention.TILE + 30, heads = 2, hd = 16, d = heads * hd, n = batch * t * d;
        int[] valid = {t, 100, 0};
        float[] q = AttentionTest.scaled(rnd, n, 3f), k = AttentionTest.scaled(rnd, n, 3f), v = SgemmTest.random(rnd, n);
        float[] plain = new float[n], train = new float[n], lse = new float[batch * heads * t];
        Attention.attention(plain, q, k, v, batch, t, heads, hd, valid);
        Attention.attention(train, q, k, v, batch, t, heads, hd, valid, lse);
        assertArrayEquals(plain, train);
        double scale = 1 / Math.sqrt(hd);
        for (int b = 0; b < 2; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < t; i += 37) {
                    double max = Double.NEGATIVE_INFINITY;
                    double[] s = new double[valid[b]];
                    for (int j = 0; j < valid[b]; j++) {
                        for (int e = 0; e < hd; e++) {
                            s[j] += (double) q[(b * t + i) * d + h * hd + e] * k[(b * t + j) * d + h * hd + e];
                        }
                        s[j] *= scale;
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (double sj : s) {
                        sum += Math.exp(sj - max);
                    }
                    double expect = max + Math.log(sum);
                    assertEquals(expect, lse[(b * heads + h) * t + i], 1e-5 * (1 + Math.abs(expect)),
                            "lse b=" + b + " h=" + h + " i=" + i);
                }
            }
        }
    }
}
