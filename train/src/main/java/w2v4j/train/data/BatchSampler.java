package w2v4j.train.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import w2v4j.core.W2vException;

/**
 * fairseq's {@code batch_by_size} over one dataset: items sorted by size, largest first, equal sizes in a seeded random
 * order ({@code ordered_indices}: lexsort by (size, permutation), reversed); consecutive items grouped while
 * {@code items in batch × largest size in batch ≤ maxTokens}. The batches are fixed for the run (they depend on the
 * seed only); each epoch visits them in its own order, a permutation drawn from (seed, epoch) — fairseq's
 * {@code EpochBatchIterator} shuffles batches with seed + epoch the same way. Sizes are what items occupy in a batch
 * ({@link AudioDataset#batchSizes()}).
 */
public final class BatchSampler {
    private final int[][] batches;
    private final long seed;

    public BatchSampler(int[][] batches, long seed) {
        this.batches = batches;
        this.seed = seed;
    }

    /** Batches for {@code dataset}; an item alone over {@code maxTokens} is an error naming its manifest line. */
    public static BatchSampler of(AudioDataset dataset, long maxTokens, long seed) {
        int[] sizes = dataset.batchSizes();
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] > maxTokens) {
                ManifestReader.Entry e = dataset.item(i);
                throw new W2vException(dataset.manifest().where(e) + ": " + sizes[i] + " samples exceed max_tokens "
                        + maxTokens + " (raise max_tokens, lower max_sample_size or raise min_sample_size)");
            }
        }
        return new BatchSampler(batchBySize(orderBySize(sizes, seed), sizes, maxTokens), seed);
    }

    /** Indices sorted by size, largest first; ties in an order drawn from the seed. */
    public static int[] orderBySize(int[] sizes, long seed) {
        int n = sizes.length;
        int[] perm = identity(n);
        shuffle(perm, Seeds.rng(seed, Seeds.SIZE_TIES));
        int[] rank = new int[n]; // rank[i]: position of item i in the random permutation
        for (int k = 0; k < n; k++) {
            rank[perm[k]] = k;
        }
        // Sort keys (size desc, rank desc) packed into longs: one primitive sort, no boxing.
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = ((long) sizes[i] << 32) | rank[i];
        }
        Arrays.sort(keys);
        int[] order = new int[n];
        for (int k = 0; k < n; k++) {
            order[k] = perm[(int) keys[n - 1 - k]];
        }
        return order;
    }

    /** Greedy grouping of {@code order}: a batch closes when one more item would exceed maxTokens. */
    public static int[][] batchBySize(int[] order, int[] sizes, long maxTokens) {
        List<int[]> out = new ArrayList<>();
        int start = 0;
        long longest = 0;
        for (int k = 0; k < order.length; k++) {
            long size = sizes[order[k]];
            long width = Math.max(longest, size);
            if (k > start && (long) (k - start + 1) * width > maxTokens) {
                out.add(Arrays.copyOfRange(order, start, k));
                start = k;
                width = size;
            }
            longest = width;
        }
        if (start < order.length) {
            out.add(Arrays.copyOfRange(order, start, order.length));
        }
        return out.toArray(new int[0][]);
    }

    public int numBatches() {
        return batches.length;
    }

    /** Batch b of the fixed grouping (not a copy: do not modify). */
    public int[] batch(int b) {
        return batches[b];
    }

    /** The order in which epoch {@code epoch} visits the batches. */
    public int[] epochOrder(long epoch) {
        int[] order = identity(batches.length);
        shuffle(order, Seeds.rng(seed, Seeds.BATCH_ORDER, epoch));
        return order;
    }

    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** Fisher–Yates. */
    static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
