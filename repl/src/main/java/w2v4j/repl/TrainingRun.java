package w2v4j.repl;

import picocli.CommandLine.Option;
import w2v4j.core.config.Wav2Vec2Config;
import w2v4j.core.io.Json;
import w2v4j.model.Presets;
import w2v4j.train.run.RunDir;
import w2v4j.train.run.TrainConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What {@code pretrain} and {@code finetune} share: their options and how a run's configuration
 * is resolved. A new run takes the preset's model and training defaults, then {@code --config},
 * then {@code --set}; an existing run keeps the configuration stored in RUN/config.json and lets
 * options given now adjust training keys only.
 */
abstract class TrainingRun {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Folder with SPLIT.tsv manifests (and labels).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run directory (created, or resumed).")
    Path out;

    @Option(names = "--train-subset", paramLabel = "SPLIT", description = "Training manifest name (default: the preset's).")
    String trainSubset;

    @Option(names = "--valid-subset", paramLabel = "SPLIT", description = "Validation manifest name (default: the preset's; 'none' for no validation).")
    String validSubset;

    @Option(names = "--preset", defaultValue = "micro", completionCandidates = Presets.Names.class,
            description = "Model and training preset: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON object of training keys to apply over the preset.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a training key (repeatable), e.g. --set lr=1e-3.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--max-updates", paramLabel = "N", description = "Stop after N updates in total (max_update).")
    Long maxUpdates;

    @picocli.CommandLine.Mixin
    BackendOption backend = new BackendOption();

    /** The resolved configuration of this run. */
    record Resolved(RunDir run, boolean resume, String preset, Wav2Vec2Config model, TrainConfig train) {
    }

    /**
     * @param presetTrain  training defaults of a preset
     * @param defineKeys   declares the task's keys on a stored config (so --set can reach them)
     * @param modelFor     the model config of a new run from the preset name
     */
    Resolved resolve(Function<String, TrainConfig> presetTrain, UnaryOperator<TrainConfig> defineKeys, Function<String, Wav2Vec2Config> modelFor) {
        RunDir run = RunDir.open(out);
        boolean resume = run.hasCheckpoint(RunDir.LAST);
        TrainConfig cfg;
        Wav2Vec2Config modelConfig;
        String presetName;
        Path stored = out.resolve(RunDir.CONFIG);
        if (Files.isRegularFile(stored)) {
            Json.Obj c = Json.readObject(stored);
            presetName = c.getString("preset", preset);
            Json.Obj m = c.getObject("model");
            modelConfig = Wav2Vec2Config.fromJson(m, m.has("preprocessor") ? m.getObject("preprocessor") : null);
            cfg = defineKeys.apply(run.readTrainConfig());
            System.err.println("w2v: " + (resume ? "resuming" : "restarting") + " run " + out + " (preset " + presetName + ")");
        } else {
            presetName = preset;
            modelConfig = modelFor.apply(preset);
            cfg = presetTrain.apply(preset);
        }
        if (configFile != null) {
            for (Map.Entry<String, Object> e : Json.readObject(configFile).map().entrySet()) cfg.set(e.getKey(), String.valueOf(e.getValue()));
        }
        // the shell's 'config set' overrides come first, this command's --set after them
        for (Map.Entry<String, String> e : Session.current().overrides().entrySet()) cfg.set(e.getKey(), e.getValue());
        for (String s : sets) cfg.set(s);
        if (trainSubset != null) cfg.trainSubset = trainSubset;
        if (validSubset != null) cfg.validSubset = validSubset;
        if (maxUpdates != null) {
            cfg.maxUpdate = maxUpdates;
            long total = cfg.totalNumUpdate > 0 ? cfg.totalNumUpdate : cfg.maxUpdate;
            if (cfg.lrScheduler.equals("polynomial") && cfg.warmupUpdates >= total) {
                // a short run of a preset made for a longer one: keep the schedule's shape (10% warm-up)
                long w = Math.max(1, total / 10);
                System.err.println("w2v: note: warmup_updates " + cfg.warmupUpdates + " >= " + total + " updates; using " + w);
                cfg.warmupUpdates = w;
            }
        }
        cfg.validate();
        return new Resolved(run, resume, presetName, modelConfig, cfg);
    }

    /** Writes RUN/config.json: the model config (with its preprocessor settings) and the training config. */
    static void writeConfig(Resolved r, Wav2Vec2Config model) {
        Map<String, Object> modelJson = new LinkedHashMap<>(model.toJson());
        modelJson.put("preprocessor", model.preprocessorJson());
        r.run().writeConfig(modelJson, r.train(), r.preset());
    }

    /** The validation manifest, or null (with a note) when the run has none. */
    Path validManifest(TrainConfig cfg) {
        if (cfg.validSubset.equals("none")) return null;
        Path p = data.resolve(cfg.validSubset + ".tsv");
        if (Files.exists(p)) return p;
        System.err.println("w2v: no " + p + "; training without validation");
        return null;
    }
}
