package w2v4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * Conv1d (GEMM, packed weights) against a direct loop over PyTorch-layout weights, channel-major
 * semantics written out index by index. Tolerance as for Sgemm: {@code 1e-5 * sum |w||x| + 1e-6}.
 */
class Conv1dTest {

    @Test
    void firstLayerSingleInputChannel() {
        check(1000, 1, 40, 10, 5, 0, 1, false);
        check(1000, 1, 40, 10, 5, 0, 1, true);
    }

    @Test
    void stridedMultiChannel() {
        check(301, 8, 24, 3, 2, 0, 1, false);
        check(301, 8, 24, 3, 2, 0, 1, true);
    }

    @Test
    void groupedEvenKernelWithPaddingGivesOneExtraFrame() {
        // Like the positional convolution: even kernel, padding kernel/2, stride 1 -> tOut = tIn + 1.
        assertEquals(51, Conv1d.outputLength(50, 8, 1, 4));
        check(50, 16, 16, 8, 1, 4, 4, false);
        check(50, 16, 16, 8, 1, 4, 4, true);
    }

    @Test
    void groupedOddKernelStrideTwo() {
        check(77, 12, 10, 7, 2, 3, 2, false);
        check(77, 12, 10, 7, 2, 3, 2, true);
    }

    @Test
    void paddingWithoutGroupsAndFewGroups() {
        check(64, 6, 9, 5, 1, 2, 1, true);
        check(130, 96, 96, 16, 1, 8, 16, true);
    }

    @Test
    void packRoundTrips() {
        float[] w = SgemmTest.random(new Random(3), 5 * 4 * 3);
        float[] p = ConvWeights.pack(w, 5, 4, 3);
        assertEquals(w[(2 * 4 + 1) * 3 + 2], p[(2 * 3 + 2) * 4 + 1]);
        assertArrayEquals(w, ConvWeights.unpack(p, 5, 4, 3));
    }

    static void check(int tIn, int cIn, int cOut, int kernel, int stride, int padding, int groups, boolean withBias) {
        Random rnd = new Random(tIn * 7L + cIn * 13L + kernel);
        int cg = cIn / groups, og = cOut / groups;
        float[] inp = SgemmTest.random(rnd, tIn * cIn);
        float[] torchW = SgemmTest.random(rnd, cOut * cg * kernel);
        float[] bias = withBias ? SgemmTest.random(rnd, cOut) : null;
        int tOut = Conv1d.outputLength(tIn, kernel, stride, padding);
        float[] out = new float[tOut * cOut];
        java.util.Arrays.fill(out, Float.NaN);
        Conv1d.conv1d(out, inp, ConvWeights.pack(torchW, cOut, cg, kernel), bias, tIn, cIn, cOut, kernel, stride,
                padding, groups);
        for (int t = 0; t < tOut; t++) {
            for (int o = 0; o < cOut; o++) {
                int g = o / og;
                double s = withBias ? bias[o] : 0, mag = withBias ? Math.abs(bias[o]) : 0;
                for (int c = 0; c < cg; c++) {
                    for (int j = 0; j < kernel; j++) {
                        int ti = t * stride + j - padding;
                        if (ti < 0 || ti >= tIn) {
                            continue;
                        }
                        double p = (double) torchW[(o * cg + c) * kernel + j] * inp[ti * cIn + g * cg + c];
                        s += p;
                        mag += Math.abs(p);
                    }
                }
                float got = out[t * cOut + o];
                if (!(Math.abs(got - s) <= 1e-5 * mag + 1e-6)) {
                    fail("conv tIn=" + tIn + " cIn=" + cIn + " cOut=" + cOut + " k=" + kernel + " s=" + stride
                            + " p=" + padding + " g=" + groups + ": out[" + t + "," + o + "]=" + got + " expected " + s);
                }
            }
        }
    }
}
