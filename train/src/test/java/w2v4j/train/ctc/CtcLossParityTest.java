package w2v4j.train.ctc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import w2v4j.core.io.Json;
import w2v4j.core.io.Npy;

/**
 * Parity with {@code torch.nn.functional.ctc_loss(log_softmax(logits))} in float64
 * ({@code scripts/make_ctc_fixtures.py}): eight utterances of one padded batch covering a long
 * sharp utterance, a target of length 1, repeated labels, a tight fit, two impossible targets
 * (L &gt; T, and L ≤ T but too many repeats), an empty target and padding that must be ignored.
 *
 * <p>Tolerance 1e-6, relative: both sides compute in double from the same float32-representable
 * logits, so they differ only by summation order and libm rounding (~1e-13 measured); our gradient
 * is then rounded to float32 when added to {@code dLogits} (2^-24 ≈ 6e-8 relative). Gradients are
 * compared as max|Δ| / max|ref| over the finite entries (per-element relative error is meaningless
 * for entries near 0). Any wrong term (a missing skip, a wrong scale) is O(1) of the gradient.
 *
 * <p>With zero_infinity=False torch's loss is +∞ and its gradient NaN on the rows of the impossible
 * utterances: we require the same NaN positions exactly, and parity on all other entries.
 */
class CtcLossParityTest {

    static final double TOL = 1e-6;

    static Path resource(String name) {
        try {
            return Path.of(CtcLossParityTest.class.getResource("/ctc/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A little-endian float64 .npy (version 1, C order), which is what np.save writes for the gradients. */
    static double[] readF64(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int headerLen = bb.getShort(8) & 0xffff;
            String header = new String(bytes, 10, headerLen, StandardCharsets.US_ASCII);
            assertTrue(header.contains("'descr': '<f8'") && header.contains("'fortran_order': False"), header);
            Matcher sm = Pattern.compile("'shape': \\(([^)]*)\\)").matcher(header);
            assertTrue(sm.find(), header);
            int n = 1;
            for (String d : sm.group(1).split(",")) if (!d.isBlank()) n *= Integer.parseInt(d.trim());
            double[] out = new double[n];
            bb.position(10 + headerLen);
            bb.asDoubleBuffer().get(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Case(float[] logits, int batch, int tMax, int vocab, int blank, int[] frames, int[][] targets, Json.Obj json) {
        static Case load() {
            Json.Obj js = Json.readObject(resource("case.json"));
            List<?> tl = (List<?>) js.get("targets");
            int[][] targets = new int[tl.size()][];
            for (int b = 0; b < targets.length; b++) targets[b] = ((List<?>) tl.get(b)).stream().mapToInt(o -> (int) (long) (Long) o).toArray();
            return new Case(Npy.read(resource("logits.npy")).data(), js.getInt("B"), js.getInt("T_MAX"), js.getInt("V"), js.getInt("blank"),
                    js.getIntList("frames"), targets, js);
        }

        double[] doubles(String key) {
            return ((List<?>) json.get(key)).stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray();
        }
    }

    static double relErr(double a, double b) {
        return b == 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b);
    }

    @ParameterizedTest
    @CsvSource({"SUM, false", "SUM, true", "MEAN, false", "MEAN, true"})
    void lossAndGradientMatchTorch(CtcLoss.Reduction reduction, boolean zeroInfinity) {
        Case c = Case.load();
        String key = reduction.name().toLowerCase() + "_zi" + (zeroInfinity ? 1 : 0);
        float[] grad = new float[c.logits().length];
        CtcLoss.Result r = CtcLoss.compute(c.logits(), c.frames(), c.tMax(), c.vocab(), c.targets(), c.blank(), reduction, zeroInfinity, grad);

        double refLoss = c.json().getDouble("loss_" + key);
        if (Double.isInfinite(refLoss)) assertEquals(refLoss, r.loss(), key + " loss");
        else assertTrue(relErr(r.loss(), refLoss) <= TOL, key + " loss " + r.loss() + " vs " + refLoss);
        double[] refLosses = c.doubles("loss_none_zi" + (zeroInfinity ? 1 : 0));
        for (int b = 0; b < c.batch(); b++) {
            if (Double.isInfinite(refLosses[b])) assertEquals(refLosses[b], r.losses()[b], "utterance " + b);
            else assertTrue(relErr(r.losses()[b], refLosses[b]) <= TOL, "utterance " + b + ": " + r.losses()[b] + " vs " + refLosses[b]);
        }
        assertEquals(2, r.impossible(), "utterances 4 and 5 cannot be aligned");

        double[] ref = readF64(resource("grad_" + key + ".npy"));
        double num = 0, den = 0;
        for (int i = 0; i < ref.length; i++) {
            assertEquals(Double.isNaN(ref[i]), Float.isNaN(grad[i]), "NaN at " + i);
            if (Double.isNaN(ref[i])) continue;
            num = Math.max(num, Math.abs(grad[i] - ref[i]));
            den = Math.max(den, Math.abs(ref[i]));
        }
        System.out.printf("ctc parity %s: loss rel err %.2e, gradient max|d|/max|ref| %.2e%n",
                key, Double.isInfinite(refLoss) ? 0 : relErr(r.loss(), refLoss), num / den);
        assertTrue(num / den <= TOL, key + " gradient rel err " + num / den);
    }

    @Test
    void paddedRowsGetNoGradientAndGradientAccumulates() {
        Case c = Case.load();
        float[] once = new float[c.logits().length], twice = new float[c.logits().length];
        CtcLoss.compute(c.logits(), c.frames(), c.tMax(), c.vocab(), c.targets(), c.blank(), CtcLoss.Reduction.SUM, true, once);
        CtcLoss.compute(c.logits(), c.frames(), c.tMax(), c.vocab(), c.targets(), c.blank(), CtcLoss.Reduction.SUM, true, twice);
        CtcLoss.Result r = CtcLoss.compute(c.logits(), c.frames(), c.tMax(), c.vocab(), c.targets(), c.blank(), CtcLoss.Reduction.SUM, true, twice);
        // the same float g added twice is exactly 2g: accumulation is "+=", deterministic per utterance
        for (int i = 0; i < once.length; i++) assertEquals(2 * once[i], twice[i], "entry " + i);
        for (int b = 0; b < c.batch(); b++) {
            for (int i = (b * c.tMax() + c.frames()[b]) * c.vocab(); i < (b + 1) * c.tMax() * c.vocab(); i++) assertEquals(0f, once[i], "padding " + i);
        }
        CtcLoss.Result noGrad = CtcLoss.compute(c.logits(), c.frames(), c.tMax(), c.vocab(), c.targets(), c.blank(), CtcLoss.Reduction.SUM, true, null);
        assertEquals(r.loss(), noGrad.loss());
    }
}
