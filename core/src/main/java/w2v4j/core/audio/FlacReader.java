package w2v4j.core.audio;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import w2v4j.core.W2vException;
import w2v4j.core.io.FileBytes;

/**
 * A complete FLAC decoder (RFC 9639): STREAMINFO, frames with CONSTANT, VERBATIM, FIXED and LPC subframes,
 * Rice-coded residuals (including escaped partitions), wasted bits, and left/side, side/right, mid/side stereo.
 * Every frame's CRC-8 header and CRC-16 footer are checked, so a corrupt file fails loudly instead of clicking.
 * Samples are scaled by 2^-(bitsPerSample-1) to [-1, 1). A leading ID3v2 tag is skipped.
 */
public final class FlacReader {
    private FlacReader() {}

    private record StreamInfo(int maxBlockSize, int sampleRate, int channels, int bitsPerSample, long totalSamples) {}

    /** Reads STREAMINFO only. If the encoder did not record the length (0 samples), the file is decoded to count. */
    public static AudioInfo info(Path p) {
        FileChannel ch = FileBytes.open(p);
        StreamInfo si;
        try {
            ByteBuffer head = FileBytes.readAt(ch, p, 0, 10);
            byte[] first = new byte[head.remaining()];
            head.get(first);
            int start = id3Length(first, p);
            ByteBuffer meta = FileBytes.readAt(ch, p, start, 4 + 4 + 34);
            byte[] bytes = new byte[meta.remaining()];
            meta.get(bytes);
            si = parseStreamInfo(bytes, 0, p);
        } finally {
            FileBytes.close(ch);
        }
        if (si.totalSamples == 0) {
            return read(p).info();
        }
        return new AudioInfo(si.sampleRate, si.channels, si.totalSamples, "flac");
    }

    public static DecodedAudio read(Path p) {
        byte[] data = FileBytes.readAll(p);
        int start = id3Length(data, p);
        StreamInfo si = parseStreamInfo(data, start, p);
        int pos = skipMetadata(data, start, p);
        int channels = si.channels;
        if (si.totalSamples * channels > Integer.MAX_VALUE - 16) {
            throw W2vException.file(p, "too long to decode into memory (" + si.totalSamples + " samples)");
        }
        BitReader br = new BitReader(data, pos, p);
        long[][] block = new long[channels][Math.max(si.maxBlockSize, 16)];
        float scale = (float) Math.pow(2, -(si.bitsPerSample - 1));
        boolean lengthKnown = si.totalSamples > 0;
        List<float[]> chunks = new ArrayList<>();
        long decoded = 0;
        while (lengthKnown ? decoded < si.totalSamples : br.bytePos + 2 <= data.length) {
            if (br.bytePos >= data.length) {
                throw W2vException.file(p, "truncated: STREAMINFO says " + si.totalSamples + " samples, file holds "
                        + decoded);
            }
            int blockSize = decodeFrame(br, si, block);
            if (block[0].length < blockSize) {
                throw new IllegalStateException("decodeFrame checked the block size");
            }
            int frames = lengthKnown ? (int) Math.min(blockSize, si.totalSamples - decoded) : blockSize;
            float[] out = new float[frames * channels];
            for (int c = 0; c < channels; c++) {
                long[] src = block[c];
                for (int i = 0; i < frames; i++) {
                    out[i * channels + c] = src[i] * scale;
                }
            }
            chunks.add(out);
            decoded += frames;
        }
        float[] all = new float[(int) (decoded * channels)];
        int o = 0;
        for (float[] c : chunks) {
            System.arraycopy(c, 0, all, o, c.length);
            o += c.length;
        }
        return new DecodedAudio(new AudioInfo(si.sampleRate, channels, decoded, "flac"), all);
    }

    // ---- stream header -------------------------------------------------------------------------------------

    /** Length of a leading ID3v2 tag (some taggers put one before "fLaC"), 0 if none. */
    private static int id3Length(byte[] d, Path p) {
        if (d.length < 10 || d[0] != 'I' || d[1] != 'D' || d[2] != '3') {
            return 0;
        }
        int size = (d[6] & 0x7F) << 21 | (d[7] & 0x7F) << 14 | (d[8] & 0x7F) << 7 | (d[9] & 0x7F);
        boolean footer = (d[5] & 0x10) != 0;
        return 10 + size + (footer ? 10 : 0);
    }

