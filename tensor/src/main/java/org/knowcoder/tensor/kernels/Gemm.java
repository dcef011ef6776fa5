package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import org.knowcoder.parallel.WorkerPool;

import java.util.Arrays;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;

/**
 * c += A B, the matrix product of training: c is [m, n] row-major; A [m, k] and B [k, n] are read
 * through strides ({@link Matrix}), so either can be a transposed view without a copy (a forward
 * x W^T reads the weight by columns, a weight gradient dY^T X reads dY by columns).
 *
 * <p>Blocked as BLAS libraries do. For each chunk of {@link #KC} products and {@link #NC} columns,
 * the workers first copy that panel of B into one shared buffer as slabs of {@link #NR} = 2 vectors
 * of columns, [slab][p][NR]; then each worker, owning blocks of {@link #MR} = 8 rows of c, runs the
 * micro-kernel over the slabs: an 8 x 2-vector tile of c in 16 registers and, per p, two vectors of
 * B loaded and eight values of A broadcast: 16 FMAs for 10 loads. A whole block of A is read where
 * it is, eight rows in order (A as rows) or eight consecutive values per p (A transposed), both
 * streams the prefetcher follows; only a block cut by the last row of c is copied, as [p][MR] with
 * zeros past m. Copying every block, as BLAS libraries do, was slower at the small k of
 * KnowCoder-mini (bench/README.md, "Training"). The panel
 * (512 KB) stays in L2 across a worker's rows, a slab (32 KB) and the block of A in L1. B is copied
 * once per product, not once per worker's share of the rows: with few rows (a chunk of logits
 * times the classifier) the copy would cost more than the FMAs. Tiles cut by the edge of c (rows
 * past m, columns past n) run on zero padding in a small buffer and copy back what is in c.
 *
 * <p>Each element of c is one FMA per product onto its own value, in the order of p: the same bits
 * on any number of threads, and as a plain loop of FMAs ({@code GemmTest}'s reference).
 *
 * <p>A reusable job like {@link MatMul}: the panel of B is shared, the blocks of A and the edge tiles
 * are per worker, all made once.
 */
public final class Gemm implements WorkerPool.RangeTask {
    /** A matrix inside an array: element (i, j) at {@code data[offset + i * rowStride + j * colStride]}. */
    public record Matrix(float[] data, int offset, int rowStride, int colStride) {
        /** Row-major with {@code cols} columns, from the start of the array. */
        public static Matrix rows(float[] data, int cols) {
            return new Matrix(data, 0, cols, 1);
        }

        /** Row-major with {@code cols} columns, read transposed: (i, j) is data[j * cols + i]. */
        public static Matrix transposed(float[] data, int cols) {
            return new Matrix(data, 0, 1, cols);
        }

        /** The same matrix from row {@code row} on. */
        public Matrix fromRow(int row) {
            return new Matrix(data, offset + row * rowStride, rowStride, colStride);
        }
    }

    private static final int MR = 8;
    private static final int NR = 2 * FL;
    private static final int KC = 256;
    private static final int NC = 512;

    private final WorkerPool pool;
    /** The current panel of B, [NC / NR][KC][NR]. */
    private final float[] panel = new float[KC * NC];
    /** Per worker: a block of A cut by the last row [KC][MR] and an edge tile [MR][NR]. */
    private final float[][] aBlock, edge;
    private final WorkerPool.RangeTask packPanel = this::packB;
    private Matrix a, b;
    private float[] c;
    private int cOff, m, n, k;
    /** The current panel: products [k0, k0 + kc), columns [n0, n0 + nc). */
    private int k0, kc, n0, nc;

    public Gemm(WorkerPool pool) {
        this.pool = pool;
        int workers = pool.threads();
        this.aBlock = new float[workers][KC * MR];
        this.edge = new float[workers][MR * NR];
    }

