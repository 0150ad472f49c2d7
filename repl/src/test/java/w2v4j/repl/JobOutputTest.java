package w2v4j.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * A job starts before the shell attaches to it: what it printed in between must still reach the
 * screen, once (it was lost, so "spin: started" sometimes never showed up in DumbShellTest).
 */
class JobOutputTest {

    @Test
    void outputPrintedBeforeTheFirstAttachIsShownOnceAndLaterOutputLive() throws Exception {
        JobOutput out = new JobOutput();
        ByteArrayOutputStream screen = new ByteArrayOutputStream();
        out.out.write("started\n".getBytes(StandardCharsets.UTF_8));
        out.attach(screen::write);
        out.out.write("step 1\n".getBytes(StandardCharsets.UTF_8));
        out.detach();
        out.out.write("while detached\n".getBytes(StandardCharsets.UTF_8));
        out.attach(screen::write); // a later attach (fg) shows only what comes next
        out.out.write("step 2\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("started\nstep 1\nstep 2\n", screen.toString(StandardCharsets.UTF_8));
        assertEquals("started\nstep 1\nwhile detached\nstep 2", out.tail(10));
    }
}
