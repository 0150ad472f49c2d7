package w2v4j.train.data;

import w2v4j.core.W2vException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Transcripts keyed by audio file, read from either
 * <ul>
 *   <li>a {@code AUDIO_PATH<TAB>TEXT} file, where a relative path is relative to the manifest root
 *       (the first line of the {@code .tsv}), like the paths of the manifest itself; or</li>
 *   <li>a folder of LibriSpeech {@code *.trans.txt} files (or one such file), whose lines are
 *       {@code ID TEXT} and whose audio is {@code ID.flac} in the same folder.</li>
 * </ul>
 * Audio files are matched by path <em>without extension</em>, so a transcript written for
 * {@code x.flac} also labels a converted {@code x.wav}.
 */
public final class Transcripts {

    /** One transcript line, remembered with its origin for error messages. */
    public record Line(String text, Path source, int lineNumber) {
        /** "FILE:LINE", the place an error about this transcript points to. */
        public String where() {
            return source + ":" + lineNumber;
        }
    }

    private final Map<Path, Line> byAudioStem = new HashMap<>();

    private Transcripts() {
    }

    public int size() {
        return byAudioStem.size();
    }

    /** The transcript of an audio file, or null; a path through a link also matches its real path. */
    public Line find(Path audio) {
        Line line = byAudioStem.get(stem(audio));
        if (line != null || !Files.exists(audio)) return line;
        try {
            return byAudioStem.get(stem(audio.toRealPath()));
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads transcripts from a {@code path<TAB>text} file, a {@code *.trans.txt} file, or a folder of them. */
    public static Transcripts load(Path fileOrDir, Path manifestRoot) {
        if (!Files.exists(fileOrDir)) throw W2vException.file(fileOrDir, "no such transcript file or folder");
        Transcripts t = new Transcripts();
        if (Files.isDirectory(fileOrDir)) {
            List<Path> files = transFiles(fileOrDir);
            if (files.isEmpty()) throw W2vException.file(fileOrDir, "no *.trans.txt files in this folder");
            for (Path f : files) t.readLibriSpeech(f);
        } else if (fileOrDir.getFileName().toString().endsWith(".trans.txt")) {
            t.readLibriSpeech(fileOrDir);
        } else {
            t.readTabSeparated(fileOrDir, manifestRoot);
        }
        return t;
    }

    private static List<Path> transFiles(Path dir) {
        try (Stream<Path> s = Files.walk(dir.toRealPath())) { // a folder given as a link is walked too
            return s.filter(p -> p.getFileName().toString().endsWith(".trans.txt") && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw W2vException.file(dir, "cannot list: " + e.getMessage(), e);
        }
    }

    private void readLibriSpeech(Path file) {
        Path folder = file.toAbsolutePath().getParent();
        Path realFolder = realFolderOf(file);
        List<String> lines = readLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            int space = line.indexOf(' ');
            String id = space < 0 ? line : line.substring(0, space);
            String text = space < 0 ? "" : line.substring(space + 1);
            Line transcript = new Line(text, file, i + 1);
            add(folder.resolve(id + ".flac"), transcript);
            if (!realFolder.equals(folder)) byAudioStem.put(stem(realFolder.resolve(id + ".flac")), transcript);
        }
    }

    /** The real folder of a file: a transcript folder reached through a link still matches a manifest with the real root. */
    private static Path realFolderOf(Path file) {
        try {
            return file.toRealPath().getParent();
        } catch (IOException e) {
            throw W2vException.file(file, "cannot read transcripts: " + e.getMessage(), e);
        }
    }

    private void readTabSeparated(Path file, Path manifestRoot) {
        List<String> lines = readLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            int tab = line.indexOf('\t');
            if (tab <= 0) throw W2vException.file(file, "line " + (i + 1) + ": expected AUDIO_PATH<TAB>TEXT");
            add(manifestRoot.resolve(line.substring(0, tab)), new Line(line.substring(tab + 1), file, i + 1));
        }
    }

    private void add(Path audio, Line line) {
        Line previous = byAudioStem.putIfAbsent(stem(audio), line);
        if (previous != null) {
            throw new W2vException(line.where() + ": second transcript for " + audio + " (first at " + previous.where() + ")");
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw W2vException.file(file, "cannot read transcripts: " + e.getMessage(), e);
        }
    }

    /** The absolute path with the file's extension removed: the key audio and transcripts meet on. */
    static Path stem(Path audio) {
        Path abs = audio.toAbsolutePath().normalize();
        String name = abs.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? abs.resolveSibling(name.substring(0, dot)) : abs;
    }
}
