package w2v4j.repl;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import w2v4j.core.config.Wav2Vec2Config;
import w2v4j.model.HfCheckpoint;
import w2v4j.model.Wav2Vec2Model;

import java.nio.file.Path;

/** {@code model load DIR | show}: the session's model (checked by loading it), the default of finetune's --init. */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "The session's model: 'model load DIR' loads and checks a model (or a run's checkpoint) and makes it the default of finetune --init; 'model show' describes it.",
        subcommands = {ModelCommand.Load.class, ModelCommand.Show.class, CommandLine.HelpCommand.class})
public final class ModelCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "load", mixinStandardHelpOptions = true, description = "Load DIR (a HF model directory or a run) and make it the session's model.")
    static final class Load implements Runnable {
        @Parameters(paramLabel = "DIR", description = "Model directory, or a pretrain/finetune run (its best, else last, checkpoint).")
        Path dir;

        @Override
        public void run() {
            Path modelDir = FinetuneCommand.bestModelDir(dir).toAbsolutePath();
            describe(modelDir, HfCheckpoint.load(modelDir));
            Session.current().useModel(modelDir);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Describe the session's model.")
    static final class Show implements Runnable {
        @Override
        public void run() {
            Path m = Session.current().model();
            if (m == null) {
                System.out.println("no model loaded (model load DIR)");
                return;
            }
            describe(m, HfCheckpoint.load(m));
        }
    }

    static void describe(Path dir, Wav2Vec2Model m) {
        Wav2Vec2Config c = m.config;
        System.out.println("model: " + dir);
        System.out.printf("  %,d parameters; %d layers of %d (%d heads, FFN %d), %s-LN, %s-norm feature encoder (%d convs)%n",
                m.params.count(), c.numHiddenLayers(), c.hiddenSize(), c.numAttentionHeads(), c.intermediateSize(),
                c.doStableLayerNorm() ? "pre" : "post", c.featExtractNorm(), c.convDim().length);
        System.out.println("  heads: " + (m.heads.ctc() ? "CTC (" + m.vocabSize() + " symbols)" : m.heads.pretraining() ? "pre-training (quantizer "
                + c.numCodevectorGroups() + " x " + c.numCodevectorsPerGroup() + ")" : "none (encoder only)")
                + "; input normalisation " + (c.doNormalize() ? "on" : "off"));
    }
}
