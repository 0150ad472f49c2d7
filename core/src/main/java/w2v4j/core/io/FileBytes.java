package w2v4j.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import w2v4j.core.W2vException;

/** Reading files with every I/O failure turned into a one-line {@link W2vException} that names the file. */
public final class FileBytes {
    private FileBytes() {}

    public static byte[] readAll(Path p) {
        try {
            long size = Files.size(p);
            if (size > Integer.MAX_VALUE - 16) {
                throw W2vException.file(p, "file too large (" + size + " bytes) to read into memory");
            }
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw ioError(p, e);
        }
    }

    public static FileChannel open(Path p) {
        try {
            if (Files.isDirectory(p)) {
                throw W2vException.file(p, "is a directory, not a file");
            }
            return FileChannel.open(p, StandardOpenOption.READ);
        } catch (IOException e) {
            throw ioError(p, e);
        }
    }

    /**
     * Reads up to {@code n} bytes at {@code position} (fewer only at end of file), little-endian order.
     * Used for headers, so that looking at a file does not read the whole file.
     */
    public static ByteBuffer readAt(FileChannel ch, Path p, long position, int n) {
        ByteBuffer buf = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (buf.hasRemaining()) {
                int r = ch.read(buf, position + buf.position());
                if (r < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw ioError(p, e);
        }
        return buf.flip();
    }

    public static long size(FileChannel ch, Path p) {
        try {
            return ch.size();
        } catch (IOException e) {
            throw ioError(p, e);
        }
    }

    public static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Read-only channel: nothing is lost when close fails.
        }
    }

    public static W2vException ioError(Path p, IOException e) {
        if (e instanceof NoSuchFileException) {
            return W2vException.file(p, "no such file", e);
        }
        if (e instanceof AccessDeniedException) {
            return W2vException.file(p, "permission denied", e);
        }
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
        return W2vException.file(p, "cannot read: " + msg, e);
    }
}
