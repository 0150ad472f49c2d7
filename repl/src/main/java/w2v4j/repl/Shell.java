package w2v4j.repl;

import org.jline.keymap.KeyMap;
import org.jline.reader.EndOfFileException;
import org.jline.reader.Reference;
import org.jline.terminal.Attributes;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.Status;
import picocli.CommandLine;
import w2v4j.core.W2vException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The interactive shell ({@code w2v} with no arguments): JLine line editing, tab completion, history, and
 * every CLI command with the same options.
 *
 * <p>Commands other than the session built-ins run as jobs. In the foreground the shell waits for the job
 * and redraws its progress line; Ctrl-C asks the job to stop (training writes a checkpoint), a second
 * Ctrl-C interrupts it and returns to the prompt. A line ending in {@code &} runs in the background: the
 * prompt comes back at once, running jobs' progress shows in a status line at the bottom, and a note is
 * printed when one ends. On a dumb terminal (input from a pipe) there are no escape codes: progress is a
 * plain line every ten seconds and nothing is redrawn.
 *
 * <p>On a real terminal the shell turns the terminal's signal keys off (ISIG) and reads Ctrl-C as a key: a
 * SIGINT from the terminal would reach the whole process group, killing the programs background jobs run
 * (espeak-ng), not just the foreground job.
 */
public final class Shell {
    public static final String PROMPT = "w2v> ";

    private final Terminal terminal;
    private final Supplier<CommandLine> tree;
    private final Session session;
    private final boolean live;
    private final Path historyFile;
    private final Object screen = new Object(); // guards writes to the terminal from the job and the shell
    private final ConcurrentLinkedQueue<String> notes = new ConcurrentLinkedQueue<>();
    private final Set<Job> announced = new HashSet<>();
    private final AtomicInteger interrupts = new AtomicInteger();
    private LineReader reader;
    private Status status;
    private volatile Job foreground;
    private volatile boolean atPrompt;
    private volatile boolean detach;
    private boolean progressShown;
    private boolean atLineStart = true;
    private final StringBuilder typeAhead = new StringBuilder(); // keys typed while a job ran, for the next prompt

    /**
     * A shell on {@code terminal} with a new session; {@code tree} makes the command tree (a fresh one per line,
     * normally {@link CommandTree#create}; tests add their own commands to it).
     */
    public Shell(Terminal terminal, Path historyFile, Supplier<CommandLine> tree) {
        this.terminal = terminal;
        this.historyFile = historyFile;
        this.tree = tree;
        this.session = Session.begin();
        this.live = !terminal.getType().startsWith(Terminal.TYPE_DUMB);
    }

    /** Opens the system terminal and runs the shell until exit or Ctrl-D. */
    public static int start(Supplier<CommandLine> tree) {
        try (Terminal t = TerminalBuilder.builder().name("w2v").system(true)
                .dumb(System.console() == null || !System.console().isTerminal()).build()) {
            return new Shell(t, historyFile(), tree).run();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the terminal: " + e.getMessage(), e);
        }
    }

