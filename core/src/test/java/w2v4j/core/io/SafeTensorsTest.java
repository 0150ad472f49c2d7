package w2v4j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import w2v4j.core.W2vException;
import w2v4j.core.tensor.Tensor;

class SafeTensorsTest {
    @TempDir
    Path dir;

    /** A safetensors file from a header JSON string and raw data bytes, built by hand. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.writeBytes(h);
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] le16(int... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putShort((short) x);
        }
        return b.array();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void roundTripF32WithMetadata() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("z.weight", new Tensor("z.weight", new int[] {2, 3}, new float[] {1, -2, 3.5f, Float.MIN_VALUE, -0f, 1e30f}));
        in.put("a.bias", new Tensor("a.bias", new int[] {3}, new float[] {0.1f, 0.2f, 0.3f}));
        in.put("scalar", new Tensor("scalar", new int[] {}, new float[] {7}));
        in.put("empty", new Tensor("empty", new int[] {0, 4}, new float[0]));
        Path p = dir.resolve("m.safetensors");
        SafeTensors.write(p, in, Map.of("format", "pt", "note", "w2v4j \"test\""));
        Map<String, Tensor> out = SafeTensors.read(p);
        assertEquals(List.of("a.bias", "empty", "scalar", "z.weight"), List.copyOf(out.keySet()));
        for (String k : in.keySet()) {
            assertEquals(in.get(k), out.get(k));
        }
        SafeTensors.Header h = SafeTensors.readHeader(p);
        assertEquals(Map.of("format", "pt", "note", "w2v4j \"test\""), h.metadata());
        assertEquals(0, h.dataStart() % 8);
        // Data in name order, back to back.
        assertEquals(0, h.entries().get("a.bias").begin());
        assertEquals(12, h.entries().get("scalar").begin());
        assertEquals(16, h.entries().get("z.weight").begin());
        assertEquals(h.dataStart() + 40, Files.size(p));
        assertEquals(List.of("a.bias"), List.copyOf(SafeTensors.read(p, n -> n.startsWith("a.")).keySet()));
    }

    @Test
    void roundTripF16() {
        float[] values = {1f, -2.5f, 65504f, 0.1f, 1e-7f};
        Path p = dir.resolve("h.safetensors");
        SafeTensors.write(p, Map.of("x", new Tensor("x", new int[] {5}, values)), Map.of(), SafeTensors.DType.F16);
        float[] back = SafeTensors.read(p).get("x").data();
        assertArrayEquals(new float[] {1f, -2.5f, 65504f, Float.float16ToFloat(Float.floatToFloat16(0.1f)),
                Float.float16ToFloat(Float.floatToFloat16(1e-7f))}, back);
        assertEquals(0.0999755859375f, back[3]); // nearest half to 0.1
        assertEquals(SafeTensors.DType.F16, SafeTensors.readHeader(p).entries().get("x").dtype());
    }

    @Test
    void f16ConversionIsExact() throws IOException {
        // 1.0, -2.5, 65504 (max), smallest subnormal 2^-24, largest subnormal, +inf, -inf, -0.0
        byte[] data = le16(0x3C00, 0xC100, 0x7BFF, 0x0001, 0x03FF, 0x7C00, 0xFC00, 0x8000);
        Path p = write("f16.safetensors", file("{\"t\":{\"dtype\":\"F16\",\"shape\":[8],\"data_offsets\":[0,16]}}", data));
        float[] t = SafeTensors.read(p).get("t").data();
        assertArrayEquals(new float[] {1f, -2.5f, 65504f, (float) Math.pow(2, -24), 1023 * (float) Math.pow(2, -24),
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f}, t);
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(t[7]));
        Path nan = write("nan.safetensors", file("{\"t\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", le16(0x7E00)));
        assertTrue(Float.isNaN(SafeTensors.read(nan).get("t").data()[0]));
    }

    @Test
    void bf16ConversionIsExact() throws IOException {
        // 1.0, -2.5, 65504 is not representable (bf16 0x477F = 65280), smallest subnormal 2^-133, +inf, largest finite
        byte[] data = le16(0x3F80, 0xC020, 0x477F, 0x0001, 0x7F80, 0x7F7F);
        Path p = write("bf16.safetensors", file("{\"t\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,12]}}", data));
        Tensor t = SafeTensors.read(p).get("t");
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertArrayEquals(new float[] {1f, -2.5f, 65280f, Float.intBitsToFloat(0x00010000), Float.POSITIVE_INFINITY,
                Float.intBitsToFloat(0x7F7F0000)}, t.data());
        assertEquals(0x3F80, SafeTensors.floatToBf16(1f) & 0xFFFF);
        assertEquals(0x3F80, SafeTensors.floatToBf16(Float.intBitsToFloat(0x3F808000)) & 0xFFFF); // tie -> even
        assertEquals(0x3F82, SafeTensors.floatToBf16(Float.intBitsToFloat(0x3F818000)) & 0xFFFF); // tie -> even (up)
        assertEquals(0x3F81, SafeTensors.floatToBf16(Float.intBitsToFloat(0x3F808001)) & 0xFFFF);
        assertTrue(Float.isNaN(SafeTensors.bf16ToFloat(SafeTensors.floatToBf16(Float.NaN))));
    }

    @Test
    void integerDtypesBecomeFloats() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 * 2 + 4 * 2 + 2).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(-3).putLong(1L << 20).putInt(5).putInt(-6).put((byte) 200).put((byte) -1);
        String header = "{\"l\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[24,25]},"
                + "\"s\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[25,26]}}";
        Map<String, Tensor> m = SafeTensors.read(write("ints.safetensors", file(header, b.array())));
        assertArrayEquals(new float[] {-3, 1 << 20}, m.get("l").data());
        assertArrayEquals(new float[] {5, -6}, m.get("i").data());
        assertArrayEquals(new float[] {200}, m.get("u").data());
        assertArrayEquals(new float[] {-1}, m.get("s").data());
    }

    private void assertFails(String name, byte[] bytes, String message) throws IOException {
        Path p = write(name, bytes);
        W2vException e = assertThrows(W2vException.class, () -> SafeTensors.read(p));
        assertEquals(p + ": " + message, e.getMessage());
    }

    @Test
    void lyingHeadersAreRejected() throws IOException {
        byte[] four = new byte[16];
        assertFails("short.safetensors", new byte[5], "not a safetensors file (5 bytes, shorter than the 8-byte header length)");
        byte[] longHeader = file("{}", new byte[0]);
        longHeader[0] = 100;
        assertFails("hlen.safetensors", longHeader, "truncated: header length 100 exceeds the file size 10");
        byte[] huge = file("{}", new byte[0]);
        huge[7] = 0x7F;
        assertFails("huge.safetensors", huge, "not a safetensors file (header length 9151314442816847874)");
        assertFails("json.safetensors", file("{\"t\":", four), "bad safetensors header JSON: line 1, column 6: unexpected end of input, expected a value");
        assertFails("range.safetensors", file("{\"t\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]}}", four),
                "tensor 't': data_offsets [0, 32] lie outside the data buffer of 16 bytes");
        assertFails("size.safetensors", file("{\"t\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", four),
                "tensor 't': data_offsets span 16 bytes but F32 [3] needs 12");
        assertFails("dtype.safetensors", file("{\"t\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", four),
                "tensor 't': unsupported dtype 'F8_E4M3'");
        assertFails("overlap.safetensors", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", four),
                "tensors 'a' and 'b' overlap in the data buffer");
        assertFails("offs.safetensors", file("{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", four),
                "tensor 't': data_offsets should be a list of two integers");
        assertFails("shape.safetensors", file("{\"t\":{\"dtype\":\"F32\",\"shape\":\"4\",\"data_offsets\":[0,16]}}", four),
                "tensor 't': shape should be an integer list, found string");
        assertFails("meta.safetensors", file("{\"__metadata__\":{\"k\":1}}", four),
                "__metadata__ value 'k' should be a string, found integer");
        assertFails("top.safetensors", file("[1]", four), "safetensors header is not a JSON object");
        assertFails("back.safetensors", file("{\"t\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", four),
                "tensor 't': data_offsets [8, 4] lie outside the data buffer of 16 bytes");
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("none.safetensors");
        assertEquals(p + ": no such file", assertThrows(W2vException.class, () -> SafeTensors.read(p)).getMessage());
    }

    @Test
    void tensorRecord() {
        Tensor t = new Tensor("w", new int[] {2, 2}, new float[4]);
        assertEquals(4, t.numel());
        assertEquals("[2, 2]", t.shapeString());
        assertEquals(2, t.rank());
        assertThrows(IllegalArgumentException.class, () -> new Tensor("w", new int[] {3}, new float[4]));
    }
}
