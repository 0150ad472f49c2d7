package w2v4j.core.audio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import w2v4j.core.W2vException;
import w2v4j.core.io.FileBytes;

/**
 * RIFF/WAVE reader: integer PCM of 8 (unsigned), 16, 24 and 32 bits, IEEE float of 32 and 64 bits, plain or
 * WAVE_FORMAT_EXTENSIBLE, any channel count. Chunks other than "fmt " and "data" (LIST, fact, cue, ...) are skipped.
 * A data size of 0 or 0xFFFFFFFF, which streaming writers leave behind, means "up to the end of the file".
 */
public final class WavReader {
    private WavReader() {}

    static final int FORMAT_PCM = 1;
    static final int FORMAT_FLOAT = 3;
    static final int FORMAT_EXTENSIBLE = 0xFFFE;

    /** Where the samples are and how they are encoded. */
    record Layout(AudioInfo info, int encoding, int bitsPerSample, int blockAlign, long dataOffset, long dataBytes) {}

    public static AudioInfo info(Path p) {
        FileChannel ch = FileBytes.open(p);
        try {
            return layout(ch, p).info();
        } finally {
            FileBytes.close(ch);
        }
    }

    public static DecodedAudio read(Path p) {
        FileChannel ch = FileBytes.open(p);
        try {
            Layout layout = layout(ch, p);
            long samples = layout.info().frames() * layout.info().channels();
            if (samples > Integer.MAX_VALUE - 16 || layout.info().frames() * layout.blockAlign() > Integer.MAX_VALUE - 16) {
                throw W2vException.file(p, "too long to decode into memory (" + samples + " samples)");
            }
            int bytes = (int) (layout.info().frames() * layout.blockAlign());
            ByteBuffer data = FileBytes.readAt(ch, p, layout.dataOffset(), bytes);
            if (data.remaining() != bytes) {
                throw W2vException.file(p, "truncated: data chunk says " + bytes + " bytes, file has " + data.remaining());
            }
            return new DecodedAudio(layout.info(), decode(data, (int) samples, layout.encoding(), layout.bitsPerSample()));
        } finally {
            FileBytes.close(ch);
        }
    }

    /** Walks the chunk list up to the data chunk, reading only chunk headers and the fmt chunk. */
    static Layout layout(FileChannel ch, Path p) {
        long fileSize = FileBytes.size(ch, p);
        ByteBuffer riff = FileBytes.readAt(ch, p, 0, 12);
        if (riff.remaining() < 4 || !fourCC(riff, 0).equals("RIFF")) {
            if (riff.remaining() >= 4 && fourCC(riff, 0).equals("RF64")) {
                throw W2vException.file(p, "RF64 (64-bit WAV) files are not supported");
            }
            throw W2vException.file(p, "not a WAV file (no RIFF header)");
        }
        if (riff.remaining() < 12 || !fourCC(riff, 8).equals("WAVE")) {
            throw W2vException.file(p, "not a WAV file (RIFF type is not WAVE)");
        }
        Format fmt = null;
        long pos = 12;
        while (pos + 8 <= fileSize) {
            ByteBuffer header = FileBytes.readAt(ch, p, pos, 8);
            String id = fourCC(header, 0);
            long size = Integer.toUnsignedLong(header.getInt(4));
            long body = pos + 8;
            if (id.equals("fmt ")) {
                if (size < 16) {
                    throw W2vException.file(p, "fmt chunk too short (" + size + " bytes)");
                }
                if (body + size > fileSize) {
                    throw W2vException.file(p, "truncated: fmt chunk says " + size + " bytes, file has " + (fileSize - body));
                }
                fmt = parseFormat(FileBytes.readAt(ch, p, body, (int) Math.min(size, 64)), p);
            } else if (id.equals("data")) {
                if (fmt == null) {
                    throw W2vException.file(p, "data chunk comes before any fmt chunk");
                }
                long available = fileSize - body;
                if (size == 0xFFFFFFFFL || size == 0) {
                    size = available;
                } else if (size > available) {
                    throw W2vException.file(p, "truncated: data chunk says " + size + " bytes, file has " + available);
                }
                long frames = size / fmt.blockAlign;
                AudioInfo info = new AudioInfo(fmt.sampleRate, fmt.channels, frames, "wav");
                return new Layout(info, fmt.encoding, fmt.bits, fmt.blockAlign, body, size);
            }
            pos = body + size + (size & 1); // chunks are padded to even sizes
        }
        throw W2vException.file(p, fmt == null ? "no fmt chunk" : "no data chunk");
    }

