package org.knowcoder.tensor.kernels;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.knowcoder.testing.Approx.assertAllClose;
import static org.knowcoder.tensor.TestTensors.randomFloats;
import static org.knowcoder.tensor.kernels.VectorMathTest.assertOutsideUnchanged;

/** RmsNorm, Softmax and SiluGate (and its gradients) against scalar double versions, at offsets into their arrays. */
class ElementwiseKernelsTest {
    private static final int OFF = 2, PAD = 3;

    @ParameterizedTest(name = "n = {0}")
    @FieldSource("org.knowcoder.tensor.TestTensors#SIZES")
    void rmsNorm(int n) {
        Random rnd = new Random(n);
        float[] x = randomFloats(rnd, OFF + n), weight = randomFloats(rnd, n), out = randomFloats(rnd, 1 + n + PAD);
        float eps = 1e-5f;
        double ss = 0;
        for (int i = 0; i < n; i++) ss += (double) x[OFF + i] * x[OFF + i];
        double inv = 1 / Math.sqrt(ss / n + eps);
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) expected[i] = x[OFF + i] * inv * weight[i];
        float[] before = out.clone();
        RmsNorm.apply(out, 1, x, OFF, weight, n, eps);
        assertAllClose(expected, out, 1, 1e-5, 1e-6, "rmsnorm n=" + n);
        assertOutsideUnchanged(before, out, 1, n);
    }

    @ParameterizedTest(name = "n = {0}")
    @FieldSource("org.knowcoder.tensor.TestTensors#SIZES")
    void softmax(int n) {
        Random rnd = new Random(n);
        float[] x = randomFloats(rnd, OFF + n + PAD);
        for (int i = 0; i < n; i++) x[OFF + i] *= 40; // large logits: must not overflow
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, x[OFF + i]);
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) sum += expected[i] = Math.exp(x[OFF + i] - max);
        for (int i = 0; i < n; i++) expected[i] /= sum;
        float[] before = x.clone();
        Softmax.apply(x, OFF, n);
        assertAllClose(expected, x, OFF, 1e-5, 1e-7, "softmax n=" + n);
        assertOutsideUnchanged(before, x, OFF, n);
    }

    @Test
    void softmaxOfEqualLogitsIsUniform() {
        float[] x = new float[37];
        java.util.Arrays.fill(x, -3.5f);
        Softmax.apply(x, 0, x.length);
        for (float v : x) assertEquals(1.0 / 37, v, 1e-7);
        float[] one = {123f};
        Softmax.apply(one, 0, 1);
        assertEquals(1f, one[0]);
    }

    @ParameterizedTest(name = "n = {0}")
    @FieldSource("org.knowcoder.tensor.TestTensors#SIZES")
    void siluGate(int n) {
        Random rnd = new Random(n);
        float[] gate = randomFloats(rnd, OFF + n + PAD), up = randomFloats(rnd, 1 + n);
        for (int i = 0; i < gate.length; i++) gate[i] *= 8;
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            double g = gate[OFF + i];
            expected[i] = g / (1 + Math.exp(-g)) * up[1 + i];
        }
        float[] before = gate.clone();
        SiluGate.apply(gate, OFF, up, 1, n);
        assertAllClose(expected, gate, OFF, 1e-5, 1e-7, "silu gate n=" + n);
        assertOutsideUnchanged(before, gate, OFF, n);
    }

    /** The gradients over a range [from, to) inside the arrays: added to what dg and du held, nothing outside it touched. */
    @ParameterizedTest(name = "n = {0}")
    @FieldSource("org.knowcoder.tensor.TestTensors#SIZES")
    void siluGateBackward(int n) {
        Random rnd = new Random(100 + n);
        int len = OFF + n + PAD;
        float[] g = randomFloats(rnd, len), u = randomFloats(rnd, len), dy = randomFloats(rnd, len);
        float[] dg = randomFloats(rnd, len), du = randomFloats(rnd, len);
        for (int i = 0; i < len; i++) g[i] *= 8;
        double[] wantG = new double[n], wantU = new double[n];
        for (int i = 0; i < n; i++) {
            int j = OFF + i;
            double s = 1 / (1 + Math.exp(-g[j]));
            wantG[i] = dg[j] + (double) dy[j] * u[j] * s * (1 + g[j] * (1 - s));
            wantU[i] = du[j] + (double) dy[j] * g[j] * s;
        }
        float[] dgBefore = dg.clone(), duBefore = du.clone();
        SiluGate.backward(g, u, dy, dg, du, OFF, OFF + n);
        assertAllClose(wantG, dg, OFF, 1e-5, 1e-6, "dgate n=" + n);
        assertAllClose(wantU, du, OFF, 1e-5, 1e-6, "dup n=" + n);
        assertOutsideUnchanged(dgBefore, dg, OFF, n);
        assertOutsideUnchanged(duBefore, du, OFF, n);
        float[] onlyU = duBefore.clone();
        SiluGate.backward(g, u, dy, null, onlyU, OFF, OFF + n);
        assertArrayEquals(du, onlyU, "du alone, dg not wanted");
    }

    /** An element's bits do not depend on the range it was computed in: any split over threads gives the same result. */
    @ParameterizedTest(name = "n = {0}")
    @FieldSource("org.knowcoder.tensor.TestTensors#SIZES")
    void siluGateSplitAnywhere(int n) {
        Random rnd = new Random(200 + n);
        float[] g = randomFloats(rnd, n), u = randomFloats(rnd, n), whole = new float[n], split = new float[n];
        SiluGate.apply(g, 0, u, 0, whole, 0, n);
        int cut = n / 3;
        SiluGate.apply(g, 0, u, 0, split, 0, cut);
        SiluGate.apply(g, cut, u, cut, split, cut, n - cut);
        assertArrayEquals(whole, split);
    }
}
