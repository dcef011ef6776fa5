package org.knowcoder.tensor.autograd;

/**
 * y[t][i] = x[t][source[i]]: a fixed reordering of columns, such as mapping q/k projections of a
 * rotate-half checkpoint to adjacent RoPE pairs. Backward scatters each gradient to its source column.
 */
public final class Gather {
    private Gather() {}

    public static Var apply(Tape tape, Var x, int[] source) {
        int rows = x.rows(), n = x.cols();
        if (source.length != n) throw new IllegalArgumentException(source.length + " indices for " + x);
        Var y = tape.result("gather", rows, n, x.requiresGrad());
        float[] in = x.value(), out = y.value();
        for (int t = 0; t < rows; t++) for (int i = 0; i < n; i++) out[t * n + i] = in[t * n + source[i]];
        tape.record(y, () -> {
            float[] dy = y.grad(), dx = x.gradForUpdate();
            for (int t = 0; t < rows; t++) for (int i = 0; i < n; i++) dx[t * n + source[i]] += dy[t * n + i];
        }, x);
        return y;
    }
}
