package w2v4j.train.run;

import java.util.Map;

/**
 * What one micro-batch step reports. Everything here is a SUM over the micro-batch, so the trainer can add steps up
 * across micro-batches and log intervals; it then reports
 * <ul>
 *   <li>{@code loss} and every value whose key starts with {@code "loss"} divided by the summed {@code sampleSize}
 *       (e.g. {@code loss_contrastive}: the summed contrastive loss; reported per masked frame);</li>
 *   <li>every other value divided by the number of steps (micro-batches) aggregated: so a task returns per-step
 *       quantities for these, e.g. this micro-batch's {@code accuracy} (a fraction), {@code code_perplexity},
 *       {@code temp}, and the log shows their mean over the interval.</li>
 * </ul>
 * Losses are in nats. Keys should be snake_case; they become metrics.jsonl fields as they are.
 */
public record StepMetrics(double loss, double sampleSize, Map<String, Double> values) {
    public StepMetrics {
        values = Map.copyOf(values);
    }

    /** True for keys that are normalised by the sample size rather than averaged over steps. */
    public static boolean isLossKey(String key) {
        return key.startsWith("loss");
    }
}
