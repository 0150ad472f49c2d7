package w2v4j.core.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WaveformsTest {
    @Test
    void normalizeMatchesTheHuggingFaceFormula() {
        float[] x = {1, 2, 3, 4};
        // mean 2.5, population variance 1.25
        double s = Math.sqrt(1.25 + 1e-7);
        float[] expected = {(float) (-1.5 / s), (float) (-0.5 / s), (float) (0.5 / s), (float) (1.5 / s)};
        assertArrayEquals(expected, Waveforms.normalize(x), 1e-7f);
    }

    @Test
    void normalizedSignalHasZeroMeanUnitVariance() {
        float[] x = new float[10000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.3 + 0.1 * Math.sin(i * 0.37) + 0.05 * Math.cos(i * 1.3));
        }
        float[] y = Waveforms.normalize(x);
        double mean = 0;
        for (float v : y) {
            mean += v;
        }
        mean /= y.length;
        double var = 0;
        for (float v : y) {
            var += (v - mean) * (v - mean);
        }
        assertEquals(0, mean, 1e-6);
        assertEquals(1, var / y.length, 1e-4);
    }

    @Test
    void silenceStaysZeroAndEmptyStaysEmpty() {
        assertArrayEquals(new float[5], Waveforms.normalize(new float[] {0.2f, 0.2f, 0.2f, 0.2f, 0.2f}), 1e-6f);
        assertEquals(0, Waveforms.normalize(new float[0]).length);
    }
}
