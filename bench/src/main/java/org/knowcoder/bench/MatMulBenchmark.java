package org.knowcoder.bench;

import org.knowcoder.model.RandomWeights;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.WorkerPool;
import org.knowcoder.tensor.kernels.MatMul;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

/**
 * The prefill kernel: a weight times a chunk of 128 prompt tokens (the session's prefill chunk).
 * This is compute-bound, so one matrix is enough and the "gflopPerSecond" counter is the figure of merit.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MatMulBenchmark {
    @Param({"F32", "BF16", "F16", "Q8_0"})
    public String dtype;

    @Param({"1", "2"})
    public int threads;

    /** rows x cols: w1/w3 and w2 of stories110M. */
    @Param({"2048x768", "768x2048"})
    public String shape;

    @Param({"128"})
    public int tokens;

    private Arena arena;
    private WorkerPool pool;
    private MatMul matMul;
    private Tensor w;
    private float[] x, out;

    @Setup(Level.Trial)
    public void setUp() {
        String[] rc = shape.split("x");
        int rows = Integer.parseInt(rc[0]), cols = Integer.parseInt(rc[1]);
        arena = Arena.ofShared();
        w = RandomWeights.matrix("w", DType.parse(dtype), rows, cols, 1, arena);
        pool = new WorkerPool(threads);
        matMul = new MatMul(pool, cols);
        x = Shapes.randomVector(tokens * cols, 2);
        out = new float[tokens * rows];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float[] matMul(Compute compute) {
        matMul.apply(w, x, tokens, out);
        compute.gflopPerSecond += 2.0 * w.numel() * tokens / 1e9;
        return out;
    }
}
