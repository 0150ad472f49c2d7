package w2v4j.core.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

import w2v4j.core.W2vException;
import w2v4j.core.tensor.Tensor;

/**
 * The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
 * {@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {str: str}}},
 * then the data buffer, offsets relative to its start, values little-endian and row-major.
 *
 * <p>Reading converts F32, F16, BF16, F64, I64, I32, I16, I8, U8 and BOOL to float32 (integers beyond 2^24 lose
 * precision; models keep only small index buffers as integers). The file is memory-mapped for the duration of the
 * read and released at once, so 1+ GB checkpoints are fine (each tensor is limited to 2^31-1 elements).
 * Writing produces F32 or F16, tensors in name order, header padded with spaces to a multiple of 8, atomically.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** Upstream refuses headers above 100 MB; a larger "length" means the file is not safetensors. */
    private static final long MAX_HEADER = 100_000_000;

    public enum DType {
        F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

        public final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }
    }

    /** One header entry; {@code begin}/{@code end} are offsets into the data buffer. */
    public record Entry(String name, DType dtype, int[] shape, long begin, long end) {
        public long numel() {
            return Tensor.numel(shape);
        }
    }

    /** The parsed header: entries in name order, metadata, and where the data buffer starts in the file. */
    public record Header(Map<String, Entry> entries, Map<String, String> metadata, long dataStart, long dataSize) {}

    public static Map<String, Tensor> read(Path p) {
        return read(p, name -> true);
    }

    /** Reads the tensors whose names pass {@code wanted}, converted to float32, in name order. */
    public static Map<String, Tensor> read(Path p, Predicate<String> wanted) {
        FileChannel ch = FileBytes.open(p);
        try (Arena arena = Arena.ofConfined()) {
            Header h = readHeader(ch, p);
            Map<String, Tensor> out = new LinkedHashMap<>();
            if (h.dataSize == 0) {
                for (Entry e : h.entries.values()) {
                    if (wanted.test(e.name)) {
                        out.put(e.name, new Tensor(e.name, e.shape, new float[0]));
                    }
                }
                return out;
            }
            MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, h.dataStart, h.dataSize, arena);
            for (Entry e : h.entries.values()) {
                if (wanted.test(e.name)) {
                    out.put(e.name, new Tensor(e.name, e.shape, toFloats(data, e, p)));
                }
            }
            return out;
        } catch (IOException e) {
            throw FileBytes.ioError(p, e);
        } finally {
            FileBytes.close(ch);
        }
    }

    public static Header readHeader(Path p) {
        FileChannel ch = FileBytes.open(p);
        try {
            return readHeader(ch, p);
        } finally {
            FileBytes.close(ch);
        }
    }

    private static Header readHeader(FileChannel ch, Path p) {
        long fileSize = FileBytes.size(ch, p);
        if (fileSize < 8) {
            throw W2vException.file(p, "not a safetensors file (" + fileSize + " bytes, shorter than the 8-byte header length)");
        }
        long n = FileBytes.readAt(ch, p, 0, 8).getLong(0);
        if (n < 2 || n > MAX_HEADER) {
            throw W2vException.file(p, "not a safetensors file (header length " + Long.toUnsignedString(n) + ")");
        }
        if (8 + n > fileSize) {
            throw W2vException.file(p, "truncated: header length " + n + " exceeds the file size " + fileSize);
        }
        ByteBuffer hb = FileBytes.readAt(ch, p, 8, (int) n);
        String text = StandardCharsets.UTF_8.decode(hb).toString();
        Object json;
        try {
            json = Json.parse(text);
        } catch (W2vException e) {
            throw W2vException.file(p, "bad safetensors header JSON: " + e.getMessage(), e);
        }
        if (!(json instanceof Map<?, ?>)) {
            throw W2vException.file(p, "safetensors header is not a JSON object");
        }
        long dataStart = 8 + n;
        long dataSize = fileSize - dataStart;
        Map<String, Entry> entries = new TreeMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, Object> kv : Json.asObjectMap(json).entrySet()) {
            String name = kv.getKey();
            if (name.equals("__metadata__")) {
                if (!(kv.getValue() instanceof Map<?, ?> m)) {
                    throw W2vException.file(p, "__metadata__ should be an object, found " + Json.typeName(kv.getValue()));
                }
                for (Map.Entry<?, ?> me : m.entrySet()) {
                    if (!(me.getValue() instanceof String s)) {
                        throw W2vException.file(p, "__metadata__ value '" + me.getKey() + "' should be a string, found "
                                + Json.typeName(me.getValue()));
                    }
                    metadata.put((String) me.getKey(), s);
                }
                continue;
            }
            entries.put(name, parseEntry(name, kv.getValue(), dataSize, p));
        }
        List<Entry> byOffset = new ArrayList<>(entries.values());
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < byOffset.size(); i++) {
            Entry a = byOffset.get(i - 1);
            Entry b = byOffset.get(i);
            if (b.begin < a.end) {
                throw W2vException.file(p, "tensors '" + a.name + "' and '" + b.name + "' overlap in the data buffer");
            }
        }
        return new Header(entries, metadata, dataStart, dataSize);
    }

    private static Entry parseEntry(String name, Object value, long dataSize, Path p) {
        String where = "tensor '" + name + "': ";
        if (!(value instanceof Map<?, ?> m)) {
            throw W2vException.file(p, where + "header entry should be an object, found " + Json.typeName(value));
        }
        if (!(m.get("dtype") instanceof String dtypeName)) {
            throw W2vException.file(p, where + "missing or non-string dtype");
        }
        DType dtype;
        try {
            dtype = DType.valueOf(dtypeName);
        } catch (IllegalArgumentException e) {
            throw W2vException.file(p, where + "unsupported dtype '" + dtypeName + "'");
        }
        int[] shape = intList(m.get("shape"), where + "shape", p);
        if (!(m.get("data_offsets") instanceof List<?> offs) || offs.size() != 2
                || !(offs.get(0) instanceof Long begin) || !(offs.get(1) instanceof Long end)) {
            throw W2vException.file(p, where + "data_offsets should be a list of two integers");
        }
        for (int d : shape) {
            if (d < 0) {
                throw W2vException.file(p, where + "negative dimension in shape " + Tensor.shapeString(shape));
            }
        }
        if (begin < 0 || end < begin || end > dataSize) {
            throw W2vException.file(p, where + "data_offsets [" + begin + ", " + end + "] lie outside the data buffer of "
                    + dataSize + " bytes");
        }
        long numel = Tensor.numel(shape);
        if (numel > Integer.MAX_VALUE - 16) {
            throw W2vException.file(p, where + "too many elements (" + numel + ") for one array");
        }
        long need = numel * dtype.bytes;
        if (end - begin != need) {
            throw W2vException.file(p, where + "data_offsets span " + (end - begin) + " bytes but " + dtype + " "
                    + Tensor.shapeString(shape) + " needs " + need);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static int[] intList(Object v, String what, Path p) {
        if (!(v instanceof List<?> list)) {
            throw W2vException.file(p, what + " should be an integer list, found " + Json.typeName(v));
        }
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l) || l > Integer.MAX_VALUE) {
                throw W2vException.file(p, what + " should be an integer list, element " + i + " is "
                        + Json.typeName(list.get(i)));
            }
            out[i] = (int) (long) l;
        }
        return out;
    }

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static float[] toFloats(MemorySegment data, Entry e, Path p) {
        int n = (int) e.numel();
        float[] out = new float[n];
        long o = e.begin;
        switch (e.dtype) {
            case F32 -> MemorySegment.copy(data, F32, o, out, 0, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(data.get(I16, o + 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = bf16ToFloat(data.get(I16, o + 2L * i));
                }
            }
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) data.get(F64, o + 8L * i);
                }
            }
            case I64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.get(I64, o + 8L * i);
                }
            }
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.get(I32, o + 4L * i);
                }
            }
            case I16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.get(I16, o + 2L * i);
                }
            }
            case I8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.get(ValueLayout.JAVA_BYTE, o + i);
                }
            }
            case U8, BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = data.get(ValueLayout.JAVA_BYTE, o + i) & 0xFF;
                }
            }
        }
        return out;
    }

    /** bfloat16 is the top half of a float32, so widening is a shift. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Round-to-nearest-even narrowing to bfloat16; NaN stays a (quiet) NaN. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    // ---- writing -----------------------------------------------------------------------------------------

    public static void write(Path p, Map<String, Tensor> tensors, Map<String, String> metadata) {
        write(p, tensors, metadata, DType.F32);
    }

    /**
     * Writes {@code tensors} (keyed by name; each Tensor's own name must match its key) as F32 or F16 (F16 rounds to
     * nearest even and saturates to infinity beyond 65504). {@code metadata} may be empty; it is omitted then.
     */
    public static void write(Path p, Map<String, Tensor> tensors, Map<String, String> metadata, DType dtype) {
        if (dtype != DType.F32 && dtype != DType.F16) {
            throw new IllegalArgumentException("safetensors writer supports F32 and F16, not " + dtype);
        }
        TreeMap<String, Tensor> sorted = new TreeMap<>(tensors);
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) {
            header.put("__metadata__", new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> kv : sorted.entrySet()) {
            Tensor t = kv.getValue();
            if (kv.getKey().equals("__metadata__") || !kv.getKey().equals(t.name())) {
                throw new IllegalArgumentException("bad tensor key '" + kv.getKey() + "' for tensor '" + t.name() + "'");
            }
            long bytes = t.numel() * dtype.bytes;
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("dtype", dtype.name());
            e.put("shape", t.shape());
            e.put("data_offsets", List.of(offset, offset + bytes));
            header.put(t.name(), e);
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8; // so the data buffer starts 8-byte aligned
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        java.util.Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        AtomicFiles.write(p, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(headerBytes);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : sorted.values()) {
                for (float v : t.data()) {
                    if (buf.remaining() < 4) {
                        out.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    if (dtype == DType.F32) {
                        buf.putFloat(v);
                    } else {
                        buf.putShort(Float.floatToFloat16(v));
                    }
                }
            }
            out.write(buf.array(), 0, buf.position());
        });
    }
}
