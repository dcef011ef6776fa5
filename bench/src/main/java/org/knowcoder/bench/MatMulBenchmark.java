package org.knowcoder.bench;

import org.knowcoder.model.RandomWeights;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.kernels.MatMul;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;


/**
 * The prefill kernel: a weight times a chunk of 128 prompt tokens (the session's prefill chunk).
 * This is compute-bound, so one matrix is enough and the "gflopPerSecond" counter is the figure of merit.
 */
public class MatMulBenchmark extends KernelBenchmark {
    @Param({"F32", "BF16", "F16", "Q8_0", "Q4_0", "Q4_K"})
    public String dtype;

    /** rows x cols: w1/w3 and w2 of stories110M. */
    @Param({"2048x768", "768x2048"})
    public String shape;

    @Param({"128"})
    public int tokens;

    private MatMul matMul;
    private Tensor w;
    private float[] x, out;

    @Override
    protected void prepare() {
        int[] rc = rowsAndCols(shape);
        int rows = rc[0], cols = rc[1];
        w = RandomWeights.matrix("w", DType.parse(dtype), rows, cols, 1, arena);
        matMul = new MatMul(pool, cols);
        x = Shapes.randomVector(tokens * cols, 2);
        out = new float[tokens * rows];
    }

    @Benchmark
    public float[] matMul(Compute compute) {
        matMul.apply(w, x, tokens, out);
        compute.gflopPerSecond += 2.0 * w.numel() * tokens / 1e9;
        return out;
    }
}
