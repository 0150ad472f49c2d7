package w2v4j.core.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import w2v4j.core.W2vException;
import w2v4j.core.tensor.Tensor;

/**
 * NumPy .npy files: magic "\x93NUMPY", version, header length (2 bytes in 1.0, 4 bytes in 2.0/3.0), a Python dict
 * literal {'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), } padded with spaces and '\n', then the data.
 * Reads versions 1.0 to 3.0, C order only, little-endian: float arrays ('&lt;f4', '&lt;f8', '&lt;f2') with
 * {@link #read}, integer arrays ('&lt;i4', '&lt;i8', '|i1', '|u1') with {@link #readLongs}. Writes version 1.0 as
 * '&lt;f4' or '&lt;i8', header padded so the data starts at a multiple of 64 bytes.
 */
public final class Npy {
    private Npy() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** A float array and its shape (row-major). */
    public record NpyArray(int[] shape, float[] data) {
        public NpyArray {
            if (Tensor.numel(shape) != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not match " + data.length + " values");
            }
        }
    }

    /** An integer array and its shape (row-major). */
    public record NpyLongArray(int[] shape, long[] data) {
        public NpyLongArray {
            if (Tensor.numel(shape) != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not match " + data.length + " values");
            }
        }
    }

    private record Header(String descr, int[] shape, long dataOffset, long numel) {}

