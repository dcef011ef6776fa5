package org.knowcoder.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.knowcoder.parallel.WorkerPool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * The machine's read bandwidth, the ceiling for decoding: a vectorized sum over a 1 GiB off-heap
 * buffer, split across the engine's own {@link WorkerPool} exactly as the kernels split rows. Its
 * "gbPerSecond" counter is what {@link MatVecBenchmark}'s weight bandwidth should approach.
 */
public class MemoryBandwidthBenchmark extends KernelBenchmark implements WorkerPool.RangeTask {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Bytes per work item handed to the pool: large enough that dispatch costs nothing. */
    private static final long BLOCK = 1 << 20;

    @Param({"1024"})
    public int mebibytes;

    private MemorySegment buffer;
    private float[] partial;

    @Override
    protected void prepare() {
        buffer = arena.allocate((long) mebibytes << 20, 64);
        buffer.fill((byte) 0x3c); // touch every page so the first iteration measures reads, not page faults
        partial = new float[threads];
    }

    @Benchmark
    public float sum(Bandwidth bandwidth) {
        pool.parallelFor((int) (buffer.byteSize() / BLOCK), this);
        float total = 0;
        for (float p : partial) total += p;
        bandwidth.gbPerSecond += buffer.byteSize() / 1e9;
        return total;
    }

    /** Sums blocks [from, to) with four independent accumulators, so the adds never wait on each other. */
    @Override
    public void run(int worker, int from, int to) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        long step = F.vectorByteSize();
        for (long o = from * BLOCK, end = to * BLOCK; o < end; o += 4 * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, buffer, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(F, buffer, o + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(F, buffer, o + 2 * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(F, buffer, o + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        partial[worker] = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
    }
}
