package w2v4j.train.ctc;

import w2v4j.core.W2vException;
import w2v4j.core.io.FileBytes;
import w2v4j.core.io.Json;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The output alphabet of a CTC head: row {@code i} of the logits is symbol {@code symbol(i)}.
 *
 * <p>Two on-disk forms give the same rows:
 * <ul>
 *   <li>fairseq's {@code dict.ltr.txt} ({@code SYMBOL COUNT} lines): fairseq's Dictionary puts
 *       {@code <s>}=0, {@code <pad>}=1, {@code </s>}=2, {@code <unk>}=3 first, then the file's symbols in
 *       file order; the CTC blank is 0 ({@code <s>}), as in fairseq's ctc criterion.</li>
 *   <li>Hugging Face's {@code vocab.json} ({@code {"<pad>":0,"<s>":1,...}}): the blank is the pad
 *       token ({@code pad_token_id}), {@code <pad>} unless a sibling {@code tokenizer_config.json} says
 *       otherwise. The HF converter only swaps the <em>names</em> of rows 0 and 1, so a converted
 *       model's blank is still row 0.</li>
 * </ul>
 * The word delimiter is {@code |} (or the tokenizer's {@code word_delimiter_token}); it is −1 for an
 * alphabet without one.
 */
public final class Vocabulary {

    public static final String BOS = "<s>", PAD = "<pad>", EOS = "</s>", UNK = "<unk>", WORD_DELIMITER = "|";
    public static final String HF_VOCAB_FILE = "vocab.json", HF_TOKENIZER_CONFIG = "tokenizer_config.json";

    private final String[] symbols;
    private final Map<String, Integer> ids;
    private final int blank;
    private final int wordDelimiter;
    /** Rows that {@link #decode} drops: the blank and the sentence markers {@code <s> <pad> </s>}. */
    private final boolean[] silent;

    /**
     * A vocabulary over {@code symbols} (row order) with the blank at {@code blank} and the word
     * delimiter symbol {@code delimiter} (null or absent from the symbols → no delimiter).
     */
    public Vocabulary(List<String> symbols, int blank, String delimiter) {
        this.symbols = symbols.toArray(new String[0]);
        this.ids = new HashMap<>();
        for (int i = 0; i < this.symbols.length; i++) {
            if (ids.putIfAbsent(this.symbols[i], i) != null) throw new IllegalArgumentException("duplicate symbol '" + this.symbols[i] + "'");
        }
        if (blank < 0 || blank >= this.symbols.length) throw new IllegalArgumentException("blank " + blank + " outside [0, " + this.symbols.length + ")");
        this.blank = blank;
        this.wordDelimiter = delimiter == null ? -1 : id(delimiter);
        this.silent = new boolean[this.symbols.length];
        silent[blank] = true;
        for (String s : new String[] {BOS, PAD, EOS}) if (id(s) >= 0) silent[id(s)] = true;
    }

    // ---- loading and saving -------------------------------------------------------------------------------

    /**
     * fairseq's {@code dict.ltr.txt}: the four specials, then one symbol per line in file order. Like
     * fairseq's {@code Dictionary.add_from_file}, the count is the text after the last space and a
     * symbol seen twice is an error; flags such as {@code #fairseq:overwrite} are not accepted.
     */
    public static Vocabulary fromFairseqDict(Path file) {
        List<String> symbols = new ArrayList<>(List.of(BOS, PAD, EOS, UNK));
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < symbols.size(); i++) seen.put(symbols.get(i), 0);
        String[] lines = new String(FileBytes.readAll(file), StandardCharsets.UTF_8).split("\n", -1);
        int n = lines.length;
        if (n > 0 && lines[n - 1].isEmpty()) n--; // the final newline does not open an empty line
        for (int i = 0; i < n; i++) {
            String line = lines[i].stripTrailing(); // fairseq rstrips each line (and so drops a '\r')
            String where = file + ":" + (i + 1) + ": ";
            int space = line.lastIndexOf(' ');
            if (space <= 0) throw new W2vException(where + "expected 'SYMBOL COUNT', found \"" + line + "\"");
            String symbol = line.substring(0, space), count = line.substring(space + 1);
            if (!count.matches("[0-9]+")) {
                throw new W2vException(where + "expected 'SYMBOL COUNT' with an integer count, found \"" + line + "\"");
            }
            Integer before = seen.putIfAbsent(symbol, i + 1);
            if (before != null) {
                throw new W2vException(where + "symbol '" + symbol + "' appears twice" + (before == 0 ? " (fairseq adds it itself)" : " (also line " + before + ")"));
            }
            symbols.add(symbol);
        }
        return new Vocabulary(symbols, 0, WORD_DELIMITER);
    }

    /**
     * Hugging Face's {@code vocab.json}: symbol → row, rows 0..n−1 each exactly once. Token names come
     * from a {@code tokenizer_config.json} in the same folder when there is one ({@code pad_token} is
     * the blank, {@code word_delimiter_token} the delimiter), else the Wav2Vec2CTCTokenizer defaults
     * {@code <pad>} and {@code |}.
     */
    public static Vocabulary fromHfVocab(Path file) {
        Json.Obj vocab = Json.readObject(file);
        String[] symbols = new String[vocab.map().size()];
        for (Map.Entry<String, Object> e : vocab.map().entrySet()) {
            if (!(e.getValue() instanceof Long id)) {
                throw W2vException.file(file, "symbol '" + e.getKey() + "' should map to an integer row, found " + Json.typeName(e.getValue())
                        + (e.getValue() instanceof Map ? " (a multi-language vocabulary: pick one language's table)" : ""));
            }
            if (id < 0 || id >= symbols.length) {
                throw W2vException.file(file, "symbol '" + e.getKey() + "' has row " + id + ", outside [0, " + symbols.length + ") (rows must be 0.." + (symbols.length - 1) + ")");
            }
            if (symbols[(int) (long) id] != null) {
                throw W2vException.file(file, "row " + id + " is given to both '" + symbols[(int) (long) id] + "' and '" + e.getKey() + "'");
            }
            symbols[(int) (long) id] = e.getKey();
        }
        String pad = PAD, delimiter = WORD_DELIMITER;
        Path config = file.resolveSibling(HF_TOKENIZER_CONFIG);
        if (Files.isRegularFile(config)) {
            Json.Obj c = Json.readObject(config);
            pad = tokenName(c, "pad_token", pad);
            delimiter = tokenName(c, "word_delimiter_token", delimiter);
        }
        int blank = pad == null ? -1 : Arrays.asList(symbols).indexOf(pad);
        if (blank < 0) throw W2vException.file(file, "has no pad token '" + pad + "', which is the CTC blank");
        return new Vocabulary(Arrays.asList(symbols), blank, delimiter);
    }

    /**
     * A token of a tokenizer config: a string, or (newer transformers) an AddedToken object's
     * "content"; {@code def} when the key is absent, null when it is given as null (no such token).
     */
    private static String tokenName(Json.Obj config, String key, String def) {
        if (!config.map().containsKey(key)) return def;
        if (config.get(key) == null) return null;
        return config.get(key) instanceof Map ? config.getObject(key).getString("content") : config.getString(key);
    }

    /**
     * Writes {@code DIR/vocab.json} and {@code DIR/tokenizer_config.json} for transformers'
     * Wav2Vec2CTCTokenizer, so a fine-tuned model folder decodes in Python too. Rows keep their
     * order. As the HF converter does, a fairseq vocabulary ({@code <s>} is the blank) swaps the names
     * of {@code <s>} and {@code <pad>}, so that the blank is the tokenizer's pad token; bos/eos/unk
     * are named only if the vocabulary has them (else transformers would append new rows).
     */
    public void writeHfVocab(Path dir) {
        String[] names = symbols.clone();
        int pad = id(PAD);
        if (!names[blank].equals(PAD) && symbols[blank].equals(BOS) && pad >= 0) {
            names[pad] = BOS;
            names[blank] = PAD;
        }
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) vocab.put(names[i], i);
        List<String> named = Arrays.asList(names);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("tokenizer_class", "Wav2Vec2CTCTokenizer");
        config.put("bos_token", named.contains(BOS) ? BOS : null);
        config.put("eos_token", named.contains(EOS) ? EOS : null);
        config.put("unk_token", named.contains(UNK) ? UNK : null);
        config.put("pad_token", names[blank]);
        config.put("word_delimiter_token", wordDelimiter >= 0 ? names[wordDelimiter] : null);
        config.put("replace_word_delimiter_char", " ");
        config.put("do_lower_case", false);
        Json.write(dir.resolve(HF_VOCAB_FILE), vocab);
        Json.write(dir.resolve(HF_TOKENIZER_CONFIG), config);
    }

    // ---- encoding and decoding ----------------------------------------------------------------------------

    /**
     * The rows of a {@code .ltr} line ({@code "A | M A N |"}: symbols separated by spaces). A symbol
     * missing from the vocabulary is an error naming {@code file}, {@code line} (1-based) and the symbol.
     */
    public int[] encodeLtr(String ltrLine, Path file, int line) {
        String[] parts = ltrLine.strip().split(" +");
        if (parts.length == 1 && parts[0].isEmpty()) return new int[0];
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            int id = id(parts[i]);
            if (id < 0) throw new W2vException(file + ":" + line + ": symbol '" + parts[i] + "' is not in the vocabulary (" + symbols.length + " symbols)");
            if (id == blank) throw new W2vException(file + ":" + line + ": symbol '" + parts[i] + "' is the CTC blank and cannot be a label");
            out[i] = id;
        }
        return out;
    }

    /**
     * Words of a row sequence: the blank and {@code <s> <pad> </s>} are dropped, the delimiter becomes a
     * space, other symbols are concatenated; spaces are collapsed and trimmed. {@code <unk>} is kept as
     * written, as fairseq's Dictionary.string and HF's decode do, so a predicted unknown stays an error.
     * Repeats are <em>not</em> merged here (that is the CTC decoder's job).
     */
    public String decode(int[] ids) {
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= symbols.length) throw new IllegalArgumentException("row " + id + " outside [0, " + symbols.length + ")");
            if (silent[id]) continue;
            if (id == wordDelimiter) {
                if (!out.isEmpty() && out.charAt(out.length() - 1) != ' ') out.append(' ');
            } else {
                out.append(symbols[id]);
            }
        }
        if (!out.isEmpty() && out.charAt(out.length() - 1) == ' ') out.setLength(out.length() - 1);
        return out.toString();
    }

    // ---- accessors ----------------------------------------------------------------------------------------

    public int size() {
        return symbols.length;
    }

    public int blank() {
        return blank;
    }

    /** Row of the word delimiter, or −1 if this alphabet has none. */
    public int wordDelimiter() {
        return wordDelimiter;
    }

    public String symbol(int id) {
        return symbols[id];
    }

    /** Row of {@code symbol}, or −1 if absent. */
    public int id(String symbol) {
        Integer id = ids.get(symbol);
        return id == null ? -1 : id;
    }

    /** All symbols in row order. */
    public List<String> symbols() {
        return List.of(symbols);
    }
}
