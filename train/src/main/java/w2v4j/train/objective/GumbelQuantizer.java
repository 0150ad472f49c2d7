package w2v4j.train.objective;

import w2v4j.kernels.Parallel;

import java.util.random.RandomGenerator;

/**
 * Gumbel-softmax product quantizer (fairseq {@code GumbelVectorQuantizer}, {@code combine_groups=false},
 * {@code weight_proj_depth=1}), from logits onward; the logits come from {@link Dense} with
 * {@code quantizer.weight_proj}.
 *
 * <p>Per row and group g the V logits pick one entry of codebook g: in training the argmax of
 * {@code softmax((logits + gumbel) / tau)}, in eval the argmax of the logits. The quantized vector
 * is the concatenation over groups of the chosen rows of {@code codevectors [G·V, vqDim/G]}.
 * Training uses the straight-through estimator: the forward value is the hard one-hot, the
 * backward treats it as the soft distribution. Perplexities, over the rows given, are computed from
 * the noise-free softmax (prob, differentiable, feeds the diversity loss) and from the noise-free
 * argmax one-hots (code, logging only), as fairseq does.
 */
public final class GumbelQuantizer {

    /** fairseq's guard inside the log of the perplexity. */
    static final double PPL_EPS = 1e-7;

    private GumbelQuantizer() {}

    /**
     * What the backward needs.
     *
     * @param probs      [n, G·V] noise-free softmax of the logits per group
     * @param avgProbs   [G·V] probs averaged over rows
     * @param soft       [n, G·V] {@code softmax((logits+noise)/tau)}; null in eval
     * @param stOffset   [n, G·V] {@code soft − anchor}, added to the one-hot; null when it is zero
     * @param codes      [n, G] chosen entry per group (0..V-1)
     */
    public record Forward(int n, int groups, int vars, int groupDim, double tau,
                          double[] probs, double[] avgProbs, double[] soft, double[] stOffset, int[] codes,
                          double[] q, double probPerplexity, double codePerplexity) {}

    /** Gumbel(0,1) noise {@code -log(-log U)}, U uniform in (0,1), for {@code [n, G·V]} logits. */
    public static float[] sampleNoise(int n, int numVars, RandomGenerator rng) {
        float[] g = new float[n * numVars];
        for (int i = 0; i < g.length; i++) {
            double u;
            do u = rng.nextDouble(); while (u == 0.0);
            g[i] = (float) -Math.log(-Math.log(u));
        }
        return g;
    }

    /** Training/eval forward: {@code noise == null} means eval (hard argmax, no noise). */
    public static Forward forward(double[] logits, int n, int groups, int vars, float[] codevectors, int groupDim,
                                  float[] noise, double tau) {
        return forward(logits, n, groups, vars, codevectors, groupDim, noise, tau, null);
    }

    /**
     * As above, with the straight-through "detached" term given explicitly: the one-hot value is
     * {@code hard + (soft − anchor)}, fairseq's {@code y_hard − y_soft.detach() + y_soft} with the
     * detached copy frozen at {@code anchor}. With {@code anchor == null} it is {@code soft} itself,
     * so the value is exactly the one-hot (fairseq's float arithmetic can be 1 ulp off; being exact
     * makes {@code neg_is_pos} depend on the codes only). Tests pass a frozen anchor to check the
     * straight-through gradient by finite differences.
     */
    static Forward forward(double[] logits, int n, int groups, int vars, float[] codevectors, int groupDim,
                           float[] noise, double tau, double[] anchor) {
        int gv = groups * vars;
        double[] probs = new double[n * gv];
        double[] avg = new double[gv];
        int[] plainCodes = new int[n * groups];
        for (int r = 0; r < n; r++) {
            for (int g = 0; g < groups; g++) {
                int o = r * gv + g * vars;
                softmax(logits, o, vars, null, 1.0, probs);
                plainCodes[r * groups + g] = argmax(logits, o, vars);
                for (int v = 0; v < vars; v++) avg[g * vars + v] += probs[o + v];
            }
        }
        for (int j = 0; j < gv; j++) avg[j] /= n;
        double probPpl = perplexity(avg, groups, vars);
        double[] hardAvg = new double[gv];
        for (int r = 0; r < n; r++) for (int g = 0; g < groups; g++) hardAvg[g * vars + plainCodes[r * groups + g]] += 1.0 / n;
        double codePpl = perplexity(hardAvg, groups, vars);

        double[] soft = null;
        double[] offset = null;
        int[] codes = plainCodes;
        if (noise != null) {
            soft = new double[n * gv];
            codes = new int[n * groups];
            for (int r = 0; r < n; r++) {
                for (int g = 0; g < groups; g++) {
                    int o = r * gv + g * vars;
                    softmax(logits, o, vars, noise, tau, soft);
                    codes[r * groups + g] = argmax(soft, o, vars);
                }
            }
            if (anchor != null) {
                offset = new double[n * gv];
                for (int j = 0; j < offset.length; j++) offset[j] = soft[j] - anchor[j];
            }
        }
        double[] q = lookup(codes, offset, n, groups, vars, codevectors, groupDim);
        return new Forward(n, groups, vars, groupDim, tau, probs, avg, soft, offset, codes, q, probPpl, codePpl);
    }

