package w2v4j.train.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Dense's parallel, vectorisable loops sum every output in the same order as the plain loops below
 * (the bias, then the terms in increasing index), so they must agree bit for bit, with shapes large
 * enough to be split across threads and zero gradient entries (skipped) included.
 */
class DenseTest {

    static double[] forwardPlain(double[] x, int n, int in, float[] w, float[] b, int out) {
        double[] y = new double[n * out];
        for (int r = 0; r < n; r++)
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int i = 0; i < in; i++) s += x[r * in + i] * w[o * in + i];
                y[r * out + o] = s;
            }
        return y;
    }

    static void backwardPlain(double[] dy, double[] x, int n, int in, float[] w, int out, double[] dx, float[] dw, float[] db) {
        java.util.Arrays.fill(dx, 0.0);
        double[] gw = new double[out * in], gb = new double[out];
        for (int r = 0; r < n; r++)
            for (int o = 0; o < out; o++) {
                double g = dy[r * out + o];
                if (g == 0.0) continue;
                gb[o] += g;
                for (int i = 0; i < in; i++) {
                    dx[r * in + i] += g * w[o * in + i];
                    gw[o * in + i] += g * x[r * in + i];
                }
            }
        for (int j = 0; j < gw.length; j++) dw[j] += (float) gw[j];
        for (int o = 0; o < out; o++) db[o] += (float) gb[o];
    }

    @Test
    void parallelLoopsEqualThePlainOnesBitForBit() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 97, in = 130, out = 75;
        double[] x = new double[n * in], dy = new double[n * out];
        float[] w = new float[out * in], b = new float[out];
        for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian();
        for (int i = 0; i < dy.length; i++) dy[i] = i % 7 == 0 ? 0.0 : r.nextGaussian();
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        assertArrayEquals(forwardPlain(x, n, in, w, b, out), Dense.forward(x, n, in, w, b, out), "forward");

        double[] dxRef = new double[n * in], dx = new double[n * in];
        float[] dwRef = new float[out * in], dw = new float[out * in], dbRef = new float[out], db = new float[out];
        for (int i = 0; i < dw.length; i++) dwRef[i] = dw[i] = (float) r.nextGaussian(); // accumulates
        backwardPlain(dy, x, n, in, w, out, dxRef, dwRef, dbRef);
        Dense.backward(dy, x, n, in, w, out, dx, dw, db);
        assertArrayEquals(dxRef, dx, "dx");
        assertArrayEquals(dwRef, dw, "dw");
        assertArrayEquals(dbRef, db, "db");
    }
}
