package w2v4j.train.ctc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** CtcLoss against first principles: path enumeration, finite differences, and the edge cases. */
class CtcLossTest {

    static double[] randomLogits(long seed, int frames, int vocab) {
        Random rnd = new Random(seed);
        double[] x = new double[frames * vocab];
        for (int i = 0; i < x.length; i++) x[i] = 2 * rnd.nextGaussian();
        return x;
    }

    /** −log Σ over all V^T frame paths whose collapse (merge repeats, drop blanks) is the target. */
    static double bruteForce(double[] logits, int frames, int vocab, int[] target, int blank) {
        double[] logp = CtcLoss.logSoftmax(logits, frames, vocab);
        int[] path = new int[frames];
        double p = 0;
        for (long code = 0; code < Math.round(Math.pow(vocab, frames)); code++) {
            long c = code;
            for (int t = 0; t < frames; t++) {
                path[t] = (int) (c % vocab);
                c /= vocab;
            }
            List<Integer> collapsed = new ArrayList<>();
            for (int t = 0; t < frames; t++) {
                if (path[t] != blank && (t == 0 || path[t] != path[t - 1])) collapsed.add(path[t]);
            }
            if (!collapsed.equals(Arrays.stream(target).boxed().toList())) continue;
            double lp = 0;
            for (int t = 0; t < frames; t++) lp += logp[t * vocab + path[t]];
            p += Math.exp(lp);
        }
        return -Math.log(p);
    }

    /**
     * The recursion sums exactly the alignments of the definition. 4^6 = 4096 paths per case;
     * agreement to 1e-12 relative (both are double sums of the same ~100 terms).
     */
    @Test
    void equalsSumOverAllPaths() {
        int frames = 6, vocab = 4, blank = 0;
        int[][] targets = {{1}, {1, 1}, {1, 2, 1}, {2, 2, 2}, {3, 1, 3, 2}, {}};
        for (int k = 0; k < targets.length; k++) {
            double[] x = randomLogits(k, frames, vocab);
            double ref = bruteForce(x, frames, vocab, targets[k], blank);
            double got = CtcLoss.nll(x, frames, vocab, targets[k], blank, null);
            assertEquals(ref, got, 1e-12 * Math.abs(ref), "target " + Arrays.toString(targets[k]));
        }
        // a blank that is not row 0
        double[] x = randomLogits(99, frames, vocab);
        assertEquals(bruteForce(x, frames, vocab, new int[] {0, 0, 1}, 3), CtcLoss.nll(x, frames, vocab, new int[] {0, 0, 1}, 3, null), 1e-11);
    }

    /**
     * Central differences in double, step h = 1e-5: truncation error ~h²·|f'''|/6 ≈ 1e-10, rounding
     * ~1e-16·|f|/h ≈ 1e-10, so 1e-8 absolute is a safe bound while any wrong term would be O(0.1).
     */
    @Test
    void gradientMatchesFiniteDifferences() {
        int frames = 5, vocab = 4, blank = 0;
        int[][] targets = {{1, 1}, {2, 3, 1}, {3}};
        double h = 1e-5;
        for (int k = 0; k < targets.length; k++) {
            double[] x = randomLogits(10 + k, frames, vocab);
            double[] grad = new double[x.length];
            CtcLoss.nll(x, frames, vocab, targets[k], blank, grad);
            for (int i = 0; i < x.length; i++) {
                double keep = x[i];
                x[i] = keep + h;
                double up = CtcLoss.nll(x, frames, vocab, targets[k], blank, null);
                x[i] = keep - h;
                double down = CtcLoss.nll(x, frames, vocab, targets[k], blank, null);
                x[i] = keep;
                assertEquals((up - down) / (2 * h), grad[i], 1e-8, "target " + k + " entry " + i);
            }
            // softmax and occupancy each sum to 1 per frame, so each row of the gradient sums to 0
            for (int t = 0; t < frames; t++) {
                double row = 0;
                for (int v = 0; v < vocab; v++) row += grad[t * vocab + v];
                assertEquals(0, row, 1e-12);
            }
        }
    }

