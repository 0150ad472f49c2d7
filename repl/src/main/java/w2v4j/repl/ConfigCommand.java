package w2v4j.repl;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import w2v4j.core.W2vException;

import java.util.List;
import java.util.Map;

/**
 * {@code config show | set key=value... | unset key...}: the session's training overrides. {@code pretrain} and
 * {@code finetune} apply them as if they were given first with {@code --set}, so a command's own
 * {@code --set} still wins.
 */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Training overrides kept for this session: pretrain and finetune read them as if given with --set "
                + "(their own --set wins).", "Keys are those of --set, e.g. optimization.lr=5e-4 or dataset.max_tokens=1400000."},
        subcommands = {ConfigCommand.Show.class, ConfigCommand.Set.class, ConfigCommand.Unset.class, CommandLine.HelpCommand.class})
final class ConfigCommand implements Runnable {
    @Override
    public void run() {
        new Show().run();
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print the session's overrides, one key=value a line.")
    static final class Show implements Runnable {
        @Override
        public void run() {
            Map<String, String> o = Session.current().overrides();
            if (o.isEmpty()) System.out.println("no overrides (config set key=value)");
            for (Map.Entry<String, String> e : o.entrySet()) System.out.println(e.getKey() + "=" + e.getValue());
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Set overrides for later training commands.")
    static final class Set implements Runnable {
        @Parameters(arity = "1..*", paramLabel = "KEY=VALUE")
        List<String> pairs;

        @Override
        public void run() {
            for (String p : pairs) {
                int eq = p.indexOf('=');
                if (eq <= 0) throw new W2vException("expected key=value, got '" + p + "'");
                String key = p.substring(0, eq).strip();
                if (!key.matches("[A-Za-z_][A-Za-z0-9_.\\-]*")) throw new W2vException("bad key '" + key + "' (letters, digits, '_', '-' and '.')");
                Session.current().set(key, p.substring(eq + 1).strip());
                System.out.println(key + "=" + p.substring(eq + 1).strip());
            }
        }
    }

    @Command(name = "unset", mixinStandardHelpOptions = true, description = "Remove overrides.")
    static final class Unset implements Runnable {
        @Parameters(arity = "1..*", paramLabel = "KEY")
        List<String> keys;

        @Override
        public void run() {
            for (String k : keys) {
                if (!Session.current().unset(k)) throw new W2vException("'" + k + "' is not set (see 'config show')");
            }
        }
    }
}
