package w2v4j.train.finetune;

import w2v4j.train.run.TrainConfig;

/**
 * Fine-tuning hyper-parameters per model preset. BASE/LARGE follow fairseq's base_10m recipe
 * (tri-stage schedule, Adam eps 1e-8, no weight decay, 13k updates, head only for the first 10k);
 * micro and tiny are scaled to minutes on a 2-core CPU with the same shape of schedule.
 */
public final class FinetunePresets {
    private FinetunePresets() {
    }

    public static TrainConfig config(String preset) {
        TrainConfig c = new TrainConfig();
        c.lrScheduler = "tri_stage";
        c.phaseRatio = new double[]{0.1, 0.4, 0.5};
        c.adamEps = 1e-8;
        c.weightDecay = 0;
        c.bestMetric = "wer";
        c.trainSubset = "train-10m";
        c.validSubset = "dev";
        c.minSampleSize = 0;
        long freeze;
        switch (preset) {
            case "micro", "tiny" -> {
                c.lr = preset.equals("micro") ? 1e-3 : 5e-4;
                c.maxUpdate = 600;
                c.maxTokens = 16000 * 60;
                c.maxSampleSize = 16000 * 16;
                c.logInterval = 20;
                c.validateInterval = 100;
                c.saveInterval = 200;
                freeze = 50;
            }
            case "base", "large" -> {
                c.lr = preset.equals("base") ? 5e-5 : 3e-5;
                c.maxUpdate = 13_000;
                c.maxTokens = 3_200_000;
                c.maxSampleSize = 16000 * 35;
                c.logInterval = 200;
                c.validateInterval = 1000;
                c.saveInterval = 1000;
                freeze = 10_000;
            }
            default -> throw new w2v4j.core.W2vException("unknown preset '" + preset + "'");
        }
        FinetuneTask.defineKeys(c);
        c.set("freeze_finetune_updates", String.valueOf(freeze));
        return c;
    }
}
