package w2v4j.repl;

import w2v4j.core.ProgressListener;
import w2v4j.core.StopSignal;

import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One command line running on its own thread: its id, text, state, output, latest progress report and
 * stop signal. Made and started by {@link JobManager}.
 */
public final class Job {
    public enum State {
        RUNNING, STOPPING, DONE, STOPPED, FAILED;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    final int id;
    final String line;
    final Instant started = Instant.now();
    final JobOutput output = new JobOutput();
    final StopSignal stop = new StopSignal();
    private final long startNanos = System.nanoTime();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile State state = State.RUNNING;
    private volatile int exitCode = -1;
    private volatile long endNanos;
    private volatile Thread thread;
    private final Rate rate = new Rate();

    Job(int id, String line) {
        this.id = id;
        this.line = line;
    }

    public int id() {
        return id;
    }

    public String line() {
        return line;
    }

    public State state() {
        return state;
    }

    /** The command's exit code once finished (0 success), -1 while running. */
    public int exitCode() {
        return exitCode;
    }

    /** Asks the command to stop at its next safe point (see {@link StopSignal}). */
    public void requestStop() {
        stop.requestStop();
        if (state == State.RUNNING) state = State.STOPPING;
    }

    /** The harder way: interrupts the job's thread as well, for commands blocked in I/O or waits. */
    public void interrupt() {
        requestStop();
        Thread t = thread;
        if (t != null) t.interrupt();
    }

    /** Waits up to {@code millis} for the job to finish; true if it has. */
    public boolean await(long millis) throws InterruptedException {
        return finished.await(millis, TimeUnit.MILLISECONDS);
    }

    public boolean finished() {
        return finished.getCount() == 0;
    }

    public double elapsedSeconds() {
        long end = finished() ? endNanos : System.nanoTime();
        return (end - startNanos) / 1e9;
    }

    /** The latest progress report with speed and ETA, or "" before the first report. */
    public String progressLine() {
        return rate.line(!finished());
    }

    /** The error of a failed job in one line ("" if none was printed). */
    public String error() {
        return output.lastError();
    }

    ProgressListener listener() {
        return rate::report;
    }

    void runOn(Thread t) {
        thread = t;
    }

    void finish(int code) {
        exitCode = code;
        endNanos = System.nanoTime();
        state = stop.stopRequested() ? State.STOPPED : code == 0 ? State.DONE : State.FAILED;
        thread = null;
        finished.countDown();
    }

    /** Keeps the latest report and derives units/s and the ETA from the first and latest ones. */
    private static final class Rate {
        private ProgressListener.Update first, latest;
        private long firstNanos, latestNanos;

        synchronized void report(ProgressListener.Update u) {
            long now = System.nanoTime();
            if (first == null || !first.task().equals(u.task()) || u.done() < first.done()) {
                first = u;
                firstNanos = now;
            }
            latest = u;
            latestNanos = now;
        }

        synchronized String line(boolean withEta) {
            if (latest == null) return "";
            StringBuilder sb = new StringBuilder(latest.describe());
            double seconds = (latestNanos - firstNanos) / 1e9;
            long done = latest.done() - first.done();
            if (seconds > 0.5 && done > 0) {
                double perSecond = done / seconds;
                sb.append(String.format(Locale.ROOT, perSecond >= 10 ? ", %.0f %s/s" : ", %.2f %s/s", perSecond, latest.unit()));
                if (withEta && latest.total() > latest.done()) sb.append(", ETA ").append(duration((latest.total() - latest.done()) / perSecond));
            }
            return sb.toString();
        }
    }

    /** "1h02m", "1m20s" or "7s". */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
        if (s >= 60) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return s + "s";
    }
}
