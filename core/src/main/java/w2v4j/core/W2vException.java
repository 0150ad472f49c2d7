package w2v4j.core;

import java.nio.file.Path;

/**
 * An error caused by the user's input (a file, a config, an option), reported to the user as one line.
 * The CLI prints {@link #getMessage()} without a stack trace unless --debug is given.
 */
public class W2vException extends RuntimeException {
    public W2vException(String message) {
        super(message);
    }

    public W2vException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "FILE: problem", the form every file-related error takes. */
    public static W2vException file(Path file, String problem) {
        return new W2vException(file + ": " + problem);
    }

    public static W2vException file(Path file, String problem, Throwable cause) {
        return new W2vException(file + ": " + problem, cause);
    }
}
