package w2v4j.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import w2v4j.core.audio.AudioFiles;
import w2v4j.core.io.Json;
import w2v4j.repl.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Over-fitting check of the whole fine-tuning path (CLI finetune, CTC loss and its gradient, the
 * encoder backward, Adam, checkpointing, vocab.json, then CLI eval with greedy decoding): a small
 * model trained on 8 utterances must transcribe them with WER 0. The "speech" is a toy language
 * in which every letter is a tone of its own, so the test needs no speech synthesiser and runs in
 * seconds, yet the model still has to learn alignment-free recognition of letter sequences.
 */
class FinetuneOverfitTest {
    @TempDir
    Path tmp;

    static final String[] SENTENCES = {"AB CD", "BAD", "CAB DE", "ED BE", "DEAD", "ACE BED", "BEAD", "DAB"};

    static float[] speak(String sentence) {
        int letter = 16000 * 12 / 100, gap = 16000 * 10 / 100;
        float[] x = new float[gap + sentence.length() * (letter + 800) + gap];
        int pos = gap;
        for (char ch : sentence.toCharArray()) {
            if (ch == ' ') {
                pos += gap;
                continue;
            }
            double f = 300 + 170 * (ch - 'A');
            for (int t = 0; t < letter; t++) {
                double env = Math.sin(Math.PI * t / letter);
                x[pos + t] = (float) (0.4 * env * Math.sin(2 * Math.PI * f * t / 16000.0));
            }
            pos += letter + 800;
        }
        return java.util.Arrays.copyOf(x, pos + gap);
    }

    static String ltr(String sentence) {
        StringBuilder b = new StringBuilder();
        for (String w : sentence.split(" ")) {
            for (char c : w.toCharArray()) b.append(c).append(' ');
            b.append("| ");
        }
        return b.toString().strip();
    }

    @Test
    void overfitsEightUtterancesToZeroWer() throws Exception {
        Path data = tmp.resolve("data");
        corpus(data);
        Path run = tmp.resolve("run");
        int rc = Main.commandLine().execute("finetune", "--data", data.toString(), "--out", run.toString(), "--preset", "micro",
                "--train-subset", "train", "--valid-subset", "train", "--max-updates", "250",
                "--set", "lr=2e-3", "--set", "mask_prob=0", "--set", "mask_channel_prob=0", "--set", "encoder_layerdrop=0",
                "--set", "activation_dropout=0", "--set", "freeze_finetune_updates=20", "--set", "validate_interval=50",
                "--set", "log_interval=25", "--set", "save_interval=250");
        assertEquals(0, rc);
        assertTrue(Files.exists(run.resolve("checkpoints/checkpoint_best/vocab.json")), "the model directory carries vocab.json");
        List<Map<String, Object>> valid = PretrainResumeTest.metrics(run).stream().filter(m -> "valid".equals(m.get("split"))).toList();
        assertTrue(valid.get(valid.size() - 1).containsKey("wer"), "validation lines carry wer: " + valid.get(valid.size() - 1));

        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.commandLine().execute("eval", run.toString(), "--data", data.toString(), "--subset", "train", "--json"));
        } finally {
            System.setOut(old);
        }
        Json.Obj r = new Json.Obj(castMap(Json.parse(buf.toString(StandardCharsets.UTF_8).strip())), null);
        assertEquals(8, r.getInt("utterances"));
        assertEquals(0.0, r.getDouble("wer"), "hypotheses: " + Files.readString(Path.of(r.getString("hypotheses"))));
        assertEquals(0.0, r.getDouble("cer"));
    }

    /** The toy corpus in {@code data}: split {@code train} (tsv, ltr, wrd) and dict.ltr.txt. */
    static void corpus(Path data) throws java.io.IOException {
        Files.createDirectories(data);
        StringBuilder tsv = new StringBuilder(data.toAbsolutePath() + "\n"), ltr = new StringBuilder(), wrd = new StringBuilder();
        for (int i = 0; i < SENTENCES.length; i++) {
            float[] x = speak(SENTENCES[i]);
            AudioFiles.writeWav(data.resolve("u" + i + ".wav"), x, 16000);
            tsv.append("u").append(i).append(".wav\t").append(x.length).append('\n');
            ltr.append(ltr(SENTENCES[i])).append('\n');
            wrd.append(SENTENCES[i]).append('\n');
        }
        Files.writeString(data.resolve("train.tsv"), tsv);
        Files.writeString(data.resolve("train.ltr"), ltr);
        Files.writeString(data.resolve("train.wrd"), wrd);
        Files.writeString(data.resolve("dict.ltr.txt"), "| 20\nA 9\nB 9\nD 9\nE 9\nC 4\n");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
