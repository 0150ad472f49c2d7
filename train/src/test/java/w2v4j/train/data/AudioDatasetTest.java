package w2v4j.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import w2v4j.core.W2vException;

class AudioDatasetTest {
    @TempDir
    Path dir;

    @Test
    void minSampleSizeLeavesShortItemsOutAndCountsThem() {
        TestAudio.manifest(dir, "train", 800, 3000, 1999, 2000, 5000);
        AudioDataset ds = AudioDataset.open(dir, "train", AudioDataset.Mode.CROP, 2000, 4000, null);
        assertEquals(3, ds.size());
        assertEquals(2, ds.skippedShort());
        assertEquals(1, ds.item(0).index());
        assertEquals(3, ds.item(1).index());
        assertArrayEquals(new int[] {3000, 2000, 4000}, ds.batchSizes());
    }

    @Test
    void cropModeCutsEveryRowToTheShortestCappedAtMax() {
        TestAudio.manifest(dir, "train", 3000, 2500, 5000);
        AudioDataset ds = AudioDataset.open(dir, "train", AudioDataset.Mode.CROP, 0, 2800, null);
        int[] idx = {0, 1, 2};
        float[][] audio = {ds.read(0), ds.read(1), ds.read(2)};
        Batch b = ds.collate(idx, audio, new SplittableRandom(3));
        assertEquals(3, b.size());
        assertEquals(2500, b.width());
        assertArrayEquals(new int[] {2500, 2500, 2500}, b.lengths());
        assertArrayEquals(new int[] {0, 1, 2}, b.ids());
        assertNull(b.labels());
        for (int r = 0; r < 3; r++) {
            assertIsWindow(TestAudio.signal(r, new int[] {3000, 2500, 5000}[r]), b.waves()[r]);
        }
        assertArrayEquals(TestAudio.signal(1, 2500), b.waves()[1]); // the shortest is not cropped
        // Cap below the shortest: everything is cut to max_sample_size; same rng, same windows.
        TestAudio.manifest(dir, "short", 3000, 2500);
        AudioDataset capped = AudioDataset.open(dir, "short", AudioDataset.Mode.CROP, 0, 1000, null);
        Batch c1 = capped.collate(new int[] {0, 1}, new float[][] {capped.read(0), capped.read(1)},
                new SplittableRandom(9));
        Batch c2 = capped.collate(new int[] {0, 1}, new float[][] {capped.read(0), capped.read(1)},
                new SplittableRandom(9));
        assertEquals(1000, c1.width());
        assertArrayEquals(c1.waves()[0], c2.waves()[0]);
        assertArrayEquals(c1.waves()[1], c2.waves()[1]);
    }

    @Test
    void padModeZeroPadsToTheLongestAndKeepsLengthsAndLabels() {
        TestAudio.manifest(dir, "dev", 1200, 3000, 2000);
        TestAudio.write(dir.resolve("dev.ltr"), "A |\nB |\nC |\n");
        AudioDataset ds = AudioDataset.open(dir, "dev", AudioDataset.Mode.PAD, 0, 2500, "ltr");
        Batch b = ds.collate(new int[] {0, 2, 1}, new float[][] {ds.read(0), ds.read(2), ds.read(1)},
                new SplittableRandom(1));
        assertEquals(2500, b.width());
        assertArrayEquals(new int[] {1200, 2000, 2500}, b.lengths());
        assertArrayEquals(new String[] {"A |", "C |", "B |"}, b.labels());
        assertArrayEquals(new int[] {0, 2, 1}, b.ids());
        float[] row0 = b.waves()[0];
        assertArrayEquals(TestAudio.signal(0, 1200), java.util.Arrays.copyOf(row0, 1200));
        for (int j = 1200; j < 2500; j++) {
            assertEquals(0f, row0[j]);
        }
        assertIsWindow(TestAudio.signal(1, 3000), b.waves()[2]);
    }

    @Test
    void labelCountMustMatchManifest() {
        TestAudio.manifest(dir, "dev", 100, 200);
        TestAudio.write(dir.resolve("dev.ltr"), "A |\n");
        W2vException e = assertThrows(W2vException.class,
                () -> AudioDataset.open(dir, "dev", AudioDataset.Mode.PAD, 0, 1000, "ltr"));
        assertEquals(dir.resolve("dev.tsv") + ": has 2 entries but the label file has 1 lines", e.getMessage());
    }

    @Test
    void collateDropsUnreadableRowsAndReturnsNullWhenNoneLeft() {
        TestAudio.manifest(dir, "train", 100, 200);
        AudioDataset ds = new AudioDataset(ManifestReader.read(dir, "train"), List.of("x", "y"),
                AudioDataset.Mode.CROP, 0, 1000);
        Batch b = ds.collate(new int[] {0, 1}, new float[][] {null, ds.read(1)}, new SplittableRandom(1));
        assertArrayEquals(new int[] {1}, b.ids());
        assertArrayEquals(new String[] {"y"}, b.labels());
        assertNull(ds.collate(new int[] {0}, new float[][] {null}, new SplittableRandom(1)));
    }

    /** {@code row} is a contiguous window of {@code full}. */
    static void assertIsWindow(float[] full, float[] row) {
        for (int s = 0; s + row.length <= full.length; s++) {
            if (java.util.Arrays.equals(full, s, s + row.length, row, 0, row.length)) {
                return;
            }
        }
        throw new AssertionError("row of " + row.length + " is not a window of the " + full.length + "-sample source");
    }
}
