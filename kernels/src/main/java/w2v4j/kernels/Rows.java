package w2v4j.kernels;

/**
 * Row and channel masking of time-major activations {@code x[rows, dim]}: the masked time steps take
 * a learned embedding (wav2vec 2.0's {@code mask_emb}) and masked channels are zeroed for a whole
 * utterance (fine-tuning's channel masking). Shapes are explicit; the index lists are built by the
 * caller from its masks, so a device backend uploads a few ints instead of the activations.
 */
public final class Rows {

    private Rows() {
    }

    /** {@code x[rows[i], :] = vec} for every i. */
    public static void set(float[] x, int dim, int[] rows, float[] vec) {
        for (int r : rows) System.arraycopy(vec, 0, x, r * dim, dim);
    }

    /** {@code dVec += sum_i dX[rows[i], :]} (i increasing), then {@code dX[rows[i], :] = 0}. */
    public static void setBackward(float[] dX, int dim, int[] rows, float[] dVec) {
        for (int r : rows) {
            int base = r * dim;
            for (int c = 0; c < dim; c++) {
                dVec[c] += dX[base + c];
                dX[base + c] = 0f;
            }
        }
    }

    /** {@code out[i, :] = src[rows[i], :]}. */
    public static void gather(float[] out, float[] src, int dim, int[] rows) {
        for (int i = 0; i < rows.length; i++) System.arraycopy(src, rows[i] * dim, out, i * dim, dim);
    }

    /** {@code dst[rows[i], :] += src[i, :]}. */
    public static void scatterAdd(float[] dst, float[] src, int dim, int[] rows) {
        for (int i = 0; i < rows.length; i++) {
            int base = rows[i] * dim;
            for (int c = 0; c < dim; c++) dst[base + c] += src[i * dim + c];
        }
    }

    /** {@code x[b, :, c] = 0} for every {@code b * dim + c} in {@code channels}. */
    public static void zeroChannels(float[] x, int batch, int t, int dim, int[] channels) {
        for (int bc : channels) {
            int b = bc / dim, c = bc % dim;
            if (bc < 0 || b >= batch) throw new IndexOutOfBoundsException("channel entry " + bc + " is beyond batch " + batch + " x dim " + dim);
            for (int i = 0; i < t; i++) x[(b * t + i) * dim + c] = 0f;
        }
    }
}
