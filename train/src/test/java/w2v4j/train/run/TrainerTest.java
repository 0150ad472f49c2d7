package w2v4j.train.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import w2v4j.core.W2vException;
import w2v4j.core.io.Json;
import w2v4j.core.io.SafeTensors;
import w2v4j.train.data.AudioDataset;
import w2v4j.train.data.TestAudio;

class TrainerTest {
    @TempDir
    Path tmp;
    Path data;

    @BeforeEach
    void corpus() {
        data = tmp.resolve("data");
        TestAudio.manifest(data, "train", 1500, 2600, 1800, 4000, 2200, 3100, 1700, 2900, 2500, 3600, 800, 2000);
        TestAudio.manifest(data, "valid", 2000, 3000, 2500);
    }

    TrainConfig config(long maxUpdate) {
        return new TrainConfig()
                .set("lr", "0.05").set("warmup_updates", "3").set("max_update", Long.toString(maxUpdate))
                .set("total_num_update", "20").set("max_tokens", "6000").set("max_sample_size", "2500")
                .set("min_sample_size", "1000").set("update_freq", "2").set("clip_norm", "5")
                .set("log_interval", "2").set("validate_interval", "5").set("save_interval", "4")
                .set("num_workers", "1").set("seed", "7");
    }

    long train(Path runDir, TrainConfig cfg, LinearTask task) {
        RunDir run = RunDir.open(runDir);
        run.writeConfig(Map.of("model_type", "fake-linear"), cfg, "none");
        AudioDataset tr = AudioDataset.open(data, "train", AudioDataset.Mode.CROP, cfg.minSampleSize,
                cfg.maxSampleSize, null);
        AudioDataset va = AudioDataset.open(data, "valid", AudioDataset.Mode.CROP, cfg.minSampleSize,
                cfg.maxSampleSize, null);
        return new Trainer(task, cfg, run, tr, va, Progress.silent()).run();
    }

