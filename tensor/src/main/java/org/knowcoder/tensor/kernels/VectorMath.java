package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;

/** Element-wise building blocks on float arrays (activations), vectorized with scalar tails. */
public final class VectorMath {
    private VectorMath() {}

    /** Sum of a[ao + i] * b[bo + i] for i in [0, n). */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int i = 0;
        for (int bound = n - 2 * FL; i <= bound; i += 2 * FL) {
            acc0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc0);
            acc1 = FloatVector.fromArray(F, a, ao + i + FL).fma(FloatVector.fromArray(F, b, bo + i + FL), acc1);
        }
        for (int bound = n - FL; i <= bound; i += FL) {
            acc0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc0);
        }
        float sum = Simd.sum(acc0.add(acc1)); // fixed order: training must be reproducible
        for (; i < n; i++) sum += a[ao + i] * b[bo + i];
        return sum;
    }

    /** y[yo + i] += alpha * x[xo + i]. */
    public static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(F, alpha);
        for (int bound = n - FL; i <= bound; i += FL) {
            FloatVector.fromArray(F, x, xo + i).fma(va, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }

    /** Residual connection: x[xo + i] += y[yo + i]. */
    public static void add(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        for (int bound = n - FL; i <= bound; i += FL) {
            FloatVector.fromArray(F, x, xo + i).add(FloatVector.fromArray(F, y, yo + i)).intoArray(x, xo + i);
        }
        for (; i < n; i++) x[xo + i] += y[yo + i];
    }

    /** Multiplies x[xo .. xo+n) by a constant in place. */
    public static void scale(float[] x, int xo, int n, float factor) {
        int i = 0;
        for (int bound = n - FL; i <= bound; i += FL) {
            FloatVector.fromArray(F, x, xo + i).mul(factor).intoArray(x, xo + i);
        }
        for (; i < n; i++) x[xo + i] *= factor;
    }
}