    private static StreamInfo parseStreamInfo(byte[] d, int start, Path p) {
        if (d.length < start + 4 || d[start] != 'f' || d[start + 1] != 'L' || d[start + 2] != 'a' || d[start + 3] != 'C') {
            throw W2vException.file(p, "not a FLAC file (no fLaC marker)");
        }
        int h = start + 4;
        if (d.length < h + 4 + 34) {
            throw W2vException.file(p, "truncated: FLAC file ends inside STREAMINFO");
        }
        int type = d[h] & 0x7F;
        int length = u24(d, h + 1);
        if (type != 0 || length != 34) {
            throw W2vException.file(p, "first FLAC metadata block is not a 34-byte STREAMINFO (type " + type
                    + ", " + length + " bytes)");
        }
        int b = h + 4;
        int maxBlock = u16(d, b + 2);
        long x = 0;
        for (int i = 0; i < 8; i++) {
            x = x << 8 | (d[b + 10 + i] & 0xFF);
        }
        int sampleRate = (int) (x >>> 44);
        int channels = (int) ((x >>> 41) & 7) + 1;
        int bps = (int) ((x >>> 36) & 31) + 1;
        long total = x & 0xFFFFFFFFFL;
        if (sampleRate == 0) {
            throw W2vException.file(p, "STREAMINFO has sample rate 0");
        }
        if (bps < 4) {
            throw W2vException.file(p, "STREAMINFO has unsupported bit depth " + bps);
        }
        return new StreamInfo(maxBlock, sampleRate, channels, bps, total);
    }

    /** Returns the offset of the first audio frame. */
    private static int skipMetadata(byte[] d, int start, Path p) {
        int pos = start + 4;
        while (true) {
            if (pos + 4 > d.length) {
                throw W2vException.file(p, "truncated: FLAC file ends inside its metadata");
            }
            boolean last = (d[pos] & 0x80) != 0;
            int type = d[pos] & 0x7F;
            if (type == 127) {
                throw W2vException.file(p, "invalid FLAC metadata block type 127 at byte " + pos);
            }
            pos += 4 + u24(d, pos + 1);
            if (pos > d.length) {
                throw W2vException.file(p, "truncated: FLAC metadata block runs past the end of the file");
            }
            if (last) {
                return pos;
            }
        }
    }

    // ---- frames --------------------------------------------------------------------------------------------

    private static final int[] SAMPLE_SIZES = {0, 8, 12, 0, 16, 20, 24, 32};