    /**
     * {@code q[r, g·d..(g+1)·d) = codevectors[g·V + code[r,g]] + Σ_v offset[r,g,v] · codevectors[g·V+v]},
     * i.e. the one-hot (plus optional straight-through offset) times codebook g.
     */
    static double[] lookup(int[] codes, double[] offset, int n, int groups, int vars, float[] cv, int d) {
        double[] q = new double[n * groups * d];
        for (int r = 0; r < n; r++) {
            for (int g = 0; g < groups; g++) {
                int qo = (r * groups + g) * d;
                int co = (g * vars + codes[r * groups + g]) * d;
                for (int k = 0; k < d; k++) q[qo + k] = cv[co + k];
                if (offset == null) continue;
                for (int v = 0; v < vars; v++) {
                    double w = offset[r * groups * vars + g * vars + v];
                    if (w == 0.0) continue;
                    int vo = (g * vars + v) * d;
                    for (int k = 0; k < d; k++) q[qo + k] += w * cv[vo + k];
                }
            }
        }
        return q;
    }

    /**
     * Backward to the logits: the straight-through term from {@code dq} (training only) plus the
     * perplexity term {@code dPerplexity · d(prob_perplexity)/d(logits)}. Also accumulates
     * {@code dCodevectors += one-hotᵀ · dq}.
     *
     * @param dq          [n, G·d] gradient of the loss w.r.t. q
     * @param dPerplexity dLoss/d(prob_perplexity), i.e. {@code −α/(G·V)} for the total loss
     * @return dLogits [n, G·V]
     */
    public static double[] backward(Forward f, double[] dq, float[] codevectors, double dPerplexity, float[] dCodevectors) {
        int n = f.n(), groups = f.groups(), vars = f.vars(), d = f.groupDim(), gv = groups * vars;
        double[] dLogits = new double[n * gv];
        double[] gcv = new double[gv * d];
        // the codebook gradient sums over rows in order, on this thread
        for (int r = 0; r < n; r++) {
            for (int g = 0; g < groups; g++) {
                int qo = (r * groups + g) * d;
                int lo = r * gv + g * vars;
                int code = f.codes()[r * groups + g];
                int co = (g * vars + code) * d;
                for (int k = 0; k < d; k++) gcv[co + k] += dq[qo + k];
                if (f.stOffset() != null) {
                    for (int v = 0; v < vars; v++) {
                        double w = f.stOffset()[lo + v];
                        if (w == 0.0) continue;
                        int vo = (g * vars + v) * d;
                        for (int k = 0; k < d; k++) gcv[vo + k] += w * dq[qo + k];
                    }
                }
            }
        }
        if (f.soft() != null) {
            // Straight-through: dL/dy_v = <dq_g, codevector_v>, then through softmax(z/tau); rows are independent.
            Parallel.forRange(n, Math.max(1, (1 << 16) / Math.max(1, gv * d)), (r0, r1) -> {
                double[] dy = new double[vars];
                for (int r = r0; r < r1; r++) {
                    for (int g = 0; g < groups; g++) {
                        int qo = (r * groups + g) * d;
                        int lo = r * gv + g * vars;
                        double dot = 0;
                        for (int v = 0; v < vars; v++) {
                            int vo = (g * vars + v) * d;
                            double s = 0;
                            for (int k = 0; k < d; k++) s += dq[qo + k] * codevectors[vo + k];
                            dy[v] = s;
                            dot += f.soft()[lo + v] * s;
                        }
                        for (int v = 0; v < vars; v++) dLogits[lo + v] += f.soft()[lo + v] * (dy[v] - dot) / f.tau();
                    }
                }
            });
        }
        for (int j = 0; j < gcv.length; j++) dCodevectors[j] += (float) gcv[j];
        if (dPerplexity != 0.0) perplexityBackward(f, dPerplexity, dLogits);
        return dLogits;
    }