    /** c[cOff + i * n + j] += sum over p < k of A(i, p) B(p, j), for i < m, j < n. */
    public void multiplyAdd(Matrix a, Matrix b, float[] c, int cOff, int m, int n, int k) {
        this.a = a;
        this.b = b;
        this.c = c;
        this.cOff = cOff;
        this.m = m;
        this.n = n;
        this.k = k;
        for (k0 = 0; k0 < k; k0 += KC) {
            kc = Math.min(KC, k - k0);
            for (n0 = 0; n0 < n; n0 += NC) {
                nc = Math.min(NC, n - n0);
                pool.parallelFor((nc + NR - 1) / NR, packPanel);
                pool.parallelFor((m + MR - 1) / MR, this);
            }
        }
        this.a = null;
        this.b = null;
        this.c = null;
    }

    /** Row blocks [fromBlock, toBlock) of c against the current panel. */
    @Override
    public void run(int worker, int fromBlock, int toBlock) {
        float[] ap = aBlock[worker];
        for (int blk = fromBlock; blk < toBlock; blk++) {
            int i0 = blk * MR, rows = Math.min(MR, m - i0);
            // a whole block of A is read where it is (see the class comment); one cut by the last row is copied with zero rows
            boolean whole = rows == MR;
            float[] ad = whole ? a.data() : ap;
            int ao = whole ? a.offset() + i0 * a.rowStride() + k0 * a.colStride() : 0, ars = whole ? a.rowStride() : 1, acs = whole ? a.colStride() : MR;
            if (!whole) packA(ap, i0, rows);
            for (int s = 0; s * NR < nc; s++) {
                int j0 = n0 + s * NR, cols = Math.min(NR, n - j0), slab = s * kc * NR;
                if (whole && cols == NR) {
                    tile(ad, ao, ars, acs, panel, slab, kc, c, cOff + i0 * n + j0, n);
                } else {
                    edgeTile(edge[worker], ad, ao, ars, acs, slab, i0, rows, j0, cols);
                }
            }
        }
    }

    /** Slabs [fromSlab, toSlab) of the current panel: B's rows [k0, k0 + kc), NR columns each, [p][NR], zero past n. */
    private void packB(int worker, int fromSlab, int toSlab) {
        float[] data = b.data(), bp = panel;
        int rs = b.rowStride(), cs = b.colStride();
        for (int s = fromSlab; s < toSlab; s++) {
            int j0 = n0 + s * NR, cols = Math.min(NR, n0 + nc - j0), slab = s * kc * NR;
            if (cs == 1 && cols == NR) {
                for (int p = 0; p < kc; p++) {
                    int from = b.offset() + (k0 + p) * rs + j0, to = slab + p * NR;
                    FloatVector.fromArray(F, data, from).intoArray(bp, to);
                    FloatVector.fromArray(F, data, from + FL).intoArray(bp, to + FL);
                }
            } else {
                if (cols < NR) Arrays.fill(bp, slab, slab + kc * NR, 0f);
                for (int jj = 0; jj < cols; jj++) {
                    int from = b.offset() + k0 * rs + (j0 + jj) * cs;
                    for (int p = 0; p < kc; p++) bp[slab + p * NR + jj] = data[from + p * rs];
                }
            }
        }
    }

    /** A's rows [i0, i0 + rows) and columns [k0, k0 + kc) as [p][MR], zero past m (a block cut by the last row of c). */
    private void packA(float[] ap, int i0, int rows) {
        float[] data = a.data();
        int rs = a.rowStride(), cs = a.colStride();
        if (rows < MR) Arrays.fill(ap, 0, kc * MR, 0f);
        for (int r = 0; r < rows; r++) {
            int from = a.offset() + (i0 + r) * rs + k0 * cs;
            for (int p = 0; p < kc; p++) ap[p * MR + r] = data[from + p * cs];
        }
    }

