package w2v4j.repl;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import w2v4j.core.W2vException;
import w2v4j.core.io.Json;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code w2v demo}: the whole pipeline on the built-in corpus, through the same commands a user
 * types: synthesise speech, pre-train {@code micro}, fine-tune it on the 10-minute labelled subset
 * (and, for comparison, the same model from random weights with the same budget), build a 4-gram
 * LM from the training transcripts, and evaluate greedy and LM decoding on dev, test and
 * test-unseen. Prints a WER table and writes it to DIR/results.md; plots go to the runs' plots/.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"End-to-end demo on the built-in espeak-ng corpus: synth, pretrain, finetune, LM, eval (about 15 minutes on 2 cores).",
                "Re-running it reuses (and resumes) what DIR already holds."})
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "demo", paramLabel = "DIR", description = "Working folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--hours", defaultValue = "0.5", description = "Corpus size in hours (default ${DEFAULT-VALUE}).")
    double hours;

    @Option(names = "--pretrain-updates", defaultValue = "400", description = "Pre-training updates (default ${DEFAULT-VALUE}).")
    int pretrainUpdates;

    @Option(names = "--finetune-updates", defaultValue = "300", description = "Fine-tuning updates of each model (default ${DEFAULT-VALUE}).")
    int finetuneUpdates;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for the corpus and the runs (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        Path corpus = out.resolve("corpus"), pre = out.resolve("pretrain"), ftPre = out.resolve("finetune-pretrained"),
                ftRand = out.resolve("finetune-random"), lm = out.resolve("lm-4gram.arpa");
        Files.createDirectories(out);
        if (!Files.exists(corpus.resolve("train-10m.tsv"))) {
            stage("1/5 synthesising " + hours + " h of speech with espeak-ng");
            run("data", "synth", "--out", corpus.toString(), "--hours", String.valueOf(hours), "--seed", String.valueOf(seed));
        }
        stage("2/5 pre-training micro for " + pretrainUpdates + " updates");
        run("pretrain", "--data", corpus.toString(), "--out", pre.toString(), "--preset", "micro",
                "--max-updates", String.valueOf(pretrainUpdates), "--set", "seed=" + seed);
        stage("3/5 fine-tuning on train-10m: from the pre-trained model, then from random weights");
        String[] ft = {"--data", corpus.toString(), "--preset", "micro", "--max-updates", String.valueOf(finetuneUpdates), "--set", "seed=" + seed};
        run(concat(new String[]{"finetune", "--init", pre.toString(), "--out", ftPre.toString()}, ft));
        run(concat(new String[]{"finetune", "--out", ftRand.toString()}, ft));
        stage("4/5 building a 4-gram LM from the pre-training transcripts (dev/test sentences are never in them)");
        if (!Files.exists(lm)) run("lm", "build", "--order", "4", corpus.resolve("pretrain.wrd").toString(), lm.toString());
        stage("5/5 evaluating");
        List<String> rows = new ArrayList<>();
        rows.add("| model | decoding | dev WER | test WER | test-unseen WER | dev CER | test CER | test-unseen CER |");
        rows.add("|---|---|---|---|---|---|---|---|");
        Map<String, Path> models = new LinkedHashMap<>();
        models.put("micro, pre-trained + fine-tuned", ftPre);
        models.put("micro, fine-tuned from random init", ftRand);
        for (Map.Entry<String, Path> m : models.entrySet()) {
            for (boolean withLm : new boolean[]{false, true}) {
                StringBuilder wer = new StringBuilder(), cer = new StringBuilder();
                for (String split : new String[]{"dev", "test", "test-unseen"}) {
                    List<String> args = new ArrayList<>(List.of("eval", m.getValue().toString(), "--data", corpus.toString(), "--subset", split, "--json",
                            "--hyp-out", m.getValue().resolve("hyp-" + split + (withLm ? "-lm" : "") + ".tsv").toString()));
                    if (withLm) args.addAll(List.of("--lm", lm.toString(), "--beam", "50", "--lm-weight", "2", "--word-score", "-1"));
                    Json.Obj r = new Json.Obj(castMap(Json.parse(capture(args.toArray(new String[0])))), null);
                    wer.append(String.format(" %.1f |", r.getDouble("wer")));
                    cer.append(String.format(" %.1f |", r.getDouble("cer")));
                }
                rows.add("| " + m.getKey() + " | " + (withLm ? "beam 50 + 4-gram LM" : "greedy") + " |" + wer + cer);
            }
        }
        String table = String.join("\n", rows);
        double minutes = (System.nanoTime() - t0) / 60e9;
        String report = "# w2v4j demo results\n\nCorpus: " + corpus + " (" + hours + " h, espeak-ng), pre-training " + pretrainUpdates
                + " updates, fine-tuning " + finetuneUpdates + " updates on train-10m; " + String.format("%.1f", minutes) + " min in all.\n\n"
                + table + "\n";
        Files.writeString(out.resolve("results.md"), report, StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(table);
        System.out.printf("%nwritten to %s (%.1f min)%n", out.resolve("results.md"), minutes);
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static void stage(String s) {
        System.err.println();
        System.err.println("== demo " + s);
    }

    private static void run(String... args) {
        int rc = Main.commandLine().execute(args);
        if (rc != 0) throw new W2vException("demo step failed: w2v " + String.join(" ", args));
    }

    /** Runs a command and returns what it printed on stdout (commands print through System.out). */
    private static String capture(String... args) {
        CommandLine cl = Main.commandLine();
        java.io.PrintStream old = System.out;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(buf, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = cl.execute(args);
        } finally {
            System.setOut(old);
        }
        if (rc != 0) throw new W2vException("demo step failed: w2v " + String.join(" ", args));
        return buf.toString(StandardCharsets.UTF_8).strip();
    }
}
