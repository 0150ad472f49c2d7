package w2v4j.train.pretrain;

import w2v4j.kernels.Backend;
import w2v4j.model.HfCheckpoint;
import w2v4j.model.Param;
import w2v4j.model.TrainOptions;
import w2v4j.model.Wav2Vec2Model;
import w2v4j.train.data.Batch;
import w2v4j.train.objective.GumbelTemperature;
import w2v4j.train.objective.PretrainingObjective;
import w2v4j.train.run.StepMetrics;
import w2v4j.train.run.TrainConfig;
import w2v4j.train.run.TrainingTask;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * wav2vec 2.0 pre-training as a {@link TrainingTask}. Task keys (fairseq names, BASE defaults):
 * {@code mask_prob 0.65, mask_length 10, min_masks 2, cross_sample_negatives 0,
 * diversity_weight 0.1, feature_pen_weight 10, latent_temp [2, 0.5, 0.999995],
 * feature_grad_mult 0.1, dropout 0.1, dropout_input 0.1, dropout_features 0.1,
 * activation_dropout 0, encoder_layerdrop 0.05}. Attention-probability dropout is not
 * implemented (the memory-light attention backward recomputes probabilities), so
 * {@code attention_dropout} is fixed at 0.
 */
public final class PretrainTask implements TrainingTask {
    private final Wav2Vec2Model model;
    private final PretrainStep step;
    private final GumbelTemperature temperature;
    private double tau;
    /** Code counts [G][V] of the validation pass since the last training step: the codebook usage. */
    private final long[][] validCodes;
    private boolean validating;

    /** Declares this task's keys (with defaults) in {@code cfg}. */
    public static TrainConfig defineKeys(TrainConfig cfg, boolean largeDefaults) {
        return cfg.define("mask_prob", 0.65).define("mask_length", 10).define("min_masks", 2)
                .define("cross_sample_negatives", 0).define("diversity_weight", 0.1)
                .define("feature_pen_weight", largeDefaults ? 0.0 : 10.0)
                .define("latent_temp", largeDefaults ? List.of(2.0, 0.1, 0.999995) : List.of(2.0, 0.5, 0.999995))
                .define("feature_grad_mult", largeDefaults ? 1.0 : 0.1)
                .define("dropout", 0.1).define("dropout_input", 0.1).define("dropout_features", 0.1)
                .define("activation_dropout", 0.0).define("encoder_layerdrop", 0.05);
    }

    private final Backend backend;

    public PretrainTask(Wav2Vec2Model model, Backend backend, TrainConfig cfg) {
        this.model = model;
        this.backend = backend;
        double[] lt = cfg.getDoubles("latent_temp", new double[]{2.0, 0.5, 0.999995});
        if (lt.length != 3) throw new w2v4j.core.W2vException("latent_temp needs three values [start, end, decay], got " + java.util.Arrays.toString(lt));
        temperature = new GumbelTemperature(lt[0], lt[1], lt[2]);
        TrainOptions opts = new TrainOptions(cfg.getDouble("feature_grad_mult", 0.1), (float) cfg.getDouble("dropout_input", 0.1),
                (float) cfg.getDouble("dropout_features", 0.1), (float) cfg.getDouble("dropout", 0.1),
                (float) cfg.getDouble("activation_dropout", 0.0), (float) cfg.getDouble("encoder_layerdrop", 0.05));
        step = new PretrainStep(model, backend, new PretrainStep.Settings(cfg.getDouble("mask_prob", 0.65), cfg.getInt("mask_length", 10),
                cfg.getInt("min_masks", 2), cfg.getInt("cross_sample_negatives", 0), cfg.getDouble("feature_pen_weight", 10),
                cfg.getDouble("diversity_weight", 0.1), opts));
        tau = temperature.at(0);
        validCodes = new long[model.config.numCodevectorGroups()][model.config.numCodevectorsPerGroup()];
    }

    @Override
    public List<Param> parameters() {
        return new ArrayList<>(model.params.all());
    }

    @Override
    public void beginUpdate(long update) {
        tau = temperature.at(update);
    }

    @Override
    public StepMetrics trainStep(Batch batch, long update, RandomGenerator rng) {
        if (validating) {
            validating = false;
            step.countCodes(null);
        }
        List<float[]> waves = List.of(batch.waves());
        PretrainStep.Inputs in = step.sample(waves, true, rng);
        return metrics(step.run(waves, in, tau, true, rng.nextLong()), true);
    }

    @Override
    public StepMetrics validStep(Batch batch, RandomGenerator rng) {
        if (!validating) {
            validating = true;
            for (long[] g : validCodes) java.util.Arrays.fill(g, 0);
            step.countCodes(validCodes);
        }
        List<float[]> waves = List.of(batch.waves());
        PretrainStep.Inputs in = step.sample(waves, false, rng);
        PretrainingObjective.Result r = step.run(waves, in, tau, false, 0);
        return metrics(r, false);
    }

    private StepMetrics metrics(PretrainingObjective.Result r, boolean train) {
        double n = r.numMasked();
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("loss_contrastive", r.lossContrastive() * n);
        v.put("loss_diversity", r.lossDiversity() * n);
        v.put("loss_features_pen", r.lossFeaturesPen() * n);
        v.put("accuracy", r.accuracy());
        v.put("code_perplexity", r.codePerplexity());
        v.put("prob_perplexity", r.probPerplexity());
        if (train) v.put("temp", tau);
        return new StepMetrics(r.loss() * n, n, v);
    }

    @Override
    public void parametersChanged() {
        model.prepare(backend);
    }

    @Override
    public List<float[]> derivedArrays() {
        return model.derivedWeights();
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public void saveModel(Path dir) {
        HfCheckpoint.save(model, dir);
    }

    /**
     * Writes the codebook usage of the latest validation pass as {@code {"groups": G, "vars": V, "counts": [[...], ...]}}
     * (what {@code plot codebook RUN} draws); nothing when no validation ran.
     */
    public void writeCodebookUsage(Path file) {
        long total = 0;
        List<List<Long>> counts = new ArrayList<>();
        for (long[] g : validCodes) {
            List<Long> row = new ArrayList<>();
            for (long c : g) {
                row.add(c);
                total += c;
            }
            counts.add(row);
        }
        if (total == 0) return;
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("groups", validCodes.length);
        o.put("vars", validCodes[0].length);
        o.put("counts", counts);
        w2v4j.core.io.Json.write(file, o);
    }

    public Wav2Vec2Model model() {
        return model;
    }
}
