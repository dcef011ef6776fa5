package org.knowcoder.bench;

import org.knowcoder.tensor.kernels.Gemm;
import org.knowcoder.tensor.kernels.Gemm.Matrix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

/**
 * Training's matrix product c += a b (F32, row-major), on the shapes of issue 22's yardstick:
 * the 15M model's classifier (2,048 tokens x 288 -> 32,000), a 110M projection and square 2,048.
 * {@code bench/pytorch/sgemm.py} times OpenBLAS's sgemm on the same shapes.
 */
public class GemmBenchmark extends KernelBenchmark {
    /** m x k x n. */
    @Param({"2048x288x32000", "2048x768x2048", "2048x2048x2048"})
    public String shape;

    private Gemm gemm;
    private float[] a, b, c;
    private int m, k, n;

    @Override
    protected void prepare() {
        String[] s = shape.split("x");
        m = Integer.parseInt(s[0]);
        k = Integer.parseInt(s[1]);
        n = Integer.parseInt(s[2]);
        a = Shapes.randomVector(m * k, 1);
        b = Shapes.randomVector(k * n, 2);
        c = new float[m * n];
        gemm = new Gemm(pool);
    }

    @Benchmark
    public float[] multiplyAdd(Compute compute) {
        gemm.multiplyAdd(Matrix.rows(a, k), Matrix.rows(b, n), c, 0, m, n, k);
        compute.gflopPerSecond += 2.0 * m * n * k / 1e9;
        return c;
    }
}
