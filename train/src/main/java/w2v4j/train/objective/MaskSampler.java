package w2v4j.train.objective;

import java.util.random.RandomGenerator;

/**
 * Span masking of wav2vec 2.0 (fairseq {@code compute_mask_indices}, static spans, overlap allowed,
 * {@code num_mask_ver=2}, {@code idc_select_ver=1}), plus applying the masks and their backward.
 *
 * <p>Per row of unpadded length {@code sz}: {@code num = max(minMasks, (int)(prob*sz/length + U[0,1)))}
 * span starts are drawn without replacement from {@code [0, sz-length)} (exclusive upper bound, as
 * fairseq's {@code rng.choice(sz - min_len, num)}); when that range holds no more than {@code num}
 * starts, fairseq widens it to {@code [0, num+1)} and so do we. Each span covers {@code length}
 * steps, spans may overlap, steps at or past {@code sz} are dropped. With {@code requireSameMasks}
 * every row keeps a random subset of its masked steps, of the batch's minimum size, so that the
 * masked steps form a dense {@code [B, N/B]} block (fairseq relies on this for {@code view}).
 */
public final class MaskSampler {

    private MaskSampler() {}

    /**
     * Time masking for pre-training (BASE: prob 0.65, length 10, minMasks 2, requireSameMasks true).
     *
     * @param validFrames unpadded length of each utterance, each ≤ frames
     * @param frames      padded length T of the batch
     */
    public static MaskedBatch sample(int[] validFrames, int frames, double maskProb, int maskLength, int minMasks,
                                     boolean requireSameMasks, RandomGenerator rng) {
        for (int v : validFrames) if (v < 0 || v > frames) throw new IllegalArgumentException("valid length " + v + " outside [0, " + frames + "]");
        boolean[] mask = spans(validFrames, frames, maskProb, maskLength, minMasks, requireSameMasks, rng);
        return MaskedBatch.fromMask(validFrames.length, frames, mask);
    }

    /**
     * Channel masking for fine-tuning (fairseq {@code mask_channel_prob/length}): the same
     * spans-over-an-axis sampler over the feature axis, with minMasks 0 and equal counts per row, as
     * fairseq calls it. Returns {@code [batch, channels]}; one row holds for all frames of that utterance.
     */
    public static boolean[] sampleChannels(int batch, int channels, double maskProb, int maskLength, RandomGenerator rng) {
        int[] sizes = new int[batch];
        java.util.Arrays.fill(sizes, channels);
        return spans(sizes, channels, maskProb, maskLength, 0, true, rng);
    }

    /** Core sampler: one row per entry of {@code sizes}; returns a dense {@code [rows, width]} mask. */
    static boolean[] spans(int[] sizes, int width, double prob, int length, int minMasks, boolean requireSame, RandomGenerator rng) {
        if (length < 1) throw new IllegalArgumentException("mask length must be ≥ 1");
        int rows = sizes.length;
        boolean[] mask = new boolean[rows * width];
        int[] counts = new int[rows];
        for (int r = 0; r < rows; r++) {
            int sz = sizes[r];
            // The uniform draw makes the expected span count exactly prob*sz/length (probabilistic rounding).
            int num = Math.max(minMasks, (int) (prob * sz / length + rng.nextDouble()));
            int range = sz - length;
            if (range <= num) range = num + 1;
            int[] starts = choose(range, num, rng);
            for (int s : starts) {
                for (int o = 0; o < length; o++) {
                    int t = s + o;
                    if (t < sz && !mask[r * width + t]) {
                        mask[r * width + t] = true;
                        counts[r]++;
                    }
                }
            }
        }
        if (requireSame && rows > 0) {
            int target = Integer.MAX_VALUE;
            for (int c : counts) target = Math.min(target, c);
            for (int r = 0; r < rows; r++) {
                if (counts[r] <= target) continue;
                int[] idx = new int[counts[r]];
                int i = 0;
                for (int t = 0; t < width; t++) if (mask[r * width + t]) idx[i++] = t;
                int[] keep = choose(idx.length, target, rng);
                for (int t : idx) mask[r * width + t] = false;
                for (int k : keep) mask[r * width + idx[k]] = true;
            }
        }
        return mask;
    }

    /** k distinct values drawn uniformly from [0, n) (partial Fisher-Yates). */
    static int[] choose(int n, int k, RandomGenerator rng) {
        if (k > n) throw new IllegalArgumentException("cannot choose " + k + " of " + n + " without replacement");
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
        return java.util.Arrays.copyOf(a, k);
    }

    /** Forward of time masking: every masked row of {@code x [batch*frames, dim]} becomes {@code maskEmb [dim]}. */
    public static void applyTimeMask(float[] x, int dim, MaskedBatch m, float[] maskEmb) {
        for (int row : m.maskedRows()) System.arraycopy(maskEmb, 0, x, row * dim, dim);
    }

    /**
     * Backward of {@link #applyTimeMask}: the masked rows' gradient goes to {@code mask_emb}
     * (accumulated) and no longer to the features they replaced (zeroed in {@code dx}).
     */
    public static void applyTimeMaskBackward(float[] dx, int dim, MaskedBatch m, float[] dMaskEmb) {
        for (int row : m.maskedRows()) {
            for (int d = 0; d < dim; d++) {
                dMaskEmb[d] += dx[row * dim + d];
                dx[row * dim + d] = 0f;
            }
        }
    }

    /**
     * Channel masking of {@code x [batch, frames, channels]}: masked channels become 0 for every frame
     * of the utterance. Zeroing is linear, so its backward is the same call on the gradient.
     */
    public static void applyChannelMask(float[] x, int batch, int frames, int channels, boolean[] channelMask) {
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                if (!channelMask[b * channels + c]) continue;
                for (int t = 0; t < frames; t++) x[(b * frames + t) * channels + c] = 0f;
            }
        }
    }
}
