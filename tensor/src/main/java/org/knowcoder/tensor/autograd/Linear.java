package org.knowcoder.tensor.autograd;

import org.knowcoder.tensor.kernels.Gemm.Matrix;

/**
 * y = x W^T for activations x [T, in] and a weight W [out, in] (the engine's weight layout):
 * every projection of a transformer. Backward: dx += dy W and dW += dy^T x. All three products run
 * on the tape's multithreaded {@code Gemm}, which reads W^T and dy^T in place.
 */
public final class Linear {
    private Linear() {}

    public static Var apply(Tape tape, Var x, Var w) {
        int tokens = x.rows(), in = x.cols(), out = w.rows();
        if (w.cols() != in) throw new IllegalArgumentException(w + " cannot project " + x);
        Var y = tape.result("linear", tokens, out, Tape.anyRequiresGrad(x, w));
        tape.gemm().multiplyAdd(Matrix.rows(x.value(), in), Matrix.transposed(w.floats(), in), y.value(), 0, tokens, out, in);
        tape.record(y, () -> {
            float[] dy = y.grad();
            if (x.requiresGrad()) tape.gemm().multiplyAdd(Matrix.rows(dy, out), Matrix.rows(w.floats(), in), x.gradForUpdate(), 0, tokens, in, out);
            if (w.requiresGrad()) tape.gemm().multiplyAdd(Matrix.transposed(dy, out), Matrix.rows(x.value(), in), w.gradForUpdate(), 0, out, in, tokens);
        }, x, w);
        return y;
    }
}
