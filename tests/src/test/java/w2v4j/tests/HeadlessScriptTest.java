package w2v4j.tests;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code w2v run SCRIPT} and {@code w2v COMMAND} as separate processes with piped output, as CI and cron
 * run them: plain text (no escape codes, no carriage returns), the exit code, and the failing line named.
 */
class HeadlessScriptTest {
    @TempDir
    Path tmp;

    record Result(int exit, String out, String err) {
    }

    static Result w2v(String... args) throws Exception {
        Process p = new ProcessBuilder(ShellProcess.command("w2v4j.repl.Main", args)).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished in time");
        String errText = new String(err, StandardCharsets.UTF_8).lines()
                .filter(l -> !l.contains("Using incubator modules")).reduce("", (a, b) -> a + b + "\n");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), errText);
    }

    static void assertPlain(String text) {
        assertFalse(text.contains("\033"), "no escape codes:\n" + text);
        assertFalse(text.contains("\r"), "no carriage returns:\n" + text);
    }

    @Test
    void scriptStopsAtTheFirstFailureWithItsLine() throws Exception {
        Path run = tmp.resolve("run one");
        Files.createDirectories(run);
        Files.writeString(run.resolve("metrics.jsonl"), "{\"update\": 1, \"loss\": 4.5}\n{\"update\": 2, \"loss\": 4.1}\n");
        Path script = tmp.resolve("steps.w2v");
        Files.writeString(script, String.join("\n",
                "# a headless session",
                "backend list",
                "config set optimization.lr=5e-4",
                "",
                "plot \"" + run + "\" --metric loss",
                "plot \"" + run + "\" --metric wer   ",
                "backend list"));
        Result r = w2v("run", script.toString());
        assertEquals(1, r.exit(), r.err());
        assertEquals("w2v: " + script + ":6: " + run.resolve("metrics.jsonl") + ": no 'wer' values (found: loss)", r.err().strip());
        assertEquals(1, r.out().split("NAME\\s+AVAILABLE", -1).length - 1, "line 7 did not run:\n" + r.out());
        assertTrue(r.out().contains("wrote " + run.resolve("plots").resolve("loss.png")), r.out());
        assertPlain(r.out() + r.err());

        Files.writeString(script, "backend list\nplot \"" + run + "\"\n");
        Result ok = w2v("run", script.toString());
        assertEquals(0, ok.exit(), ok.err());
        assertPlain(ok.out() + ok.err());
    }

    @Test
    void backgroundDataJobInAScript() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/espeak-ng")), "espeak-ng is not installed");
        Path corpus = tmp.resolve("corpus");
        Path script = tmp.resolve("data.w2v");
        Files.writeString(script, "data synth --out " + corpus + " --hours 0.004 --threads 1 &\nbackend list\nwait\n");
        Result r = w2v("run", script.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("[1] started: data synth"), r.out());
        assertTrue(Files.exists(corpus.resolve("utterances.tsv")), "the background job finished before the script ended");
        assertPlain(r.out() + r.err());
    }

    @Test
    void oneCommandAndItsErrors() throws Exception {
        Result list = w2v("backend", "list");
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("java"));
        Result bad = w2v("bench", "--preset", "huge", "--runs", "1");
        assertEquals(1, bad.exit());
        assertEquals("w2v: unknown preset 'huge' (known: micro, tiny, base, large)", bad.err().strip());
        Result typo = w2v("extrct");
        assertEquals(2, typo.exit());
        assertEquals("w2v: unknown command 'extrct' (did you mean extract?); see 'help'", typo.err().strip());
    }
}
