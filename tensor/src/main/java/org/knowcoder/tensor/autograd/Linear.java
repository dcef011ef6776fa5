package org.knowcoder.tensor.autograd;

import org.knowcoder.tensor.kernels.Transpose;

/**
 * y = x W^T for activations x [T, in] and a weight W [out, in] (the engine's weight layout):
 * every projection of a transformer. Backward: dx += dy W and dW += dy^T x, the latter reading dy
 * by columns in place. All three products run on the tape's multithreaded {@code Gemm}.
 */
public final class Linear {
    private Linear() {}

    public static Var apply(Tape tape, Var x, Var w) {
        int tokens = x.rows(), in = x.cols(), out = w.rows();
        if (w.cols() != in) throw new IllegalArgumentException(w + " cannot project " + x);
        Var y = Var.result("linear", tokens, out, Tape.anyRequiresGrad(x, w));
        float[] weights = w.floats();
        float[] wt = tape.scratch(in * out);
        Transpose.apply(weights, out, in, wt);
        tape.gemm().multiplyAdd(x.value(), in, 1, wt, y.value(), tokens, out, in);
        tape.record(y, () -> {
            float[] dy = y.grad();
            if (x.requiresGrad()) tape.gemm().multiplyAdd(dy, out, 1, w.floats(), x.gradForUpdate(), tokens, in, out);
            if (w.requiresGrad()) tape.gemm().multiplyAdd(dy, 1, out, x.value(), w.gradForUpdate(), out, in, tokens);
        }, x, w);
        return y;
    }
}
