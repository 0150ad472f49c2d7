package w2v4j.train.optim;

import java.util.List;

import w2v4j.kernels.Backend;
import w2v4j.model.Param;

/**
 * Whole-model operations on the gradient buffers, run on the backend that holds them (on a device
 * backend they are bound working memory and never visit the host during training).
 */
public final class Grads {
    private Grads() {}

    public static void zero(List<Param> params, Backend be) {
        for (Param p : params) {
            be.fill(p.grad(), 0, p.numel(), 0f);
        }
    }

    public static void scale(List<Param> params, float s, Backend be) {
        for (Param p : params) {
            be.scale(p.grad(), 0, p.numel(), s);
        }
    }

    /** True when no gradient holds NaN or ±Inf. */
    public static boolean allFinite(List<Param> params, Backend be) {
        for (Param p : params) {
            if (!be.allFinite(p.grad(), 0, p.numel())) {
                return false;
            }
        }
        return true;
    }

    /** The first parameter whose values hold NaN or ±Inf, or null. */
    public static Param firstNonFiniteValue(List<Param> params, Backend be) {
        for (Param p : params) {
            if (!be.allFinite(p.value, 0, p.numel())) {
                return p;
            }
        }
        return null;
    }
}
