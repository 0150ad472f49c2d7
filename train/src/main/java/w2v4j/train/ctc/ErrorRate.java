package w2v4j.train.ctc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Word and character error rates by Levenshtein alignment: (S + D + I) / N, with N the length of the
 * reference, in percent.
 *
 * <ul>
 *   <li>Words are the whitespace-separated tokens of each string; texts are compared as given (case
 *       matters), so callers normalise both sides first ({@code TextNormalizer.normalize}).</li>
 *   <li>Characters are those of the words joined by single spaces, spaces included and no leading
 *       or trailing space (the {@code jiwer}/HF {@code evaluate} "cer"). So a lost word break costs one
 *       error, and whitespace layout costs none. fairseq's training-time "uer" differs slightly: it
 *       counts over the {@code .ltr} tokens, including the trailing {@code |}.</li>
 *   <li>Among alignments of equal cost, the backtrace prefers a match or substitution, then a
 *       deletion, then an insertion; the total is the edit distance either way, only the S/D/I split
 *       depends on this choice.</li>
 *   <li>An empty reference has N = 0: its hypothesis' words all count as insertions. A corpus rate
 *       with N = 0 is 0 when there are no errors and +∞ otherwise.</li>
 * </ul>
 */
public final class ErrorRate {

    /** One column of an alignment. */
    public enum Op { MATCH, SUBSTITUTION, DELETION, INSERTION }

    /** Substitutions, deletions, insertions and reference length. */
    public record Counts(long substitutions, long deletions, long insertions, long reference) {
        public static final Counts ZERO = new Counts(0, 0, 0, 0);

        public long errors() {
            return substitutions + deletions + insertions;
        }

        /** 100 · errors / reference; 0 for nothing against nothing, +∞ for errors against an empty reference. */
        public double percent() {
            if (reference == 0) return errors() == 0 ? 0 : Double.POSITIVE_INFINITY;
            return 100.0 * errors() / reference;
        }

        public Counts plus(Counts o) {
            return new Counts(substitutions + o.substitutions, deletions + o.deletions, insertions + o.insertions, reference + o.reference);
        }

        @Override
        public String toString() {
            return String.format("%.2f%% (S=%d D=%d I=%d N=%d)", percent(), substitutions, deletions, insertions, reference);
        }
    }

    /** An alignment: {@code ops[i]} pairs the next unconsumed tokens of ref and/or hyp. */
    public record Alignment(List<String> ref, List<String> hyp, Op[] ops, Counts counts) {

        /**
         * Three lines, sclite style: REF, HYP (a missing token shown as stars) and the S/D/I marks,
         * each column as wide as its longer token.
         */
        public String pretty() {
            StringBuilder r = new StringBuilder("REF: "), h = new StringBuilder("HYP: "), m = new StringBuilder("     ");
            int i = 0, j = 0;
            for (Op op : ops) {
                String a = op == Op.INSERTION ? null : ref.get(i++);
                String b = op == Op.DELETION ? null : hyp.get(j++);
                int w = Math.max(a == null ? 0 : a.length(), b == null ? 0 : b.length());
                pad(r, a == null ? "*".repeat(w) : a, w);
                pad(h, b == null ? "*".repeat(w) : b, w);
                pad(m, switch (op) {
                    case MATCH -> "";
                    case SUBSTITUTION -> "S";
                    case DELETION -> "D";
                    case INSERTION -> "I";
                }, w);
            }
            return r.toString().stripTrailing() + "\n" + h.toString().stripTrailing() + "\n" + m.toString().stripTrailing();
        }

        private static void pad(StringBuilder sb, String s, int width) {
            sb.append(s).append(" ".repeat(width - s.length())).append(' ');
        }
    }

    private ErrorRate() {
    }

    /** The words of a text: its whitespace-separated tokens. */
    public static List<String> words(String text) {
        String t = text.strip();
        return t.isEmpty() ? List.of() : List.of(t.split("\\s+"));
    }

