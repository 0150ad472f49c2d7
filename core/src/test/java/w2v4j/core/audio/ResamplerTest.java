package w2v4j.core.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResamplerTest {

    static float[] sine(double hz, int rate, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (0.8 * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return x;
    }

    static double rms(float[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += (double) x[i] * x[i];
        }
        return Math.sqrt(s / (to - from));
    }

    @Test
    void reducedRatios() {
        Resampler r = new Resampler(22050, 16000);
        assertEquals(320, r.up);
        assertEquals(441, r.down);
        Resampler u = new Resampler(8000, 16000);
        assertEquals(2, u.up);
        assertEquals(1, u.down);
        assertEquals(1, new Resampler(48000, 16000).up);
        assertEquals(3, new Resampler(48000, 16000).down);
    }

    @ParameterizedTest
    @CsvSource({"44100", "22050", "48000", "8000", "32000", "11025"})
    void oneKilohertzSineMatchesTheAnalyticSine(int inRate) {
        int n = inRate / 2; // 0.5 s
        float[] y = Resampler.resample(sine(1000, inRate, n), inRate, 16000);
        assertEquals((int) Math.ceil(n * 16000.0 / inRate), y.length);
        float[] expected = sine(1000, 16000, y.length);
        double maxErr = 0;
        for (int i = 200; i < y.length - 200; i++) { // away from the zero-padded edges
            maxErr = Math.max(maxErr, Math.abs(y[i] - expected[i]));
        }
        assertTrue(maxErr < 1e-3, "max error " + maxErr + " from " + inRate);
    }

    @Test
    void toneAboveTheNewNyquistIsRemoved() {
        float[] x = sine(10000, 44100, 44100);
        float[] y = Resampler.resample(x, 44100, 16000);
        double db = 20 * Math.log10(rms(y, 200, y.length - 200) / rms(x, 0, x.length));
        assertTrue(db < -40, "10 kHz tone only attenuated to " + db + " dB");
        // Just above the new Nyquist (8.5 kHz) is in the stopband too.
        float[] z = Resampler.resample(sine(8500, 44100, 44100), 44100, 16000);
        assertTrue(20 * Math.log10(rms(z, 200, z.length - 200) / rms(x, 0, x.length)) < -40);
    }

    @Test
    void passbandToneKeepsItsLevel() {
        float[] x = sine(6000, 48000, 48000);
        float[] y = Resampler.resample(x, 48000, 16000);
        double ratio = rms(y, 200, y.length - 200) / rms(x, 0, x.length);
        assertEquals(1.0, ratio, 2e-3);
    }

    @ParameterizedTest
    @CsvSource({"44100,16000", "22050,16000", "8000,16000", "16000,44100", "48000,16000"})
    void dcGainIsOne(int in, int out) {
        float[] x = new float[in / 4];
        java.util.Arrays.fill(x, 0.5f);
        float[] y = Resampler.resample(x, in, out);
        for (int i = 100; i < y.length - 100; i++) {
            assertEquals(0.5f, y[i], 1e-6f);
        }
    }

    @Test
    void outputLengthIsCeil() {
        Resampler r = Resampler.of(44100, 16000);
        assertEquals(0, r.outputLength(0));
        assertEquals(1, r.outputLength(1));
        assertEquals(16000, r.outputLength(44100));
        assertEquals(16001, r.outputLength(44101));
        assertEquals(0, Resampler.resample(new float[0], 44100, 16000).length);
    }

    @Test
    void sameRateIsACopy() {
        float[] x = {1, 2, 3};
        float[] y = Resampler.resample(x, 16000, 16000);
        assertArrayEquals(x, y);
        assertTrue(x != y);
    }

    @Test
    void untabulatedPathAgreesWithTable() {
        float[] x = sine(1234, 22050, 5000);
        float[] tab = new Resampler(22050, 16000).process(x);
        float[] direct = new Resampler(22050, 16000, 0).process(x);
        assertArrayEquals(tab, direct, 1e-6f);
    }

    @Test
    void besselI0KnownValues() {
        assertEquals(1.0, Resampler.besselI0(0), 1e-15);
        assertEquals(1.2660658777520082, Resampler.besselI0(1), 1e-14);
        assertEquals(2815.716628466254, Resampler.besselI0(10), 1e-9);
    }
}
