package w2v4j.train.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import w2v4j.core.W2vException;
import w2v4j.core.io.AtomicFiles;
import w2v4j.core.io.Json;

/**
 * A training run's directory:
 * <pre>
 *   RUN/config.json                   {"model": HF config, "train": TrainConfig, "preset", "git_commit", "created"}
 *   RUN/metrics.jsonl                 one JSON object per line, appended
 *   RUN/checkpoints/checkpoint_last/  the latest state (see {@link Checkpoint})
 *   RUN/checkpoints/checkpoint_best/  the state with the best validation metric
 * </pre>
 * Checkpoint directories are replaced atomically: the new one is written and fsynced as {@code checkpoints/.tmp-*},
 * the old one is renamed aside to {@code .old-NAME.*}, the new one renamed into place, then the old one deleted. A
 * crash at any point leaves a complete checkpoint: either NAME, or (crash between the two renames) {@code .old-NAME.*},
 * which {@link #open} renames back. Leftover {@code .tmp-*} directories are incomplete by construction and deleted.
 */
public final class RunDir {
    public static final String CONFIG = "config.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String LAST = "checkpoint_last";
    public static final String BEST = "checkpoint_best";

    private final Path dir;

    private RunDir(Path dir) {
        this.dir = dir;
    }

    /** Creates RUN (and RUN/checkpoints) if needed, and finishes or discards any interrupted checkpoint commit. */
    public static RunDir open(Path dir) {
        try {
            Files.createDirectories(dir.resolve("checkpoints"));
        } catch (IOException e) {
            throw W2vException.file(dir, "cannot create run directory: " + e.getMessage(), e);
        }
        RunDir run = new RunDir(dir);
        run.recover();
        return run;
    }

    public Path dir() {
        return dir;
    }

    public Path checkpoints() {
        return dir.resolve("checkpoints");
    }

    public Path checkpoint(String name) {
        return checkpoints().resolve(name);
    }

    public Path metricsFile() {
        return dir.resolve(METRICS);
    }

    public boolean hasCheckpoint(String name) {
        return Files.isDirectory(checkpoint(name));
    }

    // ---- config.json --------------------------------------------------------------------------------------------

    /**
     * Writes config.json for this run (atomically). {@code created} is kept from an existing config.json, so a
     * resumed run keeps its creation time; the rest describes the latest start.
     */
    public void writeConfig(Map<String, Object> modelConfig, TrainConfig train, String preset) {
        Path file = dir.resolve(CONFIG);
        String created = Instant.now().toString();
        if (Files.isRegularFile(file)) {
            created = Json.readObject(file).getString("created", created);
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("model", modelConfig);
        c.put("train", train.toJson());
        c.put("preset", preset);
        c.put("git_commit", gitCommit());
        c.put("created", created);
        Json.write(file, c);
    }

    /** The "train" section of config.json, or null when there is no config.json yet. */
    public TrainConfig readTrainConfig() {
        Path file = dir.resolve(CONFIG);
        return Files.isRegularFile(file) ? TrainConfig.fromJson(Json.readObject(file).getObject("train")) : null;
    }

    /** {@code git rev-parse HEAD} in the working directory, or "unknown". */
    static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroy();
                return "unknown";
            }
            return p.exitValue() == 0 && out.matches("[0-9a-f]{40}") ? out : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    // ---- metrics.jsonl ------------------------------------------------------------------------------------------

    /** Appends one line and flushes it to the OS (a crash loses at most what the checkpoint doesn't cover). */
    public void appendMetrics(Map<String, Object> line) {
        try (Writer w = Files.newBufferedWriter(metricsFile(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            w.write(Json.write(line));
            w.write('\n');
        } catch (IOException e) {
            throw W2vException.file(metricsFile(), "cannot append: " + e.getMessage(), e);
        }
    }

    /** All lines of metrics.jsonl, parsed (empty when the file does not exist). */
    public List<Map<String, Object>> readMetrics() {
        Path f = metricsFile();
        List<Map<String, Object>> out = new ArrayList<>();
        if (!Files.exists(f)) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw W2vException.file(f, "cannot read: " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) Json.parse(lines.get(i));
                out.add(m);
            } catch (W2vException | ClassCastException e) {
                throw new W2vException(f + ":" + (i + 1) + ": not a JSON object line (" + e.getMessage() + ")");
            }
        }
        return out;
    }

