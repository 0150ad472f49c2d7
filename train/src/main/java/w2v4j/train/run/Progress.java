package w2v4j.train.run;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The human-facing progress line: {@code update 1200/400000 | loss 3.214 | acc 0.412 | 1.21M samples/s | ETA 2d
 * 03:10:05}. On a terminal it is redrawn in place with {@code \r} (at most a few times a second); otherwise (a log
 * file, a pipe) one plain line is printed per logging interval. Other messages (validation, checkpoints) get lines of
 * their own. The ETA extrapolates this session's update rate.
 */
public final class Progress {
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final boolean tty;
    private long total;
    private long sessionStartUpdate = -1;
    private long sessionStartNanos;
    private long lastDraw;
    private int drawnWidth;

    public Progress(PrintStream out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    /** Standard output, redrawn in place when it is a terminal. */
    public static Progress console() {
        return new Progress(System.out, System.console() != null);
    }

    /** Prints nothing. */
    public static Progress silent() {
        return new Progress(new PrintStream(PrintStream.nullOutputStream()), false);
    }

    /** Training starts (or resumes) at {@code update} of {@code total}. */
    public void start(long update, long total) {
        this.total = total;
        this.sessionStartUpdate = update;
        this.sessionStartNanos = System.nanoTime();
    }

    /**
     * After each update. {@code accuracy} is NaN when the task reports none. {@code logPoint}: this update ends a
     * logging interval (a plain line is printed then when not on a terminal).
     */
    public void update(long update, double loss, double accuracy, double samplesPerSecond, boolean logPoint) {
        long now = System.nanoTime();
        if (tty) {
            if (logPoint || update == total || now - lastDraw >= REDRAW_NANOS) {
                lastDraw = now;
                draw(line(update, loss, accuracy, samplesPerSecond, now));
            }
        } else if (logPoint) {
            out.println(line(update, loss, accuracy, samplesPerSecond, now));
        }
    }

    /** A line of its own (the progress line, if drawn, is cleared first and redrawn by the next update). */
    public void message(String text) {
        if (tty && drawnWidth > 0) {
            out.print("\r" + " ".repeat(drawnWidth) + "\r");
            drawnWidth = 0;
        }
        out.println(text);
    }

    /** Ends the in-place line. */
    public void finish() {
        if (tty && drawnWidth > 0) {
            out.println();
            drawnWidth = 0;
        }
        out.flush();
    }

    private void draw(String s) {
        String pad = s.length() < drawnWidth ? " ".repeat(drawnWidth - s.length()) : "";
        out.print("\r" + s + pad);
        out.flush();
        drawnWidth = s.length();
    }

    String line(long update, double loss, double accuracy, double samplesPerSecond, long now) {
        StringBuilder sb = new StringBuilder();
        sb.append("update ").append(update).append('/').append(total);
        sb.append(" | loss ").append(String.format(Locale.ROOT, "%.4f", loss));
        if (!Double.isNaN(accuracy)) {
            sb.append(" | acc ").append(String.format(Locale.ROOT, "%.3f", accuracy));
        }
        sb.append(" | ").append(si(samplesPerSecond)).append(" samples/s");
        long done = update - sessionStartUpdate;
        if (sessionStartUpdate >= 0 && done > 0 && update < total) {
            double perUpdate = (now - sessionStartNanos) / 1e9 / done;
            sb.append(" | ETA ").append(duration(perUpdate * (total - update)));
        }
        return sb.toString();
    }

    static String si(double x) {
        if (x >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", x / 1e6);
        }
        if (x >= 1e3) {
            return String.format(Locale.ROOT, "%.1fk", x / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", x);
    }

    /** "42s", "12:05", "3:12:05", "2d 03:12:05". */
    static String duration(double seconds) {
        long s = Math.round(seconds);
        long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
        if (d > 0) {
            return String.format(Locale.ROOT, "%dd %02d:%02d:%02d", d, h, m, sec);
        }
        if (h > 0) {
            return String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec);
        }
        if (m > 0) {
            return String.format(Locale.ROOT, "%d:%02d", m, sec);
        }
        return sec + "s";
    }
}
