package w2v4j.train.data;

import w2v4j.core.ProgressListener;
import w2v4j.core.StopSignal;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * A one-line progress report for long data jobs, e.g.
 * {@code synth 123/456 utt, 0.31 h, 2.1 utt/s, ETA 1m20s}. On a terminal the line is redrawn in
 * place (ANSI cursor-up) a few times a second; otherwise (a log file, a pipe) a plain line is printed every five
 * seconds so logs stay readable. Safe to call from several worker threads.
 */
public final class Progress {

    /** Makes the report once the amount of work is known: {@code Progress::onStderr} or {@code Progress::silent}. */
    @FunctionalInterface
    public interface Factory {
        Progress create(String task, String unit, long total);
    }

    private final String task;
    private final String unit;
    private final long total;
    private final PrintStream out;
    private final boolean interactive;
    private final long intervalNanos;
    private final long start = System.nanoTime();
    private long done;
    private double audioSeconds;
    private long lastPrint;
    private boolean drawn;
    // Taken on the command's thread, where the report is made; steps come from worker threads.
    private final ProgressListener listener = ProgressListener.current();
    private final StopSignal stop = StopSignal.current();

    /** Reports to {@code out} (usually stderr); {@code interactive} redraws one line with '\r'. */
    public Progress(String task, String unit, long total, PrintStream out, boolean interactive) {
        this.task = task;
        this.unit = unit;
        this.total = total;
        this.out = out;
        this.interactive = interactive;
        this.intervalNanos = interactive ? 200_000_000L : 5_000_000_000L;
        this.lastPrint = start;
    }

    /** A progress report on stderr, redrawn in place when stderr is a terminal; in a shell job the shell draws it instead. */
    public static Progress onStderr(String task, String unit, long total) {
        if (ProgressListener.attached()) return silent(task, unit, total);
        java.io.Console console = System.console();
        return new Progress(task, unit, total, System.err, console != null && console.isTerminal());
    }

    /** A progress report that prints nothing (tests, library callers). */
    public static Progress silent(String task, String unit, long total) {
        return new Progress(task, unit, total, null, false);
    }

    /** Records one finished item holding {@code seconds} of audio. */
    public synchronized void step(double seconds) {
        done++;
        audioSeconds += seconds;
        listener.report(new ProgressListener.Update(task, done, total, unit, Map.of("hours", audioSeconds / 3600), Double.NaN));
        long now = System.nanoTime();
        if (now - lastPrint >= intervalNanos) {
            lastPrint = now;
            print(false);
        }
    }

    /** Ends the job with {@link StopSignal.Stopped} when a stop was requested (call before each item). */
    public void throwIfStopped() {
        stop.throwIfRequested();
    }

    /** Prints the final state and ends the line. */
    public synchronized void finish() {
        print(true);
    }

    private void print(boolean last) {
        if (out == null) return;
        String line = line();
        if (interactive) {
            // Redraw the previous line (cursor up, clear) but always end with a newline: the launcher
            // filters stderr line by line, so a bare '\r' update would only show at the end.
            out.print((drawn ? "\033[F" : "") + line + "\033[K\n");
            drawn = true;
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** The report text, without line control characters. */
    synchronized String line() {
        double elapsed = (System.nanoTime() - start) / 1e9;
        double rate = elapsed > 0 ? done / elapsed : 0;
        String tail = done >= total ? ", took " + duration(elapsed)
                : rate > 0 ? ", ETA " + duration((total - done) / rate) : "";
        String speed = rate >= 10 ? String.format(Locale.ROOT, "%.0f", rate) : String.format(Locale.ROOT, "%.1f", rate);
        return String.format(Locale.ROOT, "%s %d/%d %s, %.2f h, %s %s/s%s", task, done, total, unit,
                audioSeconds / 3600, speed, unit, tail);
    }

    /** "1h02m", "1m20s" or "7s". */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        if (s >= 60) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return s + "s";
    }
}
