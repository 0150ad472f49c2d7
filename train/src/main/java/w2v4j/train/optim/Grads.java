package w2v4j.train.optim;

import java.util.Arrays;
import java.util.List;

import w2v4j.model.Param;

/** Whole-model operations on the gradient buffers. */
public final class Grads {
    private Grads() {}

    public static void zero(List<Param> params) {
        for (Param p : params) {
            Arrays.fill(p.grad(), 0f);
        }
    }

    public static void scale(List<Param> params, float s) {
        for (Param p : params) {
            float[] g = p.grad();
            for (int i = 0; i < g.length; i++) {
                g[i] *= s;
            }
        }
    }

    /** True when no gradient holds NaN or ±Inf. */
    public static boolean allFinite(List<Param> params) {
        for (Param p : params) {
            if (!allFinite(p.grad())) {
                return false;
            }
        }
        return true;
    }

    /** The first parameter whose values hold NaN or ±Inf, or null. */
    public static Param firstNonFiniteValue(List<Param> params) {
        for (Param p : params) {
            if (!allFinite(p.value)) {
                return p;
            }
        }
        return null;
    }

    public static boolean allFinite(float[] a) {
        // x − x is 0 for finite x and NaN for NaN and ±Inf: one branch-free accumulation per array.
        float acc = 0f;
        for (float x : a) {
            acc += x - x;
        }
        return acc == 0f;
    }
}
