package w2v4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code x *= s} and {@code sum x^2}, for gradient clipping and penalties. The sum of squares
 * splits x into fixed blocks of {@link #BLOCK} elements whose partial sums (double) are added in
 * block order, so the result does not depend on the thread count. Inside a block, 16-vector runs
 * are accumulated in float lanes (each lane sums 16 squares) and then added in double.
 */
public final class Scale {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int BLOCK = 1 << 14;
    private static final int GRAIN = 1 << 16;

    private Scale() {
    }

    public static void scale(float[] x, int off, int n, float s) {
        Parallel.forRange(n, GRAIN, (i0, i1) -> {
            int upper = i0 + S.loopBound(i1 - i0), i = i0;
            FloatVector vs = FloatVector.broadcast(S, s);
            for (; i < upper; i += S.length()) {
                FloatVector.fromArray(S, x, off + i).mul(vs).intoArray(x, off + i);
            }
            for (; i < i1; i++) {
                x[off + i] *= s;
            }
        });
    }

    public static double sumSquares(float[] x, int off, int n) {
        if (n <= 0) {
            return 0.0;
        }
        int blocks = (n + BLOCK - 1) / BLOCK;
        double[] partial = new double[blocks];
        Parallel.forRange(blocks, Math.max(1, GRAIN / BLOCK), (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int start = off + b * BLOCK;
                partial[b] = blockSumSquares(x, start, Math.min(BLOCK, n - b * BLOCK));
            }
        });
        double sum = 0.0;
        for (double v : partial) {
            sum += v;
        }
        return sum;
    }

    /** True when no element of {@code x[off, off+n)} is NaN or infinite. */
    public static boolean allFinite(float[] x, int off, int n) {
        // x - x is 0 for finite x and NaN for NaN and +-Inf: one branch-free accumulation
        float acc = 0f;
        for (int i = off; i < off + n; i++) acc += x[i] - x[i];
        return acc == 0f;
    }

    static double blockSumSquares(float[] x, int start, int len) {
        int run = 16 * S.length();
        double sum = 0.0;
        int i = 0;
        for (; i + run <= len; i += run) {
            FloatVector acc = FloatVector.zero(S);
            for (int j = i; j < i + run; j += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, start + j);
                acc = v.fma(v, acc);
            }
            sum += Lanes.sum(acc);
        }
        for (; i < len; i++) {
            double v = x[start + i];
            sum += v * v;
        }
        return sum;
    }
}
