package w2v4j.train.lm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import w2v4j.core.W2vException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KneserNeyBuilderTest {
    static final List<String> CORPUS = List.of(
            "THE CAT SAT",
            "THE CAT SAT ON THE MAT",
            "THE DOG SAT",
            "THE CAT RAN");

    @TempDir
    Path dir;

    private static double log10(double num, double den) {
        return Math.log10(num / den);
    }

    private static double prob(ArpaModel lm, String... ngram) {
        int e = lm.entry(ngram);
        assertTrue(e >= 0, "listed: " + String.join(" ", ngram));
        return lm.entryLog10Prob(e);
    }

    private static double backoff(ArpaModel lm, String... ngram) {
        int e = lm.entry(ngram);
        assertTrue(e >= 0, "listed: " + String.join(" ", ngram));
        return lm.entryLog10Backoff(e);
    }

    private static int[] ids(ArpaModel lm, String... words) {
        int[] out = new int[words.length];
        for (int i = 0; i < words.length; i++) out[i] = lm.wordId(words[i]);
        return out;
    }

    @Test
    void chenGoodmanDiscounts() {
        // n1..n4 = 10, 5, 3, 2: Y = 10/20 = 1/2; D1 = 1 − 2·½·5/10 = 0.5; D2 = 2 − 3·½·3/5 = 1.1;
        // D3+ = 3 − 4·½·2/3 = 5/3.
        KneserNeyBuilder.Discounts d = KneserNeyBuilder.discounts(new long[]{0, 10, 5, 3, 2});
        assertEquals(0.5, d.d1(), 1e-12);
        assertEquals(1.1, d.d2(), 1e-12);
        assertEquals(5.0 / 3, d.d3plus(), 1e-12);
        assertFalse(d.fallback());
        // A zero count-of-count, or a discount outside [0, j], falls back to lmplz's 0.5 / 1 / 1.5.
        assertEquals(KneserNeyBuilder.FALLBACK, KneserNeyBuilder.discounts(new long[]{0, 10, 1, 0, 1}));
        assertEquals(KneserNeyBuilder.FALLBACK, KneserNeyBuilder.discounts(new long[]{0, 10, 1, 1, 0}));  // D2 = −0.5
    }

    /*
     * Bigram model of CORPUS, by hand. Padded: <s> THE CAT SAT </s> / <s> THE CAT SAT ON THE MAT </s> /
     * <s> THE DOG SAT </s> / <s> THE CAT RAN </s>.  |V| = 9 (<unk> </s> THE CAT SAT ON MAT DOG RAN; not <s>).
     *
     * Unigrams use continuation counts N1+(• w): </s> 3 (SAT MAT RAN), THE 2 (<s> ON), SAT 2 (CAT DOG),
     * CAT DOG MAT ON RAN 1 each, <unk> 0, <s> 0.  Σ = 12.  n1..n4 = 5, 2, 1, 0:
     *   Y = 5/9, D1 = 1 − 2·(5/9)·(2/5) = 5/9, D2 = 2 − 3·(5/9)·(1/2) = 7/6, D3+ = 3 − 0 = 3.
     *   γ() = (5·5/9 + 2·7/6 + 1·3)/12 = 73/108;  uniform share γ()/9 = 73/972.
     *   P(CAT) = (1 − 5/9)/12 + 73/972 = 109/972;  P(THE) = (2 − 7/6)/12 + 73/972 = 281/1944;
     *   P(</s>) = (3 − 3)/12 + 73/972 = 73/972 = P(<unk>).
     * Bigrams keep raw counts: <s> THE 4, THE CAT 3, CAT SAT 2, SAT </s> 2, the other 8 once.
     *   n1..n4 = 8, 2, 1, 1: Y = 2/3, D1 = 1 − 2·(2/3)·(2/8) = 2/3, D2 = 2 − 3·(2/3)·(1/2) = 1,
     *   D3+ = 3 − 4·(2/3)·1 = 1/3.
     *   THE → CAT 3, DOG 1, MAT 1 (Σ 5): γ(THE) = (2·2/3 + 1/3)/5 = 1/3;
     *     P(CAT|THE) = (3 − 1/3)/5 + (1/3)·109/972 = 8321/14580.
     *   <s> → THE 4 (Σ 4): γ(<s>) = (1/3)/4 = 1/12;  P(THE|<s>) = (4 − 1/3)/4 + (1/12)·281/1944 = 21665/23328.
     *   CAT → SAT 2, RAN 1 (Σ 3): γ(CAT) = (1 + 2/3)/3 = 5/9;  P(SAT|CAT) = (2 − 1)/3 + (5/9)·281/1944 = 7237/17496.
     *   Unlisted CAT DOG backs off: P(DOG|CAT) = γ(CAT)·P(DOG) = (5/9)·(109/972).
     */
    @Test
    void bigramModelMatchesHandComputation() {
        KneserNeyBuilder.Result r = KneserNeyBuilder.build(CORPUS, 2);
        ArpaModel lm = r.model();
        assertEquals(4, r.sentences());
        assertEquals(19, r.tokens());   // 15 words and 4 </s>
        assertEquals(10, lm.count(1));
        assertEquals(12, lm.count(2));
        KneserNeyBuilder.Discounts d1 = r.discounts().get(0), d2 = r.discounts().get(1);
        assertEquals(5.0 / 9, d1.d1(), 1e-12);
        assertEquals(7.0 / 6, d1.d2(), 1e-12);
        assertEquals(3.0, d1.d3plus(), 1e-12);
        assertEquals(2.0 / 3, d2.d1(), 1e-12);
        assertEquals(1.0, d2.d2(), 1e-12);
        assertEquals(1.0 / 3, d2.d3plus(), 1e-12);

        assertEquals(log10(109, 972), prob(lm, "CAT"), 1e-6);
        assertEquals(log10(281, 1944), prob(lm, "THE"), 1e-6);
        assertEquals(log10(73, 972), prob(lm, "</s>"), 1e-6);
        assertEquals(log10(73, 972), prob(lm, "<unk>"), 1e-6);
        assertEquals(-99, prob(lm, "<s>"));
        assertEquals(log10(8321, 14580), prob(lm, "THE", "CAT"), 1e-6);
        assertEquals(log10(21665, 23328), prob(lm, "<s>", "THE"), 1e-6);
        assertEquals(log10(7237, 17496), prob(lm, "CAT", "SAT"), 1e-6);
        assertEquals(log10(1, 3), backoff(lm, "THE"), 1e-6);
        assertEquals(log10(1, 12), backoff(lm, "<s>"), 1e-6);
        assertEquals(log10(5, 9), backoff(lm, "CAT"), 1e-6);
        assertEquals(0, backoff(lm, "</s>"));
        assertEquals(-1, lm.entry("CAT", "DOG"));
        assertEquals(log10(5 * 109, 9 * 972), lm.log10Prob(ids(lm, "CAT"), lm.wordId("DOG")), 1e-6);
        // lmplz's unigram order: <unk>, <s>, </s>, then words as they appear.
        assertEquals(List.of("<unk>", "<s>", "</s>", "THE", "CAT"),
                List.of(lm.word(0), lm.word(1), lm.word(2), lm.word(3), lm.word(4)));
    }

    /*
     * Trigram model of CORPUS. Unigrams as in the bigram model. Bigrams now use continuation counts: every bigram
     * has one left extension except <s> THE (raw 4); n1..n4 = 10, 1, 0, 1, so n3 = 0 and order 2 falls back to
     * D = 1/2, 1, 3/2. Trigrams (raw): <s> THE CAT 3, THE CAT SAT 2, others once: n1..n4 = 10, 1, 1, 0 gives
     * D2 = 2 − 3·(10/12)·1 = −1/2 < 0, so order 3 falls back too.
     *   THE → CAT, DOG, MAT, each continuation 1 (Σ 3): γ(THE) = (3·1/2)/3 = 1/2;
     *     P(CAT|THE) = (1 − 1/2)/3 + (1/2)·109/972 = 433/1944.
     *   <s> THE → CAT 3, DOG 1 (Σ 4): γ(<s> THE) = (3/2 + 1/2)/4 = 1/2;
     *     P(CAT|<s> THE) = (3 − 3/2)/4 + (1/2)·433/1944 = 1891/3888.
     *   Unlisted <s> THE MAT: γ(<s> THE)·P(MAT|THE) = (1/2)·((1 − 1/2)/3 + (1/2)·109/972) = (1/2)·433/1944.
     */
    @Test
    void trigramModelMatchesHandComputationWithFallbackDiscounts() {
        KneserNeyBuilder.Result r = KneserNeyBuilder.build(CORPUS, 3);
        ArpaModel lm = r.model();
        assertFalse(r.discounts().get(0).fallback());
        assertEquals(KneserNeyBuilder.FALLBACK, r.discounts().get(1));
        assertEquals(KneserNeyBuilder.FALLBACK, r.discounts().get(2));
        assertEquals(log10(109, 972), prob(lm, "CAT"), 1e-6);
        assertEquals(log10(433, 1944), prob(lm, "THE", "CAT"), 1e-6);
        assertEquals(log10(1891, 3888), prob(lm, "<s>", "THE", "CAT"), 1e-6);
        assertEquals(log10(1, 2), backoff(lm, "THE"), 1e-6);
        assertEquals(log10(1, 2), backoff(lm, "<s>", "THE"), 1e-6);
        assertEquals(-1, lm.entry("<s>", "THE", "MAT"));
        assertEquals(log10(433, 2 * 1944), lm.log10Prob(ids(lm, "<s>", "THE"), lm.wordId("MAT")), 1e-6);
    }

    private static void assertSumsToOne(ArpaModel lm, int[] context) {
        double sum = 0;
        for (int w = 0; w < lm.vocabularySize(); w++) {
            if (w != lm.bos()) sum += Math.pow(10, lm.log10Prob(context, w));
        }
        assertEquals(1.0, sum, 1e-6, "context of " + context.length + " words");
    }

    @Test
    void distributionsSumToOne() {
        ArpaModel lm = KneserNeyBuilder.build(CORPUS, 3).model();
        for (String[] ctx : new String[][]{{}, {"<s>"}, {"<s>", "THE"}, {"THE", "CAT"}, {"CAT"}, {"SAT", "ON"},
                {"MAT", "CAT"}, {"RAN"}, {"<unk>"}, {"DOG", "DOG"}}) {
            assertSumsToOne(lm, ids(lm, ctx));
        }
    }

    @Test
    void largerRandomCorpusSumsToOneAndRoundTrips() throws IOException {
        Random rnd = new Random(7);
        List<String> sentences = new ArrayList<>();
        for (int s = 0; s < 300; s++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + rnd.nextInt(8);
            for (int i = 0; i < len; i++) sb.append(i == 0 ? "" : " ").append("W").append((int) Math.abs(rnd.nextGaussian() * 6));
            sentences.add(sb.toString());
        }
        KneserNeyBuilder.Result r = KneserNeyBuilder.build(sentences, 4);
        ArpaModel lm = r.model();
        // Orders 2-4 have the count-of-counts Chen-Goodman needs; 20-odd unigram types do not (fallback there).
        for (int k = 2; k <= 4; k++) assertFalse(r.discounts().get(k - 1).fallback(), "order " + k);
        for (int trial = 0; trial < 40; trial++) {
            int[] ctx = new int[rnd.nextInt(4)];
            for (int i = 0; i < ctx.length; i++) ctx[i] = 2 + rnd.nextInt(lm.vocabularySize() - 2);  // not <unk> or <s>
            if (ctx.length > 0 && rnd.nextBoolean()) ctx[0] = lm.bos();
            assertSumsToOne(lm, ctx);
        }
        // Round trip through a file: identical text, identical probabilities and back-offs.
        Path arpa = dir.resolve("lm.arpa");
        lm.write(arpa);
        ArpaModel back = ArpaModel.read(arpa);
        assertEquals(Files.readString(arpa), back.toArpaString());
        for (int k = 1; k <= 4; k++) {
            assertEquals(lm.count(k), back.count(k));
            for (int e = lm.firstEntry(k); e < lm.firstEntry(k) + lm.count(k); e++) {
                int[] ws = lm.entryWords(e);
                String[] words = new String[ws.length];
                for (int i = 0; i < ws.length; i++) words[i] = lm.word(ws[i]);
                int f = back.entry(words);
                assertEquals(lm.entryLog10Prob(e), back.entryLog10Prob(f));
                assertEquals(lm.entryLog10Backoff(e), back.entryLog10Backoff(f));
            }
        }
    }

    @Test
    void readsTextFilesAndReportsBadLines() throws IOException {
        Path text = dir.resolve("train.wrd");
        Files.writeString(text, "THE CAT SAT\n\n  THE CAT SAT ON THE MAT  \nTHE DOG SAT\nTHE CAT RAN\n");
        KneserNeyBuilder.Result fromFile = KneserNeyBuilder.build(text, 2);
        assertEquals(KneserNeyBuilder.build(CORPUS, 2).model().toArpaString(), fromFile.model().toArpaString());

        Files.writeString(text, "A B\nA </s> B\n");
        W2vException e = assertThrows(W2vException.class, () -> KneserNeyBuilder.build(text, 2));
        assertEquals(text + ": line 2: the text contains </s> (sentence boundaries are added; remove it)", e.getMessage());

        Files.writeString(text, "\n \n");
        e = assertThrows(W2vException.class, () -> KneserNeyBuilder.build(text, 2));
        assertTrue(e.getMessage().startsWith(text.toString()), e.getMessage());
        assertThrows(W2vException.class, () -> KneserNeyBuilder.build(CORPUS, 0));
    }

    @Test
    void orderHigherThanTheDataLeavesEmptySections() {
        ArpaModel lm = KneserNeyBuilder.build(List.of("A", "A B"), 5).model();
        assertEquals(0, lm.count(5));   // the longest padded sentence has 4 tokens
        assertSumsToOne(lm, ids(lm, "<s>", "A", "B"));
        assertSumsToOne(lm, ids(lm, "<s>", "A"));
    }
}
