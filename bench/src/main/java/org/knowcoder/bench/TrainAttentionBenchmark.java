package org.knowcoder.bench;

import org.knowcoder.tensor.autograd.CausalAttention;
import org.knowcoder.tensor.autograd.RowLayout;
import org.knowcoder.tensor.autograd.Tape;
import org.knowcoder.tensor.autograd.Var;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

import java.util.Arrays;

/**
 * Training's attention, forward and backward ({@link CausalAttention}), on a fine-tuning block of
 * KnowCoder-mini (6 heads of 32): one sequence of 1,024 rows. {@code shared}: a prompt of
 * {@code prompt} rows laid out once and 13 instructions of {@code own} rows each continuing it
 * ({@code train --group-by-prompt}); {@code packed}: the same rows as examples of {@code own} rows
 * that share nothing (understanding's packed pieces). One layer per call.
 */
public class TrainAttentionBenchmark extends KernelBenchmark {
    private static final int HEADS = 6, HD = 32, SEQ = 1024, DIM = HEADS * HD;

    @Param({"shared", "packed"})
    public String layout;

    @Param({"230"})
    public int prompt;

    @Param({"60"})
    public int own;

    private RowLayout rows;
    private Tape tape;
    private float[] q, k, v, dy;

    @Override
    protected void prepare() {
        int[] positions = new int[SEQ], ends = new int[SEQ];
        Arrays.fill(ends, -1);
        boolean shared = layout.equals("shared");
        for (int r = 0; r < SEQ; r++) {
            if (!shared) {
                positions[r] = r % own;
            } else if (r < prompt) {
                positions[r] = r;
            } else {
                positions[r] = prompt + (r - prompt) % own;
                ends[r] = prompt - 1;
            }
        }
        rows = shared ? new RowLayout(positions, ends) : RowLayout.packed(positions);
        q = Shapes.randomVector(SEQ * DIM, 1);
        k = Shapes.randomVector(SEQ * DIM, 2);
        v = Shapes.randomVector(SEQ * DIM, 3);
        dy = Shapes.randomVector(SEQ * DIM, 4);
        tape = new Tape(pool); // reused, as a training run reuses its tape's arrays step after step
    }

    @Benchmark
    public float[] forwardBackward() {
        Var vq = Var.param("q", q, SEQ, DIM), vk = Var.param("k", k, SEQ, DIM), vv = Var.param("v", v, SEQ, DIM);
        Var y = CausalAttention.apply(tape, vq, vk, vv, HEADS, HEADS, SEQ, rows);
        tape.backward(y, dy);
        return vq.grad();
    }
}
