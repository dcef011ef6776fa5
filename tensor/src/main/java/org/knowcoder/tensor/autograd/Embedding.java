package org.knowcoder.tensor.autograd;

import org.knowcoder.tensor.kernels.VectorMath;
import org.knowcoder.tensor.kernels.WeightRows;

/** Rows of a table [vocab, dim] picked by token id; backward adds each row's gradient to the table row it came from. */
public final class Embedding {
    private Embedding() {}

    public static Var apply(Tape tape, int[] tokens, Var table) {
        int dim = table.cols(), vocab = table.rows();
        Var y = tape.result("embedding", tokens.length, dim, table.requiresGrad());
        float[] out = y.value();
        for (int t = 0; t < tokens.length; t++) {
            int id = tokens[t];
            if (id < 0 || id >= vocab) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocab);
            if (table.value() != null) System.arraycopy(table.value(), id * dim, out, t * dim, dim);
            else WeightRows.lookup(table.tensor(), id, out, t * dim);
        }
        tape.record(y, () -> {
            float[] dy = y.grad(), g = table.gradForUpdate();
            for (int t = 0; t < tokens.length; t++) VectorMath.add(g, tokens[t] * dim, dy, t * dim, dim);
        }, table);
        return y;
    }
}
