package org.knowcoder.bench;

import org.knowcoder.model.RandomWeights;
import org.knowcoder.tensor.DType;
import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.WorkerPool;
import org.knowcoder.tensor.kernels.MatVec;
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
 * The decoding kernel: one matrix-vector product over a stories110M-sized weight in each weight
 * dtype. Each call uses the next of several copies of the matrix, together at least 256 MiB, so
 * the weights come from DRAM as in real decoding and not from the 32 MB L3. The "gbPerSecond" counter
 * gives the weight bandwidth achieved; compare it with {@link MemoryBandwidthBenchmark}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class MatVecBenchmark {
    static final long WORKING_SET = 256L << 20;

    @Param({"F32", "BF16", "F16", "Q8_0"})
    public String dtype;

    @Param({"1", "2"})
    public int threads;

    /** rows x cols: w1/w3 of stories110M, and its classifier. */
    @Param({"2048x768", "32000x768"})
    public String shape;

    private Arena arena;
    private WorkerPool pool;
    private MatVec matVec;
    private Tensor[] copies;
    private float[] x, out;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        String[] rc = shape.split("x");
        int rows = Integer.parseInt(rc[0]), cols = Integer.parseInt(rc[1]);
        arena = Arena.ofShared();
        copies = Shapes.copies(RandomWeights.matrix("w", DType.parse(dtype), rows, cols, 1, arena), WORKING_SET, arena);
        pool = new WorkerPool(threads);
        matVec = new MatVec(pool, cols);
        x = Shapes.randomVector(cols, 2);
        out = new float[rows];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public float[] matVec(Bandwidth bandwidth) {
        Tensor w = copies[next];
        next = next + 1 == copies.length ? 0 : next + 1;
        matVec.apply(w, x, 0, out, 0);
        bandwidth.gbPerSecond += w.weightBytes() / 1e9;
        return out;
    }
}
