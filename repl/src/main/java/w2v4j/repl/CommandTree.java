package w2v4j.repl;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.Set;

/** The command tree of the shell and of scripts: the CLI's commands plus the job commands, with session defaults. */
public final class CommandTree {
    private CommandTree() {
    }

    /**
     * Commands that only look at or change the session: the shell runs them on its own thread, at once,
     * rather than as jobs.
     */
    static final Set<String> BUILTINS = Set.of("help", "jobs", "status", "stop", "fg", "wait", "exit", "quit", "backend", "config");

    /** A fresh tree (every command line gets its own, so concurrent jobs never share option fields). */
    public static CommandLine create() {
        CommandLine cl = Main.commandLine();
        for (Object c : JobCommands.all()) cl.addSubcommand(c);
        // --backend of any command defaults to the session's backend ('backend use NAME').
        cl.setDefaultValueProvider(arg -> arg instanceof OptionSpec o && o.longestName().equals("--backend")
                ? Session.current().backend() : null);
        return cl;
    }
}
