package w2v4j.train.ctc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrorRateTest {

    static void assertCounts(ErrorRate.Counts c, long s, long d, long i, long n) {
        assertEquals(new ErrorRate.Counts(s, d, i, n), c);
    }

    @Test
    void identicalTextsHaveNoErrors() {
        ErrorRate.Alignment a = ErrorRate.alignWords("THE CAT SAT", "THE CAT SAT");
        assertCounts(a.counts(), 0, 0, 0, 3);
        assertEquals(0, a.counts().percent());
    }

    @Test
    void pureSubstitution() {
        ErrorRate.Alignment a = ErrorRate.alignWords("THE CAT SAT", "THE BAT SAT");
        assertCounts(a.counts(), 1, 0, 0, 3);
        assertEquals(100.0 / 3, a.counts().percent(), 1e-12);
    }

    @Test
    void insertionAndDeletion() {
        assertCounts(ErrorRate.alignWords("THE CAT", "THE BIG CAT").counts(), 0, 0, 1, 2);
        assertCounts(ErrorRate.alignWords("THE BIG CAT", "THE CAT").counts(), 0, 1, 0, 3);
        // more errors than reference words: WER above 100 %
        ErrorRate.Counts c = ErrorRate.alignWords("A", "B C D").counts();
        assertCounts(c, 1, 0, 2, 1);
        assertEquals(300, c.percent(), 1e-12);
    }

    @Test
    void emptyHypothesisDeletesEverything() {
        ErrorRate.Counts c = ErrorRate.alignWords("THE CAT SAT", "").counts();
        assertCounts(c, 0, 3, 0, 3);
        assertEquals(100, c.percent(), 1e-12);
    }

    @Test
    void emptyReference() {
        ErrorRate.Counts c = ErrorRate.alignWords("", "HELLO THERE").counts();
        assertCounts(c, 0, 0, 2, 0);
        assertEquals(Double.POSITIVE_INFINITY, c.percent());
        assertCounts(ErrorRate.alignWords("  ", "").counts(), 0, 0, 0, 0);
        assertEquals(0, ErrorRate.alignWords("", "").counts().percent());
        // within a corpus, an empty reference just adds its insertions
        ErrorRate.Accumulator acc = new ErrorRate.Accumulator();
        acc.add("A B", "A B");
        acc.add("", "C");
        assertEquals(50, acc.wer(), 1e-12);
    }

    @Test
    void charactersIncludeSingleSpacesBetweenWords() {
        // A B | C D vs A B | C E: one substitution in five characters
        assertCounts(ErrorRate.alignChars("AB CD", "AB CE").counts(), 1, 0, 0, 5);
        // a lost word break is one deletion
        assertCounts(ErrorRate.alignChars("AB CD", "ABCD").counts(), 0, 1, 0, 5);
        // whitespace layout is not an error
        assertCounts(ErrorRate.alignChars("  AB   CD ", "AB CD").counts(), 0, 0, 0, 5);
        assertCounts(ErrorRate.alignChars("KITTEN", "SITTING").counts(), 2, 0, 1, 6);
    }

    @Test
    void corpusRatesSumCountsRatherThanAveragingUtterances() {
        ErrorRate.Accumulator acc = new ErrorRate.Accumulator();
        acc.add("A B C D", "A B C D");
        acc.add("X", "Y");
        assertEquals(2, acc.utterances());
        assertCounts(acc.words(), 1, 0, 0, 5);
        assertEquals(20, acc.wer(), 1e-12, "1 error in 5 words, not the mean of 0 % and 100 %");
        assertCounts(acc.chars(), 1, 0, 0, 8);
        assertEquals(12.5, acc.cer(), 1e-12);
    }

    @Test
    void prettyPrintsAnSclitesStyleAlignment() {
        ErrorRate.Alignment a = ErrorRate.alignWords("THE CAT SAT ON THE MAT", "THE BAT SAT THE MAT TOO");
        assertCounts(a.counts(), 1, 1, 1, 6);
        assertEquals("""
                REF: THE CAT SAT ON THE MAT ***
                HYP: THE BAT SAT ** THE MAT TOO
                         S       D          I""", a.pretty());
    }
}
