package w2v4j.repl;

import org.jline.reader.Candidate;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Completion candidates from the picocli tree, as JLine asks for them (JLine then filters by the typed prefix). */
class ShellCompleterTest {
    static Terminal terminal;
    static LineReader reader;
    static final ShellCompleter completer = new ShellCompleter(CommandTree.create().getCommandSpec());

    @TempDir
    static Path tmp;

    @BeforeAll
    static void open() throws Exception {
        terminal = TerminalBuilder.builder().streams(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream())
                .type(Terminal.TYPE_DUMB).build();
        reader = LineReaderBuilder.builder().terminal(terminal).build();
    }

    @AfterAll
    static void close() throws Exception {
        terminal.close();
    }

    static List<String> complete(String typed) {
        ParsedLine line = new DefaultParser().parse(typed, typed.length(), Parser.ParseContext.COMPLETE);
        List<Candidate> out = new ArrayList<>();
        completer.complete(reader, line, out);
        String prefix = line.word().substring(0, line.wordCursor());
        return out.stream().map(Candidate::value).filter(v -> v.startsWith(prefix)).distinct().sorted().toList();
    }

    @Test
    void commands() {
        assertEquals(List.of("extract"), complete("ext"));
        assertTrue(complete("").containsAll(List.of("extract", "bench", "data", "plot", "jobs", "stop", "backend", "config", "run", "exit")));
        assertEquals(List.of("synth"), complete("data sy"));
        assertEquals(List.of("codebook"), complete("plot cod"));
    }

    @Test
    void options() {
        assertEquals(List.of("--preset"), complete("bench --pre"));
        assertEquals(List.of("--layer", "--logits"), complete("extract model a.wav --l"));
        assertTrue(complete("data synth --").contains("--hours"));
    }

    @Test
    void optionAndParameterValues() {
        assertEquals(List.of("base", "large", "micro", "tiny"), complete("bench --preset "));
        assertEquals(List.of("large"), complete("bench --seconds 3 --preset l"));
        assertTrue(complete("backend use ").contains("java"));
        assertEquals(List.of("code_perplexity"), complete("plot run1 --metric code"));
    }

    @Test
    void filePaths() throws Exception {
        Files.createDirectories(tmp.resolve("corpus-one"));
        Files.writeString(tmp.resolve("script.w2v"), "jobs\n");
        assertEquals(List.of(tmp + "/corpus-one/"), complete("data synth --out " + tmp + "/corp"));
        assertEquals(List.of(tmp + "/script.w2v"), complete("run " + tmp + "/scr"));
        assertEquals(List.of(), complete("bench --seconds " + tmp + "/scr"), "numbers get no file names");
    }
}
