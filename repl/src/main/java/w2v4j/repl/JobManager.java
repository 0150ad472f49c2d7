package w2v4j.repl;

import picocli.CommandLine;
import w2v4j.core.ProgressListener;
import w2v4j.core.StopSignal;
import w2v4j.core.W2vException;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs command lines as jobs, each on its own thread with its own command tree (so two jobs never share
 * option fields), its stop signal and progress listener installed, and its printing routed to its output.
 */
public final class JobManager {
    private final List<Job> jobs = new ArrayList<>();
    private int nextId = 1;

    /** Starts {@code args} of {@code tree} as a new job; it prints to its own {@link JobOutput}. */
    public Job start(String line, List<String> args, Supplier<CommandLine> tree) {
        Job job;
        synchronized (this) {
            job = new Job(nextId++, line.strip().replaceFirst("\\s*&$", ""));
            jobs.add(job);
        }
        OutputRouter.install();
        Thread t = Thread.ofPlatform().name("w2v-job-" + job.id).daemon(true).unstarted(() -> {
            OutputRouter.route(job.output.out, job.output.err);
            StopSignal.install(job.stop);
            ProgressListener.install(job.listener());
            int code;
            try {
                CommandLine cl = tree.get();
                cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(job.output.out, StandardCharsets.UTF_8), true));
                cl.setErr(new PrintWriter(new java.io.OutputStreamWriter(job.output.err, StandardCharsets.UTF_8), true));
                code = cl.execute(args.toArray(String[]::new));
            } catch (Throwable e) {
                // Errors escaping picocli (an OutOfMemoryError): report them and keep the shell alive.
                System.err.println("w2v: internal error: " + e);
                code = 1;
            }
            System.out.flush();
            System.err.flush();
            job.finish(code);
        });
        job.runOn(t);
        t.start();
        return job;
    }

    /** All jobs in start order. */
    public synchronized List<Job> list() {
        return List.copyOf(jobs);
    }

    /** A job by its number; unknown numbers are an error naming the known ones. */
    public synchronized Job get(int id) {
        for (Job j : jobs) if (j.id == id) return j;
        throw new W2vException("no job " + id + (jobs.isEmpty() ? " (no jobs yet)" : " (see 'jobs')"));
    }

    /** The jobs still running or stopping. */
    public synchronized List<Job> running() {
        return jobs.stream().filter(j -> !j.finished()).toList();
    }
}
