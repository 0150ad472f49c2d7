package w2v4j.repl;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import w2v4j.core.ProgressListener;
import w2v4j.core.StopSignal;
import w2v4j.core.W2vException;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Jobs: their own thread, output, progress (with speed and ETA) and stop signal; states at the end. */
class JobManagerTest {
    /** Reports 0..steps, 40 ms apart, until stopped. */
    @Command(name = "steps")
    static final class Steps implements Callable<Integer> {
        @CommandLine.Option(names = "--fail")
        boolean fail;

        @Override
        public Integer call() throws InterruptedException {
            if (fail) throw new W2vException("input is broken");
            System.out.println("steps: started");
            for (int i = 1; i <= 1000; i++) {
                ProgressListener.current().report(new ProgressListener.Update("steps", i, 1000, "steps", Map.of("loss", 1.0 / i), Double.NaN));
                if (StopSignal.current().stopRequested()) {
                    System.out.println("steps: stopped at " + i);
                    return 0;
                }
                Thread.sleep(40);
            }
            return 0;
        }
    }

    static CommandLine tree() {
        CommandLine cl = Main.commandLine();
        cl.addSubcommand(new Steps());
        return cl;
    }

    @Test
    void progressStopAndOutput() throws Exception {
        JobManager jobs = new JobManager();
        Job job = jobs.start("steps &", List.of("steps"), JobManagerTest::tree);
        assertEquals("steps", job.line());
        while (job.progressLine().isEmpty() || !job.progressLine().contains("ETA")) Thread.sleep(20);
        String line = job.progressLine();
        assertTrue(line.matches("steps \\d+/1000 steps, loss [0-9.]+, [0-9.]+ steps/s, ETA \\d+s"), line);
        assertEquals(Job.State.RUNNING, job.state());
        assertEquals(List.of(job), jobs.running());
        job.requestStop();
        assertTrue(job.await(5000));
        assertEquals(Job.State.STOPPED, job.state());
        assertEquals(0, job.exitCode());
        assertTrue(job.output.tail(5).matches("steps: started\nsteps: stopped at \\d+"), job.output.tail(5));
        assertTrue(!job.progressLine().contains("ETA"), "no ETA once finished");
        assertEquals(List.of(), jobs.running());
    }

    @Test
    void failuresKeepTheirMessage() throws Exception {
        JobManager jobs = new JobManager();
        Job job = jobs.start("steps --fail", List.of("steps", "--fail"), JobManagerTest::tree);
        assertTrue(job.await(5000));
        assertEquals(Job.State.FAILED, job.state());
        assertEquals(1, job.exitCode());
        assertEquals("input is broken", job.error());
        assertEquals("[1] failed after 0s: steps --fail: input is broken", Shell.ending(job));
        assertThrows(W2vException.class, () -> jobs.get(2));
    }
}
