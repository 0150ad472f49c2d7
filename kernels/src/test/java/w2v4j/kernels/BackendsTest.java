package w2v4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import w2v4j.core.W2vException;

/** Backend discovery, and the JavaBackend's small operations (linear, add) end to end. */
class BackendsTest {

    @Test
    void javaBackendIsDiscoveredAndDefault() {
        try (Backend b = Backends.get("java")) {
            assertEquals("java", b.name());
            assertTrue(b instanceof JavaBackend);
            assertTrue(b.description().contains("thread"));
        }
        assertEquals("java", Backends.get().name());
        assertTrue(Backends.list().stream().anyMatch(p -> p.name().equals("java") && p.available()));
    }

    @Test
    void unknownBackendListsKnownNames() {
        W2vException e = assertThrows(W2vException.class, () -> Backends.get("no-such-backend"));
        assertTrue(e.getMessage().contains("no-such-backend"), e.getMessage());
        assertTrue(e.getMessage().contains("java"), e.getMessage());
    }

    @Test
    void linearWithAndWithoutBias() {
        Backend be = Backends.get("java");
        Random rnd = new Random(11);
        int rows = 45, in = 70, outDim = 33, off = 3;
        float[] inp = SgemmTest.random(rnd, off + rows * in), w = SgemmTest.random(rnd, outDim * in);
        float[] bias = SgemmTest.random(rnd, outDim);
        for (float[] bb : new float[][]{bias, null}) {
            float[] ref = new float[off + rows * outDim], got = new float[off + rows * outDim];
            java.util.Arrays.fill(got, 0, off, 9f);
            java.util.Arrays.fill(ref, 0, off, 9f);
            Linear.reference(ref, off, inp, off, w, bb, rows, in, outDim);
            be.linear(got, off, inp, off, w, bb, rows, in, outDim);
            for (int i = 0; i < ref.length; i++) {
                assertEquals(ref[i], got[i], 2e-5, "linear at " + i);
            }
        }
    }

    @Test
    void addIsElementwise() {
        Backend be = Backends.get("java");
        for (int n : new int[]{1, 37, 200_000}) {
            float[] x = SgemmTest.random(new Random(n), n + 4), y = SgemmTest.random(new Random(n + 1), n + 2);
            float[] expect = x.clone();
            for (int i = 0; i < n; i++) {
                expect[i + 4] += y[i + 2];
            }
            be.add(x, 4, y, 2, n);
            assertArrayEquals(expect, x);
        }
    }
}
