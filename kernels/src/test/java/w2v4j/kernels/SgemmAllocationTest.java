package w2v4j.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Steady-state {@link Sgemm#sgemmSerial} allocates nothing: the packing buffers are per thread and
 * reused, and the micro-kernel's vectors stay in registers once C2 has compiled it (an fma that
 * is not intrinsified would allocate ~80 bytes per k step, i.e. megabytes per call). Bound: fewer
 * than 256 bytes over 20 calls of a 96x256x800 GEMM in all four layouts (four K blocks, so C goes
 * through the packed C buffer), less than one small object per call. Until
 * the JIT has compiled the kernel, calls allocate; so the check is retried after more warm-up a
 * few times and passes as soon as one window of 20 calls is clean.
 */
class SgemmAllocationTest {

    @Test
    void steadyStateSerialSgemmDoesNotAllocate() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int m = 96, n = 256, k = 3 * Sgemm.KC + 32;
        Random rnd = new Random(1);
        float[] a = SgemmTest.random(rnd, m * k), b = SgemmTest.random(rnd, k * n), c = new float[m * n];
        long last = Long.MAX_VALUE;
        for (int round = 0; round < 8 && last >= 256; round++) {
            for (int w = 0; w < 100; w++) {
                call(w, m, n, k, a, b, c);
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int r = 0; r < 20; r++) {
                call(r, m, n, k, a, b, c);
            }
            last = mx.getCurrentThreadAllocatedBytes() - before;
        }
        assertTrue(last < 256, "20 steady-state sgemm calls allocated " + last + " bytes");
    }

    /** Call {@code i} of a cycle through the four layouts (NN, NT, TN, TT). */
    private static void call(int i, int m, int n, int k, float[] a, float[] b, float[] c) {
        boolean transA = (i & 2) != 0, transB = (i & 1) != 0;
        Sgemm.sgemmSerial(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0f, c, 0, n);
    }
}
