package w2v4j.train.data;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

import w2v4j.core.W2vException;
import w2v4j.core.audio.AudioFiles;

/**
 * The audio items of one manifest split, as fairseq's {@code FileAudioDataset} serves them.
 *
 * <p>Entries shorter than {@code minSampleSize} are left out when the dataset is opened (and counted). Two ways to
 * make a batch of equal-length rows:
 * <ul>
 *   <li>{@link Mode#CROP} (pre-training, fairseq {@code pad=False}): every item is cut to the shortest item of the
 *       batch, capped at {@code maxSampleSize}, each at its own random offset. No padding.</li>
 *   <li>{@link Mode#PAD} (fine-tuning, {@code pad=True}): rows are zero-padded to the longest item, capped at
 *       {@code maxSampleSize} (longer items are randomly cropped to the cap, as fairseq does); lengths are kept.</li>
 * </ul>
 * An item's size for batching is {@code min(samples, maxSampleSize)} in both modes: what it will occupy in a batch.
 *
 * <p>Audio that cannot be read (missing, corrupt) is reported once per entry on the warning stream as
 * {@code w2v: skipped MANIFEST:LINE PATH: reason}, counted, and dropped from its batch; training goes on.
 */
public final class AudioDataset {
    public static final int SAMPLE_RATE = 16000;

    public enum Mode { CROP, PAD }

    private final ManifestReader.Contents manifest;
    private final List<ManifestReader.Entry> items;
    private final List<String> labels;
    private final Mode mode;
    private final int maxSampleSize;
    private final int skippedShort;
    private final Set<Integer> unreadable = ConcurrentHashMap.newKeySet();
    private final AtomicLong skippedReads = new AtomicLong();
    private volatile PrintStream warnings = System.err;

    /**
     * @param labels one label per manifest entry (aligned with entry indices), or null for unlabelled data
     * @param minSampleSize entries with fewer samples are left out (0: keep all)
     * @param maxSampleSize the crop/pad cap (Integer.MAX_VALUE: none)
     */
    public AudioDataset(ManifestReader.Contents manifest, List<String> labels, Mode mode, int minSampleSize,
            int maxSampleSize) {
        if (maxSampleSize <= 0 || minSampleSize < 0) {
            throw new W2vException("max_sample_size must be > 0 and min_sample_size >= 0, got " + maxSampleSize
                    + " and " + minSampleSize);
        }
        if (labels != null && labels.size() != manifest.entries().size()) {
            throw W2vException.file(manifest.file(), "has " + manifest.entries().size() + " entries but the label"
                    + " file has " + labels.size() + " lines");
        }
        this.manifest = manifest;
        this.labels = labels == null ? null : List.copyOf(labels);
        this.mode = mode;
        this.maxSampleSize = maxSampleSize;
        List<ManifestReader.Entry> kept = new ArrayList<>();
        int shortOnes = 0;
        for (ManifestReader.Entry e : manifest.entries()) {
            if (e.samples() < minSampleSize) {
                shortOnes++;
            } else {
                kept.add(e);
            }
        }
        this.items = List.copyOf(kept);
        this.skippedShort = shortOnes;
    }

    /**
     * Opens {@code DIR/SPLIT.tsv}, and {@code DIR/SPLIT.LABELEXT} (one label per line, e.g. "ltr") when
     * {@code labelExt} is not null.
     */
    public static AudioDataset open(Path dir, String split, Mode mode, int minSampleSize, int maxSampleSize,
            String labelExt) {
        ManifestReader.Contents m = ManifestReader.read(dir, split);
        List<String> labels = null;
        if (labelExt != null) {
            Path file = dir.resolve(split + "." + labelExt);
            try {
                labels = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw W2vException.file(file, "no such label file", e);
            } catch (IOException e) {
                throw W2vException.file(file, "cannot read labels: " + e.getMessage(), e);
            }
            while (!labels.isEmpty() && labels.getLast().isEmpty() && labels.size() > m.entries().size()) {
                labels.removeLast();
            }
        }
        return new AudioDataset(m, labels, mode, minSampleSize, maxSampleSize);
    }

    /** Where "skipped" warnings go (standard error by default). */
    public void setWarnings(PrintStream out) {
        this.warnings = out;
    }

