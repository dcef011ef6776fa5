package org.knowcoder.tensor.autograd;

/**
 * y[i] = x[rows[i]]: some rows of x, such as the positions whose next token counts in the loss, so
 * that the classifier (the widest matrix of a small model) runs only where its logits are used.
 * Backward adds each row's gradient to its source row.
 */
public final class SelectRows {
    private SelectRows() {}

    public static Var apply(Tape tape, Var x, int[] rows) {
        int n = x.cols();
        for (int r : rows) if (r < 0 || r >= x.rows()) throw new IllegalArgumentException("row " + r + " is outside " + x);
        Var y = tape.result("select rows", rows.length, n, x.requiresGrad());
        float[] in = x.value(), out = y.value();
        for (int i = 0; i < rows.length; i++) System.arraycopy(in, rows[i] * n, out, i * n, n);
        tape.record(y, () -> {
            float[] dy = y.grad(), dx = x.gradForUpdate();
            for (int i = 0; i < rows.length; i++) for (int j = 0; j < n; j++) dx[rows[i] * n + j] += dy[i * n + j];
        }, x);
        return y;
    }
}
