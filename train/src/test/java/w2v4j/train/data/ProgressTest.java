package w2v4j.train.data;

import org.junit.jupiter.api.Test;
import w2v4j.core.ProgressListener;
import w2v4j.core.StopSignal;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Inside a shell job, data progress goes to the job's listener (not stderr) and the job's stop request is seen. */
class ProgressTest {
    @Test
    void reportsToTheJobAndSeesItsStopRequest() throws Exception {
        List<String> reports = new ArrayList<>();
        StopSignal stop = new StopSignal();
        Throwable[] thrown = new Throwable[1];
        Thread job = new Thread(() -> {
            ProgressListener.install(u -> reports.add(u.describe()));
            StopSignal.install(stop);
            Progress p = Progress.onStderr("synth", "utt", 3);
            p.step(4.5);
            p.throwIfStopped();
            stop.requestStop();
            try {
                p.throwIfStopped();
            } catch (StopSignal.Stopped e) {
                thrown[0] = e;
            }
        });
        job.start();
        job.join();
        assertEquals(List.of("synth 1/3 utt, hours 0.001"), reports);
        assertInstanceOf(StopSignal.Stopped.class, thrown[0]);
        assertEquals("stopped on request", thrown[0].getMessage());
    }
}
