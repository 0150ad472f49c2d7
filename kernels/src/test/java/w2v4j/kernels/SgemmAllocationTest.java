package w2v4j.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Steady-state {@link Sgemm#sgemmSerial} allocates nothing: the packing buffers are per thread and
 * reused, and the micro-kernel's vectors stay in registers once C2 has compiled it (an fma that
 * is not intrinsified would allocate ~80 bytes per k step, i.e. megabytes per call). Bound: fewer
 * than 256 bytes over 20 calls of a 96x256x320 GEMM, less than one small object per call. Until
 * the JIT has compiled the kernel, calls allocate; so the check is retried after more warm-up a
 * few times and passes as soon as one window of 20 calls is clean.
 */
class SgemmAllocationTest {

    @Test
    void steadyStateSerialSgemmDoesNotAllocate() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int m = 96, n = 256, k = 320;
        Random rnd = new Random(1);
        float[] a = SgemmTest.random(rnd, m * k), b = SgemmTest.random(rnd, k * n), c = new float[m * n];
        long last = Long.MAX_VALUE;
        for (int round = 0; round < 8 && last >= 256; round++) {
            for (int w = 0; w < 150; w++) {
                Sgemm.sgemmSerial(false, w % 2 == 0, m, n, k, 1f, a, 0, k, b, 0, w % 2 == 0 ? k : n, 0f, c, 0, n);
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int r = 0; r < 20; r++) {
                Sgemm.sgemmSerial(false, r % 2 == 0, m, n, k, 1f, a, 0, k, b, 0, r % 2 == 0 ? k : n, 0f, c, 0, n);
            }
            last = mx.getCurrentThreadAllocatedBytes() - before;
        }
        assertTrue(last < 256, "20 steady-state sgemm calls allocated " + last + " bytes");
    }
}
