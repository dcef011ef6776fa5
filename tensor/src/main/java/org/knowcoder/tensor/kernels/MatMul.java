package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import org.knowcoder.parallel.WorkerPool;
import org.knowcoder.tensor.Tensor;

import java.util.Arrays;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;

/**
 * out[t] = W x[t] for a batch of T activations (prompt prefill): compute-bound, so it runs an
 * outer-product micro-kernel in which the lanes of a vector are tokens.
 *
 * <p>The activations are first laid out in panels of {@link #GROUP} = 2 FL tokens, [column][token],
 * zero past the last token, so that one column of a panel is two vectors. Each worker then widens
 * a block of {@link #ROWS} = 16 weight rows to F32 (row after row; for 4-bit weights, whose groups
 * hold a column's rows side by side, column after column: {@link WeightRows#decodeColumns}) and
 * runs every panel through it, 8 rows at a time, keeping 8 rows x 2 vectors of tokens in 16
 * accumulators: per column it loads the panel's two vectors, broadcasts 8 weights and does 16
 * FMAs. A panel that is not full (a batched decode step, a prompt's last tokens) goes a vector of
 * tokens at a time against all 16 rows instead, so that 8 tokens are not padded to 32.
 *
 * <p>A lane of an accumulator is one output, summed over the columns in order (one FMA per column,
 * from zero): no lanes are summed across, so the result does not depend on the JIT tier (see
 * {@link Simd#sum}), on the thread count, or on the panel or block an output fell in.
 *
 * <p>A reusable job like {@link MatVec}: the scratch is per worker, and the panels grow only with
 * the largest batch of tokens seen.
 */
public final class MatMul implements WorkerPool.RangeTask {
    /** Weight rows per block: two tiles of 8, or one vector of tokens times 16. */
    private static final int ROWS = 16;
    /** Tokens per panel: two vectors. */
    private static final int GROUP = 2 * FL;
    /** Matrices of one input in one job at most, as for {@link MatVec}. */
    private static final int MAX_GROUP = MatVec.MAX_GROUP;

    private final WorkerPool pool;
    private final int maxCols;
    /** Per worker: the block's rows widened to F32, [ROWS][cols]; one tile of outputs, [ROWS][GROUP]. */
    private final float[][] rowScratch, tileScratch;
    /** The activations in panels, [panel][column][GROUP]. */
    private float[] panels = new float[0];
    private final WorkerPool.RangeTask layOut = this::layOutPanels;
    /** The products of the current job: matrix i's blocks are [firstBlock[i], firstBlock[i + 1]). */
    private final Tensor[] ws = new Tensor[MAX_GROUP];
    private final float[][] outs = new float[MAX_GROUP][];
    private final int[] firstBlock = new int[MAX_GROUP + 1];
    private int cols;
    private float[] x;
    private int tokens;

    public MatMul(WorkerPool pool, int maxCols) {
        this.pool = pool;
        this.maxCols = maxCols;
        this.rowScratch = new float[pool.threads()][ROWS * maxCols];
        this.tileScratch = new float[pool.threads()][ROWS * GROUP];
    }

    /** x is [tokens, w.cols()] row-major, out is [tokens, w.rows()] row-major. */
    public void apply(Tensor w, float[] x, int tokens, float[] out) {
        set(0, w, out);
        run(1, x, tokens);
    }

    /**
     * outs[i] = ws[i] x for matrices of one width (a layer's query, key and value, or gate and up),
     * the activations laid out once and the products in one job (at most {@value #MAX_GROUP}).
     */
    public void apply(Tensor[] group, float[] x, int tokens, float[][] groupOuts) {
        if (group.length == 0 || group.length > MAX_GROUP) throw new IllegalArgumentException(group.length + " matrices in one MatMul call, 1 to " + MAX_GROUP);
        for (int i = 0; i < group.length; i++) {
            if (group[i].cols() != group[0].cols()) throw new IllegalArgumentException(group[i] + " and " + group[0] + " differ in width");
            set(i, group[i], groupOuts[i]);
        }
        run(group.length, x, tokens);
    }

    private void set(int i, Tensor w, float[] out) {
        if (w.cols() > maxCols) throw new IllegalArgumentException(w + " is wider than this MatMul");
        ws[i] = w;
        outs[i] = out;
    }

    private void run(int matrices, float[] x, int tokens) {
        int groups = (tokens + GROUP - 1) / GROUP;
        if (panels.length < groups * GROUP * maxCols) panels = new float[groups * GROUP * maxCols];
        this.cols = ws[0].cols();
        this.x = x;
        this.tokens = tokens;
        for (int i = 0; i < matrices; i++) firstBlock[i + 1] = firstBlock[i] + Math.toIntExact((ws[i].rows() + ROWS - 1) / ROWS);
        pool.parallelFor(groups, layOut);
        pool.parallelFor(firstBlock[matrices], this);
        Arrays.fill(ws, null);
        Arrays.fill(outs, null);
        this.x = null;
    }

