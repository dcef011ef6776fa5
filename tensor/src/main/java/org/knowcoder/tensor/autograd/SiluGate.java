package org.knowcoder.tensor.autograd;

/**
 * SwiGLU's gate: y = silu(g) u with silu(g) = g s, s = sigmoid(g). Backward:
 * dg = dy u s (1 + g (1 - s)), du = dy silu(g).
 */
public final class SiluGate {
    private SiluGate() {}

    public static Var apply(Tape tape, Var gate, Var up) {
        if (gate.rows() != up.rows() || gate.cols() != up.cols()) throw new IllegalArgumentException(gate + " and " + up + " differ in shape");
        Var y = tape.result("silu_gate", gate.rows(), gate.cols(), Tape.anyRequiresGrad(gate, up));
        float[] g = gate.value(), u = up.value(), out = y.value();
        // element by element, so any split over the threads gives the same bits
        tape.pool().parallelFor(y.size(), (worker, from, to) -> {
            for (int i = from; i < to; i++) out[i] = g[i] / (1f + (float) Math.exp(-g[i])) * u[i];
        });
        tape.record(y, () -> {
            float[] dy = y.grad(), gv = gate.value(), uv = up.value();
            float[] dg = gate.requiresGrad() ? gate.gradForUpdate() : null;
            float[] du = up.requiresGrad() ? up.gradForUpdate() : null;
            tape.pool().parallelFor(y.size(), (worker, from, to) -> {
                for (int i = from; i < to; i++) {
                    float s = 1f / (1f + (float) Math.exp(-gv[i]));
                    if (dg != null) dg[i] += dy[i] * uv[i] * s * (1f + gv[i] * (1f - s));
                    if (du != null) du[i] += dy[i] * gv[i] * s;
                }
            });
        }, gate, up);
        return y;
    }
}
