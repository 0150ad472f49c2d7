package w2v4j.kernels;

/**
 * The operations the model calls, over flat row-major float arrays. Activations are time-major:
 * a sequence of T frames with C channels is {@code [T, C]}, a batch is {@code [B, T, C]}.
 * Implementations must not keep references to the arrays between calls (an accelerated backend
 * may cache device copies of arrays it is told are constant, see {@link #constant}).
 *
 * <p>Training: every {@code ...Backward} method ACCUMULATES ({@code +=}) into each gradient output
 * (llm.c's convention; callers zero the buffers), and a null gradient output means "not needed"
 * (its work is skipped). The training forwards that save statistics give bitwise the same outputs
 * as the inference forwards.
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

    // ---- training: forwards that keep what the backward needs, and the backwards ----

    /** LayerNorm that also saves per-row mean and reciprocal std (each {@code [rows]}) for the backward. */
    void layerNorm(float[] out, int outOff, float[] inp, int inpOff, float[] gamma, float[] beta,
                   int rows, int dim, float eps, float[] mean, float[] rstd);

    /** Gradients of {@link #layerNorm(float[], int, float[], int, float[], float[], int, int, float, float[], float[])}. */
    void layerNormBackward(float[] dInp, int dInpOff, float[] dGamma, float[] dBeta, float[] dOut, int dOutOff,
                           float[] inp, int inpOff, float[] gamma, float[] mean, float[] rstd, int rows, int dim);

    /**
     * Out-of-place GroupNorm for training: {@code out = GN(inp)} over the first {@code tValid}
     * frames (frames {@code >= tValid} set to 0), saving mean and reciprocal std per group
     * ({@code [groups]}).
     */
    void groupNorm(float[] out, float[] inp, float[] gamma, float[] beta, int t, int tValid, int channels,
                   int groups, float eps, float[] mean, float[] rstd);

    /** Gradients of the training {@code groupNorm}; padded frames get no input gradient. */
    void groupNormBackward(float[] dInp, float[] dGamma, float[] dBeta, float[] dOut, float[] inp, float[] gamma,
                           float[] mean, float[] rstd, int t, int tValid, int channels, int groups);

    /** Out-of-place exact GELU (the training forward keeps its input). */
    void gelu(float[] out, int outOff, float[] inp, int inpOff, int n);

    /** {@code dInp += dOut * gelu'(inp)}. */
    void geluBackward(float[] dInp, int dInpOff, float[] dOut, int dOutOff, float[] inp, int inpOff, int n);

    /**
     * Gradients of {@link #linear}: {@code dInp += dOut . W}, {@code dWeight += dOut^T . inp},
     * {@code dBias += column sums of dOut}; {@code dOut [rows, outDim]}, {@code inp [rows, inDim]},
     * {@code W [outDim, inDim]}.
     */
    void linearBackward(float[] dInp, int dInpOff, float[] dWeight, float[] dBias, float[] dOut, int dOutOff,
                        float[] inp, int inpOff, float[] weight, int rows, int inDim, int outDim);

    /**
     * Gradients of {@link #conv1d} (same shapes and semantics): {@code dInp [tIn, cIn]},
     * {@code dPackedWeight [cOut, kernel, cIn/groups]}, {@code dBias [cOut]}. With {@code dInp} null
     * (the first layer, whose input is the waveform) no input-gradient work is done.
     */
    void conv1dBackward(float[] dInp, float[] dPackedWeight, float[] dBias, float[] dOut, float[] inp,
                        float[] packedWeight, int tIn, int cIn, int cOut, int kernel, int stride, int padding,
                        int groups);

    /**
     * {@link #attention} that also saves the log-sum-exp of each score row
     * ({@code lse [batch*heads*t]}, index {@code (b*heads + h)*t + i}) for a memory-light backward.
     */
    void attention(float[] out, float[] q, float[] k, float[] v, int batch, int t, int heads, int headDim,
                   int[] validLength, float[] lse);

    /**
     * Backward of {@link #attention} that recomputes the probabilities from {@code q, k} and
     * {@code lse} (never storing a T x T matrix for the whole batch). With
     * {@code P = softmax(Q K^T * scale)} masked: {@code dV += P^T dO}; {@code dP = dO V^T};
     * {@code dS = P o (dP - rowsum(dO o O))}; {@code dQ += dS K * scale};
     * {@code dK += dS^T Q * scale}. {@code out} is the forward's output.
     */
    void attentionBackward(float[] dQ, float[] dK, float[] dV, float[] dOut, float[] q, float[] k, float[] v,
                           float[] out, float[] lse, int batch, int t, int heads, int headDim, int[] validLength);

    /**
     * Inverted dropout in place: {@code x[i] = keep(i) ? x[i]/(1-p) : 0}, where {@code keep(i)} is a
     * counter-based hash of {@code (seed, i)} (i relative to {@code off}), so the backward
     * regenerates the same mask without storage (the same call on the gradient) and the result
     * does not depend on the thread count. {@code p == 0} is a no-op.
     */
    void dropout(float[] x, int off, int n, float p, long seed);

    /** Sum of squares with double accumulation, for gradient norms and penalties. */
    double sumSquares(float[] x, int off, int n);

    /**
     * {@link #sumSquares(float[], int, int)} of each whole array, in one call: a device backend returns
     * all of them in one copy (gradient norms of a whole model).
     */
    default double[] sumSquares(float[][] xs) {
        double[] out = new double[xs.length];
        for (int a = 0; a < xs.length; a++) out[a] = sumSquares(xs[a], 0, xs[a].length);
        return out;
    }

    /** {@code x[i] *= s}. */
    void scale(float[] x, int off, int n, float s);

    /** True when no element of {@code x[off, off+n)} is NaN or infinite. */
    boolean allFinite(float[] x, int off, int n);

    /**
     * One Adam step of a parameter of {@code n} elements, in place on {@code w, m, v}; see
     * {@link AdamUpdate#step} for the exact per-element arithmetic, which every backend reproduces.
     */
    void adamStep(float[] w, float[] g, float[] m, float[] v, int n, float beta1, float oneMinusBeta1, float beta2,
                  float oneMinusBeta2, float eps, float decay, float stepSize);

    // ---- data movement that stays on the device (model code uses these instead of host loops)

    /** {@code dst[dstOff + i] = src[srcOff + i]} for {@code n} elements; same array only with disjoint ranges. */
    void copy(float[] dst, int dstOff, float[] src, int srcOff, int n);

    /** {@code x[off + i] = value} for {@code n} elements. */
    void fill(float[] x, int off, int n, float value);

    /**
     * Replaces rows of {@code x[*, dim]}: row {@code rows[i]} becomes {@code vec[dim]} (time masking
     * with a learned embedding).
     */
    void setRows(float[] x, int dim, int[] rows, float[] vec);

    /**
     * Backward of {@link #setRows}: {@code dVec[c] += dX[rows[i], c]} summed over i in increasing
     * order, then those rows of {@code dX} are set to zero (they did not reach the output).
     */
    void setRowsBackward(float[] dX, int dim, int[] rows, float[] dVec);

    /** {@code out[i, :] = src[rows[i], :]} for rows of {@code dim} floats (gathers the masked time steps). */
    void gatherRows(float[] out, float[] src, int dim, int[] rows);

    /** {@code dst[rows[i], :] += src[i, :]}, the backward of {@link #gatherRows}; the rows must be distinct. */
    void scatterAddRows(float[] dst, float[] src, int dim, int[] rows);

    /**
     * Zeroes whole channels of a batch {@code x[batch, t, dim]}: for each entry {@code bc} of
     * {@code channels} (encoded {@code b * dim + c}) every frame's channel c of item b (channel
     * masking; also its own backward).
     */
    void zeroChannels(float[] x, int batch, int t, int dim, int[] channels);

    // ---- derived weights (so that weights updated on a device are re-derived there)

    /** {@code packed = ConvWeights.pack(weight)}: {@code [cOut, cInPerGroup, kernel]} to {@code [cOut, kernel, cInPerGroup]}. */
    void packConvWeight(float[] packed, float[] weight, int cOut, int cInPerGroup, int kernel);

    /** {@code weightGrad += unpack(packedGrad)}, the packing's backward ({@link ConvWeights#addUnpacked}). */
    void addUnpackedConvWeight(float[] weightGrad, float[] packedGrad, int cOut, int cInPerGroup, int kernel);

    /** {@link WeightNorm#forward}: {@code w[rows, kernel] = g[k] v / ||v[:, k]||}. */
    void weightNorm(float[] w, float[] g, float[] v, int rows, int kernel);

    /** {@link WeightNorm#backward}: accumulates into {@code dg[kernel]} and {@code dv[rows, kernel]} from {@code dW}. */
    void weightNormBackward(float[] dg, float[] dv, float[] dW, float[] g, float[] v, int rows, int kernel);

    // ---- residency

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

    /**
     * Declares {@code array} working memory of a device backend: from now until {@link #unbind}, its
     * contents may live on the device across calls, and what calls write there is copied to the host
     * only by {@link #syncToHost}. The caller promises to call {@link #syncToHost} before the host
     * reads it and {@link #hostWrote} after the host writes it. The Java backend ignores all of this
     * (its host arrays are the only copy). {@link #constant} and {@link #invalidate} do not apply
     * to a bound array; binding a constant one takes the host's contents.
     */
    default void bind(float[] array) {
    }

    /** Makes the host copy of a bound array current (a device backend copies back what its calls wrote). */
    default void syncToHost(float[] array) {
    }

    /** The host changed a bound array: the device copy is stale. */
    default void hostWrote(float[] array) {
    }

    /** {@link #syncToHost} and end the binding, freeing the device copy. */
    default void unbind(float[] array) {
    }

    /**
     * Waits until every operation issued so far has completed (a device backend may run them
     * asynchronously; results are correct without this). For timing individual operations.
     */
    default void finish() {
    }

    /** Copies between host and device since the backend was created, or null for a backend without a device. */
    default TransferStats transferStats() {
        return null;
    }

    @Override
    default void close() {
    }
}
