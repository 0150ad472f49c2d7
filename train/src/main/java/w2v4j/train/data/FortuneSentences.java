package w2v4j.train.data;

import w2v4j.core.W2vException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Sentences for the synthetic corpus, taken from Debian's {@code fortunes} collection (plain-text
 * files of entries separated by lines holding a single {@code %}).
 *
 * <p>Only sentences whose spoken form is unambiguous are kept, because the label must be exactly what
 * the synthesiser says: no digits (is "1984" a year or a count?), no all-capital acronyms (spelled or
 * read?), no code-like symbols, no non-ASCII text, no vowel-less words (abbreviations such as "Mr").
 * Attributions ("-- Author") are dropped. Sentences are deduplicated by their normalised text.
 */
public final class FortuneSentences {

    public static final Path DEFAULT_DIR = Path.of("/usr/share/games/fortunes");

    /** Words a second at espeak-ng's rate r is about r/60; letters a second measured ≈ 0.109·r (fitted on a 1 h corpus). */
    private static final double CHARS_PER_SECOND_PER_WPM = 0.109;
    /** Leading and trailing silence espeak-ng adds to every utterance, seconds. */
    private static final double SILENCE_SECONDS = 0.2;

    private static final Pattern OVERSTRIKE = Pattern.compile(".\b");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])[\"')\\]]*\\s+");
    private static final Pattern NOT_PROSE = Pattern.compile("[@#$%^&*_=+<>{}\\[\\]|\\\\/~]");
    private static final Pattern ACRONYM = Pattern.compile("\\b[A-Z]{2,}\\b");

    private FortuneSentences() {
    }

    /** Normalised, deduplicated sentences of every fortune file in {@code dir}, in file-name order. */
    public static List<String> load(Path dir) {
        List<Path> files = fortuneFiles(dir);
        Set<String> sentences = new LinkedHashSet<>();
        for (Path f : files) {
            for (String entry : entries(readLenient(f))) {
                for (String raw : sentencesOf(entry)) {
                    String normalized = speakable(raw);
                    if (normalized != null) sentences.add(normalized);
                }
            }
        }
        return new ArrayList<>(sentences);
    }

    /** Sentences whose estimated duration at {@code rate} words a minute lies in [min, max] seconds. */
    public static List<String> withDuration(List<String> sentences, int rate, double minSeconds, double maxSeconds) {
        List<String> kept = new ArrayList<>();
        for (String s : sentences) {
            double d = estimatedSeconds(s, rate);
            if (d >= minSeconds && d <= maxSeconds) kept.add(s);
        }
        return kept;
    }

    /** Spoken duration estimate of normalised text at espeak-ng speed {@code rate} (words a minute). */
    public static double estimatedSeconds(String normalized, int rate) {
        return SILENCE_SECONDS + normalized.length() / (CHARS_PER_SECOND_PER_WPM * rate);
    }

    /** The fortune text files of a folder: names without a dot (the {@code .dat} indexes and {@code .u8} links are skipped). */
    static List<Path> fortuneFiles(Path dir) {
        if (!Files.isDirectory(dir)) throw W2vException.file(dir, "no fortune files here; install them with 'apt-get install fortunes fortunes-min'");
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.filter(p -> !p.getFileName().toString().contains(".") && Files.isRegularFile(p)).sorted().toList();
            if (files.isEmpty()) throw W2vException.file(dir, "no fortune files here; install them with 'apt-get install fortunes fortunes-min'");
            return files;
        } catch (IOException e) {
            throw W2vException.file(dir, "cannot list: " + e.getMessage(), e);
        }
    }

    /** Reads a file as UTF-8, replacing bad bytes (some fortune files are Latin-1), and removes overstriking. */
    static String readLenient(Path f) {
        try {
            byte[] bytes = Files.readAllBytes(f);
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            return OVERSTRIKE.matcher(text).replaceAll(""); // "_\bw" is an underlined w on old terminals
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The entries of a fortune file, each with its attribution lines removed. */
    static List<String> entries(String text) {
        List<String> entries = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inAttribution = false;
        for (String line : text.split("\n", -1)) {
            if (line.strip().equals("%")) {
                entries.add(current.toString());
                current.setLength(0);
                inAttribution = false;
                continue;
            }
            if (line.strip().startsWith("--")) inAttribution = true; // "\t\t-- Author, Work" to the entry's end
            if (!inAttribution) current.append(line).append(' ');
        }
        if (!current.isEmpty()) entries.add(current.toString());
        return entries;
    }

    /** Splits an entry at sentence-ending punctuation followed by white space. */
    static List<String> sentencesOf(String entry) {
        List<String> out = new ArrayList<>();
        for (String s : SENTENCE_END.split(entry.strip().replaceAll("\\s+", " "))) {
            if (!s.isBlank()) out.add(s.strip());
        }
        return out;
    }

    /** The normalised sentence if it can be spoken without ambiguity, else null. */
    static String speakable(String raw) {
        if (TextNormalizer.containsDigit(raw) || NOT_PROSE.matcher(raw).find() || ACRONYM.matcher(raw).find()) return null;
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) > 126 && raw.charAt(i) != '\u2019') return null;
        }
        String normalized = TextNormalizer.normalize(raw);
        if (normalized.isEmpty()) return null;
        for (String word : normalized.split(" ")) {
            if (!hasVowel(word)) return null;
        }
        return normalized;
    }

    private static boolean hasVowel(String word) {
        for (int i = 0; i < word.length(); i++) {
            if ("AEIOUY".indexOf(word.charAt(i)) >= 0) return true;
        }
        return false;
    }
}