    /** The characters of a text for CER: those of its words joined by single spaces; a space is shown as {@code |}. */
    public static List<String> chars(String text) {
        String joined = String.join(" ", words(text));
        List<String> out = new ArrayList<>(joined.length());
        joined.codePoints().forEach(c -> out.add(c == ' ' ? "|" : Character.toString(c)));
        return out;
    }

    public static Alignment alignWords(String ref, String hyp) {
        return align(words(ref), words(hyp));
    }

    public static Alignment alignChars(String ref, String hyp) {
        return align(chars(ref), chars(hyp));
    }

    /** Minimum-edit alignment of two token lists (tokens compared with equals). */
    public static Alignment align(List<String> ref, List<String> hyp) {
        Map<String, Integer> ids = new HashMap<>();
        int[] r = new int[ref.size()], h = new int[hyp.size()];
        for (int i = 0; i < r.length; i++) r[i] = ids.computeIfAbsent(ref.get(i), k -> ids.size());
        for (int j = 0; j < h.length; j++) h[j] = ids.computeIfAbsent(hyp.get(j), k -> ids.size());
        Op[] ops = align(r, h);
        long s = 0, d = 0, ins = 0;
        for (Op op : ops) {
            switch (op) {
                case SUBSTITUTION -> s++;
                case DELETION -> d++;
                case INSERTION -> ins++;
                case MATCH -> { }
            }
        }
        return new Alignment(List.copyOf(ref), List.copyOf(hyp), ops, new Counts(s, d, ins, r.length));
    }

    /**
     * The edit operations turning {@code ref [n]} into {@code hyp [m]} at least cost (each
     * substitution, deletion, insertion costs 1): the full (n+1)×(m+1) table, then a backtrace.
     */
    static Op[] align(int[] ref, int[] hyp) {
        int n = ref.length, m = hyp.length, w = m + 1;
        int[] cost = new int[(n + 1) * w];
        for (int j = 0; j <= m; j++) cost[j] = j;
        for (int i = 1; i <= n; i++) {
            cost[i * w] = i;
            for (int j = 1; j <= m; j++) {
                int diag = cost[(i - 1) * w + j - 1] + (ref[i - 1] == hyp[j - 1] ? 0 : 1);
                int del = cost[(i - 1) * w + j] + 1, ins = cost[i * w + j - 1] + 1;
                cost[i * w + j] = Math.min(diag, Math.min(del, ins));
            }
        }
        List<Op> rev = new ArrayList<>(n + m);
        int i = n, j = m;
        while (i > 0 || j > 0) {
            int c = cost[i * w + j];
            if (i > 0 && j > 0 && c == cost[(i - 1) * w + j - 1] + (ref[i - 1] == hyp[j - 1] ? 0 : 1)) {
                rev.add(ref[i - 1] == hyp[j - 1] ? Op.MATCH : Op.SUBSTITUTION);
                i--;
                j--;
            } else if (i > 0 && c == cost[(i - 1) * w + j] + 1) {
                rev.add(Op.DELETION);
                i--;
            } else {
                rev.add(Op.INSERTION);
                j--;
            }
        }
        Op[] ops = new Op[rev.size()];
        for (int k = 0; k < ops.length; k++) ops[k] = rev.get(ops.length - 1 - k);
        return ops;
    }

    /** Corpus totals: word and character counts summed over utterances, rates over the sums (not averaged per utterance). */
    public static final class Accumulator {
        private Counts words = Counts.ZERO, chars = Counts.ZERO;
        private int utterances;

        /** Adds one utterance; returns its word alignment (for printing the worst ones, say). */
        public Alignment add(String ref, String hyp) {
            Alignment a = alignWords(ref, hyp);
            words = words.plus(a.counts());
            chars = chars.plus(alignChars(ref, hyp).counts());
            utterances++;
            return a;
        }

        public Counts words() {
            return words;
        }

        public Counts chars() {
            return chars;
        }

        public int utterances() {
            return utterances;
        }

        /** Word error rate in percent. */
        public double wer() {
            return words.percent();
        }

        /** Character error rate in percent. */
        public double cer() {
            return chars.percent();
        }
    }
}
