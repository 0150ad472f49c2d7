package w2v4j.kernels;

import java.util.Arrays;

/**
 * GroupNorm of a time-major sequence {@code x[t, channels]} in place, see {@link Backend#groupNorm}.
 * Statistics per group over its channels and the first {@code tValid} frames only; frames from
 * {@code tValid} on are zeroed. Two passes (mean, then mean squared deviation), accumulated per
 * channel in double while walking the frames row by row (time-major: each frame's channels are
 * contiguous, so the passes stream through memory instead of striding by {@code channels}).
 * Threads split the groups, so each owns a contiguous block of channels and no reduction across
 * threads is needed. For wav2vec2 (groups == channels == 512) that is a 256-channel block each.
 */
public final class GroupNorm {

    private GroupNorm() {
    }

    public static void groupNorm(float[] x, float[] gamma, float[] beta, int t, int tValid, int channels,
                                 int groups, float eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels not divisible by " + groups + " groups");
        }
        int valid = Math.max(0, Math.min(tValid, t));
        int cpg = channels / groups;
        double[] acc = new double[channels];
        float[] scale = new float[channels];
        float[] meanC = new float[channels];
        Parallel.forRange(groups, (g0, g1) -> groups(x, gamma, beta, t, valid, channels, cpg, g0, g1, eps,
                acc, scale, meanC));
    }

    /** Groups {@code [g0, g1)}: their channels {@code [g0*cpg, g1*cpg)} over all frames. */
    static void groups(float[] x, float[] gamma, float[] beta, int t, int valid, int channels, int cpg,
                       int g0, int g1, float eps, double[] acc, float[] scale, float[] meanC) {
        int c0 = g0 * cpg, c1 = g1 * cpg;
        if (valid > 0) {
            Arrays.fill(acc, c0, c1, 0.0);
            for (int f = 0; f < valid; f++) {
                int row = f * channels;
                for (int c = c0; c < c1; c++) {
                    acc[c] += x[row + c];
                }
            }
            double n = (double) valid * cpg;
            for (int g = g0; g < g1; g++) {
                double s = 0;
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    s += acc[c];
                }
                float mean = (float) (s / n);
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    meanC[c] = mean; // the group mean, per channel
                }
            }
            Arrays.fill(acc, c0, c1, 0.0);
            for (int f = 0; f < valid; f++) {
                int row = f * channels;
                for (int c = c0; c < c1; c++) {
                    double d = x[row + c] - meanC[c];
                    acc[c] += d * d;
                }
            }
            for (int g = g0; g < g1; g++) {
                double sq = 0;
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    sq += acc[c];
                }
                double inv = 1.0 / Math.sqrt(sq / n + eps);
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    scale[c] = (float) (inv * gamma[c]);
                }
            }
            for (int f = 0; f < valid; f++) {
                int row = f * channels;
                for (int c = c0; c < c1; c++) {
                    // (x - mean) * scale, not x * scale + shift: with a tiny variance the scale is
                    // huge and the folded form would cancel catastrophically.
                    x[row + c] = (x[row + c] - meanC[c]) * scale[c] + beta[c];
                }
            }
        }
        for (int f = valid; f < t; f++) {
            Arrays.fill(x, f * channels + c0, f * channels + c1, 0f);
        }
    }

    /** Scalar reference (group by group, double), for tests. */
    public static void reference(float[] x, float[] gamma, float[] beta, int t, int tValid, int channels,
                                 int groups, float eps) {
        int cpg = channels / groups, valid = Math.max(0, Math.min(tValid, t));
        for (int g = 0; g < groups; g++) {
            double s = 0;
            for (int f = 0; f < valid; f++) {
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    s += x[f * channels + c];
                }
            }
            double n = (double) valid * cpg, mean = s / n, sq = 0;
            for (int f = 0; f < valid; f++) {
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    double d = x[f * channels + c] - mean;
                    sq += d * d;
                }
            }
            double inv = 1.0 / Math.sqrt(sq / n + eps);
            for (int f = 0; f < t; f++) {
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    int i = f * channels + c;
                    x[i] = f < valid ? (float) ((x[i] - mean) * inv * gamma[c] + beta[c]) : 0f;
                }
            }
        }
    }
}
