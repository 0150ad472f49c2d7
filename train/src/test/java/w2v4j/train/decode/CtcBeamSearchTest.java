package w2v4j.train.decode;

import org.junit.jupiter.api.Test;
import w2v4j.train.lm.ArpaModel;
import w2v4j.train.lm.KneserNeyBuilder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CtcBeamSearchTest {
    /** fairseq's dict.ltr.txt order: blank <s> = 0, <pad>, </s>, <unk>, | = 4, then letters by frequency. */
    static final String[] FAIRSEQ = {"<s>", "<pad>", "</s>", "<unk>", "|", "E", "T", "A", "O", "N", "I", "H", "S", "R",
            "D", "L", "U", "M", "W", "C", "F", "G", "Y", "P", "B", "V", "K", "'", "X", "J", "Q", "Z"};
    static final int BLANK = 0, DELIM = 4;

    static int id(String s) {
        return Arrays.asList(FAIRSEQ).indexOf(s);
    }

    static final CtcBeamSearch.Options NO_LM = CtcBeamSearch.Options.defaults().withLm(0, 0);

    /** Greedy CTC: best symbol per frame, merge repeats, drop blanks, words split at the delimiter. */
    static String greedy(float[] lp, int frames, String[] symbols, int blank, int delim) {
        int v = symbols.length;
        StringBuilder sb = new StringBuilder();
        int prev = -1;
        for (int t = 0; t < frames; t++) {
            int best = 0;
            for (int c = 1; c < v; c++) if (lp[t * v + c] > lp[t * v + best]) best = c;
            if (best != prev && best != blank) sb.append(best == delim ? " " : symbols[best]);
            prev = best;
        }
        return String.join(" ", sb.toString().trim().split(" +"));
    }

    /** Frames where one random symbol has probability ≥ 0.75 and the rest share the remainder at random. */
    static float[] peaky(Random rnd, int frames, int v) {
        return peaky(rnd, frames, v, 0.75, 0.24);
    }

    /** Frames whose best symbol has probability in [low, low + spread), the rest sharing the remainder at random. */
    static float[] peaky(Random rnd, int frames, int v, double low, double spread) {
        float[] lp = new float[frames * v];
        for (int t = 0; t < frames; t++) {
            int top = rnd.nextInt(4) == 0 ? BLANK : rnd.nextInt(v);
            double pTop = low + spread * rnd.nextDouble();
            double[] rest = new double[v];
            double sum = 0;
            for (int c = 0; c < v; c++) if (c != top) sum += rest[c] = rnd.nextDouble();
            for (int c = 0; c < v; c++) lp[t * v + c] = (float) Math.log(c == top ? pTop : (1 - pTop) * rest[c] / sum);
        }
        return lp;
    }

    /*
     * Prefix search sums the paths of a prefix, greedy decoding follows the single best path, so they can differ
     * (e.g. blank .3, A .3, B .4 after "A": greedy says "AB", the prefix "A" collects .6). When each frame's best
     * symbol has probability q > 1/√2, they agree: a prefix's non-blank and blank mass differ by a factor
     * (1−q)/q < 2q−1, which is what keeping "A" over "AB" would need. So the test draws peaky frames, as trained
     * CTC models emit.
     */
    @Test
    void beamOneWithoutLmIsGreedyOnPeakyFrames() {
        Random rnd = new Random(11);
        CtcBeamSearch search = new CtcBeamSearch(FAIRSEQ, BLANK, DELIM, null, NO_LM.withBeamSize(1));
        for (int trial = 0; trial < 300; trial++) {
            int frames = 1 + rnd.nextInt(120);
            float[] lp = peaky(rnd, frames, FAIRSEQ.length);
            assertEquals(greedy(lp, frames, FAIRSEQ, BLANK, DELIM), search.decode(lp, frames).text(), "trial " + trial);
        }
    }

    static float[] frames(String[] symbols, double[][] probs) {
        int v = symbols.length;
        float[] lp = new float[probs.length * v];
        for (int t = 0; t < probs.length; t++) {
            for (int c = 0; c < v; c++) lp[t * v + c] = (float) Math.log(probs[t][c]);
        }
        return lp;
    }

    @Test
    void prefixProbabilitiesSumOverPaths() {
        // Two frames of blank .5, A .3, B .2 (| never). P("A") = AA + A_ + _A = .09 + .15 + .15 = .39,
        // P("") = .25, P("B") = .04 + .10 + .10 = .24, P("AB") = P("BA") = .06; together 1.
        String[] syms = {"_", "|", "A", "B"};
        double[] f = {0.5, 1e-30, 0.3, 0.2};
        float[] lp = frames(syms, new double[][]{f, f});
        CtcBeamSearch search = new CtcBeamSearch(syms, 0, 1, null, NO_LM.withSymbolThreshold(100));
        List<CtcBeamSearch.Hypothesis> best = search.decode(lp, 2, 10);
        assertEquals(List.of("A", "", "B", "AB", "BA"), best.stream().map(CtcBeamSearch.Hypothesis::text).toList());
        double[] expected = {0.39, 0.25, 0.24, 0.06, 0.06};
        for (int i = 0; i < 5; i++) {
            assertEquals(Math.log(expected[i]), best.get(i).acoustic(), 1e-6);
            assertEquals(best.get(i).acoustic(), best.get(i).score(), 1e-12);
        }
    }

    @Test
    void delimitersMergeIntoOneWordBoundary() {
        // A, then two frames of | or blank (.5 each), then B: every path with a | reads "A B" (.75), only
        // A _ _ B reads "AB" (.25). "A||B" (repeat), "A|_B", "A_|B" and "A|_|B"-like paths are one hypothesis.
        String[] syms = {"_", "|", "A", "B"};
        double e = 1e-30;
        double[][] p = {{e, e, 1, e}, {0.5, 0.5, e, e}, {0.5, 0.5, e, e}, {e, e, e, 1}};
        CtcBeamSearch search = new CtcBeamSearch(syms, 0, 1, null, NO_LM.withSymbolThreshold(100));
        List<CtcBeamSearch.Hypothesis> best = search.decode(frames(syms, p), 4, 10);
        assertEquals(List.of("A B", "AB"), best.stream().map(CtcBeamSearch.Hypothesis::text).toList());
        assertEquals(Math.log(0.75), best.get(0).acoustic(), 1e-6);
        assertEquals(Math.log(0.25), best.get(1).acoustic(), 1e-6);
        assertEquals(2, best.get(0).words());
        // A trailing delimiter joins the prefix without it: "A" and "A|" are one transcript of probability 1.
        best = search.decode(frames(syms, new double[][]{{e, e, 1, e}, {0.5, 0.5, e, e}, {0.5, 0.5, e, e}}), 3, 10);
        assertEquals(1, best.size());
        assertEquals("A", best.getFirst().text());
        assertEquals(0.0, best.getFirst().acoustic(), 1e-6);
    }

    static final String SMALL_ARPA = """
            \\data\\
            ngram 1=5
            ngram 2=3

            \\1-grams:
            -1.0\t<unk>
            -99\t<s>\t-0.5
            -0.7\t</s>
            -0.6\tA\t-0.3
            -0.8\tB\t-0.2

            \\2-grams:
            -0.1\t<s> A
            -0.4\tA B
            -1.5\tB </s>

            \\end\\
            """;

    @Test
    void scoresWordsWithTheLmWordScoreAndUnk(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path arpa = dir.resolve("small.arpa");
        java.nio.file.Files.writeString(arpa, SMALL_ARPA);
        ArpaModel lm = ArpaModel.read(arpa);
        String[] syms = {"_", "|", "A", "B", "C"};
        double e = 1e-30;
        double[][] ab = {{e, e, 1, e, e}, {e, 1, e, e, e}, {e, e, e, 1, e}};
        double[][] ac = {{e, e, 1, e, e}, {e, 1, e, e, e}, {e, e, e, e, 1}};
        double ln10 = Math.log(10);
        CtcBeamSearch.Options opt = CtcBeamSearch.Options.defaults();  // LM weight 2, word score −1
        CtcBeamSearch.Hypothesis h = new CtcBeamSearch(syms, 0, 1, lm, opt).decode(frames(syms, ab), 3);
        assertEquals("A B", h.text());
        // log10 P(A|<s>) + P(B|A) + P(</s>|B) = −0.1 − 0.4 − 1.5 = −2.0; two words at −1.
        assertEquals(2 * ln10 * -2.0 - 2, h.lm(), 1e-5);
        assertEquals(h.acoustic() + h.lm(), h.score(), 1e-9);
        // C is not in the LM: <unk> after A is bo(A) + P(<unk>) = −0.3 − 1.0; <unk> forgets the history, so
        // </s> is scored from the empty context: −0.7.
        h = new CtcBeamSearch(syms, 0, 1, lm, opt).decode(frames(syms, ac), 3);
        assertEquals("A C", h.text());
        assertEquals(2 * ln10 * (-0.1 - 1.3 - 0.7) - 2, h.lm(), 1e-5);
        // With an unk score, that score replaces the LM's <unk> (unweighted).
        h = new CtcBeamSearch(syms, 0, 1, lm, opt.withUnkScore(-5)).decode(frames(syms, ac), 3);
        assertEquals(2 * ln10 * (-0.1 - 0.7) - 5 - 2, h.lm(), 1e-5);
    }

    /**
     * Frames spelling {@code text}: each letter (| for a space) at .98 followed by a blank frame at .98; at the last
     * occurrence of {@code ambiguousAt} the letter gets {@code pFirst} and {@code second} the rest of the .98.
     */
    static double[][] spell(String text, String ambiguousAt, double pFirst, String second) {
        List<double[]> out = new ArrayList<>();
        int v = FAIRSEQ.length;
        int amb = ambiguousAt == null ? -1 : text.lastIndexOf(ambiguousAt);
        for (int i = 0; i < text.length(); i++) {
            String ch = text.charAt(i) == ' ' ? "|" : String.valueOf(text.charAt(i));
            double[] f = new double[v];
            Arrays.fill(f, 0.02 / (v - 2));
            if (i == amb) {
                f[id(ch)] = pFirst;
                f[id(second)] = 0.98 - pFirst;
            } else {
                f[id(ch)] = 0.98;
            }
            out.add(f);
            double[] b = new double[v];
            Arrays.fill(b, 0.02 / (v - 1));
            b[BLANK] = 0.98;
            out.add(b);
        }
        return out.toArray(new double[0][]);
    }

    @Test
    void languageModelFixesAnAmbiguousLetter() {
        // The acoustics slightly prefer P over T at the last letter (T .44, P .54): greedy reads "MAP".
        double[][] p = spell("THE CAT SAT ON THE MAT", "T", 0.44, "P");
        float[] lp = frames(FAIRSEQ, p);
        int frames = p.length;
        assertEquals("THE CAT SAT ON THE MAP", greedy(lp, frames, FAIRSEQ, BLANK, DELIM));

        ArpaModel lm = KneserNeyBuilder.build(List.of(
                "THE CAT SAT ON THE MAT",
                "THE DOG SAT ON THE MAT",
                "A CAT SAT ON A MAT",
                "THE MAP IS ON THE WALL",
                "THE CAT RAN"), 3).model();
        CtcBeamSearch withLm = new CtcBeamSearch(FAIRSEQ, BLANK, DELIM, lm, CtcBeamSearch.Options.defaults());
        CtcBeamSearch.Hypothesis h = withLm.decode(lp, frames);
        assertEquals("THE CAT SAT ON THE MAT", h.text());
        assertEquals(6, h.words());
        // Without the LM the beam agrees with greedy; the LM-chosen text is acoustically worse.
        CtcBeamSearch.Hypothesis plain = new CtcBeamSearch(FAIRSEQ, BLANK, DELIM, null, NO_LM).decode(lp, frames);
        assertEquals("THE CAT SAT ON THE MAP", plain.text());
        assertTrue(plain.acoustic() > h.acoustic());
        // The LM's n-best keeps the acoustic favourite as a runner-up.
        List<CtcBeamSearch.Hypothesis> nBest = withLm.decode(lp, frames, 5);
        assertTrue(nBest.stream().anyMatch(x -> x.text().equals("THE CAT SAT ON THE MAP")));
    }

    static float[] randomLogSoftmax(Random rnd, int frames, int v, double scale) {
        float[] lp = new float[frames * v];
        for (int t = 0; t < frames; t++) {
            double max = Double.NEGATIVE_INFINITY;
            double[] z = new double[v];
            for (int c = 0; c < v; c++) max = Math.max(max, z[c] = scale * rnd.nextGaussian());
            double sum = 0;
            for (int c = 0; c < v; c++) sum += Math.exp(z[c] - max);
            double lse = max + Math.log(sum);
            for (int c = 0; c < v; c++) lp[t * v + c] = (float) (z[c] - lse);
        }
        return lp;
    }

    static ArpaModel randomWordLm(Random rnd) {
        String letters = "ETAOINHSRDLU";
        List<String> vocab = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            StringBuilder w = new StringBuilder();
            for (int j = 1 + rnd.nextInt(5); j > 0; j--) w.append(letters.charAt(rnd.nextInt(letters.length())));
            vocab.add(w.toString());
        }
        List<String> text = new ArrayList<>();
        for (int s = 0; s < 2000; s++) {
            StringBuilder sb = new StringBuilder();
            for (int j = 1 + rnd.nextInt(12); j > 0; j--) sb.append(vocab.get((int) Math.min(299, Math.abs(rnd.nextGaussian() * 60)))).append(' ');
            text.add(sb.toString().trim());
        }
        return KneserNeyBuilder.build(text, 4).model();
    }

    @Test
    void deterministic() {
        Random rnd = new Random(5);
        ArpaModel lm = randomWordLm(rnd);
        float[] lp = randomLogSoftmax(rnd, 200, FAIRSEQ.length, 4);
        List<CtcBeamSearch.Hypothesis> a = new CtcBeamSearch(FAIRSEQ, BLANK, DELIM, lm, CtcBeamSearch.Options.defaults()).decode(lp, 200, 10);
        List<CtcBeamSearch.Hypothesis> b = new CtcBeamSearch(FAIRSEQ, BLANK, DELIM, lm, CtcBeamSearch.Options.defaults()).decode(lp, 200, 10);
        assertEquals(a, b);
        assertEquals(10, a.size());
        for (int i = 1; i < a.size(); i++) {
            assertTrue(a.get(i - 1).score() >= a.get(i).score());
            assertNotEquals(a.get(i - 1).text(), a.get(i).text());
        }
    }

    @Test
    void decodesFifteenSecondsQuickly() {
        // 750 frames (15 s at 20 ms) × 32 symbols, beam 50, a 4-gram LM. Flat random posteriors (logits N(0, 1))
        // are the worst case — every symbol survives the per-frame cut; peaky frames are what trained models emit.
        Random rnd = new Random(9);
        ArpaModel lm = randomWordLm(rnd);
        CtcBeamSearch search = new CtcBeamSearch(FAIRSEQ, BLANK, DELIM, lm, CtcBeamSearch.Options.defaults());
        String[] names = {"flat, logits N(0,1)", "logits N(0,4^2)", "top symbol >= 0.75", "top symbol >= 0.999"};
        float[][] inputs = {randomLogSoftmax(rnd, 750, FAIRSEQ.length, 1), randomLogSoftmax(rnd, 750, FAIRSEQ.length, 4),
                peaky(rnd, 750, FAIRSEQ.length), peaky(rnd, 750, FAIRSEQ.length, 0.999, 0.0009)};
        for (int k = 0; k < inputs.length; k++) {
            for (int i = 0; i < 3; i++) search.decode(inputs[k], 750);  // warm-up
            long t0 = System.nanoTime();
            int runs = 5;
            CtcBeamSearch.Hypothesis h = null;
            for (int i = 0; i < runs; i++) h = search.decode(inputs[k], 750);
            double ms = (System.nanoTime() - t0) / 1e6 / runs;
            System.out.printf(Locale.ROOT, "CtcBeamSearch: 750 frames x 32 symbols, beam 50, %s: %.1f ms per utterance (%d words)%n",
                    names[k], ms, h.words());
            assertTrue(Double.isFinite(h.score()));
        }
    }
}
