package w2v4j.core;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** StopSignal and ProgressListener: per job thread, inherited by the threads a command starts, inert outside jobs. */
class JobSignalsTest {
    @Test
    void outsideAJobNothingIsInstalled() {
        assertFalse(StopSignal.current().stopRequested());
        StopSignal.current().throwIfRequested();
        assertSame(ProgressListener.NONE, ProgressListener.current());
        assertFalse(ProgressListener.attached());
    }

    @Test
    void installedSignalsReachWorkerThreads() throws Exception {
        StopSignal stop = new StopSignal();
        AtomicReference<ProgressListener.Update> seen = new AtomicReference<>();
        AtomicBoolean workerSawStop = new AtomicBoolean();
        Thread job = new Thread(() -> {
            StopSignal.install(stop);
            ProgressListener.install(seen::set);
            Thread worker = new Thread(() -> {
                ProgressListener.current().report(new ProgressListener.Update("w", 1, 2, "items", Map.of(), Double.NaN));
                workerSawStop.set(StopSignal.current().stopRequested());
            });
            stop.requestStop();
            worker.start();
            try {
                worker.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        job.start();
        job.join();
        assertTrue(workerSawStop.get());
        assertEquals("w 1/2 items", seen.get().describe());
        assertThrows(StopSignal.Stopped.class, stop::throwIfRequested);
        assertFalse(StopSignal.current().stopRequested(), "this thread has no job");
    }

    @Test
    void describeShowsMetricsInOrder() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", 3.21449);
        m.put("accuracy", 0.4123);
        m.put("wer", 27.5);
        assertEquals("pretrain 120/4000 updates, loss 3.214, accuracy 0.412, wer 27.50, 812 samples/s",
                new ProgressListener.Update("pretrain", 120, 4000, "updates", m, 812.3).describe());
        assertEquals("eval 7 batches", new ProgressListener.Update("eval", 7, 0, "batches", null, Double.NaN).describe());
    }
}
