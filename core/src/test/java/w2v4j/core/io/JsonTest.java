package w2v4j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import w2v4j.core.W2vException;

class JsonTest {
    @TempDir
    Path dir;

    @Test
    void parsesAllValueTypes() {
        Object v = Json.parse(" {\"a\": 1, \"b\": -2.5e-3, \"c\": [true, false, null], \"d\": \"x\\\"y\\\\z\\n\\u00e9\\ud83d\\ude00\","
                + " \"e\": {}, \"f\": [], \"g\": 0, \"h\": 1E2, \"i\": -0.0, \"j\": 12345678901234} ");
        Map<String, Object> m = Json.asObjectMap(v);
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), List.copyOf(m.keySet()));
        assertEquals(1L, m.get("a"));
        assertEquals(-2.5e-3, m.get("b"));
        assertEquals(Arrays.asList(true, false, null), m.get("c"));
        assertEquals("x\"y\\z\n\u00e9\uD83D\uDE00", m.get("d"));
        assertEquals(Map.of(), m.get("e"));
        assertEquals(List.of(), m.get("f"));
        assertEquals(0L, m.get("g"));
        assertEquals(100.0, m.get("h"));
        assertEquals(-0.0, m.get("i"));
        assertEquals(12345678901234L, m.get("j"));
    }

    @Test
    void pythonNonFiniteWordsAreAccepted() {
        assertEquals(List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY),
                Json.parse("[NaN, Infinity, -Infinity]"));
    }

    @Test
    void hugeIntegersBecomeDoubles() {
        assertEquals(1e20, Json.parse("100000000000000000000"));
    }

    @Test
    void compactAndPrettyRoundTrip() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "tab\there \"quoted\" \u0001 é");
        m.put("int", 42L);
        m.put("double", 0.1);
        m.put("tiny", 1e-5);
        m.put("whole", 3.0);
        m.put("list", List.of(1L, 2L, List.of()));
        m.put("nested", Map.of("k", true));
        m.put("none", null);
        m.put("empty", Map.of());
        String compact = Json.write(m);
        assertEquals("{\"name\":\"tab\\there \\\"quoted\\\" \\u0001 é\",\"int\":42,\"double\":0.1,\"tiny\":1.0E-5,"
                + "\"whole\":3.0,\"list\":[1,2,[]],\"nested\":{\"k\":true},\"none\":null,\"empty\":{}}", compact);
        assertEquals(m, Json.parse(compact));
        String pretty = Json.writePretty(Map.of("a", List.of(1L, 2L)));
        assertEquals("{\n  \"a\": [\n    1,\n    2\n  ]\n}", pretty);
        assertEquals(m, Json.parse(Json.writePretty(m)));
    }

    @Test
    void doublesRoundTripExactly() {
        double[] values = {0.1, 1.0 / 3, 6.02214076e23, -1e-300, Double.MIN_VALUE, Double.MAX_VALUE, 1e-7};
        for (double d : values) {
            assertEquals(d, (double) Json.parse(Json.write(d)));
        }
        assertEquals("[1,2]", Json.write(new int[] {1, 2}));
        assertEquals("[0.5,-1.0]", Json.write(new float[] {0.5f, -1f}));
    }

    @Test
    void writerRefusesNonFiniteAndUnknownTypes() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(Double.POSITIVE_INFINITY)));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }

    private static void assertError(String json, String message) {
        W2vException e = assertThrows(W2vException.class, () -> Json.parse(json));
        assertEquals(message, e.getMessage());
    }

    @Test
    void errorsGiveLineAndColumn() {
        assertError("{\"a\": 1,\n  \"b\" 2}", "line 2, column 7: expected ':'");
        assertError("[1, 2", "line 1, column 6: unexpected end of input inside an array");
        assertError("{\"a\": tru}", "line 1, column 7: unexpected character 't'");
        assertError("[1,]", "line 1, column 4: unexpected character ']'");
        assertError("{\"a\": 1, \"a\": 2}", "line 1, column 10: duplicate key 'a'");
        assertError("\"abc", "line 1, column 5: unterminated string");
        assertError("01", "line 1, column 1: leading zeros are not allowed");
        assertError("1.", "line 1, column 3: expected a digit after '.'");
        assertError("{} x", "line 1, column 4: unexpected text after the JSON value");
        assertError("\"\\q\"", "line 1, column 2: bad escape '\\q'");
        assertError("\"a\nb\"", "line 1, column 3: control character in string (must be escaped)");
        assertError("", "line 1, column 1: unexpected end of input, expected a value");
        assertError("{'a': 1}", "line 1, column 2: expected a string key");
        assertError("[".repeat(600), "line 1, column 514: nesting deeper than 512");
    }

    @Test
    void fileErrorsNameTheFile() throws IOException {
        Path p = dir.resolve("bad.json");
        Files.writeString(p, "{\n\"a\": [1 2]\n}");
        W2vException e = assertThrows(W2vException.class, () -> Json.parse(p));
        assertEquals(p + ": line 2, column 9: expected ',' or ']'", e.getMessage());
        Path list = dir.resolve("list.json");
        Files.writeString(list, "[1]");
        W2vException top = assertThrows(W2vException.class, () -> Json.readObject(list));
        assertEquals(list + ": expected a JSON object at the top level, found list", top.getMessage());
        Path missing = dir.resolve("missing.json");
        assertEquals(missing + ": no such file", assertThrows(W2vException.class, () -> Json.parse(missing)).getMessage());
    }

    @Test
    void writeFileAndReadBack() {
        Path p = dir.resolve("out/x.json");
        Json.write(p, Map.of("k", List.of("v")));
        Json.Obj o = Json.readObject(p);
        assertEquals(List.of("v"), o.getStringList("k"));
    }

    @Test
    void typedGetters() throws IOException {
        Path p = dir.resolve("c.json");
        Files.writeString(p, "\uFEFF{\"i\": 7, \"d\": 0.5, \"di\": 2, \"s\": \"str\", \"b\": true, \"l\": [1, 2, 3],"
                + " \"sl\": [\"a\"], \"n\": null, \"o\": {\"x\": 1}, \"big\": 3000000000}");
        Json.Obj o = Json.readObject(p);
        assertEquals(7, o.getInt("i"));
        assertEquals(9, o.getInt("absent", 9));
        assertEquals(9, o.getInt("n", 9)); // null counts as absent when there is a default
        assertEquals(0.5, o.getDouble("d"));
        assertEquals(2.0, o.getDouble("di"));
        assertEquals("str", o.getString("s"));
        assertEquals("def", o.getString("absent", "def"));
        assertTrue(o.getBool("b"));
        assertArrayEquals(new int[] {1, 2, 3}, o.getIntList("l"));
        assertArrayEquals(new int[] {4}, o.getIntList("absent", new int[] {4}));
        assertEquals(List.of("a"), o.getStringList("sl"));
        assertEquals(1, o.getObject("o").getInt("x"));
        assertEquals(3000000000L, o.getLong("big"));
        assertNull(o.get("n"));

        assertEquals(p + ": missing field 'x'", assertThrows(W2vException.class, () -> o.getInt("x")).getMessage());
        assertEquals(p + ": field 's' should be an integer list, found string",
                assertThrows(W2vException.class, () -> o.getIntList("s")).getMessage());
        assertEquals(p + ": field 'd' should be an integer, found number 0.5",
                assertThrows(W2vException.class, () -> o.getInt("d")).getMessage());
        assertEquals(p + ": field 'i' should be a string, found integer 7",
                assertThrows(W2vException.class, () -> o.getString("i")).getMessage());
        assertEquals(p + ": field 'n' should be a boolean, found null",
                assertThrows(W2vException.class, () -> o.getBool("n")).getMessage());
        assertEquals(p + ": field 'sl' should be an integer list, element 0 is string a",
                assertThrows(W2vException.class, () -> o.getIntList("sl")).getMessage());
        assertEquals(p + ": field 'big' = 3000000000 is out of the int range",
                assertThrows(W2vException.class, () -> o.getInt("big")).getMessage());
        assertEquals(p + ": field 's' should be a number, found string",
                assertThrows(W2vException.class, () -> o.getDouble("s")).getMessage());
    }
}
