package w2v4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Residual add, {@code x[i] += y[i]}. Memory bound; split across threads only when large. */
public final class Add {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int GRAIN = 1 << 16;

    private Add() {
    }

    public static void add(float[] x, int xOff, float[] y, int yOff, int n) {
        Parallel.forRange(n, GRAIN, (i0, i1) -> addRange(x, xOff + i0, y, yOff + i0, i1 - i0));
    }

    static void addRange(float[] x, int xo, float[] y, int yo, int n) {
        int upper = S.loopBound(n), i = 0;
        for (; i < upper; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).add(FloatVector.fromArray(S, y, yo + i)).intoArray(x, xo + i);
        }
        for (; i < n; i++) {
            x[xo + i] += y[yo + i];
        }
    }
}
