package w2v4j.kernels;

/**
 * Inverted dropout in place: {@code x[off+i] = keep(i) ? x[off+i] / (1-p) : 0}. The mask is not
 * stored: {@code keep(i)} is a pure function of {@code (seed, i)} (a SplitMix64 finalizer of a
 * Weyl sequence keyed by the mixed seed, i.e. a counter-based generator), so the backward is the
 * same call on the gradient with the same seed, and the mask does not depend on how the range is
 * split across threads. Index i is relative to {@code off}.
 *
 * <p>{@code keep(i)} compares the top 24 bits of the hash with {@code round(p * 2^24)}, so the
 * drop rate is p to within 2^-24. The hash is ~10 integer ops per element, scalar: a few ms for a
 * BASE layer's activations, small next to its GEMMs.
 */
public final class Dropout {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final int GRAIN = 1 << 14;

    private Dropout() {
    }

    public static void dropout(float[] x, int off, int n, float p, long seed) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("dropout probability " + p + " is not in [0, 1]");
        }
        if (p == 0f || n <= 0) {
            return;
        }
        long threshold = Math.round(p * (double) (1 << 24));
        float scale = p == 1f ? 0f : 1f / (1f - p);
        long key = mix(seed);
        Parallel.forRange(n, GRAIN, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                boolean keep = (mix(key + i * GOLDEN) >>> 40) >= threshold;
                x[off + i] = keep ? x[off + i] * scale : 0f;
            }
        });
    }

    /** Whether element i survives dropout with probability p and this seed (for tests and callers). */
    public static boolean keep(long seed, long i, float p) {
        return (mix(mix(seed) + i * GOLDEN) >>> 40) >= Math.round(p * (double) (1 << 24));
    }

    /** SplitMix64's output function (Steele, Lea, Flood 2014): a bijective 64-bit mixer. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
