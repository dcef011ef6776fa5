package org.knowcoder.bench;

import org.knowcoder.parallel.WorkerPool;
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
 * What every kernel benchmark shares (JMH reads these annotations and the {@code threads}
 * parameter from the superclass): the run settings, the engine's flags in the forked JVM, a worker
 * pool of {@code threads} and an arena for the inputs, both freed after the trial.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class KernelBenchmark {
    @Param({"1", "2"})
    public int threads;

    protected Arena arena;
    protected WorkerPool pool;

    @Setup(Level.Trial)
    public void startPool() {
        arena = Arena.ofShared();
        pool = new WorkerPool(threads);
        prepare();
    }

    /** Builds the inputs (in {@link #arena}) and the kernel (on {@link #pool}). */
    protected abstract void prepare();

    @TearDown(Level.Trial)
    public void stopPool() {
        pool.close();
        arena.close();
    }

    /** rows and cols of a "ROWSxCOLS" shape parameter. */
    static int[] rowsAndCols(String shape) {
        String[] rc = shape.split("x");
        return new int[] {Integer.parseInt(rc[0]), Integer.parseInt(rc[1])};
    }
}
