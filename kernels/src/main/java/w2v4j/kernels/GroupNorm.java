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
 *
 * <p>Backward over the valid frames of each group (n = tValid * channels/groups elements), with
 * {@code xhat = (x - mean) * rstd} and {@code g = dOut * gamma}:
 * {@code dx = rstd * (g - mean(g) - xhat * mean(g * xhat))}; per channel
 * {@code dGamma += sum_f dOut * xhat}, {@code dBeta += sum_f dOut}. The group sums follow from the
 * per-channel ones ({@code sum g = sum_c gamma_c * sum_f dOut},
 * {@code sum g*xhat = sum_c gamma_c * sum_f dOut*xhat}), so one pass gathers all of them
 * and a second writes dx. Padded frames (output constant 0) receive and pass on no gradient.
 */
public final class GroupNorm {

    private GroupNorm() {
    }

    public static void groupNorm(float[] x, float[] gamma, float[] beta, int t, int tValid, int channels,
                                 int groups, float eps) {
        groupNorm(x, x, gamma, beta, t, tValid, channels, groups, eps, null, null);
    }

    /**
     * Out-of-place GroupNorm ({@code out} may be {@code inp}) that also saves each group's mean and
     * reciprocal std ({@code [groups]}) when the arrays are non-null. Same arithmetic as the in-place
     * form, so the outputs are bitwise equal.
     */
    public static void groupNorm(float[] out, float[] inp, float[] gamma, float[] beta, int t, int tValid,
                                 int channels, int groups, float eps, float[] mean, float[] rstd) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels not divisible by " + groups + " groups");
        }
        int valid = Math.max(0, Math.min(tValid, t));
        int cpg = channels / groups;
        double[] acc = new double[channels];
        float[] scale = new float[channels];
        float[] meanC = new float[channels];
        Parallel.forRange(groups, (g0, g1) -> groups(out, inp, gamma, beta, t, valid, channels, cpg, g0, g1, eps,
                acc, scale, meanC, mean, rstd));
    }

    /** Groups {@code [g0, g1)}: their channels {@code [g0*cpg, g1*cpg)} over all frames, x into y. */
    static void groups(float[] y, float[] x, float[] gamma, float[] beta, int t, int valid, int channels, int cpg,
                       int g0, int g1, float eps, double[] acc, float[] scale, float[] meanC, float[] meanOut,
                       float[] rstdOut) {
        int c0 = g0 * cpg, c1 = g1 * cpg;
        if (meanOut != null && valid == 0) {
            java.util.Arrays.fill(meanOut, g0, g1, 0f);
            java.util.Arrays.fill(rstdOut, g0, g1, 0f); // no valid frame: output 0, gradient 0
        }
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
                if (meanOut != null) {
                    meanOut[g] = mean;
                }
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
                if (rstdOut != null) {
                    rstdOut[g] = (float) inv;
                }
                for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                    scale[c] = (float) (inv * gamma[c]);
                }
            }
            for (int f = 0; f < valid; f++) {
                int row = f * channels;
                for (int c = c0; c < c1; c++) {
                    // (x - mean) * scale, not x * scale + shift: with a tiny variance the scale is
                    // huge and the folded form would cancel catastrophically.
                    y[row + c] = (x[row + c] - meanC[c]) * scale[c] + beta[c];
                }
            }
        }
        for (int f = valid; f < t; f++) {
            Arrays.fill(y, f * channels + c0, f * channels + c1, 0f);
        }
    }

    /**
     * Accumulates the gradients of {@link #groupNorm(float[], float[], float[], float[], int, int, int, int,
     * float, float[], float[])} given its saved {@code mean, rstd}; any of {@code dInp, dGamma, dBeta}
     * may be null.
     */
    public static void groupNormBackward(float[] dInp, float[] dGamma, float[] dBeta, float[] dOut, float[] inp,
                                         float[] gamma, float[] mean, float[] rstd, int t, int tValid,
                                         int channels, int groups) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels not divisible by " + groups + " groups");
        }
        int valid = Math.max(0, Math.min(tValid, t));
        if (valid == 0) {
            return;
        }
        int cpg = channels / groups;
        double[] sums = new double[2 * channels]; // per channel: sum dOut, then sum dOut * xhat
        float[] stats = new float[2 * channels];  // per channel: its group's mean, then rstd
        Parallel.forRange(groups, (g0, g1) -> groupsBackward(dInp, dGamma, dBeta, dOut, inp, gamma, mean, rstd,
                valid, channels, cpg, g0, g1, sums, stats));
    }

    static void groupsBackward(float[] dInp, float[] dGamma, float[] dBeta, float[] dOut, float[] x,
                               float[] gamma, float[] mean, float[] rstd, int valid, int channels, int cpg,
                               int g0, int g1, double[] sums, float[] stats) {
        int c0 = g0 * cpg, c1 = g1 * cpg;
        for (int c = c0; c < c1; c++) {
            stats[c] = mean[c / cpg];
            stats[channels + c] = rstd[c / cpg];
        }
        Arrays.fill(sums, c0, c1, 0.0);
        Arrays.fill(sums, channels + c0, channels + c1, 0.0);
        for (int f = 0; f < valid; f++) {
            int row = f * channels;
            for (int c = c0; c < c1; c++) {
                double d = dOut[row + c];
                sums[c] += d;
                sums[channels + c] += d * ((x[row + c] - stats[c]) * stats[channels + c]);
            }
        }
        for (int c = c0; c < c1; c++) {
            if (dBeta != null) {
                dBeta[c] += (float) sums[c];
            }
            if (dGamma != null) {
                dGamma[c] += (float) sums[channels + c];
            }
        }
        if (dInp == null) {
            return;
        }
        double n = (double) valid * cpg;
        for (int g = g0; g < g1; g++) {
            double sg = 0, sgx = 0;
            for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                sg += gamma[c] * sums[c];
                sgx += gamma[c] * sums[channels + c];
            }
            // Reuse the per-channel slots for the two group means (same value for each channel).
            for (int c = g * cpg; c < (g + 1) * cpg; c++) {
                sums[c] = sg / n;
                sums[channels + c] = sgx / n;
            }
        }
        for (int f = 0; f < valid; f++) {
            int row = f * channels;
            for (int c = c0; c < c1; c++) {
                float rs = stats[channels + c];
                float xhat = (x[row + c] - stats[c]) * rs;
                dInp[row + c] += (float) ((dOut[row + c] * gamma[c] - sums[c] - xhat * sums[channels + c]) * rs);
            }
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
