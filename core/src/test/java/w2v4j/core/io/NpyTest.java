package w2v4j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import w2v4j.core.W2vException;

/** Fixtures under resources/npy were written by numpy 2.4 (np.save and format.write_array version 2.0). */
class NpyTest {
    @TempDir
    Path dir;

    static Path resource(String name) {
        try {
            return Path.of(NpyTest.class.getResource("/npy/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readsNumpyFiles() {
        Npy.NpyArray a = Npy.read(resource("f4_2x3.npy"));
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(new float[] {-0.5f, -0.25f, 0f, 0.25f, 0.5f, 0.75f}, a.data());

        Npy.NpyArray v2 = Npy.read(resource("f8_v2.npy"));
        assertArrayEquals(new int[] {3}, v2.shape());
        assertArrayEquals(new float[] {1.5f, -2.25f, 1e-3f}, v2.data());

        Npy.NpyLongArray l = Npy.readLongs(resource("i8_4.npy"));
        assertArrayEquals(new long[] {0, -1, 1L << 40, 7}, l.data());

        Npy.NpyLongArray scalar = Npy.readLongs(resource("i4_scalar.npy"));
        assertArrayEquals(new int[0], scalar.shape());
        assertArrayEquals(new long[] {42}, scalar.data());

        Npy.NpyArray empty = Npy.read(resource("f4_empty.npy"));
        assertArrayEquals(new int[] {0, 5}, empty.shape());
        assertEquals(0, empty.data().length);
    }

    @Test
    void writesWhatNumpyWrites() throws IOException {
        // Same array as the numpy fixture: the bytes must be identical (header text, padding, data).
        Path p = dir.resolve("f4.npy");
        Npy.write(p, new int[] {2, 3}, new float[] {-0.5f, -0.25f, 0f, 0.25f, 0.5f, 0.75f});
        assertArrayEquals(Files.readAllBytes(resource("f4_2x3.npy")), Files.readAllBytes(p));
        Path i = dir.resolve("i8.npy");
        Npy.writeLongs(i, new int[] {4}, new long[] {0, -1, 1L << 40, 7});
        assertArrayEquals(Files.readAllBytes(resource("i8_4.npy")), Files.readAllBytes(i));
    }

    @Test
    void roundTripsShapes() {
        int[][] shapes = {{}, {1}, {7}, {2, 3, 4}, {0}, {1, 1, 1, 1, 5}};
        for (int[] shape : shapes) {
            int n = Arrays.stream(shape).reduce(1, (x, y) -> x * y);
            float[] data = new float[n];
            long[] longs = new long[n];
            for (int k = 0; k < n; k++) {
                data[k] = k * 0.37f - 3;
                longs[k] = k * 1_000_000_007L - 5;
            }
            Path p = dir.resolve("r.npy");
            Npy.write(p, shape, data);
            Npy.NpyArray a = Npy.read(p);
            assertArrayEquals(shape, a.shape());
            assertArrayEquals(data, a.data());
            Npy.writeLongs(p, shape, longs);
            assertArrayEquals(longs, Npy.readLongs(p).data());
        }
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static void assertFails(Path p, String message, boolean longs) {
        W2vException e = assertThrows(W2vException.class, () -> {
            if (longs) {
                Npy.readLongs(p);
            } else {
                Npy.read(p);
            }
        });
        assertEquals(p + ": " + message, e.getMessage());
    }

    @Test
    void badInputs() throws IOException {
        byte[] good = Files.readAllBytes(resource("f4_2x3.npy"));
        byte[] badMagic = good.clone();
        badMagic[1] = 'X';
        assertFails(file("magic.npy", badMagic), "not a .npy file (bad magic)", false);
        assertFails(file("empty.npy", new byte[0]), "not a .npy file (bad magic)", false);
        assertFails(file("trunc.npy", Arrays.copyOf(good, good.length - 5)),
                "truncated: shape (2, 3) of <f4 needs 24 bytes, file has 19", false);
        assertFails(file("hdr.npy", Arrays.copyOf(good, 40)), "truncated: .npy header says 118 bytes, file has 30", false);
        assertFails(file("extra.npy", Arrays.copyOf(good, good.length + 3)), "3 unexpected bytes after the array data", false);
        assertFails(resource("fortran.npy"), "Fortran-order arrays are not supported (save with np.ascontiguousarray)", false);
        assertFails(resource("i8_4.npy"), "dtype '<i8' is not a float dtype (expected <f4, <f8 or <f2); read it as integers", false);
        assertFails(resource("f4_2x3.npy"), "dtype '<f4' is not an integer dtype (expected <i4, <i8, |i1 or |u1)", true);
        byte[] v9 = good.clone();
        v9[6] = 9;
        assertFails(file("v9.npy", v9), "unsupported .npy format version 9.0", false);
        byte[] big = new String(good, java.nio.charset.StandardCharsets.ISO_8859_1).replace("'<f4'", "'>f4'")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertFails(file("big.npy", big), "big-endian dtype '>f4' is not supported", false);
        byte[] garbled = new String(good, java.nio.charset.StandardCharsets.ISO_8859_1).replace("(2, 3)", "[2, 3]")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        W2vException e = assertThrows(W2vException.class, () -> Npy.read(file("garbled.npy", garbled)));
        assertEquals(true, e.getMessage().startsWith(dir.resolve("garbled.npy") + ": bad .npy header "), e.getMessage());
    }
}
