package w2v4j.train.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import w2v4j.core.W2vException;
import w2v4j.core.io.Json;
import w2v4j.core.io.SafeTensors;
import w2v4j.core.tensor.Tensor;
import w2v4j.model.Param;
import w2v4j.train.optim.Adam;

/**
 * The files of one checkpoint directory:
 * <pre>
 *   config.json, model.safetensors, ...   the model, as {@link TrainingTask#saveModel} writes it (Hugging Face layout)
 *   trainer_state.safetensors             Adam moments: m.&lt;param name&gt;, v.&lt;param name&gt; (F32)
 *   trainer_state.json                    {@link State}: update, data position, optimizer steps, schedule, seed, ...
 * </pre>
 * Restoring copies parameter values from model.safetensors by name (a name may carry the "wav2vec2." prefix that
 * Hugging Face heads add), so it works for any task whose saveModel writes its trainable parameters in F32.
 */
public final class Checkpoint {
    private Checkpoint() {}

    public static final String MODEL = "model.safetensors";
    public static final String STATE_TENSORS = "trainer_state.safetensors";
    public static final String STATE_JSON = "trainer_state.json";
    private static final String HF_PREFIX = "wav2vec2.";

    /**
     * What the trainer needs besides tensors to continue exactly: the updates done, the data position of the next
     * batch, Adam's step count, the seed, the best validation value so far (NaN: none), wall time used, updates
     * skipped, the schedule (for the record), the data settings the position depends on, and the open log interval.
     */
    public record State(long update, long epoch, int batch, long optimizerSteps, long seed, String bestMetric,
            double best, double wallSeconds, long skippedUpdates, Map<String, Object> schedule,
            Map<String, Object> data, Map<String, Object> meter) {

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("update", update);
            m.put("epoch", epoch);
            m.put("batch", batch);
            m.put("optimizer_steps", optimizerSteps);
            m.put("seed", seed);
            m.put("best_metric", bestMetric);
            m.put("best", Double.isFinite(best) ? best : null);
            m.put("wall_s", wallSeconds);
            m.put("skipped_updates", skippedUpdates);
            m.put("lr_scheduler", schedule);
            m.put("data", data);
            m.put("meter", meter);
            return m;
        }

        static State fromJson(Json.Obj o) {
            return new State(o.getLong("update"), o.getLong("epoch"), o.getInt("batch"), o.getLong("optimizer_steps"),
                    o.getLong("seed"), o.getString("best_metric", ""),
                    o.has("best") ? o.getDouble("best") : Double.NaN, o.getDouble("wall_s"),
                    o.getLong("skipped_updates", 0), o.getObject("lr_scheduler").map(), o.getObject("data").map(),
                    o.getObject("meter").map());
        }
    }

    /** Writes the model, the optimizer state and the trainer state into {@code dir}. */
    public static void write(Path dir, TrainingTask task, Adam adam, State state) {
        task.saveModel(dir);
        if (!Files.isRegularFile(dir.resolve(MODEL))) {
            throw W2vException.file(dir, "TrainingTask.saveModel wrote no " + MODEL);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "w2v4j-adam");
        meta.put("optimizer_steps", Long.toString(adam.steps()));
        SafeTensors.write(dir.resolve(STATE_TENSORS), adam.stateTensors(), meta);
        Json.write(dir.resolve(STATE_JSON), state.toJson());
    }

    public static State readState(Path dir) {
        return State.fromJson(Json.readObject(dir.resolve(STATE_JSON)));
    }

    /** Copies every parameter's values from the checkpoint's model.safetensors (exact: F32 round trip). */
    public static void restoreParams(Path dir, List<Param> params) {
        Path file = dir.resolve(MODEL);
        Map<String, Tensor> tensors = SafeTensors.read(file);
        Map<String, SafeTensors.Entry> header = SafeTensors.readHeader(file).entries();
        for (Param p : params) {
            Tensor t = tensors.get(p.name);
            if (t == null) {
                t = p.name.startsWith(HF_PREFIX) ? tensors.get(p.name.substring(HF_PREFIX.length()))
                        : tensors.get(HF_PREFIX + p.name);
            }
            if (t == null) {
                throw W2vException.file(file, "has no tensor for parameter '" + p.name + "'");
            }
            if (t.data().length != p.value.length) {
                throw W2vException.file(file, "tensor '" + t.name() + "' has shape " + t.shapeString()
                        + ", parameter " + p.name + " has " + p.shapeString());
            }
            if (header.get(t.name()).dtype() != SafeTensors.DType.F32) {
                throw W2vException.file(file, "tensor '" + t.name() + "' is " + header.get(t.name()).dtype()
                        + "; an exact resume needs F32");
            }
            System.arraycopy(t.data(), 0, p.value, 0, p.value.length);
        }
    }

    public static void restoreOptimizer(Path dir, Adam adam, long steps) {
        Path file = dir.resolve(STATE_TENSORS);
        adam.loadState(SafeTensors.read(file), steps, file);
    }
}
