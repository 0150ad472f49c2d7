package w2v4j.tests;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import w2v4j.core.ProgressListener;
import w2v4j.core.StopSignal;
import w2v4j.repl.CommandTree;
import w2v4j.repl.Shell;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A test-only long job, added to the shell's tree by the tests (never part of the product): it counts
 * steps, reports progress, and honours stop requests the way a training loop does: poll the
 * {@link StopSignal} after each step, "write a checkpoint", return normally.
 */
@Command(name = "spin", description = "Test job: count steps like a training loop.")
public final class SpinCommand implements Callable<Integer> {
    @Option(names = "--steps", defaultValue = "1000")
    long steps;

    @Option(names = "--ms", defaultValue = "10", description = "Milliseconds per step.")
    long ms;

    @Option(names = "--ignore-stop", description = "Never poll the stop signal (only an interrupt ends it).")
    boolean ignoreStop;

    @Override
    public Integer call() {
        StopSignal stop = StopSignal.current();
        ProgressListener progress = ProgressListener.current();
        System.out.println("spin: started");
        for (long i = 1; i <= steps; i++) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                System.out.println("spin: interrupted at step " + i);
                return 130;
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("loss", 10.0 / i);
            progress.report(new ProgressListener.Update("spin", i, steps, "steps", metrics, 1000.0 / ms));
            if (!ignoreStop && stop.stopRequested()) {
                System.out.println("spin: stopped at step " + i + ", checkpoint written");
                return 0;
            }
        }
        System.out.println("spin: finished " + steps + " steps");
        return 0;
    }

    /** The product's shell tree plus this command. */
    public static CommandLine tree() {
        CommandLine cl = CommandTree.create();
        cl.addSubcommand(new SpinCommand());
        return cl;
    }

    /** The shell on the system terminal with {@code spin} added (the tmux test runs this). */
    public static void main(String[] args) {
        System.exit(Shell.start(SpinCommand::tree));
    }
}
