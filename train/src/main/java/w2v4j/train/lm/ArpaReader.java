package w2v4j.train.lm;

import w2v4j.core.W2vException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the ARPA back-off format:
 * <pre>
 * \data\
 * ngram 1=COUNT
 * ngram 2=COUNT
 *
 * \1-grams:
 * LOG10PROB	WORD	[LOG10BACKOFF]
 * \2-grams:
 * LOG10PROB	WORD WORD	[LOG10BACKOFF]
 * \end\
 * </pre>
 * Lines before {@code \data\} (comments, lmplz's header) and after {@code \end\} are ignored; fields may be separated
 * by tabs or spaces; the top order carries no back-off. Every section must hold exactly the count the header gives,
 * every word of a higher order must be a 1-gram, and the context (all but the last word) of every n-gram must be
 * listed one order below. Violations are errors naming the file and line.
 */
final class ArpaReader {
    private static final Pattern NGRAM_COUNT = Pattern.compile("ngram\\s+(\\d+)\\s*=\\s*(\\d+)");
    private static final Pattern SECTION = Pattern.compile("\\\\(\\d+)-grams:");
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private final Path file;
    private final BufferedReader in;
    private int lineNo;

    private ArpaReader(Path file, BufferedReader in) {
        this.file = file;
        this.in = in;
    }

    static ArpaModel read(Path file) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return new ArpaReader(file, r).parse();
        } catch (NoSuchFileException e) {
            throw W2vException.file(file, "no such file", e);
        } catch (CharacterCodingException e) {
            throw W2vException.file(file, "not UTF-8 text", e);
        } catch (IOException e) {
            throw W2vException.file(file, "cannot read: " + e, e);
        }
    }

    private ArpaModel parse() throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) throw error("no \\data\\ section: not an ARPA file");
            lineNo++;
        } while (!line.strip().equals("\\data\\"));

        List<Integer> counts = new ArrayList<>();
        while (true) {
            line = nextNonBlank();
            if (line == null) throw error("the file ends inside the \\data\\ section");
            Matcher m = NGRAM_COUNT.matcher(line);
            if (!m.matches()) break;
            int k = parseInt(m.group(1), "n-gram order");
            if (k != counts.size() + 1) throw error("expected 'ngram " + (counts.size() + 1) + "=COUNT', found order " + k);
            counts.add(parseInt(m.group(2), "n-gram count"));
        }
        if (counts.isEmpty()) throw error("expected 'ngram 1=COUNT' after \\data\\");
        int order = counts.size();
        if (counts.getFirst() == 0) throw error("the model has no 1-grams");

        int[] orderStart = new int[order + 2];
        orderStart[1] = 1;
        for (int k = 1; k <= order; k++) {
            long next = (long) orderStart[k] + counts.get(k - 1);
            if (next > Integer.MAX_VALUE - 8) throw error("too many n-grams for this reader (" + next + ")");
            orderStart[k + 1] = (int) next;
        }
        int nodes = orderStart[order + 1];
        int[] parent = new int[nodes];
        int[] lastWord = new int[nodes];
        float[] prob = new float[nodes];
        float[] backoff = new float[nodes];
        parent[0] = -1;
        lastWord[0] = -1;
        String[] words = new String[counts.getFirst()];
        java.util.HashMap<String, Integer> ids = new java.util.HashMap<>(words.length * 2);
        LongIntMap children = new LongIntMap(nodes - words.length);

        for (int k = 1; k <= order; k++) {
            String header = "\\" + k + "-grams:";
            if (!line.equals(header)) throw error("expected '" + header + "', found '" + abbreviate(line) + "'");
            int expected = counts.get(k - 1);
            int[] ws = new int[k];
            for (int i = 0; i < expected; i++) {
                line = nextNonBlank();
                if (line == null || line.startsWith("\\")) {
                    throw error(header + " the header says " + expected + " entries, the section has " + i);
                }
                String[] f = line.split("[ \\t]+");
                boolean withBackoff = f.length == k + 2;
                if (f.length != k + 1 && !(withBackoff && k < order)) {
                    throw error("expected " + (k < order ? "LOG10PROB, " + k + " word(s) and an optional LOG10BACKOFF"
                            : "LOG10PROB and " + k + " word(s) (no back-off at the top order)") + ", found " + f.length + " fields");
                }
                int node = orderStart[k] + i;
                prob[node] = parseLog10(f[0], "probability");
                if (withBackoff) backoff[node] = parseLog10(f[k + 1], "back-off");
                if (k == 1) {
                    if (ids.putIfAbsent(f[1], i) != null) throw error("duplicate 1-gram '" + f[1] + "'");
                    words[i] = f[1];
                    lastWord[node] = i;
                    continue;
                }
                for (int j = 0; j < k; j++) {
                    Integer id = ids.get(f[1 + j]);
                    if (id == null) throw error("word '" + f[1 + j] + "' is not among the 1-grams");
                    ws[j] = id;
                }
                int ctx = 1 + ws[0];
                for (int j = 1; j < k - 1 && ctx != LongIntMap.MISSING; j++) ctx = children.get(LongIntMap.edge(ctx, ws[j]));
                if (ctx == LongIntMap.MISSING) {
                    throw error("the context '" + String.join(" ", java.util.Arrays.copyOfRange(f, 1, k))
                            + "' of this " + k + "-gram is not listed among the " + (k - 1) + "-grams");
                }
                long edge = LongIntMap.edge(ctx, ws[k - 1]);
                if (children.get(edge) != LongIntMap.MISSING) throw error("duplicate " + k + "-gram");
                children.put(edge, node);
                parent[node] = ctx;
                lastWord[node] = ws[k - 1];
            }
            line = nextNonBlank();
            if (line == null) throw error("the file ends without \\end\\");
            if (!line.startsWith("\\")) throw error(header + " more entries than the " + expected + " the header says");
        }
        if (!line.equals("\\end\\")) {
            Matcher m = SECTION.matcher(line);
            throw error(m.matches() ? "the header declares " + order + " orders, found '" + line + "'"
                    : "expected '\\end\\', found '" + abbreviate(line) + "'");
        }
        return new ArpaModel(order, words, orderStart, parent, lastWord, prob, backoff, children);
    }

    private String nextNonBlank() throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) return null;
            lineNo++;
            line = line.strip();
        } while (line.isEmpty());
        return line;
    }

    private float parseLog10(String s, String what) {
        if (s.equalsIgnoreCase("-inf") || s.equals("-Infinity")) return Float.NEGATIVE_INFINITY;
        if (!NUMBER.matcher(s).matches()) throw error("the log10 " + what + " '" + abbreviate(s) + "' is not a number");
        return Float.parseFloat(s);
    }

    private int parseInt(String s, String what) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw error(what + " " + s + " is too large");
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private W2vException error(String problem) {
        return W2vException.file(file, "line " + lineNo + ": " + problem);
    }
}
