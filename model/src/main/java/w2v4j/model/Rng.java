package w2v4j.model;

/** Stateless seed mixing (SplitMix64's finaliser): derives independent seeds for dropout sites and layers. */
public final class Rng {
    private Rng() {
    }

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform double in [0, 1) from a seed and a counter. */
    public static double uniform(long seed, long counter) {
        return (mix(seed + 0x9E3779B97F4A7C15L * (counter + 1)) >>> 11) * 0x1.0p-53;
    }
}