    /**
     * d(prob_perplexity)/d(logits): ppl = Σ_g exp(H_g), H_g = −Σ_v p̄ log(p̄ + ε), p̄ = mean_r p_r, so
     * dppl/dp̄_v = −exp(H_g)(log(p̄_v+ε) + p̄_v/(p̄_v+ε)); each row gets 1/n of it, then the softmax.
     */
    static void perplexityBackward(Forward f, double dPerplexity, double[] dLogits) {
        int n = f.n(), groups = f.groups(), vars = f.vars(), gv = groups * vars;
        double[] avg = f.avgProbs();
        double[] dAvg = new double[gv];
        for (int g = 0; g < groups; g++) {
            double h = 0;
            for (int v = 0; v < vars; v++) {
                double p = avg[g * vars + v];
                h -= p * Math.log(p + PPL_EPS);
            }
            double e = Math.exp(h);
            for (int v = 0; v < vars; v++) {
                double p = avg[g * vars + v];
                dAvg[g * vars + v] = dPerplexity * -e * (Math.log(p + PPL_EPS) + p / (p + PPL_EPS)) / n;
            }
        }
        for (int r = 0; r < n; r++) {
            for (int g = 0; g < groups; g++) {
                int lo = r * gv + g * vars;
                double dot = 0;
                for (int v = 0; v < vars; v++) dot += f.probs()[lo + v] * dAvg[g * vars + v];
                for (int v = 0; v < vars; v++) dLogits[lo + v] += f.probs()[lo + v] * (dAvg[g * vars + v] - dot);
            }
        }
    }

    /** Σ_g exp(−Σ_v p_gv log(p_gv + 1e−7)) over an averaged distribution {@code [G·V]}. */
    static double perplexity(double[] avg, int groups, int vars) {
        double ppl = 0;
        for (int g = 0; g < groups; g++) {
            double h = 0;
            for (int v = 0; v < vars; v++) {
                double p = avg[g * vars + v];
                h -= p * Math.log(p + PPL_EPS);
            }
            ppl += Math.exp(h);
        }
        return ppl;
    }

    /** out[o..o+len) = softmax((z[o..] + noise[o..]) / tau), max-shifted; noise may be null. */
    static void softmax(double[] z, int o, int len, float[] noise, double tau, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < len; v++) {
            double a = (z[o + v] + (noise == null ? 0.0 : noise[o + v])) / tau;
            out[o + v] = a;
            max = Math.max(max, a);
        }
        double sum = 0;
        for (int v = 0; v < len; v++) {
            double e = Math.exp(out[o + v] - max);
            out[o + v] = e;
            sum += e;
        }
        for (int v = 0; v < len; v++) out[o + v] /= sum;
    }

    /** First index of the maximum of a[o..o+len) (torch's tie rule). */
    static int argmax(double[] a, int o, int len) {
        int best = 0;
        for (int v = 1; v < len; v++) if (a[o + v] > a[o + best]) best = v;
        return best;
    }
}
