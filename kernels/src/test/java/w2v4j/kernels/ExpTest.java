package w2v4j.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The deterministic exp: vector and scalar forms agree bit for bit and stay within 2 ulp of Math.exp. */
class ExpTest {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Test
    void vectorEqualsScalarAndIsAccurate() {
        SplittableRandom rnd = new SplittableRandom(1);
        float[] x = new float[S.length() * 4096];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextDouble() * 180 - 90);
        x[0] = Float.NEGATIVE_INFINITY;
        x[1] = 0f;
        x[2] = -87.3f;
        x[3] = 88.7f;
        x[4] = 100f;
        float[] v = new float[x.length];
        for (int i = 0; i < x.length; i += S.length()) Exp.exp(FloatVector.fromArray(S, x, i)).intoArray(v, i);
        double worstUlp = 0;
        for (int i = 0; i < x.length; i++) {
            float s = Exp.exp(x[i]);
            assertEquals(Float.floatToIntBits(s), Float.floatToIntBits(v[i]), "x = " + x[i]);
            double ref = Math.exp(x[i]);
            if (ref > Float.MIN_NORMAL * 2 && ref < Float.MAX_VALUE) worstUlp = Math.max(worstUlp, Math.abs(s - ref) / Math.ulp((float) ref));
        }
        assertEquals(0f, Exp.exp(Float.NEGATIVE_INFINITY));
        assertEquals(1f, Exp.exp(0f));
        assertEquals(Float.POSITIVE_INFINITY, Exp.exp(100f));
        assertTrue(worstUlp <= 2, "worst error " + worstUlp + " ulp");
    }
}
