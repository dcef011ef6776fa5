package org.knowcoder.tensor.kernels;

import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * out = W x for a weight W stored [out, in] in any weight dtype: the decoding hot path, bound by
 * how fast the weights stream from memory. Rows are split across the pool in blocks of four (of
 * 128 for 4-bit weights, pairs of their kernel's groups: {@link WeightRows#rowsPerBlock}).
 *
 * <p>Several matrices that read the same input (a layer's query, key and value projections; its
 * gate and up projections) go through one job: one dispatch and one wait instead of one each, and
 * the threads balance over all their rows. A stories110M-shaped layer's 768 x 768 products are
 * short, tens of microseconds, so a job's dispatch and wait for its last chunk are a large share of
 * one (bench/README.md, "Why the kernels are written as they are").
 *
 * <p>An instance is a reusable job (one per session): it keeps the arguments of the current call in
 * fields so dispatching allocates nothing. Not for concurrent use.
 */
public final class MatVec implements WorkerPool.RangeTask {
    /** The most matrices one call takes. */
    public static final int MAX_GROUP = 3;

    private final WorkerPool pool;
    private final int maxCols;
    /**
     * Per matrix of a group: views of one 64-byte aligned buffer starting 0, 4, .., 60 bytes in
     * ({@link WeightRows#activationShift}), and the one its input was prepared in.
     */
    private final MemorySegment[][] shifted = new MemorySegment[MAX_GROUP][16];
    private final MemorySegment[] xs = new MemorySegment[MAX_GROUP];
    /** The input as floats, for weights held in a float[] ({@link WeightRows#dotF32Heap}). */
    private final float[] xa;
    private final Tensor[] ws = new Tensor[MAX_GROUP];
    private final float[][] outs = new float[MAX_GROUP][];
    private final int[] offsets = new int[MAX_GROUP];
    /** Matrix i's blocks are [firstBlock[i], firstBlock[i + 1]) of the job's range. */
    private final int[] firstBlock = new int[MAX_GROUP + 1];
    private int count;

    /** @param maxCols the widest input this instance will see */
    public MatVec(WorkerPool pool, int maxCols) {
        this.pool = pool;
        this.maxCols = maxCols;
        long bytes = WeightRows.activationBytes(maxCols);
        for (MemorySegment[] views : shifted) {
            MemorySegment buffer = Arena.ofAuto().allocate(bytes + 64, 64);
            for (int i = 0; i < views.length; i++) views[i] = buffer.asSlice(4L * i, bytes);
        }
        this.xa = new float[maxCols];
    }

    /** out[oo + r] = row r of w dotted with x[xo .. xo + w.cols()). */
    public void apply(Tensor w, float[] x, int xo, float[] out, int oo) {
        set(0, w, out, oo);
        run(1, x, xo);
    }

    /**
     * outs[i][r] = row r of ws[i] dotted with x[xo ..), for matrices of one width, in one job
     * (at most {@link #MAX_GROUP}).
     */
    public void apply(Tensor[] group, float[] x, int xo, float[][] groupOuts) {
        if (group.length > MAX_GROUP) throw new IllegalArgumentException(group.length + " matrices in one MatVec call, at most " + MAX_GROUP);
        for (int i = 0; i < group.length; i++) {
            if (group[i].cols() != group[0].cols()) throw new IllegalArgumentException(group[i] + " and " + group[0] + " differ in width");
            set(i, group[i], groupOuts[i], 0);
        }
        run(group.length, x, xo);
    }

    private void set(int i, Tensor w, float[] out, int oo) {
        if (w.cols() > maxCols) throw new IllegalArgumentException(w + " is wider than this MatVec (" + maxCols + ")");
        ws[i] = w;
        outs[i] = out;
        offsets[i] = oo;
    }

    private void run(int matrices, float[] x, int xo) {
        count = matrices;
        boolean copied = false;
        for (int i = 0; i < matrices; i++) {
            Tensor w = ws[i];
            // a group's input is copied or laid out once per layout it needs (a layer's matrices share one)
            if (w.floatArray() != null) {
                if (!copied) System.arraycopy(x, xo, xa, 0, w.cols());
                copied = true;
            } else if (i > 0 && ws[i - 1].floatArray() == null && WeightRows.preparesAlike(ws[i - 1], w)) {
                xs[i] = xs[i - 1];
            } else {
                xs[i] = shifted[i][(int) WeightRows.activationShift(w) / 4];
                WeightRows.prepare(w, x, xo, xs[i]);
            }
            int per = WeightRows.rowsPerBlock(w);
            firstBlock[i + 1] = firstBlock[i] + Math.toIntExact((w.rows() + per - 1) / per);
        }
        int chunks = WorkerPool.CHUNKS_PER_THREAD;
        for (int i = 0; i < matrices; i++) chunks = Math.min(chunks, WeightRows.chunksPerThread(ws[i]));
        pool.parallelFor(firstBlock[matrices], chunks, this);
        for (int i = 0; i < matrices; i++) {
            ws[i] = null;
            outs[i] = null;
        }
    }

    @Override
    public void run(int worker, int fromBlock, int toBlock) {
        for (int i = 0; i < count; i++) {
            int from = Math.max(fromBlock, firstBlock[i]) - firstBlock[i], to = Math.min(toBlock, firstBlock[i + 1]) - firstBlock[i];
            if (from >= to) continue;
            Tensor w = ws[i];
            int rows = Math.toIntExact(w.rows()), per = WeightRows.rowsPerBlock(w), r0 = from * per, r1 = Math.min(rows, to * per);
            float[] heap = w.floatArray();
            if (heap != null) {
                WeightRows.dotF32Heap(heap, Math.toIntExact(w.data().address() / 4), w.cols(), r0, r1, xa, outs[i], offsets[i]);
            } else {
                WeightRows.dot(w, r0, r1, xs[i], outs[i], offsets[i]);
            }
        }
    }
}
