package w2v4j.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Steady-state linearBackward, conv1dBackward (plain and grouped/padded) and attentionBackward on
 * one thread ({@link Parallel#serially}) allocate no scratch: the dWin chunk, the padded copy and
 * the P/dS tiles are per-thread buffers that are grown once and reused. What may remain is the
 * capturing lambdas handed to {@code Parallel.forRange} (a few dozen bytes each, a handful per
 * call, unless escape analysis removes them). Bound: under 512 bytes per call on average over 10
 * calls (measured: 64 to 184), where any per-call scratch would be tens of KB to MBs. As in
 * {@link SgemmAllocationTest}, the window is retried after more warm-up until the JIT has compiled
 * the kernels (before that, uncompiled vector code allocates ~100 KB a call).
 */
class BackwardAllocationTest {

    static final long BYTES_PER_CALL = 512;

    static long steadyStateBytesPerCall(Runnable call) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Runnable serial = () -> Parallel.serially(call);
        long last = Long.MAX_VALUE;
        // C2 needs many calls to compile the 12x32 GEMM kernel and its callers (until then the Vector API
        // falls back to allocating code): keep warming up, up to ~100k calls, until a round is quiet (steady state: ~120 bytes, the loop lambdas).
        for (int round = 0; round < 200 && last >= BYTES_PER_CALL; round++) {
            for (int w = 0; w < 500; w++) {
                serial.run();
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int r = 0; r < 10; r++) {
                serial.run();
            }
            last = (mx.getCurrentThreadAllocatedBytes() - before) / 10;
        }
        return last;
    }

    static void assertQuiet(String what, Runnable call) {
        long bytes = steadyStateBytesPerCall(call);
        System.out.println("alloc " + what + ": " + bytes + " bytes per steady-state call");
        assertTrue(bytes < BYTES_PER_CALL, what + " allocated " + bytes + " bytes per steady-state call");
    }

    @Test
    void linearBackward() {
        Random rnd = new Random(1);
        int rows = 64, in = 96, out = 80;
        float[] x = SgemmTest.random(rnd, rows * in), w = SgemmTest.random(rnd, out * in);
        float[] dOut = SgemmTest.random(rnd, rows * out);
        float[] dx = new float[rows * in], dw = new float[out * in], db = new float[out];
        assertQuiet("linearBackward", () -> Linear.linearBackward(dx, 0, dw, db, dOut, 0, x, 0, w, rows, in, out));
    }

    @Test
    void conv1dBackward() {
        Random rnd = new Random(2);
        int tIn = 200, cIn = 16, cOut = 32, k = 3, s = 2, tOut = Conv1d.outputLength(tIn, k, s, 0);
        float[] x = SgemmTest.random(rnd, tIn * cIn), w = SgemmTest.random(rnd, cOut * k * cIn);
        float[] dOut = SgemmTest.random(rnd, tOut * cOut);
        float[] dx = new float[tIn * cIn], dw = new float[w.length], db = new float[cOut];
        assertQuiet("conv1dBackward", () -> Conv1d.conv1dBackward(dx, dw, db, dOut, x, w, tIn, cIn, cOut, k, s, 0, 1));

        int gIn = 60, ch = 16, gk = 8, groups = 4, gOut = Conv1d.outputLength(gIn, gk, 1, 4);
        float[] gx = SgemmTest.random(rnd, gIn * ch), gw = SgemmTest.random(rnd, ch * gk * (ch / groups));
        float[] gdOut = SgemmTest.random(rnd, gOut * ch);
        float[] gdx = new float[gx.length], gdw = new float[gw.length], gdb = new float[ch];
        assertQuiet("conv1dBackward grouped", () -> Conv1d.conv1dBackward(gdx, gdw, gdb, gdOut, gx, gw, gIn, ch, ch,
                gk, 1, 4, groups));
    }

    @Test
    void attentionBackward() {
        Random rnd = new Random(3);
        int batch = 2, t = 100, heads = 2, hd = 32, n = batch * t * heads * hd;
        int[] valid = {100, 71};
        float[] q = SgemmTest.random(rnd, n), k = SgemmTest.random(rnd, n), v = SgemmTest.random(rnd, n);
        float[] out = new float[n], lse = new float[batch * heads * t], dOut = SgemmTest.random(rnd, n);
        Attention.attention(out, q, k, v, batch, t, heads, hd, valid, lse);
        float[] dq = new float[n], dk = new float[n], dv = new float[n];
        assertQuiet("attentionBackward", () -> Attention.attentionBackward(dq, dk, dv, dOut, q, k, v, out, lse, batch,
                t, heads, hd, valid));
    }
}
