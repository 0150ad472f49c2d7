package w2v4j.kernels;

import java.util.Arrays;

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
 */
public final class Attention {

    /**
     * Query rows per task, a multiple of Sgemm's 6-row micro-tile. K and V are packed once per tile,
     * so larger tiles amortise that better; 192*t floats of scores (1.5 MB at t = 2000) still fit in L2.
     */
    static final int TILE = 192;

    private static final ThreadLocal<float[][]> SCORES = ThreadLocal.withInitial(() -> new float[1][0]);

    private Attention() {
    }

    public static void attention(float[] out, float[] q, float[] k, float[] v, int batch, int t, int heads,
                                 int headDim, int[] validLength) {
        int tiles = (t + TILE - 1) / TILE;
        Parallel.forRange(batch * heads * tiles, (w0, w1) -> {
            for (int w = w0; w < w1; w++) {
                int b = w / (heads * tiles), h = (w / tiles) % heads, tile = w % tiles;
                tile(out, q, k, v, t, heads, headDim, validLength(validLength, b, t), b, h, tile * TILE,
                        Math.min(TILE, t - tile * TILE));
            }
        });
    }

    static int validLength(int[] validLength, int b, int t) {
        return validLength == null ? t : Math.max(0, Math.min(t, validLength[b]));
    }

    /** Query rows {@code [i0, i0+rows)} of head h of batch item b, attending to keys {@code [0, len)}. */
    static void tile(float[] out, float[] q, float[] k, float[] v, int t, int heads, int headDim, int len,
                     int b, int h, int i0, int rows) {
        int d = heads * headDim;
        int base = b * t * d + h * headDim;
        if (len == 0) {
            for (int i = 0; i < rows; i++) {
                Arrays.fill(out, base + (i0 + i) * d, base + (i0 + i) * d + headDim, 0f);
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
            Softmax.softmax(s, i * len, len);
        }
        Sgemm.sgemmSerial(false, false, rows, headDim, len, 1f, s, 0, len, v, base, d,
                0f, out, base + i0 * d, d);
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
