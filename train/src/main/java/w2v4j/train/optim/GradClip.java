package w2v4j.train.optim;

import java.util.List;

import w2v4j.kernels.Backend;
import w2v4j.model.Param;

/** Gradient clipping by the global L2 norm, as fairseq's {@code clip_grad_norm_}, on the backend holding the gradients. */
public final class GradClip {
    private GradClip() {}

    /** The global L2 norm of all gradients: per-tensor sums of squares ({@link Backend#sumSquares}, one call) added in double. */
    public static double norm(List<Param> params, Backend be) {
        float[][] grads = new float[params.size()][];
        for (int i = 0; i < grads.length; i++) grads[i] = params.get(i).grad();
        double sum = 0;
        for (double s : be.sumSquares(grads)) sum += s;
        return Math.sqrt(sum);
    }

    /**
     * Scales all gradients by {@code min(1, maxNorm/(norm + 1e-6))} (fairseq's coefficient) when {@code maxNorm > 0};
     * 0 turns clipping off. Returns the norm before clipping.
     */
    public static double clipNorm(List<Param> params, double maxNorm, Backend be) {
        double norm = norm(params, be);
        clip(params, maxNorm, norm, be);
        return norm;
    }

    /** {@link #clipNorm} with the norm already computed. */
    public static void clip(List<Param> params, double maxNorm, double norm, Backend be) {
        if (maxNorm > 0) {
            double coef = maxNorm / (norm + 1e-6);
            if (coef < 1) {
                Grads.scale(params, (float) coef, be);
            }
        }
    }
}
