package w2v4j.repl;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.util.List;

/** Bad command lines (unknown command or option, missing value) as one line, pointing at the command's help. */
final class ParameterErrors {
    private ParameterErrors() {
    }

    static int handle(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String message = ex.getMessage();
        if (ex instanceof UnmatchedArgumentException u && !cmd.getSubcommands().isEmpty()
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().getFirst().startsWith("-")) {
            message = "unknown command '" + u.getUnmatched().getFirst() + "'";
        }
        if (ex instanceof UnmatchedArgumentException u) {
            // picocli's guesses can be far off ('bogus': 'status'); keep those that start like the typed word.
            String typed = u.getUnmatched().isEmpty() ? "" : u.getUnmatched().getFirst().replaceFirst("^-+", "");
            List<String> suggestions = u.getSuggestions().stream()
                    .filter(s -> !typed.isEmpty() && s.replaceFirst("^-+", "").startsWith(typed.substring(0, 1))).toList();
            if (!suggestions.isEmpty()) message += " (did you mean " + String.join(" or ", suggestions.stream().limit(3).toList()) + "?)";
        }
        String qualified = cmd.getCommandSpec().qualifiedName(" ");
        int space = qualified.indexOf(' ');
        String help = space < 0 ? "help" : qualified.substring(space + 1) + " --help";
        cmd.getErr().println("w2v: " + message + "; see '" + help + "'");
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }
}
