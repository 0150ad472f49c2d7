package w2v4j.tests;

import org.junit.jupiter.api.Test;
import w2v4j.kernels.Backend;
import w2v4j.kernels.Backends;
import w2v4j.model.HfCheckpoint;
import w2v4j.model.Inference;
import w2v4j.model.TrainOptions;
import w2v4j.model.TrainingGraph;
import w2v4j.model.Wav2Vec2Model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The training forward (activations kept for the backward) computes the same function as the
 * inference forward: without dropout and masking, its context output equals {@link Inference}'s
 * final hidden states on every parity model, for single utterances and a padded batch.
 * Tolerance 1e-6 relative: the two paths run the same kernels in the same order, so any
 * difference is a semantic one.
 */
class TrainingForwardTest {
    @Test
    void trainingForwardEqualsInference() throws Exception {
        try (var dirs = Files.list(ParityTest.fixtures()); Backend be = Backends.get("java", 0)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                Wav2Vec2Model model = HfCheckpoint.load(dir);
                List<float[]> waves = ParityTest.inputs(dir);
                Inference.Output ref = new Inference(model, be).run(waves, 0, false);
                TrainingGraph.Forward f = new TrainingGraph(model, be).forward(waves, null, null, TrainOptions.EXACT, 1);
                for (int b = 0; b < waves.size(); b++) {
                    assertEquals(ref.frames()[b], f.frames[b]);
                    double maxErr = 0, maxRef = 0;
                    for (int i = 0; i < ref.frames()[b] * f.dim; i++) {
                        float expected = ref.hidden()[b][i], actual = f.context[b * f.tMax * f.dim + i];
                        maxErr = Math.max(maxErr, Math.abs(expected - actual));
                        maxRef = Math.max(maxRef, Math.abs(expected));
                    }
                    assertEquals(0, maxErr / maxRef, 1e-6, dir.getFileName() + " utterance " + b);
                }
            }
        }
    }
}
