package w2v4j.core.audio;

/** Small whole-waveform transforms. */
public final class Waveforms {
    private Waveforms() {}

    /** The variance floor Hugging Face's Wav2Vec2FeatureExtractor adds, so silence does not divide by zero. */
    public static final double NORMALIZE_EPS = 1e-7;

    /**
     * Zero mean, unit variance: (x - mean) / sqrt(var + 1e-7) with the population variance, as
     * Wav2Vec2FeatureExtractor does when do_normalize is true. Sums are in double so long clips stay exact.
     * Returns a new array; an empty input gives an empty output.
     */
    public static float[] normalize(float[] x) {
        int n = x.length;
        float[] out = new float[n];
        if (n == 0) {
            return out;
        }
        double sum = 0;
        for (float v : x) {
            sum += v;
        }
        double mean = sum / n;
        double sq = 0;
        for (float v : x) {
            double d = v - mean;
            sq += d * d;
        }
        double invStd = 1.0 / Math.sqrt(sq / n + NORMALIZE_EPS);
        for (int i = 0; i < n; i++) {
            out[i] = (float) ((x[i] - mean) * invStd);
        }
        return out;
    }
}
