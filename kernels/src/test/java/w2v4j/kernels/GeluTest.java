package w2v4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** Erf against known values and an independent series; GELU against a double evaluation. */
class GeluTest {

    /**
     * erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)): all terms positive,
     * so no cancellation; its rounding grows with the number of terms (~2x^2), to about 1e-15
     * near |x| = 6.
     */
    static double seriesErf(double x) {
        double ax = Math.abs(x), term = ax, sum = ax;
        for (int n = 1; n < 400 && term > 1e-17 * sum; n++) {
            term *= 2 * ax * ax / (2 * n + 1);
            sum += term;
        }
        return Math.copySign(2 / Math.sqrt(Math.PI) * Math.exp(-ax * ax) * sum, x);
    }

    @Test
    void erfKnownValues() {
        double[][] known = {
                {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {0.84375, 0.7672256612323416},
                {0.9, 0.7969082124228322}, {1.0, 0.8427007929497149}, {1.2, 0.9103139782296353},
                {1.25, 0.9229001282564582}, {1.5, 0.9661051464753108}, {2.0, 0.9953222650189527},
                {2.5, 0.999593047982555}, {3.0, 0.9999779095030014}, {-3.0, -0.9999779095030014},
                {4.0, 0.9999999845827421}, {5.0, 0.9999999999984626}, {1e-10, 1.1283791670955126e-10},
                {1e-300, 1.1283791670955126e-300}, {0.0, 0.0}};
        for (double[] kv : known) {
            assertEquals(kv[1], Erf.erf(kv[0]), 2 * Math.ulp(kv[1]), "erf(" + kv[0] + ")");
            assertEquals(-kv[1], Erf.erf(-kv[0]), 2 * Math.ulp(kv[1]), "erf(-" + kv[0] + ")");
        }
        assertEquals(1.0, Erf.erf(6.0));
        assertEquals(-1.0, Erf.erf(-10.0));
        assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY));
        assertTrue(Double.isNaN(Erf.erf(Double.NaN)));
    }

    @Test
    void erfMatchesSeriesOnAGrid() {
        for (int i = -5900; i <= 5900; i += 7) {
            double x = i / 1000.0;
            assertEquals(seriesErf(x), Erf.erf(x), 2e-15, "erf(" + x + ")");
        }
    }

    @Test
    void geluMatchesDoubleFormula() {
        Random rnd = new Random(8);
        int n = 20000;
        float[] x = new float[n + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 3);
        }
        x[3] = 0f;
        x[4] = -0f;
        x[5] = 12f;
        x[6] = -12f;
        float[] orig = x.clone();
        Gelu.gelu(x, 3, n);
        assertEquals(orig[0], x[0]);
        for (int i = 3; i < n + 3; i++) {
            double v = orig[i];
            double ref = 0.5 * v * (1 + seriesErf(Math.max(-5.9, Math.min(5.9, v / Math.sqrt(2)))));
            if (Math.abs(v) > 8) {
                ref = v > 0 ? v : 0; // the erf saturates in double long before |x| = 8
            }
            assertEquals(ref, x[i], 1e-7 * Math.abs(ref) + 1e-12, "gelu(" + v + ")");
        }
        assertEquals(0.8413447460685429, Gelu.gelu(1f), 1e-7);
        assertEquals(-0.15865525393145707, Gelu.gelu(-1f), 1e-7);
    }

    /** Values that cover every lane position, both signs, the fitted range's ends, zeros and the saturated tails. */
    static float[] geluInputs() {
        Random rnd = new Random(11);
        int n = 100_003;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = switch (i % 4) {
                case 0 -> (float) (rnd.nextGaussian() * 3);
                case 1 -> (float) ((rnd.nextDouble() - 0.5) * 24);
                case 2 -> (float) (rnd.nextGaussian() * 1e-3);
                default -> (float) ((rnd.nextDouble() - 0.5) * 1e4);
            };
        }
        float[] special = {0f, -0f, 8.6f, -8.6f, 8.61f, -8.61f, 12.16f, -12.16f, 1e-30f, -1e-30f, Float.MIN_VALUE,
                -Float.MAX_VALUE, Float.MAX_VALUE, 3.4e38f, -40f, 40f};
        System.arraycopy(special, 0, x, 0, special.length);
        return x;
    }

    @Test
    void vectorGeluEqualsItsScalarTwinBitForBitAndTheDoubleFormula() {
        float[] x = geluInputs();
        float[] out = new float[x.length], first = new float[x.length];
        Gelu.gelu(first, 0, x, 0, x.length);
        // run the kernel until C2 has compiled it: the intrinsics must agree with the Java fallback
        for (int r = 0; r < 40; r++) {
            Gelu.gelu(out, 0, x, 0, x.length);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToRawIntBits(first[i]), Float.floatToRawIntBits(out[i]), "run " + r);
            }
        }
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(Gelu.fast(x[i])), Float.floatToRawIntBits(out[i]),
                    "vector vs scalar twin at gelu(" + x[i] + ")");
            double v = x[i];
            double ref = 0.5 * v * (1 + Erf.erf(v / Math.sqrt(2)));
            if (Double.isInfinite(ref) || Double.isNaN(ref)) {
                continue;
            }
            // the double formula's 1 + erf loses its relative accuracy below x = -5, hence the absolute term
            assertEquals(ref, out[i], 1e-7 * Math.abs(ref) + 1e-12, "gelu(" + v + ")");
            if (Math.abs(ref) > 1e-6) {
                worst = Math.max(worst, Math.abs(out[i] - ref) / Math.abs(ref));
            }
        }
        System.out.printf("vector GELU: max relative error vs the double formula %.2e%n", worst);
    }

    @Test
    void vectorGeluBackwardEqualsItsScalarTwinAndTheDoubleDerivative() {
        float[] x = geluInputs();
        Random rnd = new Random(5);
        float[] dOut = new float[x.length], dInp = new float[x.length], start = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            dOut[i] = (float) rnd.nextGaussian();
            start[i] = (float) rnd.nextGaussian();
        }
        System.arraycopy(start, 0, dInp, 0, x.length);
        Gelu.geluBackward(dInp, 0, dOut, 0, x, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            float twin = start[i] + (float) (dOut[i] * Gelu.fastDerivative(x[i]));
            assertEquals(Float.floatToRawIntBits(twin), Float.floatToRawIntBits(dInp[i]), "twin at x = " + x[i]);
            double ref = Gelu.derivative(x[i]);
            if (!Double.isFinite(ref) || Math.abs(x[i]) > 1e3) {
                continue;
            }
            assertEquals(ref, Gelu.fastDerivative(x[i]), 1e-9 * Math.abs(ref) + 1e-12, "gelu'(" + x[i] + ")");
        }
    }
}
