package w2v4j.core;

import java.util.Locale;
import java.util.Map;

/**
 * Where a long command reports how far it is; the shell draws the foreground job's report as a live line
 * and {@code jobs} / {@code status} print the latest one of each job.
 *
 * <p>A command takes {@code ProgressListener progress = ProgressListener.current();} on its own thread and
 * calls {@link #report} as it goes (a training loop after each update, a data job after each item), e.g.
 * {@code progress.report(new Update("pretrain", update, maxUpdates, "updates", Map.of("loss", loss), samplesPerSecond))}.
 * Reports are cheap to make; listeners keep the latest and draw it at their own pace. Outside the shell
 * {@link #current()} is {@link #NONE}; a command keeps printing its own log lines either way.
 */
@FunctionalInterface
public interface ProgressListener {

    /** Called from any thread of the command, possibly often; must not block. */
    void report(Update update);

    /** Discards reports. */
    ProgressListener NONE = u -> {
    };

    /**
     * One report: {@code done} of {@code total} {@code unit} ({@code total} 0 when unknown), named metrics in
     * display order (loss, accuracy, wer, code_perplexity...), and throughput in samples (utterances) per second
     * (NaN when not measured). Speed in units/s and the ETA are derived by the listener from successive reports.
     */
    record Update(String task, long done, long total, String unit, Map<String, Double> metrics, double samplesPerSecond) {
        public Update {
            metrics = metrics == null ? Map.of() : metrics;
        }

        /** "pretrain 120/4000 updates, loss 3.214, accuracy 0.412, 812 samples/s" without speed or ETA. */
        public String describe() {
            StringBuilder sb = new StringBuilder(task).append(' ').append(done);
            if (total > 0) sb.append('/').append(total);
            sb.append(' ').append(unit);
            for (Map.Entry<String, Double> m : metrics.entrySet()) {
                sb.append(", ").append(m.getKey()).append(' ').append(number(m.getValue()));
            }
            if (samplesPerSecond > 0) sb.append(", ").append(number(samplesPerSecond)).append(" samples/s");
            return sb.toString();
        }

        private static String number(double v) {
            double a = Math.abs(v);
            if (a >= 100 || v == Math.rint(v) && a < 1e6) return String.format(Locale.ROOT, "%.0f", v);
            return String.format(Locale.ROOT, a >= 10 ? "%.2f" : "%.3f", v);
        }
    }

    /** The listener of the job running on this thread, or {@link #NONE}. */
    static ProgressListener current() {
        ProgressListener l = CurrentListener.VALUE.get();
        return l != null ? l : NONE;
    }

    /** True when a shell job listens on this thread (a command may then skip its own progress printing). */
    static boolean attached() {
        return CurrentListener.VALUE.get() != null;
    }

    /** Makes {@code listener} the current one of this thread; null removes it. */
    static void install(ProgressListener listener) {
        if (listener == null) CurrentListener.VALUE.remove();
        else CurrentListener.VALUE.set(listener);
    }
}

/** The listener of the job running on a thread, inherited by threads the command starts. */
final class CurrentListener {
    static final InheritableThreadLocal<ProgressListener> VALUE = new InheritableThreadLocal<>();

    private CurrentListener() {
    }
}
