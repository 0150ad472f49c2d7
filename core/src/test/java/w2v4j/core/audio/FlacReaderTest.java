package w2v4j.core.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import w2v4j.core.W2vException;

/**
 * The fixtures under resources/audio were made with sox and flac 1.4 (libFLAC): each NAME.flac has NAME.wav, the
 * same samples decoded by libFLAC. Together (checked with flac --analyze) they cover CONSTANT (digital silence),
 * VERBATIM (full-scale noise), FIXED and LPC subframes, 4- and 5-bit Rice parameters, independent, left/side,
 * right/side and mid/side stereo, 16 and 24 bits, and wasted bits (8-bit content in a 16-bit stream).
 */
class FlacReaderTest {
    @TempDir
    Path dir;

    static Path resource(String name) {
        try {
            return Path.of(FlacReaderTest.class.getResource("/audio/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mono16", "stereo16", "stereo24", "mono24_fixed", "wasted16", "stereo24_modes"})
    void decodesLikeLibFlac(String name) {
        DecodedAudio flac = AudioFiles.read(resource(name + ".flac"));
        DecodedAudio wav = AudioFiles.read(resource(name + ".wav"));
        assertEquals("flac", flac.info().format());
        assertEquals(wav.info().sampleRate(), flac.info().sampleRate());
        assertEquals(wav.info().channels(), flac.info().channels());
        assertEquals(wav.info().frames(), flac.info().frames());
        assertArrayEquals(wav.interleaved(), flac.interleaved()); // bit exact: both are integer / 2^(bits-1)
        assertEquals(flac.info(), AudioFiles.info(resource(name + ".flac")));
        float peak = 0;
        for (float v : flac.interleaved()) {
            peak = Math.max(peak, Math.abs(v));
        }
        assertTrue(peak > 0.1f, "fixture must not be silent");
    }

    @Test
    void knownHeaders() {
        assertEquals(new AudioInfo(16000, 1, 4800, "flac"), AudioFiles.info(resource("mono16.flac")));
        assertEquals(new AudioInfo(22050, 2, 3307, "flac"), AudioFiles.info(resource("stereo16.flac")));
        assertEquals(new AudioInfo(16000, 2, 1600, "flac"), AudioFiles.info(resource("stereo24.flac")));
    }

    @Test
    void silentTailDecodesToZeros() {
        float[] x = AudioFiles.read(resource("mono16.flac")).interleaved();
        float[] tail = Arrays.copyOfRange(x, 4000, 4800); // the last 0.05 s are digital silence
        assertArrayEquals(new float[800], tail);
    }

    @Test
    void readMonoDownmixesAndResamples() {
        DecodedAudio stereo = AudioFiles.read(resource("stereo16.flac"));
        float[] mono = AudioFiles.readMono(resource("stereo16.flac"), 22050);
        assertEquals((stereo.interleaved()[10] + stereo.interleaved()[11]) / 2, mono[5], 1e-7f);
        float[] at16k = AudioFiles.readMono(resource("stereo16.flac"), 16000);
        assertEquals((int) Math.ceil(3307 * 320 / 441.0), at16k.length);
    }

    @Test
    void leadingId3TagIsSkipped() throws IOException {
        byte[] flac = Files.readAllBytes(resource("wasted16.flac"));
        byte[] tagged = new byte[10 + 20 + flac.length];
        tagged[0] = 'I'; tagged[1] = 'D'; tagged[2] = '3'; tagged[3] = 4; tagged[9] = 20; // 20-byte tag body
        System.arraycopy(flac, 0, tagged, 30, flac.length);
        Path p = dir.resolve("tagged.flac");
        Files.write(p, tagged);
        assertArrayEquals(AudioFiles.read(resource("wasted16.flac")).interleaved(), AudioFiles.read(p).interleaved());
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] flac = Files.readAllBytes(resource("mono16.flac"));
        Path p = dir.resolve("cut.flac");
        Files.write(p, Arrays.copyOf(flac, flac.length / 2));
        W2vException e = assertThrows(W2vException.class, () -> AudioFiles.read(p));
        assertTrue(e.getMessage().startsWith(p + ": truncated: FLAC frame at byte "), e.getMessage());

        Path header = dir.resolve("header.flac");
        Files.write(header, Arrays.copyOf(flac, 20));
        W2vException h = assertThrows(W2vException.class, () -> AudioFiles.info(header));
        assertEquals(header + ": truncated: FLAC file ends inside STREAMINFO", h.getMessage());
    }

    @Test
    void fileEndingOnAFrameBoundaryBeforeTheStatedLength() throws IOException {
        byte[] flac = Files.readAllBytes(resource("wasted16.flac"));
        // Find the start of the last frame (sync code 0xFFF8) and cut there.
        int last = -1;
        for (int i = 42; i + 1 < flac.length; i++) {
            if ((flac[i] & 0xFF) == 0xFF && (flac[i + 1] & 0xFE) == 0xF8) {
                last = i;
            }
        }
        Path p = dir.resolve("frames.flac");
        Files.write(p, Arrays.copyOf(flac, last));
        W2vException e = assertThrows(W2vException.class, () -> AudioFiles.read(p));
        assertTrue(e.getMessage().startsWith(p + ": truncated: STREAMINFO says 1600 samples, file holds "), e.getMessage());
    }

    @Test
    void corruptFrameFailsItsCrc() throws IOException {
        byte[] flac = Files.readAllBytes(resource("mono16.flac"));
        flac[flac.length - 100] ^= 0x10;
        Path p = dir.resolve("corrupt.flac");
        Files.write(p, flac);
        W2vException e = assertThrows(W2vException.class, () -> AudioFiles.read(p));
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
    }

    @Test
    void notFlac() throws IOException {
        Path p = dir.resolve("fake.flac");
        Files.writeString(p, "this is not audio");
        W2vException e = assertThrows(W2vException.class, () -> AudioFiles.info(p));
        assertEquals(p + ": not a FLAC file (no fLaC marker)", e.getMessage());
    }
}
