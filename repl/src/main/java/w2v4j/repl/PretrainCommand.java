package w2v4j.repl;

import picocli.CommandLine.Command;
import w2v4j.kernels.Backend;
import w2v4j.model.Presets;
import w2v4j.model.Wav2Vec2Model;
import w2v4j.train.data.AudioDataset;
import w2v4j.train.pretrain.PretrainPresets;
import w2v4j.train.pretrain.PretrainTask;
import w2v4j.train.run.Progress;
import w2v4j.train.run.RunDir;
import w2v4j.train.run.TrainConfig;
import w2v4j.train.run.Trainer;

import java.util.concurrent.Callable;

/** {@code w2v pretrain}: self-supervised pre-training; running it again on the same RUN resumes. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Pre-train a wav2vec 2.0 model (masked contrastive objective) on a fairseq manifest.",
                "Running it again with the same --out resumes from checkpoint_last exactly where it stopped."})
public final class PretrainCommand extends TrainingRun implements Callable<Integer> {
    @Override
    public Integer call() {
        Resolved r = resolve(PretrainPresets::config, c -> PretrainTask.defineKeys(c, false), Presets::get);
        TrainConfig cfg = r.train();
        Wav2Vec2Model model = new Wav2Vec2Model(r.model(), new Wav2Vec2Model.Heads(false, 0, true, true)).initRandom(cfg.seed);
        AudioDataset train = AudioDataset.open(data, cfg.trainSubset, AudioDataset.Mode.CROP, cfg.minSampleSize, cfg.maxSampleSize, null);
        AudioDataset valid = validManifest(cfg) == null ? null
                : AudioDataset.open(data, cfg.validSubset, AudioDataset.Mode.CROP, cfg.minSampleSize, cfg.maxSampleSize, null);
        writeConfig(r, r.model());
        try (Backend be = backend.open()) {
            PretrainTask task = new PretrainTask(model, be, cfg);
            System.err.printf("w2v: pre-training %s (%,d parameters) on %d utterances of %s, backend %s, %d updates%n",
                    r.preset(), model.params.count(), train.size(), cfg.trainSubset, be.name(), cfg.maxUpdate);
            long done = new Trainer(task, cfg, r.run(), train, valid, Progress.console()).run();
            task.writeCodebookUsage(r.run().dir().resolve("codebook_usage.json"));
            System.err.println("w2v: " + done + " updates; model in " + r.run().checkpoint(RunDir.LAST));
        }
        return 0;
    }
}
