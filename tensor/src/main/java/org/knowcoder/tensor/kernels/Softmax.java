package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;

/** Numerically stable softmax in place over x[off .. off+n). */
public final class Softmax {
    private Softmax() {}

    public static void apply(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        int i = 0;
        if (n >= FL) {
            FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int bound = n - FL; i <= bound; i += FL) vmax = vmax.max(FloatVector.fromArray(F, x, off + i));
            max = vmax.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) max = Math.max(max, x[off + i]);
        float sum = 0;
        i = 0;
        if (n >= FL) {
            FloatVector vsum = FloatVector.zero(F);
            for (int bound = n - FL; i <= bound; i += FL) {
                FloatVector e = FloatVector.fromArray(F, x, off + i).sub(max).lanewise(VectorOperators.EXP);
                e.intoArray(x, off + i);
                vsum = vsum.add(e);
            }
            sum = Simd.sum(vsum);
        }
        for (; i < n; i++) {
            x[off + i] = (float) Math.exp(x[off + i] - max);
            sum += x[off + i];
        }
        VectorMath.scale(x, off, n, 1f / sum);
    }
}
