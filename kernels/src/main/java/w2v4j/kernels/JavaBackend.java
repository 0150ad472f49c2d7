package w2v4j.kernels;

/**
 * The pure-Java backend: Vector API kernels on the shared {@link Parallel} pool. The default, and
 * the oracle other backends are tested against. Stateless; every method delegates to the kernel
 * class of the same name.
 */
public final class JavaBackend implements Backend {

    public static final String NAME = "java";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "pure Java, Vector API " + Sgemm.SPECIES.vectorBitSize() + "-bit (" + Sgemm.LANES
                + " floats), " + Parallel.threads() + " thread" + (Parallel.threads() == 1 ? "" : "s");
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        Sgemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void linear(float[] out, int outOff, float[] inp, int inpOff, float[] weight, float[] bias,
                       int rows, int inDim, int outDim) {
        Linear.linear(out, outOff, inp, inpOff, weight, bias, rows, inDim, outDim);
    }

    @Override
    public void conv1d(float[] out, float[] inp, float[] packedWeight, float[] bias,
                       int tIn, int cIn, int cOut, int kernel, int stride, int padding, int groups) {
        Conv1d.conv1d(out, inp, packedWeight, bias, tIn, cIn, cOut, kernel, stride, padding, groups);
    }

    @Override
    public void layerNorm(float[] out, int outOff, float[] inp, int inpOff, float[] gamma, float[] beta,
                          int rows, int dim, float eps) {
        LayerNorm.layerNorm(out, outOff, inp, inpOff, gamma, beta, rows, dim, eps);
    }

    @Override
    public void groupNorm(float[] x, float[] gamma, float[] beta, int t, int tValid, int channels, int groups,
                          float eps) {
        GroupNorm.groupNorm(x, gamma, beta, t, tValid, channels, groups, eps);
    }

    @Override
    public void gelu(float[] x, int off, int n) {
        Gelu.gelu(x, off, n);
    }

    @Override
    public void add(float[] x, int xOff, float[] y, int yOff, int n) {
        Add.add(x, xOff, y, yOff, n);
    }

    @Override
    public void attention(float[] out, float[] q, float[] k, float[] v, int batch, int t, int heads, int headDim,
                          int[] validLength) {
        Attention.attention(out, q, k, v, batch, t, heads, headDim, validLength);
    }

    @Override
    public void layerNorm(float[] out, int outOff, float[] inp, int inpOff, float[] gamma, float[] beta,
                          int rows, int dim, float eps, float[] mean, float[] rstd) {
        LayerNorm.layerNorm(out, outOff, inp, inpOff, gamma, beta, rows, dim, eps, mean, rstd);
    }

    @Override
    public void layerNormBackward(float[] dInp, int dInpOff, float[] dGamma, float[] dBeta, float[] dOut,
                                  int dOutOff, float[] inp, int inpOff, float[] gamma, float[] mean, float[] rstd,
                                  int rows, int dim) {
        LayerNorm.layerNormBackward(dInp, dInpOff, dGamma, dBeta, dOut, dOutOff, inp, inpOff, gamma, mean, rstd,
                rows, dim);
    }

    @Override
    public void groupNorm(float[] out, float[] inp, float[] gamma, float[] beta, int t, int tValid, int channels,
                          int groups, float eps, float[] mean, float[] rstd) {
        GroupNorm.groupNorm(out, inp, gamma, beta, t, tValid, channels, groups, eps, mean, rstd);
    }

    @Override
    public void groupNormBackward(float[] dInp, float[] dGamma, float[] dBeta, float[] dOut, float[] inp,
                                  float[] gamma, float[] mean, float[] rstd, int t, int tValid, int channels,
                                  int groups) {
        GroupNorm.groupNormBackward(dInp, dGamma, dBeta, dOut, inp, gamma, mean, rstd, t, tValid, channels, groups);
    }

    @Override
    public void gelu(float[] out, int outOff, float[] inp, int inpOff, int n) {
        Gelu.gelu(out, outOff, inp, inpOff, n);
    }

    @Override
    public void geluBackward(float[] dInp, int dInpOff, float[] dOut, int dOutOff, float[] inp, int inpOff, int n) {
        Gelu.geluBackward(dInp, dInpOff, dOut, dOutOff, inp, inpOff, n);
    }

