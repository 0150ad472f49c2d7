package w2v4j.train.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import w2v4j.core.W2vException;
import w2v4j.core.tensor.Tensor;
import w2v4j.model.Param;

class AdamTest {

    /*
     * Expected values from fairseq's Adam step written out in PyTorch 1.13 float32 (/usr/bin/python3):
     *
     *   p = torch.tensor([0.5, -1.0, 2.0, 0.0]); m = torch.zeros(4); v = torch.zeros(4)
     *   grads = [[0.1, -0.2, 0.3, 0.0], [-0.05, 0.4, 0.3, 1e-3]]; lrs = [1e-3, 2e-3]
     *   b1, b2, eps, wd = 0.9, 0.98, 1e-6, 0.01
     *   for t, (g, lr) in enumerate(zip(grads, lrs), 1):
     *       m.mul_(b1).add_(g, alpha=1 - b1); v.mul_(b2).addcmul_(g, g, value=1 - b2)
     *       denom = v.sqrt().add_(eps); step = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
     *       p.add_(p, alpha=-wd * lr); p.addcdiv_(m, denom, value=-step)
     */
    private static final float[] P1 = {0.4989950656890869f, -0.998989999294281f, 1.9989800453186035f, 0.0f};
    private static final float[] P2 = {0.49845090508461f, -0.999700129032135f, 1.9969401359558105f,
        -0.001470784074626863f};
    private static final float[] M2 = {0.004000000189989805f, 0.02199999988079071f, 0.05700000375509262f,
        0.00010000000474974513f};
    private static final float[] V2 = {0.0002460000105202198f, 0.003984000068157911f, 0.0035640003625303507f,
        2.000000165480742e-08f};

    private static Param param(float... values) {
        Param p = new Param("w", values.length);
        System.arraycopy(values, 0, p.value, 0, values.length);
        return p;
    }

    @Test
    void twoStepsMatchFairseqAdamInPyTorch() {
        Param p = param(0.5f, -1f, 2f, 0f);
        Adam adam = Adam.pretraining(List.of(p));
        System.arraycopy(new float[] {0.1f, -0.2f, 0.3f, 0f}, 0, p.grad(), 0, 4);
        adam.step(1e-3);
        assertClose(P1, p.value, 2e-7);
        System.arraycopy(new float[] {-0.05f, 0.4f, 0.3f, 1e-3f}, 0, p.grad(), 0, 4);
        adam.step(2e-3);
        assertClose(P2, p.value, 2e-7);
        Map<String, Tensor> state = adam.stateTensors();
        assertClose(M2, state.get("m.w").data(), 1e-6 * 0.06);
        assertClose(V2, state.get("v.w").data(), 1e-6 * 0.004);
        assertEquals(2, adam.steps());
    }

    @Test
    void firstStepByHand() {
        // Step 1: m = 0.1·g, v = 0.02·g², step size lr·sqrt(0.02)/0.1, so the Adam move is ≈ lr·sign(g) (ε aside),
        // and the decay takes lr·wd·p first.
        Param p = param(0.5f);
        p.grad()[0] = 0.1f;
        new Adam(List.of(p), 0.9, 0.98, 1e-6, 0.01).step(1e-3);
        double m = 0.01, v = 0.0002;
        double expected = 0.5 - 1e-3 * 0.01 * 0.5 - 1e-3 * Math.sqrt(0.02) / 0.1 * m / (Math.sqrt(v) + 1e-6);
        assertEquals(expected, p.value[0], 1e-7);
    }

    @Test
    void stateRoundTripContinuesIdentically() {
        Param a = param(1f, 2f, 3f), b = param(1f, 2f, 3f);
        Adam first = Adam.pretraining(List.of(a));
        for (int t = 0; t < 3; t++) {
            a.grad()[t] = 0.5f * (t + 1);
            first.step(1e-2);
        }
        System.arraycopy(a.value, 0, b.value, 0, 3);
        Adam second = Adam.pretraining(List.of(b));
        second.loadState(first.stateTensors(), first.steps(), Path.of("state.safetensors"));
        for (int t = 0; t < 3; t++) {
            a.grad()[t] = -0.25f * t;
            b.grad()[t] = -0.25f * t;
        }
        first.step(3e-3);
        second.step(3e-3);
        for (int i = 0; i < 3; i++) {
            assertEquals(Float.floatToIntBits(a.value[i]), Float.floatToIntBits(b.value[i]));
        }
    }

    @Test
    void missingStateNamesTheFileAndTensor() {
        Adam adam = Adam.pretraining(List.of(param(1f)));
        W2vException e = assertThrows(W2vException.class,
                () -> adam.loadState(Map.of(), 1, Path.of("ck/trainer_state.safetensors")));
        assertEquals("ck/trainer_state.safetensors: missing optimizer state 'm.w'", e.getMessage());
    }

    static void assertClose(float[] expected, float[] actual, double tol) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, "index " + i);
        }
    }
}
