package w2v4j.core;

/**
 * A cooperative stop request for a long command (the shell's {@code stop JOB} and Ctrl-C set it).
 *
 * <p>How a long command honours it: take {@code StopSignal stop = StopSignal.current();} on the command's
 * thread, poll {@link #stopRequested()} at safe points (a training loop after each update), and when it is
 * set write what makes the work resumable (a checkpoint), say so, and return normally. Work that cannot be
 * resumed calls {@link #throwIfRequested()} instead, which ends the command with {@link Stopped}.
 *
 * <p>The signal is inherited by threads the command starts, but not by pools made earlier: capture it on the
 * command thread and pass it to workers. Outside the shell no signal is installed and {@link #current()}
 * returns one that is never set, so commands need no special case.
 */
public final class StopSignal {
    private static final InheritableThreadLocal<StopSignal> CURRENT = new InheritableThreadLocal<>();

    private volatile boolean requested;

    /** The signal of the job running on this thread, or a fresh one nobody will set. */
    public static StopSignal current() {
        StopSignal s = CURRENT.get();
        return s != null ? s : new StopSignal();
    }

    /** Makes {@code signal} the current one of this thread (and of threads it starts from now on); null removes it. */
    public static void install(StopSignal signal) {
        if (signal == null) CURRENT.remove();
        else CURRENT.set(signal);
    }

    public void requestStop() {
        requested = true;
    }

    public boolean stopRequested() {
        return requested;
    }

    /** Ends the command with {@link Stopped} once a stop was requested. */
    public void throwIfRequested() {
        if (requested) throw new Stopped("stopped on request");
    }

    /** A command that ended early because a stop was requested (not a failure of its input). */
    public static final class Stopped extends W2vException {
        public Stopped(String message) {
            super(message);
        }
    }
}
