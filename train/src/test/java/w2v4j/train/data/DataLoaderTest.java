package w2v4j.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataLoaderTest {
    @TempDir
    Path dir;

    private AudioDataset dataset(int... lengths) {
        TestAudio.manifest(dir, "train", lengths);
        return AudioDataset.open(dir, "train", AudioDataset.Mode.CROP, 0, 3000, null);
    }

    private static List<DataLoader.Loaded> take(DataLoader l, int n) {
        List<DataLoader.Loaded> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(l.next());
        }
        return out;
    }

    private static void assertSameBatches(List<DataLoader.Loaded> a, List<DataLoader.Loaded> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).at(), b.get(i).at());
            assertArrayEquals(a.get(i).batch().ids(), b.get(i).batch().ids());
            assertArrayEquals(a.get(i).batch().waves(), b.get(i).batch().waves());
        }
    }

    @Test
    void resumingFromAPositionReproducesTheFollowingBatches() {
        AudioDataset ds = dataset(1500, 2600, 1800, 4000, 2200, 3100, 1700, 2900, 2500, 3600);
        BatchSampler s = BatchSampler.of(ds, 6000, 42);
        int perEpoch = s.numBatches();
        assertTrue(perEpoch >= 4, "need several batches per epoch, got " + perEpoch);
        List<DataLoader.Loaded> all;
        DataLoader.Position mid;
        try (DataLoader l = DataLoader.training(ds, s, 42, DataLoader.Position.START, 1, 3)) {
            List<DataLoader.Loaded> first = take(l, perEpoch + 2);
            mid = l.position();
            all = new ArrayList<>(first);
            all.addAll(take(l, perEpoch));
        }
        assertEquals(new DataLoader.Position(2, 2), mid);
        assertEquals(new DataLoader.Position(1, 0), all.get(0).at());
        assertEquals(new DataLoader.Position(2, 0), all.get(perEpoch).at());
        try (DataLoader resumed = DataLoader.training(ds, s, 42, mid, 3, 2)) {
            assertSameBatches(all.subList(perEpoch + 2, all.size()), take(resumed, perEpoch));
        }
        // Every batch is cropped to its shortest row, capped at max_sample_size.
        for (DataLoader.Loaded l : all) {
            int shortest = Integer.MAX_VALUE;
            for (int id : l.batch().ids()) {
                shortest = Math.min(shortest, ds.manifest().entries().get(id).samples());
            }
            assertEquals(Math.min(shortest, 3000), l.batch().width());
        }
    }

    @Test
    void missingAndCorruptFilesAreReportedOnceAndSkipped() throws Exception {
        TestAudio.manifest(dir, "train", 2000, 2100, 2200, 2300);
        Path wav = dir.resolve("wav");
        Files.delete(wav.resolve("train-u1.wav"));
        Files.write(wav.resolve("train-u2.wav"), "RIFF....WAVEjunk".getBytes(StandardCharsets.US_ASCII));
        AudioDataset ds = AudioDataset.open(dir, "train", AudioDataset.Mode.CROP, 0, 3000, null);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ds.setWarnings(new PrintStream(err, true, StandardCharsets.UTF_8));
        BatchSampler s = BatchSampler.of(ds, 2300, 1); // one item per batch
        assertEquals(4, s.numBatches());
        List<Integer> ids = new ArrayList<>();
        try (DataLoader l = DataLoader.training(ds, s, 1, DataLoader.Position.START, 2, 2)) {
            for (int i = 0; i < 6; i++) { // three epochs of the two good files
                DataLoader.Loaded b = l.next();
                assertNotNull(b);
                ids.add(b.batch().ids()[0]);
            }
        }
        assertTrue(ids.stream().allMatch(i -> i == 0 || i == 3), ids.toString());
        String[] lines = err.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length, err.toString(StandardCharsets.UTF_8));
        Path tsv = dir.resolve("train.tsv");
        List<String> sorted = new ArrayList<>(List.of(lines));
        sorted.sort(null);
        assertEquals("w2v: skipped " + tsv + ":3 " + wav.resolve("train-u1.wav") + ": no such file", sorted.get(0));
        assertTrue(sorted.get(1).startsWith("w2v: skipped " + tsv + ":4 " + wav.resolve("train-u2.wav") + ": "),
                sorted.get(1));
        assertEquals(2, ds.unreadableCount());
        assertTrue(ds.skippedReads() >= 4);
    }

    @Test
    void validationIsOnePassInSizeOrderWithFixedCrops() {
        AudioDataset ds = dataset(1500, 2600, 1800, 4000, 2200);
        BatchSampler s = BatchSampler.of(ds, 5000, 3);
        List<DataLoader.Loaded> a = new ArrayList<>(), b = new ArrayList<>();
        try (DataLoader l = DataLoader.validation(ds, s, 3, 1)) {
            for (DataLoader.Loaded x; (x = l.next()) != null;) {
                a.add(x);
            }
            assertNull(l.next());
        }
        try (DataLoader l = DataLoader.validation(ds, s, 3, 2)) {
            for (DataLoader.Loaded x; (x = l.next()) != null;) {
                b.add(x);
            }
        }
        assertEquals(s.numBatches(), a.size());
        assertSameBatches(a, b);
        int items = a.stream().mapToInt(x -> x.batch().size()).sum();
        assertEquals(5, items);
    }
}
