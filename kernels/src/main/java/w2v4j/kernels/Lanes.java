package w2v4j.kernels;

import jdk.incubator.vector.FloatVector;

/**
 * Lane reductions in a fixed order. {@code reduceLanes(ADD)} leaves the summation order to the
 * implementation, and the intrinsic (C2) and the Java fallback (interpreter, C1) do differ, so a
 * result would depend on how warm the JIT is: a resumed run would then not reproduce an
 * uninterrupted one bit for bit. Summing lane 0, 1, 2, ... in order costs little (once per row).
 */
final class Lanes {
    private Lanes() {
    }

    static float sum(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }
}
