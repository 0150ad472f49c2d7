package w2v4j.train.ctc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class GreedyDecoderTest {

    // <s>=0 (blank) <pad>=1 </s>=2 <unk>=3 |=4 A=5 B=6 C=7
    static final Vocabulary V = new Vocabulary(List.of("<s>", "<pad>", "</s>", "<unk>", "|", "A", "B", "C"), 0, "|");

    /** Logits whose argmax per frame is {@code best[t]} (a margin of 1 over a random-ish background). */
    static float[] oneHot(int... best) {
        float[] x = new float[best.length * V.size()];
        for (int t = 0; t < best.length; t++) {
            for (int k = 0; k < V.size(); k++) x[t * V.size() + k] = -0.1f * ((t * 7 + k * 3) % 5);
            x[t * V.size() + best[t]] = 1;
        }
        return x;
    }

    static GreedyDecoder.Hypothesis decode(int... best) {
        return GreedyDecoder.decode(oneHot(best), 0, best.length, V);
    }

    @Test
    void mergesRepeatsThenDropsBlanks() {
        // A A _ A B B | | C _  →  A A B | C
        GreedyDecoder.Hypothesis h = decode(5, 5, 0, 5, 6, 6, 4, 4, 7, 0);
        assertArrayEquals(new int[] {5, 5, 6, 4, 7}, h.tokens());
        assertArrayEquals(new int[] {0, 3, 4, 6, 8}, h.frames(), "each token's first frame");
        assertEquals("AAB C", h.text());
    }

    @Test
    void repeatsWithoutBlankAreOneSymbol() {
        GreedyDecoder.Hypothesis h = decode(0, 6, 6, 6, 0, 0);
        assertArrayEquals(new int[] {6}, h.tokens());
        assertArrayEquals(new int[] {1}, h.frames());
        assertEquals("B", h.text());
    }

    @Test
    void allBlankIsEmpty() {
        GreedyDecoder.Hypothesis h = decode(0, 0, 0, 0);
        assertEquals(0, h.tokens().length);
        assertEquals("", h.text());
        assertEquals("", GreedyDecoder.decode(new float[0], 0, 0, V).text());
    }

    @Test
    void leadingAndDoubledDelimitersCollapse() {
        assertEquals("A B", decode(4, 0, 5, 4, 0, 4, 6, 4).text());
    }

    @Test
    void tiesGoToTheLowestRow() {
        float[] x = new float[V.size()];
        x[5] = 2;
        x[6] = 2;
        assertArrayEquals(new int[] {5}, GreedyDecoder.argmax(x, 0, 1, V.size()));
    }

    @Test
    void batchUsesOnlyEachUtterancesFrames() {
        int tMax = 4, v = V.size();
        float[] a = oneHot(5, 0, 6, 6), b = oneHot(7, 7, 6, 6);
        float[] batch = new float[2 * tMax * v];
        System.arraycopy(a, 0, batch, 0, a.length);
        System.arraycopy(b, 0, batch, tMax * v, b.length);
        GreedyDecoder.Hypothesis[] h = GreedyDecoder.decodeBatch(batch, new int[] {4, 2}, tMax, V);
        assertEquals("AB", h[0].text());
        assertEquals("C", h[1].text(), "frames 2 and 3 of the second utterance are padding");
    }
}
