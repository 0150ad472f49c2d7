package w2v4j.repl;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measured FP32 ceiling of the Vector API: twelve independent FMA chains held in registers (enough
 * to cover the FMA latency on two ports), run on {@code threads} threads at once. This is what a
 * GEMM micro-kernel could reach if it never waited on memory.
 */
final class PeakFlops {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private PeakFlops() {
    }

    static double measure(int threads) {
        for (int i = 0; i < 3; i++) chains(2_000_000); // let C2 compile the loop
        long iters = 20_000_000;
        double[] best = new double[1];
        for (int rep = 0; rep < 3; rep++) {
            Thread[] ts = new Thread[threads];
            float[] sink = new float[threads];
            long t0 = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int id = t;
                ts[t] = new Thread(() -> sink[id] = chains(iters));
                ts[t].start();
            }
            for (Thread t : ts) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Double.NaN;
                }
            }
            double sec = (System.nanoTime() - t0) / 1e9;
            best[0] = Math.max(best[0], threads * iters * 12.0 * S.length() * 2 / sec / 1e9);
        }
        return best[0];
    }

    static float chains(long iters) {
        FloatVector a = FloatVector.broadcast(S, 0.999f), b = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0,
                c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(a, b); c1 = c1.fma(a, b); c2 = c2.fma(a, b); c3 = c3.fma(a, b);
            c4 = c4.fma(a, b); c5 = c5.fma(a, b); c6 = c6.fma(a, b); c7 = c7.fma(a, b);
            c8 = c8.fma(a, b); c9 = c9.fma(a, b); c10 = c10.fma(a, b); c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).lane(0);
    }
}
