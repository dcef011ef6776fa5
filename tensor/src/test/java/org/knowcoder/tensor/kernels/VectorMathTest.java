package org.knowcoder.tensor.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.knowcoder.testing.Approx.assertClose;
import static org.knowcoder.testing.Approx.assertDot;
import static org.knowcoder.tensor.TestTensors.randomFloats;

/** Each op at offsets 3 and 5 into its arrays; elements outside [offset, offset + n) must not change. */
class VectorMathTest {
    private static final int AO = 3, BO = 5, PAD = 4;

    @ParameterizedTest(name = "n = {0}")
    @FieldSource("org.knowcoder.tensor.TestTensors#SIZES")
    void dot(int n) {
        Random rnd = new Random(n);
        float[] a = randomFloats(rnd, AO + n + PAD), b = randomFloats(rnd, BO + n + PAD);
        assertDot(a, AO, b, BO, n, VectorMath.dot(a, AO, b, BO, n), "dot n=" + n);
        assertDot(a, 0, a, 0, n, VectorMath.dot(a, 0, a, 0, n), "self dot n=" + n);
    }

    @ParameterizedTest(name = "n = {0}")
    @FieldSource("org.knowcoder.tensor.TestTensors#SIZES")
    void axpy(int n) {
        Random rnd = new Random(n);
        float[] x = randomFloats(rnd, AO + n + PAD), y = randomFloats(rnd, BO + n + PAD);
        float alpha = -1.75f;
        float[] y0 = y.clone();
        VectorMath.axpy(alpha, x, AO, y, BO, n);
        for (int i = 0; i < n; i++) {
            double expected = y0[BO + i] + (double) alpha * x[AO + i];
            // fused (one rounding) or not (two): at most an ulp or two of the larger term apart
            assertClose(expected, y[BO + i], Math.abs(y0[BO + i]) + Math.abs(alpha * x[AO + i]), 2e-7, 0, "axpy n=" + n + " i=" + i);
        }
        assertOutsideUnchanged(y0, y, BO, n);
    }

    @ParameterizedTest(name = "n = {0}")
    @FieldSource("org.knowcoder.tensor.TestTensors#SIZES")
    void addIsExact(int n) {
        Random rnd = new Random(n);
        float[] x = randomFloats(rnd, AO + n + PAD), y = randomFloats(rnd, BO + n + PAD);
        float[] expected = x.clone();
        for (int i = 0; i < n; i++) expected[AO + i] = x[AO + i] + y[BO + i];
        VectorMath.add(x, AO, y, BO, n);
        assertArrayEquals(expected, x);
    }

    @ParameterizedTest(name = "n = {0}")
    @FieldSource("org.knowcoder.tensor.TestTensors#SIZES")
    void scaleIsExact(int n) {
        float[] x = randomFloats(new Random(n), AO + n + PAD);
        float[] expected = x.clone();
        for (int i = 0; i < n; i++) expected[AO + i] = x[AO + i] * 0.3f;
        VectorMath.scale(x, AO, n, 0.3f);
        assertArrayEquals(expected, x);
    }

    static void assertOutsideUnchanged(float[] before, float[] after, int off, int n) {
        assertArrayEquals(Arrays.copyOfRange(before, 0, off), Arrays.copyOfRange(after, 0, off), "before the range");
        assertArrayEquals(Arrays.copyOfRange(before, off + n, before.length), Arrays.copyOfRange(after, off + n, after.length), "after the range");
    }
}
