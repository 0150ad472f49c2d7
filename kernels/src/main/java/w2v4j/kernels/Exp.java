package w2v4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Single-precision exp built only from correctly rounded operations (add, mul, fma, conversions),
 * in a vector and a scalar form that compute the same thing bit for bit. The Vector API's
 * {@code lanewise(EXP)} is an intrinsic (a vector math library) when compiled and {@code Math.exp}
 * per lane when interpreted, and the two differ in the last bit: results would then depend on how
 * warm the JIT is, and a resumed training run could not reproduce an uninterrupted one.
 *
 * <p>Cephes' expf: {@code x = n ln2 + r}, |r| ≤ ln2/2, a degree-6 polynomial for e^r, then 2^n
 * through the exponent bits (in two factors, so that the whole range stays finite). Relative error ≤ 2 ulp; inputs below -87.3 (including -∞, a masked
 * score) give exactly 0, inputs above 88.7 give +∞.
 */
final class Exp {
    private Exp() {
    }

    private static final float LOG2E = 1.44269504088896341f, C1 = 0.693359375f, C2 = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    private static final float LO = -87.33654f, HI = 88.72283f;
    /** Adding then subtracting 1.5·2^23 rounds a float to the nearest integer (ties to even). */
    private static final float ROUND = 12582912f;

    static float exp(float x) {
        if (x < LO) return 0f;
        if (x > HI) return Float.POSITIVE_INFINITY;
        if (x != x) return x;
        float n = (x * LOG2E + ROUND) - ROUND;
        float r = Math.fma(-n, C2, Math.fma(-n, C1, x));
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(P0, r, P1), r, P2), r, P3), r, P4), r, P5);
        float e = Math.fma(p, r * r, r) + 1f;
        int ni = (int) n, half = ni >> 1;
        // 2^n as two factors so that n = 128 (x just below the overflow bound) stays finite
        return e * Float.intBitsToFloat((half + 127) << 23) * Float.intBitsToFloat((ni - half + 127) << 23);
    }

    static FloatVector exp(FloatVector x) {
        var s = x.species();
        VectorMask<Float> under = x.lt(LO);
        FloatVector xc = x.max(LO).min(HI);
        FloatVector n = xc.mul(LOG2E).add(ROUND).sub(ROUND);
        FloatVector r = n.neg().fma(FloatVector.broadcast(s, C1), xc);
        r = n.neg().fma(FloatVector.broadcast(s, C2), r);
        FloatVector p = FloatVector.broadcast(s, P0).fma(r, FloatVector.broadcast(s, P1));
        p = p.fma(r, FloatVector.broadcast(s, P2));
        p = p.fma(r, FloatVector.broadcast(s, P3));
        p = p.fma(r, FloatVector.broadcast(s, P4));
        p = p.fma(r, FloatVector.broadcast(s, P5));
        FloatVector e = p.fma(r.mul(r), r).add(1f);
        IntVector ni = (IntVector) n.convert(VectorOperators.F2I, 0);
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector scale1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector scale2 = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector out = e.mul(scale1).mul(scale2);
        out = out.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, HI));
        return out.blend(0f, under);
    }
}
