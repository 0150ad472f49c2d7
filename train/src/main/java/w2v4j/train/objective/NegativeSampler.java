package w2v4j.train.objective;

import java.util.random.RandomGenerator;

/**
 * Distractor sampling for the contrastive task (fairseq {@code sample_negatives}).
 *
 * <p>For masked step i of utterance b (i is its position among b's n_b masked steps), K indices are
 * drawn uniformly from b's other masked steps: {@code j = U{0..n_b-2}; if (j >= i) j++}, which
 * skips the positive without rejection and stays uniform over the rest. Optional cross-sample
 * negatives are drawn the same way from all N masked steps of the batch, skipping the positive's
 * own flat index. (fairseq skips index {@code t} of the flattened batch instead, which is the
 * positive only for the first utterance; we skip the actual positive, as intended.)
 *
 * <p>Output: {@code int[N * (k + crossK)]}, row i = the K within-utterance negatives then the crossK
 * cross-sample ones, each an index into the masked-step list of {@link MaskedBatch} (0..N-1).
 */
public final class NegativeSampler {

    private NegativeSampler() {}

    public static int[] sample(MaskedBatch m, int k, int crossK, RandomGenerator rng) {
        if (k < 0 || crossK < 0) throw new IllegalArgumentException("negative counts must be ≥ 0");
        int n = m.numMasked();
        int per = k + crossK;
        int[] out = new int[n * per];
        int[] off = m.offsets();
        if (crossK > 0 && n < 2) throw new IllegalArgumentException("cross-sample negatives need ≥ 2 masked steps in the batch");
        for (int i = 0; i < n; i++) {
            int b = m.utteranceOfRow()[i];
            int start = off[b];
            int nb = off[b + 1] - start;
            if (k > 0) {
                if (nb < 2) throw new IllegalArgumentException("utterance " + b + " has " + nb + " masked step(s); negatives need ≥ 2");
                int pos = i - start;
                for (int j = 0; j < k; j++) {
                    int r = rng.nextInt(nb - 1);
                    if (r >= pos) r++;
                    out[i * per + j] = start + r;
                }
            }
            for (int j = 0; j < crossK; j++) {
                int r = rng.nextInt(n - 1);
                if (r >= i) r++;
                out[i * per + k + j] = r;
            }
        }
        return out;
    }
}
