package w2v4j.repl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plots are real PNG files whose plot area holds pixels in the series colours. */
class PlotCommandTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    static Run w2v(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    /** A run directory with 200 training updates (loss falling, accuracy rising) and a validation point every 50. */
    static Path fakeRun(Path dir) throws Exception {
        Files.createDirectories(dir);
        StringBuilder sb = new StringBuilder();
        for (int u = 1; u <= 200; u++) {
            sb.append(String.format(Locale.ROOT, "{\"update\": %d, \"loss\": %.4f, \"accuracy\": %.4f, \"lr\": 0.0005}%n",
                    u, 6.0 * Math.exp(-u / 60.0) + 0.5, 1 - Math.exp(-u / 80.0)));
            if (u % 50 == 0) sb.append(String.format(Locale.ROOT, "{\"update\": %d, \"split\": \"valid\", \"loss\": %.4f, \"accuracy\": %.4f}%n",
                    u, 6.0 * Math.exp(-u / 60.0) + 0.8, 0.9 - Math.exp(-u / 80.0)));
        }
        Files.writeString(dir.resolve("metrics.jsonl"), sb);
        return dir;
    }

    /** Pixels within a few levels of {@code c} inside rows [y0, y1). */
    static int count(BufferedImage img, Color c, int y0, int y1) {
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                Color p = new Color(img.getRGB(x, y));
                if (Math.abs(p.getRed() - c.getRed()) + Math.abs(p.getGreen() - c.getGreen()) + Math.abs(p.getBlue() - c.getBlue()) < 24) n++;
            }
        }
        return n;
    }

    @Test
    void curvesOneFilePerMetric() throws Exception {
        Path run = fakeRun(tmp.resolve("run1"));
        Run r = w2v("plot", run.toString());
        assertEquals(0, r.exit(), r.err());
        for (String metric : new String[]{"loss", "accuracy"}) {
            Path png = run.resolve("plots").resolve(metric + ".png");
            byte[] bytes = Files.readAllBytes(png);
            assertEquals((byte) 0x89, bytes[0]);
            assertEquals("PNG", new String(bytes, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
            BufferedImage img = ImageIO.read(png.toFile());
            assertEquals(PlotCommand.WIDTH, img.getWidth());
            assertEquals(PlotCommand.HEIGHT, img.getHeight());
            // A 200-point curve across the plot is hundreds of pixels; the legend swatch alone is a few dozen.
            assertTrue(count(img, PlotCommand.TRAIN_COLOR, 0, img.getHeight()) > 300, metric + ": train curve drawn");
            assertTrue(count(img, PlotCommand.VALID_COLOR, 0, img.getHeight()) > 60, metric + ": valid points drawn");
        }
        assertFalse(Files.exists(run.resolve("plots/code_perplexity.png")), "only metrics the file has");
    }

    @Test
    void stackedIntoOneFile() throws Exception {
        Path run = fakeRun(tmp.resolve("run2"));
        Path out = tmp.resolve("both.png");
        Run r = w2v("plot", run.toString(), "--metric", "loss,lr", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        BufferedImage img = ImageIO.read(out.toFile());
        assertEquals(2 * PlotCommand.HEIGHT, img.getHeight());
        assertTrue(count(img, PlotCommand.TRAIN_COLOR, 0, PlotCommand.HEIGHT) > 300, "loss chart drawn");
        assertTrue(count(img, PlotCommand.TRAIN_COLOR, PlotCommand.HEIGHT, 2 * PlotCommand.HEIGHT) > 300, "lr chart drawn");
    }

    @Test
    void codebookBars() throws Exception {
        Path run = tmp.resolve("run3");
        Files.createDirectories(run);
        // Group 1 uses codes unevenly, group 2 uses half of them.
        StringBuilder g1 = new StringBuilder(), g2 = new StringBuilder();
        for (int v = 0; v < 32; v++) {
            g1.append(v == 0 ? "" : ", ").append(1000 / (v + 1));
            g2.append(v == 0 ? "" : ", ").append(v % 2 == 0 ? 50 : 0);
        }
        Files.writeString(run.resolve("codebook_usage.json"), "{\"groups\": 2, \"vars\": 32, \"counts\": [[" + g1 + "], [" + g2 + "]]}");
        Run r = w2v("plot", "codebook", run.toString());
        assertEquals(0, r.exit(), r.err());
        BufferedImage img = ImageIO.read(run.resolve("plots/codebook.png").toFile());
        assertEquals(2 * PlotCommand.HEIGHT, img.getHeight());
        assertTrue(count(img, PlotCommand.BAR_COLOR, 0, PlotCommand.HEIGHT) > 2000, "group 1 bars");
        assertTrue(count(img, PlotCommand.BAR_COLOR, PlotCommand.HEIGHT, 2 * PlotCommand.HEIGHT) > 2000, "group 2 bars");
    }

    @Test
    void perplexity() {
        assertEquals(8.0, PlotCommand.perplexity(new long[]{5, 5, 5, 5, 5, 5, 5, 5}), 1e-9);
        assertEquals(1.0, PlotCommand.perplexity(new long[]{0, 9, 0, 0}), 1e-9);
        assertEquals(2.0, PlotCommand.perplexity(new long[]{3, 0, 3, 0}), 1e-9);
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path run = fakeRun(tmp.resolve("run4"));
        Run missing = w2v("plot", run.toString(), "--metric", "wer");
        assertEquals(1, missing.exit());
        assertEquals("w2v: " + run.resolve("metrics.jsonl") + ": no 'wer' values (found: loss, accuracy, lr)", missing.err().strip());

        Files.writeString(run.resolve("metrics.jsonl"), "{\"update\": 1, \"loss\": 2}\n{\"update\": 2, \"loss\": }\n");
        Run broken = w2v("plot", run.toString());
        assertEquals(1, broken.exit());
        assertTrue(broken.err().strip().startsWith("w2v: " + run.resolve("metrics.jsonl") + ": line 2, column"), broken.err());
        assertEquals(1, broken.err().strip().lines().count());

        Files.writeString(run.resolve("codebook_usage.json"), "{\"groups\": 2, \"vars\": 3, \"counts\": [[1, 2, 3]]}");
        Run cb = w2v("plot", "codebook", run.toString());
        assertEquals(1, cb.exit());
        assertTrue(cb.err().contains("'counts' must be a list of 2 lists"), cb.err());
    }
}
