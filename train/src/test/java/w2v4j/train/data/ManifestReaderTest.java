package w2v4j.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import w2v4j.core.W2vException;

class ManifestReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsRootAndEntriesWithRelativeRootAgainstManifestDir() {
        TestAudio.write(dir.resolve("train.tsv"), "audio\na/x.flac\t32000\n\nb/y.wav\t16000\textra\n");
        ManifestReader.Contents m = ManifestReader.read(dir, "train");
        assertEquals(dir.toAbsolutePath().resolve("audio"), m.root());
        assertEquals(2, m.entries().size());
        ManifestReader.Entry y = m.entries().get(1);
        assertEquals(1, y.index());
        assertEquals(4, y.line());
        assertEquals(16000, y.samples());
        assertEquals(dir.toAbsolutePath().resolve("audio/b/y.wav"), y.path());
        assertEquals(m.file() + ":4", m.where(y));
    }

    @Test
    void errorsNameFileAndLine() {
        Path f = TestAudio.write(dir.resolve("bad.tsv"), "/data\nok.wav\t10\nnotab.wav 10\n");
        W2vException e = assertThrows(W2vException.class, () -> ManifestReader.read(f));
        assertEquals(f + ":3: expected 'relpath<TAB>samples', got 'notab.wav 10'", e.getMessage());

        TestAudio.write(f, "/data\nok.wav\tten\n");
        e = assertThrows(W2vException.class, () -> ManifestReader.read(f));
        assertEquals(f + ":2: sample count 'ten' is not an integer", e.getMessage());

        TestAudio.write(f, "/data\nok.wav\t0\n");
        e = assertThrows(W2vException.class, () -> ManifestReader.read(f));
        assertEquals(f + ":2: sample count must be positive, got 0", e.getMessage());

        TestAudio.write(f, "");
        e = assertThrows(W2vException.class, () -> ManifestReader.read(f));
        assertEquals(f + ": empty manifest (line 1 should be the audio root directory)", e.getMessage());

        e = assertThrows(W2vException.class, () -> ManifestReader.read(dir, "nope"));
        assertEquals(dir.resolve("nope.tsv") + ": no such manifest", e.getMessage());
    }
}
