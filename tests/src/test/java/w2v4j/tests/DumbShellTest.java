package w2v4j.tests;

import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import w2v4j.repl.Shell;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The shell on JLine's dumb terminal with piped input, driven line by line: help, a bad command (one
 * line, the shell goes on), session commands, background and foreground jobs, stop, and Ctrl-C raised on
 * the terminal. A dumb terminal also means plain output: no escape codes, no carriage returns.
 */
class DumbShellTest {
    @TempDir
    Path tmp;

    PipedOutputStream keyboard;
    final Screen screen = new Screen();
    Terminal terminal;
    Thread shell;
    final AtomicInteger exit = new AtomicInteger(-1);

    /** What the shell printed, readable while it runs. */
    static final class Screen extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        /** The text, with the terminal's own newline translation (ONLCR: "\r\n") undone. */
        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8).replace("\r\n", "\n");
        }
    }

    @BeforeEach
    void open() throws IOException {
        keyboard = new PipedOutputStream();
        PipedInputStream in = new PipedInputStream(keyboard, 1 << 16);
        terminal = TerminalBuilder.builder().streams(in, screen).type(Terminal.TYPE_DUMB).build();
        Shell sh = new Shell(terminal, tmp.resolve("history"), SpinCommand::tree);
        shell = Thread.ofPlatform().daemon(true).start(() -> exit.set(sh.run()));
        awaitPrompts(1);
    }

    @AfterEach
    void close() throws Exception {
        keyboard.close();
        shell.join(10_000);
        terminal.close();
    }

    int prompts() {
        return screen.text().split(Shell.PROMPT, -1).length - 1;
    }

    void awaitPrompts(int n) {
        awaitText(() -> prompts() >= n, "prompt #" + n);
    }

    void awaitText(String s) {
        awaitText(() -> screen.text().contains(s), "'" + s + "'");
    }

    void awaitText(java.util.function.BooleanSupplier ok, String what) {
        long end = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < end) {
            if (ok.getAsBoolean()) return;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        fail("waited 20 s for " + what + "; the screen shows:\n" + screen.text());
    }

    /** Types a line and returns what the shell printed for it, up to the next prompt. */
    String type(String line) throws IOException {
        int before = prompts();
        keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
        awaitPrompts(before + 1);
        String[] parts = screen.text().split(Shell.PROMPT, -1);
        // Leave out the notes of background jobs that ended meanwhile: they come before any prompt.
        return parts[before].lines().filter(l -> !l.matches("\\[\\d+] (done|stopped|failed) after .*"))
                .collect(java.util.stream.Collectors.joining("\n")).strip();
    }

    @Test
    void commandsErrorsAndSession() throws Exception {
        String help = type("help");
        for (String cmd : List.of("extract", "bench", "data", "plot", "backend", "config", "run", "jobs", "status", "stop", "fg", "wait", "exit")) {
            assertTrue(help.contains("\n  " + cmd), "help lists " + cmd + ":\n" + help);
        }
        assertTrue(type("help data").contains("synth"));

        assertEquals("w2v: unknown command 'bogus'; see 'help'", type("bogus"));
        assertEquals("w2v: Unknown option: '--nope'; see 'bench --help'", type("bench --nope"));
        assertEquals("w2v: unknown backend 'warp' (known: java)", type("backend use warp").replaceAll(", .*\\)", ")"));
        assertTrue(type("backend list").lines().anyMatch(l -> l.matches("\\*\\s+java\\s+yes\\s+in use")), "java listed and in use");
        assertEquals("backend: java", type("backend use java"));

        assertEquals("optimization.lr=5e-4\nnote=two words", type("config set optimization.lr=5e-4 \"note=two words\""));
        assertEquals("optimization.lr=5e-4\nnote=two words", type("config show"));
        assertTrue(type("status").contains("config overrides: 2"));

        assertEquals("no jobs (end a command line with '&' to run it in the background)", type("jobs"));
        // the session's data set and model
        Path data = tmp.resolve("data");
        java.nio.file.Files.createDirectories(data);
        java.nio.file.Files.writeString(data.resolve("dev.tsv"), data + "\na.wav\t16000\nb.wav\t16000\n");
        java.nio.file.Files.writeString(data.resolve("dev.ltr"), "A |\nB |\n");
        assertTrue(type("data use " + data).contains("dev                   2 utterances, labelled"));
        assertTrue(type("model load " + ParityTest.fixtures().resolve("layer_preln_ctc")).contains("CTC (12 symbols)"));
        String status = type("status");
        assertTrue(status.contains("data: " + data) && status.contains("model: ") && status.contains("layer_preln_ctc"), status);
        assertTrue(type("data use " + tmp.resolve("nowhere")).startsWith("w2v: "));

        String all = screen.text();
        assertFalse(all.contains("\033") || all.contains("\r"), "plain output on a dumb terminal:\n" + all.replace("\r", "<CR>").replace("\033", "<ESC>"));
        keyboard.write("exit\n".getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
        shell.join(10_000);
        assertEquals(0, exit.get());
        List<String> history = Files.readAllLines(tmp.resolve("history"));
        assertTrue(history.getLast().endsWith("exit") && history.stream().anyMatch(l -> l.endsWith("bogus")), "history saved: " + history);
    }

    @Test
    void backgroundJobsStopAndWait() throws Exception {
        String started = type("spin --steps 100000 --ms 5 &");
        assertEquals("[1] spin --steps 100000 --ms 5", started);
        type("spin --steps 20 --ms 1 &");
        type("wait 2");
        String jobs = type("jobs");
        assertTrue(jobs.lines().anyMatch(l -> l.startsWith("2    done") && l.contains("spin 20/20 steps")), jobs);
        assertTrue(jobs.lines().anyMatch(l -> l.startsWith("1    running") && l.contains("spin --steps 100000 --ms 5  |  spin ") && l.contains("steps, loss")), jobs);
        assertEquals("[1] stop requested: spin --steps 100000 --ms 5", type("stop 1"));
        type("wait");
        String status = type("status 1");
        assertTrue(status.contains("1    stopped"), status);
        assertTrue(status.contains("spin: stopped at step"), "the job saw the stop request:\n" + status);
        assertEquals("w2v: job 1 has already finished (stopped)", type("stop 1"));
        assertTrue(type("status 9").startsWith("w2v: no job 9 (see 'jobs')"));
    }

    @Test
    void ctrlCStopsTheForegroundJobNotTheShell() throws Exception {
        keyboard.write("spin --steps 100000 --ms 5\n".getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
        awaitText("spin: started");
        terminal.raise(Terminal.Signal.INT);
        awaitText("[1] stopped");
        awaitPrompts(2);
        assertTrue(screen.text().contains("^C stopping job 1 at its next safe point"));
        assertTrue(screen.text().contains("spin: stopped at step"));

        // A job that ignores the stop request: the second Ctrl-C interrupts it and the prompt comes back.
        int before = 2;
        keyboard.write("spin --steps 100000 --ms 5 --ignore-stop\n".getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
        awaitText(() -> screen.text().split("spin: started", -1).length == 3, "second spin started");
        terminal.raise(Terminal.Signal.INT);
        awaitText(() -> screen.text().split("\\^C stopping", -1).length == 3, "first Ctrl-C noted");
        terminal.raise(Terminal.Signal.INT);
        awaitPrompts(before + 1);
        // The interrupt ends this job at once, so the shell usually sees it stopped (else it says it left it).
        assertTrue(screen.text().contains("[2] stopped") || screen.text().contains("[2] interrupted; it may still be ending"), screen.text());
        awaitText(() -> {
            try {
                return type("status 2").contains("spin: interrupted at step");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }, "job 2 ends on the interrupt");
        assertTrue(type("jobs").contains("2    stopped"));
        assertTrue(type("backend list").contains("java"), "the shell goes on");
    }
}
