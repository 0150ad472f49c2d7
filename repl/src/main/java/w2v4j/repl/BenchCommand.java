package w2v4j.repl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import w2v4j.core.W2vException;
import w2v4j.core.config.Wav2Vec2Config;
import w2v4j.kernels.Backend;
import w2v4j.kernels.Backends;
import w2v4j.model.Inference;
import w2v4j.model.Presets;
import w2v4j.model.TrainOptions;
import w2v4j.model.Wav2Vec2Model;
import w2v4j.train.pretrain.PretrainPresets;
import w2v4j.train.pretrain.PretrainStep;
import w2v4j.train.run.TrainConfig;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** {@code w2v bench}: forward-pass speed of a preset model with random weights. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Time the forward pass (or, with --train, a pre-training step) of a randomly initialised model on synthetic audio (median of runs after warm-up).")
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

    @Option(names = "--train", description = "Time a pre-training step (forward + backward) instead of the forward pass.")
    boolean train;

    @Option(names = "--batch", defaultValue = "1", description = "Utterances per batch (default ${DEFAULT-VALUE}; the training bench of the issues uses 4 x 5 s).")
    int batch;

    @Override
    public Integer call() {
        if (runs < 1 || seconds <= 0) throw new W2vException("--runs must be >= 1 and --seconds > 0");
        if (batch < 1) throw new W2vException("--batch must be >= 1");
        Wav2Vec2Config config = Presets.get(preset);
        Wav2Vec2Model model = new Wav2Vec2Model(config, train ? new Wav2Vec2Model.Heads(false, 0, true, true) : Wav2Vec2Model.Heads.NONE).initRandom(1);
        int samples = (int) Math.round(seconds * 16000);
        SplittableRandom rnd = new SplittableRandom(7);
        List<float[]> waves = new java.util.ArrayList<>();
        for (int b = 0; b < batch; b++) {
            float[] wave = new float[samples];
            for (int i = 0; i < samples; i++) wave[i] = (float) (0.1 * Math.sin(i * 0.05 * (b + 1)) + 0.05 * (rnd.nextDouble() - 0.5));
            waves.add(wave);
        }
        double[] times = new double[runs];
        try (Backend backend = Backends.get(backendName, 0)) {
            Inference inf = train ? null : new Inference(model, backend);
            PretrainStep step = null;
            if (train) {
                TrainConfig cfg = PretrainPresets.config(preset);
                step = new PretrainStep(model, backend, new PretrainStep.Settings(cfg.getDouble("mask_prob", 0.65), cfg.getInt("mask_length", 10),
                        cfg.getInt("min_masks", 2), 0, cfg.getDouble("feature_pen_weight", 10), cfg.getDouble("diversity_weight", 0.1),
                        new TrainOptions(cfg.getDouble("feature_grad_mult", 0.1), 0.1f, 0.1f, 0.1f, 0f, 0f)));
            }
            for (int i = 0; i < warmup + runs; i++) {
                long t0 = System.nanoTime();
                if (train) {
                    SplittableRandom r = new SplittableRandom(i);
                    step.run(waves, step.sample(waves, true, r), 2.0, true, i);
                    for (var p : model.params.all()) java.util.Arrays.fill(p.grad(), 0f);
                } else {
                    inf.run(waves, 0, false);
                }
                double s = (System.nanoTime() - t0) / 1e9;
                if (i >= warmup) times[i - warmup] = s;
                if (!json) System.err.printf("run %d/%d: %.3f s%s%n", i + 1, warmup + runs, s, i < warmup ? " (warm-up)" : "");
            }
            double[] sorted = times.clone();
            Arrays.sort(sorted);
            double median = sorted[runs / 2];
            long rssMb = PeakRss.megabytes();
            int threads = Runtime.getRuntime().availableProcessors();
            String what = train ? "train_step_s" : "forward_s";
            double samplesPerS = batch * (double) samples / median;
            if (json) {
                System.out.printf("{\"impl\": \"w2v4j\", \"backend\": \"%s\", \"preset\": \"%s\", \"threads\": %d, \"batch\": %d, \"seconds\": %s, \"%s\": %.4f, \"samples_per_s\": %.0f, \"runs\": %s, \"params\": %d, \"peak_rss_mb\": %d}%n",
                        backend.name(), preset, threads, batch, seconds, what, median, samplesPerS, Arrays.toString(times), model.params.count(), rssMb);
            } else {
                System.out.printf("%s (%,d parameters), %d x %.1f s of audio, backend %s, %d threads: %s median %.3f s (%.0f samples/s, real-time factor %.3f), peak RSS %d MB%n",
                        preset, model.params.count(), batch, seconds, backend.name(), threads, train ? "training step" : "forward",
                        median, samplesPerS, median / (batch * seconds), rssMb);
            }
        }
        return 0;
    }
}
