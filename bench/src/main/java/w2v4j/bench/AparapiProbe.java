package w2v4j.bench;

import com.aparapi.Kernel;
import com.aparapi.Range;
import com.aparapi.device.Device;
import com.aparapi.internal.kernel.KernelManager;

import w2v4j.kernels.Dropout;
import w2v4j.kernels.opencl.OpenClBackend;
import w2v4j.kernels.Backends;

/**
 * Measures the Aparapi route of issue #8 (Java kernel bodies translated to OpenCL at run time) on
 * the machine's first OpenCL device, beside the OpenCL C kernels of the {@code opencl} backend:
 * the same elementwise body and a one-output-per-work-item GEMM on the model's largest shape, with
 * the arrays kept on the device between runs (Aparapi's explicit mode) so that only the kernel is
 * timed, and whether a kernel body may call a static helper of another class (the project's
 * kernels do: {@code Dropout.mix}). Run with {@code scripts/aparapi_probe.sh}.
 */
public final class AparapiProbe {

    static final int M = 500, K = 768, N = 3072, REPS = 5;

    public static void main(String[] args) {
        Device device = KernelManager.instance().bestDevice();
        System.out.println("aparapi device: " + device.getShortDescription() + " " + device.getType());

        // 1. elementwise x += y over 16 M floats
        int n = 1 << 24;
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) y[i] = i * 1e-7f;
        Kernel add = new Kernel() {
            @Override
            public void run() {
                int i = getGlobalId();
                x[i] += y[i];
            }
        };
        add.setExplicit(true);
        add.put(x).put(y);
        double addMs = time(() -> add.execute(Range.create(device, n, 64)));
        add.get(x);
        report("aparapi add 16M (explicit buffers)", addMs, 3.0 * 4 * n / 1e9, "GB/s", add);
        add.dispose();

        // 2. C[M,N] = A[M,K] . B[N,K]^T, one output per work-item (the loop a Java kernel body would hold)
        float[] a = random(M * K, 1), b = random(N * K, 2), c = new float[M * N];
        Kernel gemm = new Kernel() {
            @Override
            public void run() {
                int id = getGlobalId();
                int row = id / N, col = id % N;
                float acc = 0f;
                for (int k = 0; k < K; k++) acc += a[row * K + k] * b[col * K + k];
                c[id] = acc;
            }
        };
        gemm.setExplicit(true);
        gemm.put(a).put(b);
        double gemmMs = time(() -> gemm.execute(Range.create(device, M * N, 64)));
        gemm.get(c);
        report("aparapi sgemm NT 500x768x3072, 1 output/work-item", gemmMs, 2.0 * M * N * K / 1e9, "GFLOP/s", gemm);
        gemm.dispose();

        // the opencl backend's OpenCL C kernels (GEMM tiled and register-blocked), arrays bound to the device
        try (OpenClBackend cl = (OpenClBackend) Backends.get("opencl", 0)) {
            cl.bind(x);
            cl.bind(y);
            double clAddMs = time(() -> {
                cl.add(x, 0, y, 0, n);
                cl.finish();
            });
            System.out.printf("opencl backend add 16M (bound arrays): %.2f ms, %.1f GB/s%n", clAddMs, 3.0 * 4 * n / 1e9 / (clAddMs / 1e3));
            cl.unbind(x);
            cl.unbind(y);
            float[] c2 = new float[M * N];
            cl.bind(a);
            cl.bind(b);
            cl.bind(c2);
            double clMs = time(() -> {
                cl.sgemm(false, true, M, N, K, 1f, a, 0, K, b, 0, K, 0f, c2, 0, N);
                cl.finish();
            });
            cl.syncToHost(c2);
            double maxErr = 0;
            for (int i = 0; i < c.length; i++) maxErr = Math.max(maxErr, Math.abs(c[i] - c2[i]));
            System.out.printf("opencl backend sgemm NT 500x768x3072: %.1f ms, %.1f GFLOP/s (max |aparapi - opencl| %.1e)%n",
                    clMs, 2.0 * M * N * K / 1e9 / (clMs / 1e3), maxErr);
        }

        // 3. a body calling a static helper of another class, as the project's kernels do
        long[] out = new long[1024];
        Kernel helper = new Kernel() {
            @Override
            public void run() {
                int i = getGlobalId();
                out[i] = Dropout.mix(i);
            }
        };
        helper.execute(Range.create(device, out.length, 64));
        boolean ok = out[5] == Dropout.mix(5);
        System.out.println("aparapi body calling Dropout.mix (static, another class): ran on " + mode(helper)
                + ", result " + (ok ? "correct" : "WRONG"));
        helper.dispose();
    }

    static String mode(Kernel k) {
        return k.isRunningCL() ? "OpenCL" : "the Java thread pool fallback (not translated)";
    }

    static void report(String what, double ms, double work, String unit, Kernel k) {
        System.out.printf("%s: %.2f ms, %.1f %s, on %s%n", what, ms, work / (ms / 1e3), unit, mode(k));
    }

    /** Median of REPS runs after one warm-up (which translates and compiles), in ms. */
    static double time(Runnable r) {
        r.run();
        double[] t = new double[REPS];
        for (int i = 0; i < REPS; i++) {
            long t0 = System.nanoTime();
            r.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        java.util.Arrays.sort(t);
        return t[REPS / 2];
    }

    static float[] random(int n, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }
}
