package w2v4j.train.optim;

import java.util.List;

import w2v4j.model.Param;

/** Gradient clipping by the global L2 norm, as fairseq's {@code clip_grad_norm_}. */
public final class GradClip {
    private GradClip() {}

    /** The global L2 norm of all gradients, accumulated in double. */
    public static double norm(List<Param> params) {
        double sum = 0;
        for (Param p : params) {
            float[] g = p.grad();
            for (float x : g) {
                sum += (double) x * x;
            }
        }
        return Math.sqrt(sum);
    }

    /**
     * Scales all gradients by {@code min(1, maxNorm/(norm + 1e-6))} (fairseq's coefficient) when {@code maxNorm > 0};
     * 0 turns clipping off. Returns the norm before clipping.
     */
    public static double clipNorm(List<Param> params, double maxNorm) {
        double norm = norm(params);
        if (maxNorm > 0) {
            double coef = maxNorm / (norm + 1e-6);
            if (coef < 1) {
                Grads.scale(params, (float) coef);
            }
        }
        return norm;
    }
}
