package w2v4j.repl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import w2v4j.core.W2vException;
import w2v4j.core.config.Wav2Vec2Config;
import w2v4j.core.io.Json;
import w2v4j.kernels.Backend;
import w2v4j.kernels.BackendProvider;
import w2v4j.kernels.Backends;
import w2v4j.kernels.ConvWeights;
import w2v4j.kernels.TransferStats;
import w2v4j.model.Inference;
import w2v4j.model.Param;
import w2v4j.model.Presets;
import w2v4j.model.TrainOptions;
import w2v4j.model.Wav2Vec2Model;
import w2v4j.train.optim.Grads;
import w2v4j.train.pretrain.PretrainPresets;
import w2v4j.train.pretrain.PretrainStep;
import w2v4j.train.run.DeviceResidency;
import w2v4j.train.run.TrainConfig;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code w2v bench}: kernel throughput on the model's shapes next to the machine's FP32 peak, the
 * forward pass (real-time factor, per-operation shares), a training step (forward + backward of
 * the pre-training objective) and peak memory, on a randomly initialised preset. Every timing is
 * the median of several runs after warm-up; nothing is asserted, since a shared machine is noisy.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure kernel GFLOP/s on the model's shapes (beside the machine's FP32 peak), the forward pass, "
                + "a pre-training step and peak memory, with random weights on synthetic audio (medians after warm-up).",
                "With --backend all, every available backend runs the same workloads and the ratios to the first are printed."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "base", description = "Model preset: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).",
            completionCandidates = Presets.Names.class)
    String preset;

    @Option(names = "--seconds", defaultValue = "10", description = "Audio length of the forward bench in seconds (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--batch", defaultValue = "1", description = "Utterances per forward batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--train-batch", defaultValue = "4", description = "Utterances per training step (default ${DEFAULT-VALUE}).")
    int trainBatch;

    @Option(names = "--train-seconds", defaultValue = "5", description = "Audio length per utterance of the training step (default ${DEFAULT-VALUE}).")
    double trainSeconds;

    @Option(names = "--runs", defaultValue = "5", description = "Timed forward runs (default ${DEFAULT-VALUE}; training steps use max(3, runs/2)).")
    int runs;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed warm-up runs (default ${DEFAULT-VALUE}; training uses 1).")
    int warmup;

    @Option(names = "--backend", defaultValue = "java", description = "Compute backend, a comma-separated list, or 'all' for every available one, side by side with ratios to the first (default ${DEFAULT-VALUE}).")
    String backendName;

    @Option(names = "--only", split = ",", description = "Parts to run, from gemm, kernels, forward, train, scaling (default: all but scaling).")
    List<String> only;

    @Option(names = "--lengths", split = ",", defaultValue = "5,10,20,40",
            description = "Audio lengths in seconds for the scaling part (default ${DEFAULT-VALUE}).")
    double[] lengths;

    @Option(names = "--train", description = "Only the training step (same as --only train).")
    boolean train;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    private static final List<String> PARTS = List.of("gemm", "kernels", "forward", "train", "scaling");

    @Override
    public Integer call() {
        Wav2Vec2Config config = Presets.get(preset);
        if (runs < 1 || seconds <= 0 || trainSeconds <= 0) throw new W2vException("--runs must be >= 1 and --seconds, --train-seconds > 0");
        if (batch < 1 || trainBatch < 1) throw new W2vException("--batch and --train-batch must be >= 1");
        List<String> parts = train ? List.of("train") : only != null ? only : List.of("gemm", "kernels", "forward", "train");
        for (String p : parts) {
            if (!PARTS.contains(p)) throw new W2vException("unknown bench part '" + p + "' (known: " + String.join(", ", PARTS) + ")");
        }
        List<String> names = new ArrayList<>();
        if (backendName.equals("all")) {
            for (BackendProvider p : Backends.list()) {
                if (p.available()) names.add(p.name());
                else if (!json) System.err.println("bench: skipping backend " + p.name() + ": " + p.unavailableReason());
            }
        } else {
            names.addAll(Arrays.asList(backendName.split(",")));
        }
        Map<String, Object> machine = machine();
        List<Map<String, Object>> results = new ArrayList<>();
        for (String name : names) {
            try (Backend backend = Backends.get(name, 0)) {
                if (!json) System.err.println("bench: backend " + backend.name() + ": " + backend.description());
                results.add(runAll(config, backend, parts));
            }
        }
        if (json) {
            Map<String, Object> top;
            if (results.size() == 1) {
                top = new LinkedHashMap<>(machine);
                top.putAll(results.get(0));
            } else {
                top = new LinkedHashMap<>(machine);
                top.put("backends", results);
                top.put("speedup_vs_" + names.get(0), ratios(results));
            }
            top.put("peak_rss_mb", PeakRss.megabytes());
            System.out.println(Json.write(top));
        } else {
            printText(machine, results, names);
        }
        return 0;
    }

    // ---------------------------------------------------------------- the workloads

    private Map<String, Object> runAll(Wav2Vec2Config config, Backend backend, List<String> parts) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("impl", "w2v4j");
        r.put("backend", backend.name());
        r.put("backend_description", backend.description());
        r.put("preset", preset);
        if (parts.contains("gemm")) gemm(config, backend, r);
        if (parts.contains("kernels")) kernels(config, backend, r);
        if (parts.contains("forward")) forward(config, backend, r);
        if (parts.contains("train")) train(config, backend, r);
        if (parts.contains("scaling")) scaling(config, backend, r);
        r.put("peak_rss_mb", PeakRss.megabytes());
        return r;
    }

    /** GEMM shapes of one Transformer layer on 10 s of audio (T = 500 frames): forward NT, backward NN and TN. */
    private void gemm(Wav2Vec2Config c, Backend be, Map<String, Object> r) {
        int t = 500, d = c.hiddenSize(), f = c.intermediateSize();
        Map<String, Object> fwd = new LinkedHashMap<>(), all = new LinkedHashMap<>();
        // Warm every layout up first: C2 compiles the large micro-kernel late, and the first shape
        // timed would otherwise pay for it.
        gemmGflops(be, false, true, t, d, d);
        gemmGflops(be, false, false, t, d, d);
        gemmGflops(be, true, false, d, t, d);
        // forward: linear = A . W^T (the model's layout); keys are MxKxN
        int[][] nt = {{t, d, d}, {t, d, f}, {t, f, d}};
        for (int[] s : nt) {
            double g = gemmGflops(be, false, true, s[0], s[1], s[2]);
            fwd.put(s[0] + "x" + s[1] + "x" + s[2], round1(g));
            all.put("NT " + s[0] + "x" + s[1] + "x" + s[2], round1(g));
            progress("gemm NT %dx%dx%d: %.1f GFLOP/s", s[0], s[1], s[2], g);
        }
        // backward: dInp = dOut . W (NN), dW = dOut^T . inp (TN, K = the frames)
        int[][] nn = {{t, f, d}, {t, d, f}};
        for (int[] s : nn) {
            double g = gemmGflops(be, false, false, s[0], s[1], s[2]);
            all.put("NN " + s[0] + "x" + s[1] + "x" + s[2], round1(g));
            progress("gemm NN %dx%dx%d: %.1f GFLOP/s", s[0], s[1], s[2], g);
        }
        int[][] tn = {{f, t, d}, {d, t, f}};
        for (int[] s : tn) {
            double g = gemmGflops(be, true, false, s[0], s[1], s[2]);
            all.put("TN " + s[0] + "x" + s[1] + "x" + s[2], round1(g));
            progress("gemm TN %dx%dx%d: %.1f GFLOP/s", s[0], s[1], s[2], g);
        }
        r.put("gemm_gflops", fwd);
        r.put("gemm_gflops_by_layout", all);
    }

    private static double gemmGflops(Backend be, boolean ta, boolean tb, int m, int k, int n) {
        SplittableRandom rnd = new SplittableRandom(42);
        float[] a = randomArray(rnd, m * k), b = randomArray(rnd, k * n), c = new float[m * n];
        int lda = ta ? m : k, ldb = tb ? k : n;
        double flop = 2.0 * m * n * k;
        return flop / 1e9 / medianSeconds(() -> be.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n), 1.5);
    }

    /** The other kernels on the shapes of a 10 s forward (batch 1). */
    private void kernels(Wav2Vec2Config c, Backend be, Map<String, Object> r) {
        Map<String, Object> out = new LinkedHashMap<>();
        SplittableRandom rnd = new SplittableRandom(3);
        int[] dims = c.convDim(), ks = c.convKernel(), ss = c.convStride();
        int tIn = 160000, cIn = 1;
        for (int i = 0; i < dims.length; i++) {
            int tOut = (tIn - ks[i]) / ss[i] + 1, cOut = dims[i], k = ks[i], s = ss[i], ci = cIn, ti = tIn;
            float[] inp = randomArray(rnd, ti * ci), w = ConvWeights.pack(randomArray(rnd, cOut * ci * k), cOut, ci, k);
            float[] o = new float[tOut * cOut];
            double sec = medianSeconds(() -> be.conv1d(o, inp, w, null, ti, ci, cOut, k, s, 0, 1), 0.6);
            out.put("conv" + i + " " + ci + "->" + cOut + " k" + k + " s" + s + " T" + tOut, kernelEntry(sec, 2.0 * tOut * cOut * ci * k));
            progress("conv%d: %.2f ms", i, sec * 1e3);
            if (i == 0) {
                // group norm and GELU of the first layer (the widest activations of the model)
                float[] gam = filled(cOut, 1f), bet = filled(cOut, 0f);
                double gn = medianSeconds(() -> be.groupNorm(o, gam, bet, tOut, tOut, cOut, cOut, 1e-5f), 0.4);
                out.put("groupnorm " + cOut + "x" + tOut, bandwidthEntry(gn, 3L * tOut * cOut * 4));
                double ge = medianSeconds(() -> be.gelu(o, 0, tOut * cOut), 0.4);
                out.put("gelu " + (tOut * cOut), bandwidthEntry(ge, 2L * tOut * cOut * 4));
            }
            tIn = tOut;
            cIn = cOut;
        }
        int t = 499, d = c.hiddenSize(), h = c.numAttentionHeads(), hd = d / h;
        float[] q = randomArray(rnd, t * d), k = randomArray(rnd, t * d), v = randomArray(rnd, t * d), o = new float[t * d];
        float[] lse = new float[h * t], dq = new float[t * d], dk = new float[t * d], dv = new float[t * d];
        int[] valid = {t};
        double attFlop = 4.0 * t * t * d;
        out.put("attention T" + t + " h" + h, kernelEntry(medianSeconds(() -> be.attention(o, q, k, v, 1, t, h, hd, valid), 0.6), attFlop));
        be.attention(o, q, k, v, 1, t, h, hd, valid, lse);
        out.put("attention backward T" + t + " h" + h, kernelEntry(medianSeconds(
                () -> be.attentionBackward(dq, dk, dv, o, q, k, v, o, lse, 1, t, h, hd, valid), 0.6), 2.0 * attFlop));
        // positional convolution: kernel 128, 16 groups, padding 64
        int pk = c.numConvPosEmbeddings(), pg = c.numConvPosEmbeddingGroups();
        float[] pw = ConvWeights.pack(randomArray(rnd, d * (d / pg) * pk), d, d / pg, pk);
        int pOut = t + 2 * (pk / 2) - pk + 1;
        float[] po = new float[pOut * d];
        out.put("posconv k" + pk + " g" + pg, kernelEntry(medianSeconds(() -> be.conv1d(po, q, pw, null, t, d, d, pk, 1, pk / 2, pg), 0.6),
                2.0 * pOut * d * (d / pg) * pk));
        float[] gam = filled(d, 1f), bet = filled(d, 0f), x = randomArray(rnd, t * d);
        out.put("layernorm " + t + "x" + d, bandwidthEntry(medianSeconds(() -> be.layerNorm(x, 0, x, 0, gam, bet, t, d, 1e-5f), 0.3), 2L * t * d * 4));
        float[] hid = randomArray(rnd, t * c.intermediateSize());
        out.put("gelu " + t + "x" + c.intermediateSize(), bandwidthEntry(medianSeconds(() -> be.gelu(hid, 0, hid.length), 0.3), 2L * hid.length * 4));
        r.put("kernels", out);
    }

    /** Host/device copies of a device backend per run: counts and MB each way. */
    private static Map<String, Object> copies(TransferStats t, int runs) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("to_device", round1((double) t.hostToDeviceCalls() / runs));
        e.put("to_device_mb", round3(t.hostToDeviceBytes() / 1e6 / runs));
        e.put("to_host", round1((double) t.deviceToHostCalls() / runs));
        e.put("to_host_mb", round3(t.deviceToHostBytes() / 1e6 / runs));
        return e;
    }

    private static Map<String, Object> kernelEntry(double sec, double flop) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("ms", round3(sec * 1e3));
        e.put("gflops", round1(flop / sec / 1e9));
        return e;
    }

    private static Map<String, Object> bandwidthEntry(double sec, long bytes) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("ms", round3(sec * 1e3));
        e.put("gb_per_s", round1(bytes / sec / 1e9));
        return e;
    }

    private void forward(Wav2Vec2Config c, Backend be, Map<String, Object> r) {
        Wav2Vec2Model model = new Wav2Vec2Model(c, Wav2Vec2Model.Heads.NONE).initRandom(1);
        KernelProfile prof = KernelProfile.of(be);
        Inference inf = new Inference(model, prof.backend());
        List<float[]> waves = waves(batch, seconds);
        double[] times = new double[runs];
        long allocated = 0;
        TransferStats copies0 = null;
        for (int i = 0; i < warmup + runs; i++) {
            if (i == warmup) {
                prof.reset();
                copies0 = be.transferStats();
            }
            long a0 = allocatedBytes();
            long t0 = System.nanoTime();
            inf.run(waves, 0, false);
            double s = (System.nanoTime() - t0) / 1e9;
            if (i >= warmup) allocated += allocatedBytes() - a0;
            if (i >= warmup) times[i - warmup] = s;
            progress("forward %d/%d: %.3f s%s", i + 1, warmup + runs, s, i < warmup ? " (warm-up)" : "");
        }
        double med = median(times);
        String key = batch == 1 ? "forward_s_" + fmt(seconds) + "s" : "forward_s_" + batch + "x" + fmt(seconds) + "s";
        r.put(key, round4(med));
        r.put("forward_runs", roundAll(times));
        r.put("forward_real_time_factor", round4(med / (batch * seconds)));
        r.put("forward_samples_per_s", Math.round(batch * seconds * 16000 / med));
        r.put("forward_share", shares(prof, runs));
        if (copies0 != null) r.put("forward_copies_per_run", copies(be.transferStats().minus(copies0), runs));
        r.put("forward_alloc_mb_per_run", round1(allocated / 1048576.0 / runs));
        r.put("forward_heap_live_mb", liveHeapMb(inf));
        r.put("params", model.params.count());
    }

    private void train(Wav2Vec2Config c, Backend be, Map<String, Object> r) {
        Wav2Vec2Model model = new Wav2Vec2Model(c, new Wav2Vec2Model.Heads(false, 0, true, true)).initRandom(1);
        TrainConfig cfg = PretrainPresets.config(preset);
        KernelProfile prof = KernelProfile.of(be);
        PretrainStep step = new PretrainStep(model, prof.backend(), new PretrainStep.Settings(cfg.getDouble("mask_prob", 0.65),
                cfg.getInt("mask_length", 10), cfg.getInt("min_masks", 2), 0, cfg.getDouble("feature_pen_weight", 10),
                cfg.getDouble("diversity_weight", 0.1),
                new TrainOptions(cfg.getDouble("feature_grad_mult", 0.1), 0.1f, 0.1f, 0.1f, 0f, 0f)));
        List<float[]> waves = waves(trainBatch, trainSeconds);
        // as the trainer does: parameters, gradients and derived weights are the backend's working memory
        List<Param> params = model.params.all();
        DeviceResidency.bind(be, params, model.derivedWeights());
        int n = Math.max(3, runs / 2), w = Math.min(1, warmup);
        double[] times = new double[n];
        long allocated = 0;
        TransferStats copies0 = null;
        for (int i = 0; i < w + n; i++) {
            if (i == w) {
                prof.reset();
                copies0 = be.transferStats();
            }
            long a0 = allocatedBytes();
            long t0 = System.nanoTime();
            step.run(waves, step.sample(waves, true, new SplittableRandom(i)), 2.0, true, i);
            double s = (System.nanoTime() - t0) / 1e9;
            if (i >= w) allocated += allocatedBytes() - a0;
            Grads.zero(params, be);
            if (i >= w) times[i - w] = s;
            progress("train step %d/%d: %.3f s%s", i + 1, w + n, s, i < w ? " (warm-up)" : "");
        }
        double med = median(times);
        r.put("train_step_s_" + trainBatch + "x" + fmt(trainSeconds) + "s", round4(med));
        r.put("train_runs", roundAll(times));
        r.put("train_samples_per_s", Math.round(trainBatch * trainSeconds * 16000 / med));
        r.put("train_share", shares(prof, n));
        if (copies0 != null) r.put("train_copies_per_step", copies(be.transferStats().minus(copies0), n));
        r.put("train_alloc_mb_per_step", round1(allocated / 1048576.0 / n));
        r.put("train_heap_live_mb", liveHeapMb(step));
        DeviceResidency.unbind(be, params, model.derivedWeights());
    }

    /**
     * Forward time and memory against audio length. Lengths run in increasing order in one
     * process; the scratch buffers only grow, so the live heap after a full GC is the model plus
     * the working set of that length.
     */
    private void scaling(Wav2Vec2Config c, Backend be, Map<String, Object> r) {
        Wav2Vec2Model model = new Wav2Vec2Model(c, Wav2Vec2Model.Heads.NONE).initRandom(1);
        KernelProfile prof = KernelProfile.of(be);
        Inference inf = new Inference(model, prof.backend());
        List<Map<String, Object>> rows = new ArrayList<>();
        double[] sorted = lengths.clone();
        Arrays.sort(sorted);
        int n = Math.max(3, runs / 2);
        for (double sec : sorted) {
            List<float[]> waves = waves(1, sec);
            inf.run(waves, 0, false);
            prof.reset();
            double[] times = new double[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                inf.run(waves, 0, false);
                times[i] = (System.nanoTime() - t0) / 1e9;
            }
            System.gc();
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            Map<String, Object> row = new LinkedHashMap<>();
            double med = median(times);
            row.put("seconds", sec);
            row.put("frames", model.frames((int) Math.round(sec * 16000)));
            row.put("forward_s", round4(med));
            row.put("real_time_factor", round4(med / sec));
            row.put("attention_share", round3(prof.total("attention") / (prof.totalAll())));
            row.put("heap_used_mb", heap.getUsed() >> 20);
            row.put("peak_rss_mb", PeakRss.megabytes());
            rows.add(row);
            progress("scaling %.0f s: %.3f s, attention %.1f%%, heap %d MB", sec, med, 100 * prof.total("attention") / prof.totalAll(),
                    heap.getUsed() >> 20);
        }
        r.put("scaling", rows);
    }

    private static Map<String, Object> shares(KernelProfile prof, int runs) {
        Map<String, Object> m = new LinkedHashMap<>();
        double total = prof.totalAll();
        for (var e : prof.seconds()) {
            if (e.getValue() / total < 0.001) continue;
            m.put(e.getKey(), Map.of("s_per_run", round4(e.getValue() / runs), "share", round3(e.getValue() / total)));
        }
        return m;
    }

    // ---------------------------------------------------------------- machine

    /**
     * The FP32 peak: nominal = threads x 2 FMA units x lanes x 2 flop x the clock that
     * /proc/cpuinfo reports (no turbo), and measured = independent FMA chains in registers on
     * every thread (what the Vector API can issue at best).
     */
    private Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        int threads = w2v4j.kernels.Parallel.threads();
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        double mhz = cpuMhz();
        m.put("cpu", cpuModel());
        m.put("threads", threads);
        m.put("vector_lanes_fp32", lanes);
        double nominal = threads * 2.0 * lanes * 2 * mhz / 1e3;
        m.put("peak_gflops", round1(nominal));
        m.put("peak_formula", String.format(Locale.ROOT, "%d threads x 2 FMA units x %d lanes x 2 flop x %.0f MHz (/proc/cpuinfo)", threads, lanes, mhz));
        m.put("peak_gflops_measured_fma", round1(PeakFlops.measure(threads)));
        m.put("load_average", loadAverage());
        return m;
    }

    private static double cpuMhz() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("cpu MHz")) return Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            }
        } catch (Exception e) {
            // fall through
        }
        return Double.NaN;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (Exception e) {
            // fall through
        }
        return System.getProperty("os.arch");
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (Exception e) {
            return "unknown";
        }
    }

    // ---------------------------------------------------------------- text output

    private void printText(Map<String, Object> machine, List<Map<String, Object>> results, List<String> names) {
        System.out.printf(Locale.ROOT, "machine: %s, %s threads, FP32 peak %s GFLOP/s nominal (%s), %s GFLOP/s measured with register FMA chains; load %s%n",
                machine.get("cpu"), machine.get("threads"), machine.get("peak_gflops"), machine.get("peak_formula"),
                machine.get("peak_gflops_measured_fma"), machine.get("load_average"));
        double peak = ((Number) machine.get("peak_gflops")).doubleValue();
        List<String> keys = new ArrayList<>();
        for (Map<String, Object> r : results) flatten("", r, keys, null);
        System.out.printf("%-52s", "");
        for (String n : names) System.out.printf("%14s", n);
        if (results.size() > 1) System.out.printf("%14s", "speedup");
        System.out.println();
        for (String k : keys) {
            List<Object> vals = new ArrayList<>();
            for (Map<String, Object> r : results) vals.add(lookup(r, k));
            if (vals.stream().allMatch(v -> v == null || !(v instanceof Number))) continue;
            String label = k;
            System.out.printf("%-52s", label.length() > 52 ? label.substring(0, 52) : label);
            for (Object v : vals) System.out.printf("%14s", v == null ? "-" : v);
            if (results.size() > 1 && vals.get(0) instanceof Number a && vals.get(vals.size() - 1) instanceof Number b) {
                double sp = speedup(k, a.doubleValue(), b.doubleValue());
                System.out.printf(Locale.ROOT, "%14s", Double.isNaN(sp) ? "" : String.format(Locale.ROOT, "%.2fx", sp));
            }
            if (k.startsWith("gemm_gflops") && vals.get(0) instanceof Number g) {
                System.out.printf(Locale.ROOT, "   (%.0f%% of peak)", 100 * g.doubleValue() / peak);
            }
            System.out.println();
        }
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Map<String, Object> m, List<String> keys, Object unused) {
        for (var e : m.entrySet()) {
            String k = prefix.isEmpty() ? e.getKey() : prefix + " / " + e.getKey();
            if (e.getValue() instanceof Map<?, ?> sub) flatten(k, (Map<String, Object>) sub, keys, null);
            else if (e.getValue() instanceof Number && !keys.contains(k)) keys.add(k);
            else if (e.getValue() instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?>) {
                for (int i = 0; i < list.size(); i++) flatten(k + "[" + i + "]", (Map<String, Object>) list.get(i), keys, null);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Object lookup(Map<String, Object> m, String key) {
        Object cur = m;
        for (String part : key.split(" / ")) {
            int br = part.lastIndexOf('[');
            String name = br > 0 && part.endsWith("]") ? part.substring(0, br) : part;
            if (!(cur instanceof Map<?, ?> map)) return null;
            cur = ((Map<String, Object>) map).get(name);
            if (br > 0 && part.endsWith("]") && cur instanceof List<?> list) {
                int i = Integer.parseInt(part.substring(br + 1, part.length() - 1));
                cur = i < list.size() ? list.get(i) : null;
            }
        }
        return cur;
    }

    /**
     * How many times faster {@code other} is than {@code first} on this entry: first/other for
     * times, other/first for rates; NaN for entries that are not speeds (shares, memory, counts).
     */
    static double speedup(String key, double first, double other) {
        if (key.endsWith("runs") || key.contains("share") || key.contains("_mb") || key.equals("params")
                || key.contains("seconds") || key.contains("frames") || first == 0 || other == 0) {
            return Double.NaN;
        }
        boolean rate = key.contains("gflops") || key.contains("gb_per_s") || key.contains("per_s");
        return rate ? other / first : first / other;
    }

    /** For each backend after the first, its {@link #speedup} over the first on every entry (> 1: faster). */
    private static Map<String, Object> ratios(List<Map<String, Object>> results) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        flatten("", results.get(0), keys, null);
        for (int i = 1; i < results.size(); i++) {
            Map<String, Object> one = new LinkedHashMap<>();
            for (String k : keys) {
                if (!(lookup(results.get(0), k) instanceof Number a) || !(lookup(results.get(i), k) instanceof Number b)) continue;
                double ratio = speedup(k, a.doubleValue(), b.doubleValue());
                if (!Double.isNaN(ratio)) one.put(k, round3(ratio));
            }
            out.put((String) results.get(i).get("backend"), one);
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Live heap after a full GC while {@code keep} (the model and its buffers) is still reachable:
     * weights, gradients and the buffers sized for this workload.
     */
    private static long liveHeapMb(Object keep) {
        System.gc();
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() >> 20;
        java.lang.ref.Reference.reachabilityFence(keep);
        return used;
    }

    /** Bytes allocated so far by this thread (the kernels' pool threads allocate next to nothing). */
    private static long allocatedBytes() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                ? t.getCurrentThreadAllocatedBytes() : 0;
    }

    private void progress(String format, Object... args) {
        if (!json) System.err.println("bench: " + String.format(Locale.ROOT, format, args));
    }

    private static List<float[]> waves(int batch, double seconds) {
        int samples = (int) Math.round(seconds * 16000);
        SplittableRandom rnd = new SplittableRandom(7);
        List<float[]> waves = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            float[] wave = new float[samples];
            for (int i = 0; i < samples; i++) wave[i] = (float) (0.1 * Math.sin(i * 0.05 * (b + 1)) + 0.05 * (rnd.nextDouble() - 0.5));
            waves.add(wave);
        }
        return waves;
    }

    /**
     * Median seconds per call: a warm-up of about a third of the budget (so C2 has compiled the
     * kernels), then samples of at least 50 ms each.
     */
    static double medianSeconds(Runnable call, double budgetSeconds) {
        long warmEnd = System.nanoTime() + (long) (budgetSeconds * 0.3e9);
        long t0 = System.nanoTime();
        call.run();
        double once = Math.max(1e-6, (System.nanoTime() - t0) / 1e9);
        while (System.nanoTime() < warmEnd) {
            call.run();
        }
        t0 = System.nanoTime();
        call.run();
        once = Math.max(1e-6, (System.nanoTime() - t0) / 1e9);
        int perSample = Math.max(1, (int) (0.05 / once));
        int samples = Math.max(5, (int) (budgetSeconds * 0.7 / Math.max(0.05, once * perSample)));
        double[] per = new double[samples];
        for (int s = 0; s < samples; s++) {
            long a = System.nanoTime();
            for (int i = 0; i < perSample; i++) call.run();
            per[s] = (System.nanoTime() - a) / 1e9 / perSample;
        }
        return median(per);
    }

    static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }

    private static float[] randomArray(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextDouble() - 0.5);
        return a;
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static double round4(double v) {
        return Math.round(v * 10000) / 10000.0;
    }

    private static List<Double> roundAll(double[] v) {
        List<Double> out = new ArrayList<>();
        for (double x : v) out.add(round4(x));
        return out;
    }
}
