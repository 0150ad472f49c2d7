package w2v4j.train.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NegativeSamplerTest {

    /** Utterance 0 masks 6 steps, utterance 1 masks 4. */
    static MaskedBatch batch() {
        boolean[] mask = new boolean[2 * 10];
        for (int t : new int[] {0, 1, 2, 5, 6, 9}) mask[t] = true;
        for (int t : new int[] {3, 4, 7, 8}) mask[10 + t] = true;
        return MaskedBatch.fromMask(2, 10, mask);
    }

    @Test
    void neverThePositiveAlwaysTheSameUtterance() {
        MaskedBatch m = batch();
        int k = 100;
        int[] neg = NegativeSampler.sample(m, k, 0, new SplittableRandom(1));
        assertEquals(m.numMasked() * k, neg.length);
        for (int i = 0; i < m.numMasked(); i++) {
            for (int j = 0; j < k; j++) {
                int t = neg[i * k + j];
                assertNotEquals(i, t);
                assertEquals(m.utteranceOfRow()[i], m.utteranceOfRow()[t]);
            }
        }
    }

    /**
     * Uniform over the n_b − 1 other steps: 5000 draws per positive give ~1000 (utt. 0, 5 others)
     * or ~1667 (utt. 1, 3 others) per candidate, σ ≈ 28-33; every count must be within 6% (2-3σ;
     * the seed is fixed), and the chi-square summed over all positives (32 degrees of freedom) must
     * stay below 70 (p < 1e-4 for a uniform sampler).
     */
    @Test
    void uniformOverTheOtherMaskedSteps() {
        MaskedBatch m = batch();
        int k = 5000, n = m.numMasked();
        int[] neg = NegativeSampler.sample(m, k, 0, new SplittableRandom(2));
        int[] off = m.offsets();
        double chi2 = 0;
        int dof = 0;
        for (int i = 0; i < n; i++) {
            int[] counts = new int[n];
            for (int j = 0; j < k; j++) counts[neg[i * k + j]]++;
            int b = m.utteranceOfRow()[i];
            int others = off[b + 1] - off[b] - 1;
            double expect = (double) k / others;
            for (int t = off[b]; t < off[b + 1]; t++) {
                if (t == i) continue;
                assertEquals(expect, counts[t], 0.06 * expect, "positive " + i + " candidate " + t);
                chi2 += (counts[t] - expect) * (counts[t] - expect) / expect;
            }
            dof += others - 1;
        }
        assertEquals(32, dof); // 6·(5−1) + 4·(3−1)
        assertTrue(chi2 < 70, "chi-square " + chi2 + " with " + dof + " dof");
    }

    @Test
    void crossSampleNegativesComeAfterTheKAndSpanTheBatch() {
        MaskedBatch m = batch();
        int k = 4, cross = 50, per = k + cross, n = m.numMasked();
        int[] neg = NegativeSampler.sample(m, k, cross, new SplittableRandom(3));
        assertEquals(n * per, neg.length);
        int otherUtterance = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) assertEquals(m.utteranceOfRow()[i], m.utteranceOfRow()[neg[i * per + j]]);
            for (int j = k; j < per; j++) {
                int t = neg[i * per + j];
                assertTrue(t >= 0 && t < n);
                assertNotEquals(i, t);
                if (m.utteranceOfRow()[t] != m.utteranceOfRow()[i]) otherUtterance++;
            }
        }
        assertTrue(otherUtterance > n * cross / 4, "cross-sample negatives reach other utterances");
    }

    @Test
    void needsTwoMaskedStepsPerUtterance() {
        boolean[] mask = new boolean[2 * 4];
        mask[0] = true;
        mask[1] = true;
        mask[5] = true;
        MaskedBatch m = MaskedBatch.fromMask(2, 4, mask);
        assertThrows(IllegalArgumentException.class, () -> NegativeSampler.sample(m, 3, 0, new SplittableRandom(4)));
        // cross-sample-only sampling has the whole batch to draw from
        assertEquals(3 * 2, NegativeSampler.sample(m, 0, 2, new SplittableRandom(4)).length);
    }
}
