package w2v4j.repl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import w2v4j.core.W2vException;
import w2v4j.core.config.Wav2Vec2Config;
import w2v4j.core.io.Json;
import w2v4j.kernels.Backend;
import w2v4j.kernels.Backends;
import w2v4j.model.Presets;
import w2v4j.model.Wav2Vec2Model;
import w2v4j.train.data.AudioDataset;
import w2v4j.train.pretrain.PretrainPresets;
import w2v4j.train.pretrain.PretrainTask;
import w2v4j.train.run.Progress;
import w2v4j.train.run.RunDir;
import w2v4j.train.run.TrainConfig;
import w2v4j.train.run.Trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code w2v pretrain}: self-supervised pre-training; running it again on the same RUN resumes. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pre-train a wav2vec 2.0 model (masked contrastive objective) on a fairseq manifest.",
                "Running it again with the same --out resumes from checkpoint_last exactly where it stopped."})
public final class PretrainCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Folder with SPLIT.tsv manifests.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "RUN", description = "Run directory (created, or resumed).")
    Path out;

    @Option(names = "--train-subset", paramLabel = "SPLIT", description = "Training manifest name (preset default: pretrain).")
    String trainSubset;

    @Option(names = "--valid-subset", paramLabel = "SPLIT", description = "Validation manifest name (preset default: pretrain-valid; 'none' for no validation).")
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

    @Option(names = "--backend", defaultValue = "java", description = "Compute backend (default ${DEFAULT-VALUE}).")
    String backendName;

    @Option(names = "--device", defaultValue = "0", description = "Device index for accelerated backends.")
    int device;

    @Override
    public Integer call() {
        RunDir run = RunDir.open(out);
        boolean resume = run.hasCheckpoint(RunDir.LAST);
        TrainConfig cfg;
        Wav2Vec2Config modelConfig;
        String presetName;
        if (resume || Files.isRegularFile(out.resolve(RunDir.CONFIG))) {
            // the run's own config wins; options given now may only adjust training keys
            Json.Obj stored = Json.readObject(out.resolve(RunDir.CONFIG));
            presetName = stored.getString("preset", preset);
            Json.Obj m = stored.getObject("model");
            modelConfig = Wav2Vec2Config.fromJson(m, m.has("preprocessor") ? m.getObject("preprocessor") : null);
            cfg = PretrainTask.defineKeys(run.readTrainConfig(), presetName.equals("large"));
            System.err.println("w2v: " + (resume ? "resuming" : "restarting") + " run " + out + " (preset " + presetName + ")");
        } else {
            presetName = preset;
            modelConfig = Presets.get(preset);
            cfg = PretrainPresets.config(preset);
        }
        if (configFile != null) {
            for (Map.Entry<String, Object> e : Json.readObject(configFile).map().entrySet()) cfg.set(e.getKey(), String.valueOf(e.getValue()));
        }
        for (String s : sets) cfg.set(s);
        if (trainSubset != null) cfg.trainSubset = trainSubset;
        if (validSubset != null) cfg.validSubset = validSubset;
        if (maxUpdates != null) cfg.maxUpdate = maxUpdates;
        cfg.validate();

        Wav2Vec2Model model = new Wav2Vec2Model(modelConfig, new Wav2Vec2Model.Heads(false, 0, true, true)).initRandom(cfg.seed);
        AudioDataset train = AudioDataset.open(data, cfg.trainSubset, AudioDataset.Mode.CROP, cfg.minSampleSize, cfg.maxSampleSize, null);
        AudioDataset valid = null;
        if (!cfg.validSubset.equals("none")) {
            if (Files.exists(data.resolve(cfg.validSubset + ".tsv"))) {
                valid = AudioDataset.open(data, cfg.validSubset, AudioDataset.Mode.CROP, cfg.minSampleSize, cfg.maxSampleSize, null);
            } else {
                System.err.println("w2v: no " + data.resolve(cfg.validSubset + ".tsv") + "; training without validation");
            }
        }
        Map<String, Object> modelJson = new java.util.LinkedHashMap<>(modelConfig.toJson());
        modelJson.put("preprocessor", modelConfig.preprocessorJson());
        run.writeConfig(modelJson, cfg, presetName);
        try (Backend backend = Backends.get(backendName, device)) {
            PretrainTask task = new PretrainTask(model, backend, cfg);
            System.err.printf("w2v: pre-training %s (%,d parameters) on %d utterances of %s, backend %s, %d updates%n",
                    presetName, model.params.count(), train.size(), cfg.trainSubset, backend.name(), cfg.maxUpdate);
            long done = new Trainer(task, cfg, run, train, valid, Progress.console()).run();
            System.err.println("w2v: " + done + " updates; model in " + run.checkpoint(RunDir.LAST));
        }
        return 0;
    }
}
