package w2v4j.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exact GELU, {@code 0.5 * x * (1 + erf(x / sqrt(2))) = x * Phi(x)} (PyTorch's default
 * {@code nn.GELU}), and its derivative {@code Phi(x) + x * phi(x)}.
 *
 * <p>The kernels evaluate Phi in double precision, vectorised (one float vector of half width
 * widened to doubles), from basic operations only, so that the vector loop and its scalar twin
 * ({@link #fast}, used for the tail) give the same bits whatever the JIT did:
 * with {@code a = |x|}, {@code Q = Phi(-a) = exp(-a^2/2) * g(t)}, {@code t = 1 / (1 + a/2)}, where
 * {@code g} (a Mills-ratio-like function, smooth in t) is a degree-16 polynomial fitted on
 * Chebyshev nodes over {@code a in [0, 8.6]} (relative error 4e-12), and {@code exp} is
 * {@link #exp(double)} below. Then {@code Phi(x) = Q} for {@code x < 0}, {@code 1 - Q} otherwise.
 * One division and one exp per element, no branches; fdlibm's erf (below, {@link #gelu(float)},
 * the oracle) needs five divisions and two exps in four branches. The result is within 1e-7
 * relative of the double-precision formula (tested), i.e. it is the correctly rounded float or
 * its neighbour.
 */
public final class Gelu {

    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;
    /** Elements per task: a few thousand amortise the hand-off. */
    private static final int GRAIN = 8192;

    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    /** Floats of the same lane count as DS (256-bit with AVX-512), widened to DS. */
    private static final VectorSpecies<Float> FS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(DS.length() * Float.SIZE));

    /** g beyond this |x| is taken at the bound (Q < 1e-17 there, so it does not matter). */
    private static final double A_MAX = 8.6;
    /** u = t * U_SCALE + U_SHIFT maps t in [1/(1 + A_MAX/2), 1] onto [-1, 1]. */
    private static final double U_SCALE = 2.4651162790697674, U_SHIFT = -1.4651162790697674;
    private static final double G0 = 0.21863276642393878, G1 = 0.23080821398402904, G2 = 0.0573118085070128,
            G3 = -0.0044376426679655365, G4 = -0.003180434153667919, G5 = 0.0008533492388485688,
            G6 = 0.00010481289648204672, G7 = -0.00012267519555358942, G8 = 2.9521581614579046e-05,
            G9 = 4.3343148191150176e-06, G10 = -5.8684698372763966e-06, G11 = 2.12463451347456e-06,
            G12 = -1.3030703671707051e-07, G13 = -3.5373442496798564e-07, G14 = 1.9032947664388376e-07,
            G15 = 3.6324259451370502e-09, G16 = -2.101482473906552e-08;

    // exp in double: x = n ln2 + r, |r| <= ln2/2, Taylor to r^11 (error < 1e-14), times 2^n.
    private static final double LOG2E = 1.4426950408889634, LN2_HI = 6.93147180369123816490e-01,
            LN2_LO = 1.90821492927058770002e-10, ROUND = 6755399441055744.0, EXP_LO = -700.0;
    private static final double E2 = 1.0 / 2, E3 = 1.0 / 6, E4 = 1.0 / 24, E5 = 1.0 / 120, E6 = 1.0 / 720,
            E7 = 1.0 / 5040, E8 = 1.0 / 40320, E9 = 1.0 / 362880, E10 = 1.0 / 3628800, E11 = 1.0 / 39916800;

    private Gelu() {
    }

    public static void gelu(float[] x, int off, int n) {
        gelu(x, off, x, off, n);
    }

    /** Out of place, {@code out = gelu(inp)} (the training forward keeps its input for the backward). */
    public static void gelu(float[] out, int outOff, float[] inp, int inpOff, int n) {
        Parallel.forRange(n, GRAIN, (i0, i1) -> geluRange(out, outOff + i0, inp, inpOff + i0, i1 - i0));
    }

    /** {@code dInp += dOut * gelu'(inp)}. */
    public static void geluBackward(float[] dInp, int dInpOff, float[] dOut, int dOutOff, float[] inp, int inpOff,
                                    int n) {
        Parallel.forRange(n, GRAIN, (i0, i1) -> backwardRange(dInp, dInpOff + i0, dOut, dOutOff + i0, inp,
                inpOff + i0, i1 - i0));
    }

    static void geluRange(float[] out, int o, float[] in, int i, int n) {
        int upper = n - n % DS.length(), j = 0;
        for (; j < upper; j += DS.length()) {
            DoubleVector x = (DoubleVector) FloatVector.fromArray(FS, in, i + j).convertShape(VectorOperators.F2D, DS, 0);
            DoubleVector a = x.abs();
            DoubleVector e = exp(a.mul(a).mul(-0.5));
            DoubleVector q = e.mul(g(a));
            DoubleVector phi = q.blend(q.neg().add(1.0), x.compare(VectorOperators.GE, 0.0));
            ((FloatVector) x.mul(phi).convertShape(VectorOperators.D2F, FS, 0)).intoArray(out, o + j);
        }
        for (; j < n; j++) {
            out[o + j] = fast(in[i + j]);
        }
    }

    static void backwardRange(float[] dInp, int di, float[] dOut, int dO, float[] in, int i, int n) {
        int upper = n - n % DS.length(), j = 0;
        for (; j < upper; j += DS.length()) {
            DoubleVector x = (DoubleVector) FloatVector.fromArray(FS, in, i + j).convertShape(VectorOperators.F2D, DS, 0);
            DoubleVector a = x.abs();
            DoubleVector e = exp(a.mul(a).mul(-0.5));
            DoubleVector q = e.mul(g(a));
            DoubleVector phi = q.blend(q.neg().add(1.0), x.compare(VectorOperators.GE, 0.0));
            DoubleVector deriv = x.mul(e.mul(INV_SQRT_2PI)).add(phi);
            DoubleVector go = (DoubleVector) FloatVector.fromArray(FS, dOut, dO + j).convertShape(VectorOperators.F2D, DS, 0);
            FloatVector upd = (FloatVector) go.mul(deriv).convertShape(VectorOperators.D2F, FS, 0);
            FloatVector.fromArray(FS, dInp, di + j).add(upd).intoArray(dInp, di + j);
        }
        for (; j < n; j++) {
            dInp[di + j] += (float) (dOut[dO + j] * fastDerivative(in[i + j]));
        }
    }

    /** The scalar twin of the vector loop: bit for bit the same operations. */
    static float fast(float v) {
        double x = v, a = Math.abs(x);
        double q = exp(a * a * -0.5) * g(a);
        double phi = x >= 0.0 ? 1.0 - q : q;
        return (float) (x * phi);
    }

    /** Scalar twin of the backward's derivative. */
    static double fastDerivative(float v) {
        double x = v, a = Math.abs(x);
        double e = exp(a * a * -0.5);
        double q = e * g(a);
        double phi = x >= 0.0 ? 1.0 - q : q;
        return x * (e * INV_SQRT_2PI) + phi;
    }

    private static DoubleVector g(DoubleVector a) {
        DoubleVector t = a.min(A_MAX).mul(0.5).add(1.0);
        t = DoubleVector.broadcast(DS, 1.0).div(t);
        DoubleVector u = t.fma(DoubleVector.broadcast(DS, U_SCALE), DoubleVector.broadcast(DS, U_SHIFT));
        DoubleVector p = DoubleVector.broadcast(DS, G16);
        p = p.fma(u, DoubleVector.broadcast(DS, G15));
        p = p.fma(u, DoubleVector.broadcast(DS, G14));
        p = p.fma(u, DoubleVector.broadcast(DS, G13));
        p = p.fma(u, DoubleVector.broadcast(DS, G12));
        p = p.fma(u, DoubleVector.broadcast(DS, G11));
        p = p.fma(u, DoubleVector.broadcast(DS, G10));
        p = p.fma(u, DoubleVector.broadcast(DS, G9));
        p = p.fma(u, DoubleVector.broadcast(DS, G8));
        p = p.fma(u, DoubleVector.broadcast(DS, G7));
        p = p.fma(u, DoubleVector.broadcast(DS, G6));
        p = p.fma(u, DoubleVector.broadcast(DS, G5));
        p = p.fma(u, DoubleVector.broadcast(DS, G4));
        p = p.fma(u, DoubleVector.broadcast(DS, G3));
        p = p.fma(u, DoubleVector.broadcast(DS, G2));
        p = p.fma(u, DoubleVector.broadcast(DS, G1));
        return p.fma(u, DoubleVector.broadcast(DS, G0));
    }

    private static double g(double a) {
        double t = 1.0 / (Math.min(a, A_MAX) * 0.5 + 1.0);
        double u = Math.fma(t, U_SCALE, U_SHIFT);
        double p = G16;
        p = Math.fma(p, u, G15);
        p = Math.fma(p, u, G14);
        p = Math.fma(p, u, G13);
        p = Math.fma(p, u, G12);
        p = Math.fma(p, u, G11);
        p = Math.fma(p, u, G10);
        p = Math.fma(p, u, G9);
        p = Math.fma(p, u, G8);
        p = Math.fma(p, u, G7);
        p = Math.fma(p, u, G6);
        p = Math.fma(p, u, G5);
        p = Math.fma(p, u, G4);
        p = Math.fma(p, u, G3);
        p = Math.fma(p, u, G2);
        p = Math.fma(p, u, G1);
        return Math.fma(p, u, G0);
    }

    /** exp for x <= 0 (clamped at -700), relative error below 1e-14; the twin of {@link #exp(double)}. */
    private static DoubleVector exp(DoubleVector x) {
        DoubleVector xc = x.max(EXP_LO);
        DoubleVector n = xc.mul(LOG2E).add(ROUND).sub(ROUND);
        DoubleVector r = n.neg().fma(DoubleVector.broadcast(DS, LN2_HI), xc);
        r = n.neg().fma(DoubleVector.broadcast(DS, LN2_LO), r);
        DoubleVector p = DoubleVector.broadcast(DS, E11);
        p = p.fma(r, DoubleVector.broadcast(DS, E10));
        p = p.fma(r, DoubleVector.broadcast(DS, E9));
        p = p.fma(r, DoubleVector.broadcast(DS, E8));
        p = p.fma(r, DoubleVector.broadcast(DS, E7));
        p = p.fma(r, DoubleVector.broadcast(DS, E6));
        p = p.fma(r, DoubleVector.broadcast(DS, E5));
        p = p.fma(r, DoubleVector.broadcast(DS, E4));
        p = p.fma(r, DoubleVector.broadcast(DS, E3));
        p = p.fma(r, DoubleVector.broadcast(DS, E2));
        p = p.fma(r, DoubleVector.broadcast(DS, 1.0));
        p = p.fma(r, DoubleVector.broadcast(DS, 1.0));
        LongVector bits = ((LongVector) n.convert(VectorOperators.D2L, 0)).add(1023L).lanewise(VectorOperators.LSHL, 52);
        return p.mul(bits.reinterpretAsDoubles());
    }

    private static double exp(double x) {
        double xc = Math.max(x, EXP_LO);
        double n = (xc * LOG2E + ROUND) - ROUND;
        double r = Math.fma(-n, LN2_HI, xc);
        r = Math.fma(-n, LN2_LO, r);
        double p = E11;
        p = Math.fma(p, r, E10);
        p = Math.fma(p, r, E9);
        p = Math.fma(p, r, E8);
        p = Math.fma(p, r, E7);
        p = Math.fma(p, r, E6);
        p = Math.fma(p, r, E5);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, 1.0);
        p = Math.fma(p, r, 1.0);
        return p * Double.longBitsToDouble(((long) n + 1023L) << 52);
    }

    /** The reference: fdlibm's erf in double ({@link Erf}), rounded to float once. */
    public static float gelu(float v) {
        double d = v;
        return (float) (0.5 * d * (1.0 + Erf.erf(d * INV_SQRT2)));
    }

    /** Reference derivative, {@code d gelu / dx = Phi(x) + x * phi(x)}. */
    public static double derivative(float v) {
        double d = v;
        return 0.5 * (1.0 + Erf.erf(d * INV_SQRT2)) + d * INV_SQRT_2PI * Math.exp(-0.5 * d * d);
    }
}
