package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;

/**
 * Numerically stable softmax in place over x[off .. off+n). The vector exp is {@link ExpSum#exp}
 * and the sum {@link Simd#sum}, not the Vector API's EXP and reduceLanes, whose compiled and
 * interpreted forms differ in the last bit: attention must decode the same bits whenever the JIT
 * gets to it.
 */
public final class Softmax {
    private Softmax() {}

    public static void apply(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        int i = 0;
        if (n >= FL) {
            FloatVector vmax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            // the loaded vector as receiver: its exact type is known, so C2 binds max statically; with vmax there it
            // could leave a virtual call into the Java fallback (bench/README.md, "Training")
            for (int bound = n - FL; i <= bound; i += FL) vmax = FloatVector.fromArray(F, x, off + i).max(vmax);
            max = vmax.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) max = Math.max(max, x[off + i]);
        float sum = 0;
        i = 0;
        if (n >= FL) {
            FloatVector vsum = FloatVector.zero(F);
            for (int bound = n - FL; i <= bound; i += FL) {
                FloatVector e = ExpSum.exp(FloatVector.fromArray(F, x, off + i).sub(max));
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
