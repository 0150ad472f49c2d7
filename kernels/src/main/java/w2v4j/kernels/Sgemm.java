package w2v4j.kernels;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM, BLAS semantics on row-major arrays:
 * {@code C[M,N] = alpha * op(A)[M,K] . op(B)[K,N] + beta * C}. See {@link Backend#sgemm}.
 *
 * <p>GotoBLAS structure. For each {@code KC x NC} block of op(B), the block is packed into
 * k-major strips {@code NR} columns wide ({@code NR} = two vectors, 32 floats with AVX-512); for
 * each {@code MC x KC} block of op(A), the block is packed (already multiplied by alpha) into
 * k-major strips of {@code MR = 12} rows. The micro-kernel then computes a 12 x NR tile of C with 24
 * vector accumulators: per k it loads two B vectors, broadcasts twelve A values and issues 24 FMAs.
 * Packing is where the transposes, the strides ({@code lda} may be smaller than a row when rows
 * overlap) and alpha are dealt with, so the micro-kernel is one shape only.
 *
 * <p>The micro-kernel loads its C tile into the accumulators before the k loop and stores them
 * with {@code intoArray} after it. Zeroed accumulators with a load-add-store epilogue made C2 stop
 * intrinsifying some {@code fma} calls (15x slower and allocating), so beta is applied to C up
 * front instead, and partial edge tiles go through a scratch tile so that the micro-kernel has
 * no branches at all.
 *
 * <p>When K spans four or more K blocks, the C tiles are accumulated in a per-thread <em>packed
 * C</em> buffer, tile after tile in the order the macro-kernel visits them, and written to C only
 * by the last K block. Every K block revisits every C tile of its rows; in row-major C a 12 x 32
 * tile is 24 cache lines in 12 rows (12 pages apart for a wide C), which the hardware prefetchers
 * do not follow, so each revisit waits on L3 for the tile's first loads. In the packed buffer the
 * tiles are one sequential stream (K = 3072: +2% GFLOP/s in alternating A/B runs; keeping C in L1
 * altogether, a wrong-result experiment, bounds what C costs at 8-15%). The products are summed in
 * the same order either way (the accumulators round to float between K blocks in both), so
 * results are bit-identical.
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
    /** The 512-bit species of the transposing packer (used only when LANES == 16). */
    static final VectorSpecies<Float> SPECIES_16 = FloatVector.SPECIES_512;
    /**
     * The two species that copy one k-step (12 contiguous floats) of a transposed A strip (used
     * where the preferred vectors are at least 256 bits, so both are native).
     */
    static final VectorSpecies<Float> SPECIES_8 = FloatVector.SPECIES_256, SPECIES_4 = FloatVector.SPECIES_128;
    /** Rows of the micro-kernel tile. */
    static final int MR = 12;
    /** Columns of the micro-kernel tile: two vectors. */
    static final int NR = 2 * LANES;
    /** Depth of a packed block (the B strip of 256 x 32, 32 KiB, stays in L1 while A strips stream from L2). */
    static final int KC = 256;
    /** Rows of a packed A block (96 x 256 floats = 96 KiB, in L2). */
    static final int MC = 96;
    /** Columns of a packed B block (256 x 768 floats = 768 KiB, in L2). */
    static final int NC = 768;
    /**
     * Floats past the end of a packed A buffer: the transposing packer writes A's last 4 rows with
     * masked stores whose full 16-lane vector reaches 4 floats past the strip, and a masked store
     * whose vector would cross the end of the array leaves the intrinsic for a per-lane path that
     * allocates.
     */
    static final int PACK_SLACK = 16;
    /** Below this many multiply-adds the packing costs more than it saves. */
    static final long SMALL_WORK = 16L * 16 * 16 * 8;
    /** Largest A packed whole and shared by the threads (32 MiB); beyond, the splits that repack. */
    static final long SHARED_A_FLOATS = 1L << 23;
    /** Below this many multiply-adds the pool hand-off costs more than it saves. */
    static final long PARALLEL_WORK = 64L * 64 * 64;
    /**
     * Largest packed C buffer per thread (16 MiB): a column chunk with more rows of C is done in
     * passes of as many rows as fit (each pass repacks B, one float per thousands of flops).
     */
    static final int PACKED_C_FLOATS = 1 << 22;

    /** How the macro-kernel treats C. */
    static final int C_OVERWRITE = 0, C_ACCUMULATE = 1, C_PACK_FIRST = 2, C_PACK_LOAD = 3, C_PACK_MIDDLE = 4,
            C_PACK_LAST = 5;

    /** Per-thread packing buffers. Block sizes are fixed, so these never grow. */
    static final class Workspace {
        final float[] packA = new float[MC * KC + PACK_SLACK];
        final float[] packB = new float[KC * NC];
        final float[] tile = new float[MR * NR];
        /** A packed whole, shared by all threads ({@link #sharedA}); grown on demand, at most SHARED_A_FLOATS. */
        float[] sharedA = new float[0];
        /** C tiles accumulated across K blocks (see the class comment); grown on demand, at most PACKED_C_FLOATS. */
        float[] packC = new float[0];
        /** Chunk counter of this thread's parallel calls. */
        final AtomicInteger next = new AtomicInteger();
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
        if (alpha == 0f || k <= 0) {
            block(transA, transB, 0, m, 0, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        // Packing that a split repeats on every thread: splitting the columns makes each thread
        // pack all of A (once per NC block of its columns) unless A is packed once and shared;
        // splitting the rows makes each chunk pack all of B.
        long aFloats = (long) mStrips * MR * k, bFloats = (long) k * n;
        int rowChunks = Math.min(mStrips, 2 * threads);
        long colStatic = aFloats * ((n / threads + NC - 1) / NC) + bFloats / threads;
        long rows = bFloats * rowChunks / threads + aFloats / threads;
        long shared = (aFloats + bFloats) / threads;
        // A shallow product (the first convolution: K = 10) is bound by writing C; whole rows per
        // thread write it contiguously, column chunks would stride through it.
        boolean shallow = k < 64 && mStrips >= 2 * threads;
        if (!shallow && nStrips >= 2 * threads && aFloats <= SHARED_A_FLOATS && shared <= rows) {
            sharedA(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, threads);
        } else if (mStrips >= 2 * threads && (shallow || rows < colStatic || nStrips < 2 * threads)) {
            // Dynamic row chunks (a long convolution input, a narrow projection): a thread that
            // the OS holds back simply takes fewer chunks.
            int chunkRows = (mStrips + rowChunks - 1) / rowChunks * MR;
            int chunks = (m + chunkRows - 1) / chunkRows;
            AtomicInteger next = WORKSPACE.get().next;
            next.set(0);
            Parallel.forRange(threads, (t0, t1) -> {
                for (int ch = next.getAndIncrement(); ch < chunks; ch = next.getAndIncrement()) {
                    block(transA, transB, ch * chunkRows, Math.min(m, (ch + 1) * chunkRows), 0, n, k, alpha, a, aOff,
                            lda, b, bOff, ldb, beta, c, cOff, ldc);
                }
            });
        } else {
            // Static column split: every thread packs its own part of B and all of A.
            Parallel.forRange(nStrips, (s0, s1) -> block(transA, transB, 0, m, s0 * NR, Math.min(n, s1 * NR),
                    k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc));
        }
    }

    /**
     * The column split with A packed once for all threads: first the threads pack disjoint row
     * strips of A (every K block) into the caller's shared buffer, then they take chunks of
     * columns from a shared counter, each packing only its own columns of B. Every element of C is computed by one thread with
     * the same operations in the same order as in {@link #block}, so the result does not depend
     * on who took which chunk.
     */
    static void sharedA(boolean transA, boolean transB, int m, int n, int k, float alpha,
                        float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                        float beta, float[] c, int cOff, int ldc, int threads) {
        Workspace caller = WORKSPACE.get();
        int mPad = roundUp(m, MR);
        if (caller.sharedA.length < mPad * k + PACK_SLACK) {
            caller.sharedA = new float[mPad * k + PACK_SLACK];
        }
        float[] pa = caller.sharedA;
        int mStrips = mPad / MR;
        Parallel.forRange(mStrips, (s0, s1) -> {
            int ic = s0 * MR, mc = Math.min(m, s1 * MR) - ic;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packA(transA, a, aOff, lda, ic, mc, pc, kc, alpha, pa, pc * mPad + ic * kc);
            }
        });
        int nStrips = (n + NR - 1) / NR;
        // One chunk per thread (up to NC columns): every chunk streams all of packed A from L3,
        // so more, smaller chunks balanced a loaded machine better but cost ~5% on a quiet one.
        int chunkCols = Math.min(NC, Math.max(1, (nStrips + threads - 1) / threads) * NR);
        int chunks = (n + chunkCols - 1) / chunkCols;
        AtomicInteger next = caller.next;
        next.set(0);
        boolean overwrite = beta == 0f;
        Parallel.forRange(threads, (t0, t1) -> {
            Workspace ws = WORKSPACE.get();
            for (int ch = next.getAndIncrement(); ch < chunks; ch = next.getAndIncrement()) {
                int jc = ch * chunkCols, nc = Math.min(n, jc + chunkCols) - jc;
                if (!overwrite) {
                    scaleC(beta, c, cOff, ldc, 0, m, jc, jc + nc);
                }
                int passRows = passRows(m, nc, k, ws), ncPad = roundUp(nc, NR);
                for (int m0 = 0; m0 < m; m0 += passRows) {
                    int m1 = Math.min(m, m0 + passRows);
                    for (int pc = 0; pc < k; pc += KC) {
                        int kc = Math.min(KC, k - pc);
                        packB(transB, b, bOff, ldb, pc, kc, jc, nc, ws.packB);
                        int mode = cMode(pc, kc, k, overwrite);
                        for (int ic = m0; ic < m1; ic += MC) {
                            macroKernel(Math.min(MC, m1 - ic), nc, kc, pa, pc * mPad + ic * kc, ws.packB, c,
                                    cOff + ic * ldc + jc, ldc, ws, (ic - m0) * ncPad, mode);
                        }
                    }
                }
            }
        });
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
        float[] pa = ws.packA, pb = ws.packB;
        for (int jc = n0; jc < n1; jc += NC) {
            int nc = Math.min(NC, n1 - jc);
            int passRows = passRows(m1 - m0, nc, k, ws), ncPad = roundUp(nc, NR);
            for (int r0 = m0; r0 < m1; r0 += passRows) {
                int r1 = Math.min(m1, r0 + passRows);
                for (int pc = 0; pc < k; pc += KC) {
                    int kc = Math.min(KC, k - pc);
                    packB(transB, b, bOff, ldb, pc, kc, jc, nc, pb);
                    int mode = cMode(pc, kc, k, overwrite);
                    for (int ic = r0; ic < r1; ic += MC) {
                        int mc = Math.min(MC, r1 - ic);
                        packA(transA, a, aOff, lda, ic, mc, pc, kc, alpha, pa, 0);
                        macroKernel(mc, nc, kc, pa, 0, pb, c, cOff + ic * ldc + jc, ldc, ws, (ic - r0) * ncPad, mode);
                    }
                }
            }
        }
    }

    static int roundUp(int x, int to) {
        return (x + to - 1) / to * to;
    }

    /**
     * Whether the C tiles go through the packed C buffer: from four K blocks on. With two or three
     * the extra copy of each tile to C costs about what the revisits of C save (alternating A/B
     * runs: -4% to +1% on the BASE shapes with K = 500 and 768, +2% with K = 3072).
     */
    static boolean packsC(int k) {
        return k > 3 * KC;
    }

    /** What the K block at {@code pc} does with C: see {@link #macroKernel}. */
    static int cMode(int pc, int kc, int k, boolean overwrite) {
        boolean first = pc == 0, last = pc + kc >= k;
        if (!packsC(k)) {
            return first && overwrite ? C_OVERWRITE : C_ACCUMULATE;
        }
        return first ? (overwrite ? C_PACK_FIRST : C_PACK_LOAD) : last ? C_PACK_LAST : C_PACK_MIDDLE;
    }

    /**
     * Rows of C per pass of the K loop over a chunk {@code nc} columns wide: all of them when C is
     * not packed, else as many as the packed C buffer holds (a multiple of MC, so the shared A's
     * row strips line up); grows the thread's buffer to that size.
     */
    static int passRows(int rows, int nc, int k, Workspace ws) {
        if (!packsC(k)) {
            return Math.max(rows, 1);
        }
        int ncPad = roundUp(nc, NR);
        int pass = Math.min(roundUp(rows, MC), Math.max(MC, PACKED_C_FLOATS / ncPad / MC * MC));
        if (ws.packC.length < pass * ncPad) {
            ws.packC = new float[pass * ncPad];
        }
        return pass;
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
                // B stored [N, ldb]: column j of op(B) is a contiguous row of B, so a strip is a
                // transpose of 32 rows, done 8 rows x 16 k-steps at a time in registers.
                int src = bOff + (jc + js) * ldb + pc;
                if (nr == NR) {
                    int kv = LANES == 16 ? kc & ~15 : 0;
                    for (int h = 0; h < NR; h += 16) {
                        for (int p = 0; p < kv; p += 16) {
                            transpose8x16(b, src + h * ldb + p, ldb, 8, 1f, pb, dst + p * NR + h, NR);
                            transpose8x16(b, src + (h + 8) * ldb + p, ldb, 8, 1f, pb, dst + p * NR + h + 8, NR);
                        }
                        int l = ldb, s0 = src + h * ldb;
                        for (int p = kv; p < kc; p++) {
                            int d = dst + p * NR + h, sp = s0 + p;
                            pb[d] = b[sp];
                            pb[d + 1] = b[sp + l];
                            pb[d + 2] = b[sp + 2 * l];
                            pb[d + 3] = b[sp + 3 * l];
                            pb[d + 4] = b[sp + 4 * l];
                            pb[d + 5] = b[sp + 5 * l];
                            pb[d + 6] = b[sp + 6 * l];
                            pb[d + 7] = b[sp + 7 * l];
                            pb[d + 8] = b[sp + 8 * l];
                            pb[d + 9] = b[sp + 9 * l];
                            pb[d + 10] = b[sp + 10 * l];
                            pb[d + 11] = b[sp + 11 * l];
                            pb[d + 12] = b[sp + 12 * l];
                            pb[d + 13] = b[sp + 13 * l];
                            pb[d + 14] = b[sp + 14 * l];
                            pb[d + 15] = b[sp + 15 * l];
                        }
                    }
                } else {
                    for (int p = 0; p < kc; p++, dst += NR) {
                        int sp = src + p;
                        for (int j = 0; j < nr; j++) {
                            pb[dst + j] = b[sp + j * ldb];
                        }
                        for (int j = nr; j < NR; j++) {
                            pb[dst + j] = 0f;
                        }
                    }
                }
            }
        }
    }

    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;

    /**
     * Index vectors of the butterfly transpose, 16 ints each: for stage h (1, 2, 4 at offsets 0,
     * 32, 64) first the lo then the hi row of a pair. Stage h exchanges bit h of the row index
     * with bit h of the lane index: lane c of the lo row is lane c of itself where bit h of c is
     * clear, else lane c - h of the hi row (lanes 16-31 of the two-vector select); the hi row the
     * other way round.
     */
    private static final int[] BUTTERFLY = butterflies();

    private static int[] butterflies() {
        int[] idx = new int[6 * 16];
        int o = 0;
        for (int h = 1; h <= 4; h <<= 1, o += 32) {
            for (int c = 0; c < 16; c++) {
                idx[o + c] = (c & h) == 0 ? c : 16 + c - h;
                idx[o + 16 + c] = (c & h) == 0 ? c + h : 16 + c;
            }
        }
        return idx;
    }

    /**
     * Transposes {@code alpha * b[src + r*ldb + q]} (r < rows <= 8, q < 16) into
     * {@code out[dst + q*stride + r]}: 16 k-steps of 8 rows of a packed strip (8 of B's 32
     * columns, or 8 or the last 4 of A's 12 rows). Three butterfly stages exchange the low three
     * bits of row and lane, after which vector i holds k-step i in lanes 0-7 and k-step 8 + i in
     * lanes 8-15; masked stores put each half in place. 24 permutes per 128 floats; the scalar
     * copy, reading 16 rows in step, took ~1.7x as long and was ~10% of a linear's time.
     *
     * <p>Kept this small on purpose: a 16-row version (64 permutes, 16 live vectors) made C1 run
     * out of virtual registers, the tiered policy then never reached C2 in some runs, and the
     * uncompiled Vector API code boxed every vector (gigabytes per forward pass). No helper
     * methods either: a call that C2 does not inline boxes the vectors passed to it. Index vectors
     * are loaded here rather than kept in static fields, whose constant boxes C2 does not
     * intrinsify. Needs 512-bit vectors.
     */
    static void transpose8x16(float[] b, int src, int ldb, int rows, float alpha, float[] out, int dst, int stride) {
        IntVector zero = IntVector.zero(INTS);
        IntVector r0 = FloatVector.fromArray(SPECIES_16, b, src).mul(alpha).reinterpretAsInts();
        IntVector r1 = 1 < rows ? FloatVector.fromArray(SPECIES_16, b, src + ldb).mul(alpha).reinterpretAsInts() : zero;
        IntVector r2 = 2 < rows ? FloatVector.fromArray(SPECIES_16, b, src + 2 * ldb).mul(alpha).reinterpretAsInts() : zero;
        IntVector r3 = 3 < rows ? FloatVector.fromArray(SPECIES_16, b, src + 3 * ldb).mul(alpha).reinterpretAsInts() : zero;
        IntVector r4 = 4 < rows ? FloatVector.fromArray(SPECIES_16, b, src + 4 * ldb).mul(alpha).reinterpretAsInts() : zero;
        IntVector r5 = 5 < rows ? FloatVector.fromArray(SPECIES_16, b, src + 5 * ldb).mul(alpha).reinterpretAsInts() : zero;
        IntVector r6 = 6 < rows ? FloatVector.fromArray(SPECIES_16, b, src + 6 * ldb).mul(alpha).reinterpretAsInts() : zero;
        IntVector r7 = 7 < rows ? FloatVector.fromArray(SPECIES_16, b, src + 7 * ldb).mul(alpha).reinterpretAsInts() : zero;
        IntVector t, lo, hi;
        lo = IntVector.fromArray(INTS, BUTTERFLY, 0);
        hi = IntVector.fromArray(INTS, BUTTERFLY, 16);
        t = lo.selectFrom(r0, r1); r1 = hi.selectFrom(r0, r1); r0 = t;
        t = lo.selectFrom(r2, r3); r3 = hi.selectFrom(r2, r3); r2 = t;
        t = lo.selectFrom(r4, r5); r5 = hi.selectFrom(r4, r5); r4 = t;
        t = lo.selectFrom(r6, r7); r7 = hi.selectFrom(r6, r7); r6 = t;
        lo = IntVector.fromArray(INTS, BUTTERFLY, 32);
        hi = IntVector.fromArray(INTS, BUTTERFLY, 48);
        t = lo.selectFrom(r0, r2); r2 = hi.selectFrom(r0, r2); r0 = t;
        t = lo.selectFrom(r1, r3); r3 = hi.selectFrom(r1, r3); r1 = t;
        t = lo.selectFrom(r4, r6); r6 = hi.selectFrom(r4, r6); r4 = t;
        t = lo.selectFrom(r5, r7); r7 = hi.selectFrom(r5, r7); r5 = t;
        lo = IntVector.fromArray(INTS, BUTTERFLY, 64);
        hi = IntVector.fromArray(INTS, BUTTERFLY, 80);
        t = lo.selectFrom(r0, r4); r4 = hi.selectFrom(r0, r4); r0 = t;
        t = lo.selectFrom(r1, r5); r5 = hi.selectFrom(r1, r5); r1 = t;
        t = lo.selectFrom(r2, r6); r6 = hi.selectFrom(r2, r6); r2 = t;
        t = lo.selectFrom(r3, r7); r7 = hi.selectFrom(r3, r7); r3 = t;
        // Lanes 0..rows-1 go to k-step i, lanes 8..8+rows-1 to k-step 8 + i (stored from 8 floats earlier).
        long rowBits = (1L << rows) - 1;
        VectorMask<Float> first = VectorMask.fromLong(SPECIES_16, rowBits), second = VectorMask.fromLong(SPECIES_16, rowBits << 8);
        int up = dst + 8 * stride - 8;
        r0.reinterpretAsFloats().intoArray(out, dst, first);
        r0.reinterpretAsFloats().intoArray(out, up, second);
        r1.reinterpretAsFloats().intoArray(out, dst + stride, first);
        r1.reinterpretAsFloats().intoArray(out, up + stride, second);
        r2.reinterpretAsFloats().intoArray(out, dst + 2 * stride, first);
        r2.reinterpretAsFloats().intoArray(out, up + 2 * stride, second);
        r3.reinterpretAsFloats().intoArray(out, dst + 3 * stride, first);
        r3.reinterpretAsFloats().intoArray(out, up + 3 * stride, second);
        r4.reinterpretAsFloats().intoArray(out, dst + 4 * stride, first);
        r4.reinterpretAsFloats().intoArray(out, up + 4 * stride, second);
        r5.reinterpretAsFloats().intoArray(out, dst + 5 * stride, first);
        r5.reinterpretAsFloats().intoArray(out, up + 5 * stride, second);
        r6.reinterpretAsFloats().intoArray(out, dst + 6 * stride, first);
        r6.reinterpretAsFloats().intoArray(out, up + 6 * stride, second);
        r7.reinterpretAsFloats().intoArray(out, dst + 7 * stride, first);
        r7.reinterpretAsFloats().intoArray(out, up + 7 * stride, second);
    }

    /**
     * Packs alpha * op(A) rows {@code [ic, ic+mc)} x columns {@code [pc, pc+kc)} into strips of MR
     * rows: element (i, p) of strip r at {@code r*kc*MR + p*MR + i}; rows past mc are zero.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc,
                      float alpha, float[] pa, int paOff) {
        for (int is = 0; is < mc; is += MR) {
            int mr = Math.min(MR, mc - is);
            int dst = paOff + is * kc;
            if (!transA) {
                // Rows of A are contiguous over p; p outside keeps the writes to pa contiguous.
                int src = aOff + (ic + is) * lda + pc;
                if (mr == MR) {
                    // 16 k-steps at a time through the register transpose, the rest unrolled
                    // (every index linear in p, so C2 hoists all range checks out of the loop).
                    int kv = LANES == 16 ? kc & ~15 : 0;
                    for (int p = 0; p < kv; p += 16) {
                        transpose8x16(a, src + p, lda, 8, alpha, pa, dst + p * MR, MR);
                        transpose8x16(a, src + 8 * lda + p, lda, MR - 8, alpha, pa, dst + p * MR + 8, MR);
                    }
                    int l = lda;
                    for (int p = kv; p < kc; p++) {
                        int d = dst + p * MR, sp = src + p;
                        pa[d] = alpha * a[sp];
                        pa[d + 1] = alpha * a[sp + l];
                        pa[d + 2] = alpha * a[sp + 2 * l];
                        pa[d + 3] = alpha * a[sp + 3 * l];
                        pa[d + 4] = alpha * a[sp + 4 * l];
                        pa[d + 5] = alpha * a[sp + 5 * l];
                        pa[d + 6] = alpha * a[sp + 6 * l];
                        pa[d + 7] = alpha * a[sp + 7 * l];
                        pa[d + 8] = alpha * a[sp + 8 * l];
                        pa[d + 9] = alpha * a[sp + 9 * l];
                        pa[d + 10] = alpha * a[sp + 10 * l];
                        pa[d + 11] = alpha * a[sp + 11 * l];
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        int d = dst + p * MR, sp = src + p;
                        for (int i = 0; i < mr; i++) {
                            pa[d + i] = alpha * a[sp + i * lda];
                        }
                    }
                }
            } else {
                // A stored [K, lda]: row p of A holds column p of op(A), contiguous over i.
                int src = aOff + pc * lda + ic + is;
                if (mr == MR && LANES >= 8) {
                    // 12 contiguous floats per k-step: an 8-lane and a 4-lane vector, no masks.
                    for (int p = 0; p < kc; p++) {
                        int d = dst + p * MR, sp = src + p * lda;
                        FloatVector.fromArray(SPECIES_8, a, sp).mul(alpha).intoArray(pa, d);
                        FloatVector.fromArray(SPECIES_4, a, sp + 8).mul(alpha).intoArray(pa, d + 8);
                    }
                } else if (mr == MR) {
                    for (int p = 0; p < kc; p++) {
                        int d = dst + p * MR, sp = src + p * lda;
                        for (int i = 0; i < MR; i++) {
                            pa[d + i] = alpha * a[sp + i];
                        }
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        int sp = src + p * lda;
                        for (int i = 0; i < mr; i++) {
                            pa[dst + p * MR + i] = alpha * a[sp + i];
                        }
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

    /**
     * All micro-tiles of one packed block pair. {@code mode} says where each tile's accumulators
     * start and end: {@link #C_OVERWRITE} zero to C, {@link #C_ACCUMULATE} C to C (K is one block);
     * with several K blocks the tile lives in the packed C buffer ({@code ws.packC} from
     * {@code pcOff}, tiles in visiting order) from the first block, starting at zero
     * ({@link #C_PACK_FIRST}) or at C ({@link #C_PACK_LOAD}), through the middle ones
     * ({@link #C_PACK_MIDDLE}), to the last, which writes C ({@link #C_PACK_LAST}). Partial tiles of
     * C go through the scratch tile.
     */
    static void macroKernel(int mc, int nc, int kc, float[] pa, int paOff, float[] pb, float[] c, int cIdx, int ldc,
                            Workspace ws, int pcOff, int mode) {
        float[] tile = ws.tile, packC = ws.packC;
        int mcPad = roundUp(mc, MR);
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr);
            int pbi = jr * kc;
            for (int ir = 0; ir < mc; ir += MR) {
                int mr = Math.min(MR, mc - ir);
                int pai = paOff + ir * kc;
                int ci = cIdx + ir * ldc + jr;
                int ti = pcOff + jr * mcPad + ir * NR;
                boolean full = mr == MR && nr == NR;
                switch (mode) {
                    case C_PACK_FIRST -> microKernelOverwrite(kc, pa, pai, pb, pbi, packC, ti, NR);
                    case C_PACK_MIDDLE -> microKernel(kc, pa, pai, pb, pbi, packC, ti, NR);
                    case C_PACK_LOAD -> {
                        copyTile(c, ci, ldc, packC, ti, NR, mr, nr);
                        microKernel(kc, pa, pai, pb, pbi, packC, ti, NR);
                    }
                    case C_PACK_LAST -> {
                        // A kernel that loads the packed tile and stores C directly measured no faster.
                        microKernel(kc, pa, pai, pb, pbi, packC, ti, NR);
                        copyTile(packC, ti, NR, c, ci, ldc, mr, nr);
                    }
                    case C_OVERWRITE -> {
                        if (full) {
                            microKernelOverwrite(kc, pa, pai, pb, pbi, c, ci, ldc);
                        } else {
                            microKernelOverwrite(kc, pa, pai, pb, pbi, tile, 0, NR);
                            copyTile(tile, 0, NR, c, ci, ldc, mr, nr);
                        }
                    }
                    default -> {
                        if (full) {
                            microKernel(kc, pa, pai, pb, pbi, c, ci, ldc);
                        } else {
                            copyTile(c, ci, ldc, tile, 0, NR, mr, nr);
                            microKernel(kc, pa, pai, pb, pbi, tile, 0, NR);
                            copyTile(tile, 0, NR, c, ci, ldc, mr, nr);
                        }
                    }
                }
            }
        }
    }

    /** Copies the top-left {@code mr x nr} of a tile between two row-major layouts. */
    static void copyTile(float[] src, int si, int lds, float[] dst, int di, int ldd, int mr, int nr) {
        for (int i = 0; i < mr; i++) {
            System.arraycopy(src, si + i * lds, dst, di + i * ldd, nr);
        }
    }

    /**
     * The 12 x NR register tile: {@code C[12, NR] += Apacked[kc, 12]^T . Bpacked[kc, NR]}, C rows at
     * {@code c[ci + r*ldc]} (a tile of C, of the scratch tile or of the packed C buffer).
     * 24 accumulators + 2 B vectors + 1 broadcast = 27 of the 32 zmm
     * registers; per k, 14 loads feed 24 FMAs, so the two FMA ports, not the loads, set the pace
     * (12 x 32 measured 10-20% faster than 6 x 32 in L1; 14 x 32 spills and falls off a cliff).
     * Indices are linear in the loop variable so that C2 hoists the range checks. No branches,
     * no calls other than intrinsics. (A variant that loads from one tile and stores to another ran
     * 7-13% slower, even when both were the same tile.)
     */
    static void microKernel(int kc, float[] pa, int pai, float[] pb, int pbi, float[] c, int ci, int ldc) {
        FloatVector a00 = FloatVector.fromArray(SPECIES, c, ci + 0 * ldc), a01 = FloatVector.fromArray(SPECIES, c, ci + 0 * ldc + LANES);
        FloatVector a10 = FloatVector.fromArray(SPECIES, c, ci + 1 * ldc), a11 = FloatVector.fromArray(SPECIES, c, ci + 1 * ldc + LANES);
        FloatVector a20 = FloatVector.fromArray(SPECIES, c, ci + 2 * ldc), a21 = FloatVector.fromArray(SPECIES, c, ci + 2 * ldc + LANES);
        FloatVector a30 = FloatVector.fromArray(SPECIES, c, ci + 3 * ldc), a31 = FloatVector.fromArray(SPECIES, c, ci + 3 * ldc + LANES);
        FloatVector a40 = FloatVector.fromArray(SPECIES, c, ci + 4 * ldc), a41 = FloatVector.fromArray(SPECIES, c, ci + 4 * ldc + LANES);
        FloatVector a50 = FloatVector.fromArray(SPECIES, c, ci + 5 * ldc), a51 = FloatVector.fromArray(SPECIES, c, ci + 5 * ldc + LANES);
        FloatVector a60 = FloatVector.fromArray(SPECIES, c, ci + 6 * ldc), a61 = FloatVector.fromArray(SPECIES, c, ci + 6 * ldc + LANES);
        FloatVector a70 = FloatVector.fromArray(SPECIES, c, ci + 7 * ldc), a71 = FloatVector.fromArray(SPECIES, c, ci + 7 * ldc + LANES);
        FloatVector a80 = FloatVector.fromArray(SPECIES, c, ci + 8 * ldc), a81 = FloatVector.fromArray(SPECIES, c, ci + 8 * ldc + LANES);
        FloatVector a90 = FloatVector.fromArray(SPECIES, c, ci + 9 * ldc), a91 = FloatVector.fromArray(SPECIES, c, ci + 9 * ldc + LANES);
        FloatVector a100 = FloatVector.fromArray(SPECIES, c, ci + 10 * ldc), a101 = FloatVector.fromArray(SPECIES, c, ci + 10 * ldc + LANES);
        FloatVector a110 = FloatVector.fromArray(SPECIES, c, ci + 11 * ldc), a111 = FloatVector.fromArray(SPECIES, c, ci + 11 * ldc + LANES);
        for (int p = 0; p < kc; p++) {
            int ia = pai + p * MR, ib = pbi + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, ib);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, ib + LANES);
            FloatVector av;
            av = FloatVector.broadcast(SPECIES, pa[ia + 0]);
            a00 = av.fma(b0, a00);
            a01 = av.fma(b1, a01);
            av = FloatVector.broadcast(SPECIES, pa[ia + 1]);
            a10 = av.fma(b0, a10);
            a11 = av.fma(b1, a11);
            av = FloatVector.broadcast(SPECIES, pa[ia + 2]);
            a20 = av.fma(b0, a20);
            a21 = av.fma(b1, a21);
            av = FloatVector.broadcast(SPECIES, pa[ia + 3]);
            a30 = av.fma(b0, a30);
            a31 = av.fma(b1, a31);
            av = FloatVector.broadcast(SPECIES, pa[ia + 4]);
            a40 = av.fma(b0, a40);
            a41 = av.fma(b1, a41);
            av = FloatVector.broadcast(SPECIES, pa[ia + 5]);
            a50 = av.fma(b0, a50);
            a51 = av.fma(b1, a51);
            av = FloatVector.broadcast(SPECIES, pa[ia + 6]);
            a60 = av.fma(b0, a60);
            a61 = av.fma(b1, a61);
            av = FloatVector.broadcast(SPECIES, pa[ia + 7]);
            a70 = av.fma(b0, a70);
            a71 = av.fma(b1, a71);
            av = FloatVector.broadcast(SPECIES, pa[ia + 8]);
            a80 = av.fma(b0, a80);
            a81 = av.fma(b1, a81);
            av = FloatVector.broadcast(SPECIES, pa[ia + 9]);
            a90 = av.fma(b0, a90);
            a91 = av.fma(b1, a91);
            av = FloatVector.broadcast(SPECIES, pa[ia + 10]);
            a100 = av.fma(b0, a100);
            a101 = av.fma(b1, a101);
            av = FloatVector.broadcast(SPECIES, pa[ia + 11]);
            a110 = av.fma(b0, a110);
            a111 = av.fma(b1, a111);
        }
        a00.intoArray(c, ci + 0 * ldc);
        a01.intoArray(c, ci + 0 * ldc + LANES);
        a10.intoArray(c, ci + 1 * ldc);
        a11.intoArray(c, ci + 1 * ldc + LANES);
        a20.intoArray(c, ci + 2 * ldc);
        a21.intoArray(c, ci + 2 * ldc + LANES);
        a30.intoArray(c, ci + 3 * ldc);
        a31.intoArray(c, ci + 3 * ldc + LANES);
        a40.intoArray(c, ci + 4 * ldc);
        a41.intoArray(c, ci + 4 * ldc + LANES);
        a50.intoArray(c, ci + 5 * ldc);
        a51.intoArray(c, ci + 5 * ldc + LANES);
        a60.intoArray(c, ci + 6 * ldc);
        a61.intoArray(c, ci + 6 * ldc + LANES);
        a70.intoArray(c, ci + 7 * ldc);
        a71.intoArray(c, ci + 7 * ldc + LANES);
        a80.intoArray(c, ci + 8 * ldc);
        a81.intoArray(c, ci + 8 * ldc + LANES);
        a90.intoArray(c, ci + 9 * ldc);
        a91.intoArray(c, ci + 9 * ldc + LANES);
        a100.intoArray(c, ci + 10 * ldc);
        a101.intoArray(c, ci + 10 * ldc + LANES);
        a110.intoArray(c, ci + 11 * ldc);
        a111.intoArray(c, ci + 11 * ldc + LANES);
    }

    /**
     * {@link #microKernel} for the first K block when beta == 0: accumulators start at zero and C
     * is only written. (The zero start is fine for C2 here, unlike a zero start followed by a
     * load-add-store epilogue, see the class comment.)
     */
    static void microKernelOverwrite(int kc, float[] pa, int pai, float[] pb, int pbi, float[] c, int ci, int ldc) {
        FloatVector a00 = FloatVector.zero(SPECIES), a01 = a00;
        FloatVector a10 = FloatVector.zero(SPECIES), a11 = a10;
        FloatVector a20 = FloatVector.zero(SPECIES), a21 = a20;
        FloatVector a30 = FloatVector.zero(SPECIES), a31 = a30;
        FloatVector a40 = FloatVector.zero(SPECIES), a41 = a40;
        FloatVector a50 = FloatVector.zero(SPECIES), a51 = a50;
        FloatVector a60 = FloatVector.zero(SPECIES), a61 = a60;
        FloatVector a70 = FloatVector.zero(SPECIES), a71 = a70;
        FloatVector a80 = FloatVector.zero(SPECIES), a81 = a80;
        FloatVector a90 = FloatVector.zero(SPECIES), a91 = a90;
        FloatVector a100 = FloatVector.zero(SPECIES), a101 = a100;
        FloatVector a110 = FloatVector.zero(SPECIES), a111 = a110;
        for (int p = 0; p < kc; p++) {
            int ia = pai + p * MR, ib = pbi + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, ib);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, ib + LANES);
            FloatVector av;
            av = FloatVector.broadcast(SPECIES, pa[ia + 0]);
            a00 = av.fma(b0, a00);
            a01 = av.fma(b1, a01);
            av = FloatVector.broadcast(SPECIES, pa[ia + 1]);
            a10 = av.fma(b0, a10);
            a11 = av.fma(b1, a11);
            av = FloatVector.broadcast(SPECIES, pa[ia + 2]);
            a20 = av.fma(b0, a20);
            a21 = av.fma(b1, a21);
            av = FloatVector.broadcast(SPECIES, pa[ia + 3]);
            a30 = av.fma(b0, a30);
            a31 = av.fma(b1, a31);
            av = FloatVector.broadcast(SPECIES, pa[ia + 4]);
            a40 = av.fma(b0, a40);
            a41 = av.fma(b1, a41);
            av = FloatVector.broadcast(SPECIES, pa[ia + 5]);
            a50 = av.fma(b0, a50);
            a51 = av.fma(b1, a51);
            av = FloatVector.broadcast(SPECIES, pa[ia + 6]);
            a60 = av.fma(b0, a60);
            a61 = av.fma(b1, a61);
            av = FloatVector.broadcast(SPECIES, pa[ia + 7]);
            a70 = av.fma(b0, a70);
            a71 = av.fma(b1, a71);
            av = FloatVector.broadcast(SPECIES, pa[ia + 8]);
            a80 = av.fma(b0, a80);
            a81 = av.fma(b1, a81);
            av = FloatVector.broadcast(SPECIES, pa[ia + 9]);
            a90 = av.fma(b0, a90);
            a91 = av.fma(b1, a91);
            av = FloatVector.broadcast(SPECIES, pa[ia + 10]);
            a100 = av.fma(b0, a100);
            a101 = av.fma(b1, a101);
            av = FloatVector.broadcast(SPECIES, pa[ia + 11]);
            a110 = av.fma(b0, a110);
            a111 = av.fma(b1, a111);
        }
        a00.intoArray(c, ci + 0 * ldc);
        a01.intoArray(c, ci + 0 * ldc + LANES);
        a10.intoArray(c, ci + 1 * ldc);
        a11.intoArray(c, ci + 1 * ldc + LANES);
        a20.intoArray(c, ci + 2 * ldc);
        a21.intoArray(c, ci + 2 * ldc + LANES);
        a30.intoArray(c, ci + 3 * ldc);
        a31.intoArray(c, ci + 3 * ldc + LANES);
        a40.intoArray(c, ci + 4 * ldc);
        a41.intoArray(c, ci + 4 * ldc + LANES);
        a50.intoArray(c, ci + 5 * ldc);
        a51.intoArray(c, ci + 5 * ldc + LANES);
        a60.intoArray(c, ci + 6 * ldc);
        a61.intoArray(c, ci + 6 * ldc + LANES);
        a70.intoArray(c, ci + 7 * ldc);
        a71.intoArray(c, ci + 7 * ldc + LANES);
        a80.intoArray(c, ci + 8 * ldc);
        a81.intoArray(c, ci + 8 * ldc + LANES);
        a90.intoArray(c, ci + 9 * ldc);
        a91.intoArray(c, ci + 9 * ldc + LANES);
        a100.intoArray(c, ci + 10 * ldc);
        a101.intoArray(c, ci + 10 * ldc + LANES);
        a110.intoArray(c, ci + 11 * ldc);
        a111.intoArray(c, ci + 11 * ldc + LANES);
    }
}
