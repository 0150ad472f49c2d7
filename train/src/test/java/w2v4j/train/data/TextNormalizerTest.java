package w2v4j.train.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextNormalizerTest {

    @Test
    void upperCasesAndStripsPunctuation() {
        assertEquals("HELLO WORLD", TextNormalizer.normalize("Hello, world!"));
        assertEquals("WHAT SAID HE", TextNormalizer.normalize("  \"What?\" said   he...\t"));
    }

    @Test
    void hyphensAndDashesSeparateWords() {
        assertEquals("WELL KNOWN FACT", TextNormalizer.normalize("well-known fact"));
        assertEquals("YES NO", TextNormalizer.normalize("yes -- no"));
        assertEquals("A B", TextNormalizer.normalize("a\u2014b"));
    }

    @Test
    void keepsApostrophesOnlyInsideWords() {
        assertEquals("DON'T IT'S O'CLOCK", TextNormalizer.normalize("Don't it\u2019s o'clock"));
        assertEquals("QUOTED WORDS", TextNormalizer.normalize("'quoted words'"));
        assertEquals("THE DOGS TOYS", TextNormalizer.normalize("the dogs' toys"));
    }

    @Test
    void transliteratesAccentsAndDropsOtherScripts() {
        assertEquals("CAFE NAIVE FACADE", TextNormalizer.normalize("café naïve façade"));
        assertEquals("STRASSE AEON OEUVRE LODZ", TextNormalizer.normalize("Straße æon œuvre Łódź"));
        assertEquals("ALPHA", TextNormalizer.normalize("alpha \u03b1\u03b2\u03b3"));
        assertEquals("", TextNormalizer.normalize("\u65e5\u672c ... !!"));
    }

    @Test
    void outputUsesOnlyTheLabelAlphabet() {
        String out = TextNormalizer.normalize("Mixed: ÀÉÎ õ ü 'x' y_z @#% \t\n end.");
        assertTrue(out.matches("[A-Z' ]*"), out);
        assertFalse(out.contains("  "));
        assertEquals(out.strip(), out);
    }

    @Test
    void detectsDigits() {
        assertTrue(TextNormalizer.containsDigit("in 1984"));
        assertTrue(TextNormalizer.containsDigit("\u0663 arabic-indic three"));
        assertFalse(TextNormalizer.containsDigit("nineteen eighty four"));
    }
}
