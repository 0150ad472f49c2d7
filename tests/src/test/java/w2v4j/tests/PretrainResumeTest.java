package w2v4j.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import w2v4j.core.audio.AudioFiles;
import w2v4j.core.io.Json;
import w2v4j.core.io.SafeTensors;
import w2v4j.core.tensor.Tensor;
import w2v4j.repl.Main;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pre-training through the CLI, stopped and resumed: 3 updates then 3 more must equal 6 in one go,
 * bit for bit (every parameter, the Adam moments, and the metrics lines apart from timings), with
 * dropout, layer drop, masking, negatives and Gumbel noise all active. Also checks that the run
 * directory holds what it should and that a manifest line pointing at a missing file is skipped.
 */
class PretrainResumeTest {
    @TempDir
    Path tmp;

    static void corpus(Path dir, int n, boolean withBrokenLine) throws IOException {
        Files.createDirectories(dir.resolve("audio"));
        SplittableRandom rnd = new SplittableRandom(3);
        StringBuilder tsv = new StringBuilder(dir.toAbsolutePath() + "\n");
        for (int i = 0; i < n; i++) {
            int len = 16000 + 800 * i;
            float[] x = new float[len];
            double f0 = 120 + 15 * i;
            for (int t = 0; t < len; t++) {
                double env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t / 16000.0);
                x[t] = (float) (0.3 * env * Math.sin(2 * Math.PI * f0 * t / 16000.0) + 0.02 * (rnd.nextDouble() - 0.5));
            }
            Path p = dir.resolve("audio/u" + i + ".wav");
            AudioFiles.writeWav(p, x, 16000);
            tsv.append("audio/u").append(i).append(".wav\t").append(len).append('\n');
            if (withBrokenLine && i == 2) tsv.append("audio/missing.wav\t20000\n");
        }
        Files.writeString(dir.resolve("pretrain.tsv"), tsv);
        Files.writeString(dir.resolve("pretrain-valid.tsv"), dir.toAbsolutePath() + "\naudio/u0.wav\t16000\naudio/u1.wav\t16800\n");
    }

    static int pretrain(Path data, Path run, int maxUpdates, String... more) {
        List<String> args = new ArrayList<>(List.of("pretrain", "--data", data.toString(), "--out", run.toString(), "--preset", "micro",
                "--max-updates", String.valueOf(maxUpdates),
                "--set", "total_num_update=6", "--set", "warmup_updates=2", "--set", "max_tokens=100000",
                "--set", "min_sample_size=8000", "--set", "max_sample_size=24000", "--set", "log_interval=1",
                "--set", "validate_interval=3", "--set", "save_interval=3", "--set", "num_workers=1"));
        args.addAll(List.of(more));
        return Main.commandLine().execute(args.toArray(String[]::new));
    }

    @Test
    void stopAndResumeEqualsOneRun() throws Exception {
        Path data = tmp.resolve("data");
        corpus(data, 8, true);
        Path once = tmp.resolve("once"), split = tmp.resolve("split");
        assertEquals(0, pretrain(data, once, 6));
        assertEquals(0, pretrain(data, split, 3));
        assertEquals(0, pretrain(data, split, 6));

        for (String file : new String[]{"model.safetensors", "trainer_state.safetensors"}) {
            Map<String, Tensor> a = SafeTensors.read(once.resolve("checkpoints/checkpoint_last/" + file));
            Map<String, Tensor> b = SafeTensors.read(split.resolve("checkpoints/checkpoint_last/" + file));
            assertEquals(a.keySet(), b.keySet());
            for (String k : a.keySet()) assertArrayEquals(a.get(k).data(), b.get(k).data(), file + ": " + k);
        }
        List<Map<String, Object>> ma = metrics(once), mb = metrics(split);
        assertEquals(ma.size(), mb.size(), "metrics lines");
        assertTrue(ma.size() >= 6, "one line per update at least");
        for (int i = 0; i < ma.size(); i++) assertEquals(ma.get(i), mb.get(i), "metrics line " + i);
        Map<String, Object> first = ma.get(0);
        for (String key : new String[]{"update", "loss", "loss_contrastive", "loss_diversity", "loss_features_pen", "accuracy",
                "code_perplexity", "prob_perplexity", "temp", "lr", "grad_norm"})
            assertTrue(first.containsKey(key), "metrics line has " + key + ": " + first);
        assertTrue(ma.stream().anyMatch(m -> "valid".equals(m.get("split"))), "validation lines");
        // the run directory: resolved config, HF model loadable by extract
        Json.Obj cfg = Json.readObject(split.resolve("config.json"));
        assertEquals("micro", cfg.getString("preset"));
        // codebook usage of the last validation pass, for 'plot codebook RUN'
        Json.Obj usage = Json.readObject(split.resolve("codebook_usage.json"));
        assertEquals(2, usage.getInt("groups"));
        assertEquals(64, usage.getInt("vars"));
        Path wav = data.resolve("audio/u0.wav");
        assertEquals(0, Main.commandLine().execute("extract", split.resolve("checkpoints/checkpoint_last").toString(), wav.toString(),
                tmp.resolve("f.npy").toString()));
    }

    static List<Map<String, Object>> metrics(Path run) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = new java.util.TreeMap<>((Map<String, Object>) Json.parse(line));
            for (String timing : new String[]{"wall_s", "samples_per_s", "ups", "valid_s"}) m.remove(timing);
            out.add(m);
        }
        return out;
    }
}
