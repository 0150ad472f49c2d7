package w2v4j.train.data;

import w2v4j.core.W2vException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes fairseq's letter-CTC label files next to a manifest {@code SPLIT.tsv}:
 * <ul>
 *   <li>{@code SPLIT.wrd}: the normalised words, one utterance a line;</li>
 *   <li>{@code SPLIT.ltr}: the same letters separated by spaces, each word followed by " |"
 *       ({@code "A MAN"} → {@code "A | M A N |"}, as fairseq's {@code libri_labels.py});</li>
 *   <li>{@code dict.ltr.txt}: fairseq Dictionary lines {@code SYMBOL COUNT}, by descending count,
 *       ties by symbol.</li>
 * </ul>
 * The dictionary counts the symbols of <em>every</em> {@code *.ltr} file in the folder, not only the
 * training split: a letter that appears only in dev or test (a rare Q or X in a small corpus) must
 * still have an output row, or evaluation could not even encode its reference. Counts only order the
 * rows; a letter unseen in training simply stays untrained.
 */
public final class LabelWriter {

    public static final String DICTIONARY_FILE = "dict.ltr.txt";
    public static final char WORD_BOUNDARY = '|';

    private LabelWriter() {
    }

    /** The {@code .ltr} line of normalised words: {@code "A MAN"} → {@code "A | M A N |"}. */
    public static String letters(String normalizedWords) {
        if (normalizedWords.isEmpty()) return "";
        StringBuilder out = new StringBuilder(normalizedWords.length() * 2 + 2);
        for (String word : normalizedWords.split(" ")) {
            for (int i = 0; i < word.length(); i++) out.append(word.charAt(i)).append(' ');
            out.append(WORD_BOUNDARY).append(' ');
        }
        out.setLength(out.length() - 1);
        return out.toString();
    }

    /** What {@link #labelManifest} did: lines labelled, audio left out for want of a transcript, the dictionary. */
    public record Result(int labelled, List<Path> leftOut, Map<String, Long> dictionary) {
    }

    /**
     * Labels {@code DIR/SPLIT.tsv}: writes {@code SPLIT.wrd} and {@code SPLIT.ltr} in the order of the
     * manifest, then rewrites {@code dict.ltr.txt} from all {@code .ltr} files of DIR. An audio file
     * without transcript is an error, unless {@code skipMissing}: then it is left out and the
     * {@code .tsv} is rewritten without it, so the three files stay aligned line by line.
     */
    public static Result labelManifest(Path dir, String split, Transcripts transcripts, boolean skipMissing) {
        Path tsv = dir.resolve(split + ".tsv");
        Manifest manifest = Manifest.read(tsv);
        List<Manifest.Entry> kept = new ArrayList<>();
        List<Path> leftOut = new ArrayList<>();
        List<String> words = new ArrayList<>();
        for (Manifest.Entry e : manifest.entries()) {
            Path audio = manifest.audioPath(e);
            Transcripts.Line line = transcripts.find(audio);
            if (line == null) {
                if (!skipMissing) throw W2vException.file(audio, "no transcript (listed in " + tsv + "; --skip-missing leaves such files out)");
                leftOut.add(audio);
                continue;
            }
            words.add(normalizeTranscript(line));
            kept.add(e);
        }
        if (kept.isEmpty()) throw W2vException.file(tsv, "no audio file of this manifest has a transcript");
        if (!leftOut.isEmpty()) new Manifest(manifest.root(), kept).write(tsv);
        writeSplit(dir, split, words);
        return new Result(kept.size(), leftOut, writeDictionaryFromFolder(dir));
    }

    /** The normalised words of a transcript; digits and letter-less lines are errors pointing at the line. */
    static String normalizeTranscript(Transcripts.Line line) {
        if (TextNormalizer.containsDigit(line.text())) {
            throw new W2vException(line.where() + ": transcript has digits; write numbers out as they are spoken (\"" + line.text().strip() + "\")");
        }
        String words = TextNormalizer.normalize(line.text());
        if (words.isEmpty()) throw new W2vException(line.where() + ": transcript has no letters");
        return words;
    }

    /** Writes {@code DIR/SPLIT.wrd} and {@code DIR/SPLIT.ltr}, one line per element of {@code words}. */
    public static void writeSplit(Path dir, String split, List<String> words) {
        List<String> ltr = new ArrayList<>(words.size());
        for (String w : words) ltr.add(letters(w));
        writeLines(dir.resolve(split + ".wrd"), words);
        writeLines(dir.resolve(split + ".ltr"), ltr);
    }

    /** Rewrites {@code DIR/dict.ltr.txt} from the symbol counts of all {@code DIR/*.ltr} files. */
    public static Map<String, Long> writeDictionaryFromFolder(Path dir) {
        Map<String, Long> counts = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.ltr")) {
            for (Path f : files) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) countSymbols(line, counts);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writeDictionary(dir, counts);
        return counts;
    }

    /** Adds the space-separated symbols of one {@code .ltr} line to {@code counts}. */
    public static void countSymbols(String ltrLine, Map<String, Long> counts) {
        for (String symbol : ltrLine.split(" ")) {
            if (!symbol.isEmpty()) counts.merge(symbol, 1L, Long::sum);
        }
    }

    /** Writes {@code DIR/dict.ltr.txt}: {@code SYMBOL COUNT} by descending count, ties by symbol. */
    public static void writeDictionary(Path dir, Map<String, Long> counts) {
        List<Map.Entry<String, Long>> rows = new ArrayList<>(counts.entrySet());
        rows.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        List<String> lines = new ArrayList<>(rows.size());
        for (Map.Entry<String, Long> r : rows) lines.add(r.getKey() + " " + r.getValue());
        writeLines(dir.resolve(DICTIONARY_FILE), lines);
    }

    /** Writes lines with '\n' endings through a temporary file, so a crash never leaves half a file. */
    static void writeLines(Path file, List<String> lines) {
        StringBuilder text = new StringBuilder();
        for (String l : lines) text.append(l).append('\n');
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw W2vException.file(file, "cannot write: " + e.getMessage(), e);
        }
    }
}
