package w2v4j.train.objective;

/**
 * fairseq's {@code features_pen = features.float().pow(2).mean()}: the mean square of the raw conv
 * encoder output (before its LayerNorm), over every element of the batch. It keeps the feature
 * encoder's activations from growing to make the LayerNorm'd features easier to quantize.
 */
public final class FeaturePenalty {

    private FeaturePenalty() {}

    /** Mean of {@code raw[0..count)²}, accumulated in double. */
    public static double forward(float[] raw, int count) {
        if (count <= 0 || count > raw.length) throw new IllegalArgumentException("count " + count + " outside [1, " + raw.length + "]");
        double s = 0;
        for (int i = 0; i < count; i++) s += (double) raw[i] * raw[i];
        return s / count;
    }

    /** {@code dRaw[i] += weight · 2·raw[i]/count}, weight = dLoss/dPenalty (β for the total loss). */
    public static void backward(float[] raw, int count, double weight, float[] dRaw) {
        double k = 2.0 * weight / count;
        for (int i = 0; i < count; i++) dRaw[i] += (float) (k * raw[i]);
    }
}