    /**
     * Keeps the lines whose "update" is at most {@code update} (the checkpoint being resumed), so the log continues
     * without duplicates. Lines marked {@code "partial": true} (an interval cut short by the end of a session, which
     * the resumed run logs in full) and a torn last line (crash mid-append) are dropped too.
     */
    public void truncateMetrics(long update) {
        Path f = metricsFile();
        if (!Files.exists(f)) {
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw W2vException.file(f, "cannot read: " + e.getMessage(), e);
        }
        StringBuilder kept = new StringBuilder();
        for (String line : lines) {
            Object parsed;
            try {
                parsed = Json.parse(line);
            } catch (W2vException e) {
                continue;
            }
            if (parsed instanceof Map<?, ?> m && m.get("update") instanceof Long u && u <= update
                    && !Boolean.TRUE.equals(m.get("partial"))) {
                kept.append(line).append('\n');
            }
        }
        AtomicFiles.write(f, kept.toString().getBytes(StandardCharsets.UTF_8));
    }

    // ---- atomic checkpoint directories --------------------------------------------------------------------------

    /** Writes the files of a checkpoint into an empty directory. */
    @FunctionalInterface
    public interface DirWriter {
        void writeTo(Path dir);
    }

    /** Writes checkpoint {@code name} atomically (see the class comment). On failure the previous one is intact. */
    public void writeCheckpoint(String name, DirWriter body) {
        Path ck = checkpoints();
        Path tmp = ck.resolve(".tmp-" + name + "." + token());
        try {
            Files.createDirectories(tmp);
            body.writeTo(tmp);
            fsyncTree(tmp);
            Path target = ck.resolve(name);
            Path old = null;
            if (Files.exists(target)) {
                old = ck.resolve(".old-" + name + "." + token());
                move(target, old);
            }
            move(tmp, target);
            fsync(ck);
            tmp = null;
            if (old != null) {
                deleteQuietly(old); // the new checkpoint is in place; open() removes a leftover
            }
        } catch (IOException e) {
            throw W2vException.file(ck.resolve(name), "cannot write checkpoint: " + e, e);
        } finally {
            if (tmp != null) {
                deleteQuietly(tmp);
            }
        }
    }

    /** Puts back a checkpoint that was renamed aside when the crash came before its replacement was in place. */
    private void recover() {
        Path ck = checkpoints();
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(ck)) {
            ds.forEach(entries::add);
        } catch (IOException e) {
            throw W2vException.file(ck, "cannot list: " + e.getMessage(), e);
        }
        entries.sort(Comparator.naturalOrder());
        try {
            for (Path p : entries) {
                String n = p.getFileName().toString();
                if (n.startsWith(".tmp-")) {
                    deleteTree(p);
                } else if (n.startsWith(".old-")) {
                    String name = n.substring(5, n.lastIndexOf('.') > 5 ? n.lastIndexOf('.') : n.length());
                    Path target = ck.resolve(name);
                    if (Files.exists(target)) {
                        deleteTree(p);
                    } else {
                        move(p, target);
                    }
                }
            }
            fsync(ck);
        } catch (IOException e) {
            throw W2vException.file(ck, "cannot recover an interrupted checkpoint: " + e, e);
        }
    }

    private static String token() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** Forces every file under {@code root}, then the directories, to stable storage. */
    private static void fsyncTree(Path root) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            fsync(p);
        }
    }

    private static void fsync(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                ch.force(true);
            } catch (IOException e) {
                // Some platforms cannot open directories for fsync; file data is already forced.
            }
        } else {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void deleteQuietly(Path root) {
        try {
            deleteTree(root);
        } catch (IOException | UncheckedIOException ignored) {
            // The original failure matters more; open() removes leftovers next time.
        }
    }
}
