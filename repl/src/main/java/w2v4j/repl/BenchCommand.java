package w2v4j.repl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import w2v4j.core.W2vException;
import w2v4j.core.config.Wav2Vec2Config;
import w2v4j.kernels.Backend;
import w2v4j.kernels.Backends;
import w2v4j.model.Inference;
import w2v4j.model.Presets;
import w2v4j.model.Wav2Vec2Model;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** {@code w2v bench}: forward-pass speed of a preset model with random weights. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time the forward pass of a randomly initialised model on synthetic audio (median of runs after warm-up).")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--preset", defaultValue = "base", description = "Model preset: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).",
            completionCandidates = Presets.Names.class)
    String preset;

    @Option(names = "--seconds", defaultValue = "10", description = "Audio length in seconds (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--runs", defaultValue = "5", description = "Timed runs (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed warm-up runs (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--backend", defaultValue = "java", description = "Compute backend (default ${DEFAULT-VALUE}).")
    String backendName;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        if (runs < 1 || seconds <= 0) throw new W2vException("--runs must be >= 1 and --seconds > 0");
        Wav2Vec2Config config = Presets.get(preset);
        Wav2Vec2Model model = new Wav2Vec2Model(config, Wav2Vec2Model.Heads.NONE).initRandom(1);
        int samples = (int) Math.round(seconds * 16000);
        float[] wave = new float[samples];
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < samples; i++) wave[i] = (float) (0.1 * Math.sin(i * 0.05) + 0.05 * (rnd.nextDouble() - 0.5));
        double[] times = new double[runs];
        try (Backend backend = Backends.get(backendName, 0)) {
            Inference inf = new Inference(model, backend);
            for (int i = 0; i < warmup + runs; i++) {
                long t0 = System.nanoTime();
                inf.run(List.of(wave), 0, false);
                double s = (System.nanoTime() - t0) / 1e9;
                if (i >= warmup) times[i - warmup] = s;
                if (!json) System.err.printf("run %d/%d: %.3f s%s%n", i + 1, warmup + runs, s, i < warmup ? " (warm-up)" : "");
            }
            double[] sorted = times.clone();
            Arrays.sort(sorted);
            double median = sorted[runs / 2];
            long rssMb = PeakRss.megabytes();
            int threads = Runtime.getRuntime().availableProcessors();
            if (json) {
                System.out.printf("{\"impl\": \"w2v4j\", \"backend\": \"%s\", \"preset\": \"%s\", \"threads\": %d, \"seconds\": %s, \"forward_s\": %.4f, \"runs\": %s, \"params\": %d, \"peak_rss_mb\": %d}%n",
                        backend.name(), preset, threads, seconds, median, Arrays.toString(times), model.params.count(), rssMb);
            } else {
                System.out.printf("%s (%,d parameters), %.1f s of audio, backend %s, %d threads: forward median %.3f s (real-time factor %.3f), peak RSS %d MB%n",
                        preset, model.params.count(), seconds, backend.name(), threads, median, median / seconds, rssMb);
            }
        }
        return 0;
    }
}
