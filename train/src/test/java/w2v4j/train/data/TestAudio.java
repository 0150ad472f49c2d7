package w2v4j.train.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import w2v4j.core.audio.AudioFiles;

/** Test fixtures: small generated 16 kHz WAV files and a fairseq manifest over them. */
public final class TestAudio {
    private TestAudio() {}

    /**
     * Writes {@code wav/u<i>.wav} with {@code lengths[i]} samples of a deterministic signal (value k/32768 exactly,
     * so reading returns known samples) and {@code DIR/SPLIT.tsv} listing them with their lengths.
     */
    public static Path manifest(Path dir, String split, int... lengths) {
        StringBuilder tsv = new StringBuilder(dir.resolve("wav").toAbsolutePath() + "\n");
        for (int i = 0; i < lengths.length; i++) {
            String name = split + "-u" + i + ".wav";
            AudioFiles.writeWav(dir.resolve("wav").resolve(name), signal(i, lengths[i]), 16000);
            tsv.append(name).append('\t').append(lengths[i]).append('\n');
        }
        return write(dir.resolve(split + ".tsv"), tsv.toString());
    }

    /** Sample j of utterance i: a distinct, exactly representable value per (i, j). */
    public static float[] signal(int i, int n) {
        float[] s = new float[n];
        for (int j = 0; j < n; j++) {
            s[j] = (((i * 7919 + j * 31) % 2001) - 1000) / 32768f;
        }
        return s;
    }

    public static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, text, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
