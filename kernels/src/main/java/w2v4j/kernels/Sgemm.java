package w2v4j.kernels;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM, BLAS semantics on row-major arrays:
 * {@code C[M,N] = alpha * op(A)[M,K] . op(B)[K,N] + beta * C}. See {@link Backend#sgemm}.
 *
 * <p>GotoBLAS structure. For each {@code KC x NC} block of op(B), the block is packed into
 * k-major strips {@code NR} columns wide ({@code NR} = two vectors, 32 floats with AVX-512); for
 * each {@code MC x KC} block of op(A), the block is packed (already multiplied by alpha) into
 * k-major strips of {@code MR = 6} rows. The micro-kernel then computes a 6 x NR tile of C with 12
 * vector accumulators: per k it loads two B vectors, broadcasts six A values and issues 12 FMAs.
 * Packing is where the transposes, the strides ({@code lda} may be smaller than a row when rows
 * overlap) and alpha are dealt with, so the micro-kernel is one shape only.
 *
 * <p>The micro-kernel loads its C tile into the accumulators before the k loop and stores them
 * with {@code intoArray} after it. Zeroed accumulators with a load-add-store epilogue made C2 stop
 * intrinsifying some {@code fma} calls (15x slower and allocating), so beta is applied to C up
 * front instead, and partial edge tiles go through a scratch tile so that the micro-kernel has
 * no branches at all.
 *
 * <p>Threads split the columns of C into whole NR-column strips (128 bytes, two cache lines, so
 * threads share a line of C only at a strip boundary of a row that is not 64-byte aligned), or
 * the rows when there are too few columns. Each thread has its own packing buffers
 * (a thread-local {@link Workspace}, allocated once), so steady-state calls allocate nothing but
 * the task objects of the parallel loop ({@link #sgemmSerial} allocates nothing).
 */
public final class Sgemm {

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /** Rows of the micro-kernel tile. */
    static final int MR = 6;
    /** Columns of the micro-kernel tile: two vectors. */
    static final int NR = 2 * LANES;
    /** Depth of a packed block (A strip of 6 x 256 and B strip of 256 x 32 stay in L1). */
    static final int KC = 256;
    /** Rows of a packed A block (96 x 256 floats = 96 KiB, in L2). */
    static final int MC = 96;
    /** Columns of a packed B block (256 x 768 floats = 768 KiB, in L2). */
    static final int NC = 768;
    /** Below this many multiply-adds the packing costs more than it saves. */
    static final long SMALL_WORK = 16L * 16 * 16 * 8;
    /** Below this many multiply-adds the pool hand-off costs more than it saves. */
    static final long PARALLEL_WORK = 64L * 64 * 64;

    /** Per-thread packing buffers. Block sizes are fixed, so these never grow. */
    static final class Workspace {
        final float[] packA = new float[MC * KC];
        final float[] packB = new float[KC * NC];
        final float[] tile = new float[MR * NR];
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private Sgemm() {
    }

    /** Multi-threaded GEMM on the shared {@link Parallel} pool. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        long work = (long) m * n * Math.max(k, 1);
        if (work < SMALL_WORK) {
            reference(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        int threads = Parallel.threads();
        if (threads == 1 || work < PARALLEL_WORK) {
            block(transA, transB, 0, m, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        int nStrips = (n + NR - 1) / NR;
        int mStrips = (m + MR - 1) / MR;
        if (nStrips >= 2 * threads || nStrips >= mStrips) {
            // Columns: every thread packs its own part of B and streams all of A.
            Parallel.forRange(nStrips, (s0, s1) -> block(transA, transB, 0, m, s0 * NR, Math.min(n, s1 * NR),
                    k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc));
        } else {
            // Few columns (a grouped convolution, a narrow projection): split the rows instead.
            Parallel.forRange(mStrips, (s0, s1) -> block(transA, transB, s0 * MR, Math.min(m, s1 * MR), 0, n,
                    k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc));
        }
    }

    /** Same as {@link #sgemm} on the calling thread only (for kernels that parallelise outside). */
    public static void sgemmSerial(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                   float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                   float beta, float[] c, int cOff, int ldc) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if ((long) m * n * Math.max(k, 1) < SMALL_WORK) {
            reference(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        block(transA, transB, 0, m, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /** Plain scalar GEMM (float accumulation): the small-problem path and the test oracle's twin. */
    public static void reference(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                for (int p = 0; p < k; p++) {
                    float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                int ci = cOff + i * ldc + j;
                c[ci] = beta == 0f ? alpha * s : alpha * s + beta * c[ci];
            }
        }
    }

    /** Computes the C block rows {@code [m0, m1)} x columns {@code [n0, n1)} on this thread. */
    static void block(boolean transA, boolean transB, int m0, int m1, int n0, int n1, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        if (alpha == 0f || k <= 0 || m0 >= m1 || n0 >= n1) {
            scaleC(beta, c, cOff, ldc, m0, m1, n0, n1);
            return;
        }
        // With beta == 0 the first K block overwrites C (never reading it), saving a pass that
        // writes zeros and the micro-kernel's reloading of them.
        boolean overwrite = beta == 0f;
        if (!overwrite) {
            scaleC(beta, c, cOff, ldc, m0, m1, n0, n1);
        }
        Workspace ws = WORKSPACE.get();
        float[] pa = ws.packA, pb = ws.packB, tile = ws.tile;
        for (int jc = n0; jc < n1; jc += NC) {
            int nc = Math.min(NC, n1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(transB, b, bOff, ldb, pc, kc, jc, nc, pb);
                for (int ic = m0; ic < m1; ic += MC) {
                    int mc = Math.min(MC, m1 - ic);
                    packA(transA, a, aOff, lda, ic, mc, pc, kc, alpha, pa);
                    macroKernel(mc, nc, kc, pa, pb, c, cOff + ic * ldc + jc, ldc, tile, overwrite && pc == 0);
                }
            }
        }
    }

    /** C = beta * C over a block; beta == 0 writes zeros without reading (C may hold NaN). */
    static void scaleC(float beta, float[] c, int cOff, int ldc, int m0, int m1, int n0, int n1) {
        if (beta == 1f) {
            return;
        }
        for (int i = m0; i < m1; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                Arrays.fill(c, row + n0, row + n1, 0f);
            } else {
                for (int j = row + n0; j < row + n1; j++) {
                    c[j] *= beta;
                }
            }
        }
    }

    /**
     * Packs op(B) rows {@code [pc, pc+kc)} x columns {@code [jc, jc+nc)} into strips of NR columns:
     * element (p, j) of strip s at {@code s*kc*NR + p*NR + j}; columns past nc are zero.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int jc, int nc, float[] pb) {
        for (int js = 0; js < nc; js += NR) {
            int nr = Math.min(NR, nc - js);
            int dst = js * kc;
            if (!transB) {
                int src = bOff + pc * ldb + jc + js;
                if (nr == NR) {
                    for (int p = 0; p < kc; p++, src += ldb, dst += NR) {
                        System.arraycopy(b, src, pb, dst, NR);
                    }
                } else {
                    for (int p = 0; p < kc; p++, src += ldb, dst += NR) {
                        System.arraycopy(b, src, pb, dst, nr);
                        Arrays.fill(pb, dst + nr, dst + NR, 0f);
                    }
                }
            } else {
                // B stored [N, ldb]: each column j of op(B) is a contiguous row of B.
                for (int j = 0; j < nr; j++) {
                    int src = bOff + (jc + js + j) * ldb + pc;
                    for (int p = 0; p < kc; p++) {
                        pb[dst + p * NR + j] = b[src + p];
                    }
                }
                for (int j = nr; j < NR; j++) {
                    for (int p = 0; p < kc; p++) {
                        pb[dst + p * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs alpha * op(A) rows {@code [ic, ic+mc)} x columns {@code [pc, pc+kc)} into strips of MR
     * rows: element (i, p) of strip r at {@code r*kc*MR + p*MR + i}; rows past mc are zero.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc,
                      float alpha, float[] pa) {
        for (int is = 0; is < mc; is += MR) {
            int mr = Math.min(MR, mc - is);
            int dst = is * kc;
            if (!transA) {
                for (int i = 0; i < mr; i++) {
                    int src = aOff + (ic + is + i) * lda + pc;
                    for (int p = 0; p < kc; p++) {
                        pa[dst + p * MR + i] = alpha * a[src + p];
                    }
                }
            } else {
                // A stored [K, lda]: row p of A holds column p of op(A), contiguous over i.
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * lda + ic + is;
                    for (int i = 0; i < mr; i++) {
                        pa[dst + p * MR + i] = alpha * a[src + i];
                    }
                }
            }
            if (mr < MR) {
                for (int p = 0; p < kc; p++) {
                    for (int i = mr; i < MR; i++) {
                        pa[dst + p * MR + i] = 0f;
                    }
                }
            }
        }
    }

    /** All micro-tiles of one packed block pair; partial tiles go through the scratch tile. */
    static void macroKernel(int mc, int nc, int kc, float[] pa, float[] pb, float[] c, int cIdx, int ldc,
                            float[] tile, boolean overwrite) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int pbi = jr * kc;
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                int pai = ir * kc;
                int ci = cIdx + ir * ldc + jr;
                if (mr == MR && nr == NR) {
                    if (overwrite) {
                        microKernelOverwrite(kc, pa, pai, pb, pbi, c, ci, ldc);
                    } else {
                        microKernel(kc, pa, pai, pb, pbi, c, ci, ldc);
                    }
                } else {
                    if (overwrite) {
                        microKernelOverwrite(kc, pa, pai, pb, pbi, tile, 0, NR);
                    } else {
                        for (int i = 0; i < mr; i++) {
                            System.arraycopy(c, ci + i * ldc, tile, i * NR, nr);
                        }
                        microKernel(kc, pa, pai, pb, pbi, tile, 0, NR);
                    }
                    for (int i = 0; i < mr; i++) {
                        System.arraycopy(tile, i * NR, c, ci + i * ldc, nr);
                    }
                }
            }
        }
    }

    /**
     * The 6 x NR register tile: {@code C[6, NR] += Apacked[kc, 6]^T . Bpacked[kc, NR]}, C rows at
     * {@code c[ci + r*ldc]}. No branches, no calls other than intrinsics.
     */
    static void microKernel(int kc, float[] pa, int pai, float[] pb, int pbi, float[] c, int ci, int ldc) {
        int c0 = ci, c1 = ci + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
        FloatVector acc00 = FloatVector.fromArray(SPECIES, c, c0);
        FloatVector acc01 = FloatVector.fromArray(SPECIES, c, c0 + LANES);
        FloatVector acc10 = FloatVector.fromArray(SPECIES, c, c1);
        FloatVector acc11 = FloatVector.fromArray(SPECIES, c, c1 + LANES);
        FloatVector acc20 = FloatVector.fromArray(SPECIES, c, c2);
        FloatVector acc21 = FloatVector.fromArray(SPECIES, c, c2 + LANES);
        FloatVector acc30 = FloatVector.fromArray(SPECIES, c, c3);
        FloatVector acc31 = FloatVector.fromArray(SPECIES, c, c3 + LANES);
        FloatVector acc40 = FloatVector.fromArray(SPECIES, c, c4);
        FloatVector acc41 = FloatVector.fromArray(SPECIES, c, c4 + LANES);
        FloatVector acc50 = FloatVector.fromArray(SPECIES, c, c5);
        FloatVector acc51 = FloatVector.fromArray(SPECIES, c, c5 + LANES);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, pbi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, pbi + LANES);
            FloatVector av = FloatVector.broadcast(SPECIES, pa[pai]);
            acc00 = av.fma(b0, acc00);
            acc01 = av.fma(b1, acc01);
            av = FloatVector.broadcast(SPECIES, pa[pai + 1]);
            acc10 = av.fma(b0, acc10);
            acc11 = av.fma(b1, acc11);
            av = FloatVector.broadcast(SPECIES, pa[pai + 2]);
            acc20 = av.fma(b0, acc20);
            acc21 = av.fma(b1, acc21);
            av = FloatVector.broadcast(SPECIES, pa[pai + 3]);
            acc30 = av.fma(b0, acc30);
            acc31 = av.fma(b1, acc31);
            av = FloatVector.broadcast(SPECIES, pa[pai + 4]);
            acc40 = av.fma(b0, acc40);
            acc41 = av.fma(b1, acc41);
            av = FloatVector.broadcast(SPECIES, pa[pai + 5]);
            acc50 = av.fma(b0, acc50);
            acc51 = av.fma(b1, acc51);
            pai += MR;
            pbi += NR;
        }
        acc00.intoArray(c, c0);
        acc01.intoArray(c, c0 + LANES);
        acc10.intoArray(c, c1);
        acc11.intoArray(c, c1 + LANES);
        acc20.intoArray(c, c2);
        acc21.intoArray(c, c2 + LANES);
        acc30.intoArray(c, c3);
        acc31.intoArray(c, c3 + LANES);
        acc40.intoArray(c, c4);
        acc41.intoArray(c, c4 + LANES);
        acc50.intoArray(c, c5);
        acc51.intoArray(c, c5 + LANES);
    }

    /** {@link #microKernel} for the first K block when beta == 0: {@code C = Apacked^T . Bpacked}. */
    static void microKernelOverwrite(int kc, float[] pa, int pai, float[] pb, int pbi, float[] c, int ci, int ldc) {
        int c0 = ci, c1 = ci + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
        FloatVector acc00 = FloatVector.zero(SPECIES);
        FloatVector acc01 = FloatVector.zero(SPECIES);
        FloatVector acc10 = FloatVector.zero(SPECIES);
        FloatVector acc11 = FloatVector.zero(SPECIES);
        FloatVector acc20 = FloatVector.zero(SPECIES);
        FloatVector acc21 = FloatVector.zero(SPECIES);
        FloatVector acc30 = FloatVector.zero(SPECIES);
        FloatVector acc31 = FloatVector.zero(SPECIES);
        FloatVector acc40 = FloatVector.zero(SPECIES);
        FloatVector acc41 = FloatVector.zero(SPECIES);
        FloatVector acc50 = FloatVector.zero(SPECIES);
        FloatVector acc51 = FloatVector.zero(SPECIES);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, pbi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, pbi + LANES);
            FloatVector av = FloatVector.broadcast(SPECIES, pa[pai]);
            acc00 = av.fma(b0, acc00);
            acc01 = av.fma(b1, acc01);
            av = FloatVector.broadcast(SPECIES, pa[pai + 1]);
            acc10 = av.fma(b0, acc10);
            acc11 = av.fma(b1, acc11);
            av = FloatVector.broadcast(SPECIES, pa[pai + 2]);
            acc20 = av.fma(b0, acc20);
            acc21 = av.fma(b1, acc21);
            av = FloatVector.broadcast(SPECIES, pa[pai + 3]);
            acc30 = av.fma(b0, acc30);
            acc31 = av.fma(b1, acc31);
            av = FloatVector.broadcast(SPECIES, pa[pai + 4]);
            acc40 = av.fma(b0, acc40);
            acc41 = av.fma(b1, acc41);
            av = FloatVector.broadcast(SPECIES, pa[pai + 5]);
            acc50 = av.fma(b0, acc50);
            acc51 = av.fma(b1, acc51);
            pai += MR;
            pbi += NR;
        }
        acc00.intoArray(c, c0);
        acc01.intoArray(c, c0 + LANES);
        acc10.intoArray(c, c1);
        acc11.intoArray(c, c1 + LANES);
        acc20.intoArray(c, c2);
        acc21.intoArray(c, c2 + LANES);
        acc30.intoArray(c, c3);
        acc31.intoArray(c, c3 + LANES);
        acc40.intoArray(c, c4);
        acc41.intoArray(c, c4 + LANES);
        acc50.intoArray(c, c5);
        acc51.intoArray(c, c5 + LANES);
    }
}
