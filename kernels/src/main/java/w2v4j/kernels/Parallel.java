package w2v4j.kernels;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;

/**
 * The one shared thread pool of the Java kernels. {@link #forRange} splits {@code [0, n)} into at
 * most {@link #threads()} contiguous chunks, hands all but the last to the pool and runs the last
 * on the calling thread, then waits. The body is called once per chunk (never per element), so
 * kernels keep their inner loops free of lambdas and allocation.
 *
 * <p>The thread count is {@code Runtime.availableProcessors()}, or the system property
 * {@code w2v.threads}. A {@code forRange} called from inside another one (a kernel that uses
 * Sgemm per attention head, say) runs serially on its thread: the outer loop already owns the
 * cores, and nested waiting on a fixed pool could deadlock.
 */
public final class Parallel {

    /** The body of a parallel loop: handles the indices {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final int THREADS = configuredThreads();
    private static final ExecutorService POOL = THREADS > 1
            ? Executors.newFixedThreadPool(THREADS - 1, r -> {
                Thread t = new Thread(r, "w2v-kernel");
                t.setDaemon(true);
                return t;
            })
            : null;
    /** True while this thread is running a chunk of some forRange (pool workers always are). */
    private static final ThreadLocal<boolean[]> INSIDE = ThreadLocal.withInitial(() -> new boolean[1]);

    private Parallel() {
    }

    private static int configuredThreads() {
        String p = System.getProperty("w2v.threads");
        if (p != null && !p.isBlank()) {
            try {
                int n = Integer.parseInt(p.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the default
            }
        }
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** Number of threads a parallel loop uses (the caller included). */
    public static int threads() {
        return THREADS;
    }

    /** Runs {@code body} over {@code [0, n)} in up to {@link #threads()} contiguous chunks. */
    public static void forRange(int n, RangeBody body) {
        forRange(n, 1, body);
    }

    /**
     * Like {@link #forRange(int, RangeBody)}, but no chunk is smaller than {@code grain} indices
     * (so a loop with {@code n <= grain} runs serially on the caller, without touching the pool).
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        boolean[] inside = INSIDE.get();
        int chunks = Math.min(THREADS, (n + Math.max(1, grain) - 1) / Math.max(1, grain));
        if (chunks <= 1 || inside[0]) {
            body.run(0, n);
            return;
        }
        Future<?>[] futures = new Future<?>[chunks - 1];
        for (int c = 0; c < chunks - 1; c++) {
            int start = chunkStart(n, chunks, c), end = chunkStart(n, chunks, c + 1);
            futures[c] = POOL.submit(() -> runInside(body, start, end));
        }
        Throwable failure = null;
        try {
            inside[0] = true;
            body.run(chunkStart(n, chunks, chunks - 1), n);
        } catch (Throwable t) {
            failure = t;
        } finally {
            inside[0] = false;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new RuntimeException(failure);
        }
    }

    /**
     * Runs {@code body} on the calling thread with every {@link #forRange} inside it serial, as if
     * it were nested in a parallel loop (for callers that parallelise outside the kernels, and for
     * single-threaded measurements).
     */
    public static void serially(Runnable body) {
        boolean[] inside = INSIDE.get();
        boolean was = inside[0];
        inside[0] = true;
        try {
            body.run();
        } finally {
            inside[0] = was;
        }
    }

    private static void runInside(RangeBody body, int start, int end) {
        boolean[] inside = INSIDE.get();
        inside[0] = true;
        try {
            body.run(start, end);
        } finally {
            inside[0] = false;
        }
    }

    /** Start of chunk {@code c} of {@code chunks} over {@code [0, n)}; sizes differ by at most one. */
    static int chunkStart(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }
}
