package w2v4j.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import w2v4j.core.W2vException;
import w2v4j.model.Param;

class ScheduleTest {
    static final w2v4j.kernels.Backend JAVA = new w2v4j.kernels.JavaBackend();

    @Test
    void polynomialWarmsUpFromZeroThenDecaysLinearly() {
        PolynomialDecay s = new PolynomialDecay(5e-4, 100, 1100, 0, 1);
        assertEquals(0, s.lr(0));
        assertEquals(2.5e-4, s.lr(50), 1e-18);
        assertEquals(5e-4, s.lr(100), 1e-18);
        assertEquals(2.5e-4, s.lr(600), 1e-18);
        assertEquals(5e-7, s.lr(1099), 1e-18);
        assertEquals(0, s.lr(1100));
        assertEquals(0, s.lr(5000));
    }

    @Test
    void polynomialDecaysToEndLrWithoutWarmup() {
        PolynomialDecay s = new PolynomialDecay(1e-3, 0, 10, 1e-4, 1);
        assertEquals(1e-3, s.lr(0), 1e-18);
        assertEquals(5.5e-4, s.lr(5), 1e-15);
        assertEquals(1e-4, s.lr(10), 1e-18);
    }

    @Test
    void triStageMatchesFairseqStages() {
        // phase_ratio [0.1, 0.4, 0.5] of 1000 updates: 100 warm-up, 400 hold, 500 decay.
        TriStage s = TriStage.ofRatios(5e-5, 1000, new double[] {0.1, 0.4, 0.5}, 0.01, 0.05);
        assertEquals(100, s.warmup());
        assertEquals(400, s.hold());
        assertEquals(500, s.decay());
        assertEquals(5e-7, s.lr(0), 1e-20);
        assertEquals(5e-7 + (5e-5 - 5e-7) / 2, s.lr(50), 1e-18);
        assertEquals(5e-5, s.lr(100), 1e-20);
        assertEquals(5e-5, s.lr(499), 1e-20);
        assertEquals(5e-5, s.lr(500), 1e-20); // decay step 0
        assertEquals(5e-5 * Math.sqrt(0.05), s.lr(750), 1e-17); // half-way: exp(−ln 20 / 2)
        assertEquals(5e-5 * 0.05, s.lr(1000), 1e-17); // the decay stage includes its last step
        assertEquals(5e-5 * 0.05, s.lr(1001), 1e-20);
    }

    @Test
    void triStageRejectsRatiosNotSummingToOne() {
        W2vException e = assertThrows(W2vException.class,
                () -> TriStage.ofRatios(1e-4, 100, new double[] {0.1, 0.4, 0.4}, 0.01, 0.05));
        assertEquals("phase_ratio must add up to 1, got 0.1 + 0.4 + 0.4", e.getMessage());
    }

    @Test
    void clipScalesToMaxNormAndReturnsPreClipNorm() {
        Param a = new Param("a", 2), b = new Param("b", 1);
        a.grad()[0] = 3;
        a.grad()[1] = 0;
        b.grad()[0] = 4;
        List<Param> ps = List.of(a, b);
        assertEquals(5.0, GradClip.clipNorm(ps, 1.0, JAVA), 1e-12);
        assertEquals(1.0, GradClip.norm(ps, JAVA), 1e-6);
        assertEquals(3 / (5 + 1e-6), a.grad()[0], 1e-7);
        // Below the threshold and with clipping off, nothing changes.
        assertEquals(1.0, GradClip.clipNorm(ps, 10, JAVA), 1e-6);
        assertEquals(3 / (5 + 1e-6), a.grad()[0], 1e-7);
        b.grad()[0] = 40;
        assertEquals(Math.sqrt(0.36 + 1600), GradClip.clipNorm(ps, 0, JAVA), 1e-4);
        assertEquals(40f, b.grad()[0]);
    }

    @Test
    void gradsZeroScaleFinite() {
        Param a = new Param("a", 3);
        a.grad()[0] = 2;
        a.grad()[2] = -4;
        List<Param> ps = List.of(a);
        Grads.scale(ps, 0.5f, JAVA);
        assertEquals(-2f, a.grad()[2]);
        org.junit.jupiter.api.Assertions.assertTrue(Grads.allFinite(ps, JAVA));
        a.grad()[1] = Float.POSITIVE_INFINITY;
        org.junit.jupiter.api.Assertions.assertFalse(Grads.allFinite(ps, JAVA));
        a.grad()[1] = Float.NaN;
        org.junit.jupiter.api.Assertions.assertFalse(Grads.allFinite(ps, JAVA));
        Grads.zero(ps, JAVA);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[3], a.grad());
        a.value[1] = Float.NEGATIVE_INFINITY;
        assertEquals(a, Grads.firstNonFiniteValue(ps, JAVA));
    }
}
