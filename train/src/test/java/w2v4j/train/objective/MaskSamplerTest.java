package w2v4j.train.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaskSamplerTest {

    /**
     * BASE (p=0.65, M=10) starts 0.065·T spans; a step is missed by all of them with probability
     * ≈ (1 − 0.065)^10 ≈ 0.51, so ≈ 49% of a long utterance is masked. 8×5000 steps put the
     * sampling error of the mean near 0.003; ±0.01 is a 3σ band at worst.
     */
    @Test
    void maskedFractionMatchesTheBaseSetting() {
        int b = 8, t = 5000;
        int[] valid = new int[b];
        Arrays.fill(valid, t);
        MaskedBatch m = MaskSampler.sample(valid, t, 0.65, 10, 2, false, new SplittableRandom(1));
        double frac = (double) m.numMasked() / (b * t);
        assertEquals(1 - Math.pow(1 - 0.065, 10), frac, 0.01, "masked fraction " + frac);
        assertEquals(0.49, frac, 0.01);
    }

    /** With span length 1 spans cannot overlap, so the masked count is exactly the span count. */
    @Test
    void minMasksIsAFloorOnTheSpanCount() {
        MaskedBatch m = MaskSampler.sample(new int[] {40, 40, 17}, 40, 0.0, 1, 2, false, new SplittableRandom(2));
        for (int b = 0; b < 3; b++) assertEquals(2, m.countOf(b));
        m = MaskSampler.sample(new int[] {40}, 40, 0.0, 1, 0, false, new SplittableRandom(2));
        assertEquals(0, m.numMasked());
    }

    /** fairseq draws starts from [0, sz − M): the last step can only be masked by a widened range. */
    @Test
    void spanStartsStayBelowLengthMinusSpan() {
        SplittableRandom rng = new SplittableRandom(3);
        int t = 100;
        int lastMasked = 0;
        for (int rep = 0; rep < 2000; rep++) {
            MaskedBatch m = MaskSampler.sample(new int[] {t}, t, 0.65, 10, 2, false, rng);
            for (int row : m.maskedRows()) lastMasked = Math.max(lastMasked, row);
        }
        assertEquals(t - 2, lastMasked, "spans start at most at sz-M-1, so cover at most up to sz-2");
    }

    @Test
    void requireSameMasksGivesEqualCountsAndRespectsPadding() {
        int t = 60;
        int[] valid = {60, 41, 23, 9};
        SplittableRandom rng = new SplittableRandom(4);
        for (int rep = 0; rep < 200; rep++) {
            MaskedBatch m = MaskSampler.sample(valid, t, 0.65, 10, 2, true, rng);
            int c0 = m.countOf(0);
            assertTrue(c0 > 0);
            for (int b = 0; b < valid.length; b++) assertEquals(c0, m.countOf(b), "row " + b);
            for (int i = 0; i < m.numMasked(); i++) {
                int b = m.utteranceOfRow()[i], tt = m.maskedRows()[i] - b * t;
                assertTrue(tt < valid[b], "masked step " + tt + " past valid length " + valid[b]);
                if (i > 0 && m.utteranceOfRow()[i - 1] == b) assertTrue(m.maskedRows()[i] > m.maskedRows()[i - 1], "time order");
            }
            int marked = 0;
            for (boolean x : m.mask()) if (x) marked++;
            assertEquals(m.numMasked(), marked);
        }
        MaskedBatch free = MaskSampler.sample(valid, t, 0.65, 10, 2, false, new SplittableRandom(5));
        assertTrue(free.countOf(0) > free.countOf(3), "without requireSameMasks longer rows mask more");
    }

    @Test
    void sameSeedSameMask() {
        int[] valid = {300, 250};
        MaskedBatch a = MaskSampler.sample(valid, 300, 0.65, 10, 2, true, new SplittableRandom(6));
        MaskedBatch b = MaskSampler.sample(valid, 300, 0.65, 10, 2, true, new SplittableRandom(6));
        MaskedBatch c = MaskSampler.sample(valid, 300, 0.65, 10, 2, true, new SplittableRandom(7));
        assertArrayEquals(a.mask(), b.mask());
        assertArrayEquals(a.maskedRows(), b.maskedRows());
        assertFalse(Arrays.equals(a.mask(), c.mask()));
    }

    /** Channel masks: min 0 spans, equal counts per utterance, and the same channels at every frame. */
    @Test
    void channelMasks() {
        SplittableRandom rng = new SplittableRandom(8);
        int b = 3, t = 5, ch = 768;
        boolean[] cm = MaskSampler.sampleChannels(b, ch, 0.5, 64, rng);
        int[] counts = new int[b];
        for (int i = 0; i < b; i++) for (int c = 0; c < ch; c++) if (cm[i * ch + c]) counts[i]++;
        assertTrue(counts[0] > 0);
        for (int i = 1; i < b; i++) assertEquals(counts[0], counts[i]);
        float[] x = new float[b * t * ch];
        Arrays.fill(x, 1f);
        MaskSampler.applyChannelMask(x, b, t, ch, cm);
        for (int i = 0; i < b; i++)
            for (int tt = 0; tt < t; tt++)
                for (int c = 0; c < ch; c++) assertEquals(cm[i * ch + c] ? 0f : 1f, x[(i * t + tt) * ch + c]);
        boolean[] none = MaskSampler.sampleChannels(b, ch, 0.0, 64, rng);
        for (boolean v : none) assertFalse(v);
    }

    @Test
    void timeMaskForwardAndBackward() {
        boolean[] mask = {false, true, true, false};
        MaskedBatch m = MaskedBatch.fromMask(2, 2, mask);
        assertArrayEquals(new int[] {1, 2}, m.maskedRows());
        assertArrayEquals(new int[] {0, 1}, m.utteranceOfRow());
        assertArrayEquals(new int[] {0, 1, 2}, m.offsets());
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8};
        MaskSampler.applyTimeMask(x, 2, m, new float[] {-1, -2});
        assertArrayEquals(new float[] {1, 2, -1, -2, -1, -2, 7, 8}, x);
        float[] dx = {1, 1, 2, 3, 4, 5, 1, 1};
        float[] dEmb = {10, 10};
        MaskSampler.applyTimeMaskBackward(dx, 2, m, dEmb);
        assertArrayEquals(new float[] {16, 18}, dEmb);
        assertArrayEquals(new float[] {1, 1, 0, 0, 0, 0, 1, 1}, dx);
    }
}
