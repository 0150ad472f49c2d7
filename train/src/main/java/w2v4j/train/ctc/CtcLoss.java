package w2v4j.train.ctc;

import w2v4j.kernels.Parallel;

import java.util.Arrays;

/**
 * Connectionist temporal classification loss (Graves et al. 2006) with the semantics of
 * {@code torch.nn.functional.ctc_loss(log_softmax(logits), ...)}, which fairseq's ctc criterion calls.
 *
 * <p>Per utterance: the target {@code l} (length L, no blanks) is extended to {@code l'} = blank, l1,
 * blank, l2, ..., blank (S = 2L+1 states). The forward variable α_t(s) is the log-probability of all
 * paths through state s at frame t; a state may be entered from s, s−1, or s−2 when l'_s is not
 * blank and differs from l'_{s−2} (so repeated labels need a blank between them, and an utterance
 * needs at least L + #repeats frames, else its loss is +∞). β_t(s) is the same from the end; both
 * include frame t's emission, so the occupancy of s at t is α·β / (y_t(l'_s) · p). The gradient of
 * −log p with respect to the un-normalised logits is softmax − occupancy per frame.
 *
 * <p>Everything runs in double, in log space (log-sum-exp), so long utterances do not underflow.
 * Memory per utterance: α as [T, S] doubles (β is kept for two frames only) plus [T, V] log-probs.
 */
public final class CtcLoss {

    /** How per-utterance losses combine. MEAN is torch's: each loss divided by its target length (at least 1), then averaged over the batch. */
    public enum Reduction { SUM, MEAN }

    /**
     * {@code loss}: the reduced loss (+∞ if an utterance is impossible and zeroInfinity is off);
     * {@code losses}: each utterance's negative log-likelihood before reduction (torch's
     * reduction='none'; 0 for impossible ones under zeroInfinity); {@code impossible}: how many
     * utterances had probability 0 (fewer frames than their target needs, or −∞ logits on every path).
     */
    public record Result(double loss, double[] losses, int impossible) {
    }

    private CtcLoss() {
    }

    /**
     * The loss of a padded batch {@code logits [B, tMax, V]}: utterance b uses its first
     * {@code frames[b]} rows and target {@code targets[b]} (rows of the vocabulary, none the blank).
     * If {@code dLogits} is given ({@code [B, tMax, V]}), the gradient of the reduced loss is
     * <em>added</em> to it; padded rows get nothing. An impossible utterance's loss is +∞ and its
     * rows' gradient NaN, as torch's (torch 1.13 CPU gives NaN there); with {@code zeroInfinity} its
     * loss is 0 and its gradient zero (fairseq always sets zero_infinity=True). Utterances run in
     * parallel; each writes only its own rows.
     */
    public static Result compute(float[] logits, int[] frames, int tMax, int vocab, int[][] targets, int blank,
                                 Reduction reduction, boolean zeroInfinity, float[] dLogits) {
        int batch = frames.length;
        checkBatch(logits, frames, tMax, vocab, targets, blank, dLogits);
        double[] losses = new double[batch];
        boolean[] infinite = new boolean[batch];
        Parallel.forRange(batch, (start, end) -> {
            for (int b = start; b < end; b++) {
                double scale = reduction == Reduction.SUM ? 1.0 : 1.0 / ((double) Math.max(targets[b].length, 1) * batch);
                int offset = b * tMax * vocab;
                losses[b] = utterance(logits, offset, frames[b], vocab, targets[b], blank, scale, dLogits);
                if (Double.isInfinite(losses[b])) {
                    infinite[b] = true;
                    if (zeroInfinity) losses[b] = 0;
                    else if (dLogits != null) Arrays.fill(dLogits, offset, offset + frames[b] * vocab, Float.NaN);
                }
            }
        });
        int impossible = 0;
        double total = 0;
        for (int b = 0; b < batch; b++) {
            if (infinite[b]) impossible++;
            total += reduction == Reduction.SUM ? losses[b] : losses[b] / Math.max(targets[b].length, 1);
        }
        if (reduction == Reduction.MEAN && batch > 0) total /= batch;
        return new Result(total, losses, impossible);
    }