    /** A tile that the edge of c cuts: through a zero-padded copy of its part of c. */
    private void edgeTile(float[] t, float[] ad, int ao, int ars, int acs, int slab, int i0, int rows, int j0, int cols) {
        Arrays.fill(t, 0f);
        for (int r = 0; r < rows; r++) System.arraycopy(c, cOff + (i0 + r) * n + j0, t, r * NR, cols);
        tile(ad, ao, ars, acs, panel, slab, kc, t, 0, NR);
        for (int r = 0; r < rows; r++) System.arraycopy(t, r * NR, c, cOff + (i0 + r) * n + j0, cols);
    }

    /**
     * The micro-kernel: out's 8 x NR tile at {@code o} (rows {@code stride} apart) += the block of A
     * times a slab of B, A's element (r, p) at {@code ad[ao + r * ars + p * acs]} (packed: ars 1, acs MR).
     */
    private static void tile(float[] ad, int ao, int ars, int acs, float[] bp, int slab, int kc, float[] out, int o, int stride) {
        int a0 = ao, a1 = a0 + ars, a2 = a1 + ars, a3 = a2 + ars, a4 = a3 + ars, a5 = a4 + ars, a6 = a5 + ars, a7 = a6 + ars;
        int o1 = o + stride, o2 = o1 + stride, o3 = o2 + stride, o4 = o3 + stride, o5 = o4 + stride, o6 = o5 + stride, o7 = o6 + stride;
        FloatVector c00 = FloatVector.fromArray(F, out, o), c01 = FloatVector.fromArray(F, out, o + FL);
        FloatVector c10 = FloatVector.fromArray(F, out, o1), c11 = FloatVector.fromArray(F, out, o1 + FL);
        FloatVector c20 = FloatVector.fromArray(F, out, o2), c21 = FloatVector.fromArray(F, out, o2 + FL);
        FloatVector c30 = FloatVector.fromArray(F, out, o3), c31 = FloatVector.fromArray(F, out, o3 + FL);
        FloatVector c40 = FloatVector.fromArray(F, out, o4), c41 = FloatVector.fromArray(F, out, o4 + FL);
        FloatVector c50 = FloatVector.fromArray(F, out, o5), c51 = FloatVector.fromArray(F, out, o5 + FL);
        FloatVector c60 = FloatVector.fromArray(F, out, o6), c61 = FloatVector.fromArray(F, out, o6 + FL);
        FloatVector c70 = FloatVector.fromArray(F, out, o7), c71 = FloatVector.fromArray(F, out, o7 + FL);
        for (int p = 0; p < kc; p++) {
            int bo = slab + p * NR, q = p * acs;
            FloatVector b0 = FloatVector.fromArray(F, bp, bo), b1 = FloatVector.fromArray(F, bp, bo + FL);
            FloatVector x = FloatVector.broadcast(F, ad[a0 + q]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(F, ad[a1 + q]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(F, ad[a2 + q]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(F, ad[a3 + q]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            x = FloatVector.broadcast(F, ad[a4 + q]);
            c40 = b0.fma(x, c40); c41 = b1.fma(x, c41);
            x = FloatVector.broadcast(F, ad[a5 + q]);
            c50 = b0.fma(x, c50); c51 = b1.fma(x, c51);
            x = FloatVector.broadcast(F, ad[a6 + q]);
            c60 = b0.fma(x, c60); c61 = b1.fma(x, c61);
            x = FloatVector.broadcast(F, ad[a7 + q]);
            c70 = b0.fma(x, c70); c71 = b1.fma(x, c71);
        }
        c00.intoArray(out, o); c01.intoArray(out, o + FL);
        c10.intoArray(out, o1); c11.intoArray(out, o1 + FL);
        c20.intoArray(out, o2); c21.intoArray(out, o2 + FL);
        c30.intoArray(out, o3); c31.intoArray(out, o3 + FL);
        c40.intoArray(out, o4); c41.intoArray(out, o4 + FL);
        c50.intoArray(out, o5); c51.intoArray(out, o5 + FL);
        c60.intoArray(out, o6); c61.intoArray(out, o6 + FL);
        c70.intoArray(out, o7); c71.intoArray(out, o7 + FL);
    }
}
