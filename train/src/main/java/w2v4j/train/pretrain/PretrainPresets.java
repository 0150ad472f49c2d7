package w2v4j.train.pretrain;

import w2v4j.train.run.TrainConfig;

/**
 * Training hyper-parameters that go with each model preset. BASE and LARGE follow the paper
 * (fairseq's wav2vec2_base_librispeech / large_lv60 recipes); micro and tiny are sized for a
 * 2-core CPU and minutes of training: short crops, small batches, a short warm-up and a higher
 * peak learning rate, which small models tolerate.
 */
public final class PretrainPresets {
    private PretrainPresets() {
    }

    public static TrainConfig config(String preset) {
        TrainConfig c = new TrainConfig();
        boolean large = preset.equals("large");
        switch (preset) {
            case "micro" -> {
                c.lr = 2e-3;
                c.warmupUpdates = 40;
                c.maxUpdate = 400;
                c.maxTokens = 16000 * 40;
                c.maxSampleSize = 16000 * 5;
                c.minSampleSize = 16000 * 2;
                c.clipNorm = 10;
                c.logInterval = 10;
                c.validateInterval = 50;
                c.saveInterval = 100;
            }
            case "tiny" -> {
                c.lr = 1e-3;
                c.warmupUpdates = 200;
                c.maxUpdate = 2000;
                c.maxTokens = 16000 * 60;
                c.maxSampleSize = 16000 * 8;
                c.minSampleSize = 16000 * 2;
                c.clipNorm = 10;
                c.logInterval = 20;
                c.validateInterval = 200;
                c.saveInterval = 500;
            }
            case "base" -> {
                c.lr = 5e-4;
                c.warmupUpdates = 32_000;
                c.maxUpdate = 400_000;
                c.maxTokens = 1_400_000;
                c.maxSampleSize = 250_000;
            }
            case "large" -> {
                c.lr = 3e-4;
                c.warmupUpdates = 32_000;
                c.maxUpdate = 600_000;
                c.maxTokens = 1_200_000;
                c.maxSampleSize = 320_000;
            }
            default -> throw new w2v4j.core.W2vException("unknown preset '" + preset + "'");
        }
        c.trainSubset = "pretrain";
        c.validSubset = "pretrain-valid";
        return PretrainTask.defineKeys(c, large);
    }
}
