package w2v4j.train.run;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sums of step metrics over a logging interval (or a validation pass), turned into a log line by the rule of
 * {@link StepMetrics}: loss keys per unit of sample size, other values per step. Its sums are part of a checkpoint,
 * so an interval cut by a stop/resume logs the same numbers as an uninterrupted one.
 */
final class Meter {
    double loss;
    double sampleSize;
    long steps;
    long updates;
    long utterances;
    long audioSamples;
    double gradNormSum;
    final TreeMap<String, Double> values = new TreeMap<>();

    void addStep(StepMetrics m, int utterances, long audioSamples) {
        loss += m.loss();
        sampleSize += m.sampleSize();
        steps++;
        this.utterances += utterances;
        this.audioSamples += audioSamples;
        for (Map.Entry<String, Double> e : m.values().entrySet()) {
            values.merge(e.getKey(), e.getValue(), Double::sum);
        }
    }

    /** Adds another meter's sums (an update's micro-batches into the interval). */
    void addAll(Meter o) {
        loss += o.loss;
        sampleSize += o.sampleSize;
        steps += o.steps;
        updates += o.updates;
        utterances += o.utterances;
        audioSamples += o.audioSamples;
        gradNormSum += o.gradNormSum;
        o.values.forEach((k, v) -> values.merge(k, v, Double::sum));
    }

    boolean isEmpty() {
        return steps == 0;
    }

    /** loss, the loss keys per sample size, the other values per step (non-finite results become null). */
    Map<String, Object> averages() {
        Map<String, Object> out = new LinkedHashMap<>();
        double norm = sampleSize > 0 ? sampleSize : 1;
        out.put("loss", finite(loss / norm));
        for (Map.Entry<String, Double> e : values.entrySet()) {
            String key = e.getKey();
            if (key.endsWith(StepMetrics.ERRORS) && values.containsKey(StepMetrics.rateName(key) + StepMetrics.UNITS)) {
                double units = values.get(StepMetrics.rateName(key) + StepMetrics.UNITS);
                out.put(StepMetrics.rateName(key), finite(100.0 * e.getValue() / units));
                continue;
            }
            if (key.endsWith(StepMetrics.UNITS) && values.containsKey(StepMetrics.rateName(key) + StepMetrics.ERRORS)) continue;
            double d = StepMetrics.isLossKey(key) ? norm : Math.max(1, steps);
            out.put(key, finite(e.getValue() / d));
        }
        return out;
    }

    static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", finite(loss));
        m.put("sample_size", sampleSize);
        m.put("steps", steps);
        m.put("updates", updates);
        m.put("utterances", utterances);
        m.put("audio_samples", audioSamples);
        m.put("grad_norm_sum", gradNormSum);
        Map<String, Object> v = new LinkedHashMap<>();
        values.forEach((k, x) -> v.put(k, finite(x)));
        m.put("values", v);
        return m;
    }

    static Meter fromJson(w2v4j.core.io.Json.Obj o) {
        Meter m = new Meter();
        m.loss = o.has("loss") ? o.getDouble("loss") : Double.NaN;
        m.sampleSize = o.getDouble("sample_size");
        m.steps = o.getLong("steps");
        m.updates = o.getLong("updates");
        m.utterances = o.getLong("utterances");
        m.audioSamples = o.getLong("audio_samples");
        m.gradNormSum = o.getDouble("grad_norm_sum");
        w2v4j.core.io.Json.Obj v = o.getObject("values");
        for (String k : v.map().keySet()) {
            m.values.put(k, v.has(k) ? v.getDouble(k) : Double.NaN);
        }
        return m;
    }
}
