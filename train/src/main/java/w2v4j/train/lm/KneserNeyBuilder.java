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
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

/**
 * Estimates an n-gram model with interpolated modified Kneser–Ney smoothing (Chen &amp; Goodman 1998), following
 * KenLM's {@code lmplz} (lm/builder: adjust_counts.cc, initial_probabilities.cc, interpolate.cc):
 * <ul>
 * <li>Each line is a sentence, words split on whitespace, taken as is (no case folding); it is padded as
 *     {@code <s> w1 .. wm </s>}. Blank lines are skipped; {@code <s>} and {@code </s>} inside a line are an error
 *     (lmplz's default); {@code <unk>} in the text is an ordinary word.</li>
 * <li>Adjusted counts: the top order and n-grams starting with {@code <s>} keep their raw counts (nothing can precede
 *     {@code <s>}); every other lower-order n-gram counts its distinct left extensions, N1+(• w..).</li>
 * <li>Per order k, from the count-of-counts n1..n4 of the adjusted counts: Y = n1/(n1+2n2), D1 = 1−2Y·n2/n1,
 *     D2 = 2−3Y·n3/n2, D3+ = 3−4Y·n4/n3. Where a count-of-count n1, n2 or n3 is zero or a discount leaves
 *     [0, j], lmplz stops (BadDiscountException) unless given --discount_fallback; we always fall back, to lmplz's
 *     fallback values D1 = 0.5, D2 = 1.0, D3+ = 1.5, and say so in {@link Result#discounts()}.</li>
 * <li>P(w|h) = (a(hw) − D(a(hw))) / Σx a(hx) + γ(h)·P(w|h'), γ(h) = (D1·N1(h•) + D2·N2(h•) + D3+·N3+(h•)) / Σx a(hx),
 *     h' = h without its first word; at the bottom, P(w) interpolates with the uniform 1/|V|, |V| counting
 *     {@code </s>} and {@code <unk>} but not {@code <s>}. {@code <unk>} has adjusted count 0 (a zeroton), so it
 *     gets only the uniform share.</li>
 * <li>The ARPA back-off of every context h is log10 γ(h): an unlisted hw then scores γ(h)·P(w|h'), exactly the
 *     interpolated value, so the back-off model equals the interpolated one.</li>
 * <li>{@code <s>} is listed among the 1-grams (it is a context) with log10 probability −99, the SRILM convention
 *     for "never predicted". Current lmplz writes 0 there instead (it lets {@code <s>} be scored explicitly at no
 *     cost); no sentence-internal probability depends on the choice.</li>
 * </ul>
 * Unigrams are listed {@code <unk>, <s>, </s>}, then words by first appearance; higher orders grouped by context.
 */
public final class KneserNeyBuilder {
    private KneserNeyBuilder() {}

    /** lmplz's --discount_fallback defaults. */
    public static final Discounts FALLBACK = new Discounts(0.5, 1.0, 1.5, true);

    /** The discounts of one order; {@code fallback} when the data could not support Chen–Goodman's estimate. */
    public record Discounts(double d1, double d2, double d3plus, boolean fallback) {
        double of(long adjustedCount) {
            return adjustedCount <= 0 ? 0 : adjustedCount == 1 ? d1 : adjustedCount == 2 ? d2 : d3plus;
        }
    }

    /** The model with what went into it. {@code discounts.get(k - 1)} belongs to order k. */
    public record Result(ArpaModel model, List<Discounts> discounts, long sentences, long tokens) {}

    /** Builds from a text file, one sentence per line (a fairseq {@code .wrd} file is one). */
    public static Result build(Path text, int order) {
        checkOrder(order);
        Counter c = new Counter(order);
        try (BufferedReader r = Files.newBufferedReader(text, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                String bad = c.add(line);
                if (bad != null) throw W2vException.file(text, "line " + lineNo + ": " + bad);
            }
        } catch (NoSuchFileException e) {
            throw W2vException.file(text, "no such file", e);
        } catch (CharacterCodingException e) {
            throw W2vException.file(text, "not UTF-8 text", e);
        } catch (IOException e) {
            throw W2vException.file(text, "cannot read: " + e, e);
        }
        if (c.sentences == 0) throw W2vException.file(text, "no sentences (every line is blank)");
        return c.estimate();
    }

