package w2v4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Attention and softmax against naive double references. Attention outputs are convex
 * combinations of V rows (|v| <= 1), so an absolute tolerance of 2e-5 covers the float scores
 * (K = headDim <= 64 products) and float exp.
 */
class AttentionTest {

    /** Softmax(q.k^T / sqrt(d)) v in double, keys j >= validLength[b] excluded. */
    /** The double-precision reference of the gradient checks, on these float inputs; null valid = all t keys. */
    static double[] naive(float[] q, float[] k, float[] v, int batch, int t, int heads, int hd, int[] valid) {
        if (valid == null) {
            valid = new int[batch];
            java.util.Arrays.fill(valid, t);
        }
        return GradientCheckTest.attentionD(toDouble(q), toDouble(k), toDouble(v), batch, t, heads, hd, valid);
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }

    static float[] scaled(Random rnd, int n, float scale) {
        float[] x = SgemmTest.random(rnd, n);
        for (int i = 0; i < n; i++) {
            x[i] *= scale;
        }
        return x;
    }

    void check(int batch, int t, int heads, int hd, int[] valid) {
        Random rnd = new Random(t * 31L + heads);
        int n = batch * t * heads * hd;
        float[] q = scaled(rnd, n, 3f), k = scaled(rnd, n, 3f), v = SgemmTest.random(rnd, n);
        double[] ref = naive(q, k, v, batch, t, heads, hd, valid);
        float[] out = new float[n], out2 = new float[n];
        Attention.attention(out, q, k, v, batch, t, heads, hd, valid);
        Attention.reference(out2, q, k, v, batch, t, heads, hd, valid);
        for (int i = 0; i < n; i++) {
            assertEquals(ref[i], out[i], 2e-5, "attention t=" + t + " at " + i);
            assertEquals(ref[i], out2[i], 2e-5, "reference attention t=" + t + " at " + i);
        }
    }

    @Test
    void matchesNaiveWithMasks() {
        check(2, 50, 3, 16, new int[]{50, 31});
        check(1, 7, 2, 8, null);
    }

    @Test
    void longerThanOneTile() {
        check(2, 2 * Attention.TILE + 11, 2, 64, new int[]{150, 2 * Attention.TILE + 11});
    }

    @Test
    void paddedItemEqualsItemAlone() {
        Random rnd = new Random(9);
        int t = 120, heads = 4, hd = 32, d = heads * hd, len = 77;
        float[] q = scaled(rnd, 2 * t * d, 3f), k = scaled(rnd, 2 * t * d, 3f), v = SgemmTest.random(rnd, 2 * t * d);
        float[] out = new float[2 * t * d];
        Attention.attention(out, q, k, v, 2, t, heads, hd, new int[]{t, len});
        int off = t * d;
        float[] q1 = java.util.Arrays.copyOfRange(q, off, off + len * d);
        float[] k1 = java.util.Arrays.copyOfRange(k, off, off + len * d);
        float[] v1 = java.util.Arrays.copyOfRange(v, off, off + len * d);
        float[] alone = new float[len * d];
        Attention.attention(alone, q1, k1, v1, 1, len, heads, hd, null);
        for (int i = 0; i < len * d; i++) {
            assertEquals(alone[i], out[off + i], 1e-6f, "valid row value " + i);
        }
    }

    @Test
    void noValidKeysGivesZeros() {
        float[] x = SgemmTest.random(new Random(2), 2 * 5 * 8);
        float[] out = new float[x.length];
        java.util.Arrays.fill(out, Float.NaN);
        Attention.attention(out, x, x, x, 2, 5, 1, 8, new int[]{5, 0});
        for (int i = 5 * 8; i < out.length; i++) {
            assertEquals(0f, out[i]);
        }
        assertEquals(false, Float.isNaN(out[0]));
    }

    @Test
    void softmaxMatchesReference() {
        Random rnd = new Random(10);
        for (int n : new int[]{1, 5, 16, 17, 100, 2001}) {
            for (float spread : new float[]{1f, 30f}) {
                float[] x = new float[n + 2];
                for (int i = 0; i < x.length; i++) {
                    x[i] = 1000f + spread * (float) rnd.nextGaussian(); // large offset: max subtraction needed
                }
                float[] ref = x.clone();
                Softmax.reference(ref, 1, n);
                float[] got = x.clone();
                Softmax.softmax(got, 1, n);
                double sum = 0;
                for (int i = 1; i <= n; i++) {
                    assertEquals(ref[i], got[i], 1e-6 * ref[i] + 1e-9, "softmax n=" + n + " at " + i);
                    sum += got[i];
                }
                assertEquals(1.0, sum, 1e-5);
                assertEquals(x[0], got[0]);
                assertEquals(x[n + 1], got[n + 1]);
            }
        }
    }
}
