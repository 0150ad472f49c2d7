package w2v4j.train.data;

import java.util.SplittableRandom;

/**
 * Every random choice in training comes from a generator seeded by a hash of (run seed, purpose, coordinates), never
 * from a generator carried along: a batch's crops depend only on (seed, epoch, batch index), a micro-batch's dropout
 * and masking only on (seed, update, micro-batch index). That is what makes resume exact: restoring the position
 * restores the randomness, with no generator state to save.
 *
 * <p>The hash folds each part into the state with the SplitMix64 finaliser (a bijection with full avalanche), so
 * neighbouring coordinates give unrelated seeds; {@link SplittableRandom} then expands the seed into a stream.
 */
public final class Seeds {
    private Seeds() {}

    /** Purposes: distinct constants keep the streams for different uses apart even at equal coordinates. */
    public static final long CROP = 0x43524f50L;
    public static final long BATCH_ORDER = 0x4f524452L;
    public static final long SIZE_TIES = 0x54494553L;
    public static final long TRAIN_STEP = 0x53544550L;
    public static final long VALID = 0x56414c49L;
    public static final long VALID_STEP = 0x56535450L;

    public static long mix(long seed, long... parts) {
        long h = fmix(seed ^ 0x9E3779B97F4A7C15L);
        for (long p : parts) {
            h = fmix(h + 0x9E3779B97F4A7C15L + fmix(p));
        }
        return h;
    }

    public static SplittableRandom rng(long seed, long... parts) {
        return new SplittableRandom(mix(seed, parts));
    }

    /** SplitMix64's output function (Stafford's variant 13). */
    static long fmix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