    /**
     * One utterance, logits {@code [frames, vocab]} starting at {@code offset}: returns −log p (+∞ if
     * impossible) and, if {@code dLogits} is given and the loss is finite, adds
     * {@code gradScale · ∂(−log p)/∂logits} to the same rows of it.
     */
    public static double utterance(float[] logits, int offset, int frames, int vocab, int[] target, int blank,
                                   double gradScale, float[] dLogits) {
        double[] x = new double[frames * vocab];
        for (int i = 0; i < x.length; i++) x[i] = logits[offset + i];
        double[] grad = dLogits == null ? null : new double[x.length];
        double nll = nll(x, frames, vocab, target, blank, grad);
        if (grad != null && Double.isFinite(nll)) {
            for (int i = 0; i < grad.length; i++) dLogits[offset + i] += (float) (gradScale * grad[i]);
        }
        return nll;
    }

    /**
     * The double-precision core: −log p of {@code target} under {@code logits [frames, vocab]}
     * (log_softmax applied here), adding ∂(−log p)/∂logits to {@code dLogits} (nullable) when finite.
     */
    public static double nll(double[] logits, int frames, int vocab, int[] target, int blank, double[] dLogits) {
        double[] logp = logSoftmax(logits, frames, vocab);
        return forwardBackward(logp, frames, vocab, target, blank, dLogits);
    }

    /** True if {@code frames} cannot hold {@code target}: each label needs a frame, each repeat one more blank. */
    public static boolean isImpossible(int frames, int[] target) {
        return frames < requiredFrames(target);
    }

    /** L plus the number of adjacent equal labels. */
    public static int requiredFrames(int[] target) {
        int n = target.length;
        for (int i = 1; i < target.length; i++) if (target[i] == target[i - 1]) n++;
        return n;
    }

    // ---- the recursions ------------------------------------------------------------------------------------

