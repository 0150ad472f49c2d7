package w2v4j.repl;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Everything a job prints: kept as a bounded log (for {@code status JOB}) and, while the job is in the
 * foreground, also written to the shell's console. stdout and stderr of a job share one log.
 */
final class JobOutput {
    private static final int KEEP = 64 * 1024;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private volatile Console console;
    private boolean attachedBefore;
    private String lastError = "";
    private final ByteArrayOutputStream errLine = new ByteArrayOutputStream();

    /** Where the shell shows a foreground job; {@link #write} clears the progress line around each write. */
    interface Console {
        void write(byte[] b, int off, int len);
    }

    final OutputStream out = new Stream(false);
    final OutputStream err = new Stream(true);

    /**
     * Shows the job's output on {@code c} from now on. The first attach also shows what the job
     * printed before it (a job starts before the shell attaches to it, and its first line could
     * otherwise be lost).
     */
    synchronized void attach(Console c) {
        if (!attachedBefore && log.size() > 0) {
            byte[] early = log.toByteArray();
            c.write(early, 0, early.length);
        }
        attachedBefore = true;
        console = c;
    }

    void detach() {
        console = null;
    }

    /** The log's last {@code lines} lines. */
    synchronized String tail(int lines) {
        String[] all = log.toString(StandardCharsets.UTF_8).split("\n", -1);
        int end = all.length > 0 && all[all.length - 1].isEmpty() ? all.length - 1 : all.length;
        return String.join("\n", Arrays.copyOfRange(all, Math.max(0, end - lines), end));
    }

    /** The last "w2v: ..." error line the job printed, without the prefix, or "". */
    synchronized String lastError() {
        return lastError;
    }

    private synchronized void record(byte[] b, int off, int len, boolean isErr) {
        if (log.size() + len > KEEP) {
            // Keep the newer half: enough for a status view, bounded for jobs that print a lot.
            byte[] all = log.toByteArray();
            log.reset();
            int from = Math.max(0, all.length - KEEP / 2);
            log.write(all, from, all.length - from);
        }
        log.write(b, off, Math.min(len, KEEP));
        if (isErr) {
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    String line = errLine.toString(StandardCharsets.UTF_8);
                    if (line.startsWith("w2v: ")) lastError = line.substring(5);
                    errLine.reset();
                } else if (errLine.size() < 4096) {
                    errLine.write(b[i]);
                }
            }
        }
    }

    private final class Stream extends OutputStream {
        private final boolean isErr;

        Stream(boolean isErr) {
            this.isErr = isErr;
        }

        @Override
        public void write(int b) {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Console c;
            synchronized (JobOutput.this) { // with attach: each byte is shown once, early ones by attach
                record(b, off, len, isErr);
                c = console;
            }
            if (c != null) c.write(b, off, len);
        }
    }
}
