package w2v4j.train.data;

import w2v4j.core.W2vException;
import w2v4j.core.audio.AudioFiles;
import w2v4j.core.audio.AudioInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Builds fairseq {@code train.tsv} / {@code valid.tsv} manifests from a folder of audio, like
 * fairseq's {@code wav2vec_manifest.py}: every file with a chosen extension, found recursively, with
 * its sample count read from the header only (so tens of thousands of files take seconds).
 *
 * <p>Differences from fairseq, on purpose: files are listed in sorted order, and a file goes to
 * {@code valid} by a hash of the seed and its relative path rather than by a shared random stream, so
 * adding, removing or failing to read one file never moves any other file between the splits.
 * As in fairseq, a valid share of 0 writes no {@code valid.tsv}. Files that cannot be read are left
 * out and reported with the reason.
 */
public final class ManifestBuilder {

    /** An audio file left out of the manifest, and why. */
    public record Skipped(Path file, String reason) {
    }

    /** The manifests (valid is null for a share of 0), the files left out, and how many are not 16 kHz. */
    public record Result(Manifest train, Manifest valid, List<Skipped> skipped, int notSixteenKhz) {
    }

    private record Probe(String relativePath, AudioInfo info, String problem) {
    }

    private ManifestBuilder() {
    }

    /**
     * Lists and probes the audio files under {@code audioDir}.
     *
     * @param extensions   lower-case extensions without the dot, e.g. {@code flac}, {@code wav}
     * @param validPercent share of files for {@code valid.tsv}, in [0, 1] (fairseq's --valid-percent)
     */
    public static Result build(Path audioDir, Set<String> extensions, double validPercent, long seed, int threads,
                               Progress.Factory progress) {
        if (!(validPercent >= 0 && validPercent <= 1)) throw new W2vException("--valid-percent must be in [0, 1] (a share: 0.01 is 1%), got " + validPercent);
        Path root = realFolder(audioDir);
        List<Path> files = listAudio(root, extensions);
        if (files.isEmpty()) throw W2vException.file(root, "no audio files with extension " + String.join(", ", extensions.stream().sorted().toList()));
        List<Probe> probes = probeAll(root, files, Math.max(1, threads), progress.create("manifest", "files", files.size()));

        List<Manifest.Entry> train = new ArrayList<>(), valid = new ArrayList<>();
        List<Skipped> skipped = new ArrayList<>();
        int notSixteenKhz = 0;
        for (Probe p : probes) {
            if (p.problem() != null) {
                skipped.add(new Skipped(root.resolve(p.relativePath()), p.problem()));
                continue;
            }
            if (p.info().sampleRate() != 16_000) notSixteenKhz++;
            Manifest.Entry e = new Manifest.Entry(p.relativePath(), p.info().frames());
            (isValid(p.relativePath(), seed, validPercent) ? valid : train).add(e);
        }
        return new Result(new Manifest(root, train), validPercent > 0 ? new Manifest(root, valid) : null, skipped, notSixteenKhz);
    }

    /** Writes {@code train.tsv} and, when the valid share is above 0, {@code valid.tsv} into {@code outDir}. */
    public static void write(Result r, Path outDir) {
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw W2vException.file(outDir, "cannot create folder: " + e.getMessage(), e);
        }
        r.train().write(outDir.resolve("train.tsv"));
        if (r.valid() != null) r.valid().write(outDir.resolve("valid.tsv"));
    }

    /** Whether a file belongs to valid: a uniform number in [0, 1) from the seed and the path, below the share. */
    static boolean isValid(String relativePath, long seed, double validPercent) {
        long h = seed;
        for (int i = 0; i < relativePath.length(); i++) h = mix(h ^ relativePath.charAt(i));
        return (mix(h) >>> 11) * 0x1.0p-53 < validPercent;
    }

    /** SplitMix64's finaliser: a cheap, well-spread 64-bit hash step. */
    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static Path realFolder(Path dir) {
        if (!Files.isDirectory(dir)) throw W2vException.file(dir, "no such folder");
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            throw W2vException.file(dir, "cannot resolve: " + e.getMessage(), e);
        }
    }

    /** Regular files (links included; a link loop is an error) under root with one of the extensions, sorted by path. */
    private static List<Path> listAudio(Path root, Set<String> extensions) {
        try (Stream<Path> s = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) { // linked sub-folders count, as with fairseq's glob
            return s.filter(p -> extensions.contains(extension(p)) && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException | UncheckedIOException e) {
            throw W2vException.file(root, "cannot list: " + e.getMessage(), e);
        }
    }

    private static String extension(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** Reads every header on a fixed pool of workers; results come back in file order. */
    private static List<Probe> probeAll(Path root, List<Path> files, int threads, Progress progress) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Probe>> futures = new ArrayList<>(files.size());
            for (Path f : files) futures.add(pool.submit(() -> probe(root, f, progress)));
            List<Probe> probes = new ArrayList<>(files.size());
            for (Future<Probe> f : futures) probes.add(f.get());
            progress.finish();
            return probes;
        } catch (ExecutionException e) {
            throw new IllegalStateException("probing audio headers failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new W2vException("interrupted");
        } finally {
            pool.shutdownNow();
        }
    }

    private static Probe probe(Path root, Path file, Progress progress) {
        String rel = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
        try {
            AudioInfo info = AudioFiles.info(file);
            if (info.frames() <= 0) return done(progress, new Probe(rel, null, "no audio samples"), 0);
            return done(progress, new Probe(rel, info, null), info.seconds());
        } catch (RuntimeException e) {
            return done(progress, new Probe(rel, null, reason(file, e)), 0);
        }
    }

    private static Probe done(Progress progress, Probe p, double seconds) {
        progress.step(seconds);
        return p;
    }

    /** The error message without the "PATH: " prefix that file errors carry, as the path is shown anyway. */
    private static String reason(Path file, RuntimeException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String prefix = file + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
