package w2v4j.repl;

import org.jline.reader.EOFError;
import org.jline.reader.Parser;
import org.jline.reader.impl.DefaultParser;
import picocli.CommandLine;
import w2v4j.core.W2vException;
import w2v4j.core.io.FileBytes;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a file of shell command lines ({@code w2v run SCRIPT.w2v}): one command a line, blank lines and
 * {@code #} comments skipped, quotes as in the shell. Lines run in order on this thread; a line ending in
 * {@code &} starts a background job, and the script waits for those at {@code wait} and at its end. The
 * first failing line ends the script with "SCRIPT:LINE: message".
 */
final class ScriptRunner {
    private ScriptRunner() {
    }

    /** A command line split into words, and whether it ended with '&'. */
    record Line(List<String> words, boolean background) {
    }

    /** Splits a command line as the shell does (quotes, backslash escapes); null for a blank or comment line. */
    static Line parse(String text) {
        String s = text.strip();
        if (s.isEmpty() || s.startsWith("#")) return null;
        boolean background = s.endsWith("&");
        if (background) s = s.substring(0, s.length() - 1).strip();
        List<String> words;
        try {
            DefaultParser parser = new DefaultParser();
            parser.setEofOnUnclosedQuote(true);
            words = parser.parse(s, s.length(), Parser.ParseContext.ACCEPT_LINE).words();
        } catch (EOFError e) {
            throw new W2vException("unbalanced quote: " + text.strip());
        }
        words = words.stream().filter(w -> !w.isEmpty()).toList();
        if (words.isEmpty()) throw new W2vException("'&' with no command");
        return new Line(words, background);
    }

    /** Runs the script; returns normally when every line succeeded, else throws "SCRIPT:LINE: message". */
    static void run(Path script) {
        String[] lines = new String(FileBytes.readAll(script), StandardCharsets.UTF_8).split("\\R", -1);
        Session session = Session.current();
        Map<Job, Integer> started = new LinkedHashMap<>();
        for (int i = 0; i < lines.length; i++) {
            String where = script + ":" + (i + 1) + ": ";
            Line line;
            try {
                line = parse(lines[i]);
            } catch (W2vException e) {
                throw new W2vException(where + e.getMessage());
            }
            if (line == null) continue;
            if (line.background()) {
                Job job = session.jobs().start(lines[i].strip(), line.words(), CommandTree::create);
                started.put(job, i + 1);
                System.out.println("[" + job.id() + "] started: " + job.line());
                continue;
            }
            String error = execute(line.words());
            if (error != null) throw new W2vException(where + error);
            if (session.takeExitRequest()) break;
        }
        for (Map.Entry<Job, Integer> e : started.entrySet()) {
            Job job = e.getKey();
            if (session.foreground().waitFor(job) != 0) {
                throw new W2vException(script + ":" + e.getValue() + ": job " + job.id() + " " + job.state()
                        + (job.error().isEmpty() ? "" : ": " + job.error()));
            }
        }
    }

    /**
     * Runs one command on this thread; null on success, else its error message. The command's "w2v: ..."
     * error line is held back (the caller reports it with the line number); anything else on its error
     * writer (a --debug stack trace) is passed on.
     */
    private static String execute(List<String> words) {
        CommandLine cl = CommandTree.create();
        StringWriter errText = new StringWriter();
        cl.setErr(new PrintWriter(errText, true));
        int code = cl.execute(words.toArray(String[]::new));
        String message = null;
        for (String l : errText.toString().split("\\R")) {
            if (l.isEmpty()) continue;
            if (message == null && l.startsWith("w2v: ")) message = l.substring(5);
            else System.err.println(l);
        }
        if (code == 0) {
            if (message != null) System.err.println("w2v: " + message);
            return null;
        }
        return message != null ? message : "'" + String.join(" ", words) + "' failed with exit code " + code;
    }
}
