package w2v4j.train.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import w2v4j.core.W2vException;

class RunDirTest {
    @TempDir
    Path tmp;

    private static void writeFile(Path dir, String name, String text) {
        try {
            Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> entries(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void failureMidWriteLeavesThePreviousCheckpointIntact() throws Exception {
        RunDir run = RunDir.open(tmp.resolve("run"));
        run.writeCheckpoint(RunDir.LAST, d -> writeFile(d, "state.txt", "update 1"));
        W2vException e = assertThrows(W2vException.class, () -> run.writeCheckpoint(RunDir.LAST, d -> {
            writeFile(d, "state.txt", "update 2, half");
            throw new W2vException("disk full (simulated)");
        }));
        assertEquals("disk full (simulated)", e.getMessage());
        assertEquals(List.of(RunDir.LAST), entries(run.checkpoints()));
        assertEquals("update 1", Files.readString(run.checkpoint(RunDir.LAST).resolve("state.txt")));
        run.writeCheckpoint(RunDir.LAST, d -> writeFile(d, "state.txt", "update 3"));
        assertEquals("update 3", Files.readString(run.checkpoint(RunDir.LAST).resolve("state.txt")));
        assertEquals(List.of(RunDir.LAST), entries(run.checkpoints()));
    }

    @Test
    void crashBetweenTheRenamesIsRecoveredOnOpen() throws Exception {
        RunDir run = RunDir.open(tmp.resolve("run"));
        run.writeCheckpoint(RunDir.LAST, d -> writeFile(d, "state.txt", "update 1"));
        // The state a crash leaves after "rename the old one aside", before "rename the new one into place",
        // plus a half-written temp directory from another attempt.
        Files.move(run.checkpoint(RunDir.LAST), run.checkpoints().resolve(".old-checkpoint_last.1f2e"));
        Path torn = Files.createDirectories(run.checkpoints().resolve(".tmp-checkpoint_last.77"));
        writeFile(torn, "state.txt", "upd");
        RunDir reopened = RunDir.open(tmp.resolve("run"));
        assertEquals(List.of(RunDir.LAST), entries(reopened.checkpoints()));
        assertEquals("update 1", Files.readString(reopened.checkpoint(RunDir.LAST).resolve("state.txt")));
        // A crash after the new one is in place but before the old one is deleted: the new one wins.
        Path stale = Files.createDirectories(run.checkpoints().resolve(".old-checkpoint_best.9"));
        writeFile(stale, "state.txt", "older");
        run.writeCheckpoint(RunDir.BEST, d -> writeFile(d, "state.txt", "newer"));
        Files.createDirectories(run.checkpoints().resolve(".old-checkpoint_best.10"));
        RunDir.open(tmp.resolve("run"));
        assertEquals(List.of(RunDir.BEST, RunDir.LAST), entries(run.checkpoints()));
        assertEquals("newer", Files.readString(run.checkpoint(RunDir.BEST).resolve("state.txt")));
    }

    @Test
    void metricsAppendReadAndTruncate() throws Exception {
        RunDir run = RunDir.open(tmp.resolve("run"));
        run.appendMetrics(Map.of("update", 2L, "loss", 1.5));
        run.appendMetrics(Map.of("update", 4L, "loss", 1.25));
        run.appendMetrics(Map.of("update", 5L, "loss", 1.2, "partial", true));
        run.appendMetrics(Map.of("update", 6L, "loss", 1.0));
        Files.writeString(run.metricsFile(), "{\"update\": 8, \"lo", java.nio.file.StandardOpenOption.APPEND);
        run.truncateMetrics(5);
        List<Map<String, Object>> lines = run.readMetrics();
        assertEquals(List.of(2L, 4L), lines.stream().map(l -> l.get("update")).toList());
        assertEquals(1.25, lines.get(1).get("loss"));
        run.truncateMetrics(0);
        assertTrue(run.readMetrics().isEmpty());
        assertFalse(Files.readString(run.metricsFile()).contains("update"));
    }

    @Test
    void configKeepsCreationTimeAcrossRestarts() {
        RunDir run = RunDir.open(tmp.resolve("run"));
        TrainConfig cfg = new TrainConfig().set("lr", "0.001");
        run.writeConfig(Map.of("hidden_size", 8L), cfg, "base");
        String created = w2v4j.core.io.Json.readObject(tmp.resolve("run/config.json")).getString("created");
        run.writeConfig(Map.of("hidden_size", 8L), cfg.set("max_update", "99"), "base");
        var json = w2v4j.core.io.Json.readObject(tmp.resolve("run/config.json"));
        assertEquals(created, json.getString("created"));
        assertEquals(8L, json.getObject("model").getLong("hidden_size"));
        assertEquals(99, run.readTrainConfig().maxUpdate);
        assertEquals(0.001, run.readTrainConfig().lr);
        String commit = json.getString("git_commit");
        assertTrue(commit.equals("unknown") || commit.matches("[0-9a-f]{40}"), commit);
    }
}
