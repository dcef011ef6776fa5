package org.knowcoder.tensor.kernels;

import jdk.incubator.vector.FloatVector;
import org.knowcoder.parallel.WorkerPool;

import static org.knowcoder.tensor.kernels.Simd.F;
import static org.knowcoder.tensor.kernels.Simd.FL;

/**
 * c += A b, the matrix product of training: c is [m, n] and b is [k, n], both row-major, and A(i, p)
 * is a[i * aRow + p * aCol], so A can be read transposed (a weight gradient dW = dY^T X reads dY by
 * columns) without a copy that, for a classifier, would be as large as the logits.
 *
 * <p>Vectorized along n: a worker owns blocks of 4 rows of c and keeps a 4 x 2-vector tile of c in
 * registers while it walks a chunk of k, so each vector of b it loads serves four rows. k and n are
 * walked in chunks whose panel of b (256 x 512 floats) stays in L2 across all of a worker's rows.
 * A reusable job like {@link MatMul}: nothing is allocated per call.
 */
public final class Gemm implements WorkerPool.RangeTask {
    private static final int ROWS = 4;
    private static final int K_CHUNK = 256;
    private static final int N_CHUNK = 512;

    private final WorkerPool pool;
    private float[] a, b, c;
    private int aOff, aRow, aCol, bOff, cOff, m, n, k;

    public Gemm(WorkerPool pool) {
        this.pool = pool;
    }

    /** c[i][j] += sum over p < k of a[i * aRow + p * aCol] * b[p][j], for i < m, j < n. */
    public void multiplyAdd(float[] a, int aRow, int aCol, float[] b, float[] c, int m, int n, int k) {
        multiplyAdd(a, 0, aRow, aCol, b, 0, c, 0, m, n, k);
    }

    /** As above on matrices that start at offsets in their arrays: a block of rows of a larger product. */
    public void multiplyAdd(float[] a, int aOff, int aRow, int aCol, float[] b, int bOff, float[] c, int cOff, int m, int n, int k) {
        this.a = a;
        this.aOff = aOff;
        this.aRow = aRow;
        this.aCol = aCol;
        this.b = b;
        this.bOff = bOff;
        this.c = c;
        this.cOff = cOff;
        this.m = m;
        this.n = n;
        this.k = k;
        pool.parallelFor((m + ROWS - 1) / ROWS, this);
        this.a = null;
        this.b = null;
        this.c = null;
    }

    @Override
    public void run(int worker, int fromBlock, int toBlock) {
        for (int k0 = 0; k0 < k; k0 += K_CHUNK) {
            int k1 = Math.min(k, k0 + K_CHUNK);
            for (int n0 = 0; n0 < n; n0 += N_CHUNK) {
                int n1 = Math.min(n, n0 + N_CHUNK);
                for (int blk = fromBlock; blk < toBlock; blk++) {
                    int i0 = blk * ROWS;
                    if (i0 + ROWS <= m) tileRows(i0, n0, n1, k0, k1);
                    else for (int i = i0; i < m; i++) columns(i, n0, n1, k0, k1);
                }
            }
        }
    }

    /** Rows i0..i0+4 of c over columns [n0, n1), adding products p in [k0, k1). */
    private void tileRows(int i0, int n0, int n1, int k0, int k1) {
        int r0 = cOff + i0 * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
        int j = n0;
        for (; j + 2 * FL <= n1; j += 2 * FL) {
            FloatVector c00 = FloatVector.fromArray(F, c, r0 + j), c01 = FloatVector.fromArray(F, c, r0 + j + FL);
            FloatVector c10 = FloatVector.fromArray(F, c, r1 + j), c11 = FloatVector.fromArray(F, c, r1 + j + FL);
            FloatVector c20 = FloatVector.fromArray(F, c, r2 + j), c21 = FloatVector.fromArray(F, c, r2 + j + FL);
            FloatVector c30 = FloatVector.fromArray(F, c, r3 + j), c31 = FloatVector.fromArray(F, c, r3 + j + FL);
            for (int p = k0; p < k1; p++) {
                FloatVector b0 = FloatVector.fromArray(F, b, bOff + p * n + j), b1 = FloatVector.fromArray(F, b, bOff + p * n + j + FL);
                int ap = aOff + i0 * aRow + p * aCol;
                FloatVector x = FloatVector.broadcast(F, a[ap]);
                c00 = b0.fma(x, c00); c01 = b1.fma(x, c01);
                x = FloatVector.broadcast(F, a[ap + aRow]);
                c10 = b0.fma(x, c10); c11 = b1.fma(x, c11);
                x = FloatVector.broadcast(F, a[ap + 2 * aRow]);
                c20 = b0.fma(x, c20); c21 = b1.fma(x, c21);
                x = FloatVector.broadcast(F, a[ap + 3 * aRow]);
                c30 = b0.fma(x, c30); c31 = b1.fma(x, c31);
            }
            c00.intoArray(c, r0 + j); c01.intoArray(c, r0 + j + FL);
            c10.intoArray(c, r1 + j); c11.intoArray(c, r1 + j + FL);
            c20.intoArray(c, r2 + j); c21.intoArray(c, r2 + j + FL);
            c30.intoArray(c, r3 + j); c31.intoArray(c, r3 + j + FL);
        }
        if (j < n1) for (int i = i0; i < i0 + ROWS; i++) columns(i, j, n1, k0, k1);
    }

    /** Row i of c over columns [j0, j1): a row past the last whole tile, or the columns a tile does not cover. */
    private void columns(int i, int j0, int j1, int k0, int k1) {
        int len = j1 - j0;
        for (int p = k0; p < k1; p++) {
            float s = a[aOff + i * aRow + p * aCol];
            if (s != 0f) VectorMath.axpy(s, b, bOff + p * n + j0, c, cOff + i * n + j0, len);
        }
    }
}
