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
}
