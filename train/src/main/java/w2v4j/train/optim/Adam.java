package w2v4j.train.optim;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import w2v4j.core.W2vException;
import w2v4j.core.tensor.Tensor;
import w2v4j.kernels.Backend;
import w2v4j.kernels.JavaBackend;
import w2v4j.model.Param;

/**
 * Adam with decoupled weight decay, exactly as fairseq's {@code fairseq.optim.adam.Adam} (the "AdamW" variant) does
 * one step for every parameter p with gradient g, at step count t (1-based) and learning rate lr:
 *
 * <pre>
 *   m = β1·m + (1−β1)·g
 *   v = β2·v + (1−β2)·g²
 *   p = p − lr·wd·p                                   (decoupled decay, on the pre-step value)
 *   p = p − lr·sqrt(1−β2^t)/(1−β1^t) · m / (sqrt(v) + ε)
 * </pre>
 *
 * Note where ε sits: fairseq (like torch.optim.Adam) adds it to sqrt(v) before the bias correction is folded into the
 * step size, whereas torch.optim.AdamW adds ε/sqrt(1−β2^t); the two differ only while v is tiny. fairseq applies the
 * decay to every parameter (biases and norms included), so this does too.
 *
 * <p>State: the first and second moments m, v (one flat float array per parameter, zero at start) and the step count.
 * The update runs on a backend ({@link Backend#adamStep}: elementwise float arithmetic in a fixed order, the same bits
 * on every backend and thread count). On a device backend the moments are bound working memory
 * ({@link Backend#bind}): they stay on the device, and {@link #stateTensors} brings them back for a checkpoint.
 */
public final class Adam {
    private final Backend backend;
    private final List<Param> params;
    private final float[][] m;
    private final float[][] v;
    public final double beta1;
    public final double beta2;
    public final double eps;
    public final double weightDecay;
    private long steps;

    /** Adam on the Java backend. */
    public Adam(List<Param> params, double beta1, double beta2, double eps, double weightDecay) {
        this(params, beta1, beta2, eps, weightDecay, new JavaBackend());
    }

    /** Adam whose update runs on {@code backend}, with its moments bound there until {@link #release}. */
    public Adam(List<Param> params, double beta1, double beta2, double eps, double weightDecay, Backend backend) {
        this.backend = backend;
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new W2vException("adam_betas must lie in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps > 0) || !(weightDecay >= 0)) {
            throw new W2vException("adam_eps must be > 0 and weight_decay >= 0, got " + eps + ", " + weightDecay);
        }
        this.params = List.copyOf(params);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.m = new float[this.params.size()][];
        this.v = new float[this.params.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = new float[this.params.get(i).numel()];
            v[i] = new float[this.params.get(i).numel()];
            backend.bind(m[i]);
            backend.bind(v[i]);
        }
    }

    /** fairseq's pre-training setting: β (0.9, 0.98), ε 1e-6, weight decay 0.01. */
    public static Adam pretraining(List<Param> params) {
        return new Adam(params, 0.9, 0.98, 1e-6, 0.01);
    }

    /** Number of steps taken so far. */
    public long steps() {
        return steps;
    }

    public List<Param> params() {
        return params;
    }

    /** Ends the moments' binding (they come back to the host); the optimizer is not used afterwards. */
    public void release() {
        for (int i = 0; i < m.length; i++) {
            backend.unbind(m[i]);
            backend.unbind(v[i]);
        }
    }

    /** One update of every parameter from its {@code grad()}, with learning rate {@code lr}. */
    public void step(double lr) {
        steps++;
        double bc1 = 1 - Math.pow(beta1, steps);
        double bc2 = 1 - Math.pow(beta2, steps);
        float stepSize = (float) (lr * Math.sqrt(bc2) / bc1);
        float decay = (float) (-weightDecay * lr);
        float b1 = (float) beta1, b2 = (float) beta2;
        float a1 = (float) (1 - beta1), a2 = (float) (1 - beta2);
        float e = (float) eps;
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            backend.adamStep(p.value, p.grad(), m[i], v[i], p.numel(), b1, a1, b2, a2, e, decay, stepSize);
        }
    }

    /**
     * The moments as tensors named {@code m.<param name>} and {@code v.<param name>}, sharing the live arrays (made
     * current on the host first).
     */
    public Map<String, Tensor> stateTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            backend.syncToHost(m[i]);
            backend.syncToHost(v[i]);
            out.put("m." + p.name, new Tensor("m." + p.name, p.shape, m[i]));
            out.put("v." + p.name, new Tensor("v." + p.name, p.shape, v[i]));
        }
        return out;
    }

    /** Restores the moments (as written by {@link #stateTensors}) and the step count; {@code file} names errors. */
    public void loadState(Map<String, Tensor> tensors, long steps, Path file) {
        if (steps < 0) {
            throw W2vException.file(file, "negative optimizer step count " + steps);
        }
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            backend.syncToHost(m[i]);
            backend.syncToHost(v[i]);
            copyInto(tensors, "m." + p.name, m[i], p, file);
            copyInto(tensors, "v." + p.name, v[i], p, file);
            backend.hostWrote(m[i]);
            backend.hostWrote(v[i]);
        }
        this.steps = steps;
    }

    private static void copyInto(Map<String, Tensor> tensors, String name, float[] dst, Param p, Path file) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw W2vException.file(file, "missing optimizer state '" + name + "'");
        }
        if (t.data().length != dst.length) {
            throw W2vException.file(file, "optimizer state '" + name + "' has shape " + t.shapeString()
                    + ", parameter " + p.name + " has " + p.shapeString());
        }
        System.arraycopy(t.data(), 0, dst, 0, dst.length);
    }
}
