package w2v4j.train.objective;

import w2v4j.kernels.Parallel;

/**
 * Contrastive task of wav2vec 2.0 (fairseq {@code compute_preds} + {@code wav2vec_criterion}): for
 * each masked step i, the candidates are its own target {@code y[i]} then its distractors
 * {@code y[neg[i, j]]}; the logits are {@code cos(c[i], candidate) / κ}; the loss is cross-entropy
 * with the true target at index 0, summed over masked steps.
 *
 * <p>A distractor bitwise equal to the positive (same codes, so the same projected target) would be
 * a "correct" answer scored as wrong; fairseq sets its logit to −∞ ({@code neg_is_pos}) and so do we.
 * Cosine follows torch ≥ 1.12: {@code (a/max(|a|,ε)) · (b/max(|b|,ε))}, ε = 1e-8, each norm clamped
 * on its own.
 */
public final class ContrastiveLoss {

    static final double COS_EPS = 1e-8;

    private ContrastiveLoss() {}

    /**
     * @param logits   [n, 1+m] candidate logits, −∞ where a distractor equals the positive
     * @param cNorm    [n] |c_i|; yNorm [n] |y_i|
     * @param lossSum  Σ_i CE_i
     * @param correct  rows whose argmax is the positive, not counting rows where all logits tie
     * @param negIsPos number of distractors set to −∞
     */
    public record Forward(int n, int numNeg, double[] logits, double[] cNorm, double[] yNorm,
                          double lossSum, int correct, int negIsPos) {}

    /**
     * @param c         [n, dim] projected context at the masked steps
     * @param y         [n, dim] projected quantized targets at the masked steps
     * @param negatives [n, numNeg] indices into 0..n-1 (see {@link NegativeSampler})
     * @param kappa     logit temperature κ
     */
    public static Forward forward(double[] c, double[] y, int n, int dim, int[] negatives, int numNeg, double kappa) {
        if (negatives.length != n * numNeg) throw new IllegalArgumentException("negatives length " + negatives.length + " != " + n + "*" + numNeg);
        int m = 1 + numNeg;
        double[] cNorm = norms(c, n, dim), yNorm = norms(y, n, dim);
        double[] logits = new double[n * m];
        // rows are independent (in parallel); their losses and counts are added in row order afterwards
        double[] rowLoss = new double[n];
        int[] rowCorrect = new int[n], rowNegIsPos = new int[n];
        Parallel.forRange(n, Math.max(1, (1 << 16) / Math.max(1, m * dim)), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                logits[i * m] = cosine(c, i, cNorm[i], y, i, yNorm[i], dim) / kappa;
                for (int j = 0; j < numNeg; j++) {
                    int t = negatives[i * numNeg + j];
                    if (sameRow(y, i, t, dim)) {
                        logits[i * m + 1 + j] = Double.NEGATIVE_INFINITY;
                        rowNegIsPos[i]++;
                    } else {
                        logits[i * m + 1 + j] = cosine(c, i, cNorm[i], y, t, yNorm[t], dim) / kappa;
                    }
                }
                int o = i * m;
                double max = Double.NEGATIVE_INFINITY;
                int argmax = 0, argmin = 0;
                for (int j = 0; j < m; j++) {
                    double l = logits[o + j];
                    if (l > max) { max = l; argmax = j; }
                    if (l < logits[o + argmin]) argmin = j;
                }
                double sum = 0;
                for (int j = 0; j < m; j++) sum += Math.exp(logits[o + j] - max);
                rowLoss[i] = max + Math.log(sum) - logits[o];
                // fairseq: argmax==0 counts, unless argmin is 0 too (all logits equal, nothing learnt).
                if (argmax == 0 && argmin != 0) rowCorrect[i] = 1;
            }
        });
        double lossSum = 0;
        int correct = 0, negIsPos = 0;
        for (int i = 0; i < n; i++) {
            lossSum += rowLoss[i];
            correct += rowCorrect[i];
            negIsPos += rowNegIsPos[i];
        }
        return new Forward(n, numNeg, logits, cNorm, yNorm, lossSum, correct, negIsPos);
    }

    /**
     * Backward of {@code scale · lossSum}: writes dc [n, dim] and dy [n, dim] (dy collects the
     * positive's and every distractor use of each target row). −∞ logits get no gradient.
     */
    public static void backward(Forward f, double[] c, double[] y, int dim, int[] negatives, double kappa, double scale,
                                double[] dc, double[] dy) {
        int n = f.n(), numNeg = f.numNeg(), m = 1 + numNeg;
        java.util.Arrays.fill(dc, 0, n * dim, 0.0);
        java.util.Arrays.fill(dy, 0, n * dim, 0.0);
        double[] p = new double[m];
        for (int i = 0; i < n; i++) {
            int o = i * m;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < m; j++) max = Math.max(max, f.logits()[o + j]);
            double sum = 0;
            for (int j = 0; j < m; j++) { p[j] = Math.exp(f.logits()[o + j] - max); sum += p[j]; }
            for (int j = 0; j < m; j++) {
                double dLogit = scale * (p[j] / sum - (j == 0 ? 1.0 : 0.0));
                if (f.logits()[o + j] == Double.NEGATIVE_INFINITY || dLogit == 0.0) continue;
                int t = j == 0 ? i : negatives[i * numNeg + j - 1];
                cosineBackward(c, i, f.cNorm()[i], y, t, f.yNorm()[t], dim, dLogit / kappa, dc, dy);
            }
        }
    }

    static double[] norms(double[] a, int n, int dim) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int k = 0; k < dim; k++) s += a[i * dim + k] * a[i * dim + k];
            out[i] = Math.sqrt(s);
        }
        return out;
    }

    static double cosine(double[] a, int i, double na, double[] b, int j, double nb, int dim) {
        double s = 0;
        for (int k = 0; k < dim; k++) s += a[i * dim + k] * b[j * dim + k];
        return s / (Math.max(na, COS_EPS) * Math.max(nb, COS_EPS));
    }

    /**
     * d cos / d a = b/(Na·Nb) − cos · (a/|a|)/Na with Na = max(|a|, ε) (torch clamps the norm
     * without cutting its gradient, so the second term keeps |a|'s derivative); symmetric in b.
     */
    static void cosineBackward(double[] a, int i, double na, double[] b, int j, double nb, int dim, double g,
                               double[] da, double[] db) {
        double ca = Math.max(na, COS_EPS), cb = Math.max(nb, COS_EPS);
        double cos = cosine(a, i, na, b, j, nb, dim);
        double ua = na > 0 ? cos / (ca * na) : 0.0;
        double ub = nb > 0 ? cos / (cb * nb) : 0.0;
        double inv = 1.0 / (ca * cb);
        for (int k = 0; k < dim; k++) {
            double av = a[i * dim + k], bv = b[j * dim + k];
            da[i * dim + k] += g * (bv * inv - ua * av);
            db[j * dim + k] += g * (av * inv - ub * bv);
        }
    }

    static boolean sameRow(double[] y, int i, int j, int dim) {
        for (int k = 0; k < dim; k++) if (y[i * dim + k] != y[j * dim + k]) return false;
        return true;
    }
}