    @Test
    void repeatsNeedABlankBetweenThem() {
        assertEquals(1, CtcLoss.requiredFrames(new int[] {5}));
        assertEquals(3, CtcLoss.requiredFrames(new int[] {5, 5}));
        assertEquals(4, CtcLoss.requiredFrames(new int[] {5, 6, 6}));
        assertEquals(0, CtcLoss.requiredFrames(new int[0]));
        // "1 1" in two frames: L = T, but the only alignments would collapse to "1"
        double[] x = randomLogits(3, 2, 3);
        assertEquals(Double.POSITIVE_INFINITY, CtcLoss.nll(x, 2, 3, new int[] {1, 1}, 0, null));
        assertTrue(Double.isFinite(CtcLoss.nll(x, 2, 3, new int[] {1, 2}, 0, null)));
        // exactly tight: "1 1" in three frames has one path, 1 _ 1
        double[] y = randomLogits(4, 3, 3);
        double[] lp = CtcLoss.logSoftmax(y, 3, 3);
        assertEquals(-(lp[1] + lp[3] + lp[7]), CtcLoss.nll(y, 3, 3, new int[] {1, 1}, 0, null), 1e-12);
    }

    @Test
    void zeroInfinityZeroesLossAndGradientOfImpossibleUtterances() {
        int tMax = 4, vocab = 3;
        float[] logits = new float[2 * tMax * vocab];
        Random rnd = new Random(7);
        for (int i = 0; i < logits.length; i++) logits[i] = (float) rnd.nextGaussian();
        int[] frames = {4, 2};
        int[][] targets = {{1, 2}, {1, 2, 1}};
        float[] grad = new float[logits.length];
        CtcLoss.Result r = CtcLoss.compute(logits, frames, tMax, vocab, targets, 0, CtcLoss.Reduction.MEAN, true, grad);
        assertEquals(1, r.impossible());
        assertEquals(0, r.losses()[1]);
        assertEquals(r.losses()[0] / 2 / 2, r.loss(), 1e-15, "torch's mean: loss / target length, averaged over both utterances");
        for (int i = tMax * vocab; i < grad.length; i++) assertEquals(0f, grad[i]);

        float[] nanGrad = new float[logits.length];
        CtcLoss.Result inf = CtcLoss.compute(logits, frames, tMax, vocab, targets, 0, CtcLoss.Reduction.SUM, false, nanGrad);
        assertEquals(Double.POSITIVE_INFINITY, inf.loss());
        for (int i = tMax * vocab; i < grad.length; i++) assertEquals(i < (tMax + frames[1]) * vocab, Float.isNaN(nanGrad[i]), "entry " + i);
    }

    @Test
    void longUtterancesDoNotUnderflow() {
        // 2000 frames: p is far below Double.MIN_VALUE, so only a log-space recursion gets a finite loss
        int frames = 2000, vocab = 6;
        double[] x = randomLogits(5, frames, vocab);
        int[] target = new int[400];
        for (int i = 0; i < target.length; i++) target[i] = 1 + i % 5;
        double[] grad = new double[x.length];
        double nll = CtcLoss.nll(x, frames, vocab, target, 0, grad);
        assertTrue(Double.isFinite(nll) && nll > 745, "nll " + nll);
        for (double g : grad) assertTrue(Double.isFinite(g) && Math.abs(g) <= 1 + 1e-9);
    }

    @Test
    void rejectsBadArguments() {
        float[] logits = new float[2 * 3];
        assertThrows(IllegalArgumentException.class, () -> CtcLoss.compute(logits, new int[] {2}, 2, 3, new int[][] {{0}}, 0, CtcLoss.Reduction.SUM, true, null));
        assertThrows(IllegalArgumentException.class, () -> CtcLoss.compute(logits, new int[] {3}, 2, 3, new int[][] {{1}}, 0, CtcLoss.Reduction.SUM, true, null));
        assertThrows(IllegalArgumentException.class, () -> CtcLoss.compute(logits, new int[] {2}, 2, 4, new int[][] {{1}}, 0, CtcLoss.Reduction.SUM, true, null));
    }
}
