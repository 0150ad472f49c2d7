package w2v4j.tests;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import w2v4j.core.io.Json;
import w2v4j.core.io.Npy;
import w2v4j.kernels.Backend;
import w2v4j.kernels.Backends;
import w2v4j.model.HfCheckpoint;
import w2v4j.model.Param;
import w2v4j.model.TrainOptions;
import w2v4j.model.Wav2Vec2Model;
import w2v4j.train.objective.PretrainingObjective;
import w2v4j.train.pretrain.PretrainStep;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One whole pre-training step (feature encoder, masking, Transformer, quantizer, contrastive,
 * diversity and feature-penalty losses, and the backward through all of it) against a float64
 * PyTorch/torchaudio reference (scripts/make_pretrain_fixtures.py): same weights, waves, mask,
 * negatives and Gumbel noise, no dropout.
 *
 * <p>Tolerances: loss terms 1e-5 relative, every parameter gradient max|Δ|/max|ref| ≤ 1e-4. A
 * float32 PyTorch run of the same step is within 3e-6 of the reference (the fixtures' README), so
 * 1e-4 leaves room for our summation orders while any semantic slip (a missing fgm, a wrong
 * penalty, a transposed weight) shows up at 1e-2 or more. Gradients that are zero in exact
 * arithmetic (listed by the fixture) are checked absolutely against 1e-6 of the largest gradient.
 */
class PretrainParityTest {
    static final double LOSS_TOL = 1e-5, GRAD_TOL = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"base_like", "large_like"})
    void stepMatchesReference(String name) throws Exception {
        PretrainFixture fx = PretrainFixture.load(name);
        Path dir = fx.dir();
        Map<String, Object> exp = Json.readObject(dir.resolve("expected.json")).map();
        Wav2Vec2Model model = HfCheckpoint.load(dir);
        List<float[]> waves = fx.waves();
        double fgm = ((Number) exp.get("fgm")).doubleValue(), beta = ((Number) exp.get("beta")).doubleValue();
        double tau = ((Number) exp.get("tau")).doubleValue();
        var settings = new PretrainStep.Settings(0.65, 10, 2, 0, beta, 0.1, new TrainOptions(fgm, 0f, 0f, 0f, 0f, 0f));
        try (Backend be = Backends.get("java", 0)) {
            PretrainStep step = new PretrainStep(model, be, settings);
            var inputs = fx.inputs();
            PretrainingObjective.Result r = step.run(waves, inputs, tau, true, 0);

            assertEquals(((Number) exp.get("num_masked")).intValue(), r.numMasked());
            assertEquals(((Number) exp.get("correct")).intValue(), r.correct());
            checkScalar(name, "loss", r.loss(), exp);
            checkScalar(name, "loss_contrastive", r.lossContrastive(), exp);
            checkScalar(name, "loss_diversity", r.lossDiversity(), exp);
            checkScalar(name, "loss_features_pen", r.lossFeaturesPen(), exp);
            checkScalar(name, "code_perplexity", r.codePerplexity(), exp);
            checkScalar(name, "prob_perplexity", r.probPerplexity(), exp);

            // reference gradients are of the per-step loss; ours of the sum over masked steps
            @SuppressWarnings("unchecked")
            List<Object> zero = (List<Object>) exp.getOrDefault("zero_grad_tensors", List.of());
            double worst = 0, maxAll = 0;
            List<Object[]> rows = new ArrayList<>();
            int checked = 0;
            for (Param p : model.params.all()) {
                Path g = gradFile(dir, p.name);
                assertTrue(Files.exists(g), name + ": no reference gradient for " + p.name);
                float[] ref = Npy.read(g).data();
                double maxErr = 0, maxRef = 0;
                for (int i = 0; i < ref.length; i++) {
                    maxErr = Math.max(maxErr, Math.abs(p.grad()[i] / r.numMasked() - ref[i]));
                    maxRef = Math.max(maxRef, Math.abs(ref[i]));
                }
                maxAll = Math.max(maxAll, maxRef);
                rows.add(new Object[]{p.name, maxErr, maxRef, zero.contains(g.getFileName().toString().replace(".npy", ""))});
                checked++;
            }
            for (Object[] row : rows) {
                String pn = (String) row[0];
                double maxErr = (double) row[1], maxRef = (double) row[2];
                if ((boolean) row[3] || isZeroGrad(zero, pn)) {
                    assertTrue(maxErr <= 1e-6 * maxAll, name + "/" + pn + ": zero-gradient tensor off by " + maxErr);
                } else {
                    double rel = maxErr / maxRef;
                    worst = Math.max(worst, rel);
                    assertTrue(rel <= GRAD_TOL, name + "/" + pn + ": gradient relative error " + rel + " > " + GRAD_TOL);
                }
            }
            System.out.printf("pretrain parity %-10s loss %.6f (ref %.6f), %d gradients, worst relative error %.2e (tolerance %.0e)%n",
                    name, r.loss(), ((Number) exp.get("loss")).doubleValue(), checked, worst, GRAD_TOL);
        }
    }

    static boolean isZeroGrad(List<Object> zero, String paramName) {
        for (Object z : zero) if (z.toString().endsWith(paramName)) return true;
        return false;
    }

    static Path gradFile(Path dir, String param) {
        Path g = dir.resolve("grad").resolve(param + ".npy");
        return Files.exists(g) ? g : dir.resolve("grad").resolve("wav2vec2." + param + ".npy");
    }

    static void checkScalar(String name, String key, double actual, Map<String, Object> exp) {
        double expected = ((Number) exp.get(key)).doubleValue();
        double rel = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
        assertTrue(rel <= LOSS_TOL, name + ": " + key + " = " + actual + ", reference " + expected + " (relative error " + rel + ")");
    }
}
