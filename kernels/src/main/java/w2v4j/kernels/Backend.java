package w2v4j.kernels;

/**
 * The operations the model calls, over flat row-major float arrays. Activations are time-major:
 * a sequence of T frames with C channels is {@code [T, C]}, a batch is {@code [B, T, C]}.
 * Implementations must not keep references to the arrays between calls (an accelerated backend
 * may cache device copies of arrays it is told are constant, see {@link #constant}).
 *
 * <p>The pure-Java backend ({@code java}) is the default and the oracle every other backend is
 * tested against.
 */
public interface Backend extends AutoCloseable {

    /** Short name used by {@code --backend NAME}. */
    String name();

    /** One line describing the device and thread count, for logs and {@code backend list}. */
    String description();

    /**
     * BLAS-style single-precision GEMM on row-major matrices:
     * {@code C = alpha * op(A) * op(B) + beta * C} with op(A) {@code [M, K]}, op(B) {@code [K, N]},
     * C {@code [M, N]}. {@code lda, ldb, ldc} are the row strides of the stored matrices
     * (A stored {@code [M, lda]} or, transposed, {@code [K, lda]}). {@code lda} may be smaller than
     * the row length when rows overlap (a strided convolution reads its input windows this way).
     * With {@code beta == 0} C is not read, so it may hold garbage (NaN included).
     */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
               float beta, float[] c, int cOff, int ldc);

    /**
     * {@code out[rows, outDim] = inp[rows, inDim] . weight[outDim, inDim]^T + bias[outDim]}
     * (PyTorch's {@code nn.Linear}); {@code bias} may be null.
     */
    void linear(float[] out, int outOff, float[] inp, int inpOff, float[] weight, float[] bias,
                int rows, int inDim, int outDim);

    /**
     * Time-major 1-D convolution (PyTorch's {@code Conv1d} semantics, zero padding on both sides):
     * {@code inp[tIn, cIn]}, {@code out[tOut, cOut]} with
     * {@code tOut = (tIn + 2*padding - kernel) / stride + 1}. The weight is packed by
     * {@link ConvWeights#pack}: {@code [cOut, kernel, cIn/groups]}. {@code bias} may be null.
     */
    void conv1d(float[] out, float[] inp, float[] packedWeight, float[] bias,
                int tIn, int cIn, int cOut, int kernel, int stride, int padding, int groups);

    /** LayerNorm over the last dimension of {@code inp[rows, dim]}; out may equal inp. */
    void layerNorm(float[] out, int outOff, float[] inp, int inpOff, float[] gamma, float[] beta,
                   int rows, int dim, float eps);

    /**
     * GroupNorm of a time-major sequence {@code x[t, channels]} (in place), statistics of each
     * group taken over the first {@code tValid} frames only, so that padding never changes the
     * result; frames at and after {@code tValid} are set to zero. {@code gamma, beta} are per
     * channel.
     */
    void groupNorm(float[] x, float[] gamma, float[] beta, int t, int tValid, int channels, int groups,
                   float eps);

    /** Exact (erf) GELU in place on {@code x[off, off + n)}. */
    void gelu(float[] x, int off, int n);

    /** {@code x[i] += y[i]} for {@code n} elements. */
    void add(float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * Multi-head scaled dot-product attention with a key padding mask.
     * {@code q, k, v, out} are {@code [batch, t, heads * headDim]}; for batch item b only keys
     * {@code j < validLength[b]} are attended to. Scale is {@code 1/sqrt(headDim)}. Rows of
     * padded queries are computed like the others (their values do not matter).
     */
    void attention(float[] out, float[] q, float[] k, float[] v, int batch, int t, int heads, int headDim,
                   int[] validLength);

    /**
     * Tells the backend that {@code array} holds parameters that will not change until
     * {@link #invalidate} is called with it, so a device backend may keep its copy. The Java
     * backend ignores this.
     */
    default void constant(float[] array) {
    }

    /** The contents of {@code array} changed (for example after an optimizer step). */
    default void invalidate(float[] array) {
    }

    @Override
    default void close() {
    }
}
