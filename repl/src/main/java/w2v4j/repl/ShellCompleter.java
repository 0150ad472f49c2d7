package w2v4j.repl;

import org.jline.builtins.Completers;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.File;
import java.nio.file.Path;
import java.util.List;

/**
 * Tab completion from the picocli command tree: command and subcommand names, option names, option and
 * parameter values from {@code completionCandidates} (presets, backends, metrics), and file paths for
 * parameters typed {@code Path} or {@code File}.
 */
final class ShellCompleter implements Completer {
    private final CommandSpec root;
    private final Completer files = new Completers.FileNameCompleter();

    ShellCompleter(CommandSpec root) {
        this.root = root;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words();
        int current = line.wordIndex();
        CommandSpec spec = root;
        boolean inCommand = false; // past the command names, into options and parameters
        OptionSpec pending = null; // an option waiting for its value
        int positional = 0;
        for (int i = 0; i < current && i < words.size(); i++) {
            String w = words.get(i);
            if (pending != null) {
                pending = null;
                continue;
            }
            if (!inCommand && spec.subcommands().containsKey(w)) {
                spec = spec.subcommands().get(w).getCommandSpec();
                continue;
            }
            inCommand = true;
            if (w.startsWith("-")) {
                OptionSpec o = spec.findOption(w.contains("=") ? w.substring(0, w.indexOf('=')) : w);
                if (o != null && !w.contains("=") && o.arity().max() > 0 && !isBoolean(o)) pending = o;
            } else {
                positional++;
            }
        }
        String word = line.word();
        if (pending != null) {
            values(pending, reader, line, candidates);
            return;
        }
        if (word.startsWith("-")) {
            for (OptionSpec o : spec.options()) {
                if (o.hidden()) continue;
                for (String name : o.names()) {
                    String help = o.description().length > 0 ? firstSentence(o.description()[0]) : null;
                    candidates.add(new Candidate(name, name, null, help, null, null, true));
                }
            }
            return;
        }
        if (!inCommand) {
            for (var e : spec.subcommands().entrySet()) {
                CommandSpec sub = e.getValue().getCommandSpec();
                String help = sub.usageMessage().description().length > 0 ? firstSentence(sub.usageMessage().description()[0]) : null;
                candidates.add(new Candidate(e.getKey(), e.getKey(), null, help, null, null, true));
            }
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.index().contains(positional)) {
                values(p, reader, line, candidates);
                break;
            }
        }
    }

    private void values(ArgSpec arg, LineReader reader, ParsedLine line, List<Candidate> candidates) {
        if (arg.completionCandidates() != null) {
            for (String c : arg.completionCandidates()) candidates.add(new Candidate(c));
        } else if (isFile(arg)) {
            files.complete(reader, line, candidates);
        }
    }

    private static boolean isFile(ArgSpec arg) {
        for (Class<?> t : arg.auxiliaryTypes()) if (t == Path.class || t == File.class) return true;
        return arg.type() == Path.class || arg.type() == File.class;
    }

    private static boolean isBoolean(OptionSpec o) {
        return o.type() == boolean.class || o.type() == Boolean.class;
    }

    private static String firstSentence(String s) {
        String t = s.replaceAll("\\$\\{[^}]*}", "").strip();
        int dot = t.indexOf(". ");
        return dot > 0 ? t.substring(0, dot) : t.replaceAll("\\.$", "");
    }
}
