package w2v4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row softmax in place on {@code x[off, off + n)}: subtract the row maximum (so exp never
 * overflows and the largest term is exactly 1), exponentiate, divide by the sum. The fast path
 * uses {@link Exp} (a polynomial exp in Vector API arithmetic, bit-identical whether the JIT has
 * compiled it or not, within 2 ulp of {@link Math#exp}); {@link #reference} is the scalar version.
 */
public final class Softmax {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Softmax() {
    }

    /**
     * Returns the row's log-sum-exp {@code max + log(sum exp(x - max))} (what the attention backward
     * needs to recompute the probabilities); NEGATIVE_INFINITY for an empty row.
     */
    public static float softmax(float[] x, int off, int n) {
        if (n <= 0) {
            return Float.NEGATIVE_INFINITY;
        }
        int upper = S.loopBound(n), i = 0;
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (; i < upper; i += S.length()) {
            vmax = vmax.max(FloatVector.fromArray(S, x, off + i));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        FloatVector vm = FloatVector.broadcast(S, max);
        FloatVector vsum = FloatVector.zero(S);
        for (i = 0; i < upper; i += S.length()) {
            FloatVector e = Exp.exp(FloatVector.fromArray(S, x, off + i).sub(vm));
            e.intoArray(x, off + i);
            vsum = vsum.add(e);
        }
        float sum = Lanes.sum(vsum);
        for (; i < n; i++) {
            float e = Exp.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        FloatVector inv = FloatVector.broadcast(S, 1f / sum);
        for (i = 0; i < upper; i += S.length()) {
            FloatVector.fromArray(S, x, off + i).mul(inv).intoArray(x, off + i);
        }
        float invSum = 1f / sum;
        for (; i < n; i++) {
            x[off + i] *= invSum;
        }
        return max + (float) Math.log(sum);
    }

    /** Scalar softmax (double sum), for tests. */
    public static void reference(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp((double) x[off + i] - max);
            x[off + i] = (float) e;
            sum += e;
        }
        for (int i = 0; i < n; i++) {
            x[off + i] = (float) (x[off + i] / sum);
        }
    }
}
