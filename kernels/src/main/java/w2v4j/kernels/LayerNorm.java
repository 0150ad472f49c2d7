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
 */
public final class LayerNorm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private LayerNorm() {
    }

    public static void layerNorm(float[] out, int outOff, float[] inp, int inpOff, float[] gamma, float[] beta,
                                 int rows, int dim, float eps) {
        Parallel.forRange(rows, Math.max(1, 8192 / Math.max(1, dim)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                row(out, outOff + r * dim, inp, inpOff + r * dim, gamma, beta, dim, eps);
            }
        });
    }

    static void row(float[] out, int o, float[] inp, int x, float[] gamma, float[] beta, int dim, float eps) {
        int upper = S.loopBound(dim);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (; i < upper; i += S.length()) {
            acc = acc.add(FloatVector.fromArray(S, inp, x + i));
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
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
        float sq = acc.reduceLanes(VectorOperators.ADD);
        for (; i < dim; i++) {
            float d = inp[x + i] - mean;
            sq += d * d;
        }
        float inv = (float) (1.0 / Math.sqrt(sq / dim + eps));
        FloatVector vi = FloatVector.broadcast(S, inv);
        for (i = 0; i < upper; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, inp, x + i).sub(vm).mul(vi);
            d.fma(FloatVector.fromArray(S, gamma, i), FloatVector.fromArray(S, beta, i)).intoArray(out, o + i);
        }
        for (; i < dim; i++) {
            out[o + i] = (inp[x + i] - mean) * inv * gamma[i] + beta[i];
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
