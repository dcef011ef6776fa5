package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;

/**
 * SwiGLU's gate: gate[i] = silu(gate[i]) * up[i], where silu(v) = v / (1 + e^-v). The vector exp is
 * {@link ExpSum#exp}, the same bits in every JIT tier (the Vector API's EXP is not).
 */
public final class SiluGate {
    private SiluGate() {}

    public static void apply(float[] gate, int go, float[] up, int uo, int n) {
        int i = 0;
        for (int bound = n - FL; i <= bound; i += FL) {
            FloatVector g = FloatVector.fromArray(F, gate, go + i);
            FloatVector silu = g.div(ExpSum.exp(g.neg()).add(1f));
            silu.mul(FloatVector.fromArray(F, up, uo + i)).intoArray(gate, go + i);
        }
        for (; i < n; i++) {
            float g = gate[go + i];
            gate[go + i] = g / (1f + (float) Math.exp(-g)) * up[uo + i];
        }
    }
}
