package w2v4j.tests;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import w2v4j.repl.Main;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input through the CLI: each case exits non-zero with exactly one line on stderr that names
 * the file and the problem, and no stack trace unless --debug is given.
 */
class CliErrorsTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path wav;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeAll
    static void setUp() throws Exception {
        model = tmp.resolve("model");
        Files.createDirectories(model);
        Path src = ParityTest.fixtures().resolve("group_postln");
        for (String f : new String[]{"config.json", "preprocessor_config.json", "model.safetensors"})
            Files.copy(src.resolve(f), model.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        wav = tmp.resolve("ok.wav");
        float[] x = new float[4000];
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.3 * Math.sin(i * 0.07));
        w2v4j.core.audio.AudioFiles.writeWav(wav, x, 16000);
    }

    static void assertOneLineError(Run r, String... fragments) {
        assertEquals(1, r.exit(), "exit code; stderr was: " + r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, "expected one line on stderr, got:\n" + r.err());
        assertTrue(lines[0].startsWith("w2v: "), lines[0]);
        for (String f : fragments) assertTrue(lines[0].contains(f), "'" + lines[0] + "' should mention '" + f + "'");
        assertFalse(r.err().contains("\tat "), "no stack trace without --debug");
    }

    @Test
    void goodInputWritesFeatures() throws IOException {
        Path out = tmp.resolve("good.npy");
        Run r = run("extract", model.toString(), wav.toString(), out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(4000 / 40 - 1, w2v4j.core.io.Npy.read(out).shape()[0]);
    }

    @Test
    void truncatedWav() throws IOException {
        byte[] all = Files.readAllBytes(wav);
        Path bad = tmp.resolve("truncated.wav");
        Files.write(bad, java.util.Arrays.copyOf(all, all.length / 2));
        assertOneLineError(run("extract", model.toString(), bad.toString(), tmp.resolve("o1.npy").toString()), "truncated.wav", "truncated");
    }

    @Test
    void notAudio() throws IOException {
        Path bad = tmp.resolve("notes.wav");
        Files.writeString(bad, "these are not samples\n".repeat(20), StandardCharsets.UTF_8);
        assertOneLineError(run("extract", model.toString(), bad.toString(), tmp.resolve("o2.npy").toString()), "notes.wav");
    }

    @Test
    void missingAudio() {
        assertOneLineError(run("extract", model.toString(), tmp.resolve("absent.wav").toString(), tmp.resolve("o3.npy").toString()), "absent.wav");
    }

    @Test
    void safetensorsHeaderLies() throws IOException {
        Path dir = copyModel("lying");
        Path st = dir.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(st);
        // claim a header far longer than the file
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        Files.write(st, b);
        assertOneLineError(run("extract", dir.toString(), wav.toString(), tmp.resolve("o4.npy").toString()), "model.safetensors");
    }

    @Test
    void truncatedCheckpoint() throws IOException {
        Path dir = copyModel("cut");
        Path st = dir.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(st);
        Files.write(st, java.util.Arrays.copyOf(b, b.length - 100));
        assertOneLineError(run("extract", dir.toString(), wav.toString(), tmp.resolve("o5.npy").toString()), "model.safetensors");
    }

    @Test
    void configMissingField() throws IOException {
        Path dir = copyModel("nofield");
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, Files.readString(cfg).replaceAll("\"hidden_size\"\\s*:\\s*\\d+\\s*,", ""));
        assertOneLineError(run("extract", dir.toString(), wav.toString(), tmp.resolve("o6.npy").toString()), "config.json", "hidden_size");
    }

    @Test
    void wrongTensorShape() throws IOException {
        Path dir = copyModel("shape");
        Path cfg = dir.resolve("config.json");
        // a config that disagrees with the weights: FFN 64 in the checkpoint, 48 claimed here
        Files.writeString(cfg, Files.readString(cfg).replaceAll("\"intermediate_size\"\\s*:\\s*64", "\"intermediate_size\": 48"));
        assertOneLineError(run("extract", dir.toString(), wav.toString(), tmp.resolve("o7.npy").toString()),
                "model.safetensors", "intermediate_dense", "[64, 32]", "[48, 32]");
    }

    @Test
    void debugShowsStackTrace() throws IOException {
        Run r = run("extract", "--debug", model.toString(), tmp.resolve("absent.wav").toString(), tmp.resolve("o8.npy").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("\tat "), "stack trace with --debug:\n" + r.err());
    }

    @Test
    void layerOutOfRange() {
        assertOneLineError(run("extract", "--layer", "9", model.toString(), wav.toString(), tmp.resolve("o9.npy").toString()), "layer 9");
    }

    static Path copyModel(String name) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        for (String f : new String[]{"config.json", "preprocessor_config.json", "model.safetensors"})
            Files.copy(model.resolve(f), dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }
}
