package w2v4j.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The one shared thread pool of the Java kernels. {@link #forRange} splits {@code [0, n)} into at
 * most {@link #threads()} contiguous chunks, hands all but the last to the pool's workers and runs
 * the last on the calling thread, then waits. The body is called once per chunk (never per
 * element), so kernels keep their inner loops free of lambdas and allocation.
 *
 * <p>The workers spin for {@link #SPIN_NANOS} after each task before they park, and the caller
 * spins while it waits. A model runs hundreds of kernels per forward pass, many of them tens of
 * microseconds long; handing each to an {@code ExecutorService} (park, futex wake, unpark) cost
 * 45-85 microseconds per call on this machine's VM, about 1 microsecond with spinning workers.
 *
 * <p>The thread count is {@code Runtime.availableProcessors()}, or the system property
 * {@code w2v.threads}. A {@code forRange} called from inside another one (a kernel that uses
 * Sgemm per attention head, say) runs serially on its thread: the outer loop already owns the
 * cores. So does one called while another thread's loop holds the pool (a background job beside
 * the REPL's): the kernels' results never depend on how their range was split.
 */
public final class Parallel {

    /** The body of a parallel loop: handles the indices {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /** How long an idle worker (or a waiting caller) spins before it parks. */
    static final long SPIN_NANOS = 100_000;

    private static final int THREADS = configuredThreads();
    /** True while this thread is running a chunk of some forRange (pool workers always are). */
    private static final ThreadLocal<boolean[]> INSIDE = ThreadLocal.withInitial(() -> new boolean[1]);

    /** Held by the caller whose loop the workers are running. */
    private static final AtomicBoolean BUSY = new AtomicBoolean();
    /** Incremented (volatile write) to publish a new task to the workers. */
    private static volatile long generation;
    private static RangeBody task;
    private static int taskN;
    private static int taskChunks;
    /** Workers that have not finished the current task. */
    private static final AtomicInteger PENDING = new AtomicInteger();
    private static final AtomicReference<Throwable> FAILURE = new AtomicReference<>();
    /** The caller, once it parks waiting for the workers; the last worker to finish unparks it. */
    private static volatile Thread waiter;
    private static final Worker[] WORKERS = startWorkers();

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

    private static Worker[] startWorkers() {
        Worker[] workers = new Worker[THREADS - 1];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = new Worker(w);
            workers[w].setDaemon(true);
            workers[w].start();
        }
        return workers;
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
        if (chunks <= 1 || inside[0] || !BUSY.compareAndSet(false, true)) {
            runInside(inside, body, 0, n);
            return;
        }
        Throwable failure;
        try {
            task = body;
            taskN = n;
            taskChunks = chunks;
            FAILURE.set(null);
            PENDING.set(WORKERS.length);
            generation++; // publishes the fields above
            for (Worker w : WORKERS) {
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
            try {
                runInside(inside, body, chunkStart(n, chunks, chunks - 1), n);
            } catch (Throwable t) {
                FAILURE.compareAndSet(null, t);
            }
            awaitWorkers();
            task = null;
            // Read while the pool is still ours: the next caller resets FAILURE.
            failure = FAILURE.getAndSet(null);
        } finally {
            BUSY.set(false);
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

    private static void awaitWorkers() {
        long spinEnd = System.nanoTime() + SPIN_NANOS;
        while (PENDING.get() != 0) {
            if (System.nanoTime() < spinEnd) {
                Thread.onSpinWait();
            } else {
                waiter = Thread.currentThread();
                if (PENDING.get() != 0) {
                    LockSupport.parkNanos(1_000_000);
                }
                waiter = null;
            }
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

    private static void runInside(boolean[] inside, RangeBody body, int start, int end) {
        boolean was = inside[0];
        inside[0] = true;
        try {
            body.run(start, end);
        } finally {
            inside[0] = was;
        }
    }

    /** Start of chunk {@code c} of {@code chunks} over {@code [0, n)}; sizes differ by at most one. */
    static int chunkStart(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }

    /** Worker {@code index} runs chunk {@code index} of every task that has that many chunks. */
    private static final class Worker extends Thread {
        private final int index;
        volatile boolean parked;

        Worker(int index) {
            super("w2v-kernel-" + (index + 1));
            this.index = index;
        }

        @Override
        public void run() {
            INSIDE.get()[0] = true;
            long seen = 0;
            while (true) {
                long g = awaitTask(seen);
                seen = g;
                RangeBody body = task;
                int n = taskN, chunks = taskChunks;
                if (index < chunks - 1) {
                    try {
                        body.run(chunkStart(n, chunks, index), chunkStart(n, chunks, index + 1));
                    } catch (Throwable t) {
                        FAILURE.compareAndSet(null, t);
                    }
                }
                if (PENDING.decrementAndGet() == 0) {
                    Thread w = waiter;
                    if (w != null) {
                        LockSupport.unpark(w);
                    }
                }
            }
        }

        private long awaitTask(long seen) {
            long spinEnd = System.nanoTime() + SPIN_NANOS;
            long g;
            while ((g = generation) == seen) {
                if (System.nanoTime() < spinEnd) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (generation == seen) {
                        LockSupport.park(this);
                    }
                    parked = false;
                }
            }
            return g;
        }
    }
}
