package w2v4j.tests;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import w2v4j.core.io.Json;
import w2v4j.core.io.Npy;
import w2v4j.kernels.Backend;
import w2v4j.kernels.Backends;
import w2v4j.model.HfCheckpoint;
import w2v4j.model.Inference;
import w2v4j.model.Wav2Vec2Model;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Forward-pass parity against torchaudio (float64 reference, scripts/make_parity_fixtures.py):
 * every case, every input alone and all inputs as one padded batch, final output, every layer's
 * output and the CTC logits.
 *
 * <p>Tolerance: max |ours - ref| / max |ref| <= 1e-4 per tensor. Our float32 forward differs from
 * the float64 reference by accumulated rounding (~1e-6 relative for these small models), so 1e-4
 * leaves room for summation-order differences of the blocked kernels while still catching any
 * semantic error (a wrong norm, mask or weight layout changes outputs by 1e-2 or more).
 */
class ParityTest {
    static final double TOLERANCE = 1e-4;
    /** Worst relative error seen per case, printed so that runs report the margin, not just a pass. */
    static final java.util.Map<String, Double> WORST = new java.util.concurrent.ConcurrentSkipListMap<>();

    static Path fixtures() throws URISyntaxException {
        return Path.of(ParityTest.class.getResource("/parity").toURI());
    }

    @TestFactory
    Stream<DynamicTest> parity() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(fixtures())) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                tests.add(DynamicTest.dynamicTest(dir.getFileName().toString(), () -> checkCase(dir)));
            }
        }
        assertTrue(tests.size() >= 4, "expected at least 4 parity cases, found " + tests.size());
        return tests.stream();
    }

    static List<float[]> inputs(Path dir) throws IOException {
        List<float[]> waves = new ArrayList<>();
        for (int i = 0; Files.exists(dir.resolve("input_" + i + ".npy")); i++) waves.add(Npy.read(dir.resolve("input_" + i + ".npy")).data());
        return waves;
    }

    static void checkCase(Path dir) throws Exception {
        Wav2Vec2Model model = HfCheckpoint.load(dir);
        List<float[]> waves = inputs(dir);
        assertTrue(waves.size() >= 2, dir + ": needs at least two inputs for the batch check");
        try (Backend be = Backends.get("java", 0)) {
            Inference inf = new Inference(model, be);
            boolean ctc = model.heads.ctc();
            // one by one, capturing each layer in turn
            for (int i = 0; i < waves.size(); i++) {
                for (int layer = 1; layer <= model.numLayers(); layer++) {
                    Inference.Output o = inf.run(List.of(waves.get(i)), layer, ctc);
                    compare(dir, "expected_layer" + layer + "_" + i + ".npy", o.layer()[0], o.frames()[0]);
                    if (layer == 1) {
                        compare(dir, "expected_hidden_" + i + ".npy", o.hidden()[0], o.frames()[0]);
                        if (ctc) compare(dir, "expected_logits_" + i + ".npy", o.logits()[0], o.frames()[0]);
                    }
                }
            }
            // all inputs as one padded batch
            Inference.Output o = inf.run(waves, model.numLayers(), ctc);
            for (int i = 0; i < waves.size(); i++) {
                compare(dir, "expected_hidden_" + i + ".npy", o.hidden()[i], o.frames()[i]);
                compare(dir, "expected_layer" + model.numLayers() + "_" + i + ".npy", o.layer()[i], o.frames()[i]);
                if (ctc) compare(dir, "expected_logits_" + i + ".npy", o.logits()[i], o.frames()[i]);
            }
        }
        System.out.printf("parity %-22s worst relative error %.2e (tolerance %.0e)%n", dir.getFileName(), WORST.get(dir.getFileName().toString()), TOLERANCE);
    }

    static void compare(Path dir, String file, float[] actual, int frames) throws IOException {
        Npy.NpyArray expected = Npy.read(dir.resolve(file));
        assertEquals(frames, expected.shape()[0], dir.getFileName() + "/" + file + ": frame count");
        assertEquals(expected.data().length, actual.length, dir.getFileName() + "/" + file + ": size");
        double maxErr = 0, maxRef = 0;
        for (int j = 0; j < actual.length; j++) {
            maxErr = Math.max(maxErr, Math.abs(actual[j] - expected.data()[j]));
            maxRef = Math.max(maxRef, Math.abs(expected.data()[j]));
        }
        double rel = maxErr / maxRef;
        WORST.merge(dir.getFileName().toString(), rel, Math::max);
        assertTrue(rel <= TOLERANCE, dir.getFileName() + "/" + file + ": relative error " + rel + " > " + TOLERANCE);
    }
}
