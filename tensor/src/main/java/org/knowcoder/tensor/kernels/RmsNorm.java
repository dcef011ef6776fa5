package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;

/** RMSNorm: out = x / sqrt(mean(x^2) + eps) * weight, accumulating in F32 as llama2.c does. */
public final class RmsNorm {
    private RmsNorm() {}

    public static void apply(float[] out, int oo, float[] x, int xo, float[] weight, int n, float eps) {
        float ss = VectorMath.dot(x, xo, x, xo, n);
        float inv = (float) (1.0 / Math.sqrt(ss / n + eps));
        int i = 0;
        for (int bound = n - FL; i <= bound; i += FL) {
            FloatVector.fromArray(F, x, xo + i).mul(inv).mul(FloatVector.fromArray(F, weight, i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = weight[i] * (inv * x[xo + i]);
    }
}
