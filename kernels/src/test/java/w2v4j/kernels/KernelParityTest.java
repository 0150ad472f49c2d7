package w2v4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import w2v4j.core.io.Json;
import w2v4j.core.io.Npy;

/**
 * Forward outputs and gradients against PyTorch autograd in float64
 * ({@code scripts/make_kernel_fixtures.py}; fixtures under {@code resources/kernels/<op>/<case>/}).
 * Each case feeds the stored {@code d_out} to the backward and requires, per tensor,
 * {@code max|ours - ref| / max|ref| <= 1e-5}: the kernels run in float32 on float32 inputs, whose
 * rounding (~6e-8) amplified by sums of up to a few hundred terms stays well below that, while any
 * wrong or missing term is O(1) relative.
 */
class KernelParityTest {

    static final double TOL = 1e-5;

    /** One fixture directory: its case.json and its tensors. */
    record Case(String name, Path dir, Json.Obj params) {
        static Case of(String op, String name) {
            try {
                Path dir = Path.of(KernelParityTest.class.getResource("/kernels/" + op + "/" + name).toURI());
                return new Case(op + "/" + name, dir, Json.readObject(dir.resolve("case.json")));
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }

        float[] get(String tensor) {
            return Npy.read(dir.resolve(tensor + ".npy")).data();
        }

        int i(String key) {
            return params.getInt(key);
        }

        /** Asserts {@code max|got - ref| / max|ref| <= TOL}, printing the number. */
        void check(String tensor, float[] got) {
            float[] ref = get(tensor);
            assertTrue(got.length == ref.length, name + " " + tensor + ": length " + got.length + " vs " + ref.length);
            double maxRef = 0, maxErr = 0;
            for (int i = 0; i < ref.length; i++) {
                maxRef = Math.max(maxRef, Math.abs(ref[i]));
                maxErr = Math.max(maxErr, Math.abs((double) got[i] - ref[i]));
            }
            double rel = maxErr / maxRef;
            System.out.printf("torch %-36s %-8s max|d|/max|ref| = %.2e%n", name, tensor, rel);
            assertTrue(rel <= TOL, name + " " + tensor + ": relative error " + rel);
        }
    }

    @Test
    void layerNorm() {
        Case c = Case.of("layer_norm", "rows30_dim48");
        int rows = c.i("rows"), dim = c.i("dim");
        float eps = (float) c.params().getDouble("eps");
        float[] inp = c.get("inp"), gamma = c.get("gamma");
        float[] out = new float[rows * dim], mean = new float[rows], rstd = new float[rows];
        LayerNorm.layerNorm(out, 0, inp, 0, gamma, c.get("beta"), rows, dim, eps, mean, rstd);
        float[] dInp = new float[rows * dim], dGamma = new float[dim], dBeta = new float[dim];
        LayerNorm.layerNormBackward(dInp, 0, dGamma, dBeta, c.get("d_out"), 0, inp, 0, gamma, mean, rstd, rows, dim);
        c.check("out", out);
        c.check("d_inp", dInp);
        c.check("d_gamma", dGamma);
        c.check("d_beta", dBeta);
    }

    @Test
    void groupNorm() {
        for (String name : new String[]{"per_channel", "grouped_padded"}) {
            Case c = Case.of("group_norm", name);
            int t = c.i("t"), valid = c.i("t_valid"), ch = c.i("channels"), groups = c.i("groups");
            float eps = (float) c.params().getDouble("eps");
            float[] inp = c.get("inp"), gamma = c.get("gamma");
            float[] out = new float[t * ch], mean = new float[groups], rstd = new float[groups];
            GroupNorm.groupNorm(out, inp, gamma, c.get("beta"), t, valid, ch, groups, eps, mean, rstd);
            float[] dInp = new float[t * ch], dGamma = new float[ch], dBeta = new float[ch];
            GroupNorm.groupNormBackward(dInp, dGamma, dBeta, c.get("d_out"), inp, gamma, mean, rstd, t, valid, ch,
                    groups);
            c.check("out", out);
            c.check("d_inp", dInp);
            c.check("d_gamma", dGamma);
            c.check("d_beta", dBeta);
        }
    }

