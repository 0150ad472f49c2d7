package w2v4j.repl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code w2v run SCRIPT.w2v}: shell command lines from a file, stopping at the first failure. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run a file of shell commands, one a line; blank lines and '#' comments are skipped, quotes work as in the shell.",
                "Stops at the first failing line with 'w2v: SCRIPT:LINE: message' and exit code 1. A line ending in '&' "
                        + "runs in the background; 'wait' waits for such jobs, and the script waits for them at its end."})
final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SCRIPT", description = "The script file (conventionally NAME.w2v).")
    Path script;

    @Override
    public Integer call() {
        ScriptRunner.run(script);
        return 0;
    }
}
