package org.knowcoder.tensor.autograd;

/**
 * SwiGLU's gate: y = silu(g) u with silu(g) = g s, s = sigmoid(g). Backward:
 * dg = dy u s (1 + g (1 - s)), du = dy silu(g). Both through {@link org.knowcoder.tensor.kernels.SiluGate},
 * the inference kernel: the forward has the bits inference has, and any split over the threads
 * gives the same bits.
 */
public final class SiluGate {
    private SiluGate() {}

    public static Var apply(Tape tape, Var gate, Var up) {
        if (gate.rows() != up.rows() || gate.cols() != up.cols()) throw new IllegalArgumentException(gate + " and " + up + " differ in shape");
        Var y = tape.result("silu_gate", gate.rows(), gate.cols(), Tape.anyRequiresGrad(gate, up));
        float[] g = gate.value(), u = up.value(), out = y.value();
        tape.pool().parallelFor(y.size(), (worker, from, to) -> org.knowcoder.tensor.kernels.SiluGate.apply(g, from, u, from, out, from, to - from));
        tape.record(y, () -> {
            float[] dy = y.grad(), gv = gate.value(), uv = up.value();
            float[] dg = gate.requiresGrad() ? gate.gradForUpdate() : null;
            float[] du = up.requiresGrad() ? up.gradForUpdate() : null;
            tape.pool().parallelFor(y.size(), (worker, from, to) -> org.knowcoder.tensor.kernels.SiluGate.backward(gv, uv, dy, dg, du, from, to));
        }, gate, up);
        return y;
    }
}
