package w2v4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * LayerNorm and GroupNorm against scalar double references. Inputs have mean 3 and spread 2, so a
 * one-pass E[x^2]-mean^2 would already show. Outputs are O(1): absolute tolerance 2e-5 (float
 * rounding of normalised values is ~1e-7; the float-lane sums of the fast LayerNorm add ~1e-6).
 */
class NormTest {

    static float[] shifted(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = 3f + 2f * (float) rnd.nextGaussian();
        }
        return x;
    }

    @Test
    void layerNormMatchesReferenceAndWorksInPlace() {
        Random rnd = new Random(5);
        for (int dim : new int[]{768, 50, 3}) {
            int rows = 37, off = 5;
            float[] inp = shifted(rnd, off + rows * dim);
            float[] gamma = shifted(rnd, dim), beta = shifted(rnd, dim);
            float[] ref = new float[off + rows * dim];
            LayerNorm.reference(ref, off, inp, off, gamma, beta, rows, dim, 1e-5f);
            float[] out = new float[off + rows * dim];
            LayerNorm.layerNorm(out, off, inp, off, gamma, beta, rows, dim, 1e-5f);
            float[] inPlace = inp.clone();
            LayerNorm.layerNorm(inPlace, off, inPlace, off, gamma, beta, rows, dim, 1e-5f);
            for (int i = off; i < ref.length; i++) {
                double tol = 2e-5 * (1 + Math.abs(gamma[(i - off) % dim]));
                assertEquals(ref[i], out[i], tol, "dim " + dim + " at " + i);
                assertEquals(out[i], inPlace[i], 0f, "in place, dim " + dim + " at " + i);
            }
        }
    }

    @Test
    void layerNormOfAConstantRowIsBeta() {
        float[] x = new float[16];
        java.util.Arrays.fill(x, 7f);
        float[] gamma = new float[16], beta = new float[16];
        java.util.Arrays.fill(gamma, 2f);
        java.util.Arrays.fill(beta, 0.5f);
        LayerNorm.layerNorm(x, 0, x, 0, gamma, beta, 1, 16, 1e-5f);
        for (float v : x) {
            assertEquals(0.5f, v, 0f);
        }
    }

    @Test
    void groupNormMatchesReference() {
        Random rnd = new Random(6);
        int[][] cases = {{100, 64, 64}, {100, 64, 8}, {33, 24, 1}, {512, 512, 512}};
        for (int[] c : cases) {
            int t = c[0], ch = c[1], groups = c[2];
            for (int tValid : new int[]{t, t * 7 / 10, 1, 0}) {
                float[] x = shifted(rnd, t * ch), gamma = shifted(rnd, ch), beta = shifted(rnd, ch);
                float[] ref = x.clone();
                GroupNorm.reference(ref, gamma, beta, t, tValid, ch, groups, 1e-5f);
                GroupNorm.groupNorm(x, gamma, beta, t, tValid, ch, groups, 1e-5f);
                for (int i = 0; i < x.length; i++) {
                    double tol = 2e-5 * (1 + Math.abs(gamma[i % ch]) + Math.abs(beta[i % ch]));
                    assertEquals(ref[i], x[i], tol, "t=" + t + " ch=" + ch + " g=" + groups + " valid=" + tValid);
                }
            }
        }
    }

    @Test
    void groupNormPaddingDoesNotChangeValidFrames() {
        Random rnd = new Random(7);
        int t = 300, tValid = 211, ch = 48;
        for (int groups : new int[]{48, 6}) {
            float[] x = shifted(rnd, t * ch), gamma = shifted(rnd, ch), beta = shifted(rnd, ch);
            float[] alone = java.util.Arrays.copyOf(x, tValid * ch);
            GroupNorm.groupNorm(alone, gamma, beta, tValid, tValid, ch, groups, 1e-5f);
            GroupNorm.groupNorm(x, gamma, beta, t, tValid, ch, groups, 1e-5f);
            for (int i = 0; i < t * ch; i++) {
                if (i < tValid * ch) {
                    assertEquals(alone[i], x[i], 1e-6f, "valid frame value " + i);
                } else {
                    assertTrue(x[i] == 0f, "padded frame value " + i + " = " + x[i]);
                }
            }
        }
    }
}