    /** ~/.w2v_history, or $W2V_HISTORY. */
    static Path historyFile() {
        String env = System.getenv("W2V_HISTORY");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".w2v_history");
    }

    /** Reads and runs lines until {@code exit} or end of input; returns the exit code (0). */
    public int run() {
        OutputStream console = new ConsoleStream();
        OutputRouter.install();
        OutputRouter.route(console, console); // built-ins print with System.out on this thread
        session.setForeground(this::waitFor);
        reader = LineReaderBuilder.builder().terminal(terminal).appName("w2v")
                .completer(new ShellCompleter(tree.get().getCommandSpec()))
                .variable(LineReader.HISTORY_FILE, historyFile)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // '!' is an ordinary character
                .option(LineReader.Option.AUTO_FRESH_LINE, true)
                .build();
        // Ctrl-C as a key: at the prompt it drops the line; during a job waitFor reads it.
        terminal.handle(Terminal.Signal.INT, s -> onInterrupt());
        Attributes original = terminal.getAttributes();
        if (live) {
            Attributes noSignals = new Attributes(original);
            noSignals.setLocalFlag(Attributes.LocalFlag.ISIG, false);
            terminal.setAttributes(noSignals);
            reader.getWidgets().put("w2v-drop-line", () -> {
                reader.getBuffer().clear();
                reader.callWidget(LineReader.ACCEPT_LINE);
                return true;
            });
            reader.getKeyMaps().get(LineReader.MAIN).bind(new Reference("w2v-drop-line"), KeyMap.ctrl('C'));
            status = Status.getStatus(terminal);
        }
        Thread watcher = Thread.ofPlatform().daemon(true).name("w2v-shell-watcher").start(this::watch);
        println("w2v4j shell: 'help' lists the commands, TAB completes, 'exit' or Ctrl-D leaves. End a line with '&' to run it in the background.");
        try {
            while (true) {
                for (String n; (n = notes.poll()) != null; ) println(n);
                String line;
                atPrompt = true;
                try {
                    String typed = typeAhead.toString();
                    typeAhead.setLength(0);
                    line = reader.readLine(PROMPT, null, (Character) null, typed);
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C at the prompt drops the line, as in bash
                } catch (EndOfFileException e) {
                    break;
                } finally {
                    atPrompt = false;
                }
                execute(line);
                if (session.takeExitRequest()) break;
            }
        } finally {
            watcher.interrupt();
            stopAll();
            if (status != null) status.update(List.of());
            terminal.setAttributes(original);
        }
        return 0;
    }

    /** One line of input: a built-in on this thread, any other command as a foreground or background job. */
    void execute(String text) {
        ScriptRunner.Line line;
        try {
            line = ScriptRunner.parse(text);
        } catch (W2vException e) {
            println("w2v: " + e.getMessage());
            return;
        }
        if (line == null) return;
        String name = line.words().getFirst();
        if (CommandTree.BUILTINS.contains(name) && !line.background()) {
            CommandLine cl = tree.get();
            PrintWriter w = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
            cl.setOut(w);
            cl.setErr(w);
            cl.execute(line.words().toArray(String[]::new));
            return;
        }
        // Parse here first so a mistyped line is one error line, not a failed job.
        CommandLine check = tree.get();
        check.setErr(new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        try {
            check.parseArgs(line.words().toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            ParameterErrors.handle(e, line.words().toArray(String[]::new));
            return;
        }
        Job job = session.jobs().start(text.strip(), line.words(), tree);
        if (line.background()) {
            println("[" + job.id() + "] " + job.line());
        } else {
            waitFor(job);
        }
    }

    /** Shows a job in the foreground until it ends; Ctrl-C stops it, a second Ctrl-C leaves it and returns. */
    int waitFor(Job job) {
        interrupts.set(0);
        detach = false;
        foreground = job;
        synchronized (announced) {
            announced.add(job); // its end is seen here, no note needed
        }
        job.output.attach(this::write);
        long lastPlain = System.nanoTime();
        String lastShown = "";
        Attributes cooked = live ? terminal.enterRawMode() : null; // keys one by one, no echo
        try {
            while (!job.finished()) {
                if (live) {
                    readKey();
                } else {
                    job.await(500);
                }
                if (detach || job.finished()) break;
                String p = job.progressLine();
                if (p.isEmpty()) continue;
                if (live) {
                    drawProgress(p);
                } else if (System.nanoTime() - lastPlain > 10_000_000_000L && !p.equals(lastShown)) {
                    lastPlain = System.nanoTime();
                    lastShown = p;
                    println(p);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (cooked != null) terminal.setAttributes(cooked);
            job.output.detach();
            foreground = null;
            clearProgress();
        }
        if (!job.finished()) {
            println("[" + job.id() + "] interrupted; it may still be ending in the background (see 'jobs')");
            return 130;
        }
        if (job.state() == Job.State.STOPPED) println("[" + job.id() + "] stopped");
        return job.exitCode();
    }

    /** Waits up to 200 ms for a key: Ctrl-C stops the foreground job, printable keys are kept for the next prompt. */
    private void readKey() throws InterruptedException {
        int c;
        try {
            c = terminal.reader().read(200);
        } catch (IOException e) {
            c = -1;
        }
        if (c == 3) onInterrupt();
        else if (c >= 32 && c != 127) typeAhead.append((char) c);
        else if (c == -1) Thread.sleep(200); // input closed: just wait
    }

    /** Ctrl-C while a job is in the foreground (a key on a real terminal, SIGINT elsewhere). */
    private void onInterrupt() {
        Job job = foreground;
        if (job == null) return;
        if (interrupts.incrementAndGet() == 1) {
            job.requestStop();
            println("^C stopping job " + job.id() + " at its next safe point (Ctrl-C again to interrupt it)");
        } else {
            job.interrupt();
            detach = true;
        }
    }

    /** Every half second: notes for background jobs that ended, and their progress in the status line (at most three). */
    private void watch() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            List<AttributedString> lines = new ArrayList<>();
            for (Job j : session.jobs().list()) {
                if (j.finished()) {
                    boolean fresh;
                    synchronized (announced) {
                        fresh = announced.add(j);
                    }
                    if (fresh) note(ending(j));
                } else if (j != foreground) {
                    String p = j.progressLine();
                    lines.add(new AttributedString("[" + j.id() + "] " + (p.isEmpty() ? j.line() : p)));
                }
            }
            if (status != null) {
                synchronized (screen) {
                    status.update(lines.size() > 3 ? lines.subList(0, 3) : lines);
                }
            }
        }
    }

    static String ending(Job j) {
        String what = "[" + j.id() + "] " + j.state() + " after " + Job.duration(j.elapsedSeconds()) + ": " + j.line();
        return j.state() == Job.State.FAILED && !j.error().isEmpty() ? what + ": " + j.error() : what;
    }

    /** Printed above the prompt when reading on a real terminal, else before the next prompt. */
    private void note(String text) {
        if (live && atPrompt && reader != null) {
            synchronized (screen) {
                reader.printAbove(text);
            }
        } else {
            notes.add(text);
        }
    }

    /** Asks running jobs to stop before leaving, and waits for them (Ctrl-C interrupts them). */
    private void stopAll() {
        for (Job j : session.jobs().running()) {
            println("stopping job " + j.id() + ": " + j.line());
            j.requestStop();
            interrupts.set(1); // the next Ctrl-C interrupts
            waitFor(j);
        }
    }

    private void println(String s) {
        byte[] b = (s + "\n").getBytes(StandardCharsets.UTF_8);
        write(b, 0, b.length);
    }

    /** Writes job or shell output, taking the progress line away first so it never mixes in. */
    private void write(byte[] b, int off, int len) {
        if (len == 0) return;
        synchronized (screen) {
            eraseProgress();
            try {
                terminal.output().write(b, off, len);
                terminal.output().flush();
            } catch (IOException e) {
                return; // the terminal is gone; nothing useful to do
            }
            atLineStart = b[off + len - 1] == '\n';
        }
    }

    private void drawProgress(String text) {
        synchronized (screen) {
            if (!atLineStart) return; // the job is mid-line; wait for its newline
            int width = Math.max(20, terminal.getWidth() - 1);
            String shown = text.length() > width ? text.substring(0, width - 1) + "…" : text;
            terminal.writer().print("\r" + shown + "\033[K");
            terminal.writer().flush();
            progressShown = true;
        }
    }

    private void clearProgress() {
        synchronized (screen) {
            eraseProgress();
        }
    }

    private void eraseProgress() {
        if (!progressShown) return;
        terminal.writer().print("\r\033[K");
        terminal.writer().flush();
        progressShown = false;
    }

    /** The shell thread's System.out and System.err. */
    private final class ConsoleStream extends OutputStream {
        @Override
        public void write(int b) {
            Shell.this.write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Shell.this.write(b, off, len);
        }
    }
}
