package org.knowcoder.testing;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The tolerances of every module's tests: float comparisons that allow for a different summation
 * order (vector lanes, FMA, another device) than the reference, but not for a wrong or missing term.
 */
public final class Approx {
    private Approx() {}

    /** Relative tolerance of a float sum, as a fraction of the sum of the magnitudes of its terms. */
    public static final double SUM_REL = 2e-5;

    /** |expected - actual| <= rel * scale + abs, where scale is e.g. the sum of |terms| of a dot product. */
    public static void assertClose(double expected, float actual, double scale, double rel, double abs, String what) {
        double error = Math.abs(expected - actual);
        if (!(error <= rel * scale + abs)) {
            fail(what + ": expected " + expected + " but was " + actual + " (error " + error
                    + ", allowed " + (rel * scale + abs) + ")");
        }
    }

    /** Element-wise relative comparison with a small absolute floor. */
    public static void assertAllClose(double[] expected, float[] actual, int actualOffset, double rel, double abs, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertClose(expected[i], actual[actualOffset + i], Math.abs(expected[i]), rel, abs, what + " [" + i + "]");
        }
    }

    /** Reference dot product in double: {sum, sum of |terms|}. */
    public static double[] dot(float[] a, int ao, float[] b, int bo, int n) {
        double sum = 0, magnitude = 0;
        for (int i = 0; i < n; i++) {
            double term = (double) a[ao + i] * b[bo + i];
            sum += term;
            magnitude += Math.abs(term);
        }
        return new double[] {sum, magnitude};
    }

    /** Asserts a kernel's dot product against {@link #dot}. */
    public static void assertDot(float[] a, int ao, float[] b, int bo, int n, float actual, String what) {
        double[] ref = dot(a, ao, b, bo, n);
        assertClose(ref[0], actual, ref[1], SUM_REL, 1e-6, what);
    }

    /**
     * Every |expected[i] - actual[i]| <= abs + rel * |expected[i]|: rel 0 for an absolute bound
     * (logits against PyTorch), abs = rel for values compared relatively above 1 (device against
     * CPU). Reports the worst element.
     */
    public static void assertArraysClose(float[] expected, float[] actual, double abs, double rel, String what) {
        if (expected.length != actual.length) fail(what + ": " + actual.length + " values, expected " + expected.length);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double excess = Math.abs(expected[i] - actual[i]) - (abs + rel * Math.abs(expected[i]));
            if (!(excess <= worst)) { // NaN counts as the worst
                worst = excess;
                at = i;
            }
        }
        if (at >= 0) {
            fail(what + ": at " + at + " expected " + expected[at] + " but was " + actual[at] + " (allowed " + abs + " + " + rel
                    + " x |expected|); first values " + Arrays.toString(Arrays.copyOf(actual, Math.min(4, actual.length))));
        }
    }
}
