package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;

/**
 * SwiGLU's gate: out = silu(gate) * up, where silu(v) = v s and s = sigmoid(v) = 1 / (1 + e^-v), and
 * its gradients. Every element goes through the vector exp ({@link ExpSum#exp}: the same bits in
 * every JIT tier, where the Vector API's EXP is not), the last partial vector masked: an element's
 * bits do not depend on where the range it was computed in starts or ends, so any split over the
 * threads gives the same result.
 */
public final class SiluGate {
    private SiluGate() {}

    /** gate[go + i] = silu(gate[go + i]) * up[uo + i] for i in [0, n). */
    public static void apply(float[] gate, int go, float[] up, int uo, int n) {
        apply(gate, go, up, uo, gate, go, n);
    }

    /** out[oo + i] = silu(gate[go + i]) * up[uo + i] for i in [0, n). */
    public static void apply(float[] gate, int go, float[] up, int uo, float[] out, int oo, int n) {
        int i = 0;
        for (int bound = n - FL; i <= bound; i += FL) {
            FloatVector g = FloatVector.fromArray(F, gate, go + i);
            silu(g).mul(FloatVector.fromArray(F, up, uo + i)).intoArray(out, oo + i);
        }
        if (i < n) {
            VectorMask<Float> m = F.indexInRange(i, n);
            FloatVector g = FloatVector.fromArray(F, gate, go + i, m);
            silu(g).mul(FloatVector.fromArray(F, up, uo + i, m)).intoArray(out, oo + i, m);
        }
    }

    /**
     * The gradients of out = silu(g) u over [from, to), added: dg += dy u s (1 + g (1 - s)) and
     * du += dy g s; either of dg and du may be null (no gradient wanted).
     */
    public static void backward(float[] g, float[] u, float[] dy, float[] dg, float[] du, int from, int to) {
        int i = from;
        for (int bound = to - FL; i <= bound; i += FL) backward(g, u, dy, dg, du, i, F.maskAll(true));
        if (i < to) backward(g, u, dy, dg, du, i, F.indexInRange(i, to));
    }

    private static void backward(float[] g, float[] u, float[] dy, float[] dg, float[] du, int i, VectorMask<Float> m) {
        FloatVector gv = FloatVector.fromArray(F, g, i, m), d = FloatVector.fromArray(F, dy, i, m);
        FloatVector s = sigmoid(gv);
        if (dg != null) {
            FloatVector grad = d.mul(FloatVector.fromArray(F, u, i, m)).mul(s).mul(gv.mul(s.neg().add(1f)).add(1f));
            FloatVector.fromArray(F, dg, i, m).add(grad).intoArray(dg, i, m);
        }
        if (du != null) FloatVector.fromArray(F, du, i, m).add(d.mul(gv).mul(s)).intoArray(du, i, m);
    }

    private static FloatVector silu(FloatVector g) {
        return g.div(ExpSum.exp(g.neg()).add(1f));
    }

    private static FloatVector sigmoid(FloatVector g) {
        return FloatVector.broadcast(F, 1f).div(ExpSum.exp(g.neg()).add(1f));
    }
}
