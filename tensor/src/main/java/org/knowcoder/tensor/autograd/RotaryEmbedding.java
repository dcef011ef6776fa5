package org.knowcoder.tensor.autograd;

import org.knowcoder.tensor.kernels.Rope;

/**
 * RoPE in the engine's adjacent-pair convention (see {@link Rope}) on rows of {@code heads} head
 * vectors; row t sits at the position its {@link RowLayout} gives (t % seqLen unpacked). A
 * rotation's transpose is the rotation by the opposite angle, which is backward.
 */
public final class RotaryEmbedding {
    private RotaryEmbedding() {}

    public static Var apply(Tape tape, Var x, int heads, int seqLen, Rope rope) {
        return apply(tape, x, heads, seqLen, RowLayout.UNPACKED, rope);
    }

    /** As above, rows laid out as {@code layout} says, each position within RoPE's table. */
    public static Var apply(Tape tape, Var x, int heads, int seqLen, RowLayout layout, Rope rope) {
        int rows = x.rows(), width = x.cols(), headDim = width / heads;
        if (headDim * heads != width) throw new IllegalArgumentException(x + " does not hold " + heads + " heads");
        if (layout.span(seqLen) > rope.maxPositions()) {
            throw new IllegalArgumentException("positions up to " + layout.span(seqLen) + " are beyond RoPE's table of " + rope.maxPositions());
        }
        Var y = tape.result("rope", rows, width, x.requiresGrad());
        System.arraycopy(x.value(), 0, y.value(), 0, x.size());
        layout.check(rows, seqLen);
        rotate(y.value(), rows, heads, headDim, seqLen, layout, rope, 1f);
        tape.record(y, () -> {
            float[] g = y.grad(); // rotated in place: the tape drops y's gradient after this step
            rotate(g, rows, heads, headDim, seqLen, layout, rope, -1f);
            float[] dx = x.gradForUpdate();
            for (int i = 0, n = x.size(); i < n; i++) dx[i] += g[i];
        }, x);
        return y;
    }

    /** Rotates every pair in place by its angle, times {@code direction} (1 forward, -1 backward). */
    private static void rotate(float[] v, int rows, int heads, int headDim, int seqLen, RowLayout layout, Rope rope,
                               float direction) {
        int half = headDim / 2;
        for (int t = 0; t < rows; t++) {
            int pos = layout.position(t, t % seqLen);
            for (int h = 0; h < heads; h++) {
                int o = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    float c = rope.cos(pos, i), s = direction * rope.sin(pos, i);
                    float a = v[o + 2 * i], b = v[o + 2 * i + 1];
                    v[o + 2 * i] = a * c - b * s;
                    v[o + 2 * i + 1] = a * s + b * c;
                }
            }
        }
    }
}
