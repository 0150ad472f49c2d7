package w2v4j.train.run;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

import w2v4j.core.W2vException;
import w2v4j.core.io.Json;
import w2v4j.core.io.SafeTensors;
import w2v4j.core.tensor.Tensor;
import w2v4j.model.Param;
import w2v4j.train.data.Batch;

/**
 * Test double for the trainer: linear regression on four features of each waveform (its quarter means, scaled), with
 * the target a fixed linear function of the same features, so the optimum is known (W*, B*). Training perturbs the
 * features with rng noise (as dropout would), so the rng stream matters for exactness. Hooks inject failures.
 */
final class LinearTask implements TrainingTask {
    static final float[] W_STAR = {1f, -2f, 0.5f, 3f};
    static final float B_STAR = 0.25f;

    final Param w = new Param("w", 4);
    final Param b = new Param("b", 1);
    /** Not used by the loss; lets a test poison a parameter without touching loss or gradients. */
    final Param spare = new Param("spare", 2);
    final Set<Long> nanLossAt = new HashSet<>();
    final Set<Long> nanGradAt = new HashSet<>();
    long poisonSpareAfter = -1;
    int failSaveNumber = -1;
    int saves;
    int parametersChangedCalls;
    long lastUpdate = -1;

    LinearTask(float init) {
        java.util.Arrays.fill(w.value, init);
        b.value[0] = init;
        spare.value[0] = 1;
    }

    @Override
    public List<Param> parameters() {
        return List.of(w, b, spare);
    }

    @Override
    public void beginUpdate(long update) {
        lastUpdate = update;
    }

    static void features(float[] wave, int len, float[] x) {
        int q = len / 4;
        for (int j = 0; j < 4; j++) {
            double s = 0;
            for (int i = j * q; i < (j + 1) * q; i++) {
                s += wave[i];
            }
            x[j] = (float) (s / q * 50);
        }
    }

    @Override
    public StepMetrics trainStep(Batch batch, long update, RandomGenerator rng) {
        return step(batch, rng, true, update);
    }

    @Override
    public StepMetrics validStep(Batch batch, RandomGenerator rng) {
        return step(batch, rng, false, -1);
    }

    private StepMetrics step(Batch batch, RandomGenerator rng, boolean train, long update) {
        float[] x = new float[4];
        double loss = 0;
        int close = 0;
        float[] gw = w.grad(), gb = b.grad();
        for (int r = 0; r < batch.size(); r++) {
            features(batch.waves()[r], batch.lengths()[r], x);
            float y = B_STAR;
            for (int j = 0; j < 4; j++) {
                y += W_STAR[j] * x[j];
            }
            float pred = b.value[0];
            for (int j = 0; j < 4; j++) {
                float xj = train ? x[j] * (float) (1 + 0.05 * rng.nextGaussian()) : x[j];
                x[j] = xj;
                pred += w.value[j] * xj;
            }
            float err = pred - y;
            loss += (double) err * err;
            close += Math.abs(err) < 0.5f ? 1 : 0;
            if (train) {
                for (int j = 0; j < 4; j++) {
                    gw[j] += 2 * err * x[j];
                }
                gb[0] += 2 * err;
            }
        }
        if (train && nanGradAt.remove(update)) {
            gw[1] = Float.NaN;
        }
        if (train && nanLossAt.remove(update)) {
            loss = Double.NaN;
        }
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("loss_mse", loss);
        values.put("accuracy", (double) close / batch.size());
        values.put("temp", 2.0 - (train ? update : 0) * 0.01);
        return new StepMetrics(loss, batch.size(), values);
    }

    @Override
    public void parametersChanged() {
        parametersChangedCalls++;
        if (poisonSpareAfter >= 0 && lastUpdate == poisonSpareAfter) {
            spare.value[1] = Float.NaN;
        }
    }

    @Override
    public void saveModel(Path dir) {
        if (++saves == failSaveNumber) {
            Json.write(dir.resolve("config.json"), Map.of("model_type", "fake-linear"));
            throw new W2vException("simulated failure while saving the model");
        }
        Json.write(dir.resolve("config.json"), Map.of("model_type", "fake-linear"));
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (Param p : parameters()) {
            t.put(p.name, new Tensor(p.name, p.shape, p.value));
        }
        SafeTensors.write(dir.resolve("model.safetensors"), t, Map.of());
    }
}
