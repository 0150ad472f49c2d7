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
    static final Set<String> BUILTINS = Set.of("help", "jobs", "status", "stop", "fg", "wait", "exit", "quit", "backend", "config", "model");

    /** A fresh tree (every command line gets its own, so concurrent jobs never share option fields). */
    public static CommandLine create() {
        CommandLine cl = Main.commandLine();
        for (Object c : JobCommands.all()) cl.addSubcommand(c);
        // --backend defaults to the session's backend ('backend use NAME'), --data to its data set ('data use DIR'),
        // finetune's --init to its model ('model load DIR').
        cl.setDefaultValueProvider(arg -> {
            if (!(arg instanceof OptionSpec o)) return null;
            Session s = Session.current();
            return switch (o.longestName()) {
                case "--backend" -> s.backend();
                case "--data" -> s.data() == null ? null : s.data().toString();
                case "--init" -> s.model() == null ? null : s.model().toString();
                default -> null;
            };
        });
        return cl;
    }
}