    private record Format(int encoding, int channels, int sampleRate, int bits, int blockAlign) {}

    private static Format parseFormat(ByteBuffer b, Path p) {
        int tag = Short.toUnsignedInt(b.getShort(0));
        int channels = Short.toUnsignedInt(b.getShort(2));
        long sampleRate = Integer.toUnsignedLong(b.getInt(4));
        int blockAlign = Short.toUnsignedInt(b.getShort(12));
        int bits = Short.toUnsignedInt(b.getShort(14));
        int encoding = tag;
        if (tag == FORMAT_EXTENSIBLE) {
            if (b.remaining() < 40) {
                throw W2vException.file(p, "fmt chunk says WAVE_FORMAT_EXTENSIBLE but is only " + b.remaining() + " bytes");
            }
            encoding = Short.toUnsignedInt(b.getShort(24)); // first two bytes of the sub-format GUID
        }
        if (channels == 0) {
            throw W2vException.file(p, "fmt chunk says 0 channels");
        }
        if (sampleRate == 0 || sampleRate > 10_000_000) {
            throw W2vException.file(p, "fmt chunk has an implausible sample rate " + sampleRate);
        }
        boolean supported = (encoding == FORMAT_PCM && (bits == 8 || bits == 16 || bits == 24 || bits == 32))
                || (encoding == FORMAT_FLOAT && (bits == 32 || bits == 64));
        if (!supported) {
            throw W2vException.file(p, "unsupported WAV encoding: " + encodingName(encoding) + ", " + bits + " bits"
                    + " (supported: PCM 8/16/24/32-bit, float 32/64-bit)");
        }
        if (blockAlign != channels * (bits / 8)) {
            throw W2vException.file(p, "fmt chunk block align " + blockAlign + " does not match " + channels
                    + " channels of " + bits + " bits");
        }
        return new Format(encoding, channels, (int) sampleRate, bits, blockAlign);
    }

    private static String encodingName(int encoding) {
        return switch (encoding) {
            case FORMAT_PCM -> "PCM";
            case FORMAT_FLOAT -> "IEEE float";
            case 2 -> "MS ADPCM (format 2)";
            case 6 -> "A-law (format 6)";
            case 7 -> "mu-law (format 7)";
            case 0x11 -> "IMA ADPCM (format 0x11)";
            case 0x55 -> "MP3 (format 0x55)";
            default -> String.format("format 0x%04X", encoding);
        };
    }

    /** Integer PCM is scaled by 2^-(bits-1), so full scale maps to [-1, 1); 8-bit WAV is unsigned with 128 as zero. */
    static float[] decode(ByteBuffer data, int samples, int encoding, int bits) {
        data.order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[samples];
        if (encoding == FORMAT_FLOAT) {
            for (int i = 0; i < samples; i++) {
                out[i] = bits == 32 ? data.getFloat(4 * i) : (float) data.getDouble(8 * i);
            }
            return out;
        }
        switch (bits) {
            case 8 -> {
                for (int i = 0; i < samples; i++) {
                    out[i] = ((data.get(i) & 0xFF) - 128) / 128.0f;
                }
            }
            case 16 -> {
                for (int i = 0; i < samples; i++) {
                    out[i] = data.getShort(2 * i) / 32768.0f;
                }
            }
            case 24 -> {
                for (int i = 0; i < samples; i++) {
                    int o = 3 * i;
                    int v = (data.get(o) & 0xFF) | (data.get(o + 1) & 0xFF) << 8 | data.get(o + 2) << 16;
                    out[i] = v / 8388608.0f;
                }
            }
            case 32 -> {
                for (int i = 0; i < samples; i++) {
                    out[i] = (float) (data.getInt(4 * i) / 2147483648.0);
                }
            }
            default -> throw new IllegalStateException("bits checked in parseFormat: " + bits);
        }
        return out;
    }

    private static String fourCC(ByteBuffer b, int offset) {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            c[i] = (char) (b.get(offset + i) & 0xFF);
        }
        return new String(c);
    }
}
