package w2v4j.kernels;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Multi-head scaled dot-product attention with a key padding mask, see {@link Backend#attention}.
 * {@code q, k, v, out} are {@code [batch, t, heads*headDim]}; head h of frame i is the slice
 * {@code [h*headDim, (h+1)*headDim)} of row i, so a head is a strided matrix with row stride
 * {@code heads*headDim} that Sgemm reads in place (no copies).
 *
 * <p>The parallel loop runs over (batch item, head, tile of {@link #TILE} query rows). Per item:
 * {@code S = scale * Q_tile . K_valid^T} ({@code [rows, L]}, L = validLength[b]), softmax per row,
 * {@code out_tile = S . V_valid}. Masked keys (j >= L) are left out of S altogether, which is
 * exactly PyTorch's -inf mask (they get weight zero). Memory is O(TILE * t) per thread (a
 * reused thread-local score buffer), never a {@code batch*heads*t*t} tensor. A batch item with
 * L == 0 has nothing to attend to; its output rows are zero.
 *
 * <p>Training: the forward can also save each score row's log-sum-exp ({@code lse}, index
 * {@code (b*heads + h)*t + i}), and the backward recomputes the probabilities
 * {@code P = exp(scale * Q K^T - lse)} tile by tile instead of storing them (FlashAttention's
 * trade: one extra GEMM against B*H*T*T floats of memory). Per (b, h), query tiles run in order
 * on one thread, because every tile adds into the same dK and dV rows:
 * {@code dV += P^T dO}, {@code dP = dO V^T}, {@code dS = P o (dP - rowsum(dO o O))},
 * {@code dQ += scale * dS K}, {@code dK += scale * dS^T Q}. Masked keys get no gradient.
 */
public final class Attention {

    /**
     * Query rows per task, a multiple of Sgemm's 6-row micro-tile. K and V are packed once per tile,
     * so larger tiles amortise that better; 192*t floats of scores (1.5 MB at t = 2000) still fit in L2.
     */
    static final int TILE = 192;

    private static final ThreadLocal<float[][]> SCORES = ThreadLocal.withInitial(() -> new float[1][0]);
    /** Backward scratch per thread: [0] P, [1] dP then dS, each {@code TILE x t}. */
    private static final ThreadLocal<float[][]> BACKWARD = ThreadLocal.withInitial(() -> new float[2][0]);
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Attention() {
    }

    public static void attention(float[] out, float[] q, float[] k, float[] v, int batch, int t, int heads,
                                 int headDim, int[] validLength) {
        attention(out, q, k, v, batch, t, heads, headDim, validLength, null);
    }

    /**
     * Also saves the log-sum-exp of every score row into {@code lse [batch*heads*t]} when non-null
     * (0 for the rows of an item with no valid key).
     */
    public static void attention(float[] out, float[] q, float[] k, float[] v, int batch, int t, int heads,
                                 int headDim, int[] validLength, float[] lse) {
        int tiles = (t + TILE - 1) / TILE;
        Parallel.forRange(batch * heads * tiles, (w0, w1) -> {
            for (int w = w0; w < w1; w++) {
                int b = w / (heads * tiles), h = (w / tiles) % heads, tile = w % tiles;
                tile(out, q, k, v, t, heads, headDim, validLength(validLength, b, t), b, h, tile * TILE,
                        Math.min(TILE, t - tile * TILE), lse);
            }
        });
    }

    static int validLength(int[] validLength, int b, int t) {
        return validLength == null ? t : Math.max(0, Math.min(t, validLength[b]));
    }

    /** Query rows {@code [i0, i0+rows)} of head h of batch item b, attending to keys {@code [0, len)}. */
    static void tile(float[] out, float[] q, float[] k, float[] v, int t, int heads, int headDim, int len,
                     int b, int h, int i0, int rows, float[] lse) {
        int d = heads * headDim;
        int base = b * t * d + h * headDim;
        if (len == 0) {
            for (int i = 0; i < rows; i++) {
                Arrays.fill(out, base + (i0 + i) * d, base + (i0 + i) * d + headDim, 0f);
            }
            if (lse != null) {
                Arrays.fill(lse, (b * heads + h) * t + i0, (b * heads + h) * t + i0 + rows, 0f);
            }
            return;
        }
        float[][] holder = SCORES.get();
        if (holder[0].length < TILE * t) {
            holder[0] = new float[TILE * t];
        }
        float[] s = holder[0];
        float scale = (float) (1.0 / Math.sqrt(headDim));
        Sgemm.sgemmSerial(false, true, rows, len, headDim, scale, q, base + i0 * d, d, k, base, d,
                0f, s, 0, len);
        for (int i = 0; i < rows; i++) {
            float l = Softmax.softmax(s, i * len, len);
            if (lse != null) {
                lse[(b * heads + h) * t + i0 + i] = l;
            }
        }
        Sgemm.sgemmSerial(false, false, rows, headDim, len, 1f, s, 0, len, v, base, d,
                0f, out, base + i0 * d, d);
    }

    /**
     * Accumulates the gradients of {@link #attention} into {@code dQ, dK, dV} (each may be null),
     * given {@code dOut}, the inputs, the forward's {@code out} and {@code lse}. All
     * {@code [batch, t, heads*headDim]} except {@code lse}.
     */
    public static void attentionBackward(float[] dQ, float[] dK, float[] dV, float[] dOut, float[] q, float[] k,
                                         float[] v, float[] out, float[] lse, int batch, int t, int heads,
                                         int headDim, int[] validLength) {
        Parallel.forRange(batch * heads, (w0, w1) -> {
            for (int w = w0; w < w1; w++) {
                int b = w / heads, h = w % heads, len = validLength(validLength, b, t);
                for (int i0 = 0; len > 0 && i0 < t; i0 += TILE) {
                    tileBackward(dQ, dK, dV, dOut, q, k, v, out, lse, t, heads, headDim, len, b, h, i0,
                            Math.min(TILE, t - i0));
                }
            }
        });
    }

    /** Query rows {@code [i0, i0+rows)} of head h of item b: their share of dQ, dK, dV. */
    static void tileBackward(float[] dQ, float[] dK, float[] dV, float[] dOut, float[] q, float[] k, float[] v,
                             float[] out, float[] lse, int t, int heads, int headDim, int len, int b, int h, int i0,
                             int rows) {
        int d = heads * headDim;
        int base = b * t * d + h * headDim, qBase = base + i0 * d;
        int lseBase = (b * heads + h) * t + i0;
        float[][] holder = BACKWARD.get();
        if (holder[0].length < TILE * t) {
            holder[0] = new float[TILE * t];
            holder[1] = new float[TILE * t];
        }
        float[] p = holder[0], ds = holder[1];
        float scale = (float) (1.0 / Math.sqrt(headDim));
        Sgemm.sgemmSerial(false, true, rows, len, headDim, scale, q, qBase, d, k, base, d, 0f, p, 0, len);
        for (int i = 0; i < rows; i++) {
            expShifted(p, i * len, len, lse[lseBase + i]);
        }
        if (dV != null) {
            Sgemm.sgemmSerial(true, false, len, headDim, rows, 1f, p, 0, len, dOut, qBase, d, 1f, dV, base, d);
        }
        if (dQ == null && dK == null) {
            return;
        }
        Sgemm.sgemmSerial(false, true, rows, len, headDim, 1f, dOut, qBase, d, v, base, d, 0f, ds, 0, len);
        for (int i = 0; i < rows; i++) {
            softmaxGrad(ds, p, i * len, len, dot(dOut, out, qBase + i * d, headDim));
        }
        if (dQ != null) {
            Sgemm.sgemmSerial(false, false, rows, headDim, len, scale, ds, 0, len, k, base, d, 1f, dQ, qBase, d);
        }
        if (dK != null) {
            Sgemm.sgemmSerial(true, false, len, headDim, rows, scale, ds, 0, len, q, qBase, d, 1f, dK, base, d);
        }
    }

    /** {@code x = exp(x - shift)} on {@code [off, off+n)}: a probability row from its scores and lse. */
    static void expShifted(float[] x, int off, int n, float shift) {
        int upper = S.loopBound(n), i = 0;
        FloatVector vs = FloatVector.broadcast(S, shift);
        for (; i < upper; i += S.length()) {
            Exp.exp(FloatVector.fromArray(S, x, off + i).sub(vs)).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] = Exp.exp(x[off + i] - shift);
        }
    }

    /** Softmax backward of one row: {@code ds = p * (ds - rowDot)}, ds holding dP on entry. */
    static void softmaxGrad(float[] ds, float[] p, int off, int n, float rowDot) {
        int upper = S.loopBound(n), i = 0;
        FloatVector vd = FloatVector.broadcast(S, rowDot);
        for (; i < upper; i += S.length()) {
            FloatVector.fromArray(S, ds, off + i).sub(vd).mul(FloatVector.fromArray(S, p, off + i))
                    .intoArray(ds, off + i);
        }
        for (; i < n; i++) {
            ds[off + i] = p[off + i] * (ds[off + i] - rowDot);
        }
    }

    /** {@code sum_e a[off+e] * b[off+e]}: rowsum(dO o O), which equals rowsum(P o dP). */
    static float dot(float[] a, float[] b, int off, int n) {
        int upper = S.loopBound(n), i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (; i < upper; i += S.length()) {
            acc = FloatVector.fromArray(S, a, off + i).fma(FloatVector.fromArray(S, b, off + i), acc);
        }
        float sum = Lanes.sum(acc);
        for (; i < n; i++) {
            sum += a[off + i] * b[off + i];
        }
        return sum;
    }

    /**
     * Scalar reference: row by row, one score row of length t, float arithmetic with a double
     * softmax sum. For tests.
     */
    public static void reference(float[] out, float[] q, float[] k, float[] v, int batch, int t, int heads,
                                 int headDim, int[] validLength) {
        int d = heads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] row = new float[t];
        for (int b = 0; b < batch; b++) {
            int len = validLength(validLength, b, t);
            for (int h = 0; h < heads; h++) {
                int base = b * t * d + h * headDim;
                for (int i = 0; i < t; i++) {
                    int qi = base + i * d;
                    for (int j = 0; j < len; j++) {
                        int kj = base + j * d;
                        float s = 0f;
                        for (int e = 0; e < headDim; e++) {
                            s += q[qi + e] * k[kj + e];
                        }
                        row[j] = s * scale;
                    }
                    Softmax.reference(row, 0, len);
                    for (int e = 0; e < headDim; e++) {
                        float acc = 0f;
                        for (int j = 0; j < len; j++) {
                            acc += row[j] * v[base + j * d + e];
                        }
                        out[qi + e] = acc;
                    }
                }
            }
        }
    }
}
