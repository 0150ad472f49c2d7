package w2v4j.train.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import w2v4j.core.W2vException;

/**
 * Reads a fairseq audio manifest {@code DIR/SPLIT.tsv}: line 1 is the root directory, every further line is
 * {@code relpath<TAB>num_samples} (more tab-separated columns are ignored). A relative root is taken relative to the
 * manifest's own directory. Blank lines are ignored. Errors name FILE:LINE.
 */
public final class ManifestReader {
    private ManifestReader() {}

    /** One audio entry: its index among entries (0-based), its 1-based line in the file, where it is, its length. */
    public record Entry(int index, int line, String relPath, Path path, int samples) {}

    /** A parsed manifest. */
    public record Contents(Path file, Path root, List<Entry> entries) {
        /** "FILE:LINE", how warnings and errors point at an entry. */
        public String where(Entry e) {
            return file + ":" + e.line();
        }
    }

    public static Contents read(Path dir, String split) {
        return read(dir.resolve(split + ".tsv"));
    }

    public static Contents read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw W2vException.file(file, "no such manifest", e);
        } catch (IOException e) {
            throw W2vException.file(file, "cannot read manifest: " + e.getMessage(), e);
        }
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw W2vException.file(file, "empty manifest (line 1 should be the audio root directory)");
        }
        String rootText = lines.get(0).strip();
        Path root = Path.of(rootText);
        if (!root.isAbsolute()) {
            Path parent = file.toAbsolutePath().getParent();
            root = parent.resolve(root).normalize();
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String text = lines.get(i);
            if (text.isBlank()) {
                continue;
            }
            int line = i + 1;
            String[] cols = text.split("\t", -1);
            if (cols.length < 2 || cols[0].isEmpty()) {
                throw error(file, line, "expected 'relpath<TAB>samples', got '" + abbreviate(text) + "'");
            }
            int samples;
            try {
                samples = Integer.parseInt(cols[1].strip());
            } catch (NumberFormatException e) {
                throw error(file, line, "sample count '" + abbreviate(cols[1]) + "' is not an integer");
            }
            if (samples <= 0) {
                throw error(file, line, "sample count must be positive, got " + samples);
            }
            entries.add(new Entry(entries.size(), line, cols[0], root.resolve(cols[0]), samples));
        }
        return new Contents(file, root, List.copyOf(entries));
    }

    /** "FILE:LINE: problem". */
    public static W2vException error(Path file, int line, String problem) {
        return new W2vException(file + ":" + line + ": " + problem);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
