package w2v4j.train.lm;

import w2v4j.core.io.AtomicFiles;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes an {@link ArpaModel} as ARPA text: entries in the model's order, tab-separated, a back-off only where it is
 * non-zero and below the top order. Numbers are the shortest decimal that reads back to the same float (no exponent),
 * so writing, reading and writing again gives the same text and the same probabilities.
 */
final class ArpaWriter {
    private ArpaWriter() {}

    static void write(ArpaModel model, Path file) {
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            write(model, w);
            w.flush();
        });
    }

    static String toText(ArpaModel model) {
        java.io.StringWriter sw = new java.io.StringWriter();
        try {
            write(model, sw);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);  // a StringWriter does not fail
        }
        return sw.toString();
    }

    static void write(ArpaModel model, Writer w) throws IOException {
        int order = model.order();
        w.write("\\data\\\n");
        for (int k = 1; k <= order; k++) w.write("ngram " + k + "=" + model.count(k) + "\n");
        StringBuilder line = new StringBuilder(128);
        int[] path = new int[order];
        for (int k = 1; k <= order; k++) {
            w.write("\n\\" + k + "-grams:\n");
            int first = model.firstEntry(k);
            for (int e = first; e < first + model.count(k); e++) {
                line.setLength(0);
                line.append(format(model.entryLog10Prob(e))).append('\t');
                for (int n = e, i = k - 1; i >= 0; n = model.parentOf(n), i--) path[i] = model.lastWordOf(n);
                for (int i = 0; i < k; i++) {
                    if (i > 0) line.append(' ');
                    line.append(model.word(path[i]));
                }
                float bo = model.entryLog10Backoff(e);
                if (k < order && bo != 0f) line.append('\t').append(format(bo));
                line.append('\n');
                w.write(line.toString());
            }
        }
        w.write("\n\\end\\\n");
    }

    /** The shortest plain decimal that parses back to {@code v}; integers without a fraction ("-99", "0"). */
    static String format(float v) {
        if (v == Float.NEGATIVE_INFINITY) return "-inf";
        if (v == (int) v) return Integer.toString((int) v);
        String s = Float.toString(v);
        return s.indexOf('E') >= 0 ? new BigDecimal(s).toPlainString() : s;
    }
}
