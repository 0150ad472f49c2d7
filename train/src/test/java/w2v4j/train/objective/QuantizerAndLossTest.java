package w2v4j.train.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Small properties of the pieces, independent of the reference fixtures. */
class QuantizerAndLossTest {

    @Test
    void perplexityRangesFromGroupsToCodebookSize() {
        int g = 2, v = 4;
        double[] uniform = new double[g * v];
        java.util.Arrays.fill(uniform, 0.25);
        assertEquals(g * v, GumbelQuantizer.perplexity(uniform, g, v), 1e-5); // 1e-7 guard inside the log
        double[] collapsed = {1, 0, 0, 0, 0, 0, 1, 0};
        assertEquals(g, GumbelQuantizer.perplexity(collapsed, g, v), 1e-5);
        assertEquals(0.0, DiversityLoss.forward(g * v, g * v));
        assertEquals(0.75, DiversityLoss.forward(g, g * v));
    }

    /** Eval: argmax of the logits per group, q = the chosen codebook rows, no soft path. */
    @Test
    void evalPicksCodebookRows() {
        int g = 2, v = 3, d = 2;
        double[] logits = {0.1, 2.0, -1.0, /* group 1 */ 3.0, 0.0, 0.5};
        float[] cv = {0, 1, 2, 3, 4, 5, /* group 1 */ 6, 7, 8, 9, 10, 11};
        GumbelQuantizer.Forward f = GumbelQuantizer.forward(logits, 1, g, v, cv, d, null, 1.0);
        assertArrayEquals(new int[] {1, 0}, f.codes());
        assertArrayEquals(new double[] {2, 3, 6, 7}, f.q());
        assertNull(f.soft());
        assertEquals(2.0, f.codePerplexity(), 1e-5); // one row: one code per group
    }

    /** Training: the noise decides the code; the value is still exactly a codebook row. */
    @Test
    void noiseChangesTheChoiceNotTheCodebook() {
        double[] logits = {0.1, 2.0, -1.0};
        float[] cv = {0, 1, 2, 3, 4, 5};
        float[] noise = {0f, 0f, 10f};
        GumbelQuantizer.Forward f = GumbelQuantizer.forward(logits, 1, 1, 3, cv, 2, noise, 2.0);
        assertArrayEquals(new int[] {2}, f.codes());
        assertArrayEquals(new double[] {4, 5}, f.q());
        // code perplexity stays on the noise-free argmax, as fairseq logs it
        assertEquals(1.0, f.codePerplexity(), 1e-5);
    }

    /** Gumbel(0,1) has mean γ ≈ 0.5772 and variance π²/6. */
    @Test
    void gumbelNoiseMoments() {
        float[] g = GumbelQuantizer.sampleNoise(1000, 100, new SplittableRandom(1));
        double mean = 0, sq = 0;
        for (float x : g) mean += x;
        mean /= g.length;
        for (float x : g) sq += (x - mean) * (x - mean);
        assertEquals(0.5772156649, mean, 0.01);
        assertEquals(Math.PI * Math.PI / 6, sq / g.length, 0.03);
    }

    /**
     * A zero context vector makes every cosine 0: all logits tie, the loss is log(1+K), and fairseq
     * does not count the row as correct (argmax and argmin are both 0).
     */
    @Test
    void allEqualLogitsAreNotCorrect() {
        int n = 3, dim = 2, k = 2;
        double[] c = {0, 0, 1, 0, 1, 0};
        double[] y = {1, 0, 2, 0, 0, 1};
        int[] neg = {1, 2, 2, 0, 0, 1};
        ContrastiveLoss.Forward f = ContrastiveLoss.forward(c, y, n, dim, neg, k, 0.1);
        // row 0: all logits 0 -> CE = log 3, not correct
        // row 1: c=(1,0): pos y1=(2,0) cos 1, negs y2 cos 0, y0 cos 1 -> argmax first max = 0, correct
        // row 2: c=(1,0): pos y2=(0,1) cos 0, negs cos 1 -> wrong
        assertEquals(1, f.correct());
        double row0 = Math.log(3);
        double row1 = Math.log(Math.exp(10) + 1 + Math.exp(10)) - 10;
        double row2 = Math.log(1 + 2 * Math.exp(10));
        assertEquals(row0 + row1 + row2, f.lossSum(), 1e-12);
        assertEquals(0, f.negIsPos());
    }

    @Test
    void distractorEqualToThePositiveIsMinusInfinity() {
        double[] c = {1, 0, 0, 1};
        double[] y = {0.5, 0.5, 0.5, 0.5};
        int[] neg = {1, 0};
        ContrastiveLoss.Forward f = ContrastiveLoss.forward(c, y, 2, 2, neg, 1, 0.1);
        assertEquals(2, f.negIsPos());
        assertEquals(Double.NEGATIVE_INFINITY, f.logits()[1]);
        assertEquals(0.0, f.lossSum(), 1e-12); // only the positive is left: CE = 0
        assertEquals(2, f.correct());
        double[] dc = new double[4], dy = new double[4];
        ContrastiveLoss.backward(f, c, y, 2, neg, 0.1, 1.0, dc, dy);
        assertArrayEquals(new double[4], dc, 1e-15);
    }

    @Test
    void featurePenalty() {
        float[] raw = {1, -2, 3, 99};
        assertEquals((1 + 4 + 9) / 3.0, FeaturePenalty.forward(raw, 3), 1e-12);
        float[] d = {1, 1, 1, 1};
        FeaturePenalty.backward(raw, 3, 10.0, d);
        assertArrayEquals(new float[] {1 + 20f / 3, 1 - 40f / 3, 1 + 20f, 1}, d, 1e-5f);
    }
}
