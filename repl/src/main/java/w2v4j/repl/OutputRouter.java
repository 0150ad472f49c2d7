package w2v4j.repl;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Sends {@code System.out} / {@code System.err} writes of a job's threads to that job's output, and
 * everything else where it went before. Commands print with {@code System.out} as usual; the shell
 * installs the router once, and each job thread (and threads it starts) carries its own target.
 */
final class OutputRouter {
    private static final InheritableThreadLocal<Target> TARGET = new InheritableThreadLocal<>();
    private static boolean installed;

    private OutputRouter() {
    }

    /** Replaces System.out and System.err by routing streams; idempotent. */
    static synchronized void install() {
        if (installed) return;
        installed = true;
        PrintStream out = System.out, err = System.err;
        System.setOut(new PrintStream(new Routed(out, false), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Routed(err, true), true, StandardCharsets.UTF_8));
    }

    private record Target(OutputStream out, OutputStream err) {
    }

    /** Routes this thread (and threads it starts afterwards) to {@code out} and {@code err}. */
    static void route(OutputStream out, OutputStream err) {
        TARGET.set(new Target(out, err));
    }

    private static final class Routed extends OutputStream {
        private final PrintStream fallback;
        private final boolean isErr;

        Routed(PrintStream fallback, boolean isErr) {
            this.fallback = fallback;
            this.isErr = isErr;
        }

        private OutputStream target() {
            Target t = TARGET.get();
            return t == null ? fallback : isErr ? t.err : t.out;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            target().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            target().write(b, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            target().flush();
        }
    }
}
