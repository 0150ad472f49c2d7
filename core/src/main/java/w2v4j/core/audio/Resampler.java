package w2v4j.core.audio;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Band-limited sample-rate conversion by a rational factor L/M (out/in, reduced by their gcd; 22050 -> 16000 is
 * 320/441): a Kaiser-windowed sinc low-pass evaluated in polyphase form. Output sample n sits at input time
 * t = n*M/L; it is the sum of the input samples within {@link #ZERO_CROSSINGS} lobes of t, weighted by the filter
 * shifted to t's fractional position (the "phase", one of L). The cutoff is {@link #ROLLOFF} times the lower
 * Nyquist frequency, min(in, out)/2, so nothing above the new Nyquist survives (Kaiser beta 8.6: about 85 dB
 * stopband) and the passband is flat to ~1e-4. Each phase's taps are normalised to sum to 1, so DC gain is exactly 1.
 *
 * <p>Output length is ceil(n * L / M): every output instant that falls inside [0, n) input samples. Samples
 * outside the input are taken as zero, so the first and last ~{@code ZERO_CROSSINGS / (2*cutoff)} input samples
 * see a half filter. Instances are immutable and thread-safe; {@link #of} caches them per rate pair.
 */
public final class Resampler {
    /** Zero crossings of the sinc on each side of the centre: filter length and steepness of the transition band. */
    public static final int ZERO_CROSSINGS = 32;
    /** Cutoff as a fraction of the lower Nyquist frequency; the transition band lies just below and above it. */
    public static final double ROLLOFF = 0.945;
    /** Kaiser window shape: about 85 dB of stopband attenuation. */
    public static final double KAISER_BETA = 8.6;
    /** Phase tables larger than this many coefficients are computed per output sample instead of stored. */
    private static final long MAX_TABLE = 1 << 22;

    private static final Map<Long, Resampler> CACHE = new ConcurrentHashMap<>();

    public final int inRate;
    public final int outRate;
    /** Interpolation factor L and decimation factor M: out/in = L/M in lowest terms. */
    public final int up;
    public final int down;
    private final double cutoff; // cycles per input sample
    private final double halfWidth; // in input samples
    private final int taps; // per phase
    private final float[] table; // [phase][tap], or null when too large to store

    public Resampler(int inRate, int outRate) {
        this(inRate, outRate, MAX_TABLE);
    }

    /** {@code maxTable} lets tests force the table-free path, which must agree with the tabulated one. */
    Resampler(int inRate, int outRate, long maxTable) {
        if (inRate <= 0 || outRate <= 0) {
            throw new IllegalArgumentException("sample rates must be positive: " + inRate + " -> " + outRate);
        }
        this.inRate = inRate;
        this.outRate = outRate;
        int g = gcd(inRate, outRate);
        this.up = outRate / g;
        this.down = inRate / g;
        this.cutoff = 0.5 * ROLLOFF * Math.min(1.0, (double) up / down);
        this.halfWidth = ZERO_CROSSINGS / (2.0 * cutoff);
        this.taps = 2 * (int) Math.ceil(halfWidth);
        if ((long) up * taps <= maxTable) {
            table = new float[up * taps];
            double[] row = new double[taps];
            for (int phase = 0; phase < up; phase++) {
                fillRow((double) phase / up, row);
                for (int j = 0; j < taps; j++) {
                    table[phase * taps + j] = (float) row[j];
                }
            }
        } else {
            table = null;
        }
    }

    /** A shared resampler for this rate pair. */
    public static Resampler of(int inRate, int outRate) {
        return CACHE.computeIfAbsent(((long) inRate << 32) | outRate, k -> new Resampler(inRate, outRate));
    }

    /** Resamples {@code x}; equal rates return a copy. */
    public static float[] resample(float[] x, int inRate, int outRate) {
        if (inRate == outRate) {
            return x.clone();
        }
        return of(inRate, outRate).process(x);
    }

    /** ceil(n * L / M). */
    public int outputLength(int n) {
        return (int) (((long) n * up + down - 1) / down);
    }

    public float[] process(float[] x) {
        int n = x.length;
        float[] y = new float[outputLength(n)];
        int half = taps / 2;
        double[] scratch = table == null ? new double[taps] : null;
        for (int i = 0; i < y.length; i++) {
            long t = (long) i * down; // output instant in units of 1/L input samples
            int base = (int) (t / up);
            int phase = (int) (t % up);
            int first = base - half + 1; // input index of tap 0
            double acc = 0;
            if (table != null) {
                int row = phase * taps;
                int j0 = Math.max(0, -first);
                int j1 = Math.min(taps, n - first);
                for (int j = j0; j < j1; j++) {
                    acc += table[row + j] * x[first + j];
                }
            } else {
                fillRow((double) phase / up, scratch);
                int j0 = Math.max(0, -first);
                int j1 = Math.min(taps, n - first);
                for (int j = j0; j < j1; j++) {
                    acc += scratch[j] * x[first + j];
                }
            }
            y[i] = (float) acc;
        }
        return y;
    }

    /**
     * Taps for an output instant {@code frac} (0 <= frac < 1) input samples after input sample {@code base}:
     * tap j multiplies input base - half + 1 + j, which lies d = frac + half - 1 - j samples before the instant.
     */
    private void fillRow(double frac, double[] row) {
        int half = taps / 2;
        double sum = 0;
        for (int j = 0; j < taps; j++) {
            double d = frac + half - 1 - j;
            double h = 0;
            if (Math.abs(d) < halfWidth) {
                double r = d / halfWidth;
                h = 2 * cutoff * sinc(2 * cutoff * d) * besselI0(KAISER_BETA * Math.sqrt(1 - r * r));
            }
            row[j] = h;
            sum += h;
        }
        for (int j = 0; j < taps; j++) {
            row[j] /= sum; // unity DC gain for every phase (the I0(beta) normaliser cancels here too)
        }
    }

    private static double sinc(double x) {
        if (x == 0) {
            return 1;
        }
        double px = Math.PI * x;
        return Math.sin(px) / px;
    }

    /** Modified Bessel function of the first kind, order 0, by its power series (converges fast for x < 50). */
    static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double q = x * x / 4;
        for (int k = 1; k < 200; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
