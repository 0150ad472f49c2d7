package w2v4j.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Assumptions;

/**
 * The device the OpenCL tests run on, and comparison helpers. Without an OpenCL platform the tests
 * FAIL when the environment variable {@code CI} is set (CI installs PoCL, so a missing platform
 * is a broken setup, not a reason to skip) and are skipped, with the reason, on a developer
 * machine. {@code -Dw2v.opencl.device=N} picks another device than the first.
 */
final class OpenClTesting {

    /** Largest observed max|Δ|/max|ref| per operation (first word of the label), for the test log. */
    static final java.util.Map<String, Double> WORST = new java.util.concurrent.ConcurrentSkipListMap<>();

    private OpenClTesting() {
    }

    static OpenClBackend backend() {
        if (OpenClDevices.devices().isEmpty()) {
            String why = OpenClDevices.error();
            if (System.getenv("CI") != null) fail("CI is set but no OpenCL device was found: " + why);
            Assumptions.abort("no OpenCL device on this machine, OpenCL tests skipped: " + why);
        }
        int index = Integer.getInteger("w2v.opencl.device", 0);
        OpenClDevices.Device d = OpenClDevices.devices().get(index);
        System.out.println("OpenCL tests on " + d.describe());
        return new OpenClBackend(d);
    }

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (2 * r.nextDouble() - 1);
        return a;
    }

    /**
     * Asserts {@code max|got - ref| <= tol * max(|ref|)} and returns the observed ratio
     * (max error / max |ref|) so tests can print their margins. NaN anywhere fails.
     */
    static double assertClose(String what, float[] ref, float[] got, double tol) {
        assertEquals(ref.length, got.length, what + ": lengths");
        double maxErr = 0, maxRef = 0;
        for (int i = 0; i < ref.length; i++) {
            assertTrue(Float.isNaN(ref[i]) == Float.isNaN(got[i]), what + ": NaN mismatch at " + i);
            if (Float.isNaN(ref[i])) continue;
            maxErr = Math.max(maxErr, Math.abs((double) got[i] - ref[i]));
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        double rel = maxRef == 0 ? maxErr : maxErr / maxRef;
        WORST.merge(what.split(" ")[0], rel, Math::max);
        assertTrue(rel <= tol, what + ": max|Δ|/max|ref| = " + rel + " > " + tol + " (max|Δ| " + maxErr + ")");
        return rel;
    }
}
