package w2v4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Sgemm against a naive double-accumulated GEMM. Tolerance per element:
 * {@code |c - ref| <= 1e-5 * (|alpha| * sum_k |a_ik||b_kj| + |beta * c0|) + 1e-6}. A float sum of
 * K products has a worst-case relative error of about K * 2^-24 of that magnitude and a typical
 * one of sqrt(K) * 2^-24 (~1.5e-6 for K = 700, the largest K here), so 1e-5 has headroom while
 * still catching any wrong or missing term (each term is ~1/K of the bound or more).
 */
class SgemmTest {

    private static final float SENTINEL = 12345.5f;

    @Test
    void tinyAndOddShapesAllTransposes() {
        int[][] shapes = {{1, 1, 1}, {7, 13, 5}, {37, 65, 129}, {6, 32, 256}, {12, 64, 1}, {5, 31, 257}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                check(new Case(t >= 2, (t & 1) == 1, s[0], s[1], s[2]));
            }
        }
    }

    @Test
    void crossesCacheBlockBoundaries() {
        // M > 2*MC, N > NC, K > 2*KC, none of them multiples of the tiles.
        for (int t = 0; t < 4; t++) {
            check(new Case(t >= 2, (t & 1) == 1, 203, 801, 517));
        }
    }

    @Test
    void stridesAndOffsets() {
        for (int t = 0; t < 4; t++) {
            Case c = new Case(t >= 2, (t & 1) == 1, 41, 70, 90);
            c.ldaExtra = 5;
            c.ldbExtra = 3;
            c.ldcExtra = 7;
            c.aOff = 11;
            c.bOff = 4;
            c.cOff = 9;
            check(c);
        }
    }

    @Test
    void overlappingRowsOfA() {
        // Strided-convolution windows: row i of A starts at i*lda with lda < K.
        Case c = new Case(false, true, 120, 64, 40);
        c.lda = 10;
        check(c);
        Case d = new Case(false, false, 300, 40, 50);
        d.lda = 1;
        check(d);
    }

    @Test
    void alphaBetaVariants() {
        float[][] ab = {{1f, 0f}, {0.5f, 2f}, {-1.5f, 1f}, {2f, -0.25f}, {0f, 0.5f}, {0f, 0f}};
        for (float[] p : ab) {
            for (int t = 0; t < 4; t++) {
                for (int[] s : new int[][]{{9, 10, 11}, {50, 70, 90}}) {
                    Case c = new Case(t >= 2, (t & 1) == 1, s[0], s[1], s[2]);
                    c.alpha = p[0];
                    c.beta = p[1];
                    check(c);
                }
            }
        }
    }

    @Test
    void betaZeroDoesNotReadC() {
        for (int t = 0; t < 4; t++) {
            for (int[] s : new int[][]{{3, 4, 5}, {64, 100, 200}}) {
                Case c = new Case(t >= 2, (t & 1) == 1, s[0], s[1], s[2]);
                c.beta = 0f;
                c.nanC = true;
                check(c);
            }
        }
    }

    @Test
    void fewColumnsSplitsRowsAndSerialEntryPoint() {
        check(new Case(false, true, 500, 40, 64));
        Case c = new Case(true, false, 130, 200, 150);
        c.serial = true;
        check(c);
        Case d = new Case(false, false, 1, 300, 300);
        check(d);
    }

    /**
     * With K over three blocks the C tiles are accumulated in the packed C buffer and written by the
     * last block; that must give the same bits as one call per K block, where C itself carries the
     * partial sums (the products are summed in the same order). Covers both beta cases, edge tiles,
     * the shared-A split, the serial path and a C too tall for one pass of the packed buffer.
     */
    @Test
    void severalKBlocksEqualOneCallPerKBlock() {
        // {m, k, n}: K over three blocks (where C is packed), ragged and whole; fewer blocks too.
        // Every block is big enough for the blocked path (a tiny one would take the scalar
        // reference, which sums a block's products before adding C).
        int[][] shapes = {{203, 3 * Sgemm.KC + 77, 801}, {50, 5 * Sgemm.KC + 40, 90}, {130, 4 * Sgemm.KC, 70},
            {61, 2 * Sgemm.KC + 9, 100}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                for (float beta : new float[]{0f, 0.5f}) {
                    for (boolean serial : new boolean[]{false, true}) {
                        assertSameAsBlockByBlock(t >= 2, (t & 1) == 1, s[0], s[2], s[1], 1.5f, beta, serial);
                    }
                }
            }
        }
        int tall = Sgemm.PACKED_C_FLOATS / Sgemm.NC + 2 * Sgemm.MC + 5;
        assertTrue(Sgemm.packsC(3 * Sgemm.KC + 1) && !Sgemm.packsC(3 * Sgemm.KC));
        assertSameAsBlockByBlock(false, true, tall, Sgemm.NC, 3 * Sgemm.KC + 44, 1f, 0f, true);
        assertSameAsBlockByBlock(false, true, tall, 2 * Sgemm.NC, 3 * Sgemm.KC + 44, 1f, 0.5f, false);
    }

    static void assertSameAsBlockByBlock(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                                         boolean serial) {
        Random rnd = new Random(m * 7L + n * 3L + k);
        int lda = transA ? m : k, ldb = transB ? k : n;
        float[] a = random(rnd, m * k), b = random(rnd, k * n), c = random(rnd, m * n), byBlock = c.clone();
        if (serial) {
            Sgemm.sgemmSerial(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, n);
        } else {
            Sgemm.sgemm(transA, transB, m, n, k, alpha, a, 0, lda, b, 0, ldb, beta, c, 0, n);
        }
        for (int pc = 0; pc < k; pc += Sgemm.KC) {
            int kc = Math.min(Sgemm.KC, k - pc);
            int aOff = transA ? pc * lda : pc, bOff = transB ? pc : pc * ldb;
            Sgemm.sgemm(transA, transB, m, n, kc, alpha, a, aOff, lda, b, bOff, ldb, pc == 0 ? beta : 1f, byBlock, 0, n);
        }
        for (int i = 0; i < c.length; i++) {
            if (Float.floatToIntBits(c[i]) != Float.floatToIntBits(byBlock[i])) {
                fail("transA=" + transA + " transB=" + transB + " " + m + "x" + n + "x" + k + " beta=" + beta
                        + " serial=" + serial + ": C[" + i / n + "," + i % n + "] = " + c[i] + ", block by block "
                        + byBlock[i]);
            }
        }
    }

    @Test
    void zeroK() {
        Case c = new Case(false, false, 8, 40, 0);
        c.beta = 0.5f;
        check(c);
    }

    static final class Case {
        final boolean transA, transB;
        final int m, n, k;
        int lda = -1, ldaExtra, ldbExtra, ldcExtra, aOff, bOff, cOff;
        float alpha = 1f, beta = 0f;
        boolean nanC, serial;

        Case(boolean transA, boolean transB, int m, int n, int k) {
            this.transA = transA;
            this.transB = transB;
            this.m = m;
            this.n = n;
            this.k = k;
        }

        @Override
        public String toString() {
            return "transA=" + transA + " transB=" + transB + " " + m + "x" + n + "x" + k + " lda=" + lda
                    + " alpha=" + alpha + " beta=" + beta + " nanC=" + nanC + " serial=" + serial;
        }
    }

    static void check(Case t) {
        Random rnd = new Random(t.m * 31L + t.n * 17L + t.k);
        int aRows = t.transA ? t.k : t.m, aCols = t.transA ? t.m : t.k;
        int bRows = t.transB ? t.n : t.k, bCols = t.transB ? t.k : t.n;
        int lda = t.lda > 0 ? t.lda : aCols + t.ldaExtra;
        int ldb = bCols + t.ldbExtra;
        int ldc = t.n + t.ldcExtra;
        float[] a = random(rnd, t.aOff + Math.max(0, (aRows - 1) * lda + aCols));
        float[] b = random(rnd, t.bOff + Math.max(0, (bRows - 1) * ldb + bCols));
        int cLen = t.cOff + (t.m - 1) * ldc + t.n + 3;
        float[] c = new float[cLen];
        java.util.Arrays.fill(c, SENTINEL);
        for (int i = 0; i < t.m; i++) {
            for (int j = 0; j < t.n; j++) {
                c[t.cOff + i * ldc + j] = t.nanC ? Float.NaN : rnd.nextFloat() * 2 - 1;
            }
        }
        float[] c0 = c.clone();
        if (t.serial) {
            Sgemm.sgemmSerial(t.transA, t.transB, t.m, t.n, t.k, t.alpha, a, t.aOff, lda, b, t.bOff, ldb,
                    t.beta, c, t.cOff, ldc);
        } else {
            Sgemm.sgemm(t.transA, t.transB, t.m, t.n, t.k, t.alpha, a, t.aOff, lda, b, t.bOff, ldb,
                    t.beta, c, t.cOff, ldc);
        }
        for (int i = 0; i < t.m; i++) {
            for (int j = 0; j < t.n; j++) {
                double s = 0, mag = 0;
                for (int p = 0; p < t.k; p++) {
                    double av = t.transA ? a[t.aOff + p * lda + i] : a[t.aOff + i * lda + p];
                    double bv = t.transB ? b[t.bOff + j * ldb + p] : b[t.bOff + p * ldb + j];
                    s += av * bv;
                    mag += Math.abs(av * bv);
                }
                int ci = t.cOff + i * ldc + j;
                double ref = t.alpha * s, bound = Math.abs(t.alpha) * mag;
                if (t.beta != 0f) {
                    ref += t.beta * (double) c0[ci];
                    bound += Math.abs(t.beta * (double) c0[ci]);
                }
                double tol = 1e-5 * bound + 1e-6;
                if (!(Math.abs(c[ci] - ref) <= tol)) {
                    fail(t + ": C[" + i + "," + j + "] = " + c[ci] + ", expected " + ref + " (tol " + tol + ")");
                }
            }
        }
        // Nothing outside the M x N window may change (row gaps, the array's head and tail).
        for (int x = 0; x < cLen; x++) {
            int rel = x - t.cOff;
            boolean inside = rel >= 0 && rel / ldc < t.m && rel % ldc < t.n;
            if (!inside) {
                assertEquals(SENTINEL, c[x], t + ": wrote outside C at " + x);
            }
        }
    }

    static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }
}
