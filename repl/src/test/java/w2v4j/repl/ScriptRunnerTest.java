package w2v4j.repl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code w2v run SCRIPT}: lines in order, comments and quotes, background lines, and the first failure with its line. */
class ScriptRunnerTest {
    @TempDir
    Path tmp;

    @Test
    void splitsLikeTheShell() {
        assertNull(ScriptRunner.parse("   "));
        assertNull(ScriptRunner.parse("  # a comment"));
        assertEquals(List.of("config", "set", "note=two words", "x=it's", "y=a \"b\""),
                ScriptRunner.parse("config set \"note=two words\" \"x=it's\" 'y=a \"b\"'").words());
        ScriptRunner.Line bg = ScriptRunner.parse("plot run1 --metric loss &");
        assertTrue(bg.background());
        assertEquals(List.of("plot", "run1", "--metric", "loss"), bg.words());
    }

    @Test
    void runsInOrderAndStopsAtTheFirstFailure() throws Exception {
        Path run = PlotCommandTest.fakeRun(tmp.resolve("run1"));
        Path script = tmp.resolve("make-plots.w2v");
        Files.writeString(script, String.join("\n",
                "# plots of a finished run",
                "",
                "plot \"" + run + "\" --metric loss --out \"" + tmp.resolve("loss plot.png") + "\" &",
                "wait",
                "plot " + run + " --metric wer",
                "plot " + run + " --metric accuracy --out " + tmp.resolve("never.png")));
        PlotCommandTest.Run r = PlotCommandTest.w2v("run", script.toString());
        assertEquals(1, r.exit());
        assertEquals("w2v: " + script + ":5: " + run.resolve("metrics.jsonl") + ": no 'wer' values (found: loss, accuracy, lr)", r.err().strip());
        assertTrue(Files.exists(tmp.resolve("loss plot.png")), "the background line ran (quoted path with a space)");
        assertFalse(Files.exists(tmp.resolve("never.png")), "nothing runs after the failing line");
    }

    @Test
    void badLinesNameTheirLine() throws Exception {
        Path script = tmp.resolve("bad.w2v");
        Files.writeString(script, "backend list\nbackend use nosuch\n");
        PlotCommandTest.Run r = PlotCommandTest.w2v("run", script.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().strip().startsWith("w2v: " + script + ":2: unknown backend 'nosuch' (known: java"), r.err());

        Files.writeString(script, "jobs\n\nbench --presett base\n");
        r = PlotCommandTest.w2v("run", script.toString());
        assertEquals("w2v: " + script + ":3: Unknown options: '--presett', 'base' (did you mean --preset?); see 'bench --help'", r.err().strip());

        Files.writeString(script, "config set \"a=b\nexit\n");
        r = PlotCommandTest.w2v("run", script.toString());
        assertEquals("w2v: " + script + ":1: unbalanced quote: config set \"a=b", r.err().strip());
    }

    @Test
    void exitEndsTheScriptSuccessfully() throws Exception {
        Path script = tmp.resolve("exit.w2v");
        Files.writeString(script, "config set k=1\nexit\nbackend use nosuch\n");
        PlotCommandTest.Run r = PlotCommandTest.w2v("run", script.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("1", Session.current().overrides().get("k"));
    }
}
