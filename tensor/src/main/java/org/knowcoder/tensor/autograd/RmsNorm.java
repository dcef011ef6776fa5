package org.knowcoder.tensor.autograd;

import org.knowcoder.tensor.kernels.VectorMath;

/**
 * y = x r w per row, r = 1 / sqrt(mean(x^2) + eps). Backward, with g = dy * w:
 * dx = r g - x r^3 (g . x) / n and dw += dy x r. Saves r per row.
 */
public final class RmsNorm {
    private RmsNorm() {}

    public static Var apply(Tape tape, Var x, Var weight, float eps) {
        int rows = x.rows(), n = x.cols();
        if (weight.size() != n) throw new IllegalArgumentException(weight + " cannot normalize " + x);
        float[] w = weight.floats(), xv = x.value();
        Var y = tape.result("rmsnorm", rows, n, Tape.anyRequiresGrad(x, weight));
        float[] inv = new float[rows];
        for (int t = 0; t < rows; t++) {
            org.knowcoder.tensor.kernels.RmsNorm.apply(y.value(), t * n, xv, t * n, w, n, eps);
            inv[t] = (float) (1.0 / Math.sqrt(VectorMath.dot(xv, t * n, xv, t * n, n) / n + eps));
        }
        tape.record(y, () -> {
            float[] dy = y.grad(), xs = x.value();
            float[] dx = x.requiresGrad() ? x.gradForUpdate() : null;
            float[] dw = weight.requiresGrad() ? weight.gradForUpdate() : null;
            for (int t = 0; t < rows; t++) {
                int o = t * n;
                float r = inv[t];
                if (dx != null) {
                    double dot = 0;
                    for (int i = 0; i < n; i++) dot += dy[o + i] * w[i] * xs[o + i];
                    float c = (float) (dot * r * r * r / n);
                    for (int i = 0; i < n; i++) dx[o + i] += r * dy[o + i] * w[i] - c * xs[o + i];
                }
                if (dw != null) for (int i = 0; i < n; i++) dw[i] += dy[o + i] * xs[o + i] * r;
            }
        }, x, weight);
        return y;
    }
}
