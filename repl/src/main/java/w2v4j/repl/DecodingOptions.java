package w2v4j.repl;

import picocli.CommandLine.Option;
import w2v4j.kernels.Backend;
import w2v4j.train.decode.CtcBeamSearch;
import w2v4j.train.decode.Recognizer;
import w2v4j.train.lm.ArpaModel;

import java.nio.file.Path;

/** Decoder options shared by {@code eval} and {@code transcribe} (a picocli mixin). */
final class DecodingOptions {
    @Option(names = "--lm", paramLabel = "LM.arpa", description = "Word n-gram LM (ARPA) for beam search; without it decoding is greedy unless --beam is given.")
    Path lm;

    @Option(names = "--beam", paramLabel = "N", description = "Beam size (default 50 with --lm; greedy otherwise).")
    Integer beam;

    @Option(names = "--beam-threshold", defaultValue = "50", description = "Prune hypotheses this far below the best (default ${DEFAULT-VALUE}).")
    double beamThreshold;

    @Option(names = "--lm-weight", defaultValue = "2", description = "LM weight (default ${DEFAULT-VALUE}).")
    double lmWeight;

    @Option(names = "--word-score", defaultValue = "-1", description = "Score added per word (default ${DEFAULT-VALUE}).")
    double wordScore;

    @picocli.CommandLine.Mixin
    BackendOption backend = new BackendOption();

    boolean greedy() {
        return lm == null && beam == null;
    }

    String describe() {
        return greedy() ? "greedy" : "beam " + beamSize() + (lm == null ? ", no LM" : ", LM " + lm.getFileName() + " weight " + lmWeight + " word score " + wordScore);
    }

    int beamSize() {
        return beam == null ? 50 : beam;
    }

    Recognizer recognizer(Path modelDir, Backend backend) {
        if (greedy()) return Recognizer.load(modelDir, backend, null, null);
        ArpaModel model = lm == null ? null : ArpaModel.read(lm);
        CtcBeamSearch.Options o = CtcBeamSearch.Options.defaults().withBeamSize(beamSize()).withBeamThreshold(beamThreshold)
                .withLm(lm == null ? 0 : lmWeight, lm == null ? 0 : wordScore);
        return Recognizer.load(modelDir, backend, model, o);
    }
}
