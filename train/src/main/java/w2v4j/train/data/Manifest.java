package w2v4j.train.data;

import w2v4j.core.W2vException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A fairseq audio manifest ({@code SPLIT.tsv}): the first line is the absolute root folder, every
 * further line is {@code relative/path<TAB>number_of_samples}, the sample count at the file's own
 * rate. Relative paths use '/' whatever the platform.
 */
public record Manifest(Path root, List<Entry> entries) {

    /** One audio file of the manifest. */
    public record Entry(String relativePath, long samples) {
    }

    public Manifest {
        entries = List.copyOf(entries);
    }

    /** The absolute path of an entry's audio file. */
    public Path audioPath(Entry e) {
        return root.resolve(e.relativePath()).normalize();
    }

    /** Total number of samples over all entries. */
    public long totalSamples() {
        long n = 0;
        for (Entry e : entries) n += e.samples();
        return n;
    }

    public static Manifest read(Path tsv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw W2vException.file(tsv, "no such manifest");
        } catch (IOException e) {
            throw W2vException.file(tsv, "cannot read: " + e.getMessage(), e);
        }
        if (lines.isEmpty() || lines.getFirst().isBlank()) throw W2vException.file(tsv, "empty manifest (the first line must be the root folder)");
        Path root = Path.of(lines.getFirst().strip());
        List<Entry> entries = new ArrayList<>(lines.size() - 1);
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty()) continue;
            int tab = line.lastIndexOf('\t');
            if (tab <= 0) throw W2vException.file(tsv, "line " + (i + 1) + ": expected PATH<TAB>SAMPLES");
            long samples;
            try {
                samples = Long.parseLong(line.substring(tab + 1).strip());
            } catch (NumberFormatException e) {
                throw W2vException.file(tsv, "line " + (i + 1) + ": sample count is not a number");
            }
            entries.add(new Entry(line.substring(0, tab), samples));
        }
        return new Manifest(root, entries);
    }

    public void write(Path tsv) {
        List<String> lines = new ArrayList<>(entries.size() + 1);
        lines.add(root.toString());
        for (Entry e : entries) lines.add(e.relativePath() + "\t" + e.samples());
        LabelWriter.writeLines(tsv, lines);
    }
}
