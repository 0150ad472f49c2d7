package w2v4j.train.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity with the PyTorch reference ({@code scripts/make_objective_fixtures.py}, fairseq's code
 * path in float32). Cases: {@code train} (Gumbel noise, straight-through, a distractor forced equal
 * to its positive), {@code eval} (hard argmax, no noise, again with duplicates) and {@code cross}
 * (cross-sample negatives, unequal masked counts per utterance, β = 0).
 *
 * <p>Tolerances: the reference runs in float32 (relative rounding ~6e-8 per op, a few hundred ops
 * deep), we run in double, so losses agree to ~1e-6; 1e-4 leaves margin. Gradients are compared
 * as max|Δ| / max|reference| per tensor: per-element relative error is meaningless for entries
 * that are ~0 (cancellation in float32 sums), and 1e-3 of the tensor's scale still catches any
 * wrong term, which would be O(1) of it. The script made sure no argmax the outputs depend on is
 * within 1e-3 of flipping, so codes, accuracy and −∞ positions must match exactly.
 */
class ObjectiveParityTest {

    static final double LOSS_TOL = 1e-4, GRAD_TOL = 1e-3;

    @ParameterizedTest
    @ValueSource(strings = {"train", "eval", "cross"})
    void matchesPyTorch(String name) {
        String dir = "objective/" + name + "/";
        Map<String, String> js = Fixtures.json(dir + "case.json");
        int b = i(js, "B"), t = i(js, "T"), f = i(js, "F"), d = i(js, "D");
        ObjectiveConfig cfg = new ObjectiveConfig(f, d, i(js, "G"), i(js, "V"), i(js, "vqDim"), i(js, "finalDim"),
                i(js, "K"), i(js, "crossK"), x(js, "kappa"), x(js, "alpha"), x(js, "beta"));
        Map<String, String> files = Map.of(
                "project_hid.weight", "ph_w", "project_hid.bias", "ph_b", "project_q.weight", "pq_w", "project_q.bias", "pq_b",
                "quantizer.weight_proj.weight", "wp_w", "quantizer.weight_proj.bias", "wp_b", "quantizer.codevectors", "cv");
        PretrainingObjective obj = new PretrainingObjective(cfg, hf -> {
            Fixtures.Array a = Fixtures.npy(dir + files.get(hf) + ".npy");
            return new ParamSlot(hf, a.shape(), a.floats(), new float[a.floats().length]);
        });

        int[] maskInts = Fixtures.npy(dir + "mask.npy").ints();
        boolean[] mask = new boolean[maskInts.length];
        for (int k = 0; k < mask.length; k++) mask[k] = maskInts[k] != 0;
        MaskedBatch m = MaskedBatch.fromMask(b, t, mask);
        assertEquals(i(js, "numMasked"), m.numMasked());
        int[] negatives = Fixtures.npy(dir + "negatives.npy").ints();
        float[] features = Fixtures.npy(dir + "features.npy").floats();
        float[] raw = Fixtures.npy(dir + "raw.npy").floats();
        float[] context = Fixtures.npy(dir + "context.npy").floats();
        boolean train = Boolean.parseBoolean(js.get("train"));
        float[] noise = train ? Fixtures.npy(dir + "noise.npy").floats() : null;
        assertEquals(train, Fixtures.exists(dir + "noise.npy"));
        double tau = x(js, "tau");

        PretrainingObjective.Trace tr = obj.forward(features, raw, raw.length, context, m, negatives, noise, tau, null);
        assertArrayEquals(Fixtures.npy(dir + "codes.npy").ints(), tr.quant().codes(), "codes");
        assertEquals(i(js, "neg_is_pos"), tr.contrastive().negIsPos(), "neg_is_pos count");

        float[] dFeatures = new float[features.length], dRaw = new float[raw.length], dContext = new float[context.length];
        PretrainingObjective.Result r = obj.forwardBackward(features, raw, raw.length, context, m, negatives, noise, tau,
                true, dFeatures, dRaw, dContext);

        Map<String, Double> errs = new LinkedHashMap<>();
        errs.put("loss", Fixtures.relErr(r.loss(), x(js, "loss")));
        errs.put("loss_bits", Fixtures.relErr(r.lossBits(), x(js, "loss_bits")));
        errs.put("loss_contrastive", Fixtures.relErr(r.lossContrastive(), x(js, "loss_contrastive")));
        errs.put("loss_diversity", Fixtures.relErr(r.lossDiversity(), x(js, "loss_diversity")));
        errs.put("loss_features_pen", Fixtures.relErr(r.lossFeaturesPen(), x(js, "loss_features_pen")));
        errs.put("code_perplexity", Fixtures.relErr(r.codePerplexity(), x(js, "code_perplexity")));
        errs.put("prob_perplexity", Fixtures.relErr(r.probPerplexity(), x(js, "prob_perplexity")));
        for (var e : errs.entrySet()) assertTrue(e.getValue() <= LOSS_TOL, name + " " + e.getKey() + " rel err " + e.getValue());
        assertEquals(i(js, "correct"), r.correct());
        assertEquals(x(js, "accuracy"), r.accuracy(), 1e-12);
        assertEquals(tau, r.temperature());

        Map<String, Double> gerrs = new LinkedHashMap<>();
        gerrs.put("features", Fixtures.relErr(dFeatures, Fixtures.npy(dir + "d_features.npy").floats()));
        gerrs.put("raw", Fixtures.relErr(dRaw, Fixtures.npy(dir + "d_raw.npy").floats()));
        gerrs.put("context", Fixtures.relErr(dContext, Fixtures.npy(dir + "d_context.npy").floats()));
        for (ParamSlot p : obj.params()) gerrs.put(p.name(), Fixtures.relErr(p.grad(), Fixtures.npy(dir + "d_" + files.get(p.name()) + ".npy").floats()));
        for (var e : gerrs.entrySet()) assertTrue(e.getValue() <= GRAD_TOL, name + " d" + e.getKey() + " rel err " + e.getValue());
        System.out.printf("objective parity [%s]: max loss-term rel err %.2e, max grad rel err %.2e  %s%n", name,
                errs.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow(),
                gerrs.values().stream().mapToDouble(Double::doubleValue).max().orElseThrow(), gerrs);
    }

    private static int i(Map<String, String> js, String k) {
        return Integer.parseInt(js.get(k));
    }

    private static double x(Map<String, String> js, String k) {
        return Double.parseDouble(js.get(k));
    }
}
