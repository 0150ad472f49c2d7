package w2v4j.train.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import w2v4j.core.W2vException;
import w2v4j.core.audio.AudioFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestBuilderTest {

    @TempDir
    Path tmp;

    private void wav(String rel, int samples, int rate) throws IOException {
        Path p = tmp.resolve("audio").resolve(rel);
        Files.createDirectories(p.getParent());
        float[] x = new float[samples];
        for (int i = 0; i < samples; i++) x[i] = (float) Math.sin(i * 0.05) * 0.3f;
        AudioFiles.writeWav(p, x, rate);
    }

    @Test
    void sampleCountsMatchTheFilesAndBrokenOnesAreListed() throws IOException {
        wav("spk2/b.wav", 32_000, 16_000);
        wav("spk1/a.WAV", 16_123, 16_000);
        wav("spk1/sub/c.wav", 8_000, 8_000);
        Files.writeString(tmp.resolve("audio/spk1/broken.wav"), "this is not audio");
        Files.writeString(tmp.resolve("audio/spk1/notes.txt"), "ignored: wrong extension");

        ManifestBuilder.Result r = ManifestBuilder.build(tmp.resolve("audio"), Set.of("wav", "flac"), 0, 1, 2,
                Progress::silent);
        ManifestBuilder.write(r, tmp.resolve("out"));

        List<String> tsv = Files.readAllLines(tmp.resolve("out/train.tsv"));
        assertEquals(tmp.resolve("audio").toRealPath().toString(), tsv.getFirst());
        assertEquals(List.of("spk1/a.WAV\t16123", "spk1/sub/c.wav\t8000", "spk2/b.wav\t32000"), tsv.subList(1, tsv.size()));
        assertFalse(Files.exists(tmp.resolve("out/valid.tsv")), "a valid share of 0 writes no valid.tsv, as fairseq");
        assertEquals(1, r.notSixteenKhz());

        assertEquals(1, r.skipped().size());
        assertEquals(tmp.resolve("audio").toRealPath().resolve("spk1/broken.wav"), r.skipped().getFirst().file());
        assertFalse(r.skipped().getFirst().reason().isBlank());
        assertFalse(r.skipped().getFirst().reason().contains("broken.wav"), "the path is not repeated in the reason");

        for (Manifest.Entry e : r.train().entries()) {
            assertEquals(AudioFiles.readMono(r.train().audioPath(e), AudioFiles.info(r.train().audioPath(e)).sampleRate()).length, e.samples());
        }
    }

    @Test
    void validSplitIsSeededStableAndRoughlyTheShare() throws IOException {
        for (int i = 0; i < 200; i++) wav(String.format("f%03d.wav", i), 160, 16_000);
        ManifestBuilder.Result a = ManifestBuilder.build(tmp.resolve("audio"), Set.of("wav"), 0.2, 7, 2, Progress::silent);
        ManifestBuilder.Result b = ManifestBuilder.build(tmp.resolve("audio"), Set.of("wav"), 0.2, 7, 1, Progress::silent);
        ManifestBuilder.Result c = ManifestBuilder.build(tmp.resolve("audio"), Set.of("wav"), 0.2, 8, 2, Progress::silent);

        assertEquals(a, b, "same seed, same split whatever the thread count");
        assertFalse(a.valid().entries().equals(c.valid().entries()), "another seed, another split");
        int valid = a.valid().entries().size();
        assertTrue(valid > 20 && valid < 60, "about 20% of 200: " + valid);
        assertEquals(200, valid + a.train().entries().size());

        // Removing files moves no other file between train and valid.
        Files.delete(tmp.resolve("audio/f000.wav"));
        Files.delete(tmp.resolve("audio/f100.wav"));
        ManifestBuilder.Result d = ManifestBuilder.build(tmp.resolve("audio"), Set.of("wav"), 0.2, 7, 2, Progress::silent);
        List<Manifest.Entry> expected = new ArrayList<>(a.valid().entries());
        expected.removeIf(e -> e.relativePath().equals("f000.wav") || e.relativePath().equals("f100.wav"));
        assertEquals(expected, d.valid().entries());
    }

    @Test
    void badArgumentsAreOneLineErrors() throws IOException {
        assertThrows(W2vException.class, () -> ManifestBuilder.build(tmp.resolve("missing"), Set.of("wav"), 0.01, 1, 1, Progress::silent));
        Files.createDirectories(tmp.resolve("empty"));
        W2vException e = assertThrows(W2vException.class, () -> ManifestBuilder.build(tmp.resolve("empty"), Set.of("wav"), 0.01, 1, 1, Progress::silent));
        assertTrue(e.getMessage().contains("no audio files"), e.getMessage());
        assertThrows(W2vException.class, () -> ManifestBuilder.build(tmp.resolve("empty"), Set.of("wav"), 1.5, 1, 1, Progress::silent));
    }
}
