package w2v4j.train.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every gradient of {@link PretrainingObjective} against central finite differences.
 *
 * <p>The objective keeps its intermediates in double, so the loss is exact to ~1e-15 relative given
 * the float inputs. A perturbed float input {@code x ± h} is rounded to float, and we divide by the
 * step actually taken ({@code xp − xm}, exact in double), so the only errors are truncation
 * (O(h²·L''') ≈ 1e-8·10³ with h = 1e-4 and logits scaled by 1/κ = 10) and the float storage of
 * the analytic gradient (6e-8 relative). We require {@code |fd − g| ≤ 1e-4 · max|g|} per tensor
 * and {@code |fd − g| ≤ 1e-3·|g| + 1e-6·max|g|} per element, far tighter than the 1e-2 the
 * brief allows, and loose enough for the truncation term.
 *
 * <p>The hard one-hot is piecewise constant, so its true derivative is 0 and the straight-through
 * gradient is a surrogate: it is the exact gradient of {@code L(hard + soft(x) − anchor)} with
 * the anchor frozen at the unperturbed {@code soft}, which is what fairseq's
 * {@code hard − soft.detach() + soft} means. The test evaluates that function (package hook
 * {@code forward(..., anchor)}). Every perturbed forward must keep all codes and all −∞
 * (neg_is_pos) positions of the base point, otherwise the difference quotient would straddle a jump.
 */
class ObjectiveGradientTest {

    static final double H = 1e-4, TENSOR_TOL = 1e-4, ELEM_TOL = 1e-3;

    record Problem(PretrainingObjective obj, MaskedBatch m, int[] neg, float[] features, float[] raw, float[] context,
                   float[] noise, double tau) {
        PretrainingObjective.Trace forward(double[] anchor) {
            return obj.forward(features, raw, raw.length, context, m, neg, noise, tau, anchor);
        }
    }

    /** B=2, T=12, F=6, D=7, G=2, vqDim=8, finalDim=5, K=4 + 2 cross, α=0.7 (large, so diversity shows), β=10. */
    static Problem problem(long seed, int vars, boolean train, boolean forceDuplicate) {
        SplittableRandom rng = new SplittableRandom(seed);
        int b = 2, t = 12, f = 6, d = 7;
        ObjectiveConfig cfg = new ObjectiveConfig(f, d, 2, vars, 8, 5, 4, 2, 0.1, 0.7, 10.0);
        PretrainingObjective obj = new PretrainingObjective(cfg);
        obj.initialize(rng);
        MaskedBatch m = MaskSampler.sample(new int[] {t, t}, t, 0.65, 3, 2, true, rng);
        int[] neg = NegativeSampler.sample(m, cfg.numNegatives(), cfg.crossNegatives(), rng);
        float[] features = gaussian(b * t * f, 1.0, rng);
        float[] raw = gaussian(b * 5 * t, 0.5, rng);
        float[] context = gaussian(b * t * d, 1.0, rng);
        float[] noise = train ? GumbelQuantizer.sampleNoise(m.numMasked(), cfg.numVars(), rng) : null;
        if (forceDuplicate) {
            // masked steps 0 and 1 (utterance 0) get the same input and noise, so the same codes and
            // target; step 0 takes step 1 as its first distractor -> a −∞ logit.
            int r0 = m.maskedRows()[0], r1 = m.maskedRows()[1];
            System.arraycopy(features, r0 * f, features, r1 * f, f);
            if (noise != null) System.arraycopy(noise, 0, noise, cfg.numVars(), cfg.numVars());
            neg[0] = 1;
        }
        return new Problem(obj, m, neg, features, raw, context, noise, 1.3);
    }

    static float[] gaussian(int n, double std, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (std * rng.nextGaussian());
        return a;
    }

    /** A problem without code collisions: the straight-through surrogate may move every target. */
    @Test
    void trainingGradientsIncludingStraightThroughMatchFiniteDifferences() {
        Problem p = problem(11, 64, true, false);
        assertEquals(0, p.forward(null).contrastive().negIsPos(), "this problem must have no neg_is_pos");
        checkAll(p, true);
    }

    /** Duplicate codes present (−∞ logits): everything but the inputs of the quantizer logits. */
    @Test
    void trainingGradientsWithNegIsPosMatchFiniteDifferences() {
        Problem p = problem(12, 3, true, true);
        assertTrue(p.forward(null).contrastive().negIsPos() > 0, "this problem must have neg_is_pos");
        checkAll(p, false);
    }

    /** Eval: hard argmax without noise; features and weight_proj get only the diversity gradient. */
    @Test
    void evalGradientsMatchFiniteDifferences() {
        Problem p = problem(13, 3, false, true);
        assertTrue(p.forward(null).contrastive().negIsPos() > 0);
        checkAll(p, true);
    }

    @Test
    void gradientsAccumulate() {
        Problem p = problem(14, 64, true, false);
        float[] dF = new float[p.features.length], dR = new float[p.raw.length], dC = new float[p.context.length];
        p.obj.forwardBackward(p.features, p.raw, p.raw.length, p.context, p.m, p.neg, p.noise, p.tau, true, dF, dR, dC);
        List<float[]> once = new ArrayList<>(List.of(dF.clone(), dR.clone(), dC.clone()));
        for (ParamSlot s : p.obj.params()) once.add(s.grad().clone());
        p.obj.forwardBackward(p.features, p.raw, p.raw.length, p.context, p.m, p.neg, p.noise, p.tau, true, dF, dR, dC);
        List<float[]> twice = new ArrayList<>(List.of(dF, dR, dC));
        for (ParamSlot s : p.obj.params()) twice.add(s.grad());
        for (int k = 0; k < once.size(); k++) {
            float[] expect = once.get(k).clone();
            for (int i = 0; i < expect.length; i++) expect[i] *= 2; // g + g == 2g exactly in float
            assertArrayEquals(expect, twice.get(k));
        }
        // computeGrad=false touches nothing
        p.obj.forwardBackward(p.features, p.raw, p.raw.length, p.context, p.m, p.neg, p.noise, p.tau, false, dF, dR, dC);
        assertArrayEquals(twice.get(0), dF);
    }

    private void checkAll(Problem p, boolean includeQuantizerInputs) {
        PretrainingObjective.Trace base = p.forward(null);
        double[] anchor = base.quant().soft() == null ? null : base.quant().soft().clone();
        float[] dF = new float[p.features.length], dR = new float[p.raw.length], dC = new float[p.context.length];
        p.obj.forwardBackward(p.features, p.raw, p.raw.length, p.context, p.m, p.neg, p.noise, p.tau, true, dF, dR, dC);
        // unmasked rows of the encoder-side inputs get exactly nothing
        assertUnmaskedRowsZero(dF, p.m, p.obj.cfg.featureDim());
        assertUnmaskedRowsZero(dC, p.m, p.obj.cfg.contextDim());

        check("context", p.context, dC, p, base, anchor);
        check("raw", p.raw, dR, p, base, anchor);
        for (ParamSlot s : p.obj.params()) {
            boolean quantInput = s.name().startsWith("quantizer.weight_proj");
            if (!quantInput || includeQuantizerInputs) check(s.name(), s.value(), s.grad(), p, base, anchor);
        }
        if (includeQuantizerInputs) check("features", p.features, dF, p, base, anchor);
    }

    private static void assertUnmaskedRowsZero(float[] g, MaskedBatch m, int dim) {
        for (int row = 0; row < m.batch() * m.frames(); row++) {
            if (m.mask()[row]) continue;
            for (int k = 0; k < dim; k++) assertEquals(0f, g[row * dim + k], "unmasked row " + row);
        }
    }

    private static void check(String name, float[] x, float[] analytic, Problem p, PretrainingObjective.Trace base, double[] anchor) {
        double gmax = 0;
        for (float g : analytic) gmax = Math.max(gmax, Math.abs(g));
        assertTrue(gmax > 0, name + ": gradient is all zero");
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            float orig = x[i];
            float xp = (float) (orig + H), xm = (float) (orig - H);
            x[i] = xp;
            PretrainingObjective.Trace tp = p.forward(anchor);
            x[i] = xm;
            PretrainingObjective.Trace tm = p.forward(anchor);
            x[i] = orig;
            for (PretrainingObjective.Trace tr : List.of(tp, tm)) {
                assertArrayEquals(base.quant().codes(), tr.quant().codes(), name + "[" + i + "]: a code flipped under the perturbation");
                assertEquals(base.contrastive().negIsPos(), tr.contrastive().negIsPos(), name + "[" + i + "]: neg_is_pos changed");
            }
            double fd = (tp.result().loss() - tm.result().loss()) / ((double) xp - (double) xm);
            double err = Math.abs(fd - analytic[i]);
            worst = Math.max(worst, err);
            assertTrue(err <= ELEM_TOL * Math.abs(analytic[i]) + 1e-6 * gmax,
                    name + "[" + i + "]: fd " + fd + " vs analytic " + analytic[i]);
        }
        assertTrue(worst <= TENSOR_TOL * gmax, name + ": max |fd - g| " + worst + " vs max|g| " + gmax);
        System.out.printf("fd %-30s max|fd-g|/max|g| = %.2e%n", name, worst / gmax);
    }
}
