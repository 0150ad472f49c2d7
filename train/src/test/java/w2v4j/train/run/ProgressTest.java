package w2v4j.train.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void plainOutputPrintsOneLinePerLogInterval() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        p.start(0, 100);
        p.update(1, 3.0, Double.NaN, 1e5, false);
        p.update(2, 2.5, 0.41, 1.25e6, true);
        p.message("valid at update 2: loss 2.4");
        p.finish();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].startsWith("update 2/100 | loss 2.5000 | acc 0.410 | 1.25M samples/s | ETA "), lines[0]);
        assertEquals("valid at update 2: loss 2.4", lines[1]);
    }

    @Test
    void terminalOutputRedrawsInPlace() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        p.start(10, 12);
        p.update(11, 1.0, Double.NaN, 500, true);
        p.update(12, 0.5, Double.NaN, 500, true);
        p.finish();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("\rupdate 11/12 | loss 1.0000 | 500 samples/s | ETA "), out);
        // The last draw overwrites the longer previous one (which had an ETA) and pads it away; finish ends the line.
        String last = out.substring(out.lastIndexOf('\r') + 1);
        assertEquals("update 12/12 | loss 0.5000 | 500 samples/s", last.strip());
        assertEquals(out.indexOf('\r', 1) - 1, last.length() - 1, "padded to the previous width");
        assertTrue(last.endsWith("\n"));
        assertEquals(out.length() - 1, out.indexOf('\n'), "no newline before the end");
    }

    @Test
    void durationsAndRates() {
        assertEquals("42s", Progress.duration(42));
        assertEquals("12:05", Progress.duration(725));
        assertEquals("3:12:05", Progress.duration(3 * 3600 + 725));
        assertEquals("2d 03:12:05", Progress.duration(2 * 86400 + 3 * 3600 + 725));
        assertEquals("16.0k", Progress.si(16000));
    }
}
