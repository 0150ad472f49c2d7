package w2v4j.train.objective;

/**
 * Gumbel-softmax temperature schedule of the quantizer (fairseq {@code latent_temp}):
 * {@code tau(u) = max(start * decay^u, end)} after u optimizer updates. It anneals from soft,
 * exploratory code choices to nearly hard ones.
 */
public record GumbelTemperature(double start, double end, double decay) {

    /** wav2vec 2.0 BASE: (2, 0.5, 0.999995). */
    public static final GumbelTemperature BASE = new GumbelTemperature(2.0, 0.5, 0.999995);
    /** LARGE LV-60: (2, 0.1, 0.999995). */
    public static final GumbelTemperature LARGE_LV60 = new GumbelTemperature(2.0, 0.1, 0.999995);

    public GumbelTemperature {
        if (!(start > 0 && end > 0 && decay > 0 && decay <= 1)) throw new IllegalArgumentException("bad temperature schedule " + start + ", " + end + ", " + decay);
    }

    public double at(long numUpdates) {
        if (numUpdates < 0) throw new IllegalArgumentException("numUpdates < 0");
        return Math.max(start * Math.pow(decay, numUpdates), end);
    }
}
