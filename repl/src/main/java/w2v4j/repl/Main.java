package w2v4j.repl;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import w2v4j.core.W2vException;

import java.util.Arrays;

/** Entry point of the {@code w2v} command: one picocli command tree for the CLI and the shell. */
@Command(name = "w2v", mixinStandardHelpOptions = true, version = "w2v4j 0.1.0",
        description = "Self-supervised speech representation learning (wav2vec 2.0 family) in Java.",
        subcommands = {ExtractCommand.class, BenchCommand.class, DataCommand.class, PretrainCommand.class, FinetuneCommand.class,
                EvalCommand.class, TranscribeCommand.class, LmCommand.class, DemoCommand.class, PlotCommand.class,
                BackendCommand.class, ConfigCommand.class, ModelCommand.class, RunCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Option(names = "--debug", description = "Print stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Builds the command tree; the shell and the CLI both use it. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            boolean debug = Arrays.asList(parsed.originalArgs().toArray(new String[0])).contains("--debug");
            Throwable shown = ex;
            if (ex instanceof W2vException || ex instanceof java.io.UncheckedIOException || ex instanceof java.io.IOException) {
                cmd.getErr().println("w2v: " + ex.getMessage());
            } else {
                cmd.getErr().println("w2v: internal error: " + ex);
            }
            if (debug) shown.printStackTrace(cmd.getErr());
            return 1;
        });
        cl.setParameterExceptionHandler(ParameterErrors::handle);
        return cl;
    }

    /** No arguments: the interactive shell; otherwise one command. */
    public static void main(String[] args) {
        System.exit(args.length == 0 ? Shell.start(CommandTree::create) : commandLine().execute(args));
    }
}
