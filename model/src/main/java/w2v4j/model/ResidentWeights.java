package w2v4j.model;

import java.util.List;

import w2v4j.kernels.Backend;

/**
 * Keeps a backend's device copies of a model's weights current: declares
 * {@link Wav2Vec2Model#backendWeights} {@link Backend#constant} and, once
 * {@link Wav2Vec2Model#prepare} has run since (the weights changed, e.g. after an optimizer step),
 * invalidates and re-declares them. {@link Inference} and {@link TrainingGraph} call
 * {@link #refresh} before each forward, so a device backend uploads the weights once per change
 * instead of once per operation; for the Java backend both calls are no-ops.
 */
final class ResidentWeights {
    private final Wav2Vec2Model model;
    private final Backend backend;
    private long version = -1;
    private List<float[]> declared = List.of();

    ResidentWeights(Wav2Vec2Model model, Backend backend) {
        this.model = model;
        this.backend = backend;
    }

    void refresh() {
        if (version == model.weightsVersion()) return;
        for (float[] a : declared) backend.invalidate(a);
        declared = model.backendWeights();
        for (float[] a : declared) backend.constant(a);
        version = model.weightsVersion();
    }
}
