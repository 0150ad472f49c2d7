package w2v4j.train.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import w2v4j.core.W2vException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelWriterTest {

    @TempDir
    Path tmp;

    @Test
    void lettersFollowFairseqLtrFormat() {
        assertEquals("A | M A N |", LabelWriter.letters("A MAN"));
        assertEquals("D O N ' T |", LabelWriter.letters("DON'T"));
        assertEquals("", LabelWriter.letters(""));
    }

    @Test
    void dictionaryIsSortedByCountThenSymbol() throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        LabelWriter.countSymbols(LabelWriter.letters("A BB CC"), counts);
        LabelWriter.writeDictionary(tmp, counts);
        assertEquals(List.of("| 3", "B 2", "C 2", "A 1"), Files.readAllLines(tmp.resolve("dict.ltr.txt")));
    }

    /** A manifest of four files in a non-alphabetical order, with the root on the first line. */
    private Path manifest(String split, String... relPaths) throws IOException {
        StringBuilder tsv = new StringBuilder(tmp.resolve("audio") + "\n");
        for (String p : relPaths) tsv.append(p).append("\t16000\n");
        Path dir = Files.createDirectories(tmp.resolve("manifest"));
        Files.writeString(dir.resolve(split + ".tsv"), tsv);
        return dir;
    }

    @Test
    void labelsFollowTheManifestOrderFromATabFile() throws IOException {
        Path dir = manifest("train", "b/2.wav", "a/1.flac", "c/3.wav");
        Path transcripts = tmp.resolve("text.tsv");
        Files.writeString(transcripts, "a/1.wav\tThe first, one.\n" + tmp.resolve("audio/c/3.wav") + "\tthird\nb/2.wav\tSecond-hand\n");

        Manifest m = Manifest.read(dir.resolve("train.tsv"));
        LabelWriter.Result r = LabelWriter.labelManifest(dir, "train", Transcripts.load(transcripts, m.root()), false);

        assertEquals(3, r.labelled());
        assertEquals(List.of("SECOND HAND", "THE FIRST ONE", "THIRD"), Files.readAllLines(dir.resolve("train.wrd")));
        assertEquals(List.of("S E C O N D | H A N D |", "T H E | F I R S T | O N E |", "T H I R D |"),
                Files.readAllLines(dir.resolve("train.ltr")));
        assertEquals(Files.readAllLines(dir.resolve("train.tsv")).size() - 1, Files.readAllLines(dir.resolve("train.ltr")).size());
    }

    @Test
    void readsLibriSpeechTransFiles() throws IOException {
        Path chapter = Files.createDirectories(tmp.resolve("audio/19/198"));
        Files.writeString(chapter.resolve("19-198.trans.txt"), "19-198-0001 NORTHANGER ABBEY\n19-198-0000 HE WAS NOT\n");
        Path dir = manifest("dev", "19/198/19-198-0000.flac", "19/198/19-198-0001.flac");

        LabelWriter.labelManifest(dir, "dev", Transcripts.load(tmp.resolve("audio"), tmp.resolve("audio")), false);
        assertEquals(List.of("HE WAS NOT", "NORTHANGER ABBEY"), Files.readAllLines(dir.resolve("dev.wrd")));
    }

    @Test
    void transcriptFolderReachedThroughALinkMatchesTheRealManifestRoot() throws IOException {
        Path chapter = Files.createDirectories(tmp.resolve("audio/19/198"));
        Files.writeString(chapter.resolve("19-198.trans.txt"), "19-198-0000 HE WAS NOT\n");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("audio"));
        Path dir = manifest("dev", "19/198/19-198-0000.flac");

        LabelWriter.labelManifest(dir, "dev", Transcripts.load(link, tmp.resolve("audio")), false);
        assertEquals(List.of("HE WAS NOT"), Files.readAllLines(dir.resolve("dev.wrd")));
    }

    @Test
    void missingTranscriptNamesTheAudioOrIsSkipped() throws IOException {
        Path dir = manifest("train", "x.wav", "y.wav", "z.wav");
        Path transcripts = tmp.resolve("text.tsv");
        Files.writeString(transcripts, "x.wav\tex\nz.wav\tzed\n");
        Transcripts t = Transcripts.load(transcripts, tmp.resolve("audio"));

        W2vException e = assertThrows(W2vException.class, () -> LabelWriter.labelManifest(dir, "train", t, false));
        assertTrue(e.getMessage().startsWith(tmp.resolve("audio/y.wav") + ": no transcript"), e.getMessage());

        LabelWriter.Result r = LabelWriter.labelManifest(dir, "train", t, true);
        assertEquals(List.of(tmp.resolve("audio/y.wav")), r.leftOut());
        List<String> tsv = Files.readAllLines(dir.resolve("train.tsv"));
        assertEquals(List.of("x.wav\t16000", "z.wav\t16000"), tsv.subList(1, tsv.size()));
        assertEquals(List.of("EX", "ZED"), Files.readAllLines(dir.resolve("train.wrd")));
    }

    @Test
    void digitsAreRejectedWithTheLine() throws IOException {
        Path dir = manifest("train", "x.wav");
        Path transcripts = tmp.resolve("text.tsv");
        Files.writeString(transcripts, "x.wav\tcall 911\n");
        W2vException e = assertThrows(W2vException.class,
                () -> LabelWriter.labelManifest(dir, "train", Transcripts.load(transcripts, tmp.resolve("audio")), false));
        assertTrue(e.getMessage().startsWith(transcripts + ":1: transcript has digits"), e.getMessage());
    }

    @Test
    void duplicateTranscriptIsAnError() throws IOException {
        Path transcripts = tmp.resolve("text.tsv");
        Files.writeString(transcripts, "x.wav\tone\nx.flac\ttwo\n");
        W2vException e = assertThrows(W2vException.class, () -> Transcripts.load(transcripts, tmp));
        assertTrue(e.getMessage().startsWith(transcripts + ":2: second transcript"), e.getMessage());
    }

    @Test
    void dictionaryCoversLettersOfEverySplit() throws IOException {
        Path dir = manifest("train", "a.wav");
        Files.writeString(dir.resolve("dev.tsv"), tmp.resolve("audio") + "\nq.wav\t1\n");
        Path transcripts = tmp.resolve("text.tsv");
        Files.writeString(transcripts, "a.wav\tabba\nq.wav\tquiz\n");
        Transcripts t = Transcripts.load(transcripts, tmp.resolve("audio"));
        LabelWriter.labelManifest(dir, "train", t, false);
        LabelWriter.Result r = LabelWriter.labelManifest(dir, "dev", t, false);

        assertEquals(Map.of("A", 2L, "B", 2L, "|", 2L, "Q", 1L, "U", 1L, "I", 1L, "Z", 1L), r.dictionary());
        List<String> dict = Files.readAllLines(dir.resolve("dict.ltr.txt"));
        assertEquals("A 2", dict.getFirst());
        assertFalse(dict.stream().anyMatch(l -> l.startsWith(" ")));
    }
}
