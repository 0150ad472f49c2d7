package w2v4j.train.run;

import java.util.List;

import w2v4j.kernels.Backend;
import w2v4j.model.Param;

/**
 * Makes a model's training state the backend's working memory ({@link Backend#bind}) for a stretch of
 * training, and brings it back: the parameters' values and gradients and the weights derived from
 * them (packed convolutions, the folded weight norm). On a device they then stay there between
 * updates; on the Java backend both calls do nothing.
 */
public final class DeviceResidency {
    private DeviceResidency() {}

    public static void bind(Backend be, List<Param> params, List<float[]> derived) {
        for (Param p : params) {
            be.bind(p.value);
            be.bind(p.grad());
        }
        for (float[] a : derived) be.bind(a);
    }

    /** Copies everything back to the host and ends the bindings. */
    public static void unbind(Backend be, List<Param> params, List<float[]> derived) {
        for (Param p : params) {
            be.unbind(p.value);
            be.unbind(p.grad());
        }
        for (float[] a : derived) be.unbind(a);
    }
}
