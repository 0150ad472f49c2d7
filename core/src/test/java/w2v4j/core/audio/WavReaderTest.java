package w2v4j.core.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import w2v4j.core.W2vException;

class WavReaderTest {
    @TempDir
    Path dir;

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void unsigned8Bit() throws IOException {
        Path p = file("u8.wav", new WavBytes().fmt(1, 1, 8000, 8).chunk("data", new byte[] {0, (byte) 128, (byte) 255, 64}).bytes());
        assertArrayEquals(new float[] {-1f, 0f, 127 / 128f, -0.5f}, AudioFiles.read(p).interleaved());
    }

    @Test
    void signed16BitStereo() throws IOException {
        Path p = file("s16.wav", new WavBytes().fmt(1, 2, 16000, 16).chunk("data", WavBytes.le16(-32768, 16384, 32767, -1)).bytes());
        DecodedAudio a = AudioFiles.read(p);
        assertEquals(new AudioInfo(16000, 2, 2, "wav"), a.info());
        assertArrayEquals(new float[] {-1f, 0.5f, 32767 / 32768f, -1 / 32768f}, a.interleaved());
        assertArrayEquals(new float[] {-0.25f, (32767 - 1) / 65536f}, a.mono());
    }

    @Test
    void signed24Bit() throws IOException {
        Path p = file("s24.wav", new WavBytes().fmt(1, 1, 16000, 24)
                .chunk("data", WavBytes.le24(-8388608, 8388607, 1, 4194304, -2)).bytes());
        assertArrayEquals(new float[] {-1f, 8388607 / 8388608f, 1 / 8388608f, 0.5f, -2 / 8388608f},
                AudioFiles.read(p).interleaved());
    }

    @Test
    void signed32Bit() throws IOException {
        Path p = file("s32.wav", new WavBytes().fmt(1, 1, 16000, 32)
                .chunk("data", WavBytes.le32(Integer.MIN_VALUE, 1 << 30, -(1 << 29), 0)).bytes());
        assertArrayEquals(new float[] {-1f, 0.5f, -0.25f, 0f}, AudioFiles.read(p).interleaved());
    }

    @Test
    void float32() throws IOException {
        Path p = file("f32.wav", new WavBytes().fmt(3, 1, 16000, 32).chunk("data", WavBytes.f32(0.25f, -0.75f, 1.5f)).bytes());
        assertArrayEquals(new float[] {0.25f, -0.75f, 1.5f}, AudioFiles.read(p).interleaved());
    }

    @Test
    void extensibleFloatAndPcm() throws IOException {
        Path f = file("ext-f.wav", new WavBytes().fmtExtensible(3, 1, 16000, 32).chunk("data", WavBytes.f32(0.125f, -0.5f)).bytes());
        assertArrayEquals(new float[] {0.125f, -0.5f}, AudioFiles.read(f).interleaved());
        Path i = file("ext-i.wav", new WavBytes().fmtExtensible(1, 2, 48000, 24).chunk("data", WavBytes.le24(4194304, -4194304)).bytes());
        DecodedAudio a = AudioFiles.read(i);
        assertEquals(new AudioInfo(48000, 2, 1, "wav"), a.info());
        assertArrayEquals(new float[] {0.5f, -0.5f}, a.interleaved());
    }

    @Test
    void unknownChunksWithOddSizesAreSkipped() throws IOException {
        Path p = file("list.wav", new WavBytes().chunk("JUNK", new byte[3]).fmt(1, 1, 16000, 16)
                .chunk("LIST", new byte[] {'I', 'N', 'F', 'O', 'x'}).chunk("data", WavBytes.le16(100, -100)).bytes());
        assertArrayEquals(new float[] {100 / 32768f, -100 / 32768f}, AudioFiles.read(p).interleaved());
    }

    @Test
    void streamingDataSizeMeansToEndOfFile() throws IOException {
        Path p = file("stream.wav", new WavBytes().fmt(1, 1, 16000, 16).chunk("data", 0xFFFFFFFFL, WavBytes.le16(1, 2, 3)).bytes());
        assertEquals(3, AudioFiles.info(p).frames());
        assertArrayEquals(new float[] {1 / 32768f, 2 / 32768f, 3 / 32768f}, AudioFiles.read(p).interleaved());
        Path zero = file("zero.wav", new WavBytes().fmt(1, 1, 16000, 16).chunk("data", 0, WavBytes.le16(7, 8)).bytes());
        assertEquals(2, AudioFiles.info(zero).frames());
    }

    @Test
    void multiChannelDownmixIsTheMeanOfChannels() throws IOException {
        Path p = file("3ch.wav", new WavBytes().fmt(1, 3, 16000, 16).chunk("data", WavBytes.le16(3000, 6000, 9000, -300, 0, 300)).bytes());
        assertArrayEquals(new float[] {6000 / 32768f, 0f}, AudioFiles.readMono(p, 16000), 1e-7f);
    }

    @Test
    void infoReadsTheHeader() throws IOException {
        Path p = file("info.wav", new WavBytes().fmt(1, 2, 22050, 16).chunk("data", new byte[22050 * 4]).bytes());
        AudioInfo info = AudioFiles.info(p);
        assertEquals(new AudioInfo(22050, 2, 22050, "wav"), info);
        assertEquals(1.0, info.seconds(), 1e-12);
    }

