package w2v4j.repl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import w2v4j.core.W2vException;
import w2v4j.kernels.Backend;
import w2v4j.model.HfCheckpoint;
import w2v4j.model.Presets;
import w2v4j.model.Wav2Vec2Model;
import w2v4j.train.ctc.Vocabulary;
import w2v4j.train.data.AudioDataset;
import w2v4j.train.finetune.FinetunePresets;
import w2v4j.train.finetune.FinetuneTask;
import w2v4j.train.run.Progress;
import w2v4j.train.run.RunDir;
import w2v4j.train.run.TrainConfig;
import w2v4j.train.run.Trainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code w2v finetune}: CTC fine-tuning on labelled data; running it again on the same RUN resumes. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Fine-tune a wav2vec 2.0 model with CTC on a labelled manifest (SPLIT.tsv + SPLIT.ltr + dict.ltr.txt).",
                "--init takes a pre-training run directory or a Hugging Face model directory; without it the preset starts from random weights.",
                "The best checkpoint by dev WER is kept in RUN/checkpoints/checkpoint_best."})
public final class FinetuneCommand extends TrainingRun implements Callable<Integer> {
    @Option(names = "--init", paramLabel = "RUN_OR_MODEL_DIR", description = "Initial weights: a pretrain run or a HF model directory.")
    Path init;

    @Option(names = "--labels", defaultValue = "ltr", description = "Label file extension (default ${DEFAULT-VALUE}).")
    String labels;

    @Override
    public Integer call() {
        Path dict = data.resolve("dict.ltr.txt");
        if (!Files.exists(dict)) throw W2vException.file(dict, "missing (fine-tuning needs the letter dictionary)");
        Vocabulary vocab = Vocabulary.fromFairseqDict(dict);
        Wav2Vec2Model initModel = init == null ? null : HfCheckpoint.load(modelDir(init));
        Resolved r = resolve(FinetunePresets::config, FinetuneTask::defineKeys,
                p -> initModel != null ? initModel.config : Presets.get(p));
        TrainConfig cfg = r.train();
        Wav2Vec2Model model = initModel != null
                ? FinetuneTask.fromPretrained(initModel, vocab.size(), cfg.seed)
                : FinetuneTask.fromPretrained(new Wav2Vec2Model(r.model(), Wav2Vec2Model.Heads.NONE).initRandom(cfg.seed), vocab.size(), cfg.seed);
        AudioDataset train = AudioDataset.open(data, cfg.trainSubset, AudioDataset.Mode.PAD, cfg.minSampleSize, cfg.maxSampleSize, labels);
        Path validTsv = validManifest(cfg);
        AudioDataset valid = validTsv == null ? null
                : AudioDataset.open(data, cfg.validSubset, AudioDataset.Mode.PAD, cfg.minSampleSize, cfg.maxSampleSize, labels);
        writeConfig(r, model.config);
        try (Backend be = backend.open()) {
            FinetuneTask task = new FinetuneTask(model, vocab, be, cfg)
                    .labelFiles(data.resolve(cfg.trainSubset + "." + labels), data.resolve(cfg.validSubset + "." + labels));
            System.err.printf("w2v: fine-tuning %s (%,d parameters, %s) on %d utterances of %s, backend %s, %d updates%n",
                    r.preset(), model.params.count(), init == null ? "random init" : "from " + init, train.size(), cfg.trainSubset,
                    be.name(), cfg.maxUpdate);
            long done = new Trainer(task, cfg, r.run(), train, valid, Progress.console()).run();
            System.err.println("w2v: " + done + " updates; model in " + r.run().checkpoint(RunDir.LAST)
                    + (valid != null ? ", best by dev " + cfg.bestMetric + " in " + r.run().checkpoint(RunDir.BEST) : ""));
        }
        return 0;
    }

    /** A fine-tuning run directory means its best checkpoint (by dev WER), else its last; anything else is a model directory. */
    static Path bestModelDir(Path p) {
        Path best = p.resolve("checkpoints").resolve(RunDir.BEST);
        return Files.isDirectory(best) ? best : modelDir(p);
    }

    /** A pre-training or fine-tuning run directory means its checkpoint_last; anything else is a model directory. */
    static Path modelDir(Path p) {
        Path last = p.resolve("checkpoints").resolve(RunDir.LAST);
        return Files.isDirectory(last) ? last : p;
    }
}
