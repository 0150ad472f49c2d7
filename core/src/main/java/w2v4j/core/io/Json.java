package w2v4j.core.io;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import w2v4j.core.W2vException;

/**
 * A small strict JSON reader and writer. Values map to Java as: object -> LinkedHashMap&lt;String,Object&gt; (key order
 * kept, duplicate keys rejected), array -> ArrayList&lt;Object&gt;, string -> String, number -> Long when written without
 * fraction or exponent and within long range, otherwise Double, true/false -> Boolean, null -> null.
 *
 * <p>Leniency, on reading only: the bare words NaN, Infinity and -Infinity are accepted, because Python's json
 * module writes them. The writer refuses NaN and infinities (IllegalArgumentException): they are not JSON.
 * Doubles are written with {@link Double#toString}, the shortest text that reads back to the same double.
 */
public final class Json {
    private Json() {}

    private static final int MAX_DEPTH = 512;

    // ---- reading -----------------------------------------------------------------------------------------

    /** Parses a whole document; errors read "line L, column C: problem". */
    public static Object parse(String text) {
        Parser parser = new Parser(text);
        parser.skipSpace();
        Object value = parser.value(0);
        parser.skipSpace();
        if (parser.pos < text.length()) {
            throw parser.error("unexpected text after the JSON value");
        }
        return value;
    }

