package w2v4j.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import w2v4j.kernels.Backend;
import w2v4j.kernels.Backends;
import w2v4j.model.HfCheckpoint;
import w2v4j.model.TrainOptions;
import w2v4j.model.Wav2Vec2Model;
import w2v4j.train.pretrain.PretrainStep;

/**
 * The feature penalty of a batch whose utterances differ in length is the mean square over the
 * valid frames only: the count-weighted mean of each utterance's own penalty. (The padded rows are
 * zero and the sum is divided by the valid count; reading the first {@code count} values of the
 * padded layout instead would skip the last utterance's frames.)
 */
class FeaturePenaltyPaddingTest {
    @Test
    void paddedBatchPenaltyIsTheCountWeightedMeanOfTheUtterances() throws Exception {
        PretrainFixture fx = PretrainFixture.load("base_like");
        Wav2Vec2Model model = HfCheckpoint.load(fx.dir());
        float[] full = fx.waves().get(0);
        List<float[]> waves = List.of(Arrays.copyOf(full, full.length / 2), full);
        var settings = new PretrainStep.Settings(0.65, 2, 1, 0, 10.0, 0.1, TrainOptions.EXACT);
        try (Backend java = Backends.get("java", 0)) {
            PretrainStep step = new PretrainStep(model, java, settings);
            double weighted = 0, count = 0;
            for (float[] w : waves) {
                List<float[]> one = List.of(w);
                double pen = step.run(one, step.sample(one, false, new SplittableRandom(1)), 2.0, false, 0).lossFeaturesPen();
                int frames = model.frames(w.length);
                weighted += pen * frames;
                count += frames;
            }
            double batch = step.run(waves, step.sample(waves, false, new SplittableRandom(1)), 2.0, false, 0).lossFeaturesPen();
            assertTrue(model.frames(waves.get(0).length) < model.frames(waves.get(1).length), "the batch is padded");
            // both sides sum the same squares in float-lane blocks and double: a few ulps of a double
            assertEquals(weighted / count, batch, 1e-6 * batch, "penalty of the padded batch");
        }
    }
}
