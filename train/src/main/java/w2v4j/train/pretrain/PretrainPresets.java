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
                // 2e-3 kept the contrastive loss on its initial plateau (ln(K+1)) for hundreds of updates; 5e-4 leaves it
                c.lr = 5e-4;
                c.warmupUpdates = 100;
                c.maxUpdate = 1000;
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
        PretrainTask.defineKeys(c, large);
        if (preset.equals("micro") || preset.equals("tiny")) {
            // Minutes of training, not days: the Gumbel temperature must anneal within the run, and a model this
            // small underfits, so no dropout or layer drop, and the feature encoder learns at full rate.
            c.set("latent_temp", "[2, 0.5, 0.995]");
            c.set("feature_grad_mult", "1.0");
            for (String k : new String[]{"dropout", "dropout_input", "dropout_features", "encoder_layerdrop"}) c.set(k, "0");
        }
        return c;
    }
}