    /** Builds from sentences in memory. */
    public static Result build(List<String> sentences, int order) {
        checkOrder(order);
        Counter c = new Counter(order);
        for (int i = 0; i < sentences.size(); i++) {
            String bad = c.add(sentences.get(i));
            if (bad != null) throw new W2vException("sentence " + (i + 1) + ": " + bad);
        }
        if (c.sentences == 0) throw new W2vException("no sentences");
        return c.estimate();
    }

    private static void checkOrder(int order) {
        if (order < 1 || order > 16) throw new W2vException("n-gram order must be in [1, 16], got " + order);
    }

    /** Chen–Goodman's estimate from the count-of-counts n[1..4], or the fallback. */
    static Discounts discounts(long[] n) {
        if (n[1] == 0 || n[2] == 0 || n[3] == 0) return FALLBACK;
        double y = n[1] / (n[1] + 2.0 * n[2]);
        double[] d = new double[4];
        for (int j = 1; j <= 3; j++) {
            d[j] = j - (j + 1) * y * n[j + 1] / n[j];
            if (d[j] < 0 || d[j] > j) return FALLBACK;
        }
        return new Discounts(d[1], d[2], d[3], false);
    }

    /** Raw n-gram counts in a trie: node 0 is the empty n-gram, edges (node, word) → node. */
    private static final class Counter {
        static final int UNK = 0, BOS = 1, EOS = 2;

        final int order;
        final HashMap<String, Integer> ids = new HashMap<>();
        final List<String> words = new ArrayList<>(List.of(ArpaModel.UNK, ArpaModel.BOS, ArpaModel.EOS));
        final LongIntMap edges = new LongIntMap(1 << 12);
        int nodes = 1;
        int[] parent = {-1};
        int[] word = {-1};
        byte[] length = {0};
        long[] count = {0};
        long sentences, tokens;
        int[] sentence = new int[64];

        Counter(int order) {
            this.order = order;
            for (int i = 0; i < words.size(); i++) ids.put(words.get(i), i);
        }

        /** Counts one line; returns a problem or null. */
        String add(String line) {
            String s = line.strip();
            if (s.isEmpty()) return null;
            String[] ws = s.split("\\s+");
            int len = ws.length + 2;
            if (sentence.length < len) sentence = new int[Math.max(len, sentence.length * 2)];
            sentence[0] = BOS;
            for (int i = 0; i < ws.length; i++) {
                if (ws[i].equals(ArpaModel.BOS) || ws[i].equals(ArpaModel.EOS)) {
                    return "the text contains " + ws[i] + " (sentence boundaries are added; remove it)";
                }
                Integer id = ids.get(ws[i]);
                if (id == null) {
                    id = words.size();
                    ids.put(ws[i], id);
                    words.add(ws[i]);
                }
                sentence[i + 1] = id;
            }
            sentence[len - 1] = EOS;
            for (int start = 0; start < len; start++) {
                int n = 0;
                for (int i = start; i < Math.min(len, start + order); i++) {
                    n = child(n, sentence[i]);
                    count[n]++;
                }
            }
            sentences++;
            tokens += ws.length + 1;  // words and </s>, as lmplz counts tokens
            return null;
        }

        int child(int node, int w) {
            long e = LongIntMap.edge(node, w);
            int c = edges.get(e);
            if (c != LongIntMap.MISSING) return c;
            if (nodes == parent.length) {
                int cap = nodes * 2;
                parent = Arrays.copyOf(parent, cap);
                word = Arrays.copyOf(word, cap);
                length = Arrays.copyOf(length, cap);
                count = Arrays.copyOf(count, cap);
            }
            c = nodes++;
            parent[c] = node;
            word[c] = w;
            length[c] = (byte) (length[node] + 1);
            edges.put(e, c);
            return c;
        }