    /** Decodes one frame into {@code out[channel][0..blockSize)} and returns blockSize. */
    private static int decodeFrame(BitReader br, StreamInfo si, long[][] out) {
        Path p = br.file;
        int frameStart = br.bytePos;
        br.frameStart = frameStart;
        if (br.bits(15) != 0x7FFC) { // 14 sync bits 11111111111110 and a reserved 0
            throw W2vException.file(p, "lost FLAC frame sync at byte " + frameStart);
        }
        br.bits(1); // blocking strategy: fixed or variable; the decoder does not need it
        int blockCode = br.bits(4);
        int rateCode = br.bits(4);
        int channelCode = br.bits(4);
        int sizeCode = br.bits(3);
        br.bits(1);
        skipUtf8Number(br);
        int blockSize = switch (blockCode) {
            case 0 -> throw W2vException.file(p, "reserved block size code in frame at byte " + frameStart);
            case 1 -> 192;
            case 2, 3, 4, 5 -> 576 << (blockCode - 2);
            case 6 -> br.bits(8) + 1;
            case 7 -> br.bits(16) + 1;
            default -> 256 << (blockCode - 8);
        };
        switch (rateCode) {
            case 12 -> br.bits(8);
            case 13, 14 -> br.bits(16);
            case 15 -> throw W2vException.file(p, "invalid sample rate code in frame at byte " + frameStart);
            default -> { } // the frame repeats STREAMINFO's rate or a standard one; STREAMINFO is authoritative
        }
        int headerEnd = br.bytePos;
        int crc8 = br.bits(8);
        if (crc8 != Crc.crc8(br.data, frameStart, headerEnd)) {
            throw W2vException.file(p, "FLAC frame header CRC mismatch at byte " + frameStart);
        }
        int bps = sizeCode == 0 ? si.bitsPerSample : SAMPLE_SIZES[sizeCode];
        if (bps == 0 || bps != si.bitsPerSample) {
            throw W2vException.file(p, "frame at byte " + frameStart + " has bit depth code " + sizeCode
                    + ", STREAMINFO says " + si.bitsPerSample + " bits");
        }
        int channels = channelCode < 8 ? channelCode + 1 : 2;
        if (channelCode > 10 || channels != si.channels) {
            throw W2vException.file(p, "frame at byte " + frameStart + " has channel code " + channelCode
                    + ", STREAMINFO says " + si.channels + " channels");
        }
        if (blockSize > out[0].length) {
            if (blockSize > 65536) {
                throw W2vException.file(p, "frame at byte " + frameStart + " has block size " + blockSize);
            }
            for (int c = 0; c < out.length; c++) {
                out[c] = new long[blockSize];
            }
        }
        for (int c = 0; c < channels; c++) {
            // The side channel carries one extra bit: it is a difference of two bps-bit signals.
            boolean side = (channelCode == 8 && c == 1) || (channelCode == 9 && c == 0) || (channelCode == 10 && c == 1);
            decodeSubframe(br, bps + (side ? 1 : 0), blockSize, out[c]);
        }
        undoStereoDecorrelation(channelCode, out[0], out[1 % channels], blockSize);
        br.alignToByte();
        int frameEnd = br.bytePos;
        int crc16 = br.bits(16);
        if (crc16 != Crc.crc16(br.data, frameStart, frameEnd)) {
            throw W2vException.file(p, "FLAC frame CRC mismatch at byte " + frameStart + " (corrupt file)");
        }
        return blockSize;
    }

    /** The frame or sample number, coded like UTF-8 in 1 to 7 bytes; only its length matters here. */
    private static void skipUtf8Number(BitReader br) {
        int first = br.bits(8);
        int extra = Integer.numberOfLeadingZeros(~first << 24); // leading one bits
        if (extra == 1 || extra > 7) {
            throw W2vException.file(br.file, "bad frame number coding in frame at byte " + br.frameStart);
        }
        for (int i = 1; i < extra; i++) {
            if ((br.bits(8) & 0xC0) != 0x80) {
                throw W2vException.file(br.file, "bad frame number coding in frame at byte " + br.frameStart);
            }
        }
    }

    private static void undoStereoDecorrelation(int channelCode, long[] a, long[] b, int n) {
        switch (channelCode) {
            case 8 -> { // left, side: right = left - side
                for (int i = 0; i < n; i++) {
                    b[i] = a[i] - b[i];
                }
            }
            case 9 -> { // side, right: left = side + right
                for (int i = 0; i < n; i++) {
                    a[i] += b[i];
                }
            }
            case 10 -> { // mid, side: the side's low bit restores the bit that halving the mid dropped
                for (int i = 0; i < n; i++) {
                    long mid = (a[i] << 1) | (b[i] & 1);
                    long side = b[i];
                    a[i] = (mid + side) >> 1;
                    b[i] = (mid - side) >> 1;
                }
            }
            default -> { } // independent channels
        }
    }

    // ---- subframes -----------------------------------------------------------------------------------------

