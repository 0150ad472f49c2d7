package w2v4j.train.optim;

import java.util.LinkedHashMap;
import java.util.Map;

import w2v4j.core.W2vException;

/**
 * fairseq's {@code polynomial_decay}: linear warm-up from 0 to {@code peak} over {@code warmup} updates, then
 * {@code (peak − end)·(1 − (u − warmup)/(total − warmup))^power + end} until {@code total}, then {@code end}.
 * With warm-up the first update runs at lr 0 (fairseq does the same: it calls step_update(0) before training).
 */
public record PolynomialDecay(double peak, long warmup, long total, double end, double power) implements LrSchedule {

    public PolynomialDecay {
        if (warmup < 0 || total <= 0 || !(peak >= 0) || !(end >= 0) || !(power > 0)) {
            throw new W2vException("polynomial schedule needs warmup_updates >= 0, total_num_update > 0, lr >= 0,"
                    + " end_lr >= 0, power > 0; got warmup " + warmup + ", total " + total + ", lr " + peak
                    + ", end " + end + ", power " + power);
        }
        if (warmup >= total) {
            throw new W2vException("warmup_updates (" + warmup + ") must be below total_num_update (" + total + ")");
        }
    }

    @Override
    public double lr(long u) {
        if (warmup > 0 && u <= warmup) {
            return peak * ((double) u / warmup);
        }
        if (u >= total) {
            return end;
        }
        double remaining = 1 - (double) (u - warmup) / (total - warmup);
        return (peak - end) * Math.pow(remaining, power) + end;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", "polynomial");
        d.put("lr", peak);
        d.put("warmup_updates", warmup);
        d.put("total_num_update", total);
        d.put("end_lr", end);
        d.put("power", power);
        return d;
    }
}