    /** Parses a file; errors read "FILE: line L, column C: problem". */
    public static Object parse(Path file) {
        String text = new String(FileBytes.readAll(file), StandardCharsets.UTF_8);
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1); // tolerate a UTF-8 byte order mark
        }
        try {
            return parse(text);
        } catch (W2vException e) {
            throw W2vException.file(file, e.getMessage(), e);
        }
    }

    /** Parses a file whose top level must be an object. */
    public static Obj readObject(Path file) {
        Object v = parse(file);
        if (!(v instanceof Map<?, ?>)) {
            throw W2vException.file(file, "expected a JSON object at the top level, found " + typeName(v));
        }
        return new Obj(asObjectMap(v), file);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asObjectMap(Object v) {
        return (Map<String, Object>) v;
    }

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) {
            this.s = s;
        }

        W2vException error(String problem) {
            return error(pos, problem);
        }

        W2vException error(int at, String problem) {
            int line = 1;
            int col = 1;
            for (int i = 0; i < at && i < s.length(); i++) {
                if (s.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            return new W2vException("line " + line + ", column " + col + ": " + problem);
        }

        void skipSpace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH);
            }
            if (pos >= s.length()) {
                throw error("unexpected end of input, expected a value");
            }
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> word("true", Boolean.TRUE);
                case 'f' -> word("false", Boolean.FALSE);
                case 'n' -> word("null", null);
                case 'N' -> word("NaN", Double.NaN);
                case 'I' -> word("Infinity", Double.POSITIVE_INFINITY);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("unexpected character '" + printable(c) + "'");
                }
            };
        }

        Object word(String w, Object v) {
            if (!s.startsWith(w, pos)) {
                throw error("unexpected character '" + printable(s.charAt(pos)) + "'");
            }
            pos += w.length();
            return v;
        }

        Map<String, Object> object(int depth) {
            Map<String, Object> map = new LinkedHashMap<>();
            pos++; // {
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipSpace();
                if (pos >= s.length() || s.charAt(pos) != '"') {
                    throw error(pos >= s.length() ? "unexpected end of input inside an object" : "expected a string key");
                }
                int keyAt = pos;
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                Object v = value(depth + 1);
                if (map.containsKey(key)) {
                    throw error(keyAt, "duplicate key '" + key + "'");
                }
                map.put(key, v);
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                if (pos < s.length() && s.charAt(pos) == '}') {
                    pos++;
                    return map;
                }
                throw error(pos >= s.length() ? "unexpected end of input inside an object" : "expected ',' or '}'");
            }
        }

        List<Object> array(int depth) {
            List<Object> list = new ArrayList<>();
            pos++; // [
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == ']') {
                pos++;
                return list;
            }
            while (true) {
                skipSpace();
                list.add(value(depth + 1));
                skipSpace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                if (pos < s.length() && s.charAt(pos) == ']') {
                    pos++;
                    return list;
                }
                throw error(pos >= s.length() ? "unexpected end of input inside an array" : "expected ',' or ']'");
            }
        }

        void expect(char c) {
            if (pos >= s.length() || s.charAt(pos) != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        String string() {
            pos++; // opening quote
            StringBuilder sb = null;
            int start = pos;
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos);
                if (c == '"') {
                    String tail = s.substring(start, pos);
                    pos++;
                    return sb == null ? tail : sb.append(tail).toString();
                }
                if (c < 0x20) {
                    throw error("control character in string (must be escaped)");
                }
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(s, start, pos);
                if (pos + 1 >= s.length()) {
                    throw error("unterminated string");
                }
                char e = s.charAt(pos + 1);
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 6 > s.length()) {
                            throw error("incomplete \\u escape");
                        }
                        int code = 0;
                        for (int i = pos + 2; i < pos + 6; i++) {
                            int d = Character.digit(s.charAt(i), 16);
                            if (d < 0) {
                                throw error(i, "bad hex digit in \\u escape");
                            }
                            code = code * 16 + d;
                        }
                        sb.append((char) code);
                        pos += 4;
                    }
                    default -> throw error("bad escape '\\" + printable(e) + "'");
                }
                pos += 2;
                start = pos;
            }
        }

        Object number() {
            int start = pos;
            if (s.charAt(pos) == '-') {
                pos++;
                if (s.startsWith("Infinity", pos)) {
                    pos += 8;
                    return Double.NEGATIVE_INFINITY;
                }
            }
            int intStart = pos;
            digits();
            if (pos == intStart) {
                throw error("expected a digit");
            }
            if (s.charAt(intStart) == '0' && pos - intStart > 1) {
                throw error(intStart, "leading zeros are not allowed");
            }
            boolean integer = true;
            if (pos < s.length() && s.charAt(pos) == '.') {
                integer = false;
                pos++;
                int f = pos;
                digits();
                if (pos == f) {
                    throw error("expected a digit after '.'");
                }
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                integer = false;
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                int e = pos;
                digits();
                if (pos == e) {
                    throw error("expected a digit in the exponent");
                }
            }
            String text = s.substring(start, pos);
            if (integer) {
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException tooBig) {
                    return Double.parseDouble(text); // beyond long range: keep the magnitude
                }
            }
            return Double.parseDouble(text);
        }

        void digits() {
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
        }

        static String printable(char c) {
            return c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c);
        }
    }

    // ---- writing -----------------------------------------------------------------------------------------

    /** Compact: no spaces or newlines. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, -1, 0);
        return sb.toString();
    }

    /** Two-space indentation, one member per line, like Python's json.dumps(indent=2). */
    public static String writePretty(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 2, 0);
        return sb.toString();
    }

    /** Writes pretty JSON plus a final newline, atomically. */
    public static void write(Path file, Object value) {
        AtomicFiles.write(file, (writePretty(value) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void write(StringBuilder sb, Object v, int indent, int level) {
        switch (v) {
            case null -> sb.append("null");
            case String str -> quote(sb, str);
            case Boolean b -> sb.append(b);
            case Long l -> sb.append(l);
            case Integer i -> sb.append(i);
            case Short sh -> sb.append(sh);
            case Byte by -> sb.append(by);
            case Double d -> sb.append(finite(d));
            case Float f -> sb.append(finite(f)); // as written by Float.toString: the float's shortest text
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new IllegalArgumentException("JSON object keys must be strings, found " + e.getKey());
                    }
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    newline(sb, indent, level + 1);
                    quote(sb, key);
                    sb.append(indent >= 0 ? ": " : ":");
                    write(sb, e.getValue(), indent, level + 1);
                }
                newline(sb, indent, level);
                sb.append('}');
            }
            case List<?> list -> writeList(sb, list, indent, level);
            case int[] a -> writeList(sb, java.util.Arrays.stream(a).boxed().toList(), indent, level);
            case long[] a -> writeList(sb, java.util.Arrays.stream(a).boxed().toList(), indent, level);
            case double[] a -> writeList(sb, java.util.Arrays.stream(a).boxed().toList(), indent, level);
            case float[] a -> {
                List<Object> boxed = new ArrayList<>(a.length);
                for (float f : a) {
                    boxed.add(f);
                }
                writeList(sb, boxed, indent, level);
            }
            default -> throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
        }
    }

    private static void writeList(StringBuilder sb, List<?> list, int indent, int level) {
        if (list.isEmpty()) {
            sb.append("[]");
            return;
        }
        sb.append('[');
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            newline(sb, indent, level + 1);
            write(sb, list.get(i), indent, level + 1);
        }
        newline(sb, indent, level);
        sb.append(']');
    }

    private static String finite(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("cannot write " + d + " as JSON");
        }
        return Double.toString(d);
    }

    private static String finite(float f) {
        if (Float.isNaN(f) || Float.isInfinite(f)) {
            throw new IllegalArgumentException("cannot write " + f + " as JSON");
        }
        return Float.toString(f);
    }

    private static void newline(StringBuilder sb, int indent, int level) {
        if (indent >= 0) {
            sb.append('\n');
            sb.repeat(' ', indent * level);
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** The JSON name of a parsed value's type, for error messages. */
    public static String typeName(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> "string";
            case Long l -> "integer";
            case Double d -> "number";
            case Boolean b -> "boolean";
            case List<?> l -> "list";
            case Map<?, ?> m -> "object";
            default -> v.getClass().getSimpleName();
        };
    }

    // ---- typed access ------------------------------------------------------------------------------------

    /**
     * A parsed JSON object plus the file it came from, with typed getters whose errors name the file and field:
     * "FILE: missing field 'x'", "FILE: field 'x' should be an integer list, found string". A field present with
     * value null counts as absent for the getters that take a default.
     */
    public record Obj(Map<String, Object> map, Path file) {

        public boolean has(String key) {
            return map.get(key) != null;
        }

        public Object get(String key) {
            return map.get(key);
        }

        private Object required(String key) {
            if (!map.containsKey(key)) {
                throw W2vException.file(file, "missing field '" + key + "'");
            }
            return map.get(key);
        }

        private W2vException wrongType(String key, String expected, Object found) {
            return W2vException.file(file, "field '" + key + "' should be " + expected + ", found " + typeName(found)
                    + (found instanceof Number || found instanceof Boolean ? " " + found : ""));
        }

        public long getLong(String key) {
            Object v = required(key);
            if (v instanceof Long l) {
                return l;
            }
            throw wrongType(key, "an integer", v);
        }

        public long getLong(String key, long def) {
            return has(key) ? getLong(key) : def;
        }

        public int getInt(String key) {
            long v = getLong(key);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw W2vException.file(file, "field '" + key + "' = " + v + " is out of the int range");
            }
            return (int) v;
        }

        public int getInt(String key, int def) {
            return has(key) ? getInt(key) : def;
        }

        /** Integers are accepted where a number is expected (Python writes 0 for 0.0 when the value is an int). */
        public double getDouble(String key) {
            Object v = required(key);
            if (v instanceof Double d) {
                return d;
            }
            if (v instanceof Long l) {
                return l;
            }
            throw wrongType(key, "a number", v);
        }

        public double getDouble(String key, double def) {
            return has(key) ? getDouble(key) : def;
        }

        public String getString(String key) {
            Object v = required(key);
            if (v instanceof String s) {
                return s;
            }
            throw wrongType(key, "a string", v);
        }

        public String getString(String key, String def) {
            return has(key) ? getString(key) : def;
        }

        public boolean getBool(String key) {
            Object v = required(key);
            if (v instanceof Boolean b) {
                return b;
            }
            throw wrongType(key, "a boolean", v);
        }

        public boolean getBool(String key, boolean def) {
            return has(key) ? getBool(key) : def;
        }

        public int[] getIntList(String key) {
            Object v = required(key);
            if (!(v instanceof List<?> list)) {
                throw wrongType(key, "an integer list", v);
            }
            int[] out = new int[list.size()];
            for (int i = 0; i < out.length; i++) {
                Object e = list.get(i);
                if (!(e instanceof Long l) || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                    throw W2vException.file(file, "field '" + key + "' should be an integer list, element " + i
                            + " is " + typeName(e) + (e == null ? "" : " " + e));
                }
                out[i] = (int) (long) l;
            }
            return out;
        }

        public int[] getIntList(String key, int[] def) {
            return has(key) ? getIntList(key) : def.clone();
        }

        public List<String> getStringList(String key) {
            Object v = required(key);
            if (!(v instanceof List<?> list)) {
                throw wrongType(key, "a string list", v);
            }
            List<String> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof String s)) {
                    throw W2vException.file(file, "field '" + key + "' should be a string list, element " + i
                            + " is " + typeName(list.get(i)));
                }
                out.add(s);
            }
            return Collections.unmodifiableList(out);
        }

        public List<String> getStringList(String key, List<String> def) {
            return has(key) ? getStringList(key) : def;
        }

        public Obj getObject(String key) {
            Object v = required(key);
            if (v instanceof Map<?, ?>) {
                return new Obj(asObjectMap(v), file);
            }
            throw wrongType(key, "an object", v);
        }
    }
}