    private static void decodeSubframe(BitReader br, int bps, int n, long[] out) {
        if (br.bits(1) != 0) {
            throw W2vException.file(br.file, "bad subframe padding bit in frame at byte " + br.frameStart);
        }
        int type = br.bits(6);
        int wasted = 0;
        if (br.bits(1) == 1) {
            wasted = br.unary() + 1; // the encoder shifted out bits that were zero in every sample of the block
            bps -= wasted;
            if (bps <= 0) {
                throw W2vException.file(br.file, "wasted bits exceed bit depth in frame at byte " + br.frameStart);
            }
        }
        if (type == 0) {
            long v = br.signed(bps);
            for (int i = 0; i < n; i++) {
                out[i] = v;
            }
        } else if (type == 1) {
            for (int i = 0; i < n; i++) {
                out[i] = br.signed(bps);
            }
        } else if (type >= 8 && type <= 12) {
            int order = type - 8;
            warmUp(br, bps, order, n, out);
            readResidual(br, order, n, out);
            fixedPredict(order, n, out);
        } else if (type >= 32) {
            int order = type - 31;
            warmUp(br, bps, order, n, out);
            int precision = br.bits(4) + 1;
            if (precision == 16) {
                throw W2vException.file(br.file, "invalid LPC precision in frame at byte " + br.frameStart);
            }
            int shift = (int) br.signed(5);
            if (shift < 0) {
                throw W2vException.file(br.file, "negative LPC shift in frame at byte " + br.frameStart);
            }
            long[] coefs = new long[order];
            for (int j = 0; j < order; j++) {
                coefs[j] = br.signed(precision);
            }
            readResidual(br, order, n, out);
            lpcPredict(coefs, shift, n, out);
        } else {
            throw W2vException.file(br.file, "reserved subframe type " + type + " in frame at byte " + br.frameStart);
        }
        if (wasted > 0) {
            for (int i = 0; i < n; i++) {
                out[i] <<= wasted;
            }
        }
    }

    private static void warmUp(BitReader br, int bps, int order, int n, long[] out) {
        if (order > n) {
            throw W2vException.file(br.file, "predictor order " + order + " exceeds block size " + n
                    + " in frame at byte " + br.frameStart);
        }
        for (int i = 0; i < order; i++) {
            out[i] = br.signed(bps);
        }
    }

    /** Fills out[order..n) with the residual, which the predictors then turn into samples in place. */
    private static void readResidual(BitReader br, int order, int n, long[] out) {
        int method = br.bits(2);
        if (method > 1) {
            throw W2vException.file(br.file, "reserved residual coding method in frame at byte " + br.frameStart);
        }
        int paramBits = method == 0 ? 4 : 5;
        int escape = (1 << paramBits) - 1;
        int partitionOrder = br.bits(4);
        int partitionSize = n >> partitionOrder;
        if (partitionSize << partitionOrder != n || partitionSize < order) {
            throw W2vException.file(br.file, "bad residual partition order " + partitionOrder + " for block size " + n
                    + " in frame at byte " + br.frameStart);
        }
        int i = order;
        for (int part = 0; part < (1 << partitionOrder); part++) {
            int end = (part + 1) * partitionSize;
            int k = br.bits(paramBits);
            if (k == escape) {
                int rawBits = br.bits(5);
                for (; i < end; i++) {
                    out[i] = br.signed(rawBits);
                }
            } else {
                for (; i < end; i++) {
                    long q = br.unary();
                    long u = (q << k) | br.bits(k);
                    out[i] = (u >>> 1) ^ -(u & 1); // zig-zag: 0,1,2,3,... -> 0,-1,1,-2,...
                }
            }
        }
    }

    private static void fixedPredict(int order, int n, long[] s) {
        switch (order) {
            case 0 -> { }
            case 1 -> {
                for (int i = 1; i < n; i++) {
                    s[i] += s[i - 1];
                }
            }
            case 2 -> {
                for (int i = 2; i < n; i++) {
                    s[i] += 2 * s[i - 1] - s[i - 2];
                }
            }
            case 3 -> {
                for (int i = 3; i < n; i++) {
                    s[i] += 3 * s[i - 1] - 3 * s[i - 2] + s[i - 3];
                }
            }
            case 4 -> {
                for (int i = 4; i < n; i++) {
                    s[i] += 4 * s[i - 1] - 6 * s[i - 2] + 4 * s[i - 3] - s[i - 4];
                }
            }
            default -> throw new IllegalArgumentException("fixed order " + order);
        }
    }

