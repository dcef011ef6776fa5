package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.Tensor;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;

/**
 * out[t] = W x[t] for a batch of T activations (prompt prefill): compute-bound, so each worker
 * widens a block of weight rows to F32 once and multiplies it against every activation in
 * register tiles of 4 rows x 4 tokens, loading each vector of weights once per 4 tokens.
 *
 * <p>A reusable job like {@link MatVec}; the row-block scratch is per worker.
 */
public final class MatMul implements WorkerPool.RangeTask {
    private static final int ROWS = 4;
    private static final int TOKENS = 4;

    private final WorkerPool pool;
    private final float[][] rowScratch;
    /**
     * Per worker, two tiles' 16 vector accumulators, summed outside the tile's method (as in
     * {@code WeightRows.dot}: in it, the sums took C2 past its inlining node limit).
     */
    private final float[][] tileSums;
    /** Floats of one tile's accumulators. */
    private static final int TILE = ROWS * TOKENS * FL;
    private Tensor w;
    private float[] x;
    private int tokens;
    private float[] out;

    public MatMul(WorkerPool pool, int maxCols) {
        this.pool = pool;
        this.rowScratch = new float[pool.threads()][ROWS * maxCols];
        this.tileSums = new float[pool.threads()][2 * TILE];
    }

    /** x is [tokens, w.cols()] row-major, out is [tokens, w.rows()] row-major. */
    public void apply(Tensor w, float[] x, int tokens, float[] out) {
        if (w.cols() * ROWS > rowScratch[0].length) throw new IllegalArgumentException(w + " is wider than this MatMul");
        this.w = w;
        this.x = x;
        this.tokens = tokens;
        this.out = out;
        int blocks = Math.toIntExact((w.rows() + ROWS - 1) / ROWS);
        pool.parallelFor(blocks, this);
        this.w = null;
        this.x = null;
        this.out = null;
    }

    @Override
    public void run(int worker, int fromBlock, int toBlock) {
        float[] rows = rowScratch[worker], sums = tileSums[worker];
        int n = w.cols();
        int outRows = Math.toIntExact(w.rows());
        for (int b = fromBlock; b < toBlock; b++) {
            int r0 = b * ROWS;
            int nr = Math.min(ROWS, outRows - r0);
            for (int r = 0; r < nr; r++) WeightRows.decode(w, r0 + r, rows, r * n);
            int t = 0;
            if (nr == ROWS) {
                // each tile's sums are taken after the next tile's products, from the other half of
                // sums: a vector read back at once would wait for its store (as in WeightRows.dot)
                for (; t + TOKENS <= tokens; t += TOKENS) {
                    tile4x4(rows, n, t, sums, t / TOKENS % 2 * TILE);
                    if (t > 0) finishTile(rows, n, t - TOKENS, r0, outRows, sums);
                }
                if (t > 0) finishTile(rows, n, t - TOKENS, r0, outRows, sums);
            }
            for (; t < tokens; t++) {
                for (int r = 0; r < nr; r++) out[t * outRows + r0 + r] = VectorMath.dot(rows, r * n, x, t * n, n);
            }
        }
    }

    /**
     * The 16 dot products of rows[0..4) with tokens t..t+4, sharing every load four ways, as vector
     * accumulators into sums[at .. at + 16 FL), token k's four rows from vector 4k ({@link #finishTile}).
     */
    private void tile4x4(float[] rows, int n, int t, float[] sums, int at) {
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F), a02 = FloatVector.zero(F), a03 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F), a12 = FloatVector.zero(F), a13 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F), a22 = FloatVector.zero(F), a23 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F), a32 = FloatVector.zero(F), a33 = FloatVector.zero(F);
        int x0 = t * n, x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
        int w1 = n, w2 = 2 * n, w3 = 3 * n;
        int i = 0;
        for (int bound = n - FL; i <= bound; i += FL) {
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + i);
            FloatVector v1 = FloatVector.fromArray(F, x, x1 + i);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + i);
            FloatVector v3 = FloatVector.fromArray(F, x, x3 + i);
            FloatVector r = FloatVector.fromArray(F, rows, i);
            a00 = r.fma(v0, a00); a01 = r.fma(v1, a01); a02 = r.fma(v2, a02); a03 = r.fma(v3, a03);
            r = FloatVector.fromArray(F, rows, w1 + i);
            a10 = r.fma(v0, a10); a11 = r.fma(v1, a11); a12 = r.fma(v2, a12); a13 = r.fma(v3, a13);
            r = FloatVector.fromArray(F, rows, w2 + i);
            a20 = r.fma(v0, a20); a21 = r.fma(v1, a21); a22 = r.fma(v2, a22); a23 = r.fma(v3, a23);
            r = FloatVector.fromArray(F, rows, w3 + i);
            a30 = r.fma(v0, a30); a31 = r.fma(v1, a31); a32 = r.fma(v2, a32); a33 = r.fma(v3, a33);
        }
        a00.intoArray(sums, at); a10.intoArray(sums, at + FL); a20.intoArray(sums, at + 2 * FL); a30.intoArray(sums, at + 3 * FL);
        a01.intoArray(sums, at + 4 * FL); a11.intoArray(sums, at + 5 * FL); a21.intoArray(sums, at + 6 * FL); a31.intoArray(sums, at + 7 * FL);
        a02.intoArray(sums, at + 8 * FL); a12.intoArray(sums, at + 9 * FL); a22.intoArray(sums, at + 10 * FL); a32.intoArray(sums, at + 11 * FL);
        a03.intoArray(sums, at + 12 * FL); a13.intoArray(sums, at + 13 * FL); a23.intoArray(sums, at + 14 * FL); a33.intoArray(sums, at + 15 * FL);
    }

    /** The outputs of the tile of tokens t..t+4 whose accumulators are in {@code sums}: their sums, then the columns past the last vector. */
    private void finishTile(float[] rows, int n, int t, int r0, int outRows, float[] sums) {
        int at = t / TOKENS % 2 * TILE;
        // token k's four sums are out[(t + k) * outRows + r0 ..], contiguous
        for (int k = 0; k < TOKENS; k++) Simd.sum4(sums, (at + k * ROWS * FL) / FL, out, (t + k) * outRows + r0);
        if (n % FL != 0) addTails(rows, n, n - n % FL, t, r0, outRows);
    }

    /** Adds the columns past the last whole vector, for the 16 outputs of a tile. */
    private void addTails(float[] rows, int n, int tail, int t, int r0, int outRows) {
        for (int k = 0; k < TOKENS; k++) {
            for (int r = 0; r < ROWS; r++) {
                float s = 0;
                for (int i = tail; i < n; i++) s += rows[r * n + i] * x[(t + k) * n + i];
                out[(t + k) * outRows + r0 + r] += s;
            }
        }
    }
}
