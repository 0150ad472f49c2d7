package w2v4j.kernels;

import java.util.Arrays;
import java.util.Random;

/**
 * Sgemm throughput on the transformer's shapes (not a test: timing belongs to a quiet machine).
 * <pre>
 * java --add-modules jdk.incubator.vector -cp kernels/target/classes:core/target/classes \
 *      [-Dw2v.threads=N] w2v4j.kernels.SgemmBench [seconds-per-shape]
 * </pre>
 * For each shape and layout (NT = {@code linear}'s {@code A . W^T}, NN = plain) it warms up, then
 * times samples of at least 0.1 s each and prints the median and best GFLOP/s (2*M*N*K flops).
 */
public final class SgemmBench {

    private SgemmBench() {
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 2.0;
        int[][] shapes = {{500, 768, 768}, {500, 768, 3072}, {500, 3072, 768}, {1024, 1024, 1024}};
        System.out.println(new JavaBackend().description());
        System.out.println("     M     K     N  layout  GFLOP/s median   best");
        for (int[] s : shapes) {
            for (boolean transB : new boolean[]{true, false}) {
                run(s[0], s[1], s[2], transB, seconds);
            }
        }
    }

    static void run(int m, int k, int n, boolean transB, double seconds) {
        Random rnd = new Random(42);
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextFloat() - 0.5f;
        }
        int ldb = transB ? k : n;
        double flop = 2.0 * m * n * k;
        // Warm-up: about a third of the budget, so C2 has compiled the kernel before timing.
        long warmEnd = System.nanoTime() + (long) (seconds * 0.3e9);
        while (System.nanoTime() < warmEnd) {
            Sgemm.sgemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, ldb, 0f, c, 0, n);
        }
        int perSample = Math.max(1, (int) (0.1 / (flop / 150e9)));
        int samples = Math.max(3, (int) (seconds * 0.7 / 0.1));
        double[] gflops = new double[samples];
        for (int sIdx = 0; sIdx < samples; sIdx++) {
            long t0 = System.nanoTime();
            for (int r = 0; r < perSample; r++) {
                Sgemm.sgemm(false, transB, m, n, k, 1f, a, 0, k, b, 0, ldb, 0f, c, 0, n);
            }
            gflops[sIdx] = flop * perSample / (System.nanoTime() - t0);
        }
        Arrays.sort(gflops);
        System.out.printf("%6d%6d%6d  %-6s  %14.1f %6.1f%n", m, k, n, transB ? "NT" : "NN",
                gflops[samples / 2], gflops[samples - 1]);
    }
}
