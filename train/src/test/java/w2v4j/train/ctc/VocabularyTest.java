package w2v4j.train.ctc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import w2v4j.core.W2vException;
import w2v4j.core.io.Json;
import w2v4j.train.data.LabelWriter;

class VocabularyTest {

    @TempDir
    Path tmp;

    /** The fairseq LibriSpeech letter dictionary's first rows, as LabelWriter writes them. */
    Path fairseqDict() throws IOException {
        Path f = tmp.resolve("dict.ltr.txt");
        Files.writeString(f, "| 94802\nE 51860\nT 38431\nA 33152\nN 28000\nM 1000\n' 10\n");
        return f;
    }

    @Test
    void fairseqDictionaryPrependsTheFourSpecials() throws IOException {
        Vocabulary v = Vocabulary.fromFairseqDict(fairseqDict());
        assertEquals(List.of("<s>", "<pad>", "</s>", "<unk>", "|", "E", "T", "A", "N", "M", "'"), v.symbols());
        assertEquals(11, v.size());
        assertEquals(0, v.blank());
        assertEquals(4, v.wordDelimiter());
        assertEquals("A", v.symbol(7));
        assertEquals(7, v.id("A"));
        assertEquals(-1, v.id("Z"));
    }

    @Test
    void readsTheDictionaryLabelWriterWrites() {
        LabelWriter.writeSplit(tmp, "train", List.of("A MAN", "THE TEAM"));
        LabelWriter.writeDictionaryFromFolder(tmp);
        Vocabulary v = Vocabulary.fromFairseqDict(tmp.resolve(LabelWriter.DICTIONARY_FILE));
        int[] ids = v.encodeLtr(LabelWriter.letters("THE TEAM"), tmp.resolve("train.ltr"), 2);
        assertEquals("THE TEAM", v.decode(ids));
    }

    @Test
    void malformedDictionaryLinesNameFileAndLine() throws IOException {
        Path f = tmp.resolve("bad.txt");
        Files.writeString(f, "| 5\nE\n");
        W2vException e = assertThrows(W2vException.class, () -> Vocabulary.fromFairseqDict(f));
        assertTrue(e.getMessage().startsWith(f + ":2: "), e.getMessage());
        Files.writeString(f, "| 5\nE 3\nT x\n");
        e = assertThrows(W2vException.class, () -> Vocabulary.fromFairseqDict(f));
        assertTrue(e.getMessage().startsWith(f + ":3: ") && e.getMessage().contains("integer count"), e.getMessage());
        Files.writeString(f, "| 5\nE 3\n| 1\n");
        e = assertThrows(W2vException.class, () -> Vocabulary.fromFairseqDict(f));
        assertTrue(e.getMessage().equals(f + ":3: symbol '|' appears twice (also line 1)"), e.getMessage());
        Files.writeString(f, "<s> 5\n");
        e = assertThrows(W2vException.class, () -> Vocabulary.fromFairseqDict(f));
        assertTrue(e.getMessage().contains(":1: symbol '<s>' appears twice (fairseq adds it itself)"), e.getMessage());
    }

    @Test
    void encodeLtrMapsSymbolsAndNamesAMissingOne() throws IOException {
        Vocabulary v = Vocabulary.fromFairseqDict(fairseqDict());
        Path ltr = tmp.resolve("train.ltr");
        assertArrayEquals(new int[] {7, 4, 9, 7, 8, 4}, v.encodeLtr("A | M A N |", ltr, 1));
        assertArrayEquals(new int[0], v.encodeLtr("", ltr, 1));
        W2vException e = assertThrows(W2vException.class, () -> v.encodeLtr("T H E |", ltr, 7));
        assertEquals(ltr + ":7: symbol 'H' is not in the vocabulary (11 symbols)", e.getMessage());
        e = assertThrows(W2vException.class, () -> v.encodeLtr("A <s> A", ltr, 3));
        assertTrue(e.getMessage().startsWith(ltr + ":3: symbol '<s>' is the CTC blank"), e.getMessage());
    }

