package org.knowcoder.tensor.autograd;

import org.knowcoder.tensor.kernels.VectorMath;

/** y = a + scale b: the residual connection (scale 1) and a LoRA update added to its base projection. */
public final class Add {
    private Add() {}

    public static Var apply(Tape tape, Var a, Var b, float scale) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) throw new IllegalArgumentException(a + " and " + b + " differ in shape");
        Var y = tape.result("add", a.rows(), a.cols(), Tape.anyRequiresGrad(a, b));
        System.arraycopy(a.value(), 0, y.value(), 0, a.size());
        VectorMath.axpy(scale, b.value(), 0, y.value(), 0, b.size());
        tape.record(y, () -> {
            float[] dy = y.grad();
            if (a.requiresGrad()) VectorMath.add(a.gradForUpdate(), 0, dy, 0, y.size());
            if (b.requiresGrad()) VectorMath.axpy(scale, dy, 0, b.gradForUpdate(), 0, y.size());
        }, a, b);
        return y;
    }

    public static Var apply(Tape tape, Var a, Var b) {
        return apply(tape, a, b, 1f);
    }
}
