package w2v4j.repl;

import w2v4j.core.W2vException;
import w2v4j.kernels.BackendProvider;
import w2v4j.kernels.Backends;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the shell remembers between commands: the active backend, training overrides ({@code config set}),
 * and the jobs. One per process ({@link #current()}); the one-shot CLI has one too, with the defaults.
 *
 * <p>Commands read it rather than taking it as a parameter: {@code --backend} defaults to {@link #backend()}
 * (through the shell's default-value provider), and training commands apply {@link #overrides()} before their
 * own {@code --set key=value} options, as if those had been given first.
 */
public final class Session {
    private static volatile Session current;

    private volatile String backend = Backends.DEFAULT;
    private volatile java.nio.file.Path model, data;
    private final Map<String, String> overrides = Collections.synchronizedMap(new LinkedHashMap<>());
    private final JobManager jobs = new JobManager();
    // Per thread: only the shell's own thread draws progress lines; jobs and scripts wait quietly.
    private final ThreadLocal<Foreground> foreground = ThreadLocal.withInitial(() -> Foreground.QUIET);
    // Per thread: an 'exit' in a script run inside the shell ends that script, not the shell.
    private final ThreadLocal<Boolean> exitRequested = ThreadLocal.withInitial(() -> false);

    /** How a job is waited for in the foreground: the shell draws its progress line and handles Ctrl-C. */
    @FunctionalInterface
    public interface Foreground {
        /** Waits until the job ends (or the user gives up on it) and returns its exit code. */
        int waitFor(Job job);

        /** Waits without showing anything (scripts, the one-shot CLI). */
        Foreground QUIET = job -> {
            try {
                job.await(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                job.interrupt();
                return 130;
            }
            return job.exitCode();
        };
    }

    /** The process's session, made on first use. */
    public static Session current() {
        Session s = current;
        if (s == null) {
            synchronized (Session.class) {
                if (current == null) current = new Session();
                s = current;
            }
        }
        return s;
    }

    /** Starts a new, empty session as the process's current one (a shell does, when it opens). */
    static Session begin() {
        synchronized (Session.class) {
            current = new Session();
            return current;
        }
    }

    /** The backend later commands use when they are given no {@code --backend}. */
    public String backend() {
        return backend;
    }

    /** Switches the session's backend; an unknown or unavailable one is refused with the reason. */
    public void useBackend(String name) {
        for (BackendProvider p : Backends.list()) {
            if (p.name().equals(name)) {
                if (!p.available()) throw new W2vException("backend '" + name + "' is not available: " + p.unavailableReason());
                backend = name;
                return;
            }
        }
        throw new W2vException("unknown backend '" + name + "' (known: "
                + String.join(", ", Backends.list().stream().map(BackendProvider::name).toList()) + ")");
    }

    /** The model loaded with 'model load' (the default of finetune's --init), or null. */
    public java.nio.file.Path model() {
        return model;
    }

    public void useModel(java.nio.file.Path dir) {
        model = dir;
    }

    /** The data set chosen with 'data use' (the default of every --data), or null. */
    public java.nio.file.Path data() {
        return data;
    }

    public void useData(java.nio.file.Path dir) {
        data = dir;
    }

    /** Training overrides (key to value text), in the order they were set; a copy. */
    public Map<String, String> overrides() {
        synchronized (overrides) {
            return new LinkedHashMap<>(overrides);
        }
    }

    public void set(String key, String value) {
        overrides.put(key, value);
    }

    /** Removes an override; false if it was not set. */
    public boolean unset(String key) {
        return overrides.remove(key) != null;
    }

    public JobManager jobs() {
        return jobs;
    }

    /** How this thread waits for a job in the foreground. */
    public Foreground foreground() {
        return foreground.get();
    }

    void setForeground(Foreground f) {
        foreground.set(f);
    }

    /** Set by {@code exit}: the shell leaves, a script ends, after the current line. */
    void requestExit() {
        exitRequested.set(true);
    }

    /** True once after {@code exit} ran on this thread. */
    boolean takeExitRequest() {
        boolean r = exitRequested.get();
        exitRequested.set(false);
        return r;
    }
}