    public static NpyArray read(Path p) {
        FileChannel ch = FileBytes.open(p);
        try {
            Header h = header(ch, p);
            ByteBuffer data = data(ch, p, h, switch (h.descr) {
                case "<f4" -> 4;
                case "<f8" -> 8;
                case "<f2" -> 2;
                default -> throw W2vException.file(p, "dtype '" + h.descr + "' is not a float dtype (expected <f4, <f8 or <f2)"
                        + (isInt(h.descr) ? "; read it as integers" : ""));
            });
            int n = (int) h.numel;
            float[] out = new float[n];
            switch (h.descr) {
                case "<f4" -> data.asFloatBuffer().get(out);
                case "<f8" -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = (float) data.getDouble(8 * i);
                    }
                }
                default -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = Float.float16ToFloat(data.getShort(2 * i));
                    }
                }
            }
            return new NpyArray(h.shape, out);
        } finally {
            FileBytes.close(ch);
        }
    }

    public static NpyLongArray readLongs(Path p) {
        FileChannel ch = FileBytes.open(p);
        try {
            Header h = header(ch, p);
            if (!isInt(h.descr)) {
                throw W2vException.file(p, "dtype '" + h.descr + "' is not an integer dtype (expected <i4, <i8, |i1 or |u1)");
            }
            int size = h.descr.equals("<i8") ? 8 : h.descr.equals("<i4") ? 4 : 1;
            ByteBuffer data = data(ch, p, h, size);
            int n = (int) h.numel;
            long[] out = new long[n];
            for (int i = 0; i < n; i++) {
                out[i] = switch (h.descr) {
                    case "<i8" -> data.getLong(8 * i);
                    case "<i4" -> data.getInt(4 * i);
                    case "|i1" -> data.get(i);
                    default -> data.get(i) & 0xFF;
                };
            }
            return new NpyLongArray(h.shape, out);
        } finally {
            FileBytes.close(ch);
        }
    }

    private static boolean isInt(String descr) {
        return descr.equals("<i4") || descr.equals("<i8") || descr.equals("|i1") || descr.equals("|u1");
    }

    private static Header header(FileChannel ch, Path p) {
        long fileSize = FileBytes.size(ch, p);
        ByteBuffer pre = FileBytes.readAt(ch, p, 0, 12);
        for (int i = 0; i < MAGIC.length; i++) {
            if (pre.remaining() <= i || pre.get(i) != MAGIC[i]) {
                throw W2vException.file(p, "not a .npy file (bad magic)");
            }
        }
        if (pre.remaining() < 10) {
            throw W2vException.file(p, "truncated: .npy preamble is cut off");
        }
        int major = pre.get(6);
        long headerLen;
        int preamble;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(pre.getShort(8));
            preamble = 10;
        } else if (major == 2 || major == 3) {
            if (pre.remaining() < 12) {
                throw W2vException.file(p, "truncated: .npy preamble is cut off");
            }
            headerLen = Integer.toUnsignedLong(pre.getInt(8));
            preamble = 12;
        } else {
            throw W2vException.file(p, "unsupported .npy format version " + major + "." + pre.get(7));
        }
        if (preamble + headerLen > fileSize || headerLen > 1 << 24) {
            throw W2vException.file(p, "truncated: .npy header says " + headerLen + " bytes, file has " + (fileSize - preamble));
        }
        ByteBuffer hb = FileBytes.readAt(ch, p, preamble, (int) headerLen);
        String text = (major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).decode(hb).toString();
        Map<String, Object> dict;
        try {
            dict = new DictParser(text).dict();
        } catch (IllegalArgumentException e) {
            throw W2vException.file(p, "bad .npy header " + text.strip() + ": " + e.getMessage());
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw W2vException.file(p, ".npy header has no 'descr' string (structured dtypes are not supported)");
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw W2vException.file(p, ".npy header has no 'fortran_order'");
        }
        if (fortran) {
            throw W2vException.file(p, "Fortran-order arrays are not supported (save with np.ascontiguousarray)");
        }
        if (!(dict.get("shape") instanceof int[] shape)) {
            throw W2vException.file(p, ".npy header has no 'shape' tuple");
        }
        if (descr.startsWith(">") && !descr.equals(">i1") && !descr.equals(">u1")) {
            throw W2vException.file(p, "big-endian dtype '" + descr + "' is not supported");
        }
        long numel = Tensor.numel(shape);
        if (numel > Integer.MAX_VALUE - 16) {
            throw W2vException.file(p, "too many elements (" + numel + ") for one array");
        }
        return new Header(descr, shape, preamble + headerLen, numel);
    }

    private static ByteBuffer data(FileChannel ch, Path p, Header h, int itemSize) {
        long need = h.numel * itemSize;
        long fileSize = FileBytes.size(ch, p);
        long have = fileSize - h.dataOffset;
        if (have < need) {
            throw W2vException.file(p, "truncated: shape " + shapeText(h.shape) + " of " + h.descr + " needs " + need
                    + " bytes, file has " + have);
        }
        if (have > need) {
            throw W2vException.file(p, (have - need) + " unexpected bytes after the array data");
        }
        if (need > Integer.MAX_VALUE - 16) {
            throw W2vException.file(p, "array too large (" + need + " bytes) to read into memory");
        }
        ByteBuffer b = FileBytes.readAt(ch, p, h.dataOffset, (int) need);
        return b.order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Python tuple syntax: "(3,)" for one dimension, "()" for a scalar. */
    static String shapeText(int[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        return sb.append(')').toString();
    }

    // ---- writing -----------------------------------------------------------------------------------------

    public static void write(Path p, int[] shape, float[] data) {
        new NpyArray(shape, data); // validates shape against data
        ByteBuffer b = preamble("<f4", shape, 4L * data.length);
        b.asFloatBuffer().put(data);
        AtomicFiles.write(p, b.array());
    }

    public static void writeLongs(Path p, int[] shape, long[] data) {
        new NpyLongArray(shape, data);
        ByteBuffer b = preamble("<i8", shape, 8L * data.length);
        b.asLongBuffer().put(data);
        AtomicFiles.write(p, b.array());
    }

    /** A buffer holding the preamble and header, positioned at the data, with room for {@code dataBytes}. */
    private static ByteBuffer preamble(String descr, int[] shape, long dataBytes) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText(shape) + ", }";
        int total = 10 + dict.length() + 1;
        int padded = (total + 63) / 64 * 64;
        String header = dict + " ".repeat(padded - total) + "\n";
        if (header.length() > 0xFFFF || padded + dataBytes > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("array too large for a single .npy buffer");
        }
        ByteBuffer b = ByteBuffer.allocate((int) (padded + dataBytes)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        return b; // asFloatBuffer/asLongBuffer views start here, in little-endian order
    }

    /** Parses the header's Python literal: a dict of str keys to str, bool, int or tuple-of-int values. */
    private static final class DictParser {
        final String s;
        int pos;

        DictParser(String s) {
            this.s = s;
        }

        Map<String, Object> dict() {
            Map<String, Object> out = new LinkedHashMap<>();
            expect('{');
            while (true) {
                space();
                if (peek() == '}') {
                    pos++;
                    return out;
                }
                String key = str();
                space();
                expect(':');
                space();
                out.put(key, value());
                space();
                if (peek() == ',') {
                    pos++;
                } else if (peek() != '}') {
                    throw new IllegalArgumentException("expected ',' or '}' at character " + pos);
                }
            }
        }

        Object value() {
            char c = peek();
            if (c == '\'' || c == '"') {
                return str();
            }
            if (s.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (c == '(') {
                pos++;
                List<Integer> dims = new ArrayList<>();
                while (true) {
                    space();
                    if (peek() == ')') {
                        pos++;
                        return dims.stream().mapToInt(Integer::intValue).toArray();
                    }
                    int start = pos;
                    while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                        pos++;
                    }
                    if (pos == start) {
                        throw new IllegalArgumentException("expected a dimension at character " + pos);
                    }
                    long d = Long.parseLong(s.substring(start, Math.min(pos, start + 12)));
                    if (d > Integer.MAX_VALUE) {
                        throw new IllegalArgumentException("dimension " + d + " too large");
                    }
                    dims.add((int) d);
                    space();
                    if (peek() == ',') {
                        pos++;
                    } else if (peek() != ')') {
                        throw new IllegalArgumentException("expected ',' or ')' at character " + pos);
                    }
                }
            }
            throw new IllegalArgumentException("unexpected value at character " + pos);
        }

        String str() {
            char q = peek();
            if (q != '\'' && q != '"') {
                throw new IllegalArgumentException("expected a string at character " + pos);
            }
            int end = s.indexOf(q, pos + 1);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated string");
            }
            String v = s.substring(pos + 1, end);
            pos = end + 1;
            return v;
        }

        void expect(char c) {
            space();
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at character " + pos);
            }
            pos++;
        }

        char peek() {
            if (pos >= s.length()) {
                throw new IllegalArgumentException("unexpected end of header");
            }
            return s.charAt(pos);
        }

        void space() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }
    }
}