    public ManifestReader.Contents manifest() {
        return manifest;
    }

    public Mode mode() {
        return mode;
    }

    public int maxSampleSize() {
        return maxSampleSize;
    }

    /** Items kept (after the min_sample_size filter). */
    public int size() {
        return items.size();
    }

    public ManifestReader.Entry item(int i) {
        return items.get(i);
    }

    /** Entries left out for being shorter than min_sample_size. */
    public int skippedShort() {
        return skippedShort;
    }

    /** Distinct entries whose audio could not be read so far. */
    public int unreadableCount() {
        return unreadable.size();
    }

    /** Times an item was dropped from a batch because its audio could not be read. */
    public long skippedReads() {
        return skippedReads.get();
    }

    /** {@code min(samples, maxSampleSize)} per item: the length it takes in a batch. */
    public int[] batchSizes() {
        int[] s = new int[items.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = Math.min(items.get(i).samples(), maxSampleSize);
        }
        return s;
    }

    /** The 16 kHz mono audio of item i, or null (reported once, counted) when it cannot be read. */
    public float[] read(int i) {
        ManifestReader.Entry e = items.get(i);
        try {
            float[] audio = AudioFiles.readMono(e.path(), SAMPLE_RATE);
            if (audio.length == 0) {
                throw W2vException.file(e.path(), "no audio samples");
            }
            return audio;
        } catch (RuntimeException ex) {
            if (interrupted(ex)) {
                throw ex; // the loader is closing: not the file's fault
            }
            skippedReads.incrementAndGet();
            if (unreadable.add(e.index())) {
                warnings.println("w2v: skipped " + manifest.where(e) + " " + e.path() + ": " + reason(ex, e.path()));
            }
            return null;
        }
    }

    private static boolean interrupted(Throwable ex) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.ClosedByInterruptException || t instanceof InterruptedException
                    || t instanceof java.io.InterruptedIOException) {
                return true;
            }
        }
        return false;
    }

    private static String reason(RuntimeException ex, Path path) {
        String msg = ex instanceof W2vException ? ex.getMessage() : ex.toString();
        if (msg == null) {
            return ex.getClass().getSimpleName();
        }
        String prefix = path + ": ";
        return msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg;
    }

    /**
     * Builds a batch from items {@code idx} whose audio is {@code audio} (null entries, unreadable, are dropped).
     * Returns null when nothing is left. {@code rng} draws the crop offsets, one per cropped row, in row order.
     */
    public Batch collate(int[] idx, float[][] audio, RandomGenerator rng) {
        int n = 0, shortest = Integer.MAX_VALUE, longest = 0;
        for (float[] a : audio) {
            if (a != null) {
                n++;
                shortest = Math.min(shortest, a.length);
                longest = Math.max(longest, a.length);
            }
        }
        if (n == 0) {
            return null;
        }
        int target = Math.min(mode == Mode.CROP ? shortest : longest, maxSampleSize);
        float[][] waves = new float[n][];
        int[] lengths = new int[n];
        int[] ids = new int[n];
        String[] labs = labels == null ? null : new String[n];
        int r = 0;
        for (int k = 0; k < idx.length; k++) {
            float[] a = audio[k];
            if (a == null) {
                continue;
            }
            ManifestReader.Entry e = items.get(idx[k]);
            waves[r] = fit(a, target, rng);
            lengths[r] = Math.min(a.length, target);
            ids[r] = e.index();
            if (labs != null) {
                labs[r] = labels.get(e.index());
            }
            r++;
        }
        return new Batch(waves, lengths, ids, labs);
    }

    /** A random window of {@code target} samples when longer (offset uniform in [0, excess]), else zero-padded. */
    static float[] fit(float[] a, int target, RandomGenerator rng) {
        if (a.length == target) {
            return a; // freshly decoded: no one else holds it
        }
        float[] out = new float[target];
        int excess = a.length - target;
        if (excess > 0) {
            int start = rng.nextInt(excess + 1);
            System.arraycopy(a, start, out, 0, target);
        } else {
            System.arraycopy(a, 0, out, 0, a.length);
        }
        return out;
    }
}
