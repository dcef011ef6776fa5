package org.knowcoder.tensor.kernels;

import org.knowcoder.tensor.Tensor;
import org.knowcoder.tensor.WorkerPool;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * out = W x for a weight W stored [out, in] in any weight dtype: the decoding hot path, bound by
 * how fast the weights stream from memory. Rows are split across the pool in blocks of four.
 *
 * <p>An instance is a reusable job (one per session): it keeps the arguments of the current call in
 * fields so dispatching allocates nothing. Not for concurrent use.
 */
public final class MatVec implements WorkerPool.RangeTask {
    /** Rows are handed out in blocks of four, the F32 kernel's unit. */
    private static final int ROWS_PER_BLOCK = 4;

    private final WorkerPool pool;
    /** Views of one 64-byte aligned buffer starting 0, 4, .., 60 bytes in ({@link WeightRows#activationShift}). */
    private final MemorySegment[] shifted = new MemorySegment[16];
    private MemorySegment xs;
    /** The input as floats, for weights held in a float[] ({@link WeightRows#dotF32Heap}). */
    private final float[] xa;
    private float[] heapWeights;
    private int heapBase;
    private final int maxCols;
    private Tensor w;
    private float[] out;
    private int oo;

    /** @param maxCols the widest input this instance will see */
    public MatVec(WorkerPool pool, int maxCols) {
        this.pool = pool;
        this.maxCols = maxCols;
        long bytes = WeightRows.activationBytes(maxCols);
        MemorySegment buffer = Arena.ofAuto().allocate(bytes + 64, 64);
        for (int i = 0; i < shifted.length; i++) shifted[i] = buffer.asSlice(4L * i, bytes);
        this.xa = new float[maxCols];
    }

    /** out[oo + r] = row r of w dotted with x[xo .. xo + w.cols()). */
    public void apply(Tensor w, float[] x, int xo, float[] out, int oo) {
        if (w.cols() > maxCols) throw new IllegalArgumentException(w + " is wider than this MatVec (" + maxCols + ")");
        this.heapWeights = w.floatArray();
        if (heapWeights != null) {
            System.arraycopy(x, xo, xa, 0, w.cols());
            heapBase = Math.toIntExact(w.data().address() / 4);
        } else {
            xs = shifted[(int) WeightRows.activationShift(w) / 4];
            WeightRows.prepare(w, x, xo, xs);
        }
        this.w = w;
        this.out = out;
        this.oo = oo;
        pool.parallelFor(Math.toIntExact((w.rows() + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK), this);
        this.w = null;
        this.out = null;
        this.heapWeights = null;
    }

    @Override
    public void run(int worker, int fromBlock, int toBlock) {
        int rows = Math.toIntExact(w.rows());
        if (heapWeights != null) {
            WeightRows.dotF32Heap(heapWeights, heapBase, w.cols(), fromBlock * ROWS_PER_BLOCK, Math.min(rows, toBlock * ROWS_PER_BLOCK), xa, out, oo);
            return;
        }
        WeightRows.dot(w, fromBlock * ROWS_PER_BLOCK, Math.min(rows, toBlock * ROWS_PER_BLOCK), xs, out, oo);
    }
}
