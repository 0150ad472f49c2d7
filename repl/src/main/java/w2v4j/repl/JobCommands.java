package w2v4j.repl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import w2v4j.core.W2vException;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The job commands of the shell and of scripts: {@code jobs}, {@code status}, {@code stop}, {@code fg},
 * {@code wait}, {@code exit}. A line ending in {@code &} starts a background job; any other line runs in the
 * foreground, where Ctrl-C stops it (a second Ctrl-C interrupts it and returns to the prompt).
 */
final class JobCommands {
    private JobCommands() {
    }

    static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    static Object[] all() {
        return new Object[]{new Jobs(), new Status(), new Stop(), new Fg(), new Wait(), new Exit()};
    }

    static String row(Job j) {
        String p = j.progressLine();
        String tail = j.state() == Job.State.FAILED && !j.error().isEmpty() ? j.error() : p;
        return String.format(Locale.ROOT, "%-4d %-9s %-9s %7s  %s%s", j.id(), j.state(), CLOCK.format(j.started),
                Job.duration(j.elapsedSeconds()), j.line(), tail.isEmpty() ? "" : "  |  " + tail);
    }

    static final String HEADER = String.format(Locale.ROOT, "%-4s %-9s %-9s %7s  %s", "ID", "STATE", "STARTED", "TIME", "COMMAND  |  PROGRESS");

    @Command(name = "jobs", mixinStandardHelpOptions = true, description = "List the jobs of this session: id, state, start, time, command and latest progress.")
    static final class Jobs implements Runnable {
        @Override
        public void run() {
            List<Job> jobs = Session.current().jobs().list();
            if (jobs.isEmpty()) {
                System.out.println("no jobs (end a command line with '&' to run it in the background)");
                return;
            }
            System.out.println(HEADER);
            for (Job j : jobs) System.out.println(row(j));
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"The session (backend, model, data set, config overrides, running jobs), or one job with its latest output."})
    static final class Status implements Runnable {
        @Parameters(arity = "0..1", paramLabel = "JOB", description = "A job number (see 'jobs').")
        Integer id;

        @Override
        public void run() {
            Session s = Session.current();
            if (id == null) {
                System.out.println("backend: " + s.backend());
                System.out.println("model: " + (s.model() == null ? "none (model load DIR)" : s.model()));
                System.out.println("data: " + (s.data() == null ? "none (data use DIR)" : s.data()));
                System.out.println("config overrides: " + (s.overrides().isEmpty() ? "none" : s.overrides().size() + " (see 'config show')"));
                List<Job> running = s.jobs().running();
                System.out.println("running jobs: " + (running.isEmpty() ? "none" : running.size()));
                for (Job j : running) System.out.println("  " + row(j));
                return;
            }
            Job j = s.jobs().get(id);
            System.out.println(HEADER);
            System.out.println(row(j));
            if (j.finished()) System.out.println("exit code: " + j.exitCode());
            String tail = j.output.tail(10);
            if (!tail.isEmpty()) {
                System.out.println("last output:");
                for (String l : tail.split("\n")) System.out.println("  " + l);
            }
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = {"Ask a job to stop at its next safe point.",
                    "Training writes a checkpoint there and can be resumed from it; data jobs end early."})
    static final class Stop implements Runnable {
        @Parameters(paramLabel = "JOB", description = "A job number (see 'jobs').")
        int id;

        @Override
        public void run() {
            Job j = Session.current().jobs().get(id);
            if (j.finished()) throw new W2vException("job " + id + " has already finished (" + j.state() + ")");
            j.requestStop();
            System.out.println("[" + id + "] stop requested: " + j.line());
        }
    }

    @Command(name = "fg", mixinStandardHelpOptions = true,
            description = "Bring a job to the foreground: show its live progress line; Ctrl-C stops it.")
    static final class Fg implements Callable<Integer> {
        @Parameters(paramLabel = "JOB", description = "A job number (see 'jobs').")
        int id;

        @Override
        public Integer call() {
            return Session.current().foreground().waitFor(Session.current().jobs().get(id));
        }
    }

    @Command(name = "wait", mixinStandardHelpOptions = true,
            description = {"Wait until a job (or every job) has finished; fails if one of them failed.",
                    "A script waits for its background jobs at its end anyway."})
    static final class Wait implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "JOB", description = "A job number (default: every running job).")
        Integer id;

        @Override
        public Integer call() {
            Session s = Session.current();
            List<Job> jobs = id != null ? List.of(s.jobs().get(id)) : s.jobs().running();
            return waitAll(jobs, s.foreground());
        }
    }

    /** Waits for each job in turn; a failed one is an error naming it. */
    static int waitAll(List<Job> jobs, Session.Foreground fg) {
        for (Job j : jobs) {
            int code = fg.waitFor(j);
            if (code != 0) {
                throw new W2vException("job " + j.id() + " (" + j.line() + ") " + j.state()
                        + (j.error().isEmpty() ? "" : ": " + j.error()));
            }
        }
        return 0;
    }

    @Command(name = "exit", aliases = "quit", mixinStandardHelpOptions = true,
            description = {"Leave the shell (also Ctrl-D) or end a script here.",
                    "Running jobs are asked to stop first (training writes its checkpoint)."})
    static final class Exit implements Runnable {
        @Override
        public void run() {
            Session.current().requestExit();
        }
    }
}