    @Override
    public void linearBackward(float[] dInp, int dInpOff, float[] dWeight, float[] dBias, float[] dOut, int dOutOff,
                               float[] inp, int inpOff, float[] weight, int rows, int inDim, int outDim) {
        Linear.linearBackward(dInp, dInpOff, dWeight, dBias, dOut, dOutOff, inp, inpOff, weight, rows, inDim,
                outDim);
    }

    @Override
    public void conv1dBackward(float[] dInp, float[] dPackedWeight, float[] dBias, float[] dOut, float[] inp,
                               float[] packedWeight, int tIn, int cIn, int cOut, int kernel, int stride, int padding,
                               int groups) {
        Conv1d.conv1dBackward(dInp, dPackedWeight, dBias, dOut, inp, packedWeight, tIn, cIn, cOut, kernel, stride,
                padding, groups);
    }

    @Override
    public void attention(float[] out, float[] q, float[] k, float[] v, int batch, int t, int heads, int headDim,
                          int[] validLength, float[] lse) {
        Attention.attention(out, q, k, v, batch, t, heads, headDim, validLength, lse);
    }

    @Override
    public void attentionBackward(float[] dQ, float[] dK, float[] dV, float[] dOut, float[] q, float[] k,
                                  float[] v, float[] out, float[] lse, int batch, int t, int heads, int headDim,
                                  int[] validLength) {
        Attention.attentionBackward(dQ, dK, dV, dOut, q, k, v, out, lse, batch, t, heads, headDim, validLength);
    }

    @Override
    public void dropout(float[] x, int off, int n, float p, long seed) {
        Dropout.dropout(x, off, n, p, seed);
    }

    @Override
    public double sumSquares(float[] x, int off, int n) {
        return Scale.sumSquares(x, off, n);
    }

    @Override
    public void scale(float[] x, int off, int n, float s) {
        Scale.scale(x, off, n, s);
    }

    @Override
    public boolean allFinite(float[] x, int off, int n) {
        return Scale.allFinite(x, off, n);
    }

    @Override
    public void adamStep(float[] w, float[] g, float[] m, float[] v, int n, float beta1, float oneMinusBeta1, float beta2,
                         float oneMinusBeta2, float eps, float decay, float stepSize) {
        AdamUpdate.step(w, g, m, v, n, beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, decay, stepSize);
    }

    @Override
    public void packConvWeight(float[] packed, float[] weight, int cOut, int cInPerGroup, int kernel) {
        ConvWeights.packInto(packed, weight, cOut, cInPerGroup, kernel);
    }

    @Override
    public void addUnpackedConvWeight(float[] weightGrad, float[] packedGrad, int cOut, int cInPerGroup, int kernel) {
        ConvWeights.addUnpacked(weightGrad, packedGrad, cOut, cInPerGroup, kernel);
    }

    @Override
    public void weightNorm(float[] w, float[] g, float[] v, int rows, int kernel) {
        WeightNorm.forward(w, g, v, rows, kernel);
    }

    @Override
    public void weightNormBackward(float[] dg, float[] dv, float[] dW, float[] g, float[] v, int rows, int kernel) {
        WeightNorm.backward(dg, dv, dW, g, v, rows, kernel);
    }

    @Override
    public void copy(float[] dst, int dstOff, float[] src, int srcOff, int n) {
        System.arraycopy(src, srcOff, dst, dstOff, n);
    }

    @Override
    public void fill(float[] x, int off, int n, float value) {
        // zeroing the training step's gradient buffers (~1 GB per BASE step) is bandwidth-bound: both cores help
        Parallel.forRange(n, 1 << 18, (i0, i1) -> java.util.Arrays.fill(x, off + i0, off + i1, value));
    }

    @Override
    public void setRows(float[] x, int dim, int[] rows, float[] vec) {
        Rows.set(x, dim, rows, vec);
    }

    @Override
    public void setRowsBackward(float[] dX, int dim, int[] rows, float[] dVec) {
        Rows.setBackward(dX, dim, rows, dVec);
    }

    @Override
    public void gatherRows(float[] out, float[] src, int dim, int[] rows) {
        Rows.gather(out, src, dim, rows);
    }

    @Override
    public void scatterAddRows(float[] dst, float[] src, int dim, int[] rows) {
        Rows.scatterAdd(dst, src, dim, rows);
    }

    @Override
    public void zeroChannels(float[] x, int batch, int t, int dim, int[] channels) {
        Rows.zeroChannels(x, batch, t, dim, channels);
    }
}
