package w2v4j.train.lm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import w2v4j.core.W2vException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArpaModelTest {
    // Spaces and tabs mixed, a header before \data\, "-99" and "-1.50" as numbers, a missing back-off.
    static final String SMALL = """
            # made by hand
            \\data\\
            ngram 1=5
            ngram 2=3

            \\1-grams:
            -1.0\t<unk>
            -99\t<s>\t-0.5
            -0.7\t</s>
            -0.6 A -0.3
            -0.8\tB\t-0.2

            \\2-grams:
            -0.1\t<s> A
            -0.4\tA B
            -1.50\tB </s>

            \\end\\
            """;

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void scoresListedAndBackedOffNgrams() throws IOException {
        ArpaModel lm = ArpaModel.read(write("small.arpa", SMALL));
        assertEquals(2, lm.order());
        assertEquals(5, lm.vocabularySize());
        assertEquals(3, lm.count(2));
        int a = lm.wordId("A"), b = lm.wordId("B"), eos = lm.eos(), bos = lm.bos();
        assertEquals(-0.4, lm.log10Prob(new int[]{a}, b), 1e-6);                  // listed
        assertEquals(-0.2 - 0.6, lm.log10Prob(new int[]{b}, a), 1e-6);            // bo(B) + P(A)
        assertEquals(-0.3 - 0.7, lm.log10Prob(new int[]{a}, eos), 1e-6);          // bo(A) + P(</s>)
        assertEquals(-0.5 - 0.8, lm.log10Prob(new int[]{bos}, b), 1e-6);          // bo(<s>) + P(B)
        assertEquals(-0.3 - 1.0, lm.log10Prob(new int[]{a}, lm.wordId("ZEBRA")), 1e-6);  // unknown → <unk>
        assertEquals(lm.unk(), lm.wordId("ZEBRA"));
        assertEquals(-0.6, lm.log10Prob(new int[]{}, a), 1e-6);
        // Only the last order−1 words matter.
        assertEquals(-0.4, lm.log10Prob(new int[]{b, b, a}, b), 1e-6);
    }

    @Test
    void statesCarryTheHistory() throws IOException {
        ArpaModel lm = ArpaModel.read(write("small.arpa", SMALL));
        int a = lm.wordId("A"), b = lm.wordId("B");
        int s = lm.startState();
        long r = lm.score(s, a);
        assertEquals(-0.1f, ArpaModel.scoreLog10(r), 1e-6);
        s = ArpaModel.scoreState(r);
        r = lm.score(s, b);
        assertEquals(-0.4f, ArpaModel.scoreLog10(r), 1e-6);
        s = ArpaModel.scoreState(r);
        // "A B" is top order, so the state keeps only "B" — the same state as "B" alone.
        assertEquals(lm.state(new int[]{b}), s);
        assertEquals(-1.5f, ArpaModel.scoreLog10(lm.score(s, lm.eos())), 1e-6);
        // An unknown word forgets the history.
        assertEquals(ArpaModel.NULL_STATE, ArpaModel.scoreState(lm.score(s, -1)));
        // </s> extends nothing and has no back-off, so its state is the empty one.
        assertEquals(ArpaModel.NULL_STATE, lm.nextState(lm.state(new int[]{a}), lm.eos()));
    }

    @Test
    void roundTripNormalisesNumbersAndKeepsProbabilities() throws IOException {
        ArpaModel lm = ArpaModel.read(write("small.arpa", SMALL));
        String text = lm.toArpaString();
        String expected = """
                \\data\\
                ngram 1=5
                ngram 2=3

                \\1-grams:
                -1\t<unk>
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
        assertEquals(expected, text);
        Path out = dir.resolve("out.arpa");
        lm.write(out);
        ArpaModel back = ArpaModel.read(out);
        assertEquals(text, back.toArpaString());
        for (int e = 1; e < 1 + 5 + 3; e++) {
            assertEquals(lm.entryLog10Prob(e), back.entryLog10Prob(e));
            assertEquals(lm.entryLog10Backoff(e), back.entryLog10Backoff(e));
        }
    }

    @Test
    void formatsTheShortestExactDecimal() {
        assertEquals("-0.0001234", ArpaWriter.format(-1.234e-4f));
        assertEquals("-99", ArpaWriter.format(-99f));
        assertEquals("0", ArpaWriter.format(-0f));
        assertEquals("-0.30103", ArpaWriter.format((float) Math.log10(0.5)));
        for (float v : new float[]{-1.234e-7f, -0.1f, -12.345678f, (float) Math.log10(1.0 / 3)}) {
            assertEquals(v, Float.parseFloat(ArpaWriter.format(v)));
        }
    }

    private void assertBroken(String text, int line, String fragment) throws IOException {
        Path p = write("broken.arpa", text);
        W2vException e = assertThrows(W2vException.class, () -> ArpaModel.read(p));
        assertTrue(e.getMessage().startsWith(p + ": line " + line + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void brokenFilesNameFileAndLine() throws IOException {
        // The 2-gram header promises 4 entries, the section has 3: the error is at the line that ends it early.
        assertBroken(SMALL.replace("ngram 2=3", "ngram 2=4"), 18, "the header says 4 entries, the section has 3");
        assertBroken(SMALL.replace("ngram 2=3", "ngram 2=2"), 16, "more entries than the 2");
        assertBroken(SMALL.replace("-0.4\tA B", "-O.4\tA B"), 15, "'-O.4' is not a number");
        assertBroken(SMALL.replace("-0.8\tB\t-0.2", "-0.8\tB\tx"), 11, "'x' is not a number");
        assertBroken(SMALL.replace("-0.4\tA B", "-0.4\tA C"), 15, "word 'C' is not among the 1-grams");
        assertBroken(SMALL.replace("-0.4\tA B", "-0.4\tA B\t-0.1"), 15, "no back-off at the top order");
        assertBroken(SMALL.replace("-0.4\tA B", "-0.4\t<s> A"), 15, "duplicate 2-gram");
        assertBroken(SMALL.replace("-0.8\tB\t-0.2", "-0.8\tA"), 11, "duplicate 1-gram 'A'");
        assertBroken(SMALL.replace("\\2-grams:", "\\3-grams:"), 13, "expected '\\2-grams:'");
        assertBroken(SMALL.replace("\\end\\", ""), 18, "ends without \\end\\");
        assertBroken(SMALL.replace("ngram 2=3", "ngram 3=3"), 4, "expected 'ngram 2=COUNT'");
        assertBroken("hello\nworld\n", 2, "no \\data\\ section");
    }

    @Test
    void missingContextIsAnError() throws IOException {
        String text = """
                \\data\\
                ngram 1=3
                ngram 2=1
                ngram 3=1

                \\1-grams:
                -1\tA\t-0.1
                -1\tB\t-0.1
                -1\tC

                \\2-grams:
                -0.5\tA B

                \\3-grams:
                -0.2\tB B C

                \\end\\
                """;
        assertBroken(text, 15, "the context 'B B' of this 3-gram is not listed among the 2-grams");
    }

    @Test
    void stateChainsScoreLikeFullHistories() {
        java.util.Random rnd = new java.util.Random(3);
        java.util.List<String> text = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            StringBuilder sb = new StringBuilder("W" + rnd.nextInt(5));
            for (int j = rnd.nextInt(6); j > 0; j--) sb.append(" W").append(rnd.nextInt(12));
            text.add(sb.toString());
        }
        ArpaModel lm = KneserNeyBuilder.build(text, 4).model();
        for (int trial = 0; trial < 200; trial++) {
            int len = 1 + rnd.nextInt(10);
            int[] history = new int[len + 1];
            history[0] = lm.bos();
            int state = lm.startState();
            for (int i = 1; i <= len; i++) {
                // Mostly known words, sometimes an unknown one (-1) or </s>.
                int w = rnd.nextInt(20) == 0 ? -1 : rnd.nextInt(30) == 0 ? lm.eos() : 3 + rnd.nextInt(lm.vocabularySize() - 3);
                long r = lm.score(state, w);
                double full = lm.log10Prob(java.util.Arrays.copyOf(history, i), w);
                assertEquals(full, ArpaModel.scoreLog10(r), 1e-5);
                history[i] = w;
                state = ArpaModel.scoreState(r);
                assertEquals(lm.state(java.util.Arrays.copyOf(history, i + 1)), state);
            }
        }
    }
}
