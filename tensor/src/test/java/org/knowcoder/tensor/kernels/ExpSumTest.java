package org.knowcoder.tensor.kernels;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The polynomial exp against Math.exp, over lengths with and without a vector tail. */
class ExpSumTest {
    @Test
    void matchesMathExpWithinAFewUlp() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int n : new int[] {1, 5, 16, 33, 512, 1001}) {
            float[] x = new float[n + 3];
            for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 100 - 90);
            float shift = ExpSum.max(x, 3, n);
            double expected = 0, worst = 0;
            for (int i = 0; i < n; i++) expected += Math.exp(x[3 + i] - shift);
            float[] y = x.clone();
            ExpSum.scaleExp(2f, y, 3, shift, n);
            for (int i = 0; i < n; i++) {
                double exact = 2 * Math.exp(x[3 + i] - shift);
                if (x[3 + i] - shift > -87) worst = Math.max(worst, Math.abs(y[3 + i] - exact) / exact);
            }
            assertEquals(x[0], y[0], "written outside the range");
            assertEquals(expected, ExpSum.sum(x, 3, n, shift), 1e-6 * expected, "sum of " + n);
            assertEquals(0, worst, 3e-7, "relative error, n = " + n);
        }
    }
}
