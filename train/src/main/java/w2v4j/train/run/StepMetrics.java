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
 * Error rates are the exception: a pair {@code X_errors} / {@code X_units} (e.g. {@code wer_errors}, {@code wer_units}:
 * word errors and reference words) is logged as one field {@code X}, the corpus rate {@code 100 * Σerrors / Σunits}
 * in percent, which an average of per-batch rates would not give.
 * Losses are in nats. Keys should be snake_case; they become metrics.jsonl fields as they are.
 */
public record StepMetrics(double loss, double sampleSize, Map<String, Double> values) {
    public StepMetrics {
        values = Map.copyOf(values);
    }

    public static final String ERRORS = "_errors", UNITS = "_units";

    /** {@code "wer"} for {@code "wer_errors"} or {@code "wer_units"}. */
    static String rateName(String key) {
        return key.substring(0, key.lastIndexOf('_'));
    }

    /** True for keys that are normalised by the sample size rather than averaged over steps. */
    public static boolean isLossKey(String key) {
        return key.startsWith("loss");
    }
}