    /** Row-wise log_softmax of {@code x [frames, vocab]}, in double. */
    static double[] logSoftmax(double[] x, int frames, int vocab) {
        double[] out = new double[frames * vocab];
        for (int t = 0; t < frames; t++) {
            int row = t * vocab;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < vocab; k++) max = Math.max(max, x[row + k]);
            double sum = 0;
            for (int k = 0; k < vocab; k++) sum += Math.exp(x[row + k] - max);
            double logZ = max + Math.log(sum);
            for (int k = 0; k < vocab; k++) out[row + k] = x[row + k] - logZ;
        }
        return out;
    }

    /**
     * α/β over {@code logp [frames, vocab]} (already log-softmaxed): returns −log p, and if
     * {@code grad} is given and p &gt; 0 adds softmax − occupancy to it.
     */
    static double forwardBackward(double[] logp, int frames, int vocab, int[] target, int blank, double[] grad) {
        int states = 2 * target.length + 1;
        if (frames < requiredFrames(target)) return Double.POSITIVE_INFINITY;
        if (frames == 0) return 0; // empty target, empty input: the empty path has probability 1
        int[] label = new int[states];
        for (int s = 0; s < states; s++) label[s] = s % 2 == 0 ? blank : target[s / 2];

        // α_t(s) = logp_t(l'_s) + lse(α_{t−1}(s), α_{t−1}(s−1), α_{t−1}(s−2) if the skip is allowed)
        double[] alpha = new double[frames * states];
        Arrays.fill(alpha, Double.NEGATIVE_INFINITY);
        alpha[0] = logp[blank];
        if (states > 1) alpha[1] = logp[label[1]];
        for (int t = 1; t < frames; t++) {
            int prev = (t - 1) * states, cur = t * states, row = t * vocab;
            for (int s = 0; s < states; s++) {
                double a = alpha[prev + s];
                if (s >= 1) a = logAdd(a, alpha[prev + s - 1]);
                if (canSkip(label, s, blank)) a = logAdd(a, alpha[prev + s - 2]);
                alpha[cur + s] = a + logp[row + label[s]];
            }
        }
        int last = (frames - 1) * states;
        double logLik = states > 1 ? logAdd(alpha[last + states - 1], alpha[last + states - 2]) : alpha[last];
        if (logLik == Double.NEGATIVE_INFINITY) return Double.POSITIVE_INFINITY;
        if (grad == null) return -logLik;

        // β_t(s) = logp_t(l'_s) + lse(β_{t+1}(s), β_{t+1}(s+1), β_{t+1}(s+2) if the skip is allowed),
        // kept for two frames; the gradient of frame t is done as soon as β_t is known.
        double[] beta = new double[states], next = new double[states], logOcc = new double[vocab];
        for (int t = frames - 1; t >= 0; t--) {
            int row = t * vocab;
            Arrays.fill(beta, Double.NEGATIVE_INFINITY);
            if (t == frames - 1) {
                beta[states - 1] = logp[row + label[states - 1]];
                if (states > 1) beta[states - 2] = logp[row + label[states - 2]];
            } else {
                for (int s = 0; s < states; s++) {
                    double b = next[s];
                    if (s + 1 < states) b = logAdd(b, next[s + 1]);
                    if (s + 2 < states && canSkip(label, s + 2, blank)) b = logAdd(b, next[s + 2]);
                    beta[s] = b + logp[row + label[s]];
                }
            }
            Arrays.fill(logOcc, Double.NEGATIVE_INFINITY);
            int a = t * states;
            for (int s = 0; s < states; s++) logOcc[label[s]] = logAdd(logOcc[label[s]], alpha[a + s] + beta[s]);
            for (int k = 0; k < vocab; k++) {
                double lp = logp[row + k];
                double occupancy = logOcc[k] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(logOcc[k] - lp - logLik);
                grad[row + k] += Math.exp(lp) - occupancy;
            }
            double[] swap = next;
            next = beta;
            beta = swap;
        }
        return -logLik;
    }

    /** May a path jump from s−2 to s? Only into a label that differs from the label two states back. */
    private static boolean canSkip(int[] label, int s, int blank) {
        return s >= 2 && label[s] != blank && label[s] != label[s - 2];
    }

    /** log(e^a + e^b) without overflow; −∞ is the neutral element. */
    static double logAdd(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) return b;
        if (b == Double.NEGATIVE_INFINITY) return a;
        return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
    }

    private static void checkBatch(float[] logits, int[] frames, int tMax, int vocab, int[][] targets, int blank, float[] dLogits) {
        int batch = frames.length;
        if (targets.length != batch) throw new IllegalArgumentException(batch + " frame counts but " + targets.length + " targets");
        if ((long) batch * tMax * vocab != logits.length) {
            throw new IllegalArgumentException("logits hold " + logits.length + " values, expected [" + batch + ", " + tMax + ", " + vocab + "]");
        }
        if (dLogits != null && dLogits.length != logits.length) throw new IllegalArgumentException("dLogits length " + dLogits.length + " != logits length " + logits.length);
        if (blank < 0 || blank >= vocab) throw new IllegalArgumentException("blank " + blank + " outside [0, " + vocab + ")");
        for (int b = 0; b < batch; b++) {
            if (frames[b] < 0 || frames[b] > tMax) throw new IllegalArgumentException("utterance " + b + ": " + frames[b] + " frames outside [0, " + tMax + "]");
            for (int id : targets[b]) {
                if (id < 0 || id >= vocab || id == blank) throw new IllegalArgumentException("utterance " + b + ": target label " + id + " is the blank or outside [0, " + vocab + ")");
            }
        }
    }
}
