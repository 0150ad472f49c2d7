package w2v4j.tests;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The shell on a real pseudo-terminal: tmux runs it, send-keys types (TAB, Ctrl-C) and capture-pane reads
 * the screen. Checks the prompt, completion of commands, options and preset values, the live progress line
 * of a foreground job, Ctrl-C stopping that job while the shell survives, a one-line error for a bad
 * command, a background job in the status line, and history. Skipped only where tmux is not installed.
 */
class TmuxShellTest {
    @TempDir
    Path tmp;

    // A private tmux server, so the test never touches anyone's sessions.
    final String socket = "w2v-test-" + ProcessHandle.current().pid();

    static boolean tmuxInstalled() {
        try {
            return new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    String tmux(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out;
    }

    String screen() throws Exception {
        return tmux("capture-pane", "-p", "-t", "w2v");
    }

    /** Polls the screen until {@code ok} holds (20 s at most) and returns it. */
    String await(String what, Predicate<String> ok) throws Exception {
        long end = System.nanoTime() + 20_000_000_000L;
        String s = "";
        while (System.nanoTime() < end) {
            s = screen();
            if (ok.test(s)) return s;
            Thread.sleep(100);
        }
        fail("waited 20 s for " + what + "; the screen shows:\n" + s);
        return s;
    }

    String await(String text) throws Exception {
        return await("'" + text + "'", s -> s.contains(text));
    }

    /** The last non-blank line of the screen, where the cursor is. */
    static String lastLine(String screen) {
        List<String> lines = screen.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.getLast().stripTrailing();
    }

    void keys(String... keys) throws Exception {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", "w2v"));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    @AfterEach
    void killServer() throws Exception {
        if (tmuxInstalled()) tmux("kill-server");
    }

    @Test
    void shellOnAPseudoTerminal() throws Exception {
        Assumptions.assumeTrue(tmuxInstalled(), "tmux is not installed");
        Path script = tmp.resolve("shell.sh");
        Path history = tmp.resolve("history");
        StringBuilder cmd = new StringBuilder();
        for (String a : ShellProcess.command(SpinCommand.class.getName())) cmd.append('\'').append(a.replace("'", "'\\''")).append("' ");
        // Ctrl-C reaches the whole foreground process group; the trap keeps this wrapper alive (the JVM handles it).
        Files.writeString(script, "#!/bin/sh\ntrap true INT\nW2V_HISTORY='" + history + "' " + cmd + "\necho \"SHELL-EXITED $?\"\nsleep 60\n");
        tmux("new-session", "-d", "-s", "w2v", "-x", "160", "-y", "40", "sh " + script);

        await("the prompt", s -> lastLine(s).equals("w2v>"));

        keys("ext", "Tab");
        await("'ext' completed", s -> lastLine(s).equals("w2v> extract"));
        keys("C-u", "bench --pre", "Tab");
        await("an option completed", s -> lastLine(s).equals("w2v> bench --preset"));
        keys("Tab");
        await("the presets offered", s -> s.contains("base") && s.contains("large"));
        keys("l", "Tab");
        await("a preset completed", s -> s.contains("w2v> bench --preset large"));
        keys("C-u");

        // A foreground job draws its progress line; Ctrl-C stops it at a safe point and the shell stays.
        keys("spin --steps 100000 --ms 20", "Enter");
        await("the live progress line", s -> lastLine(s).matches("spin \\d+/100000 steps, loss [0-9.]+, 50 samples/s, \\d+ steps/s, ETA .*"));
        keys("C-c");
        String stopped = await("the job stopped", s -> s.contains("[1] stopped") && lastLine(s).equals("w2v>"));
        assertTrue(stopped.contains("^C stopping job 1 at its next safe point"), stopped);
        assertTrue(stopped.matches("(?s).*spin: stopped at step \\d+, checkpoint written.*"), stopped);
        assertFalse(stopped.contains("SHELL-EXITED"));

        keys("bogus --now", "Enter");
        String bad = await("the error", s -> s.contains("w2v: unknown command 'bogus'") && lastLine(s).equals("w2v>"));
        List<String> lines = bad.lines().toList();
        int at = lines.indexOf("w2v> bogus --now");
        assertEquals("w2v: unknown command 'bogus'; see 'help'", lines.get(at + 1).strip(), bad);
        assertEquals("w2v>", lines.get(at + 2).strip(), "one line, then the prompt again:\n" + bad);

        // A background job: the prompt comes back, its progress shows in the status line, 'stop' ends it.
        keys("spin --steps 100000 --ms 20 &", "Enter");
        await("the status line", s -> s.lines().anyMatch(l -> l.startsWith("[2] spin ") && l.contains("steps, loss")));
        keys("jobs", "Enter");
        await("jobs", s -> s.lines().anyMatch(l -> l.startsWith("2    running")));
        keys("stop 2", "Enter");
        await("the end of job 2", s -> s.contains("[2] stopped after"));

        keys("exit", "Enter");
        await("SHELL-EXITED 0");
        List<String> saved = Files.readAllLines(history);
        assertTrue(saved.stream().anyMatch(l -> l.endsWith("spin --steps 100000 --ms 20 &")), "history: " + saved);
    }
}