    @Test
    void gelu() {
        Case c = Case.of("gelu", "n1000");
        int n = c.i("n");
        float[] inp = c.get("inp"), out = new float[n], dInp = new float[n];
        Gelu.gelu(out, 0, inp, 0, n);
        Gelu.geluBackward(dInp, 0, c.get("d_out"), 0, inp, 0, n);
        c.check("out", out);
        c.check("d_inp", dInp);
    }

    @Test
    void linear() {
        Case c = Case.of("linear", "rows30_48to40");
        int rows = c.i("rows"), in = c.i("in_dim"), outDim = c.i("out_dim");
        float[] inp = c.get("inp"), w = c.get("weight");
        float[] out = new float[rows * outDim];
        Linear.linear(out, 0, inp, 0, w, c.get("bias"), rows, in, outDim);
        float[] dInp = new float[rows * in], dW = new float[outDim * in], dB = new float[outDim];
        Linear.linearBackward(dInp, 0, dW, dB, c.get("d_out"), 0, inp, 0, w, rows, in, outDim);
        c.check("out", out);
        c.check("d_inp", dInp);
        c.check("d_weight", dW);
        c.check("d_bias", dB);
    }

    @Test
    void conv1d() {
        for (String name : new String[]{"first_layer", "strided", "grouped_even_kernel", "grouped_stride2"}) {
            Case c = Case.of("conv1d", name);
            int tIn = c.i("t_in"), cIn = c.i("c_in"), cOut = c.i("c_out"), k = c.i("kernel"), s = c.i("stride");
            int p = c.i("padding"), g = c.i("groups"), cg = cIn / g, tOut = Conv1d.outputLength(tIn, k, s, p);
            float[] inp = c.get("inp"), packed = ConvWeights.pack(c.get("weight"), cOut, cg, k);
            float[] out = new float[tOut * cOut];
            Conv1d.conv1d(out, inp, packed, c.get("bias"), tIn, cIn, cOut, k, s, p, g);
            float[] dInp = new float[tIn * cIn], dPacked = new float[packed.length], dB = new float[cOut];
            Conv1d.conv1dBackward(dInp, dPacked, dB, c.get("d_out"), inp, packed, tIn, cIn, cOut, k, s, p, g);
            c.check("out", out);
            c.check("d_inp", dInp);
            c.check("d_weight", ConvWeights.unpack(dPacked, cOut, cg, k));
            c.check("d_bias", dB);
        }
    }

    @Test
    void attention() {
        for (String name : new String[]{"padded_batch", "head_dim64"}) {
            Case c = Case.of("attention", name);
            int batch = c.i("batch"), t = c.i("t"), heads = c.i("heads"), hd = c.i("head_dim");
            int[] valid = c.params().getIntList("valid_length");
            float[] q = c.get("q"), k = c.get("k"), v = c.get("v");
            int n = q.length;
            float[] out = new float[n], lse = new float[batch * heads * t];
            Attention.attention(out, q, k, v, batch, t, heads, hd, valid, lse);
            float[] dq = new float[n], dk = new float[n], dv = new float[n];
            Attention.attentionBackward(dq, dk, dv, c.get("d_out"), q, k, v, out, lse, batch, t, heads, hd, valid);
            c.check("out", out);
            c.check("d_q", dq);
            c.check("d_k", dk);
            c.check("d_v", dv);
            // Only dV wanted: the same dV, dQ and dK skipped.
            float[] dvOnly = new float[n];
            Attention.attentionBackward(null, null, dvOnly, c.get("d_out"), q, k, v, out, lse, batch, t, heads, hd,
                    valid);
            assertArrayEquals(dv, dvOnly, name + ": dV alone differs from dV with dQ, dK");
        }
    }
}
