package w2v4j.kernels;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH micro-benchmarks of the Java kernels on wav2vec 2.0 BASE shapes (10 s of audio: T = 500
 * frames, 768 channels, 3072 FFN, 12 heads). Average time per call; GFLOP/s = flops / time, see
 * {@code w2v bench} for the same numbers printed as GFLOP/s beside the machine's peak. Lives in
 * package {@code w2v4j.kernels} to reach the package-private micro-kernel and packing routines.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelBenchmarks {

    /** GEMM operands for one shape and layout (NT = linear's A . W^T, NN and TN = its backward). */
    @State(Scope.Benchmark)
    public static class Gemm {
        @Param({"500x768x768", "500x768x3072", "500x3072x768"})
        public String shape;
        @Param({"NT", "NN", "TN"})
        public String layout;
        int m, n, k, lda, ldb;
        boolean ta, tb;
        float[] a, b, c;

        @Setup(Level.Trial)
        public void setup() {
            String[] s = shape.split("x");
            m = Integer.parseInt(s[0]);
            k = Integer.parseInt(s[1]);
            n = Integer.parseInt(s[2]);
            ta = layout.charAt(0) == 'T';
            tb = layout.charAt(1) == 'T';
            lda = ta ? m : k;
            ldb = tb ? k : n;
            SplittableRandom r = new SplittableRandom(1);
            a = random(r, m * k);
            b = random(r, k * n);
            c = new float[m * n];
        }
    }

    @Benchmark
    public float[] sgemm(Gemm g) {
        Sgemm.sgemm(g.ta, g.tb, g.m, g.n, g.k, 1f, g.a, 0, g.lda, g.b, 0, g.ldb, 0f, g.c, 0, g.n);
        return g.c;
    }

    @Benchmark
    public float[] sgemmOneThread(Gemm g) {
        Sgemm.sgemmSerial(g.ta, g.tb, g.m, g.n, g.k, 1f, g.a, 0, g.lda, g.b, 0, g.ldb, 0f, g.c, 0, g.n);
        return g.c;
    }

    /** The register tile alone on L1-resident packed panels (kc = 256): the ceiling of the GEMM. */
    @State(Scope.Thread)
    public static class Micro {
        final float[] pa = random(new SplittableRandom(2), Sgemm.MR * Sgemm.KC);
        final float[] pb = random(new SplittableRandom(3), Sgemm.KC * Sgemm.NR);
        final float[] c = new float[Sgemm.MR * Sgemm.NR];
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public float[] microKernel(Micro s) {
        Sgemm.microKernel(Sgemm.KC, s.pa, 0, s.pb, 0, s.c, 0, Sgemm.NR);
        return s.c;
    }

    /** Activations of one Transformer layer and of the first extractor layer. */
    @State(Scope.Benchmark)
    public static class Acts {
        final int t = 499, d = 768, heads = 12, ffn = 3072;
        final SplittableRandom r = new SplittableRandom(4);
        final float[] q = random(r, t * d), k = random(r, t * d), v = random(r, t * d), out = new float[t * d];
        final float[] lse = new float[heads * t], dq = new float[t * d], dk = new float[t * d], dv = new float[t * d];
        final float[] hidden = random(r, t * ffn), hiddenOut = new float[t * ffn], dHidden = new float[t * ffn];
        final float[] gamma = fill(d, 1f), beta = fill(d, 0f), x = random(r, t * d), y = new float[t * d];
        final float[] conv0 = random(r, 31999 * 512), gnGamma = fill(512, 1f), gnBeta = fill(512, 0f);
        final float[] conv1In = random(r, 31999 * 512), conv1Out = new float[15999 * 512];
        final float[] conv1W = random(r, 512 * 3 * 512);
        final int[] valid = {t};
    }

    @Benchmark
    public float[] attention(Acts s) {
        Attention.attention(s.out, s.q, s.k, s.v, 1, s.t, s.heads, s.d / s.heads, s.valid);
        return s.out;
    }

    @Benchmark
    public float[] attentionBackward(Acts s) {
        Attention.attention(s.out, s.q, s.k, s.v, 1, s.t, s.heads, s.d / s.heads, s.valid, s.lse);
        Attention.attentionBackward(s.dq, s.dk, s.dv, s.out, s.q, s.k, s.v, s.out, s.lse, 1, s.t, s.heads,
                s.d / s.heads, s.valid);
        return s.dq;
    }

    @Benchmark
    public float[] geluFfn(Acts s) {
        Gelu.gelu(s.hiddenOut, 0, s.hidden, 0, s.hidden.length);
        return s.hiddenOut;
    }

    @Benchmark
    public float[] geluBackwardFfn(Acts s) {
        Gelu.geluBackward(s.dHidden, 0, s.hiddenOut, 0, s.hidden, 0, s.hidden.length);
        return s.dHidden;
    }

    @Benchmark
    public float[] layerNorm(Acts s) {
        LayerNorm.layerNorm(s.y, 0, s.x, 0, s.gamma, s.beta, s.t, s.d, 1e-5f);
        return s.y;
    }

    @Benchmark
    public float[] groupNormConv0(Acts s) {
        GroupNorm.groupNorm(s.conv0, s.gnGamma, s.gnBeta, 31999, 31999, 512, 512, 1e-5f);
        return s.conv0;
    }

    @Benchmark
    public float[] conv1(Acts s) {
        Conv1d.conv1d(s.conv1Out, s.conv1In, s.conv1W, null, 31999, 512, 512, 3, 2, 0, 1);
        return s.conv1Out;
    }

    static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() - 0.5);
        }
        return a;
    }

    static float[] fill(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
