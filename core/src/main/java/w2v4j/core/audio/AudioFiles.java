package w2v4j.core.audio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

import w2v4j.core.W2vException;
import w2v4j.core.io.AtomicFiles;
import w2v4j.core.io.FileBytes;

/**
 * Entry points for audio files. The format is chosen by the file's first bytes ("RIFF" or "fLaC"), not its name;
 * the name only picks which error a file of neither kind gets.
 */
public final class AudioFiles {
    private AudioFiles() {}

    /** Header only: cheap enough to run over tens of thousands of files. */
    public static AudioInfo info(Path p) {
        return isFlac(p) ? FlacReader.info(p) : WavReader.info(p);
    }

    /** Decodes all channels, interleaved, at the file's own rate. */
    public static DecodedAudio read(Path p) {
        return isFlac(p) ? FlacReader.read(p) : WavReader.read(p);
    }

    /** Decodes, averages the channels to mono, and resamples to {@code targetRate} when the file's rate differs. */
    public static float[] readMono(Path p, int targetRate) {
        if (targetRate <= 0) {
            throw new IllegalArgumentException("target sample rate must be positive: " + targetRate);
        }
        DecodedAudio audio = read(p);
        float[] mono = audio.mono();
        int rate = audio.info().sampleRate();
        return rate == targetRate ? mono : Resampler.of(rate, targetRate).process(mono);
    }

    /**
     * Writes 16-bit PCM mono WAV, atomically (temp file in the same directory, then rename). Samples are clipped to
     * [-1, 1] and scaled by 32768 (rounded, +1.0 saturating at 32767), the inverse of the readers' scaling, so
     * values k/32768 survive a round trip exactly.
     */
    public static void writeWav(Path p, float[] samples, int sampleRate) {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sample rate must be positive: " + sampleRate);
        }
        long dataBytes = 2L * samples.length;
        if (dataBytes + 36 > 0xFFFFFFFFL) {
            throw W2vException.file(p, "too long for a WAV file (" + samples.length + " samples)");
        }
        ByteBuffer b = ByteBuffer.allocate(44 + (int) dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt((int) (36 + dataBytes));
        b.put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16);
        b.putShort((short) WavReader.FORMAT_PCM).putShort((short) 1).putInt(sampleRate).putInt(sampleRate * 2);
        b.putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt((int) dataBytes);
        for (float s : samples) {
            float c = Float.isNaN(s) ? 0f : Math.max(-1f, Math.min(1f, s));
            b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(c * 32768f))));
        }
        AtomicFiles.write(p, b.array());
    }

    private static boolean isFlac(Path p) {
        FileChannel ch = FileBytes.open(p);
        ByteBuffer head;
        try {
            head = FileBytes.readAt(ch, p, 0, 4);
        } finally {
            FileBytes.close(ch);
        }
        String magic = head.remaining() == 4
                ? new String(new byte[] {head.get(0), head.get(1), head.get(2), head.get(3)},
                        StandardCharsets.ISO_8859_1)
                : "";
        if (magic.equals("fLaC") || magic.startsWith("ID3")) {
            return true;
        }
        if (magic.equals("RIFF") || magic.equals("RF64")) {
            return false;
        }
        String name = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".flac")) {
            return true; // lets FlacReader say what is wrong with it
        }
        if (name.endsWith(".wav") || name.endsWith(".wave")) {
            return false;
        }
        throw W2vException.file(p, "not a WAV or FLAC file (unrecognised header)");
    }
}
