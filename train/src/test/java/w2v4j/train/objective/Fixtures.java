package w2v4j.train.objective;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the fixtures written by {@code scripts/make_objective_fixtures.py}: .npy (v1, little-endian
 * f4/i4/u1, C order, which is all np.save writes for them) and a flat case.json. Kept in the test
 * tree until {@code w2v4j.core.io.Npy} is on this branch.
 */
final class Fixtures {

    private Fixtures() {}

    record Array(int[] shape, float[] floats, int[] ints) {}

    static Array npy(String resource) {
        byte[] bytes = bytes(resource);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes[0] != (byte) 0x93 || bytes[1] != 'N' || bytes[5] != 'Y') throw new IllegalStateException(resource + ": not an .npy file");
        if (bytes[6] != 1) throw new IllegalStateException(resource + ": npy version " + bytes[6] + " not handled");
        int headerLen = bb.getShort(8) & 0xffff;
        String header = new String(bytes, 10, headerLen, StandardCharsets.US_ASCII);
        if (header.contains("'fortran_order': True")) throw new IllegalStateException(resource + ": fortran order");
        Matcher dm = Pattern.compile("'descr': '([^']+)'").matcher(header);
        Matcher sm = Pattern.compile("'shape': \\(([^)]*)\\)").matcher(header);
        if (!dm.find() || !sm.find()) throw new IllegalStateException(resource + ": bad header " + header);
        String[] dims = sm.group(1).split(",");
        int count = 0;
        for (String d : dims) if (!d.isBlank()) count++;
        int[] shape = new int[count];
        int n = 1, k = 0;
        for (String d : dims) if (!d.isBlank()) { shape[k] = Integer.parseInt(d.trim()); n *= shape[k++]; }
        bb.position(10 + headerLen);
        switch (dm.group(1)) {
            case "<f4" -> {
                float[] f = new float[n];
                bb.asFloatBuffer().get(f);
                return new Array(shape, f, null);
            }
            case "<i4" -> {
                int[] a = new int[n];
                bb.asIntBuffer().get(a);
                return new Array(shape, null, a);
            }
            case "|u1", "|b1" -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) a[i] = bb.get() & 0xff;
                return new Array(shape, null, a);
            }
            default -> throw new IllegalStateException(resource + ": dtype " + dm.group(1) + " not handled");
        }
    }

    static boolean exists(String resource) {
        return Fixtures.class.getResource("/" + resource) != null;
    }

    /** Flat JSON object of numbers, booleans and strings → raw value strings. */
    static Map<String, String> json(String resource) {
        String s = new String(bytes(resource), StandardCharsets.UTF_8);
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\"([^\"]+)\"\\s*:\\s*(\"[^\"]*\"|[^,}\\s]+)").matcher(s);
        while (m.find()) out.put(m.group(1), m.group(2).replace("\"", ""));
        return out;
    }

    private static byte[] bytes(String resource) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/" + resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** max|a−b| / max|b|: error relative to the tensor's scale, not per element (see ObjectiveParityTest). */
    static double relErr(float[] a, float[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num = Math.max(num, Math.abs((double) a[i] - b[i]));
            den = Math.max(den, Math.abs((double) b[i]));
        }
        return den == 0 ? num : num / den;
    }

    static double relErr(double a, double b) {
        return b == 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b);
    }
}
