package w2v4j.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import w2v4j.core.W2vException;

class BatchSamplerTest {

    private static int[] randomSizes(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = 1000 + 500 * r.nextInt(20); // many ties
        }
        return s;
    }

    @Test
    void batchesRespectMaxTokensAndCoverEveryItemOnce() {
        int[] sizes = randomSizes(500, 1);
        long maxTokens = 40_000;
        int[][] batches = BatchSampler.batchBySize(BatchSampler.orderBySize(sizes, 7), sizes, maxTokens);
        boolean[] seen = new boolean[sizes.length];
        int prevMax = Integer.MAX_VALUE;
        for (int[] b : batches) {
            int max = 0;
            for (int i : b) {
                assertFalse(seen[i]);
                seen[i] = true;
                max = Math.max(max, sizes[i]);
            }
            assertTrue((long) b.length * max <= maxTokens, "batch of " + b.length + " × " + max);
            // Greedy: one more item (the next batch's first, which is no larger) would not have fit.
            assertTrue(max <= prevMax);
            prevMax = max;
        }
        for (int k = 0; k + 1 < batches.length; k++) {
            int[] b = batches[k];
            int max = Arrays.stream(b).map(i -> sizes[i]).max().orElseThrow();
            assertTrue((long) (b.length + 1) * max > maxTokens, "batch " + k + " could have taken one more");
        }
        for (boolean s : seen) {
            assertTrue(s);
        }
    }

    @Test
    void orderIsLargestFirstWithSeededTieBreaking() {
        int[] sizes = randomSizes(200, 2);
        int[] a = BatchSampler.orderBySize(sizes, 11);
        for (int k = 1; k < a.length; k++) {
            assertTrue(sizes[a[k - 1]] >= sizes[a[k]]);
        }
        assertArrayEquals(a, BatchSampler.orderBySize(sizes, 11));
        assertFalse(Arrays.equals(a, BatchSampler.orderBySize(sizes, 12)), "ties should depend on the seed");
    }

    @Test
    void epochOrderIsAPermutationDeterministicInSeedAndEpoch() {
        int[] sizes = randomSizes(300, 3);
        BatchSampler s = new BatchSampler(BatchSampler.batchBySize(BatchSampler.orderBySize(sizes, 5), sizes, 20_000),
                5);
        int[] e1 = s.epochOrder(1), e2 = s.epochOrder(2);
        assertArrayEquals(e1, s.epochOrder(1));
        assertFalse(Arrays.equals(e1, e2));
        int[] sorted = e1.clone();
        Arrays.sort(sorted);
        assertArrayEquals(BatchSampler.identity(s.numBatches()), sorted);
        BatchSampler other = new BatchSampler(BatchSampler.batchBySize(BatchSampler.orderBySize(sizes, 5), sizes,
                20_000), 6);
        assertFalse(Arrays.equals(e1, other.epochOrder(1)));
    }

    @Test
    void cropModeSizesAreCappedAndOversizeItemNamesItsLine(@TempDir Path dir) {
        TestAudio.write(dir.resolve("train.tsv"), "/a\nx.wav\t5000\ny.wav\t900\nz.wav\t3000\n");
        AudioDataset crop = AudioDataset.open(dir, "train", AudioDataset.Mode.CROP, 0, 2000, null);
        assertArrayEquals(new int[] {2000, 900, 2000}, crop.batchSizes());
        BatchSampler s = BatchSampler.of(crop, 4000, 1);
        assertEquals(2, s.numBatches()); // {2000, 2000}, {900}
        AudioDataset pad = AudioDataset.open(dir, "train", AudioDataset.Mode.PAD, 0, 4500, null);
        W2vException e = assertThrows(W2vException.class, () -> BatchSampler.of(pad, 4000, 1));
        assertEquals(dir.resolve("train.tsv") + ":2: 4500 samples exceed max_tokens 4000 (raise max_tokens, lower"
                + " max_sample_size or raise min_sample_size)", e.getMessage());
    }
}