    @Test
    void decodeDropsBlankAndMarkersAndSpacesWords() throws IOException {
        Vocabulary v = Vocabulary.fromFairseqDict(fairseqDict());
        // <s>=0 <pad>=1 </s>=2 <unk>=3 |=4 E T A N M '
        assertEquals("A MAN", v.decode(new int[] {4, 0, 7, 4, 4, 1, 9, 7, 2, 8, 4}));
        assertEquals("AA", v.decode(new int[] {7, 7}), "decode does not merge repeats");
        assertEquals("M<unk>N", v.decode(new int[] {9, 3, 8}), "<unk> stays visible, so it counts as an error");
        assertEquals("", v.decode(new int[] {0, 4, 0, 4}));
        assertEquals("", v.decode(new int[0]));
    }

    @Test
    void hfVocabularyUsesThePadTokenAsBlank() throws IOException {
        Path f = tmp.resolve("vocab.json");
        Files.writeString(f, "{\"<pad>\": 0, \"<s>\": 1, \"</s>\": 2, \"<unk>\": 3, \"|\": 4, \"E\": 5, \"T\": 6}");
        Vocabulary v = Vocabulary.fromHfVocab(f);
        assertEquals(List.of("<pad>", "<s>", "</s>", "<unk>", "|", "E", "T"), v.symbols());
        assertEquals(0, v.blank());
        assertEquals(4, v.wordDelimiter());
        assertEquals("TE E", v.decode(new int[] {6, 5, 0, 4, 1, 5, 2}));

        // a custom tokenizer: blank and delimiter named by tokenizer_config.json (an AddedToken object, as newer transformers write)
        Path dir = Files.createDirectories(tmp.resolve("custom"));
        Files.writeString(dir.resolve("vocab.json"), "{\"a\": 0, \"b\": 1, \"[UNK]\": 2, \"[PAD]\": 3, \"_\": 4}");
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"pad_token\": {\"content\": \"[PAD]\", \"lstrip\": false}, \"word_delimiter_token\": \"_\", \"unk_token\": \"[UNK]\"}");
        Vocabulary c = Vocabulary.fromHfVocab(dir.resolve("vocab.json"));
        assertEquals(3, c.blank());
        assertEquals(4, c.wordDelimiter());
        assertEquals("ab ba", c.decode(new int[] {0, 3, 1, 4, 1, 0}));
    }

    @Test
    void anAlphabetWithoutDelimiterRoundTripsAsNone() throws IOException {
        Vocabulary v = new Vocabulary(List.of("<pad>", "a", "b", "|"), 0, null);
        assertEquals(-1, v.wordDelimiter());
        assertEquals("a|b", v.decode(new int[] {1, 3, 2}), "'|' is an ordinary symbol here");
        Path out = Files.createDirectories(tmp.resolve("phones"));
        v.writeHfVocab(out);
        assertNull(Json.readObject(out.resolve("tokenizer_config.json")).get("word_delimiter_token"));
        assertEquals(-1, Vocabulary.fromHfVocab(out.resolve("vocab.json")).wordDelimiter());
    }

    @Test
    void fairseqLinesAreRightStrippedAsFairseqDoes() throws IOException {
        Path f = tmp.resolve("crlf.txt");
        Files.writeString(f, "| 5\r\nE 3 \r\n");
        assertEquals(List.of("<s>", "<pad>", "</s>", "<unk>", "|", "E"), Vocabulary.fromFairseqDict(f).symbols());
    }

    @Test
    void malformedHfVocabulariesAreErrors() throws IOException {
        Path f = tmp.resolve("vocab.json");
        Files.writeString(f, "{\"<pad>\": 0, \"|\": 2}");
        assertTrue(assertThrows(W2vException.class, () -> Vocabulary.fromHfVocab(f)).getMessage().contains("'|' has row 2, outside [0, 2)"));
        Files.writeString(f, "{\"<pad>\": 0, \"|\": 0}");
        assertTrue(assertThrows(W2vException.class, () -> Vocabulary.fromHfVocab(f)).getMessage().contains("row 0 is given to both '<pad>' and '|'"));
        Files.writeString(f, "{\"en\": {\"<pad>\": 0}}");
        assertTrue(assertThrows(W2vException.class, () -> Vocabulary.fromHfVocab(f)).getMessage().contains("multi-language"));
        Files.writeString(f, "{\"<s>\": 0, \"|\": 1}");
        assertTrue(assertThrows(W2vException.class, () -> Vocabulary.fromHfVocab(f)).getMessage().startsWith(f + ": has no pad token '<pad>'"));
    }

    @Test
    void hfVocabularyRoundTrips() throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(src.resolve("vocab.json"), "{\"<pad>\": 0, \"<s>\": 1, \"</s>\": 2, \"<unk>\": 3, \"|\": 4, \"E\": 5, \"T\": 6}");
        Vocabulary v = Vocabulary.fromHfVocab(src.resolve("vocab.json"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        v.writeHfVocab(out);
        Vocabulary back = Vocabulary.fromHfVocab(out.resolve("vocab.json"));
        assertEquals(v.symbols(), back.symbols());
        assertEquals(v.blank(), back.blank());
        assertEquals(v.wordDelimiter(), back.wordDelimiter());

        Json.Obj cfg = Json.readObject(out.resolve("tokenizer_config.json"));
        assertEquals("Wav2Vec2CTCTokenizer", cfg.getString("tokenizer_class"));
        assertEquals("<pad>", cfg.getString("pad_token"));
        assertEquals("|", cfg.getString("word_delimiter_token"));
        assertEquals("<unk>", cfg.getString("unk_token"));
        assertEquals(false, cfg.getBool("do_lower_case"));
    }

    /** fairseq rows written for HF: the converter's convention, names of rows 0 and 1 swapped, rows unchanged. */
    @Test
    void fairseqVocabularyIsWrittenTheWayTheHfConverterDoes() throws IOException {
        Vocabulary fs = Vocabulary.fromFairseqDict(fairseqDict());
        Path out = Files.createDirectories(tmp.resolve("model"));
        fs.writeHfVocab(out);
        Json.Obj vocab = Json.readObject(out.resolve("vocab.json"));
        assertEquals(List.of("<pad>", "<s>", "</s>", "<unk>", "|", "E", "T", "A", "N", "M", "'"), List.copyOf(vocab.map().keySet()));
        for (int i = 0; i < fs.size(); i++) assertEquals(i, vocab.getInt(List.copyOf(vocab.map().keySet()).get(i)));
        Vocabulary hf = Vocabulary.fromHfVocab(out.resolve("vocab.json"));
        assertEquals(fs.blank(), hf.blank());
        assertEquals(fs.wordDelimiter(), hf.wordDelimiter());
        Path ltr = tmp.resolve("x.ltr");
        int[] ids = fs.encodeLtr("A | M A N |", ltr, 1);
        assertArrayEquals(ids, hf.encodeLtr("A | M A N |", ltr, 1));
        assertEquals(fs.decode(ids), hf.decode(ids));

        // a vocabulary without sentence markers names none, so transformers appends no rows
        Path dir = Files.createDirectories(tmp.resolve("bare"));
        Files.writeString(dir.resolve("vocab.json"), "{\"<pad>\": 0, \"|\": 1, \"A\": 2}");
        Path bareOut = Files.createDirectories(tmp.resolve("bareOut"));
        Vocabulary.fromHfVocab(dir.resolve("vocab.json")).writeHfVocab(bareOut);
        Json.Obj cfg = Json.readObject(bareOut.resolve("tokenizer_config.json"));
        assertTrue(cfg.map().containsKey("bos_token"));
        assertNull(cfg.get("bos_token"));
        assertNull(cfg.get("unk_token"));
    }
}