    static List<Map<String, Object>> withoutTiming(List<Map<String, Object>> lines) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> l : lines) {
            Map<String, Object> m = new LinkedHashMap<>(l);
            m.keySet().removeAll(Trainer.TIMING_KEYS);
            out.add(m);
        }
        return out;
    }

    @Test
    void stopAndResumeEqualsOneGoBitForBit() throws Exception {
        LinearTask oneGo = new LinearTask(0f);
        assertEquals(20, train(tmp.resolve("a"), config(20), oneGo));

        Path b = tmp.resolve("b");
        assertEquals(9, train(b, config(9), new LinearTask(0f)));
        Map<String, Object> last = RunDir.open(b).readMetrics().getLast();
        assertEquals(9L, last.get("update"));
        assertEquals(true, last.get("partial")); // 9 ends inside a log interval of 2
        // A crash after update 9's checkpoint would have left later lines behind; resume must drop them.
        RunDir.open(b).appendMetrics(Map.of("update", 10L, "loss", 1.0));
        LinearTask resumed = new LinearTask(123f); // restore must overwrite these values
        assertEquals(20, train(b, config(20), resumed));

        for (int i = 0; i < 3; i++) {
            float[] x = oneGo.parameters().get(i).value, y = resumed.parameters().get(i).value;
            for (int j = 0; j < x.length; j++) {
                assertEquals(Float.floatToIntBits(x[j]), Float.floatToIntBits(y[j]), "param " + i + "[" + j + "]");
            }
        }
        List<Map<String, Object>> la = RunDir.open(tmp.resolve("a")).readMetrics();
        List<Map<String, Object>> lb = RunDir.open(b).readMetrics();
        assertEquals(withoutTiming(la), withoutTiming(lb));
        // It learned: the regression approaches its known optimum.
        assertTrue(Math.abs(oneGo.w.value[3] - LinearTask.W_STAR[3]) < Math.abs(0 - LinearTask.W_STAR[3]));
        // Both runs hold the same final state files.
        Path ckA = tmp.resolve("a/checkpoints/checkpoint_last"), ckB = b.resolve("checkpoints/checkpoint_last");
        assertEquals(SafeTensors.read(ckA.resolve("trainer_state.safetensors")),
                SafeTensors.read(ckB.resolve("trainer_state.safetensors")));
        Json.Obj sa = Json.readObject(ckA.resolve("trainer_state.json"));
        Json.Obj sb = Json.readObject(ckB.resolve("trainer_state.json"));
        assertEquals(20, sb.getLong("update"));
        assertEquals(20, sb.getLong("optimizer_steps"));
        assertEquals(sa.getLong("epoch"), sb.getLong("epoch"));
        assertEquals(sa.getLong("batch"), sb.getLong("batch"));
    }

    @Test
    void metricsLinesHaveTheDocumentedShape() throws Exception {
        train(tmp.resolve("r"), config(6), new LinearTask(0f));
        List<Map<String, Object>> lines = RunDir.open(tmp.resolve("r")).readMetrics();
        List<Map<String, Object>> trainLines = lines.stream().filter(l -> !l.containsKey("split")).toList();
        List<Map<String, Object>> validLines = lines.stream().filter(l -> "valid".equals(l.get("split"))).toList();
        assertEquals(List.of(2L, 4L, 6L), trainLines.stream().map(l -> l.get("update")).toList());
        assertEquals(List.of(5L), validLines.stream().map(l -> l.get("update")).toList());
        assertEquals(List.of("update", "epoch", "loss", "accuracy", "loss_mse", "temp", "lr", "grad_norm",
                "sample_size", "utterances", "samples_per_s", "ups", "wall_s"),
                new ArrayList<>(trainLines.get(0).keySet()));
        Map<String, Object> first = trainLines.get(0);
        // loss keys are per sample (loss == loss_mse here), other values per step (temp at updates 0, 1).
        assertEquals((double) first.get("loss"), (double) first.get("loss_mse"), 1e-12);
        assertEquals(2.0 - 0.005, (double) first.get("temp"), 1e-12);
        assertEquals(0.05 / 3, (double) first.get("lr"), 1e-15); // lr of update 2 = schedule(1)
        assertTrue((double) first.get("samples_per_s") > 0);
        assertEquals(List.of("update", "split", "epoch", "loss", "accuracy", "loss_mse", "temp", "utterances",
                "valid_s"), new ArrayList<>(validLines.get(0).keySet()));
        assertEquals(3L, validLines.get(0).get("utterances"));
        Json.Obj config = Json.readObject(tmp.resolve("r/config.json"));
        assertEquals(0.05, config.getObject("train").getDouble("lr"));
        assertEquals("none", config.getString("preset"));
        assertTrue(config.has("git_commit") && config.has("created"));
        assertTrue(Files.isRegularFile(tmp.resolve("r/checkpoints/checkpoint_best/model.safetensors")));
        assertEquals(6, Json.readObject(tmp.resolve("r/checkpoints/checkpoint_last/trainer_state.json"))
                .getLong("update"));
    }

    @Test
    void nonFiniteLossOrGradientSkipsTheUpdateAndLogsIt() throws Exception {
        LinearTask task = new LinearTask(0f);
        task.nanLossAt.add(2L);
        task.nanGradAt.add(4L);
        assertEquals(8, train(tmp.resolve("r"), config(8), task));
        List<Map<String, Object>> skipped = RunDir.open(tmp.resolve("r")).readMetrics().stream()
                .filter(l -> l.containsKey("skipped")).toList();
        assertEquals(2, skipped.size());
        assertEquals(3L, skipped.get(0).get("update"));
        assertEquals("non-finite loss", skipped.get(0).get("skipped"));
        assertEquals(5L, skipped.get(1).get("update"));
        assertEquals("non-finite grad", skipped.get(1).get("skipped"));
        Path ck = tmp.resolve("r/checkpoints/checkpoint_last");
        Json.Obj state = Json.readObject(ck.resolve("trainer_state.json"));
        assertEquals(8, state.getLong("update"));
        assertEquals(8, state.getLong("optimizer_steps"));
        assertEquals(2, state.getLong("skipped_updates"));
        for (var t : SafeTensors.read(ck.resolve("model.safetensors")).values()) {
            for (float x : t.data()) {
                assertTrue(Float.isFinite(x));
            }
        }
    }

    @Test
    void refusesToWriteACheckpointWithNonFiniteParameters() {
        LinearTask task = new LinearTask(0f);
        task.poisonSpareAfter = 5; // the step of update 6 leaves a NaN in a parameter the loss ignores
        W2vException e = assertThrows(W2vException.class, () -> train(tmp.resolve("r"), config(12), task));
        assertEquals(tmp.resolve("r/checkpoints/checkpoint_last") + ": refusing to save at update 8: parameter"
                + " spare has non-finite values", e.getMessage());
        Json.Obj state = Json.readObject(tmp.resolve("r/checkpoints/checkpoint_last/trainer_state.json"));
        assertEquals(4, state.getLong("update"));
        float[] spare = SafeTensors.read(tmp.resolve("r/checkpoints/checkpoint_last/model.safetensors"))
                .get("spare").data();
        assertTrue(Float.isFinite(spare[1]));
    }

    @Test
    void aFailedSaveLeavesThePreviousCheckpointAndTheRunResumesFromIt() throws Exception {
        LinearTask task = new LinearTask(0f);
        task.failSaveNumber = 2; // saves: update 4 (ok), update 5's best (fails)
        W2vException e = assertThrows(W2vException.class, () -> train(tmp.resolve("r"), config(12), task));
        assertEquals("simulated failure while saving the model", e.getMessage());
        Path cks = tmp.resolve("r/checkpoints");
        try (var s = Files.list(cks)) {
            assertEquals(List.of("checkpoint_last"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(4, Json.readObject(cks.resolve("checkpoint_last/trainer_state.json")).getLong("update"));
        // The run goes on from update 4 and ends where an uninterrupted one ends.
        LinearTask resumed = new LinearTask(0f);
        assertEquals(12, train(tmp.resolve("r"), config(12), resumed));
        LinearTask straight = new LinearTask(0f);
        train(tmp.resolve("s"), config(12), straight);
        assertArrayEquals(straight.w.value, resumed.w.value);
        assertEquals(withoutTiming(RunDir.open(tmp.resolve("s")).readMetrics()),
                withoutTiming(RunDir.open(tmp.resolve("r")).readMetrics()));
    }

    @Test
    void unreadableAudioIsReportedOnceAndTrainingGoesOn() throws Exception {
        Files.delete(data.resolve("wav/train-u2.wav"));
        Files.writeString(data.resolve("wav/train-u5.wav"), "RIFF not really");
        TrainConfig cfg = config(12);
        RunDir run = RunDir.open(tmp.resolve("r"));
        AudioDataset tr = AudioDataset.open(data, "train", AudioDataset.Mode.CROP, cfg.minSampleSize,
                cfg.maxSampleSize, null);
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        tr.setWarnings(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        LinearTask task = new LinearTask(0f);
        assertEquals(12, new Trainer(task, cfg, run, tr, null, Progress.silent()).run());
        List<String> lines = err.toString(java.nio.charset.StandardCharsets.UTF_8).lines().sorted().toList();
        Path tsv = data.resolve("train.tsv");
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("w2v: skipped " + tsv + ":4 " + data.resolve("wav/train-u2.wav").toAbsolutePath()
                + ": no such file", lines.get(0));
        assertTrue(lines.get(1).startsWith("w2v: skipped " + tsv + ":7 " + data.resolve("wav/train-u5.wav")
                .toAbsolutePath() + ": "), lines.get(1));
        assertEquals(2, tr.unreadableCount());
        assertTrue(tr.skippedReads() > 2, "dropped again in later epochs, silently");
    }

    @Test
    void resumeWithDifferentDataSettingsIsRefused() {
        train(tmp.resolve("r"), config(4), new LinearTask(0f));
        // A changed schedule is allowed, and noted.
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        TrainConfig longer = config(6).set("total_num_update", "30");
        RunDir run = RunDir.open(tmp.resolve("r"));
        AudioDataset tr = AudioDataset.open(data, "train", AudioDataset.Mode.CROP, 1000, 2500, null);
        new Trainer(new LinearTask(0f), longer, run, tr, null,
                new Progress(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8), false))
                .run();
        assertTrue(out.toString(java.nio.charset.StandardCharsets.UTF_8).contains(
                "note: the lr schedule differs from the checkpoint's: was {\"name\":\"polynomial\",\"lr\":0.05,"
                        + "\"warmup_updates\":3,\"total_num_update\":20,"), out.toString());
        TrainConfig changed = config(8).set("total_num_update", "30").set("max_tokens", "7000");
        W2vException e = assertThrows(W2vException.class, () -> train(tmp.resolve("r"), changed, new LinearTask(0f)));
        assertEquals(tmp.resolve("r/checkpoints/checkpoint_last/trainer_state.json")
                + ": cannot resume exactly: max_tokens was 6000, now 7000", e.getMessage());
        assertEquals(6, Json.readObject(tmp.resolve("r/checkpoints/checkpoint_last/trainer_state.json"))
                .getLong("update"));
    }
}
