package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The polynomial exp against Math.exp, over lengths with and without a vector tail; the sum's order. */
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

    /**
     * sum adds lane by lane in the order it documents (of each two whole vectors the first to one
     * accumulator, the second to another; what remains to the first), then the two and the lanes as
     * Simd.sum: the plain loop here gives the same bits.
     */
    @Test
    void sumAddsInItsDocumentedOrder() {
        SplittableRandom rng = new SplittableRandom(2);
        int fl = Simd.FL;
        for (int n : new int[] {1, fl - 1, fl, fl + 3, 2 * fl, 2 * fl + 1, 3 * fl, 4 * fl - 2, 8000}) {
            float[] x = new float[n + 2];
            for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 20 - 10);
            float[] e = x.clone();
            ExpSum.scaleExp(1f, e, 2, 0.5f, n); // exp(x - 0.5) lane by lane, times 1 exactly
            float[] acc0 = new float[fl], acc1 = new float[fl], lanes = new float[fl];
            int paired = n / (2 * fl) * (2 * fl);
            for (int i = 0; i < n; i++) {
                if (i < paired && i / fl % 2 == 1) acc1[i % fl] += e[2 + i];
                else acc0[i % fl] += e[2 + i];
            }
            for (int l = 0; l < fl; l++) lanes[l] = acc0[l] + acc1[l];
            float expected = Simd.sum(FloatVector.fromArray(Simd.F, lanes, 0));
            assertEquals(expected, ExpSum.sum(x, 2, n, 0.5f), 0f, "sum of " + n);
        }
    }
}
