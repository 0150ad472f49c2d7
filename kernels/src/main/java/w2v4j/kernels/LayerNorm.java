package w2v4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * LayerNorm over the last dimension: {@code (x - mean) / sqrt(var + eps) * gamma + beta}, biased
 * variance. Two passes per row (mean, then the mean of squared deviations, which avoids the
 * cancellation of {@code E[x^2] - mean^2}), each accumulated in float vector lanes (16 partial
 * sums per row, so each float sum covers dim/16 terms: ~1e-7 relative for dim = 768).
 * {@code out} may be {@code inp}.
 *
 * <p>Backward (llm.c's form): with {@code xhat = (x - mean) * rstd} and {@code g = dOut * gamma},
 * {@code dx = rstd * (g - mean(g) - xhat * mean(g * xhat))}, {@code dGamma += sum_rows dOut * xhat},
 * {@code dBeta += sum_rows dOut}. The input gradient is parallel over rows; the parameter
 * gradients are parallel over column blocks (each thread walks all rows of its own columns), so
 * there is no cross-thread reduction and the result does not depend on the thread count.
 */
public final class LayerNorm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private LayerNorm() {
    }

    /** Columns per task of the parameter-gradient loop: a few vectors, so threads share no line. */
    private static final int COL_BLOCK = 64;

    public static void layerNorm(float[] out, int outOff, float[] inp, int inpOff, float[] gamma, float[] beta,
                                 int rows, int dim, float eps) {
        layerNorm(out, outOff, inp, inpOff, gamma, beta, rows, dim, eps, null, null);
    }

    /** Also saves each row's mean and reciprocal std ({@code [rows]}) when the arrays are non-null. */
    public static void layerNorm(float[] out, int outOff, float[] inp, int inpOff, float[] gamma, float[] beta,
                                 int rows, int dim, float eps, float[] mean, float[] rstd) {
        Parallel.forRange(rows, Math.max(1, 8192 / Math.max(1, dim)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                row(out, outOff + r * dim, inp, inpOff + r * dim, gamma, beta, dim, eps, mean, rstd, r);
            }
        });
    }

    static void row(float[] out, int o, float[] inp, int x, float[] gamma, float[] beta, int dim, float eps,
                    float[] meanOut, float[] rstdOut, int r) {
        int upper = S.loopBound(dim);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < upper; i += S.length()) {
            acc = acc.add(FloatVector.fromArray(S, inp, x + i));
        }
        float sum = Lanes.sum(acc);
        for (; i < dim; i++) {
            sum += inp[x + i];
        }
        float mean = sum / dim;
        FloatVector vm = FloatVector.broadcast(S, mean);
        acc = FloatVector.zero(S);
        for (i = 0; i < upper; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, inp, x + i).sub(vm);
            acc = d.fma(d, acc);
        }
        float sq = Lanes.sum(acc);
        for (; i < dim; i++) {
            float d = inp[x + i] - mean;
            sq += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(sq / dim + eps));
        if (meanOut != null) {
            meanOut[r] = mean;
            rstdOut[r] = inv;
        }
        FloatVector vi = FloatVector.broadcast(S, inv);
        for (i = 0; i < upper; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, inp, x + i).sub(vm).mul(vi);
            d.fma(FloatVector.fromArray(S, gamma, i), FloatVector.fromArray(S, beta, i)).intoArray(out, o + i);
        }
        for (; i < dim; i++) {
            out[o + i] = (inp[x + i] - mean) * inv * gamma[i] + beta[i];
        }
    }

    /**
     * Accumulates the gradients of {@link #layerNorm} given the saved {@code mean, rstd}; any of
     * {@code dInp, dGamma, dBeta} may be null (not needed).
     */
    public static void layerNormBackward(float[] dInp, int dInpOff, float[] dGamma, float[] dBeta, float[] dOut,
                                         int dOutOff, float[] inp, int inpOff, float[] gamma, float[] mean,
                                         float[] rstd, int rows, int dim) {
        if (dInp != null) {
            Parallel.forRange(rows, Math.max(1, 8192 / Math.max(1, dim)), (r0, r1) -> {
                for (int r = r0; r < r1; r++) {
                    rowBackward(dInp, dInpOff + r * dim, dOut, dOutOff + r * dim, inp, inpOff + r * dim, gamma,
                            mean[r], rstd[r], dim);
                }
            });
        }
        if (dGamma != null || dBeta != null) {
            int blocks = (dim + COL_BLOCK - 1) / COL_BLOCK;
            Parallel.forRange(blocks, Math.max(1, 16384 / Math.max(1, rows * COL_BLOCK)), (b0, b1) ->
                    paramGrads(dGamma, dBeta, dOut, dOutOff, inp, inpOff, mean, rstd, rows, dim, b0 * COL_BLOCK,
                            Math.min(dim, b1 * COL_BLOCK)));
        }
    }

    /** One row of the input gradient: two reductions (sum g, sum g*xhat), then the update. */
    static void rowBackward(float[] dInp, int di, float[] dOut, int go, float[] inp, int x, float[] gamma,
                            float mean, float rstd, int dim) {
        int upper = S.loopBound(dim), i = 0;
        FloatVector vm = FloatVector.broadcast(S, mean), vr = FloatVector.broadcast(S, rstd);
        FloatVector accG = FloatVector.zero(S), accGx = FloatVector.zero(S);
        for (; i < upper; i += S.length()) {
            FloatVector g = FloatVector.fromArray(S, dOut, go + i).mul(FloatVector.fromArray(S, gamma, i));
            FloatVector xhat = FloatVector.fromArray(S, inp, x + i).sub(vm).mul(vr);
            accG = accG.add(g);
            accGx = g.fma(xhat, accGx);
        }
        float sumG = Lanes.sum(accG), sumGx = Lanes.sum(accGx);
        for (; i < dim; i++) {
            float g = dOut[go + i] * gamma[i];
            sumG += g;
            sumGx += g * ((inp[x + i] - mean) * rstd);
        }
        float meanG = sumG / dim, meanGx = sumGx / dim;
        FloatVector vg = FloatVector.broadcast(S, meanG), vgx = FloatVector.broadcast(S, meanGx);
        for (i = 0; i < upper; i += S.length()) {
            FloatVector g = FloatVector.fromArray(S, dOut, go + i).mul(FloatVector.fromArray(S, gamma, i));
            FloatVector xhat = FloatVector.fromArray(S, inp, x + i).sub(vm).mul(vr);
            FloatVector d = g.sub(vg).sub(xhat.mul(vgx)).mul(vr);
            d.add(FloatVector.fromArray(S, dInp, di + i)).intoArray(dInp, di + i);
        }
        for (; i < dim; i++) {
            float xhat = (inp[x + i] - mean) * rstd;
            dInp[di + i] += (dOut[go + i] * gamma[i] - meanG - xhat * meanGx) * rstd;
        }
    }

    /** dGamma, dBeta for columns {@code [c0, c1)}, summed over all rows in row order. */
    static void paramGrads(float[] dGamma, float[] dBeta, float[] dOut, int dOutOff, float[] inp, int inpOff,
                           float[] mean, float[] rstd, int rows, int dim, int c0, int c1) {
        for (int r = 0; r < rows; r++) {
            int go = dOutOff + r * dim, x = inpOff + r * dim;
            float m = mean[r], rs = rstd[r];
            FloatVector vm = FloatVector.broadcast(S, m), vr = FloatVector.broadcast(S, rs);
            int c = c0;
            for (; c + S.length() <= c1; c += S.length()) {
                FloatVector g = FloatVector.fromArray(S, dOut, go + c);
                if (dBeta != null) {
                    g.add(FloatVector.fromArray(S, dBeta, c)).intoArray(dBeta, c);
                }
                if (dGamma != null) {
                    FloatVector xhat = FloatVector.fromArray(S, inp, x + c).sub(vm).mul(vr);
                    g.fma(xhat, FloatVector.fromArray(S, dGamma, c)).intoArray(dGamma, c);
                }
            }
            for (; c < c1; c++) {
                float g = dOut[go + c];
                if (dBeta != null) {
                    dBeta[c] += g;
                }
                if (dGamma != null) {
                    dGamma[c] += g * ((inp[x + c] - m) * rs);
                }
            }
        }
    }

    /** Scalar reference with double accumulation, for tests. */
    public static void reference(float[] out, int outOff, float[] inp, int inpOff, float[] gamma, float[] beta,
                                 int rows, int dim, float eps) {
        for (int r = 0; r < rows; r++) {
            int x = inpOff + r * dim, o = outOff + r * dim;
            double s = 0;
            for (int i = 0; i < dim; i++) {
                s += inp[x + i];
            }
            double mean = s / dim, sq = 0;
            for (int i = 0; i < dim; i++) {
                double d = inp[x + i] - mean;
                sq += d * d;
            }
            double inv = 1.0 / Math.sqrt(sq / dim + eps);
            for (int i = 0; i < dim; i++) {
                out[o + i] = (float) ((inp[x + i] - mean) * inv * gamma[i] + beta[i]);
            }
        }
    }
}