        Result estimate() {
            child(0, UNK);  // listed even when the text never has it
            child(0, BOS);
            int vocab = words.size();
            // Suffix links: parents are created before children, so creation order works.
            int[] suffix = new int[nodes];
            int[] first = new int[nodes];
            for (int n = 1; n < nodes; n++) {
                suffix[n] = length[n] == 1 ? 0 : edges.get(LongIntMap.edge(suffix[parent[n]], word[n]));
                first[n] = length[n] == 1 ? word[n] : first[parent[n]];
            }
            // Adjusted counts.
            long[] adjusted = new long[nodes];
            for (int n = 1; n < nodes; n++) if (length[n] >= 2) adjusted[suffix[n]]++;
            for (int n = 1; n < nodes; n++) {
                if (length[n] == order || first[n] == BOS) adjusted[n] = count[n];
            }
            adjusted[edges.get(LongIntMap.edge(0, BOS))] = 0;
            // Discounts per order.
            long[][] coc = new long[order + 1][5];
            for (int n = 1; n < nodes; n++) {
                if (adjusted[n] >= 1 && adjusted[n] <= 4) coc[length[n]][(int) adjusted[n]]++;
            }
            List<Discounts> discounts = new ArrayList<>();
            for (int k = 1; k <= order; k++) discounts.add(KneserNeyBuilder.discounts(coc[k]));
            // Per context: Σ adjusted counts of its extensions and the discounted mass γ·Σ.
            double[] denominator = new double[nodes];
            double[] freed = new double[nodes];
            boolean[] isContext = new boolean[nodes];
            for (int n = 1; n < nodes; n++) {
                Discounts d = discounts.get(length[n] - 1);
                denominator[parent[n]] += adjusted[n];
                freed[parent[n]] += d.of(adjusted[n]);
                isContext[parent[n]] = true;
            }
            // Interpolated probabilities, lower orders first.
            int[] byOrder = nodesByLength();
            double uniform = 1.0 / (vocab - 1);  // <s> is not predicted
            double[] p = new double[nodes];
            int bosNode = edges.get(LongIntMap.edge(0, BOS));
            for (int n : byOrder) {
                int h = parent[n];
                double gamma = freed[h] / denominator[h];
                double lower = length[n] == 1 ? uniform : p[suffix[n]];
                double own = (adjusted[n] - discounts.get(length[n] - 1).of(adjusted[n])) / denominator[h];
                p[n] = n == bosNode ? 0 : own + gamma * lower;
            }
            return new Result(toModel(vocab, p, freed, denominator, isContext, bosNode), List.copyOf(discounts),
                    sentences, tokens);
        }

        /** Node ids sorted by n-gram length (stable: creation order within a length). */
        private int[] nodesByLength() {
            int[] out = new int[nodes - 1];
            int i = 0;
            for (int k = 1; k <= order; k++) {
                for (int n = 1; n < nodes; n++) if (length[n] == k) out[i++] = n;
            }
            return out;
        }

        private ArpaModel toModel(int vocab, double[] p, double[] freed, double[] denominator, boolean[] isContext,
                                  int bosNode) {
            int[] perOrder = new int[order + 2];
            for (int n = 1; n < nodes; n++) perOrder[length[n]]++;
            int[] orderStart = new int[order + 2];
            orderStart[1] = 1;
            for (int k = 1; k <= order; k++) orderStart[k + 1] = orderStart[k] + perOrder[k];
            int total = orderStart[order + 1];
            int[] newId = new int[nodes];
            int[] mParent = new int[total];
            int[] mWord = new int[total];
            float[] mProb = new float[total];
            float[] mBackoff = new float[total];
            mParent[0] = -1;
            mWord[0] = -1;
            LongIntMap mChildren = new LongIntMap(total - vocab);
            long[] keys = new long[nodes];
            for (int k = 1; k <= order; k++) {
                // Unigrams in word-id order; longer n-grams grouped by (context, word).
                int m = 0;
                for (int n = 1; n < nodes; n++) {
                    if (length[n] != k) continue;
                    keys[m++] = k == 1 ? word[n] : LongIntMap.edge(newId[parent[n]], word[n]);
                    if (k > 1) mChildren.put(keys[m - 1], n);
                }
                Arrays.sort(keys, 0, m);
                for (int i = 0; i < m; i++) {
                    int n = k == 1 ? edges.get(LongIntMap.edge(0, (int) keys[i])) : mChildren.get(keys[i]);
                    int id = orderStart[k] + i;
                    newId[n] = id;
                    if (k > 1) mChildren.put(keys[i], id);
                    mParent[id] = k == 1 ? 0 : newId[parent[n]];
                    mWord[id] = word[n];
                    mProb[id] = n == bosNode ? -99f : (float) Math.min(0.0, Math.log10(p[n]));
                    if (k < order && isContext[n]) mBackoff[id] = (float) Math.log10(freed[n] / denominator[n]);
                }
            }
            return new ArpaModel(order, words.toArray(new String[0]), orderStart, mParent, mWord,
                    mProb, mBackoff, mChildren);
        }
    }
}
