package w2v4j.repl;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import w2v4j.train.lm.ArpaModel;
import w2v4j.train.lm.KneserNeyBuilder;

import java.nio.file.Path;
import java.util.Locale;

/** {@code w2v lm ...}: word n-gram language models for decoding. */
@Command(name = "lm", mixinStandardHelpOptions = true,
        description = "Word n-gram language models (ARPA) for CTC beam-search decoding.",
        subcommands = {LmCommand.BuildCommand.class, CommandLine.HelpCommand.class})
public final class LmCommand implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = {"Estimate an interpolated modified Kneser-Ney n-gram model, as KenLM's lmplz does.",
                    "TEXT has one sentence per line, words split on whitespace and taken as they are "
                            + "(a fairseq .wrd file works). Where the data is too small for Kneser-Ney's discount "
                            + "estimate, an order falls back to D = 0.5, 1, 1.5 (lmplz's --discount_fallback)."})
    static final class BuildCommand implements Runnable {
        @Parameters(index = "0", paramLabel = "TEXT", description = "Training text, one sentence per line.")
        Path text;

        @Parameters(index = "1", paramLabel = "OUT.arpa", description = "Where the ARPA model goes (written atomically).")
        Path out;

        @Option(names = "--order", defaultValue = "4", paramLabel = "N", description = "n-gram order (default: ${DEFAULT-VALUE}).")
        int order;

        @Override
        public void run() {
            long start = System.nanoTime();
            KneserNeyBuilder.Result r = KneserNeyBuilder.build(text, order);
            ArpaModel lm = r.model();
            lm.write(out);
            System.out.printf(Locale.ROOT, "%s: %d sentences, %d tokens, %d word types (with <s> </s> <unk>)%n",
                    text, r.sentences(), r.tokens(), lm.vocabularySize());
            System.out.println("order  n-grams       D1      D2     D3+");
            for (int k = 1; k <= order; k++) {
                KneserNeyBuilder.Discounts d = r.discounts().get(k - 1);
                System.out.printf(Locale.ROOT, "%5d %8d  %7.4f %7.4f %7.4f%s%n", k, lm.count(k), d.d1(), d.d2(), d.d3plus(),
                        d.fallback() ? "  (fallback: too little data for the estimate)" : "");
            }
            System.out.printf(Locale.ROOT, "wrote %s in %.1f s%n", out, (System.nanoTime() - start) / 1e9);
        }
    }
}
