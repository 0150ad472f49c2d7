package w2v4j.repl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import w2v4j.core.W2vException;
import w2v4j.core.audio.AudioFiles;
import w2v4j.core.io.Json;
import w2v4j.kernels.Backend;
import w2v4j.train.ctc.ErrorRate;
import w2v4j.train.data.ManifestReader;
import w2v4j.train.decode.Recognizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code w2v eval}: WER and CER of a fine-tuned model on a labelled manifest. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Word and character error rates of a CTC model on SPLIT.tsv + SPLIT.wrd (greedy, or beam search with an n-gram LM).",
                "Per-utterance hypotheses go to --hyp-out (default MODEL_DIR/hyp-SPLIT.tsv)."})
public final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL_DIR", description = "Fine-tuned model directory (or a finetune run: its checkpoint_best).")
    Path modelDir;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Folder with SPLIT.tsv and SPLIT.wrd.")
    Path data;

    @Option(names = "--subset", defaultValue = "test", description = "Split to evaluate (default ${DEFAULT-VALUE}).")
    String subset;

    @Option(names = "--hyp-out", paramLabel = "FILE", description = "Where to write path, reference and hypothesis per utterance.")
    Path hypOut;

    @Option(names = "--batch-seconds", defaultValue = "120", description = "Audio per inference batch (default ${DEFAULT-VALUE} s).")
    double batchSeconds;

    @Option(names = "--json", description = "Print one JSON object: wer and cer in percent, utterances, decoder settings.")
    boolean json;

    @Mixin
    DecodingOptions decoding = new DecodingOptions();

    @Override
    public Integer call() throws IOException {
        Path dir = FinetuneCommand.bestModelDir(modelDir);
        ManifestReader.Contents manifest = ManifestReader.read(data, subset);
        Path wrd = data.resolve(subset + ".wrd");
        if (!Files.exists(wrd)) throw W2vException.file(wrd, "missing (eval needs reference words aligned with " + subset + ".tsv)");
        List<String> refs = Files.readAllLines(wrd, StandardCharsets.UTF_8);
        if (refs.size() != manifest.entries().size())
            throw W2vException.file(wrd, refs.size() + " lines but " + subset + ".tsv lists " + manifest.entries().size() + " files");
        long t0 = System.nanoTime();
        ErrorRate.Accumulator acc = new ErrorRate.Accumulator();
        Path hyps = hypOut != null ? hypOut : dir.resolve("hyp-" + subset + ".tsv");
        StringBuilder lines = new StringBuilder("path\treference\thypothesis\tword_errors\twords\n");
        double audioSeconds = 0;
        try (Backend backend = decoding.backend.open()) {
            Recognizer rec = decoding.recognizer(dir, backend);
            List<ManifestReader.Entry> entries = manifest.entries();
            int i = 0;
            while (i < entries.size()) {
                List<float[]> waves = new ArrayList<>();
                long samples = 0;
                int start = i;
                while (i < entries.size() && (waves.isEmpty() || samples + entries.get(i).samples() <= batchSeconds * 16000)) {
                    float[] w = AudioFiles.readMono(entries.get(i).path(), 16000);
                    waves.add(w);
                    samples += w.length;
                    i++;
                }
                audioSeconds += samples / 16000.0;
                List<String> texts = rec.transcribe(waves);
                for (int j = 0; j < texts.size(); j++) {
                    ManifestReader.Entry e = entries.get(start + j);
                    String ref = refs.get(start + j).strip();
                    ErrorRate.Alignment a = acc.add(ref, texts.get(j));
                    lines.append(e.relPath()).append('\t').append(ref).append('\t').append(texts.get(j)).append('\t')
                            .append(a.counts().errors()).append('\t').append(a.counts().reference()).append('\n');
                }
                if (!json) System.err.printf("\reval %d/%d utterances", i, entries.size());
            }
        }
        if (!json) System.err.println();
        Files.writeString(hyps, lines, StandardCharsets.UTF_8);
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", dir.toString());
            o.put("subset", subset);
            o.put("utterances", acc.utterances());
            o.put("wer", acc.wer());
            o.put("cer", acc.cer());
            o.put("words", acc.words().reference());
            o.put("decoder", decoding.greedy() ? "greedy" : "beam");
            if (!decoding.greedy()) {
                o.put("beam", decoding.beamSize());
                o.put("lm", decoding.lm == null ? null : decoding.lm.toString());
                o.put("lm_weight", decoding.lmWeight);
                o.put("word_score", decoding.wordScore);
            }
            o.put("audio_s", audioSeconds);
            o.put("wall_s", seconds);
            o.put("hypotheses", hyps.toString());
            System.out.println(Json.write(o));
        } else {
            System.out.printf("%s on %s (%d utterances, %.1f min of audio, %s): WER %.2f%%  CER %.2f%%  (S %d D %d I %d of %d words) in %.1f s%n",
                    dir, subset, acc.utterances(), audioSeconds / 60, decoding.describe(), acc.wer(), acc.cer(),
                    acc.words().substitutions(), acc.words().deletions(), acc.words().insertions(), acc.words().reference(), seconds);
            System.out.println("hypotheses: " + hyps);
        }
        return 0;
    }
}