    private static void lpcPredict(long[] coefs, int shift, int n, long[] s) {
        int order = coefs.length;
        for (int i = order; i < n; i++) {
            long sum = 0;
            for (int j = 0; j < order; j++) {
                sum += coefs[j] * s[i - 1 - j];
            }
            s[i] += sum >> shift;
        }
    }

    private static int u16(byte[] d, int o) {
        return (d[o] & 0xFF) << 8 | (d[o + 1] & 0xFF);
    }

    private static int u24(byte[] d, int o) {
        return (d[o] & 0xFF) << 16 | (d[o + 1] & 0xFF) << 8 | (d[o + 2] & 0xFF);
    }

    // ---- bits ----------------------------------------------------------------------------------------------

    /** Big-endian bit reader over the whole file; running off the end is reported as a truncated frame. */
    private static final class BitReader {
        final byte[] data;
        final Path file;
        int bytePos;
        int bitPos; // bits of data[bytePos] already consumed, 0..7
        int frameStart;

        BitReader(byte[] data, int start, Path file) {
            this.data = data;
            this.bytePos = start;
            this.file = file;
        }

        /** Reads n bits, 0 <= n <= 32, as an unsigned value (n = 32 may come back negative; callers never need it). */
        int bits(int n) {
            return (int) bitsLong(n);
        }

        long bitsLong(int n) {
            long v = 0;
            while (n > 0) {
                if (bytePos >= data.length) {
                    throw truncated();
                }
                int avail = 8 - bitPos;
                int take = Math.min(avail, n);
                int cur = data[bytePos] & 0xFF;
                v = (v << take) | ((cur >>> (avail - take)) & ((1 << take) - 1));
                bitPos += take;
                if (bitPos == 8) {
                    bitPos = 0;
                    bytePos++;
                }
                n -= take;
            }
            return v;
        }

        long signed(int n) {
            if (n == 0) {
                return 0;
            }
            long v = bitsLong(n);
            return (v << (64 - n)) >> (64 - n);
        }

        /** Counts zero bits up to the next one bit, and consumes that one bit. */
        int unary() {
            int count = 0;
            while (true) {
                if (bytePos >= data.length) {
                    throw truncated();
                }
                int cur = (data[bytePos] << bitPos) & 0xFF;
                if (cur == 0) {
                    count += 8 - bitPos;
                    bitPos = 0;
                    bytePos++;
                    continue;
                }
                int zeros = Integer.numberOfLeadingZeros(cur) - 24;
                count += zeros;
                bitPos += zeros + 1;
                if (bitPos == 8) {
                    bitPos = 0;
                    bytePos++;
                }
                return count;
            }
        }

        void alignToByte() {
            if (bitPos != 0) {
                bitPos = 0;
                bytePos++;
            }
        }

        private W2vException truncated() {
            return W2vException.file(file, "truncated: FLAC frame at byte " + frameStart + " is cut off at end of file");
        }
    }

    /** The two checksums FLAC frames carry: CRC-8 (poly 0x07) over the header, CRC-16 (poly 0x8005) over the frame. */
    private static final class Crc {
        private static final int[] CRC8 = new int[256];
        private static final int[] CRC16 = new int[256];

        static {
            for (int i = 0; i < 256; i++) {
                int c8 = i;
                int c16 = i << 8;
                for (int b = 0; b < 8; b++) {
                    c8 = (c8 & 0x80) != 0 ? (c8 << 1) ^ 0x07 : c8 << 1;
                    c16 = (c16 & 0x8000) != 0 ? (c16 << 1) ^ 0x8005 : c16 << 1;
                }
                CRC8[i] = c8 & 0xFF;
                CRC16[i] = c16 & 0xFFFF;
            }
        }

        static int crc8(byte[] d, int from, int to) {
            int c = 0;
            for (int i = from; i < to; i++) {
                c = CRC8[(c ^ d[i]) & 0xFF];
            }
            return c;
        }

        static int crc16(byte[] d, int from, int to) {
            int c = 0;
            for (int i = from; i < to; i++) {
                c = ((c << 8) ^ CRC16[((c >>> 8) ^ d[i]) & 0xFF]) & 0xFFFF;
            }
            return c;
        }
    }
}
