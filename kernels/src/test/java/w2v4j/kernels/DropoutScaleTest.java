package w2v4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** Dropout's counter-based mask, sumSquares and scale. */
class DropoutScaleTest {

    @Test
    void dropoutMaskIsAFunctionOfSeedAndIndexOnly() {
        int n = 200_000, off = 7; // several parallel chunks
        float p = 0.1f;
        long seed = 1234;
        float[] x = Fd.uniform(new Random(31), off + n, 0.5f, 1.5f); // no zeros: a zero output means dropped
        float[] y = x.clone();
        Dropout.dropout(y, off, n, p, seed);
        float scale = 1f / (1f - p);
        int dropped = 0;
        for (int i = 0; i < n; i++) {
            boolean keep = Dropout.keep(seed, i, p);
            assertEquals(keep ? x[off + i] * scale : 0f, y[off + i], "element " + i);
            dropped += keep ? 0 : 1;
        }
        assertEquals(x[0], y[0]);
        // Binomial(n, p): sd = sqrt(n p (1-p)) ~ 134; allow 5 sd.
        assertEquals(p * n, dropped, 5 * Math.sqrt(n * p * (1 - p)), "dropped count");
        // Running on one thread gives the same mask.
        float[] serial = x.clone();
        Parallel.serially(() -> Dropout.dropout(serial, off, n, p, seed));
        assertArrayEquals(y, serial);
    }

    @Test
    void dropoutSeedsDifferAndEdgeProbabilities() {
        int n = 4096;
        float[] a = Fd.uniform(new Random(32), n, 0.5f, 1.5f), b = a.clone(), same = a.clone();
        Dropout.dropout(a, 0, n, 0.5f, 1);
        Dropout.dropout(b, 0, n, 0.5f, 2);
        int differ = 0;
        for (int i = 0; i < n; i++) {
            differ += (a[i] == 0f) != (b[i] == 0f) ? 1 : 0;
        }
        assertTrue(differ > n / 4, "masks of seeds 1 and 2 should be independent; differ at " + differ);
        float[] before = same.clone();
        Dropout.dropout(same, 0, n, 0f, 9);
        assertArrayEquals(before, same, "p = 0 is a no-op");
        Dropout.dropout(same, 0, n, 1f, 9);
        assertArrayEquals(new float[n], same, "p = 1 drops everything");
        assertThrows(IllegalArgumentException.class, () -> Dropout.dropout(same, 0, n, 1.5f, 9));
    }

    @Test
    void sumSquaresAndScale() {
        Random rnd = new Random(33);
        for (int n : new int[]{0, 1, 15, 1000, 3 * (1 << 14) + 77}) {
            int off = 5;
            float[] x = SgemmTest.random(rnd, off + n + 3);
            double expect = 0;
            for (int i = off; i < off + n; i++) {
                expect += (double) x[i] * x[i];
            }
            // Float lanes sum 16 squares each before the double sum: ~1e-7 relative.
            assertEquals(expect, Scale.sumSquares(x, off, n), 1e-6 * expect, "n = " + n);
            float[] y = x.clone();
            Scale.scale(y, off, n, 0.37f);
            for (int i = 0; i < y.length; i++) {
                assertEquals(i >= off && i < off + n ? x[i] * 0.37f : x[i], y[i], "scale at " + i);
            }
        }
    }
}
