package w2v4j.kernels;

/**
 * Weight layout for {@link Conv1d}. PyTorch stores a Conv1d weight as
 * {@code [cOut, cInPerGroup, kernel]}; the time-major convolution wants, for every output channel,
 * the kernel taps in the same order as an input window in memory ({@code [kernel, cInPerGroup]},
 * time-major), so each output channel's weights are one contiguous row of {@code kernel*cInPerGroup}
 * floats and the convolution is a GEMM against the (overlapping) input windows.
 */
public final class ConvWeights {

    private ConvWeights() {
    }

    /** {@code [cOut, cInPerGroup, kernel]} (PyTorch) to {@code [cOut, kernel, cInPerGroup]}. */
    public static float[] pack(float[] torchWeight, int cOut, int cInPerGroup, int kernel) {
        return packInto(new float[torchWeight.length], torchWeight, cOut, cInPerGroup, kernel);
    }

    /** {@link #pack} into an existing array (reused across optimizer steps); returns {@code packed}. */
    public static float[] packInto(float[] packed, float[] torchWeight, int cOut, int cInPerGroup, int kernel) {
        int per = cInPerGroup * kernel;
        if (torchWeight.length != (long) cOut * per || packed.length != torchWeight.length) {
            throw new IllegalArgumentException("conv weight has " + torchWeight.length + " values (packed buffer "
                    + packed.length + "), expected " + cOut + "*" + cInPerGroup + "*" + kernel);
        }
        for (int o = 0; o < cOut; o++) {
            int base = o * per;
            for (int c = 0; c < cInPerGroup; c++) {
                for (int k = 0; k < kernel; k++) {
                    packed[base + k * cInPerGroup + c] = torchWeight[base + c * kernel + k];
                }
            }
        }
        return packed;
    }

    /** The inverse of {@link #pack}: {@code [cOut, kernel, cInPerGroup]} back to PyTorch's layout. */
    public static float[] unpack(float[] packed, int cOut, int cInPerGroup, int kernel) {
        float[] torch = new float[packed.length];
        addUnpacked(torch, packed, cOut, cInPerGroup, kernel);
        return torch;
    }

    /** {@code torch += unpack(packed)}: folds a packed-layout gradient into a PyTorch-layout one. */
    public static void addUnpacked(float[] torch, float[] packed, int cOut, int cInPerGroup, int kernel) {
        int per = cInPerGroup * kernel;
        for (int o = 0; o < cOut; o++) {
            int base = o * per;
            for (int c = 0; c < cInPerGroup; c++) {
                for (int k = 0; k < kernel; k++) {
                    torch[base + c * kernel + k] += packed[base + k * cInPerGroup + c];
                }
            }
        }
    }
}