    @Test
    void writeWavRoundTripsExactlyAndClips() {
        Path p = dir.resolve("sub/out.wav");
        float[] x = {0f, 1 / 32768f, -1f, 0.5f, -12345 / 32768f, 1.5f, -3f, 1f, Float.NaN};
        AudioFiles.writeWav(p, x, 16000);
        DecodedAudio a = AudioFiles.read(p);
        assertEquals(new AudioInfo(16000, 1, x.length, "wav"), a.info());
        assertArrayEquals(new float[] {0f, 1 / 32768f, -1f, 0.5f, -12345 / 32768f, 32767 / 32768f, -1f, 32767 / 32768f, 0f},
                a.interleaved());
    }

    @Test
    void writeWavLeavesNoTempFiles() throws IOException {
        Path p = dir.resolve("a.wav");
        AudioFiles.writeWav(p, new float[] {0.1f}, 16000);
        AudioFiles.writeWav(p, new float[] {0.2f, 0.3f}, 16000); // replaces
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
        assertEquals(2, AudioFiles.info(p).frames());
    }

    @Test
    void readMonoResamples() {
        Path p = dir.resolve("8k.wav");
        float[] x = new float[800];
        Arrays.fill(x, 0.25f);
        AudioFiles.writeWav(p, x, 8000);
        float[] y = AudioFiles.readMono(p, 16000);
        assertEquals(1600, y.length);
        assertEquals(0.25f, y[800], 1e-5f);
    }

    // ---- bad input ---------------------------------------------------------------------------------------

    private void assertFails(Path p, String expectedMessage) {
        W2vException e = assertThrows(W2vException.class, () -> AudioFiles.read(p));
        assertEquals(p + ": " + expectedMessage, e.getMessage());
        W2vException e2 = assertThrows(W2vException.class, () -> AudioFiles.info(p));
        assertEquals(p + ": " + expectedMessage, e2.getMessage());
    }

    @Test
    void truncatedDataChunk() throws IOException {
        Path p = file("trunc.wav", new WavBytes().fmt(1, 1, 16000, 16).chunk("data", 1000, WavBytes.le16(1, 2, 3)).bytes());
        assertFails(p, "truncated: data chunk says 1000 bytes, file has 6");
    }

    @Test
    void notRiff() throws IOException {
        assertFails(file("text.wav", "hello, world".getBytes()), "not a WAV file (no RIFF header)");
        assertFails(file("empty.wav", new byte[0]), "not a WAV file (no RIFF header)");
        assertFails(file("x.mp3", new byte[] {'I', 'D', '4', 0}), "not a WAV or FLAC file (unrecognised header)");
    }

    @Test
    void riffButNotWave() throws IOException {
        byte[] b = new WavBytes().fmt(1, 1, 16000, 16).bytes();
        b[8] = 'A'; b[9] = 'V'; b[10] = 'I'; b[11] = ' ';
        assertFails(file("avi.wav", b), "not a WAV file (RIFF type is not WAVE)");
    }

    @Test
    void unsupportedEncodings() throws IOException {
        assertFails(file("alaw.wav", new WavBytes().fmt(6, 1, 8000, 8).chunk("data", new byte[4]).bytes()),
                "unsupported WAV encoding: A-law (format 6), 8 bits (supported: PCM 8/16/24/32-bit, float 32/64-bit)");
        assertFails(file("pcm12.wav", new WavBytes().fmt(1, 1, 8000, 12).chunk("data", new byte[4]).bytes()),
                "unsupported WAV encoding: PCM, 12 bits (supported: PCM 8/16/24/32-bit, float 32/64-bit)");
    }

    @Test
    void missingChunks() throws IOException {
        assertFails(file("nodata.wav", new WavBytes().fmt(1, 1, 16000, 16).bytes()), "no data chunk");
        assertFails(file("nofmt.wav", new WavBytes().chunk("LIST", new byte[4]).bytes()), "no fmt chunk");
        assertFails(file("order.wav", new WavBytes().chunk("data", new byte[4]).fmt(1, 1, 16000, 16).bytes()),
                "data chunk comes before any fmt chunk");
    }

    @Test
    void inconsistentFmt() throws IOException {
        byte[] b = new WavBytes().fmt(1, 2, 16000, 16).chunk("data", new byte[8]).bytes();
        b[12 + 8 + 12] = 3; // block align 3 instead of 4
        assertFails(file("align.wav", b), "fmt chunk block align 3 does not match 2 channels of 16 bits");
        assertFails(file("ch0.wav", new WavBytes().fmt(1, 0, 16000, 16).chunk("data", new byte[8]).bytes()),
                "fmt chunk says 0 channels");
    }

    @Test
    void missingFileAndDirectory() {
        Path p = dir.resolve("nope.wav");
        W2vException e = assertThrows(W2vException.class, () -> AudioFiles.info(p));
        assertEquals(p + ": no such file", e.getMessage());
        W2vException d = assertThrows(W2vException.class, () -> AudioFiles.read(dir));
        assertTrue(d.getMessage().startsWith(dir.toString() + ": "), d.getMessage());
    }
}
