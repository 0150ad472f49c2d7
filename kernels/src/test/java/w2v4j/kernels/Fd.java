package w2v4j.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

/**
 * Finite-difference gradient checks. A test writes its op's forward in double ({@link Forward}),
 * picks a random linear functional {@code L = sum_i w_i out_i}, and compares the gradient the
 * float kernel's backward produces (fed {@code dOut = w}) against central differences of the
 * double forward.
 *
 * <p>Step {@code h = 1e-5} on O(1) inputs: the truncation error of a central difference is
 * O(h^2 f''') ~ 1e-10 and the rounding error ~ 1e-16 |L| / h ~ 1e-11 |L|, so the FD gradient is
 * exact to ~1e-9 relative and what the check measures is the float32 kernel. A float32 gradient
 * built from sums of tens to hundreds of products carries relative errors of ~1e-6, hence the
 * tolerance {@code max|g - fd| <= 1e-4 * max|fd| + 1e-6} (100x headroom over float rounding, far
 * below what any missing or wrong term would give: those are O(max|fd|)).
 */
final class Fd {

    static final double H = 1e-5;
    static final double REL_TOL = 1e-4, ABS_TOL = 1e-6;

    /** A forward pass in double precision from its inputs to its output. */
    interface Forward {
        double[] run(double[][] inputs);
    }

    private Fd() {
    }

    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    static float[] uniform(Random rnd, int n, float lo, float hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * rnd.nextFloat();
        }
        return x;
    }

    /** Gradient of {@code L = sum w_i f(x)_i} with respect to {@code inputs[which]}, by central differences. */
    static double[] gradient(Forward f, double[][] inputs, int which, float[] w) {
        double[] x = inputs[which];
        double[] g = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            double save = x[j];
            x[j] = save + H;
            double plus = dot(w, f.run(inputs));
            x[j] = save - H;
            double minus = dot(w, f.run(inputs));
            x[j] = save;
            g[j] = (plus - minus) / (2 * H);
        }
        return g;
    }

    static double dot(float[] w, double[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += w[i] * y[i];
        }
        return s;
    }

    /**
     * Asserts the analytic gradient {@code got[off + i] - prefill} matches {@code fd[i]} (the
     * gradient buffers start at {@code prefill}, so this also checks that the backward adds).
     * Returns max|g - fd| / max|fd| and prints it, for the record.
     */
    static double check(String what, float[] got, int off, float prefill, double[] fd) {
        double maxFd = 0, maxErr = 0;
        int worst = -1;
        for (int i = 0; i < fd.length; i++) {
            maxFd = Math.max(maxFd, Math.abs(fd[i]));
        }
        for (int i = 0; i < fd.length; i++) {
            double err = Math.abs((got[off + i] - (double) prefill) - fd[i]);
            if (err > maxErr) {
                maxErr = err;
                worst = i;
            }
        }
        System.out.printf("FD %-40s max|g-fd| = %.2e  max|fd| = %.2e  rel = %.2e%n", what, maxErr, maxFd,
                maxErr / Math.max(maxFd, 1e-300));
        assertTrue(maxFd > 0, what + ": the functional does not depend on this input at all");
        assertTrue(maxErr <= REL_TOL * maxFd + ABS_TOL, what + ": max|g - fd| = " + maxErr + " at " + worst
                + " (g = " + (got[off + worst] - prefill) + ", fd = " + fd[worst] + "), max|fd| = " + maxFd);
        return maxErr / maxFd;
    }

    /** A gradient buffer of n elements (plus offset) all set to {@code prefill}. */
    static float[] prefilled(int n, float prefill) {
        float[] g = new float[n];
        java.util.Arrays.fill(g, prefill);
        return g;
    }
}