    /** Panels [from, to) of x, transposed; lanes past the last token are zero. */
    private void layOutPanels(int worker, int from, int to) {
        int n = cols;
        for (int g = from; g < to; g++) {
            int base = g * GROUP * n;
            for (int k = 0; k < GROUP; k++) {
                int t = g * GROUP + k;
                if (t < tokens) for (int i = 0, p = base + k, q = t * n; i < n; i++, p += GROUP, q++) panels[p] = x[q];
                else for (int i = 0, p = base + k; i < n; i++, p += GROUP) panels[p] = 0f;
            }
        }
    }

    @Override
    public void run(int worker, int fromBlock, int toBlock) {
        float[] rows = rowScratch[worker], tile = tileScratch[worker];
        int n = cols;
        int groups = (tokens + GROUP - 1) / GROUP;
        int m = 0;
        for (int block = fromBlock; block < toBlock; block++) {
            while (block >= firstBlock[m + 1]) m++;
            Tensor w = ws[m];
            float[] out = outs[m];
            int outRows = Math.toIntExact(w.rows());
            int r0 = (block - firstBlock[m]) * ROWS;
            int nr = Math.min(ROWS, outRows - r0);
            // value i of the block's row r at rows[r * rs + i * cs]: rows one after another, or (4-bit) columns of 16
            int rs = n, cs = 1;
            if (WeightRows.widensColumns(w)) {
                WeightRows.decodeColumns(w, r0, nr, rows);
                rs = 1;
                cs = ROWS;
            } else {
                for (int r = 0; r < nr; r++) WeightRows.decode(w, r0 + r, rows, r * n);
                if (nr < ROWS) Arrays.fill(rows, nr * n, ROWS * n, 0f);
            }
            for (int g = 0; g < groups; g++) {
                int t0 = g * GROUP, nt = Math.min(GROUP, tokens - t0);
                if (nt == GROUP) {
                    tile(rows, 0, rs, cs, n, t0 * n, tile, 0);
                    tile(rows, 8 * rs, rs, cs, n, t0 * n, tile, 8 * GROUP);
                } else {
                    // a few tokens (batched decode, a prompt's last panel): a vector of them at a time
                    for (int v = 0; v * FL < nt; v++) vector(rows, rs, cs, n, t0 * n + v * FL, tile, v * FL);
                }
                // token by token: a token's outputs share cache lines, and tokens are a row of out apart
                for (int k = 0, o = t0 * outRows + r0; k < nt; k++, o += outRows) {
                    for (int r = 0; r < nr; r++) out[o + r] = tile[r * GROUP + k];
                }
            }
        }
    }

