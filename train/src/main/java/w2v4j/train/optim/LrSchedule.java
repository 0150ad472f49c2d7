package w2v4j.train.optim;

import java.util.Map;

/**
 * A learning-rate schedule: a pure function of the number of updates already done, so resuming needs no state beyond
 * the update count. {@code lr(u)} is the rate used by update u+1, as fairseq's {@code step_update(num_updates)} sets
 * it after each step (and {@code step_update(0)} before the first).
 */
public interface LrSchedule {
    double lr(long updatesDone);

    /** The schedule's name and parameters, recorded in checkpoints. */
    Map<String, Object> describe();
}
