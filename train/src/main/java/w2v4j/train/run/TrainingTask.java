package w2v4j.train.run;

import java.nio.file.Path;
import java.util.List;
import java.util.random.RandomGenerator;

import w2v4j.kernels.Backend;
import w2v4j.kernels.JavaBackend;
import w2v4j.model.Param;
import w2v4j.train.data.Batch;

/** One kind of training (pre-training, fine-tuning): the trainer drives it. */
public interface TrainingTask {
    /**
     * The backend the task computes on. The trainer binds the parameters' values and gradients and the optimizer's
     * moments there for the run ({@link Backend#bind}); a task that reads or writes them on the host must sync them
     * ({@link Backend#syncToHost}, {@link Backend#hostWrote}).
     */
    default Backend backend() {
        return new JavaBackend();
    }

    /**
     * Arrays the task derives from the parameters on its backend after each update (packed weights): bound to the
     * backend for the run with the parameters.
     */
    default List<float[]> derivedArrays() {
        return List.of();
    }

    /** Trainable parameters (value + grad()); the optimizer updates exactly these. */
    List<Param> parameters();

    /** Called before each update's micro-batches: e.g. Gumbel temperature, freezing schedules. */
    void beginUpdate(long update);

    /**
     * Forward + backward on one micro-batch: ACCUMULATES into the parameters' grad() the gradient of the summed
     * (un-normalised) loss, and returns its metrics; sampleSize is what the loss is normalised by (masked frames for
     * pre-training, utterances/tokens for CTC). rng is derived for this micro-batch.
     */
    StepMetrics trainStep(Batch batch, long update, RandomGenerator rng);

    /** Forward only (no dropout, no grads) for validation. */
    StepMetrics validStep(Batch batch, RandomGenerator rng);

    /** Parameters changed (after an optimizer step or a restore): rebuild derived weights. */
    void parametersChanged();

    /** Writes the model in Hugging Face layout (config.json + model.safetensors) into dir. */
    void saveModel(Path dir);
}
