package w2v4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

/**
 * The spinning pool of {@link Parallel}: every index is handed out exactly once, chunks are
 * contiguous and respect the grain, failures in any chunk reach the caller, nested loops and
 * loops started by a second thread while the pool is busy run serially and still complete.
 */
class ParallelTest {

    @Test
    void everyIndexExactlyOnceInContiguousChunks() {
        for (int n : new int[]{1, 2, 3, 7, 64, 1000, 100_003}) {
            for (int grain : new int[]{1, 5, 4096}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                AtomicInteger calls = new AtomicInteger();
                Parallel.forRange(n, grain, (s, e) -> {
                    calls.incrementAndGet();
                    assertTrue(s < e, "empty chunk");
                    for (int i = s; i < e; i++) {
                        hits.incrementAndGet(i);
                    }
                });
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits.get(i), "index " + i + " of n=" + n + " grain=" + grain);
                }
                int maxChunks = Math.min(Parallel.threads(), (n + grain - 1) / grain);
                assertTrue(calls.get() <= maxChunks, calls.get() + " chunks for n=" + n + " grain=" + grain);
            }
        }
    }

    @Test
    void manyBackToBackLoopsLoseNothing() {
        long[] sums = new long[Parallel.threads()];
        AtomicInteger total = new AtomicInteger();
        for (int r = 0; r < 20_000; r++) {
            Parallel.forRange(Parallel.threads(), (s, e) -> {
                for (int i = s; i < e; i++) {
                    sums[i]++;
                }
                total.addAndGet(e - s);
            });
        }
        assertEquals(20_000 * Parallel.threads(), total.get());
        for (long v : sums) {
            assertEquals(20_000, v);
        }
    }

    @Test
    void aFailureInAnyChunkReachesTheCallerAndThePoolGoesOn() {
        int n = Math.max(2, Parallel.threads());
        for (int bad = 0; bad < n; bad++) {
            int failing = bad;
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(n, (s, end) -> {
                if (failing >= s && failing < end) {
                    throw new IllegalStateException("chunk with " + failing);
                }
            }));
            assertEquals("chunk with " + failing, e.getMessage());
        }
        AtomicInteger covered = new AtomicInteger();
        Parallel.forRange(1000, (s, e) -> covered.addAndGet(e - s));
        assertEquals(1000, covered.get());
    }

    @Test
    void nestedLoopsRunSeriallyInsideTheirChunk() {
        AtomicIntegerArray hits = new AtomicIntegerArray(64 * 64);
        Parallel.forRange(64, (s, e) -> {
            for (int i = s; i < e; i++) {
                int row = i;
                Thread outer = Thread.currentThread();
                Parallel.forRange(64, (a, b) -> {
                    assertEquals(outer, Thread.currentThread(), "a nested loop stays on its thread");
                    for (int j = a; j < b; j++) {
                        hits.incrementAndGet(row * 64 + j);
                    }
                });
            }
        });
        for (int i = 0; i < hits.length(); i++) {
            assertEquals(1, hits.get(i));
        }
    }

    @Test
    void twoCallingThreadsAtOnceBothComplete() throws Exception {
        int n = 200_000;
        long[][] out = new long[2][n];
        CountDownLatch start = new CountDownLatch(1);
        Thread[] callers = new Thread[2];
        Throwable[] failures = new Throwable[2];
        for (int c = 0; c < 2; c++) {
            int id = c;
            callers[c] = new Thread(() -> {
                try {
                    start.await();
                    for (int r = 0; r < 200; r++) {
                        Parallel.forRange(n, 1024, (s, e) -> {
                            for (int i = s; i < e; i++) {
                                out[id][i] += i;
                            }
                        });
                    }
                } catch (Throwable t) {
                    failures[id] = t;
                }
            });
            callers[c].start();
        }
        start.countDown();
        for (Thread t : callers) {
            t.join();
        }
        for (int c = 0; c < 2; c++) {
            assertEquals(null, failures[c]);
            for (int i = 0; i < n; i++) {
                assertEquals(200L * i, out[c][i]);
            }
        }
    }
}
