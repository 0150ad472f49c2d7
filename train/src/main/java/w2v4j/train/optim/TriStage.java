package w2v4j.train.optim;

import java.util.LinkedHashMap;
import java.util.Map;

import w2v4j.core.W2vException;

/**
 * fairseq's {@code tri_stage} schedule (fine-tuning): linear warm-up from {@code peak·initScale} to {@code peak} over
 * {@code warmup} updates, hold {@code peak} for {@code hold} updates, decay exponentially
 * {@code peak·exp(−ln(1/finalScale)/decay · t)} for t in [0, decay] (so it ends at {@code peak·finalScale}), then
 * stay there. Stage boundaries follow fairseq's {@code _decide_stage} exactly (the decay stage includes its last
 * step).
 */
public record TriStage(double peak, long warmup, long hold, long decay, double initScale, double finalScale)
        implements LrSchedule {

    public TriStage {
        if (warmup < 0 || hold < 0 || decay <= 0 || !(peak >= 0) || !(initScale >= 0)
                || !(finalScale > 0 && finalScale <= 1)) {
            throw new W2vException("tri_stage schedule needs steps >= 0 with decay > 0, lr >= 0, init_lr_scale >= 0,"
                    + " 0 < final_lr_scale <= 1; got warmup " + warmup + ", hold " + hold + ", decay " + decay
                    + ", lr " + peak + ", scales " + initScale + ", " + finalScale);
        }
    }

    /**
     * Steps from phase ratios of {@code maxUpdate}, truncated like fairseq's {@code int(max_update * ratio)}.
     * The ratios must add up to 1.
     */
    public static TriStage ofRatios(double peak, long maxUpdate, double[] ratios, double initScale,
            double finalScale) {
        if (ratios.length != 3) {
            throw new W2vException("phase_ratio needs 3 values (warm-up, hold, decay), got " + ratios.length);
        }
        if (Math.abs(ratios[0] + ratios[1] + ratios[2] - 1) > 1e-6) {
            throw new W2vException("phase_ratio must add up to 1, got " + ratios[0] + " + " + ratios[1] + " + "
                    + ratios[2]);
        }
        return new TriStage(peak, (long) (maxUpdate * ratios[0]), (long) (maxUpdate * ratios[1]),
                (long) (maxUpdate * ratios[2]), initScale, finalScale);
    }

    @Override
    public double lr(long u) {
        double init = initScale * peak;
        if (u < warmup) {
            return init + (peak - init) / warmup * u;
        }
        long t = u - warmup;
        if (t < hold) {
            return peak;
        }
        t -= hold;
        if (t <= decay) {
            return peak * Math.exp(-(-Math.log(finalScale) / decay) * t);
        }
        return finalScale * peak;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", "tri_stage");
        d.put("lr", peak);
        d.put("warmup_steps", warmup);
        d.put("hold_steps", hold);
        d.put("decay_steps", decay);
        d.put("init_lr_scale", initScale);
        d.put("final_lr_scale", finalScale);
        return d;
    }
}