    /**
     * The block's 8 rows from rows[w0 ..] (value i of row r at r * rs + i * cs) times the panel
     * at {@code p}, into tile[at ..] as [row][token]: 16 independent FMA
     * chains, enough to hide the FMA latency, and each panel vector serves eight FMAs. Sized for
     * AVX-512's 32 registers (16 accumulators, 2 panel vectors, a broadcast).
     */
    private void tile(float[] rows, int w0, int rs, int cs, int n, int p, float[] tile, int at) {
        FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F);
        FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
        FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F);
        FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F);
        FloatVector a40 = FloatVector.zero(F), a41 = FloatVector.zero(F);
        FloatVector a50 = FloatVector.zero(F), a51 = FloatVector.zero(F);
        FloatVector a60 = FloatVector.zero(F), a61 = FloatVector.zero(F);
        FloatVector a70 = FloatVector.zero(F), a71 = FloatVector.zero(F);
        float[] pan = panels;
        for (int i = w0, end = w0 + n * cs; i < end; i += cs, p += GROUP) {
            FloatVector x0 = FloatVector.fromArray(F, pan, p), x1 = FloatVector.fromArray(F, pan, p + FL);
            FloatVector v = FloatVector.broadcast(F, rows[i]);
            a00 = x0.fma(v, a00); a01 = x1.fma(v, a01);
            v = FloatVector.broadcast(F, rows[rs + i]);
            a10 = x0.fma(v, a10); a11 = x1.fma(v, a11);
            v = FloatVector.broadcast(F, rows[2 * rs + i]);
            a20 = x0.fma(v, a20); a21 = x1.fma(v, a21);
            v = FloatVector.broadcast(F, rows[3 * rs + i]);
            a30 = x0.fma(v, a30); a31 = x1.fma(v, a31);
            v = FloatVector.broadcast(F, rows[4 * rs + i]);
            a40 = x0.fma(v, a40); a41 = x1.fma(v, a41);
            v = FloatVector.broadcast(F, rows[5 * rs + i]);
            a50 = x0.fma(v, a50); a51 = x1.fma(v, a51);
            v = FloatVector.broadcast(F, rows[6 * rs + i]);
            a60 = x0.fma(v, a60); a61 = x1.fma(v, a61);
            v = FloatVector.broadcast(F, rows[7 * rs + i]);
            a70 = x0.fma(v, a70); a71 = x1.fma(v, a71);
        }
        a00.intoArray(tile, at); a01.intoArray(tile, at + FL);
        a10.intoArray(tile, at + GROUP); a11.intoArray(tile, at + GROUP + FL);
        a20.intoArray(tile, at + 2 * GROUP); a21.intoArray(tile, at + 2 * GROUP + FL);
        a30.intoArray(tile, at + 3 * GROUP); a31.intoArray(tile, at + 3 * GROUP + FL);
        a40.intoArray(tile, at + 4 * GROUP); a41.intoArray(tile, at + 4 * GROUP + FL);
        a50.intoArray(tile, at + 5 * GROUP); a51.intoArray(tile, at + 5 * GROUP + FL);
        a60.intoArray(tile, at + 6 * GROUP); a61.intoArray(tile, at + 6 * GROUP + FL);
        a70.intoArray(tile, at + 7 * GROUP); a71.intoArray(tile, at + 7 * GROUP + FL);
    }

    /**
     * The block's 16 rows (laid out as for {@link #tile}) times the one vector of tokens at panel
     * position {@code p}, into tile[row][at ..]: each lane the same FMA chain as in {@link #tile}. 16 chains, each panel
     * load serving 16 FMAs, for token counts that would leave most of a tile's lanes idle.
     */
    private void vector(float[] rows, int rs, int cs, int n, int p, float[] tile, int at) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector a4 = FloatVector.zero(F), a5 = FloatVector.zero(F), a6 = FloatVector.zero(F), a7 = FloatVector.zero(F);
        FloatVector a8 = FloatVector.zero(F), a9 = FloatVector.zero(F), a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
        FloatVector a12 = FloatVector.zero(F), a13 = FloatVector.zero(F), a14 = FloatVector.zero(F), a15 = FloatVector.zero(F);
        float[] pan = panels;
        for (int i = 0, end = n * cs; i < end; i += cs, p += GROUP) {
            FloatVector x0 = FloatVector.fromArray(F, pan, p);
            a0 = x0.fma(FloatVector.broadcast(F, rows[i]), a0);
            a1 = x0.fma(FloatVector.broadcast(F, rows[rs + i]), a1);
            a2 = x0.fma(FloatVector.broadcast(F, rows[2 * rs + i]), a2);
            a3 = x0.fma(FloatVector.broadcast(F, rows[3 * rs + i]), a3);
            a4 = x0.fma(FloatVector.broadcast(F, rows[4 * rs + i]), a4);
            a5 = x0.fma(FloatVector.broadcast(F, rows[5 * rs + i]), a5);
            a6 = x0.fma(FloatVector.broadcast(F, rows[6 * rs + i]), a6);
            a7 = x0.fma(FloatVector.broadcast(F, rows[7 * rs + i]), a7);
            a8 = x0.fma(FloatVector.broadcast(F, rows[8 * rs + i]), a8);
            a9 = x0.fma(FloatVector.broadcast(F, rows[9 * rs + i]), a9);
            a10 = x0.fma(FloatVector.broadcast(F, rows[10 * rs + i]), a10);
            a11 = x0.fma(FloatVector.broadcast(F, rows[11 * rs + i]), a11);
            a12 = x0.fma(FloatVector.broadcast(F, rows[12 * rs + i]), a12);
            a13 = x0.fma(FloatVector.broadcast(F, rows[13 * rs + i]), a13);
            a14 = x0.fma(FloatVector.broadcast(F, rows[14 * rs + i]), a14);
            a15 = x0.fma(FloatVector.broadcast(F, rows[15 * rs + i]), a15);
        }
        a0.intoArray(tile, at);
        a1.intoArray(tile, GROUP + at);
        a2.intoArray(tile, 2 * GROUP + at);
        a3.intoArray(tile, 3 * GROUP + at);
        a4.intoArray(tile, 4 * GROUP + at);
        a5.intoArray(tile, 5 * GROUP + at);
        a6.intoArray(tile, 6 * GROUP + at);
        a7.intoArray(tile, 7 * GROUP + at);
        a8.intoArray(tile, 8 * GROUP + at);
        a9.intoArray(tile, 9 * GROUP + at);
        a10.intoArray(tile, 10 * GROUP + at);
        a11.intoArray(tile, 11 * GROUP + at);
        a12.intoArray(tile, 12 * GROUP + at);
        a13.intoArray(tile, 13 * GROUP + at);
        a14.intoArray(tile, 14 * GROUP + at);
        a15.intoArray(tile, 15 * GROUP + at);
    }
}
